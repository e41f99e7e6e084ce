//! Sorted runs merged in key order: how rows computed partition by partition (in any order,
//! in parallel) come out as one file in the contract's row order.
//!
//! A partition renders its rows into a `RunBuf` (key, payload) and sorts it; the sorted run
//! is appended to the kind's one `Runs` file as a segment. At the end the segments are
//! merged, k-way, with one small buffer per segment read through positional reads of the one
//! file: one file descriptor per kind of row however many partitions there are.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

use super::codec::write_frame;

/// The rendered records of one kind a partition holds before it writes them out as a run
/// (`pipeline::finish::partition`; the exports size their runs' buffers by it).
pub const RUN_BYTES: usize = 4 * 1024 * 1024;

/// A run being built in memory: records in any order, sorted by `finish`. Each record is
/// held as the frames it is written as (key, payload), so that a run pushed in key order
/// (and a payload rendered into it, `push_with`) is written out without another copy.
#[derive(Debug)]
pub struct RunBuf {
    /// Per record: where its frames start in `frames`, and its key's length.
    records: Vec<(usize, u32)>,
    frames: Vec<u8>,
    /// Whether the records were pushed in key order (so far).
    sorted: bool,
}

thread_local! {
    /// Buffers of runs already written, kept for the next runs of this thread: a partition
    /// fills about ten runs, and each grew from nothing by doubling, reallocated and
    /// copied each time (docs/performance.md, "The end of a run").
    static SPARE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The spare buffers a thread keeps, and the largest it keeps (a larger one is freed, so
/// that a giant partition's buffers are not held to the end of the run).
const SPARE_BUFFERS: usize = 10;
const SPARE_CAPACITY: usize = 64 * 1024;

/// Keeps `bytes`' allocation for a later run of this thread, if there is room.
fn give_back(mut bytes: Vec<u8>) {
    if bytes.capacity() == 0 || bytes.capacity() > SPARE_CAPACITY {
        return;
    }
    bytes.clear();
    SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < SPARE_BUFFERS {
            spare.push(bytes);
        }
    });
}

impl Default for RunBuf {
    /// An empty run, in a buffer a written run of this thread left, if any.
    fn default() -> Self {
        RunBuf {
            records: Vec::new(),
            frames: SPARE
                .with(|spare| spare.borrow_mut().pop())
                .unwrap_or_default(),
            sorted: false,
        }
    }
}

impl RunBuf {
    /// Adds a record. Keys compare as bytes: encode numbers big endian.
    pub fn push(&mut self, key: Vec<u8>, payload: &[u8]) {
        self.push_with(&key, |out| {
            out.extend_from_slice(payload);
            Ok(())
        })
        .expect("appending a slice never fails");
    }

