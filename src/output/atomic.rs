//! Atomic output files: rows go to a hidden temporary name in the output folder, which is
//! renamed over the final name only once complete (contract.md: a crash or Ctrl-C never
//! leaves a half-written CSV under the final name). Same folder, so the rename is atomic.
//!
//! Temporary names are registered while they exist. On Ctrl-C (SIGINT/SIGTERM, see
//! `remove_pending_on_interrupt`) the registered files are removed before the process exits,
//! so an interrupted run leaves nothing behind; the commit of a set of files holds the same
//! lock, so an interrupt sees either none or all of them renamed.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Temporary files that exist right now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the lock cannot leave the list inconsistent (push/retain only).
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A file being written under a temporary name.
#[derive(Debug)]
pub struct AtomicFile {
    temp_path: PathBuf,
    final_path: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates `.<name>.partial-<pid>` beside `final_path`.
    pub fn create(final_path: &Path) -> io::Result<AtomicFile> {
        let name = final_path
            .file_name()
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "output path has no file name")
            })?
            .to_string_lossy();
        let temp_path =
            final_path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let mut list = pending();
        let file = File::create(&temp_path)?;
        list.push(temp_path.clone());
        Ok(AtomicFile {
            temp_path,
            final_path: final_path.to_path_buf(),
            writer: Some(BufWriter::with_capacity(256 * 1024, file)),
        })
    }

    /// The temporary path.
    pub fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    /// Flushes the file and waits until it is on disk; no more writes after it. The rename
    /// is left to `commit_all`. A file complete before the others can be synced early, on
    /// another thread, while the rest of the run goes on: waiting for the disk then costs
    /// no wall time of its own.
    pub fn sync(&mut self) -> io::Result<()> {
        match self.writer.take() {
            Some(writer) => writer.into_inner().map_err(|e| e.into_error())?.sync_all(),
            None => Ok(()),
        }
    }

    /// Flushes, syncs and renames the file to its final name.
    pub fn commit(self) -> io::Result<()> {
        commit_all(vec![self])
    }
}

/// Commits several files as one step with respect to an interrupt: all are flushed first,
/// then all renamed under the lock the interrupt handler takes.
pub fn commit_all(mut files: Vec<AtomicFile>) -> io::Result<()> {
    for file in &mut files {
        file.sync()?;
    }
    let mut list = pending();
    for file in &files {
        fs::rename(&file.temp_path, &file.final_path)?;
        list.retain(|p| p != &file.temp_path);
    }
    Ok(())
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.as_mut().expect("not yet committed").write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.as_mut().expect("not yet committed").flush()
    }
}

impl Drop for AtomicFile {
    /// An uncommitted file is an abandoned one: remove its temporary name.
    fn drop(&mut self) {
        let mut list = pending();
        if list.iter().any(|p| p == &self.temp_path) {
            let _ = fs::remove_file(&self.temp_path);
            list.retain(|p| p != &self.temp_path);
        }
    }
}

/// On SIGINT or SIGTERM: remove every temporary output file, say so, exit 130.
pub fn remove_pending_on_interrupt() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        abandon_pending_and_exit("dxa-ingest: interrupted; no output file was written")
    })
}

/// Removes every temporary output file, prints `message`, exits 130. The lock is held to
/// the end, so no commit can happen after the files are removed. For interrupt handlers
/// (`remove_pending_on_interrupt`, and `listen`'s second signal).
pub fn abandon_pending_and_exit(message: &str) -> ! {
    let list = pending();
    for path in list.iter() {
        let _ = fs::remove_file(path);
    }
    eprintln!("{message}");
    // 128 + SIGINT, as shells report an interrupted command.
    std::process::exit(130);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_only_after_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"a,b\n").unwrap();
        assert!(!target.exists());
        assert!(file.temp_path().exists());
        file.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
        assert!(!pending().iter().any(|p| p.starts_with(dir.path())));
    }

    #[test]
    fn dropped_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        {
            let mut file = AtomicFile::create(&target).unwrap();
            file.write_all(b"partial").unwrap();
            assert!(pending().iter().any(|p| p.starts_with(dir.path())));
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(!pending().iter().any(|p| p.starts_with(dir.path())));
    }
}
