//! The inputs before the walk: each checked (an input that cannot be read stops the run
//! with a message that names it and the fix), then put in path order, and canonicalised so
//! that one file is looked at once (docs/columns.md, "Paths"): an input at or inside an
//! earlier one (`scan data data/variants`, the same folder by two names) adds nothing, and an
//! earlier input inside a later one is left out of the later one's walk.
//!
//! A `--files-from` list may name a hundred thousand files: each costs one `lstat`, and the
//! real location of each folder holding them is resolved once (a cache), so that the
//! checks cost a syscall per input, not one per path component.

use std::collections::HashSet;
use std::fs::FileType;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::candidate::{Candidate, CandidateKind, DiscoverError, InputError};
use super::seen::FileId;
use crate::config::out_holds_input;
use crate::error::{FileError, Reason};
use crate::path_text::path_text;
use crate::read::not_regular;

/// Where an input came from: the command line (an input that cannot be read is fatal, a
/// symlink operand is followed) or a `--files-from` list (lists go stale: such an input is
/// a files.csv row; a listed symlink is an entry like any other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    Operand,
    Listed,
}

/// A folder to walk.
#[derive(Debug, Clone)]
pub(super) struct Root {
    /// As given.
    pub(super) path: PathBuf,
    /// Where it really is (symlinks and `..` resolved).
    pub(super) canonical: PathBuf,
    /// Identities to leave out of its walk: earlier inputs inside it.
    pub(super) skip: HashSet<FileId>,
}

/// One planned step of the walk, in path order.
#[derive(Debug)]
pub(super) enum Step {
    Walk(Root),
    /// An input that is not a folder (a file to read, or its row).
    Entry(Candidate),
}

impl InputError {
    /// An input that the system refused, with what to do about it.
    pub(super) fn unreadable(path: &Path, error: &std::io::Error) -> InputError {
        let shown = path_text(path);
        let message = match error.kind() {
            std::io::ErrorKind::NotFound => format!("input {shown} does not exist"),
            std::io::ErrorKind::PermissionDenied => format!(
                "cannot read input {shown}: permission denied; the user running dxa-ingest \
                 needs read and search permission on it and on every folder above it (e.g. \
                 `chmod -R a+rX {shown}`), or run dxa-ingest as a user who can read it"
            ),
            _ => format!("cannot read input {shown}: {error}"),
        };
        InputError {
            path: path.to_path_buf(),
            message,
        }
    }
}

/// An input as checked.
#[derive(Debug)]
struct Checked {
    path: PathBuf,
    canonical: PathBuf,
    id: FileId,
    file_type: FileType,
}

/// Inputs checked one after the other up to this many; a longer list is checked in chunks
/// of this many on the workers of the pool the caller runs in (`scan`'s, `--jobs`), each
/// chunk resolving its folders once (`Parents`). A check is a syscall or two, and a list's
/// checks are most of its planning: on two workers a run of 2 000 listed files in 1 432
/// folders took about 4-5 ms less (docs/performance.md, "Reading a list").
const CHECK_CHUNK: usize = 256;

/// Each of `paths` checked (`check`), in their order: in chunks of `chunk_len` on the
/// workers of the current pool when there are more; one after the other on a thread of no
/// pool (the early check of a scan's operands, the progress bar's count), which never
/// starts rayon's global pool of a thread per core behind `--jobs`.
fn check_all(
    paths: &[PathBuf],
    origin: Origin,
    follow_symlinks: bool,
    chunk_len: usize,
) -> Vec<Result<Checked, InputError>> {
    let chunk = |chunk: &[PathBuf]| {
        let mut parents = Parents::default();
        chunk
            .iter()
            .map(|path| check(path, origin, follow_symlinks, &mut parents))
            .collect::<Vec<_>>()
    };
    if paths.len() <= chunk_len || rayon::current_thread_index().is_none() {
        return chunk(paths);
    }
    use rayon::prelude::*;
    paths.par_chunks(chunk_len).flat_map_iter(chunk).collect()
}

