//! A deflated data set (raw RFC 1951, no zlib header: PS3.5 A.5) inflated as a stream, in
//! chunks, as the head reader asks for bytes (`head`): values it leaves out are inflated
//! into a scratch buffer and dropped, so a bomb (1 MB inflating to 1 GiB) costs a chunk of
//! memory, not its size, and the work stops at the cap: more than `--max-file-size` bytes
//! inflated is `too_large`, never silently cut.
//!
//! `Decompress` directly rather than a `Read` adapter: the adapter allocated and zeroed a
//! 32 KiB buffer per file, about a fifth of the cost of a deflated SR (callgrind,
//! docs/performance.md). And one `Decompress` per thread, reset for each file: a new one
//! allocated and initialised its 32 KiB window and tables, another 14 000 instructions per
//! deflated file.

use std::cell::RefCell;

use flate2::{Decompress, FlushDecompress, Status};

use super::source::Source;
use crate::error::{FileError, Reason};

/// Most bytes inflated per call.
const CHUNK: usize = 64 * 1024;

thread_local! {
    /// The inflate state and scratch buffer of the thread's last `Inflater`, for its next.
    static SPARE: RefCell<Option<(Decompress, Vec<u8>)>> = const { RefCell::new(None) };
}

/// The inflating side of a deflated data set.
pub(super) struct Inflater<'r> {
    raw: &'r [u8],
    /// None only once dropped (handed back to `SPARE`).
    state: Option<Decompress>,
    cap: u64,
    ended: bool,
    scratch: Vec<u8>,
}

impl<'r> Inflater<'r> {
    /// Inflates `raw`, refusing more than `cap` bytes of output.
    pub(super) fn new(raw: &'r [u8], cap: u64) -> Self {
        let (state, scratch) = match SPARE.with(|spare| spare.borrow_mut().take()) {
            Some((mut state, scratch)) => {
                // Whatever the last stream left (an error, or a stop half way): a raw
                // deflate stream from its start.
                state.reset(false);
                (state, scratch)
            }
            None => (Decompress::new(false), Vec::with_capacity(CHUNK)),
        };
        Inflater {
            raw,
            state: Some(state),
            cap,
            ended: false,
            scratch,
        }
    }

    /// Inflates up to `max` bytes (at most a chunk) onto the end of `out`, as far as the
    /// stream goes; returns how many. The inflater writes straight into `out`'s spare
    /// capacity, cut to exactly what is asked: nothing is zeroed first (zeroing cost more
    /// than inflating: callgrind), and a skip never inflates past the value it skips. Kept
    /// bytes go straight into the data set's buffer: inflated into a scratch buffer and
    /// copied, they cost 2 500 instructions per deflated file more (docs/performance.md).
    fn inflate_into(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize, FileError> {
        let max = max.min(CHUNK);
        out.reserve(max);
        let start = out.len();
        let state = self.state.as_mut().expect("present until dropped");
        while !self.ended && out.len() - start < max {
            let before = (state.total_in(), state.total_out());
            let consumed = (before.0 as usize).min(self.raw.len());
            let room = max - (out.len() - start);
            let status = state
                .decompress_uninit(
                    &self.raw[consumed..],
                    &mut out.spare_capacity_mut()[..room],
                    FlushDecompress::Finish,
                )
                .map_err(|e| {
                    FileError::new(
                        Reason::Malformed,
                        format!("deflated data set cannot be inflated: {e}"),
                    )
                })?;
            let written = usize::try_from(state.total_out() - before.1)
                .expect("at most `room` bytes")
                .min(room);
            // SAFETY: the inflater initialised the first `written` bytes of the spare
            // capacity (its output count grows by the bytes it wrote, at most `room`).
            unsafe { out.set_len(out.len() + written) };
            if state.total_out() > self.cap {
                return Err(FileError::new(
                    Reason::TooLarge,
                    format!(
                        "deflated data set inflates beyond the {}-byte cap",
                        self.cap
                    ),
                ));
            }
            if status == Status::StreamEnd {
                self.ended = true;
            } else if (state.total_in(), state.total_out()) == before {
                return Err(FileError::new(
                    Reason::Truncated,
                    "deflated data set cannot be inflated: the deflate stream ends early",
                ));
            }
        }
        Ok(out.len() - start)
    }
}

impl Drop for Inflater<'_> {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            let scratch = std::mem::take(&mut self.scratch);
            SPARE.with(|spare| *spare.borrow_mut() = Some((state, scratch)));
        }
    }
}

