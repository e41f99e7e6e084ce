//! No import circles: a module never uses one that uses it back, directly or through
//! others, so that each can be read, tested and changed below the ones that use it.
//!
//! The edges are read from the source text (`src/**/*.rs`, one module per file): every
//! `use` of the crate's own paths (`crate::`, `super::`, `self::`) and every such path
//! written out in code, test code (`#[cfg(test)]` items, `tests.rs` files, `tests/` folders)
//! left out. A path leads to the module that defines the item, not to one that re-exports
//! it (`pub use` in a parent is its table of contents, not a dependency). `circles(src, scope)` lists the
//! circles among the modules under `scope`; the whole crate is held to none.

mod read;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use read::{ModPath, Source, read_crate, strip_comments_and_strings, without_tests};

/// The module that defines what `path` names, following the imports of the modules it
/// passes through (a parent's `pub use child::Item`).
fn defining_module(modules: &BTreeMap<ModPath, Source>, path: &ModPath) -> Option<ModPath> {
    let mut path = path.clone();
    for _ in 0..16 {
        let module = (0..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|m| modules.contains_key(m))?;
        let Some(name) = path.get(module.len()) else {
            return Some(module);
        };
        match modules[&module].names.get(name) {
            Some(target) if target != &path => {
                let mut next = target.clone();
                next.extend(path[module.len() + 1..].iter().cloned());
                path = next;
            }
            _ => return Some(module),
        }
    }
    None
}

/// Every module's uses, as edges between modules under `scope`; with a `depth`, modules
/// deeper than that many names are taken together with their ancestor at that depth (1:
/// the crate's stages, `extract` for `extract::rows`).
fn edges(
    modules: &BTreeMap<ModPath, Source>,
    scope: &[&str],
    depth: Option<usize>,
) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let within = |m: &ModPath| m.len() >= scope.len() && m.iter().zip(scope).all(|(a, b)| a == b);
    let node = |m: &ModPath| m[..depth.unwrap_or(m.len()).min(m.len())].to_vec();
    let mut graph: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (module, source) in modules.iter().filter(|(m, _)| within(m)) {
        let from = node(module);
        let targets = graph.entry(from.clone()).or_default();
        for used in &source.uses {
            if let Some(target) = defining_module(modules, used).filter(within) {
                let to = node(&target);
                if to != from {
                    targets.insert(to);
                }
            }
        }
    }
    graph
}

/// The circles among the modules under `scope` (each a strongly connected set of more
/// than one module, named `a::b`; modules deeper than `depth` taken with their ancestor),
/// found by Tarjan's algorithm.
fn circles(src: &Path, scope: &[&str], depth: Option<usize>) -> Vec<Vec<String>> {
    let graph = edges(&read_crate(src), scope, depth);
    let nodes: Vec<&ModPath> = graph.keys().collect();
    let id: BTreeMap<&ModPath, usize> = nodes.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let next: Vec<Vec<usize>> = nodes
        .iter()
        .map(|m| {
            graph[*m]
                .iter()
                .filter_map(|t| id.get(t).copied())
                .collect()
        })
        .collect();
    struct Tarjan<'g> {
        next: &'g [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        stack: Vec<usize>,
        on_stack: Vec<bool>,
        counter: usize,
        found: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.counter);
            self.low[v] = self.counter;
            self.counter += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.next[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(i) if self.on_stack[w] => self.low[v] = self.low[v].min(i),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut tarjan = Tarjan {
        next: &next,
        index: vec![None; nodes.len()],
        low: vec![0; nodes.len()],
        stack: Vec::new(),
        on_stack: vec![false; nodes.len()],
        counter: 0,
        found: Vec::new(),
    };
    for v in 0..nodes.len() {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    let mut found: Vec<Vec<String>> = tarjan
        .found
        .into_iter()
        .map(|c| {
            let mut names: Vec<String> = c.iter().map(|&i| nodes[i].join("::")).collect();
            names.sort();
            names
        })
        .collect();
    found.sort();
    found
}

fn crate_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// No circle in the whole crate: between its stages (`extract`, `visit`, `output`, ...,
/// each taken with everything under it) and between its files.
#[test]
fn the_crate_has_no_import_circle() {
    assert_eq!(
        circles(&crate_src(), &[], Some(1)),
        Vec::<Vec<String>>::new(),
        "stage by stage"
    );
    assert_eq!(
        circles(&crate_src(), &[], None),
        Vec::<Vec<String>>::new(),
        "file by file"
    );
}

/// The library never ends the process (a signal, an error): it returns, and the binary
/// (src/main.rs) maps what it returns to an exit code (docs/columns.md, "Exit codes").
#[test]
fn the_library_never_exits_the_process() {
    let mut exits = Vec::new();
    let mut folders = vec![crate_src()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("main.rs") {
                let code = without_tests(&strip_comments_and_strings(
                    &std::fs::read_to_string(&path).unwrap(),
                ));
                if code.contains("process::exit") {
                    exits.push(
                        path.strip_prefix(crate_src())
                            .unwrap()
                            .display()
                            .to_string(),
                    );
                }
            }
        }
    }
    assert_eq!(exits, Vec::<String>::new());
}

