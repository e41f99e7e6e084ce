//! A merge's output written straight from the segments held in memory: the payloads (or the
//! parts of them a table writes) are gathered as slices of the held segments and written by
//! `write_vectored`, a batch at a time, where a `BufWriter` copied every byte into its
//! buffer first. Payloads read from the temporary file live only until the next record is
//! read: those are copied into a buffer of the batch's own (docs/performance.md, "The end of
//! a run", "the output bytes copied fewer times").

use std::io::{self, IoSlice, Write};
use std::ops::Range;

/// The most slices one `write_vectored` takes (Linux's `IOV_MAX`).
const MAX_SLICES: usize = 1024;

/// The bytes a batch gathers before it is written (a `BufWriter`'s buffer held as many).
const BATCH_BYTES: usize = 256 * 1024;

/// One piece of a batch: borrowed where it is held, or copied into the batch's buffer.
enum Piece<'s> {
    Held(&'s [u8]),
    Copied(Range<usize>),
}

/// Bytes to write in order, gathered into batches written by `write_vectored`: slices of
/// memory that lives as long as `'s`, and copies of bytes that do not.
pub(super) struct Vectored<'s, W: Write> {
    out: W,
    pieces: Vec<Piece<'s>>,
    copied: Vec<u8>,
    /// The bytes gathered in `pieces`.
    pending: usize,
}

impl<'s, W: Write> Vectored<'s, W> {
    pub(super) fn new(out: W) -> Self {
        Vectored {
            out,
            pieces: Vec::new(),
            copied: Vec::new(),
            pending: 0,
        }
    }

    /// Writes `bytes` after what came before, without copying them.
    pub(super) fn held(&mut self, bytes: &'s [u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.pieces.push(Piece::Held(bytes));
        self.gathered(bytes.len())
    }

    /// Writes `bytes` after what came before: copied, as they do not stay.
    pub(super) fn copied(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if bytes.len() >= BATCH_BYTES {
            // Larger than a batch: written as they are, after what is gathered.
            self.flush()?;
            return self.out.write_all(bytes);
        }
        if self.copied.len() + bytes.len() > BATCH_BYTES {
            self.flush()?;
        }
        if self.copied.capacity() == 0 {
            self.copied.reserve_exact(BATCH_BYTES);
        }
        let start = self.copied.len();
        self.copied.extend_from_slice(bytes);
        self.pieces.push(Piece::Copied(start..self.copied.len()));
        self.gathered(bytes.len())
    }

    /// Counts `n` bytes gathered, and writes the batch when it is full.
    fn gathered(&mut self, n: usize) -> io::Result<()> {
        self.pending += n;
        if self.pending >= BATCH_BYTES || self.pieces.len() >= MAX_SLICES {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes everything gathered, in order.
    fn flush(&mut self) -> io::Result<()> {
        if self.pieces.is_empty() {
            return Ok(());
        }
        let copied = &self.copied;
        let mut slices: Vec<IoSlice<'_>> = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Held(bytes) => IoSlice::new(bytes),
                Piece::Copied(range) => IoSlice::new(&copied[range.clone()]),
            })
            .collect();
        write_all_vectored(&mut self.out, &mut slices)?;
        self.pieces.clear();
        self.copied.clear();
        self.pending = 0;
        Ok(())
    }

    /// Writes the rest; the writer.
    pub(super) fn finish(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.out)
    }
}

/// Writes every byte of `slices`, `MAX_SLICES` at most per call, through partial writes
/// (the slices are advanced past what was written) and interruptions.
fn write_all_vectored(out: &mut impl Write, mut slices: &mut [IoSlice<'_>]) -> io::Result<()> {
    IoSlice::advance_slices(&mut slices, 0);
    while !slices.is_empty() {
        let take = slices.len().min(MAX_SLICES);
        match out.write_vectored(&slices[..take]) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "failed to write whole buffer",
                ));
            }
            Ok(n) => IoSlice::advance_slices(&mut slices, n),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes at most `limit` bytes and one slice per call, sometimes
    /// interrupted: every byte still arrives, in order.
    struct Stingy {
        bytes: Vec<u8>,
        limit: usize,
        calls: usize,
        most_slices: usize,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.limit);
            self.bytes.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            self.most_slices = self.most_slices.max(bufs.len());
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            // Part of the first two slices at most.
            let mut n = 0;
            for buf in bufs.iter().take(2) {
                let take = buf.len().min(self.limit - n);
                self.bytes.extend_from_slice(&buf[..take]);
                n += take;
                if take < buf.len() || n == self.limit {
                    break;
                }
            }
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn held_and_copied_bytes_arrive_in_order_through_partial_writes() {
        let held: Vec<Vec<u8>> = (0..3000u32)
            .map(|i| (0..(i % 700)).map(|j| (i * 31 + j) as u8).collect())
            .collect();
        let mut expected = Vec::new();
        let mut out = Vectored::new(Stingy {
            bytes: Vec::new(),
            limit: 1000,
            calls: 0,
            most_slices: 0,
        });
        for (i, bytes) in held.iter().enumerate() {
            if i % 5 == 0 {
                // A copy, from a buffer overwritten right after.
                let mut scratch = bytes.clone();
                out.copied(&scratch).unwrap();
                scratch.fill(0xEE);
            } else {
                out.held(bytes).unwrap();
            }
            expected.extend_from_slice(bytes);
        }
        // More slices than one call takes.
        let tiny: Vec<u8> = (0..3 * MAX_SLICES).map(|i| i as u8).collect();
        for byte in tiny.chunks(1) {
            out.held(byte).unwrap();
        }
        expected.extend_from_slice(&tiny);
        let big = vec![7u8; BATCH_BYTES + 3];
        out.copied(&big).unwrap();
        expected.extend_from_slice(&big);
        out.held(b"end").unwrap();
        expected.extend_from_slice(b"end");
        let written = out.finish().unwrap();
        assert_eq!(written.bytes.len(), expected.len());
        assert!(
            written.bytes == expected,
            "the same bytes in the same order"
        );
        assert_eq!(
            written.most_slices, MAX_SLICES,
            "never more slices than IOV_MAX"
        );
    }

    #[test]
    fn a_writer_that_takes_nothing_is_an_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Ok(0)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let bytes = [1u8; 10];
        let mut out = Vectored::new(Full);
        out.held(&bytes).unwrap();
        let error = out.finish().map(|_| ()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::WriteZero);
    }
}
