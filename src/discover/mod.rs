//! Finding the files: walk the input folders (walkdir) or read a list (`--files-from`), and
//! yield every entry in path order, so that output order never depends on the file system or
//! on thread timing. Path order is `std::path::Path`'s: component by component, each by its
//! bytes; a walk that visits each folder's entries sorted by name yields exactly that order,
//! so the walk streams and the archive's size never costs memory. Nothing is opened here:
//! FIFOs, sockets and devices are recognised by their directory entry and never read (a FIFO
//! would block the run forever); `read` checks again when it opens a file.
//!
//! The working folder of `listen` and `pull` inside an archive (`.incoming`, their temporary
//! `*.partial` files: docs/network.md, "The archive") is never walked into: its files are
//! objects half-written, or left by a crash, not documents.
//!
//! One file, one look (docs/columns.md, "Paths"): the inputs are canonicalised (`roots`), the
//! folders to skip (the output folder inside an input) are left out by identity, and with
//! `--follow-symlinks` every file and folder reached is remembered by identity (`seen`), so
//! a file reached twice is read once, under the first path in path order.

mod candidate;
mod list;
mod roots;
mod seen;

use std::collections::{HashSet, VecDeque};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, DirEntryExt, WalkDir};

use crate::error::{FileError, Reason};
use crate::path_text::path_text;
use crate::read::not_regular;
pub use candidate::{Candidate, CandidateKind, DiscoverError};
use roots::{Origin, Root, Step};
use seen::{FileId, Seen};

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Follow symbolic links (loops are reported; a file reached twice is read once).
    pub follow_symlinks: bool,
    /// Folders never walked into, wherever they are (the output folder and its staging
    /// folder, when they are inside an input). Missing ones are ignored.
    pub skip_dirs: Vec<PathBuf>,
    /// The partial the run writes (`scan --partial`): a listed path at or above it is
    /// refused before any file is read, as an operand is by
    /// `config::check_partial_apart_from_inputs` (its temporary file would be read back as
    /// an input, and the next scan of that folder would read the partial).
    pub partial: Option<PathBuf>,
}

/// Every entry, in path order, produced as the walk goes.
pub type Candidates = Box<dyn Iterator<Item = Candidate> + Send>;

/// Walks every root (in path order); a root that is a file is itself a candidate. A root
/// that cannot be read is fatal, checked before anything is yielded.
pub fn walk(roots: &[PathBuf], options: &WalkOptions) -> Result<Candidates, DiscoverError> {
    let written = written(options);
    let steps = roots::plan(roots, Origin::Operand, options.follow_symlinks, &written)?;
    Ok(Box::new(Walker::new(steps, Origin::Operand, options)))
}

/// Reads one path per line (from a file, or standard input for `-`; docs/columns.md,
/// "--files-from"); folders in the list are walked. A listed path that does not exist is an
/// `io_error` row, not a fatal error: lists go stale, and the rest of the batch still
/// matters. The list itself is held (to be sorted); the folders in it are streamed.
///
/// A listed path at or inside a folder to skip (the output folder: `--out` is, or is above,
/// a listed entry) is refused before any file is read, as an operand is by
/// `config::check_out_apart_from_inputs`: read, then replaced by the outputs, it would
/// be lost. The check costs nothing beyond the list: each entry's real location is known
/// from its check.
pub fn from_list(list: &Path, options: &WalkOptions) -> Result<Candidates, DiscoverError> {
    let paths = list::read_list(list)?;
    if let Some(partial) = &options.partial {
        crate::config::check_partial_apart_from_inputs(partial, &paths)
            .map_err(DiscoverError::InsideOutput)?;
    }
    let written = written(options);
    let steps = roots::plan(&paths, Origin::Listed, options.follow_symlinks, &written)?;
    Ok(Box::new(Walker::new(steps, Origin::Listed, options)))
}

/// Where the folders to skip really are (those that exist).
fn written(options: &WalkOptions) -> Vec<PathBuf> {
    options
        .skip_dirs
        .iter()
        .filter_map(|dir| dir.canonicalize().ok())
        .collect()
}

/// Counts what `walk` would yield, for the progress bar's total (a second walk costs a
/// directory read per folder, not a file read per file).
pub fn count(roots: &[PathBuf], options: &WalkOptions) -> u64 {
    walk(roots, options).map_or(0, |candidates| candidates.count() as u64)
}

/// The walk over the planned roots, one after the other.
struct Walker {
    steps: VecDeque<Step>,
    origin: Origin,
    follow_symlinks: bool,
    /// The folders to skip: identity and where they really are.
    skip_dirs: Vec<(PathBuf, FileId)>,
    current: Option<Current>,
    /// With --follow-symlinks: every identity reached.
    seen: Option<Seen>,
}

/// The root being walked.
struct Current {
    entries: walkdir::IntoIter,
    /// Identities to leave out (earlier roots inside this one, folders to skip), and their
    /// inode numbers, which a directory entry gives without a stat.
    skip: HashSet<FileId>,
    skip_inodes: HashSet<u64>,
}