/// Comments and docs cite what a reader of the repository has (docs/, tests, a commit),
/// never an issue of ours or a brief; another project's issue is named as upstream's.
#[test]
fn comments_cite_docs_not_issues() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut citing = Vec::new();
    let mut folders: Vec<PathBuf> = ["src", "tests", "crates", "fuzz", "bench", "scripts", "docs"]
        .iter()
        .map(|f| root.join(f))
        .collect();
    let mut files = vec![root.join("README.md")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(
                    name.as_str(),
                    "target" | "corpus" | "artifacts" | "examples"
                ) {
                    folders.push(path);
                }
            } else if [".rs", ".md", ".sh", ".py", ".toml", ".dict"]
                .iter()
                .any(|e| name.ends_with(e))
            {
                files.push(path);
            }
        }
    }
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (number, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            let issue = lower.match_indices("issue").any(|(at, _)| {
                let after = lower[at + 5..].trim_start_matches(['s', ' ', '#']);
                after.starts_with(|c: char| c.is_ascii_digit())
                    && !lower[..at].trim_end().ends_with("upstream")
            });
            // Spelt in two pieces, so that this test does not find itself.
            if issue || lower.contains(&["the", "brief"].join(" ")) {
                let shown = file.strip_prefix(root).unwrap().display();
                citing.push(format!("{shown}:{}: {line}", number + 1));
            }
        }
    }
    assert_eq!(citing, Vec::<String>::new());
}

/// The reading above finds circles: through a `use`, through a path written in code, and
/// through a parent's re-export; and it ignores test code, comments and strings.
#[test]
fn circles_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let write = |name: &str, text: &str| {
        let path = src.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "mod a;\nmod b;\nmod c;\nmod d;\n");
    write("a/mod.rs", "mod inner;\npub use inner::Thing;\n");
    write(
        "a/inner.rs",
        "pub struct Thing;\nfn f() { crate::b::g(); }\n",
    );
    write("b.rs", "use crate::a::Thing;\npub fn g() {}\n");
    write(
        "c.rs",
        "// use crate::d::X;\nconst S: &str = \"crate::d::X\";\n#[cfg(test)]\nmod tests { use crate::d::X; }\npub struct Y;\n",
    );
    write(
        "d.rs",
        "pub struct X;\nfn h() -> crate::c::Y { crate::c::Y }\n",
    );
    assert_eq!(circles(src, &[], None), [["a::inner", "b"]]);
    assert_eq!(circles(src, &[], Some(1)), [["a", "b"]], "stage by stage");
    // Test code in a `tests` folder is left out like a `tests.rs`: no circle f <-> g::tests.
    write("f.rs", "pub fn f() { crate::g::tests::h(); }\n");
    write("g/tests/mod.rs", "pub fn h() { crate::f::f(); }\n");
    write("d.rs", "use super::c::Y;\npub struct X;\n");
    write("c.rs", "pub struct Y;\nfn k() { let _ = super::d::X; }\n");
    assert_eq!(circles(src, &[], None), [["a::inner", "b"], ["c", "d"]]);
    assert_eq!(circles(src, &["c"], None), Vec::<Vec<String>>::new());
}
