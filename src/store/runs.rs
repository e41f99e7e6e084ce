//! Sorted runs merged in key order: how rows computed partition by partition (in any order,
//! in parallel) come out as one file in the contract's row order.
//!
//! A partition renders its rows into a `RunBuf` (key, payload) and sorts it; the sorted run
//! is appended to the kind's `Runs` as a segment: held in memory while the run's budget has
//! room (`budget`), else written to the kind's one temporary file. At the end the segments
//! are merged, k-way: one held in memory is read where it is, one in the file through a
//! small buffer of its own filled by positional reads of the one file: one file descriptor
//! per kind of row however many partitions there are, and none for a kind that fits.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::panic::Location;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use super::budget::{Budget, Held};
use super::codec::write_frame;
use losers::Losers;
use reader::SegmentReader;

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
    /// Where it was made: the runs made there are of one kind, and about one size (`SIZES`).
    site: &'static Location<'static>,
}

thread_local! {
    /// Buffers of runs already written (copied), kept for the next runs of this thread made
    /// where no run was made before (`SIZES`): a run that grew from nothing by doubling
    /// was reallocated and copied each time (docs/performance.md, "The end of a run").
    static SPARE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The size of the runs appended lately, by where they were made (`RunBuf::default`:
    /// a partition makes each kind of row's run at a line of its own, and a kind's runs
    /// are about one size): the next run made there starts with room for a little more,
    /// so that it seldom grows by doubling, and its buffer, full enough, is held as the
    /// run's segment, where it was copied into one (`Runs::append`).
    static SIZES: std::cell::RefCell<Vec<(&'static Location<'static>, Sizes)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The spare buffers a thread keeps, and the largest it keeps (a larger one is freed, so
/// that a giant partition's buffers are not held to the end of the run).
const SPARE_BUFFERS: usize = 10;
const SPARE_CAPACITY: usize = 64 * 1024;

/// The places a thread remembers the sizes of runs made at (a partition makes its ten kinds
/// of run at ten).
const SIZED_SITES: usize = 32;

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

/// The size of a place's runs: their bytes and their records.
#[derive(Clone, Copy, Default)]
struct Sizes {
    bytes: usize,
    records: usize,
}

/// The most records a run starts with room for (a spare buffer's worth of short ones).
const FIRST_RECORDS: usize = 4096;

/// Notes that a run of `run` was made at `site`: a running mean, the last run weighing a
/// quarter (a partition's runs of one kind vary by a third or so, docs/performance.md).
fn note_size(site: &'static Location<'static>, run: Sizes) {
    SIZES.with(|sizes| {
        let mut sizes = sizes.borrow_mut();
        if let Some((_, size)) = sizes.iter_mut().find(|(at, _)| *at == site) {
            size.bytes = (size.bytes * 3 + run.bytes) / 4;
            size.records = (size.records * 3 + run.records) / 4;
        } else if sizes.len() < SIZED_SITES {
            sizes.push((site, run));
        }
    });
}

/// The room a run made at `site` starts with: the runs' size there and a third more (none
/// for a place not seen yet), at most a spare buffer's bytes and `FIRST_RECORDS` records.
fn first_room(site: &'static Location<'static>) -> Sizes {
    let last = SIZES.with(|sizes| {
        sizes
            .borrow()
            .iter()
            .find(|(at, _)| *at == site)
            .map_or(Sizes::default(), |&(_, size)| size)
    });
    Sizes {
        bytes: (last.bytes + last.bytes / 3).min(SPARE_CAPACITY),
        records: (last.records + last.records / 3).min(FIRST_RECORDS),
    }
}

impl Default for RunBuf {
    /// An empty run, with no room yet (`make_room`). Where it is made is its caller's place
    /// (`track_caller`): a line of a partition's rendering per kind of row.
    #[track_caller]
    fn default() -> Self {
        RunBuf {
            records: Vec::new(),
            frames: Vec::new(),
            sorted: false,
            site: Location::caller(),
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
        if self.frames.capacity() == 0 {
            self.make_room();
        }
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

    /// Room for the run, made at its first record: as many bytes and records as the runs
    /// made at the same place took lately and a third more, or a spare buffer. Not
    /// inlined: `push_with` calls it once a run.
    #[inline(never)]
    fn make_room(&mut self) {
        let room = first_room(self.site);
        if self.records.capacity() < room.records {
            self.records = Vec::with_capacity(room.records);
        }
        self.frames = if room.bytes > 0 {
            Vec::with_capacity(room.bytes)
        } else {
            SPARE
                .with(|spare| spare.borrow_mut().pop())
                .unwrap_or_default()
        };
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

/// The runs of one kind of row: each a segment held in memory under the run's budget
/// (`budget`), or, once the budget has no room, written to the kind's one unlinked
/// temporary file, created then.
pub struct Runs {
    budget: Budget,
    /// The segments in the order they were appended, and the file's length.
    state: Mutex<(Vec<Segment>, u64)>,
    file: OnceLock<File>,
    /// Where the file is (and an intermediate merge's file goes).
    dir: std::path::PathBuf,
}

/// A sorted run: its frames in memory, or (offset, length) in the kind's file.
enum Segment {
    Memory(Held),
    File(u64, u64),
}

impl Runs {
    /// An empty set of runs held in no memory (every run goes to the file, created with
    /// the first) in `dir`: for runs outside the run's budget (an archive's members
    /// collected before the run's own temporary data), which must not add to it.
    pub fn new(dir: &Path) -> io::Result<Runs> {
        Ok(Runs::with_budget(dir, &Budget::new(0)))
    }

    /// An empty set of runs held under `budget` (the run's, shared by all its runs).
    pub fn with_budget(dir: &Path, budget: &Budget) -> Runs {
        Runs {
            budget: budget.clone(),
            state: Mutex::new((Vec::new(), 0)),
            file: OnceLock::new(),
            dir: dir.to_path_buf(),
        }
    }

    /// Sorts `run` and appends it as a segment (from any thread).
    pub fn append(&self, run: RunBuf) -> io::Result<()> {
        if run.is_empty() {
            give_back(run.frames);
            return Ok(());
        }
        let (site, records) = (run.site, run.records.len());
        let bytes = run.finish();
        note_size(
            site,
            Sizes {
                bytes: bytes.len(),
                records,
            },
        );
        // A buffer at least half full is held as it is (its capacity counted); one with
        // more room than that is copied into room of its own size, and kept for the
        // thread's next run (docs/performance.md, "The end of a run").
        let bytes = if bytes.len() >= bytes.capacity() / 2 {
            match Held::keep(&self.budget, bytes) {
                Ok(held) => {
                    self.lock().0.push(Segment::Memory(held));
                    return Ok(());
                }
                Err(bytes) => bytes,
            }
        } else {
            bytes
        };
        if let Some(held) = Held::copy_of(&self.budget, &bytes) {
            self.lock().0.push(Segment::Memory(held));
            give_back(bytes);
            return Ok(());
        }
        let (file, offset) = {
            let mut guard = self.lock();
            let file = match self.file.get() {
                Some(file) => file,
                None => {
                    // Created under the lock: never twice.
                    let _ = self.file.set(self.budget.tempfile(&self.dir)?);
                    self.file.get().expect("just set")
                }
            };
            let offset = guard.1;
            guard.1 += bytes.len() as u64;
            guard.0.push(Segment::File(offset, bytes.len() as u64));
            (file, offset)
        };
        // The range is reserved: writes of two segments never overlap.
        file.write_all_at(&bytes, offset)?;
        give_back(bytes);
        Ok(())
    }

    /// Whether no run was appended (or only empty ones): a merge would call nothing.
    pub fn is_empty(&self) -> bool {
        self.lock().0.is_empty()
    }

    /// How many bytes its segments hold, their frames included: what a merge of them
    /// reads, about what it writes (the write step starts the largest file first).
    pub fn bytes(&self) -> u64 {
        let segments = &self.lock().0;
        segments
            .iter()
            .map(|segment| match segment {
                Segment::Memory(held) => held.bytes().len() as u64,
                Segment::File(_, len) => *len,
            })
            .sum()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<Segment>, u64)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Merges every segment in key order, calling `out` with each payload; returns how many.
    /// Equal keys come out in segment order.
    pub fn merge(self, mut out: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<u64> {
        let (file, segments) = self.into_merged_input()?;
        merge_segments(file.as_ref(), &segments, |_, reader| out(reader.payload()))
    }

    /// Merges every segment in key order into `to`, each payload's part that `part` gives
    /// (a slice of the payload it is given), as `merge` would call it; returns `to`. The
    /// parts held in memory are written from where they are (`write_vectored`), not copied
    /// into a buffer first: only those read back from the file are.
    pub fn write_merged<W: io::Write>(
        self,
        to: W,
        mut part: impl for<'p> FnMut(&'p [u8]) -> io::Result<&'p [u8]>,
    ) -> io::Result<W> {
        let (file, segments) = self.into_merged_input()?;
        let mut out = vectored::Vectored::new(to);
        merge_segments(file.as_ref(), &segments, |_, reader| {
            match reader.held_payload() {
                Some(payload) => out.held(part(payload)?),
                None => out.copied(part(reader.payload())?),
            }
        })?;
        out.finish()
    }

    /// The segments and their file, at most `MAX_FAN_IN` of them: more than one merge reads
    /// at once (a run of 10^7 files or more, cut into many pieces) are merged in groups of
    /// consecutive segments first, pass after pass, so that memory stays at
    /// MERGE_BUFFER_BYTES (an external merge sort).
    fn into_merged_input(self) -> io::Result<(Option<File>, Vec<Segment>)> {
        let Runs {
            budget,
            state,
            file,
            dir,
        } = self;
        let (mut segments, _) = state.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut file = file.into_inner();
        while segments.len() > MAX_FAN_IN {
            let next = budget.tempfile(&dir)?;
            let mut writer = io::BufWriter::with_capacity(256 * 1024, &next);
            let mut merged = Vec::new();
            let mut at = 0u64;
            for group in segments.chunks(MAX_FAN_IN) {
                let start = at;
                merge_segments(file.as_ref(), group, |key, reader| {
                    let payload = reader.payload();
                    let mut frames = Vec::with_capacity(key.len() + payload.len() + 8);
                    write_frame(&mut frames, key)?;
                    write_frame(&mut frames, payload)?;
                    at += frames.len() as u64;
                    io::Write::write_all(&mut writer, &frames)
                })?;
                merged.push(Segment::File(start, at - start));
            }
            writer.into_inner().map_err(|e| e.into_error())?;
            (file, segments) = (Some(next), merged);
        }
        Ok((file, segments))
    }
}

/// The most segments one merge reads at once (a run of about 10^6 files has ~1 700 pieces).
const MAX_FAN_IN: usize = 2048;

/// The read buffers of one merge, shared by its segments (each gets 4 to 16 KiB).
const MERGE_BUFFER_BYTES: usize = 8 * 1024 * 1024;

/// Merges `segments` (those not in memory: of `file`) in key order, calling `out` with each
/// key and the reader at its record (its payload); returns how many. Equal keys come out in
/// segment order.
fn merge_segments<'s>(
    file: Option<&'s File>,
    segments: &'s [Segment],
    mut out: impl FnMut(&[u8], &SegmentReader<'s>) -> io::Result<()>,
) -> io::Result<u64> {
    let in_file = segments
        .iter()
        .filter(|s| matches!(s, Segment::File(..)))
        .count();
    let budget = (MERGE_BUFFER_BYTES / in_file.max(1)).clamp(4 * 1024, 16 * 1024);
    let mut readers: Vec<SegmentReader> = segments
        .iter()
        .map(|segment| match (segment, file) {
            (Segment::Memory(held), _) => Ok(SegmentReader::memory(held.bytes())),
            (&Segment::File(offset, len), Some(file)) => {
                Ok(SegmentReader::new(file, offset, len, budget))
            }
            (Segment::File(..), None) => Err(io::Error::other("a run's segment without its file")),
        })
        .collect::<io::Result<_>>()?;
    for reader in &mut readers {
        reader.advance()?;
    }
    let mut losers = Losers::new(readers.len(), |segment| readers[segment].current_key());
    let mut written = 0;
    while let Some(segment) = losers.winner() {
        let reader = &readers[segment];
        out(reader.key(), reader)?;
        written += 1;
        readers[segment].advance()?;
        losers.replay(readers[segment].current_key(), |other| readers[other].key());
    }
    Ok(written)
}

mod losers;
mod reader;
mod vectored;

#[cfg(test)]
mod tests;
