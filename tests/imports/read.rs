//! Reading a crate's modules from their source text: each file's `use` declarations and
//! the crate paths in its code, made absolute (see the parent module).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path below the crate root, e.g. `["sr", "dataset", "head"]`.
pub(super) type ModPath = Vec<String>;

/// What one module's source says.
#[derive(Debug, Default)]
pub(super) struct Source {
    /// Absolute paths it uses (its `use` declarations, `pub use` excepted, and the paths
    /// written out in its code).
    pub(super) uses: Vec<ModPath>,
    /// Names it brings in (re-exported or not), and the absolute paths they stand for.
    pub(super) names: BTreeMap<String, ModPath>,
}

/// The modules of the crate at `src` and what each uses.
pub(super) fn read_crate(src: &Path) -> BTreeMap<ModPath, Source> {
    let mut files = Vec::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut crate_modules = BTreeMap::new();
    for file in files {
        let Some(module) = module_path(src, &file) else {
            continue;
        };
        let code = without_tests(&strip_comments_and_strings(
            &std::fs::read_to_string(&file).unwrap(),
        ));
        crate_modules.insert(module, code);
    }
    let known: BTreeSet<ModPath> = crate_modules.keys().cloned().collect();
    crate_modules
        .into_iter()
        .map(|(module, code)| {
            let source = parse(&module, &code, &known);
            (module, source)
        })
        .collect()
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `src/lib.rs` the root; `main.rs` (another
/// crate), `tests.rs` files and files under a `tests` folder (test code) are left out.
fn module_path(src: &Path, file: &Path) -> Option<ModPath> {
    let relative = file.strip_prefix(src).ok()?;
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts[..parts.len() - 1].iter().any(|p| p == "tests") {
        return None;
    }
    let last = parts.pop()?.trim_end_matches(".rs").to_string();
    match last.as_str() {
        "main" | "tests" => return None,
        "lib" if parts.is_empty() => {}
        "mod" => {}
        _ => parts.push(last),
    }
    Some(parts)
}

/// The code with comments removed and the insides of string and character literals
/// emptied, so that no brace, `use` or path in them is taken for code.
pub(super) fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|h| chars.get(j + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{7F}'), else a lifetime.
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The code without its `#[cfg(test)]` items (a `mod tests;` line, or an item to the end
/// of its braces).
pub(super) fn without_tests(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at + "#[cfg(test)]".len()..];
        // The item ends at a `;` outside brackets (`mod tests;`, `use ...;`), or with the
        // braces its first `{` outside brackets opens (`fn f(x: [u8; 2]) { ... }`).
        let mut depth = 0i32;
        let mut braces = 0i32;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ';' if depth == 0 && braces == 0 => {
                    end = i + 1;
                    break;
                }
                '{' if depth == 0 => braces += 1,
                '}' if depth == 0 => {
                    braces -= 1;
                    if braces == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The `use` declarations and the crate paths in `code`, as absolute paths.
fn parse(module: &ModPath, code: &str, known: &BTreeSet<ModPath>) -> Source {
    let children: BTreeSet<&str> = known
        .iter()
        .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
        .map(|m| m[module.len()].as_str())
        .collect();
    let mut source = Source::default();
    let mut rest_of_code = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = find_word(rest, "use") {
        let before = &rest[..at];
        let end = rest[at..].find(';').map_or(rest.len(), |e| at + e);
        let tree = &rest[at + 3..end];
        let public = before.trim_end().ends_with("pub") || before.trim_end().ends_with(')');
        for (path, name) in use_tree(tree, Vec::new()) {
            let Some(absolute) = absolute(module, &path, &children) else {
                continue;
            };
            if let Some(name) = name {
                source.names.insert(name, absolute.clone());
            }
            if !public {
                source.uses.push(absolute);
            }
        }
        rest_of_code.push_str(before);
        rest = &rest[(end + 1).min(rest.len())..];
    }
    rest_of_code.push_str(rest);
    for path in code_paths(&rest_of_code) {
        if let Some(absolute) = absolute(module, &path, &children) {
            source.uses.push(absolute);
        }
    }
    source
}

/// Where `word` stands alone in `text` (not inside an identifier).
fn find_word(text: &str, word: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let at = from + at;
        let after = at + word.len();
        if (at == 0 || !is_ident(bytes[at - 1])) && after < bytes.len() && !is_ident(bytes[after]) {
            return Some(at);
        }
        from = after;
    }
    None
}

/// The paths of a use tree (`a::{b, c::{d as e}, self}`), each with the name it brings in.
fn use_tree(tree: &str, prefix: Vec<String>) -> Vec<(Vec<String>, Option<String>)> {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let mut base = prefix;
        base.extend(segments(tree[..open].trim_end_matches("::")));
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut out = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.extend(use_tree(&inner[start..i], base.clone()));
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.extend(use_tree(&inner[start..], base));
        return out;
    }
    let (path, alias) = match tree.split_once(" as ") {
        Some((path, alias)) => (path, Some(alias.trim().to_string())),
        None => (tree, None),
    };
    let mut full = prefix;
    for segment in segments(path) {
        if segment != "self" || full.is_empty() {
            full.push(segment);
        }
    }
    if full.is_empty() || full.last().is_some_and(|s| s == "*") {
        full.retain(|s| s != "*");
        return vec![(full, None)];
    }
    let name = alias.or_else(|| full.last().cloned());
    vec![(full, name)]
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Paths written out in code that start with `crate`, `super` or `self` (or a child
/// module's name): `super::Syntax::ExplicitLe`, `crate::store::fnv1a`.
fn code_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        if !is_ident(chars[i]) || (i > 0 && (is_ident(chars[i - 1]) || chars[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let mut path = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            while j < chars.len() && is_ident(chars[j]) {
                j += 1;
            }
            path.push(chars[start..j].iter().collect::<String>());
            if chars.get(j) == Some(&':')
                && chars.get(j + 1) == Some(&':')
                && chars.get(j + 2).is_some_and(|&c| is_ident(c))
            {
                j += 2;
            } else {
                break;
            }
        }
        if path.len() > 1 {
            out.push(path);
        }
        i = j.max(i + 1);
    }
    out
}

/// A path as written in `module`, made absolute; None when it leads outside the crate.
fn absolute(module: &ModPath, path: &[String], children: &BTreeSet<&str>) -> Option<ModPath> {
    let (first, rest) = path.split_first()?;
    let mut out = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => {
            let mut parent = module.clone();
            parent.pop()?;
            parent
        }
        child if children.contains(child) => {
            let mut out = module.clone();
            out.push(child.to_string());
            out
        }
        _ => return None,
    };
    for segment in rest {
        if segment == "super" {
            out.pop()?;
        } else {
            out.push(segment.clone());
        }
    }
    Some(out)
}
