//! An index's entries moved to disk: (hash, position) u64s sorted, in an unlinked temporary
//! file, with in memory a Bloom filter of their hashes (`Filter`, 1.5 bytes per entry) and
//! the first hash of every block of 512 entries (4 KiB; 4 bytes per block). A hash the
//! filter rules out costs no read; one it lets through costs one `pread` of the block
//! where its entries start (rarely two, when they straddle a block's end).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::filter::Filter;

/// Entries per block: one read of 4 KiB.
const BLOCK: usize = 512;

/// Entries per read when a table is read whole (a merge).
const CHUNK: usize = 8 * 1024;

/// Sorted entries on disk.
#[derive(Debug)]
pub struct Sealed {
    file: File,
    len: usize,
    /// The hash of each block's first entry.
    fences: Vec<u32>,
    filter: Filter,
}

impl Sealed {
    /// Entries held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes of memory the table holds (its filter and fences; its entries are on disk).
    #[cfg(test)]
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Sealed>()
            + self.filter.memory_bytes()
            + self.fences.capacity() * std::mem::size_of::<u32>()
    }

    /// Appends to `out` the positions of the entries with this hash.
    pub fn positions(&self, hash: u32, out: &mut Vec<u32>) -> io::Result<()> {
        if !self.filter.may_contain(hash) {
            return Ok(());
        }
        // The block before the first that starts at or past the hash may end with it.
        let mut block = self.fences.partition_point(|&f| f < hash).saturating_sub(1);
        let mut bytes = [0u8; BLOCK * 8];
        while block < self.fences.len() && self.fences[block] <= hash {
            let start = block * BLOCK;
            let bytes = &mut bytes[..(self.len - start).min(BLOCK) * 8];
            self.file.read_exact_at(bytes, start as u64 * 8)?;
            for entry in bytes.chunks_exact(8).map(entry) {
                match ((entry >> 32) as u32).cmp(&hash) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => out.push(entry as u32),
                    std::cmp::Ordering::Greater => return Ok(()),
                }
            }
            block += 1;
        }
        Ok(())
    }

    /// The entries of `a` and `b` in one table (the two are then dropped by the caller,
    /// their files with them).
    pub fn merge(dir: &Path, a: &Sealed, b: &Sealed) -> io::Result<Sealed> {
        let mut out = Writer::new(dir, a.len + b.len)?;
        let (mut a, mut b) = (a.entries(), b.entries());
        let (mut x, mut y) = (a.next().transpose()?, b.next().transpose()?);
        loop {
            match (x, y) {
                (Some(p), Some(q)) if p <= q => {
                    out.push(p)?;
                    x = a.next().transpose()?;
                }
                (_, Some(q)) => {
                    out.push(q)?;
                    y = b.next().transpose()?;
                }
                (Some(p), None) => {
                    out.push(p)?;
                    x = a.next().transpose()?;
                }
                (None, None) => return out.finish(),
            }
        }
    }

    /// Every entry in order, read a chunk at a time.
    fn entries(&self) -> impl Iterator<Item = io::Result<u64>> + '_ {
        let mut chunk = Vec::new();
        let mut at = 0;
        let mut next = 0;
        std::iter::from_fn(move || {
            if at == chunk.len() {
                if next == self.len {
                    return None;
                }
                let count = (self.len - next).min(CHUNK);
                chunk.resize(count * 8, 0);
                if let Err(error) = self.file.read_exact_at(&mut chunk, next as u64 * 8) {
                    next = self.len;
                    chunk.clear();
                    return Some(Err(error));
                }
                next += count;
                at = 0;
            }
            at += 8;
            Some(Ok(entry(&chunk[at - 8..at])))
        })
    }
}

/// A table being written, its entries pushed in increasing order.
pub struct Writer {
    out: BufWriter<File>,
    len: usize,
    /// Entries the table will hold: the last one pushed flushes the file, so that an
    /// error writing it comes while the caller still holds its entries.
    expected: usize,
    fences: Vec<u32>,
    filter: Filter,
}

impl Writer {
    /// A table for `len` entries, its file (unlinked) in `dir`.
    pub fn new(dir: &Path, len: usize) -> io::Result<Writer> {
        Ok(Writer {
            out: BufWriter::with_capacity(64 * 1024, tempfile::tempfile_in(dir)?),
            len: 0,
            expected: len,
            fences: Vec::with_capacity(len.div_ceil(BLOCK)),
            filter: Filter::with_capacity(len),
        })
    }

    /// Appends an entry (not less than the last).
    pub fn push(&mut self, entry: u64) -> io::Result<()> {
        let hash = (entry >> 32) as u32;
        if self.len % BLOCK == 0 {
            self.fences.push(hash);
        }
        self.filter.insert(hash);
        self.out.write_all(&entry.to_le_bytes())?;
        self.len += 1;
        if self.len == self.expected {
            self.out.flush()?;
        }
        Ok(())
    }

    /// The table, once its entries are on disk.
    pub fn finish(self) -> io::Result<Sealed> {
        let file = self
            .out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        Ok(Sealed {
            file,
            len: self.len,
            fences: self.fences,
            filter: self.filter,
        })
    }
}

/// An entry from its 8 bytes on disk.
fn entry(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    u64::from_le_bytes(word)
}