/// Checks every input and orders them. An input at or inside one of the `written` folders
/// (canonical: the output folder and its staging folder) is refused.
pub(super) fn plan(
    paths: &[PathBuf],
    origin: Origin,
    follow_symlinks: bool,
    written: &[PathBuf],
) -> Result<Vec<Step>, DiscoverError> {
    let checked = check_all(paths, origin, follow_symlinks, CHECK_CHUNK);
    let mut inputs = Vec::with_capacity(paths.len());
    let mut steps = Vec::new();
    for (path, checked) in paths.iter().zip(checked) {
        match checked {
            Ok(input) => {
                // Where it really is, known already: the check costs no syscall.
                if let Some(out) = written.iter().find(|o| at_or_inside(&input.canonical, o)) {
                    return Err(DiscoverError::InsideOutput(out_holds_input(
                        out,
                        path,
                        &input.canonical == out,
                    )));
                }
                inputs.push(input)
            }
            Err(error) if origin == Origin::Listed => steps.push(Step::Entry(Candidate {
                path: path.clone(),
                kind: CandidateKind::NotRead(FileError::new(Reason::IoError, listed_text(&error))),
                follow_last_link: false,
            })),
            Err(error) => return Err(error.into()),
        }
    }
    // A list is usually written in path order already (`find | sort`), each path once:
    // checked in one pass, sorted and rid of repeats only when it is not.
    if !inputs.is_sorted_by(|a, b| a.path < b.path) {
        inputs.sort_by(|a, b| a.path.cmp(&b.path));
        inputs.dedup_by(|a, b| a.path == b.path);
    }

    // In order of where they are, an input's enclosing inputs come just before it (path
    // order keeps a folder's subtree together): a stack holds them.
    let mut by_place: Vec<usize> = (0..inputs.len()).collect();
    if !by_place.is_sorted_by(|a, b| inputs[*a].canonical <= inputs[*b].canonical) {
        by_place.sort_by(|a, b| inputs[*a].canonical.cmp(&inputs[*b].canonical));
    }
    let mut dropped = vec![false; inputs.len()];
    let mut skip: Vec<HashSet<FileId>> = vec![HashSet::new(); inputs.len()];
    // (input, the earliest input in path order among it and its enclosing inputs)
    let mut enclosing: Vec<(usize, usize)> = Vec::new();
    for &i in &by_place {
        while let Some(&(top, _)) = enclosing.last() {
            if at_or_inside(&inputs[i].canonical, &inputs[top].canonical) {
                break;
            }
            enclosing.pop();
        }
        let earliest = enclosing.last().map_or(i, |&(_, first)| first.min(i));
        if earliest < i {
            // At or inside an input walked before it: reached already.
            dropped[i] = true;
        } else {
            // Inside later inputs: left out of their walks.
            for &(outer, _) in &enclosing {
                if !dropped[outer] {
                    skip[outer].insert(inputs[i].id);
                }
            }
        }
        enclosing.push((i, earliest));
    }

    for (i, (input, skip)) in inputs.into_iter().zip(skip).enumerate() {
        if dropped[i] {
            continue;
        }
        if input.file_type.is_dir() {
            steps.push(Step::Walk(Root {
                path: input.path,
                canonical: input.canonical,
                skip,
            }));
        } else {
            let kind = match not_regular(input.file_type) {
                None => CandidateKind::File,
                Some(what) => CandidateKind::NotRead(FileError::new(Reason::NotRegularFile, what)),
            };
            steps.push(Step::Entry(Candidate {
                path: input.path,
                kind,
                follow_last_link: origin == Origin::Operand || follow_symlinks,
            }));
        }
    }
    if !steps.is_sorted_by(|a, b| step_path(a) <= step_path(b)) {
        steps.sort_by(|a, b| step_path(a).cmp(step_path(b)));
    }
    Ok(steps)
}

/// Whether the canonical path `path` is `folder` or inside it: `Path::starts_with`, which
/// compares component by component, answered from the bytes. Exact for canonical paths
/// (absolute, no `.`, `..`, repeated or trailing separator: `fs::canonicalize`'s, or a
/// file name joined to one): then `folder`'s components are a prefix of `path`'s exactly
/// when its bytes are a prefix that ends where a component does. Component by component
/// it was about 3 400 instructions per listed file (callgrind, docs/performance.md).
fn at_or_inside(path: &Path, folder: &Path) -> bool {
    let (path, folder) = (path.as_os_str().as_bytes(), folder.as_os_str().as_bytes());
    path.starts_with(folder)
        && (path.len() == folder.len() || folder.ends_with(b"/") || path[folder.len()] == b'/')
}

fn step_path(step: &Step) -> &Path {
    match step {
        Step::Walk(root) => &root.path,
        Step::Entry(candidate) => &candidate.path,
    }
}

fn listed_text(error: &InputError) -> String {
    // The row names the path already.
    let shown = path_text(&error.path);
    if error.message.ends_with("does not exist") {
        "listed, but not found".to_string()
    } else {
        error
            .message
            .replace(&format!("cannot read input {shown}: "), "")
    }
}

/// The real location of each folder holding listed files, resolved once. Folders are
/// keyed by their bytes, not as `Path`s (hashed component by component: about 1 400
/// instructions per listed file, callgrind, docs/performance.md); two spellings of one
/// folder (`a//b`, `a/b`) are then resolved twice, to the same place. A list names a
/// folder's files one after the other, so the last folder is compared first.
#[derive(Default)]
struct Parents {
    last: Option<(PathBuf, PathBuf)>,
    known: hashbrown::HashMap<Vec<u8>, PathBuf>,
}

