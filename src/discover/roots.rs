//! The inputs before the walk: each checked (an input that cannot be read stops the run
//! with a message that names it and the fix), then put in path order, and canonicalised so
//! that one file is looked at once (docs/columns.md, "Paths"): an input at or inside an
//! earlier one (`scan data data/variants`, the same folder by two names) adds nothing, and an
//! earlier input inside a later one is left out of the later one's walk.
//!
//! A `--files-from` list may name a hundred thousand files: each costs one `lstat`, and the
//! real location of each folder holding them is resolved once (a cache), so that the
//! checks cost a syscall per input, not one per path component.

use std::collections::{HashMap, HashSet};
use std::fs::FileType;
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
struct Checked {
    path: PathBuf,
    canonical: PathBuf,
    id: FileId,
    file_type: FileType,
}

/// Checks every input and orders them. An input at or inside one of the `written` folders
/// (canonical: the output folder and its staging folder) is refused.
pub(super) fn plan(
    paths: &[PathBuf],
    origin: Origin,
    follow_symlinks: bool,
    written: &[PathBuf],
) -> Result<Vec<Step>, DiscoverError> {
    let mut parents = HashMap::new();
    let mut inputs = Vec::with_capacity(paths.len());
    let mut steps = Vec::new();
    for path in paths {
        match check(path, origin, follow_symlinks, &mut parents) {
            Ok(input) => {
                // Where it really is, known already: the check costs no syscall.
                if let Some(out) = written.iter().find(|o| input.canonical.starts_with(o)) {
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
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    inputs.dedup_by(|a, b| a.path == b.path);

    // In order of where they are, an input's enclosing inputs come just before it (path
    // order keeps a folder's subtree together): a stack holds them.
    let mut by_place: Vec<usize> = (0..inputs.len()).collect();
    by_place.sort_by(|a, b| inputs[*a].canonical.cmp(&inputs[*b].canonical));
    let mut dropped = vec![false; inputs.len()];
    let mut skip: Vec<HashSet<FileId>> = vec![HashSet::new(); inputs.len()];
    // (input, the earliest input in path order among it and its enclosing inputs)
    let mut enclosing: Vec<(usize, usize)> = Vec::new();
    for &i in &by_place {
        while let Some(&(top, _)) = enclosing.last() {
            if inputs[i].canonical.starts_with(&inputs[top].canonical) {
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
    steps.sort_by(|a, b| step_path(a).cmp(step_path(b)));
    Ok(steps)
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

fn check(
    path: &Path,
    origin: Origin,
    follow_symlinks: bool,
    parents: &mut HashMap<PathBuf, PathBuf>,
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
        let real = match parents.get(parent) {
            Some(real) => real.clone(),
            None => {
                let real = std::fs::canonicalize(parent).map_err(unreadable)?;
                parents.insert(parent.to_path_buf(), real.clone());
                real
            }
        };
        real.join(path.file_name().unwrap_or_default())
    };
    Ok(Checked {
        path: path.to_path_buf(),
        canonical,
        id: (meta.dev(), meta.ino()),
        file_type: meta.file_type(),
    })
}