    /// Adds a record whose payload `payload` appends to the vector it is given (and only
    /// appends); a failure leaves the run as it was.
    pub fn push_with(
        &mut self,
        key: &[u8],
        payload: impl FnOnce(&mut Vec<u8>) -> io::Result<()>,
    ) -> io::Result<()> {
        let key_len = frame_len(key.len())?;
        let start = self.frames.len();
        let was_sorted = self.sorted;
        if self.records.is_empty() {
            self.sorted = true;
        } else if self.sorted {
            let (last, last_len) = *self.records.last().expect("not empty");
            self.sorted = &self.frames[last + 4..last + 4 + last_len as usize] <= key;
        }
        self.frames.extend_from_slice(&key_len.to_le_bytes());
        self.frames.extend_from_slice(key);
        let at = self.frames.len();
        self.frames.extend_from_slice(&[0; 4]);
        let len = payload(&mut self.frames).and_then(|()| frame_len(self.frames.len() - at - 4));
        match len {
            Ok(len) => {
                self.frames[at..at + 4].copy_from_slice(&len.to_le_bytes());
                self.records.push((start, key_len));
                Ok(())
            }
            Err(error) => {
                self.frames.truncate(start);
                self.sorted = was_sorted;
                Err(error)
            }
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// About how many bytes it holds (its frames and their records).
    pub fn bytes(&self) -> usize {
        self.frames.len() + self.records.len() * std::mem::size_of::<(usize, u32)>()
    }

    /// The sorted run as frames: key, payload, key, payload, ... Equal keys keep their
    /// insertion order (stable sort).
    fn finish(mut self) -> Vec<u8> {
        if self.sorted {
            return self.frames;
        }
        let frames = &self.frames;
        let key = |&(start, len): &(usize, u32)| &frames[start + 4..start + 4 + len as usize];
        self.records.sort_by(|a, b| key(a).cmp(key(b)));
        let mut out = Vec::with_capacity(frames.len());
        for &(start, key_len) in &self.records {
            let at = start + 4 + key_len as usize;
            let len = u32::from_le_bytes(frames[at..at + 4].try_into().expect("4 bytes"));
            out.extend_from_slice(&frames[start..at + 4 + len as usize]);
        }
        give_back(std::mem::take(&mut self.frames));
        out
    }
}

/// A frame's length as written, or an error over 4 GiB.
fn frame_len(len: usize) -> io::Result<u32> {
    u32::try_from(len).map_err(|_| io::Error::other("a record of more than 4 GiB"))
}

/// The runs of one kind of row, as segments of one unlinked temporary file.
pub struct Runs {
    file: File,
    /// (offset, length) of each segment, and the file's length.
    segments: Mutex<(Vec<(u64, u64)>, u64)>,
    /// Where the file is (and an intermediate merge's file goes).
    dir: std::path::PathBuf,
}

impl Runs {
    /// An empty set of runs whose file lives (unlinked) in `dir`.
    pub fn new(dir: &Path) -> io::Result<Runs> {
        Ok(Runs {
            file: tempfile::tempfile_in(dir)?,
            segments: Mutex::new((Vec::new(), 0)),
            dir: dir.to_path_buf(),
        })
    }

    /// Sorts `run` and appends it as a segment (from any thread).
    pub fn append(&self, run: RunBuf) -> io::Result<()> {
        if run.is_empty() {
            give_back(run.frames);
            return Ok(());
        }
        let bytes = run.finish();
        let offset = {
            let mut guard = self.segments.lock().unwrap_or_else(|e| e.into_inner());
            let offset = guard.1;
            guard.1 += bytes.len() as u64;
            guard.0.push((offset, bytes.len() as u64));
            offset
        };
        // The range is reserved: writes of two segments never overlap.
        self.file.write_all_at(&bytes, offset)?;
        give_back(bytes);
        Ok(())
    }

    /// Merges every segment in key order, calling `out` with each payload; returns how many.
    /// Equal keys come out in segment order.
    pub fn merge(self, mut out: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<u64> {
        let (mut segments, _) = self
            .segments
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let mut file = self.file;
        // More segments than one merge reads at once (a run of 10^7 files or more, cut into
        // many pieces): groups of consecutive segments are merged into one first, pass after
        // pass, so that memory stays at MERGE_BUFFER_BYTES (an external merge sort).
        while segments.len() > MAX_FAN_IN {
            let next = tempfile::tempfile_in(&self.dir)?;
            let mut writer = io::BufWriter::with_capacity(256 * 1024, &next);
            let mut merged = Vec::new();
            let mut at = 0u64;
            for group in segments.chunks(MAX_FAN_IN) {
                let start = at;
                merge_segments(&file, group, |key, payload| {
                    let mut frames = Vec::with_capacity(key.len() + payload.len() + 8);
                    write_frame(&mut frames, key)?;
                    write_frame(&mut frames, payload)?;
                    at += frames.len() as u64;
                    io::Write::write_all(&mut writer, &frames)
                })?;
                merged.push((start, at - start));
            }
            writer.into_inner().map_err(|e| e.into_error())?;
            (file, segments) = (next, merged);
        }
        merge_segments(&file, &segments, |_, payload| out(payload))
    }
}

/// The most segments one merge reads at once (a run of about 10^6 files has ~1 700 pieces).
const MAX_FAN_IN: usize = 2048;

/// The read buffers of one merge, shared by its segments (each gets 4 to 16 KiB).
const MERGE_BUFFER_BYTES: usize = 8 * 1024 * 1024;

/// Merges `segments` of `file` in key order, calling `out` with each (key, payload); returns
/// how many. Equal keys come out in segment order.
fn merge_segments(
    file: &File,
    segments: &[(u64, u64)],
    mut out: impl FnMut(&[u8], &[u8]) -> io::Result<()>,
) -> io::Result<u64> {
    let budget = (MERGE_BUFFER_BYTES / segments.len().max(1)).clamp(4 * 1024, 16 * 1024);
    let mut readers: Vec<SegmentReader> = segments
        .iter()
        .map(|&(offset, len)| SegmentReader::new(file, offset, len, budget))
        .collect();
    let mut heads: BinaryHeap<Reverse<Head>> = BinaryHeap::new();
    for (segment, reader) in readers.iter_mut().enumerate() {
        if reader.advance()? {
            heads.push(Reverse(Head::new(reader.key().to_vec(), segment)));
        }
    }
    let mut written = 0;
    while let Some(Reverse(Head {
        mut key, segment, ..
    })) = heads.pop()
    {
        let reader = &mut readers[segment];
        out(&key, reader.payload())?;
        written += 1;
        if reader.advance()? {
            key.clear();
            key.extend_from_slice(reader.key());
            heads.push(Reverse(Head::new(key, segment)));
        }
    }
    Ok(written)
}

/// A segment's current key in a merge's heap. Its first eight bytes as a big-endian number
/// (zero-padded) order two keys as their bytes do wherever they differ there (a shorter
/// key's padding is below any byte where the other goes on, and then it is the other's
/// prefix); only keys that share them are compared as bytes. A run's keys are a document's
/// place (eight bytes) or begin with a pseudonymised path: a comparison of bytes (`memcmp`)
/// per step of the heap was a fifth of the merge (docs/performance.md). Equal keys come out
/// in segment order.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Head {
    prefix: u64,
    key: Vec<u8>,
    segment: usize,
}

impl Head {
    fn new(key: Vec<u8>, segment: usize) -> Head {
        let mut first = [0u8; 8];
        let n = key.len().min(8);
        first[..n].copy_from_slice(&key[..n]);
        Head {
            prefix: u64::from_be_bytes(first),
            key,
            segment,
        }
    }
}

/// One segment of a shared file, read record by record into a buffer of its own: a record
/// is borrowed from the buffer, never copied out of it. The buffer is filled by `read` into
/// its spare capacity (`Read::take` + `read_to_end` on the file, which the standard library
/// reads into uninitialised memory); a `BufReader` over a positional reader zeroed its whole
/// buffer first, 10 000 instructions per file of a scan (docs/performance.md).
struct SegmentReader<'f> {
    file: &'f File,
    /// The next byte of the file to read, and the segment's end.
    at: u64,
    end: u64,
    /// Bytes read: `buf[pos..]` not yet consumed.
    buf: Vec<u8>,
    pos: usize,
    /// How much to read at a time, at least.
    budget: usize,
    /// The current record's key and payload in `buf`.
    key: std::ops::Range<usize>,
    payload: std::ops::Range<usize>,
}

impl<'f> SegmentReader<'f> {
    fn new(file: &'f File, offset: u64, len: u64, budget: usize) -> Self {
        SegmentReader {
            file,
            at: offset,
            end: offset + len,
            buf: Vec::new(),
            pos: 0,
            budget,
            key: 0..0,
            payload: 0..0,
        }
    }