impl Parents {
    fn real(&mut self, parent: &Path) -> std::io::Result<&Path> {
        let same = |(given, _): &(PathBuf, PathBuf)| {
            given.as_os_str().as_bytes() == parent.as_os_str().as_bytes()
        };
        if !self.last.as_ref().is_some_and(same) {
            let real = self.resolve(parent)?;
            self.last = Some((parent.to_path_buf(), real));
        }
        Ok(self
            .last
            .as_ref()
            .map(|(_, real)| real.as_path())
            .expect("set above"))
    }

    /// Where `folder` really is, remembered: the real place of the folder holding it (the
    /// same way) joined with its name, when an `lstat` says it is a folder and not a
    /// symbolic link; else what `canonicalize` says (the root, a lone relative name, a
    /// `..`, a link). One syscall per folder where `canonicalize` made one per component:
    /// a list of one folder per patient spent 7 ms of a 2 000-file run resolving them
    /// (docs/performance.md, "Reading a list").
    fn resolve(&mut self, folder: &Path) -> std::io::Result<PathBuf> {
        let key = folder.as_os_str().as_bytes();
        if let Some(real) = self.known.get(key) {
            return Ok(real.clone());
        }
        let up = folder.parent().filter(|up| !up.as_os_str().is_empty());
        let real = match (up, folder.components().next_back()) {
            (Some(up), Some(std::path::Component::Normal(name))) => {
                let real_up = self.resolve(up)?;
                match std::fs::symlink_metadata(folder)?.is_dir() {
                    true => real_up.join(name),
                    false => std::fs::canonicalize(folder)?,
                }
            }
            _ => std::fs::canonicalize(folder)?,
        };
        self.known.insert(key.to_vec(), real.clone());
        Ok(real)
    }
}

