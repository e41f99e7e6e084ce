//! Atomic output files: rows go to a hidden temporary name in the output folder, which is
//! renamed over the final name only once complete (contract.md: a crash or Ctrl-C never
//! leaves a half-written CSV under the final name). Same folder, so the rename is atomic.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

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
        let file = File::create(&temp_path)?;
        Ok(AtomicFile {
            temp_path,
            final_path: final_path.to_path_buf(),
            writer: Some(BufWriter::with_capacity(256 * 1024, file)),
        })
    }

    /// The temporary path (for cleanup on interruption).
    pub fn temp_path(&self) -> &Path {
        &self.temp_path
    }

    /// Flushes, syncs and renames the file to its final name.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("commit is called once");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&self.temp_path, &self.final_path)
    }
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
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.temp_path);
        }
    }
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
    }

    #[test]
    fn dropped_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        {
            let mut file = AtomicFile::create(&target).unwrap();
            file.write_all(b"partial").unwrap();
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