    /// The current record's key.
    fn key(&self) -> &[u8] {
        &self.buf[self.key.clone()]
    }

    /// The current record's payload.
    fn payload(&self) -> &[u8] {
        &self.buf[self.payload.clone()]
    }

    /// Moves to the next (key, payload) record; false at the end of the segment.
    fn advance(&mut self) -> io::Result<bool> {
        self.pos = self.payload.end.max(self.pos);
        if !self.ensure(4)? {
            return if self.buf.len() == self.pos {
                Ok(false)
            } else {
                Err(cut_short())
            };
        }
        let key_len = self.frame_len(0)?;
        if !self.ensure(4 + key_len + 4)? {
            return Err(cut_short());
        }
        let payload_len = self.frame_len(4 + key_len)?;
        if !self.ensure(8 + key_len + payload_len)? {
            return Err(cut_short());
        }
        let key = self.pos + 4;
        self.key = key..key + key_len;
        self.payload = key + key_len + 4..key + key_len + 4 + payload_len;
        Ok(true)
    }

    /// The frame length at `offset` from the unconsumed bytes (at least 4 there).
    fn frame_len(&self, offset: usize) -> io::Result<usize> {
        let at = self.pos + offset;
        let len = u32::from_le_bytes(self.buf[at..at + 4].try_into().expect("4 bytes")) as usize;
        if len > super::codec::MAX_FRAME {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a record of {len} bytes: the file is corrupt"),
            ));
        }
        Ok(len)
    }

    /// Makes at least `n` unconsumed bytes available, reading more of the segment (and
    /// moving the unconsumed ones to the front, which keeps the record ranges set after it);
    /// false when the segment ends first.
    fn ensure(&mut self, n: usize) -> io::Result<bool> {
        let have = self.buf.len() - self.pos;
        if have >= n {
            return Ok(true);
        }
        if self.at == self.end {
            return Ok(false);
        }
        self.buf.drain(..self.pos);
        self.pos = 0;
        self.key = 0..0;
        self.payload = 0..0;
        // Up to the budget with what is held (a `BufReader`'s bound), or the record's length.
        let want = ((n.max(self.budget) - have) as u64).min(self.end - self.at);
        let mut file = self.file;
        io::Seek::seek(&mut file, io::SeekFrom::Start(self.at))?;
        self.buf.reserve_exact(want as usize);
        let read = file.take(want).read_to_end(&mut self.buf)?;
        if (read as u64) < want {
            return Err(cut_short());
        }
        self.at += want;
        Ok(self.buf.len() >= n)
    }
}

fn cut_short() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the file ends inside a record",
    )
}

#[cfg(test)]
mod tests;