fn check(
    path: &Path,
    origin: Origin,
    follow_symlinks: bool,
    parents: &mut Parents,
) -> Result<Checked, InputError> {
    let unreadable = |e: std::io::Error| InputError::unreadable(path, &e);
    let mut meta = std::fs::symlink_metadata(path).map_err(unreadable)?;
    let follow = origin == Origin::Operand || follow_symlinks;
    let link_followed = follow && meta.file_type().is_symlink();
    if link_followed {
        meta = std::fs::metadata(path).map_err(unreadable)?;
    }
    let canonical = if meta.is_dir() || link_followed {
        if meta.is_dir() {
            // Stat works on a folder that cannot be listed (mode 000): try to list it
            // now, so that the run stops with a message instead of ending with empty
            // tables.
            std::fs::read_dir(path).map_err(unreadable)?;
        }
        std::fs::canonicalize(path).map_err(unreadable)?
    } else {
        // A file (or a link not followed) is an entry of its folder: the folder's real
        // location, resolved once for all its entries.
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        parents
            .real(parent)
            .map_err(unreadable)?
            .join(path.file_name().unwrap_or_default())
    };
    Ok(Checked {
        path: path.to_path_buf(),
        canonical,
        id: (meta.dev(), meta.ino()),
        file_type: meta.file_type(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `at_or_inside` answers as `Path::starts_with` on canonical paths: every pair of
    /// paths made of components that share prefixes (`a`, `ab`, `a.b`, `a-`), the root
    /// included.
    #[test]
    fn at_or_inside_is_starts_with_on_canonical_paths() {
        let parts = ["a", "ab", "a.b", "a-", "b"];
        let mut paths = vec![PathBuf::from("/")];
        for depth in 1..=3u32 {
            for n in 0..parts.len().pow(depth) {
                let mut path = PathBuf::from("/");
                let mut rest = n;
                for _ in 0..depth {
                    path.push(parts[rest % parts.len()]);
                    rest /= parts.len();
                }
                paths.push(path);
            }
        }
        let mut inside = 0;
        for path in &paths {
            for folder in &paths {
                let expected = path.starts_with(folder);
                assert_eq!(
                    at_or_inside(path, folder),
                    expected,
                    "{path:?} in {folder:?}"
                );
                inside += usize::from(expected);
            }
        }
        // Not vacuous: the root holds every path, and deeper folders some.
        assert!(inside > 2 * paths.len(), "{inside}");
    }

    /// A folder spelled two ways is resolved to one place, and a file listed under both
    /// spellings is one input.
    #[test]
    fn a_folder_spelled_two_ways_is_one_place() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::fs::write(dir.path().join("d/a.dcm"), b"x").unwrap();
        let base = dir.path().display();
        let listed = [
            PathBuf::from(format!("{base}/d/a.dcm")),
            PathBuf::from(format!("{base}/d//a.dcm")),
            PathBuf::from(format!("{base}/d/./a.dcm")),
        ];
        let steps = plan(&listed, Origin::Listed, false, &[]).unwrap();
        assert_eq!(steps.len(), 1, "{steps:?}");
        let mut parents = Parents::default();
        let one = parents.real(&dir.path().join("d")).unwrap().to_path_buf();
        let two = parents
            .real(Path::new(&format!("{base}//d")))
            .unwrap()
            .to_path_buf();
        assert_eq!(one, two);
        let keys = [dir.path().join("d"), PathBuf::from(format!("{base}//d"))];
        for key in keys {
            let real = parents.known.get(key.as_os_str().as_bytes());
            assert_eq!(real, Some(&one), "{key:?}: each spelling its own key");
        }
    }

    /// Checked in chunks on a pool's workers, a list gives what it gives checked one path
    /// after the other: files in many folders, folders, a link, a fifo, missing paths, a
    /// file under a file, the same folder spelled twice, at every chunk length.
    #[test]
    fn a_list_checked_in_chunks_is_checked_as_in_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut listed = Vec::new();
        for i in 0..60 {
            let folder = root.join(format!("p{}", i / 3)).join(format!("s{}", i % 2));
            std::fs::create_dir_all(&folder).unwrap();
            let file = folder.join(format!("{i}.dcm"));
            std::fs::write(&file, b"x").unwrap();
            listed.push(file);
            match i % 10 {
                0 => listed.push(folder.join("missing.dcm")),
                3 => listed.push(folder.clone()),
                5 => listed.push(folder.join(format!("{i}.dcm/under_a_file"))),
                7 => listed.push(PathBuf::from(format!("{}/./{i}.dcm", folder.display()))),
                _ => {}
            }
        }
        std::os::unix::fs::symlink(root.join("p1"), root.join("link")).unwrap();
        listed.push(root.join("link/s0/3.dcm"));
        let fifo = root.join("fifo");
        crate::test_files::make_fifo(&fifo);
        listed.push(fifo);
        let text = |checked: Vec<Result<Checked, InputError>>| -> Vec<String> {
            checked
                .into_iter()
                .map(|c| match c {
                    Ok(c) => format!("{c:?}"),
                    Err(e) => format!("error {}: {}", e.path.display(), e.message),
                })
                .collect()
        };
        for origin in [Origin::Listed, Origin::Operand] {
            let one_pass = text(check_all(&listed, origin, false, usize::MAX));
            assert_eq!(one_pass.len(), listed.len());
            assert!(one_pass.iter().any(|c| c.starts_with("error")));
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            for chunk_len in [1, 2, 7, 64] {
                let chunked = pool.install(|| text(check_all(&listed, origin, false, chunk_len)));
                assert_eq!(chunked, one_pass, "{origin:?}, chunks of {chunk_len}");
            }
        }
    }

    /// A folder resolved from the folder holding it is where `canonicalize` says, for
    /// every spelling a list may hold: absolute and relative, `.`, `..`, doubled slashes,
    /// folders that are symbolic links (to a sibling, to a folder above, to one inside a
    /// link), in any order of resolving.
    #[test]
    fn folders_resolve_where_canonicalize_says() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for sub in ["a/b/c", "a/d", "e/f"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        symlink(root.join("a/b"), root.join("e/to_b")).unwrap();
        symlink("../../a", root.join("e/f/up_a")).unwrap();
        symlink("to_b/c", root.join("e/to_c")).unwrap();
        let relative = [
            "a/b/c",
            "a/./b",
            "a/b/../d",
            "e//f",
            "e/to_b/c",
            "e/f/up_a/d",
            "e/to_c",
            "e/to_b/../d",
            "a",
            "e/f/up_a/b/c",
            ".",
        ];
        // Relative spellings from the tests' own folder (changing it would change it for
        // the tests running beside this one): up to `/`, then down to the tree.
        let cwd = std::env::current_dir().unwrap();
        let up = "../".repeat(cwd.components().count() - 1);
        let down = PathBuf::from(up).join(root.strip_prefix("/").unwrap());
        let mut spellings: Vec<PathBuf> = relative.iter().map(|r| root.join(r)).collect();
        spellings.extend(relative.iter().map(|r| down.join(r)));
        let mut results = Vec::new();
        for order in [false, true] {
            let mut parents = Parents::default();
            let mut list = spellings.clone();
            if order {
                list.reverse();
            }
            for folder in &list {
                let expected = std::fs::canonicalize(folder).unwrap();
                results.push((folder.clone(), parents.resolve(folder).unwrap(), expected));
            }
        }
        for (folder, got, expected) in results {
            assert_eq!(got, expected, "{folder:?}");
        }
    }
}