impl Walker {
    fn new(steps: Vec<Step>, origin: Origin, options: &WalkOptions) -> Walker {
        let skip_dirs = options
            .skip_dirs
            .iter()
            .filter_map(|dir| {
                let meta = std::fs::metadata(dir).ok()?;
                Some((dir.canonicalize().ok()?, (meta.dev(), meta.ino())))
            })
            .collect();
        Walker {
            steps: steps.into(),
            origin,
            follow_symlinks: options.follow_symlinks,
            skip_dirs,
            current: None,
            seen: options.follow_symlinks.then(Seen::default),
        }
    }

    fn start(&self, root: Root) -> Current {
        let mut skip = root.skip;
        for (canonical, id) in &self.skip_dirs {
            // A link can lead anywhere; without links, only a folder inside the root.
            if self.follow_symlinks || canonical.starts_with(&root.canonical) {
                skip.insert(*id);
            }
        }
        let skip_inodes = skip.iter().map(|(_, inode)| *inode).collect();
        let entries = WalkDir::new(&root.path)
            .follow_links(self.follow_symlinks)
            .follow_root_links(self.follow_symlinks || self.origin == Origin::Operand)
            .sort_by_file_name()
            .into_iter();
        Current {
            entries,
            skip,
            skip_inodes,
        }
    }

    /// Whether an entry is one to leave out; a folder left out is not walked into.
    fn leave_out(&mut self, entry: &DirEntry, current: &Current) -> bool {
        // Without links to follow and nothing to skip, no entry needs a stat.
        let need_identity = self.seen.is_some()
            || (!current.skip.is_empty()
                && (entry.path_is_symlink() || current.skip_inodes.contains(&entry.ino())));
        if !need_identity {
            return false;
        }
        let Ok(meta) = entry.metadata() else {
            return false;
        };
        let id = (meta.dev(), meta.ino());
        if current.skip.contains(&id) {
            return true;
        }
        self.seen.as_mut().is_some_and(|seen| !seen.insert(id))
    }

    /// What an entry is: an input named on the command line is what its link leads to
    /// (walkdir walks into a linked root folder but reports the link itself).
    fn file_type(&self, entry: &DirEntry) -> std::fs::FileType {
        if entry.depth() == 0 && self.origin == Origin::Operand && entry.file_type().is_symlink() {
            if let Ok(meta) = std::fs::metadata(entry.path()) {
                return meta.file_type();
            }
        }
        entry.file_type()
    }

    fn candidate(&self, entry: DirEntry, file_type: std::fs::FileType) -> Candidate {
        let follow_last_link =
            self.follow_symlinks || (entry.depth() == 0 && self.origin == Origin::Operand);
        let kind = match not_regular(file_type) {
            None => CandidateKind::File,
            Some(what) => CandidateKind::NotRead(FileError::new(Reason::NotRegularFile, what)),
        };
        Candidate {
            path: entry.into_path(),
            kind,
            follow_last_link,
        }
    }
}

impl Iterator for Walker {
    type Item = Candidate;

    fn next(&mut self) -> Option<Candidate> {
        loop {
            let Some(mut current) = self.current.take() else {
                match self.steps.pop_front()? {
                    Step::Entry(candidate) => return Some(candidate),
                    Step::Walk(root) => {
                        self.current = Some(self.start(root));
                        continue;
                    }
                }
            };
            let Some(entry) = current.entries.next() else {
                continue;
            };
            let found = match entry {
                Ok(entry) => {
                    let file_type = self.file_type(&entry);
                    let is_dir = file_type.is_dir();
                    if is_dir && entry.depth() > 0 && is_network_working_folder(&entry) {
                        current.entries.skip_current_dir();
                        None
                    } else if self.leave_out(&entry, &current) {
                        if is_dir {
                            current.entries.skip_current_dir();
                        }
                        None
                    } else if is_dir {
                        None
                    } else {
                        Some(self.candidate(entry, file_type))
                    }
                }
                Err(error) => walk_error(error),
            };
            self.current = Some(current);
            if found.is_some() {
                return found;
            }
        }
    }
}

/// The folder inside an archive where `listen` and `pull` write objects before renaming
/// them into place (docs/network.md): never walked into, its files are not yet objects.
pub const INCOMING: &str = ".incoming";

/// `ARCHIVE/.incoming` (`INCOMING`).
fn is_network_working_folder(entry: &DirEntry) -> bool {
    entry.file_name() == INCOMING
}

fn walk_error(error: walkdir::Error) -> Option<Candidate> {
    let path = error.path().map(Path::to_path_buf)?;
    let error = match error.loop_ancestor() {
        Some(ancestor) => FileError::new(
            Reason::NotRegularFile,
            format!("symlink loop back to {}", path_text(ancestor)),
        ),
        None => FileError::new(Reason::IoError, walk_error_text(&error)),
    };
    Some(Candidate {
        path,
        kind: CandidateKind::NotRead(error),
        follow_last_link: false,
    })
}

fn walk_error_text(error: &walkdir::Error) -> String {
    match error.io_error() {
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
            "not found (dangling symlink, or removed during the run)".to_string()
        }
        Some(io) => io.to_string(),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests;
