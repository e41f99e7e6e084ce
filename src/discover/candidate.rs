//! What the walk gives: one candidate per directory entry (a file to read, or why it is
//! not one), and the error of an input that cannot be read at all.

use std::path::PathBuf;

use crate::error::FileError;

/// One directory entry to account for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The path as given or walked.
    pub path: PathBuf,
    /// A regular file to read, or why it is not one.
    pub kind: CandidateKind,
    /// Whether a symlink at the path's last component may be opened through
    /// (`read::open_regular`): with `--follow-symlinks`, and for an input named on the
    /// command line; otherwise a link swapped in after the walk is refused.
    pub follow_last_link: bool,
}

/// What the walk found at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateKind {
    /// A regular file (or a symlink to one, with --follow-symlinks).
    File,
    /// Not read: `skipped/not_regular_file` or `error/io_error`, with the message.
    NotRead(FileError),
}

/// Why the inputs cannot be read: an input that cannot be read (exit 1), or a listed input
/// at or inside the output folder (a usage error, exit 2: the output folder is replaced by
/// the run's outputs, docs/columns.md "Exit codes").
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// An input that cannot be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An input at or inside a folder the run writes (the output folder, its staging
    /// folder), or a listed input holding the partial the run writes: refused before
    /// anything is read.
    #[error("{0}")]
    InsideOutput(#[source] crate::config::UsageError),
}

/// An input that cannot be read at all: the run stops with exit code 1. The message names
/// the path and the fix, once (no OS error text repeated by a source chain).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// The input as given.
    pub path: PathBuf,
    /// What is wrong, and what to do.
    pub message: String,
}
