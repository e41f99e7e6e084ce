//! Finding the files: walk the input folders (walkdir) or read a list (`--files-from`), and
//! yield every entry in path order, so that output order never depends on the file system or
//! on thread timing. Path order is `std::path::Path`'s: component by component, each by its
//! bytes; a walk that visits each folder's entries sorted by name yields exactly that order,
//! so the walk streams and the archive's size never costs memory. Nothing is opened here:
//! FIFOs, sockets and devices are recognised by their directory entry and never read (a FIFO
//! would block the run forever).

use std::ffi::OsStr;
use std::io::BufRead;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{FileError, Reason};
use crate::path_text::path_text;

/// One directory entry to account for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The path as given or walked.
    pub path: PathBuf,
    /// A regular file to read, or why it is not one.
    pub kind: CandidateKind,
}

/// What the walk found at a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateKind {
    /// A regular file (or a symlink to one, with --follow-symlinks).
    File,
    /// Not read: `skipped/not_regular_file` or `error/io_error`, with the message.
    NotRead(FileError),
}

/// An input that cannot be read at all: the run stops with exit code 1.
#[derive(Debug, thiserror::Error)]
#[error("cannot read input {}: {source}", path_text(path))]
pub struct InputError {
    /// The input as given.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Every entry, in path order, produced as the walk goes.
pub type Candidates = Box<dyn Iterator<Item = Candidate> + Send>;

/// Walks every root (in path order); a root that is a file is itself a candidate. A root
/// that cannot be read is fatal, checked before anything is yielded.
pub fn walk(roots: &[PathBuf], follow_symlinks: bool) -> Result<Candidates, InputError> {
    for root in roots {
        std::fs::metadata(root).map_err(|source| InputError {
            path: root.clone(),
            source,
        })?;
    }
    let mut roots = roots.to_vec();
    roots.sort();
    roots.dedup();
    Ok(Box::new(
        roots
            .into_iter()
            .flat_map(move |root| walk_one(root, follow_symlinks)),
    ))
}

/// Reads one path per line (from a file, or standard input for `-`); folders in the list
/// are walked. A listed path that does not exist is an `io_error` row, not a fatal error:
/// lists go stale, and the rest of the batch still matters. The list itself is held (to be
/// sorted); the folders in it are streamed.
pub fn from_list(list: &Path, follow_symlinks: bool) -> Result<Candidates, InputError> {
    let read_error = |source| InputError {
        path: list.to_path_buf(),
        source,
    };
    let reader: Box<dyn BufRead> = if list.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(list).map_err(read_error)?,
        ))
    };
    let mut paths = Vec::new();
    for line in reader.split(b'\n') {
        let mut line = line.map_err(read_error)?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if !line.is_empty() {
            paths.push(PathBuf::from(OsStr::from_bytes(&line)));
        }
    }
    paths.sort();
    paths.dedup();
    Ok(Box::new(paths.into_iter().flat_map(
        move |path| -> Candidates {
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => Box::new(walk_one(path, follow_symlinks)),
                Ok(_) => Box::new(std::iter::once(classify_entry(&path, follow_symlinks))),
                Err(e) => Box::new(std::iter::once(Candidate {
                    path,
                    kind: CandidateKind::NotRead(FileError::new(Reason::IoError, e.to_string())),
                })),
            }
        },
    )))
}

/// Counts what `walk` would yield, for the progress bar's total (a second walk costs a
/// directory read per folder, not a file read per file).
pub fn count(roots: &[PathBuf], follow_symlinks: bool) -> u64 {
    roots
        .iter()
        .flat_map(|root| WalkDir::new(root).follow_links(follow_symlinks))
        .filter(|entry| entry.as_ref().map_or(true, |e| !e.file_type().is_dir()))
        .count() as u64
}

