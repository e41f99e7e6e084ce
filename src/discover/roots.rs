//! The inputs before the walk: each checked (an input that cannot be read stops the run
//! with a message that names it and the fix), then put in path order, and canonicalised so
//! that one file is looked at once (docs/columns.md, "Paths"): an input inside another
//! (`scan data data/variants`) or the same folder by two names adds nothing, and an earlier
//! input inside a later one is skipped when the later one's walk reaches it.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::seen::FileId;
use super::{Candidate, CandidateKind, InputError};
use crate::error::{FileError, Reason};
use crate::path_text::path_text;

/// Where an input came from: the command line (an input that cannot be read is fatal, a
/// symlink operand is followed) or a `--files-from` list (lists go stale: such an input is
/// a files.csv row; a listed symlink is an entry like any other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    Operand,
    Listed,
}

/// An input to walk.
#[derive(Debug, Clone)]
pub(super) struct Root {
    /// As given.
    pub(super) path: PathBuf,
    /// Where it really is (symlinks and `..` resolved).
    pub(super) canonical: PathBuf,
    pub(super) id: FileId,
    /// Identities to leave out of this root's walk: earlier inputs inside it.
    pub(super) skip: Vec<FileId>,
}

/// One planned step of the walk, in path order.
#[derive(Debug)]
pub(super) enum Step {
    Walk(Root),
    /// A listed input that cannot be read: its row.
    Row(Candidate),
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

/// Checks every input and orders them.
pub(super) fn plan(
    paths: &[PathBuf],
    origin: Origin,
    follow_symlinks: bool,
) -> Result<Vec<Step>, InputError> {
    let mut steps = Vec::new();
    for path in paths {
        match check(path, origin, follow_symlinks) {
            Ok(root) => steps.push(Step::Walk(root)),
            Err(error) if origin == Origin::Listed => steps.push(Step::Row(Candidate {
                path: path.clone(),
                kind: CandidateKind::NotRead(FileError::new(Reason::IoError, listed_text(&error))),
                follow_last_link: false,
            })),
            Err(error) => return Err(error),
        }
    }
    steps.sort_by(|a, b| step_path(a).cmp(step_path(b)));
    steps.dedup_by(|a, b| step_path(a) == step_path(b));

    // Each root once: a root at or inside an earlier one was reached by it.
    let mut kept: Vec<Step> = Vec::with_capacity(steps.len());
    for step in steps {
        if let Step::Walk(root) = &step
            && kept.iter().any(|earlier| match earlier {
                Step::Walk(e) => root.canonical.starts_with(&e.canonical),
                Step::Row(_) => false,
            })
        {
            continue;
        }
        kept.push(step);
    }
    // An earlier root inside a later one is left out of the later one's walk.
    let mut walked: Vec<(PathBuf, FileId)> = Vec::new();
    for step in &mut kept {
        if let Step::Walk(root) = step {
            root.skip = walked
                .iter()
                .filter(|(canonical, _)| canonical.starts_with(&root.canonical))
                .map(|(_, id)| *id)
                .collect();
            walked.push((root.canonical.clone(), root.id));
        }
    }
    Ok(kept)
}

fn step_path(step: &Step) -> &Path {
    match step {
        Step::Walk(root) => &root.path,
        Step::Row(candidate) => &candidate.path,
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

fn check(path: &Path, origin: Origin, follow_symlinks: bool) -> Result<Root, InputError> {
    let follow = origin == Origin::Operand || follow_symlinks;
    let meta = if follow {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    }
    .map_err(|e| InputError::unreadable(path, &e))?;
    if meta.is_dir() {
        // Stat works on a folder that cannot be listed (mode 000): try to list it now, so
        // that the run stops with a message instead of ending with empty tables.
        std::fs::read_dir(path).map_err(|e| InputError::unreadable(path, &e))?;
    }
    let canonical = if follow || !meta.file_type().is_symlink() {
        std::fs::canonicalize(path)
    } else {
        // A symlink that is not followed is an entry of its folder.
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        std::fs::canonicalize(parent.unwrap_or(Path::new(".")))
            .map(|p| p.join(path.file_name().unwrap_or_default()))
    }
    .map_err(|e| InputError::unreadable(path, &e))?;
    Ok(Root {
        path: path.to_path_buf(),
        canonical,
        id: (meta.dev(), meta.ino()),
        skip: Vec::new(),
    })
}