impl Source for Inflater<'_> {
    fn read_into(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize, FileError> {
        self.inflate_into(out, max)
    }

    fn skip(&mut self, n: u64) -> Result<u64, FileError> {
        let mut skipped = 0u64;
        while skipped < n {
            let want = (n - skipped).min(CHUNK as u64) as usize;
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            let got = self.inflate_into(&mut scratch, want);
            self.scratch = scratch;
            match got? {
                0 => break,
                got => skipped += got as u64,
            }
        }
        Ok(skipped)
    }

    fn remaining(&self) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deflate(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("deflate");
        encoder.finish().expect("deflate")
    }

    fn inflate_all(raw: &[u8], cap: u64) -> Result<Vec<u8>, FileError> {
        let mut inflater = Inflater::new(raw, cap);
        let mut out = vec![];
        while inflater.read_into(&mut out, 4096)? > 0 {}
        Ok(out)
    }

    #[test]
    fn inflates_whole_streams_and_names_bad_ones() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let packed = deflate(&data);
        assert_eq!(inflate_all(&packed, 1 << 20).unwrap(), data);

        let reason = |raw: &[u8], cap: u64| inflate_all(raw, cap).unwrap_err().reason;
        assert_eq!(
            reason(&packed[..packed.len() / 2], 1 << 20),
            Reason::Truncated
        );
        assert_eq!(reason(&[], 1 << 20), Reason::Truncated);
        // 0xFF: a block of reserved type 3.
        assert_eq!(reason(&[0xFF, 0xFF, 0xFF], 1 << 20), Reason::Malformed);
        // The cap: exactly at it is fine, one byte short of the output is not.
        inflate_all(&packed, data.len() as u64).expect("at the cap");
        assert_eq!(reason(&packed, data.len() as u64 - 1), Reason::TooLarge);
    }

    /// The thread's state is reused: after a stream left half way, one cut short and a
    /// broken one, the next stream still inflates from its start.
    #[test]
    fn a_reused_state_starts_each_stream_afresh() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 239) as u8).collect();
        let packed = deflate(&data);
        let mut left = Inflater::new(&packed, 1 << 20);
        left.read_into(&mut vec![], 1000).unwrap();
        drop(left);
        assert!(SPARE.with(|spare| spare.borrow().is_some()), "handed back");
        assert_eq!(inflate_all(&packed, 1 << 20).unwrap(), data);
        assert!(inflate_all(&packed[..packed.len() / 3], 1 << 20).is_err());
        assert!(inflate_all(&[0xFF, 0xFF, 0xFF], 1 << 20).is_err());
        let other: Vec<u8> = (0..70_000u32).map(|i| (i % 7) as u8 * 31).collect();
        assert_eq!(inflate_all(&deflate(&other), 1 << 20).unwrap(), other);
        assert_eq!(inflate_all(&packed, 1 << 20).unwrap(), data);
    }

    #[test]
    fn skipping_inflates_without_keeping() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
        let packed = deflate(&data);
        let mut inflater = Inflater::new(&packed, 1 << 20);
        let mut out = vec![];
        inflater.read_into(&mut out, 10).unwrap();
        assert_eq!(out, data[..10]);
        assert_eq!(inflater.skip(250_000).unwrap(), 250_000);
        out.clear();
        inflater.read_into(&mut out, 5).unwrap();
        assert_eq!(out, data[250_010..250_015]);
        // Past the end: what there was.
        assert_eq!(inflater.skip(1 << 20).unwrap(), 300_000 - 250_015);
        assert_eq!(inflater.read_into(&mut out, 5).unwrap(), 0);
        // The cap counts skipped bytes too.
        let mut capped = Inflater::new(&packed, 100_000);
        assert_eq!(capped.skip(200_000).unwrap_err().reason, Reason::TooLarge);
    }
}
