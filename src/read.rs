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
pub fn read_opened<R: ReadAppend>(
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

/// A file, or bytes standing in for one, that appends to a buffer by one read.
pub trait ReadAppend: Read + Seek {
    /// Appends up to `want` bytes to `out` by one `read` (fewer where the reader ends or
    /// returns fewer); returns how many. `read_to_end` would read in steps from 8 KiB up:
    /// two calls for a file of 8-16 KiB, three up to 32 KiB, where the size seen at open
    /// says what one call can ask for. This default zeroes the room first (safe code cannot
    /// read into spare capacity); a `File` reads into it as it is.
    fn read_append(&mut self, out: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
        let start = out.len();
        out.resize(start + want, 0);
        let got = loop {
            match self.read(&mut out[start..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other,
            }
        };
        out.truncate(start + *got.as_ref().unwrap_or(&0));
        got
    }
}

impl ReadAppend for File {
    /// `read(2)` into the buffer's spare capacity: zeroing it first cost a `memset` of
    /// every byte read (docs/performance.md, "The gap to the floor").
    fn read_append(&mut self, out: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
        use std::os::fd::AsRawFd;
        out.reserve(want);
        let spare = out.spare_capacity_mut();
        let want = want.min(spare.len());
        loop {
            // SAFETY: `spare` is valid for writes of `want` bytes, and `read` writes at most
            // that many.
            let got = unsafe { libc::read(self.as_raw_fd(), spare.as_mut_ptr().cast(), want) };
            if got >= 0 {
                let got = got as usize;
                // SAFETY: `read` initialised the first `got` bytes of the spare capacity.
                unsafe { out.set_len(out.len() + got) };
                return Ok(got);
            }
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::Interrupted {
                return Err(error);
            }
        }
    }
}

impl<T: AsRef<[u8]>> ReadAppend for std::io::Cursor<T> {}

impl<R: ReadAppend + ?Sized> ReadAppend for &mut R {
    fn read_append(&mut self, out: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
        (**self).read_append(out, want)
    }
}

fn read_error(error: std::io::Error) -> FileError {
    FileError::new(Reason::IoError, format!("read error: {error}"))
}

impl<R: ReadAppend> Source for FileSource<R> {
    fn read_into(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize, FileError> {
        // The size seen at open bounds the read: a file that grows meanwhile is read as it
        // was, and no read is spent to learn where it ends (one `read` per small file, where
        // asking for more than is left costs a second one that returns nothing).
        let want = (max as u64).min(self.remaining);
        if want == 0 {
            return Ok(0);
        }
        let got = self
            .reader
            .read_append(out, want as usize)
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

    /// Its `read`s counted through the default `read_append`.
    impl ReadAppend for Counted {}

    #[test]
    fn a_file_is_read_into_spare_capacity_by_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.dcm");
        let bytes: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let mut file = File::open(&path).unwrap();
        let mut out = b"kept".to_vec();
        // One call is one `read(2)`: it returns all that was asked of a regular file.
        assert_eq!(file.read_append(&mut out, 20_000).unwrap(), 20_000);
        assert_eq!(&out[..4], b"kept");
        assert_eq!(&out[4..], &bytes[..]);
        assert_eq!(file.read_append(&mut out, 10).unwrap(), 0);
        assert_eq!(out.len(), 20_004);
        let (file, size) = open_regular(&path, false).unwrap();
        let head = read_opened(file, size, &Limits::default(), &HeadPolicy::default()).unwrap();
        assert_eq!(head.head.bytes, bytes);
        assert_eq!(head.bytes_read, 20_000);
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

    #[test]
    fn a_file_over_eight_kib_costs_one_read() {
        // Up to a chunk (64 KiB), the size seen at open is read by one `read`: reading to
        // the end in steps from 8 KiB took two for a file of 8-16 KiB, three past 16.
        for size in [8 * 1024 + 1, 20_000, 64 * 1024] {
            let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let mut reader = Counted {
                inner: std::io::Cursor::new(bytes.clone()),
                reads: 0,
            };
            let file = read_opened(
                &mut reader,
                size as u64,
                &Limits::default(),
                &HeadPolicy::default(),
            )
            .unwrap();
            assert_eq!(file.head.bytes, bytes, "{size} bytes");
            assert_eq!(file.bytes_read, size as u64);
            assert_eq!(reader.reads, 1, "{size} bytes");
        }
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
        crate::test_files::make_fifo(&fifo);
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
