//! Opening and reading one input file, for `scan` and `inspect` alike.
//!
//! The walk (`discover`) saw a regular file, but what is at the path when it is opened may
//! be something else: a FIFO or a symlink swapped in between the walk and the read would
//! block the worker forever, or be followed to /dev/zero. So a path is opened with
//! `O_NONBLOCK` (a FIFO opens at once and is never read), `O_NOFOLLOW` unless symlinks are
//! followed, `O_NOCTTY`; then `fstat` on the open descriptor decides: only a regular file
//! is read, anything else is a `not_regular_file` row. What is read is the file's head
//! (`sr::dataset::read_head`): the bytes up to the pixel data, large binary values left
//! out, capped by `--max-file-size`; so the size of a file never decides how much memory
//! reading it costs (docs/columns.md, "What is read").

use std::fs::{File, FileType, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::error::{FileError, Reason};
use crate::sr::Limits;
use crate::sr::dataset::{Head, HeadPolicy, Source, read_head};

/// A file's head, and what reading it cost.
#[derive(Debug)]
pub struct FileHead {
    /// What was read.
    pub head: Head,
    /// Bytes actually read from the file (seeks past values are not reads).
    pub bytes_read: u64,
}

/// Opens `path` for reading if, once open, it is a regular file. `follow_last_link`: open
/// through a symlink at the last component (command-line operands, `--follow-symlinks`);
/// otherwise a symlink there is refused, whatever it points to.
pub fn open_regular(path: &Path, follow_last_link: bool) -> Result<(File, u64), FileError> {
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if !follow_last_link {
        flags |= libc::O_NOFOLLOW;
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(|e| open_error(&e, follow_last_link))?;
    let meta = file
        .metadata()
        .map_err(|e| FileError::new(Reason::IoError, format!("cannot stat the open file: {e}")))?;
    if let Some(what) = not_regular(meta.file_type()) {
        return Err(FileError::new(Reason::NotRegularFile, what));
    }
    Ok((file, meta.len()))
}

fn open_error(error: &std::io::Error, follow_last_link: bool) -> FileError {
    match error.raw_os_error() {
        // O_NOFOLLOW on a symlink (open(2)); with following, a loop of links.
        Some(libc::ELOOP) if !follow_last_link => FileError::new(
            Reason::NotRegularFile,
            "symbolic link, not followed (use --follow-symlinks)",
        ),
        Some(libc::ELOOP) => FileError::new(Reason::NotRegularFile, "symbolic link loop"),
        // A socket cannot be opened (open(2), ENXIO).
        Some(libc::ENXIO) => FileError::new(Reason::NotRegularFile, "socket, not opened"),
        _ if error.kind() == std::io::ErrorKind::NotFound => FileError::new(
            Reason::IoError,
            "not found (dangling symlink, or removed during the run)",
        ),
        _ => FileError::new(Reason::IoError, error.to_string()),
    }
}

/// Why an entry is not a regular file, or None for a regular file.
pub fn not_regular(file_type: FileType) -> Option<&'static str> {
    if file_type.is_file() {
        None
    } else if file_type.is_dir() {
        Some("a folder, not a regular file")
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

/// Opens `path` (see `open_regular`) and reads its head.
pub fn read_file(
    path: &Path,
    follow_last_link: bool,
    limits: &Limits,
) -> Result<FileHead, FileError> {
    let (file, file_size) = open_regular(path, follow_last_link)?;
    read_opened(file, file_size, limits, &HeadPolicy::default())
}

/// Reads the head of an open file (or any seekable reader) of `size` bytes.
pub fn read_opened<R: Read + Seek>(
    reader: R,
    size: u64,
    limits: &Limits,
    policy: &HeadPolicy,
) -> Result<FileHead, FileError> {
    let mut source = FileSource {
        reader,
        remaining: size,
        read: 0,
    };
    let head = read_head(&mut source, limits, policy)?;
    Ok(FileHead {
        head,
        bytes_read: source.read,
    })
}

/// A seekable reader as a head source: values left out are seeked past.
struct FileSource<R> {
    reader: R,
    /// Bytes left by the size seen when the file was opened.
    remaining: u64,
    read: u64,
}

fn read_error(error: std::io::Error) -> FileError {
    FileError::new(Reason::IoError, format!("read error: {error}"))
}

impl<R: Read + Seek> Source for FileSource<R> {
    fn read_into(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize, FileError> {
        // The size seen at open bounds the read: a file that grows meanwhile is read as it
        // was, and no read is spent to learn where it ends (one `read` per small file, where
        // asking for more than is left costs a second one that returns nothing).
        let want = (max as u64).min(self.remaining);
        if want == 0 {
            return Ok(0);
        }
        let got = (&mut self.reader)
            .take(want)
            .read_to_end(out)
            .map_err(read_error)?;
        self.read += got as u64;
        self.remaining = self.remaining.saturating_sub(got as u64);
        Ok(got)
    }

    fn skip(&mut self, n: u64) -> Result<u64, FileError> {
        let n = n.min(self.remaining);
        let offset = i64::try_from(n).expect("a file size fits in i64");
        self.reader
            .seek(SeekFrom::Current(offset))
            .map_err(read_error)?;
        self.remaining -= n;
        Ok(n)
    }

    fn remaining(&self) -> Option<u64> {
        Some(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A reader that counts its `read` calls.
    struct Counted {
        inner: std::io::Cursor<Vec<u8>>,
        reads: usize,
    }

    impl Read for Counted {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.reads += 1;
            self.inner.read(buf)
        }
    }

    impl Seek for Counted {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            self.inner.seek(to)
        }
    }

    #[test]
    fn a_small_file_costs_one_read() {
        let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
        let mut source = FileSource {
            reader: Counted {
                inner: std::io::Cursor::new(bytes.clone()),
                reads: 0,
            },
            remaining: 1000,
            read: 0,
        };
        let mut out = Vec::with_capacity(1000);
        assert_eq!(source.read_into(&mut out, 64 * 1024).unwrap(), 1000);
        assert_eq!(out, bytes);
        assert_eq!(source.remaining(), Some(0));
        assert_eq!(source.read_into(&mut out, 64 * 1024).unwrap(), 0);
        assert_eq!(source.reader.reads, 1, "the size says where the file ends");
        assert_eq!(source.read, 1000);
    }

    fn reason(result: Result<(File, u64), FileError>) -> Reason {
        result.map(|_| ()).unwrap_err().reason
    }

    #[test]
    fn opens_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.dcm");
        std::fs::write(&file, b"12345").unwrap();
        let (_, size) = open_regular(&file, false).unwrap();
        assert_eq!(size, 5);

        let fifo = dir.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        // Opened without blocking, refused by fstat.
        let error = open_regular(&fifo, true).unwrap_err();
        assert_eq!(error.reason, Reason::NotRegularFile);
        assert!(error.message.contains("FIFO"), "{}", error.message);

        let link = dir.path().join("link.dcm");
        symlink(&file, &link).unwrap();
        assert_eq!(reason(open_regular(&link, false)), Reason::NotRegularFile);
        assert_eq!(open_regular(&link, true).unwrap().1, 5);
        let to_zero = dir.path().join("zero.dcm");
        symlink("/dev/zero", &to_zero).unwrap();
        let error = open_regular(&to_zero, true).unwrap_err();
        assert!(
            error.message.contains("character device"),
            "{}",
            error.message
        );

        assert_eq!(
            reason(open_regular(dir.path(), true)),
            Reason::NotRegularFile
        );
        assert_eq!(
            reason(open_regular(&dir.path().join("gone"), true)),
            Reason::IoError
        );
    }
}
