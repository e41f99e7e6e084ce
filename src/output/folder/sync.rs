//! The staging folder flushed to disk before the exchange (`OutputFolder::commit`): every
//! file of it and of its folders of ours, and each of those folders, is `fsync`ed, and the
//! exchange follows only when every flush succeeded.
//!
//! The disk's work overlaps: the writing of every file is started first (`start_writeback`,
//! which does not wait), then the files and folders are flushed on a few threads at once.
//! One after the other, each flush waited for its own writes before the next file's were
//! even started: nine flushes took about 40 ms between the last output written and the
//! exchange (docs/performance.md, "Both cores again").

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::names::our_folder;

/// At most this many flushes wait at once: the outputs are a dozen files or so, and each
/// waiting flush is a thread.
const FLUSHING_THREADS: usize = 4;

/// What a flush does to one open file or folder; the tests watch the calls through it.
pub(super) trait Disk: Sync {
    /// Starts writing a file's data to disk, without waiting (a hint).
    fn start(&self, path: &Path, file: &File);
    /// Waits until the file's (or folder's) data and metadata are on disk.
    fn sync(&self, path: &Path, file: &File) -> io::Result<()>;
}

/// The system's calls.
pub(super) struct System;

impl Disk for System {
    fn start(&self, _path: &Path, file: &File) {
        start_writeback(file);
    }

    fn sync(&self, _path: &Path, file: &File) -> io::Result<()> {
        file.sync_all()
    }
}

/// Starts writing all of `file`'s data to disk without waiting for it, so that the flush
/// at the commit finds it written, or under way; a file finished well before the commit can
/// be given to it as soon as it is closed. A hint: a failure changes nothing but when the
/// bytes reach the disk.
pub fn start_writeback(file: &File) {
    // Offset 0 and length 0: the whole file.
    start_writeback_range(file, 0, 0);
}

/// Starts writing `len` bytes of `file` from `offset` to disk (`len` 0: to its end),
/// without waiting for them: a large file can be sent on its way while it is still being
/// written. A hint, as `start_writeback`.
#[cfg(target_os = "linux")]
pub fn start_writeback_range(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: sync_file_range reads no memory of ours; the descriptor is open (borrowed).
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// A file being written whose writing to disk is started each time `step` more bytes were
/// written to it (`start_writeback_range`), and for the rest by `finish`: the disk writes
/// a large file's first bytes while its last ones are still being made (0: all of it at
/// `finish`). A hint, as `start_writeback`: the commit's flush still waits for every byte.
pub struct WritingBack {
    file: File,
    /// Bytes written, and those whose writing was started.
    written: u64,
    started: u64,
    step: u64,
}

impl WritingBack {
    /// `file`, from its start, its writing started every `step` bytes.
    pub fn new(file: File, step: u64) -> WritingBack {
        WritingBack {
            file,
            written: 0,
            started: 0,
            step,
        }
    }

    /// Starts writing the bytes not yet started (all the rest of the file); the file.
    pub fn finish(self) -> File {
        start_writeback_range(&self.file, self.started, 0);
        self.file
    }
}

impl WritingBack {
    /// Counts `n` bytes written, and starts the writing of the last `step` or more.
    fn wrote(&mut self, n: usize) {
        self.written += n as u64;
        if self.step > 0 && self.written - self.started >= self.step {
            start_writeback_range(&self.file, self.started, self.written - self.started);
            self.started = self.written;
        }
    }
}

impl io::Write for WritingBack {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.wrote(n);
        Ok(n)
    }

    /// The slices in one call (`writev`): a table's rows are written from where the merge
    /// holds them (`Runs::write_merged`).
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let n = self.file.write_vectored(bufs)?;
        self.wrote(n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// `start_writeback_range` where there is no such call: the flush does all the work.
#[cfg(not(target_os = "linux"))]
pub fn start_writeback_range(_file: &File, _offset: u64, _len: u64) {}

/// Flushes every file of `folder` and of its folders of ours, and those folders, through
/// `disk`: every file's writing started, then every file and folder flushed, a few at a time; the first error is returned once no flush is running.
pub(super) fn sync_with(folder: &Path, disk: &impl Disk) -> io::Result<()> {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    list(folder, &mut files, &mut folders)?;
    let mut open = Vec::with_capacity(files.len() + folders.len());
    for path in files {
        let file = File::open(&path)?;
        disk.start(&path, &file);
        open.push((path, file));
    }
    for path in folders {
        let file = File::open(&path)?;
        open.push((path, file));
    }
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<io::Error>> = Mutex::new(None);
    let flush = || {
        while let Some((path, file)) = open.get(next.fetch_add(1, Ordering::Relaxed)) {
            if let Err(error) = disk.sync(path, file) {
                let mut failed = failed.lock().unwrap_or_else(|e| e.into_inner());
                failed.get_or_insert(error);
                return;
            }
        }
    };
    let threads = open.len().min(FLUSHING_THREADS);
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(flush);
        }
        flush();
    });
    match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// The files of `folder` and of its folders of ours, and those folders (`folder` last).
fn list(folder: &Path, files: &mut Vec<PathBuf>, folders: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_file() {
            files.push(entry.path());
        } else if kind.is_dir() && our_folder(&entry.file_name().to_string_lossy()).is_some() {
            list(&entry.path(), files, folders)?;
        }
    }
    folders.push(folder.to_path_buf());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{IoSlice, Read, Seek, Write};

    /// Bytes written in slices (`write_vectored`) count towards the writing started every
    /// `step` bytes as those written one buffer at a time do, and arrive whole.
    #[test]
    fn vectored_writes_start_the_writing_every_step() {
        let file = tempfile::tempfile().unwrap();
        let mut out = WritingBack::new(file, 1000);
        let (a, b) = ([1u8; 700], [2u8; 600]);
        let mut written = 0;
        while written < 1300 {
            let mut slices = [IoSlice::new(&a), IoSlice::new(&b)];
            let mut rest = &mut slices[..];
            IoSlice::advance_slices(&mut rest, written);
            written += out.write_vectored(rest).unwrap();
        }
        assert_eq!(out.written, 1300);
        assert_eq!(out.started, 1300, "past the step: started");
        out.write_all(&[3; 10]).unwrap();
        assert_eq!((out.written, out.started), (1310, 1300));
        let mut file = out.finish();
        file.rewind().unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        let expected: Vec<u8> = [&a[..], &b[..], &[3; 10][..]].concat();
        assert_eq!(bytes, expected);
    }
}