fn walk_one(root: PathBuf, follow_symlinks: bool) -> impl Iterator<Item = Candidate> {
    WalkDir::new(root)
        .follow_links(follow_symlinks)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|entry| match entry {
            Ok(entry) => {
                let file_type = entry.file_type();
                if file_type.is_dir() {
                    return None;
                }
                let kind = match not_regular(file_type) {
                    None => CandidateKind::File,
                    Some(what) => {
                        CandidateKind::NotRead(FileError::new(Reason::NotRegularFile, what))
                    }
                };
                Some(Candidate {
                    path: entry.into_path(),
                    kind,
                })
            }
            Err(error) => {
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
                })
            }
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

/// A listed path's entry, without following it unless asked.
fn classify_entry(path: &Path, follow_symlinks: bool) -> Candidate {
    let meta = if follow_symlinks {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let kind = match meta {
        Ok(meta) => match not_regular(meta.file_type()) {
            None => CandidateKind::File,
            Some(what) => CandidateKind::NotRead(FileError::new(Reason::NotRegularFile, what)),
        },
        Err(e) => CandidateKind::NotRead(FileError::new(Reason::IoError, e.to_string())),
    };
    Candidate {
        path: path.to_path_buf(),
        kind,
    }
}

/// Why an entry is not a regular file, or None for a regular file.
fn not_regular(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        None
    } else if file_type.is_symlink() {
        Some("symbolic link, not followed (use --follow-symlinks)")
    } else if file_type.is_fifo() {
        Some("FIFO (named pipe), not opened")
    } else if file_type.is_socket() {
        Some("socket, not opened")
    } else if file_type.is_block_device() {
        Some("block device, not opened")
    } else if file_type.is_char_device() {
        Some("character device, not opened")
    } else {
        Some("not a regular file")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_sorts_and_reports_special_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/2.dcm"), b"x").unwrap();
        std::fs::write(dir.path().join("a.dcm"), b"x").unwrap();
        std::os::unix::fs::symlink("missing", dir.path().join("dangling")).unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());

        let found: Vec<Candidate> = walk(&[dir.path().to_path_buf()], false).unwrap().collect();
        let names: Vec<String> = found
            .iter()
            .map(|c| {
                c.path
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a.dcm", "b/2.dcm", "dangling", "pipe"]);
        assert_eq!(found[0].kind, CandidateKind::File);
        let reason = |i: usize| match &found[i].kind {
            CandidateKind::NotRead(e) => e.reason,
            CandidateKind::File => panic!("{} is not a file", names[i]),
        };
        assert_eq!(reason(2), Reason::NotRegularFile);
        assert_eq!(reason(3), Reason::NotRegularFile);

        // Following links, the dangling one is an io_error.
        let found: Vec<Candidate> = walk(&[dir.path().to_path_buf()], true).unwrap().collect();
        let dangling = found.iter().find(|c| c.path.ends_with("dangling")).unwrap();
        assert!(matches!(&dangling.kind, CandidateKind::NotRead(e) if e.reason == Reason::IoError));
    }

    #[test]
    fn walk_order_is_path_order() {
        // Byte order would put "a-b.dcm" (0x2D) before "a/x.dcm" (0x2F); path order
        // compares the component "a" first.
        let dir = tempfile::tempdir().unwrap();
        for name in ["a/x.dcm", "a-b.dcm", "a/y/z.dcm", "B.dcm", "a.dcm"] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        let walked: Vec<PathBuf> = walk(&[dir.path().to_path_buf()], false)
            .unwrap()
            .map(|c| c.path)
            .collect();
        let mut sorted = walked.clone();
        sorted.sort();
        assert_eq!(walked, sorted);
        assert_eq!(walked.len(), 5);
        assert_eq!(count(&[dir.path().to_path_buf()], false), 5);
    }

    #[test]
    fn missing_root_is_fatal() {
        let Err(err) = walk(&[PathBuf::from("/nonexistent/dxa")], false) else {
            panic!("a missing root must be an error");
        };
        assert!(err.to_string().contains("/nonexistent/dxa"));
    }
}
