//! Append-only entries on disk, read back by position only when needed (a duplicate's
//! message, a hash collision to rule out): a run over 10^6 files keeps its UIDs and paths
//! on disk, not in memory.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::codec::write_frame;

/// Entries start at multiples of this, so that a u32 position addresses 64 GiB of them:
/// an entry (two UIDs, a path, a partition) is about 200 bytes, so some 3 x 10^8
/// documents in one run, past the 10^8 that docs/scale.md plans for (a multiple of 4 gave
/// 16 GiB, about 8 x 10^7 documents). The padding costs 7.5 bytes per entry on average.
const ALIGN: u64 = 16;

/// Append-only entries of byte strings in an unlinked temporary file.
pub struct Log {
    file: BufWriter<File>,
    len: u64,
}

impl Log {
    /// An empty log whose file lives (unlinked) in `dir`.
    pub fn new(dir: &Path) -> io::Result<Log> {
        Ok(Log {
            file: BufWriter::with_capacity(64 * 1024, tempfile::tempfile_in(dir)?),
            len: 0,
        })
    }

    /// Appends the parts as one entry; returns its position (its offset / `ALIGN`).
    pub fn push(&mut self, parts: &[&[u8]]) -> io::Result<u32> {
        let position = u32::try_from(self.len / ALIGN).map_err(|_| {
            io::Error::other("more than 64 GiB of UIDs and paths in one run: split the archive")
        })?;
        for part in parts {
            write_frame(&mut self.file, part)?;
            self.len += 4 + part.len() as u64;
        }
        let padding = (ALIGN - self.len % ALIGN) % ALIGN;
        self.file
            .write_all(&[0u8; ALIGN as usize][..padding as usize])?;
        self.len += padding;
        Ok(position)
    }

    /// Bytes of memory the log holds (its write buffer).
    #[cfg(test)]
    pub fn memory_bytes(&self) -> usize {
        self.file.capacity()
    }

    /// Reads the first `count` parts of the entry at `position`.
    pub fn read(&mut self, position: u32, count: usize) -> io::Result<Vec<Vec<u8>>> {
        self.file.flush()?;
        let file = self.file.get_ref();
        let mut at = u64::from(position) * ALIGN;
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let mut len = [0u8; 4];
            file.read_exact_at(&mut len, at)?;
            let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
            file.read_exact_at(&mut bytes, at + 4)?;
            at += 4 + bytes.len() as u64;
            out.push(bytes);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_come_back_by_position() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = Log::new(dir.path()).unwrap();
        let a = log.push(&[b"1.2.3", b"a.dcm"]).unwrap();
        let b = log.push(&[b"", b"b\xE9.dcm", b"x"]).unwrap();
        assert_eq!(
            log.read(a, 2).unwrap(),
            [b"1.2.3".to_vec(), b"a.dcm".to_vec()]
        );
        assert_eq!(log.read(b, 3).unwrap()[1], b"b\xE9.dcm");
        assert_eq!(log.read(b, 1).unwrap(), [Vec::<u8>::new()]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
