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
use std::io::{self, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Mutex;

use super::codec::{read_frame, write_frame};

/// A run being built in memory: records in any order, sorted by `finish`.
#[derive(Debug, Default)]
pub struct RunBuf {
    records: Vec<(Vec<u8>, std::ops::Range<usize>)>,
    payloads: Vec<u8>,
    /// The keys' bytes, added up.
    key_bytes: usize,
}

impl RunBuf {
    /// Adds a record. Keys compare as bytes: encode numbers big endian.
    pub fn push(&mut self, key: Vec<u8>, payload: &[u8]) {
        let start = self.payloads.len();
        self.key_bytes += key.len();
        self.payloads.extend_from_slice(payload);
        self.records.push((key, start..self.payloads.len()));
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// About how many bytes it holds (payloads, keys and their records).
    pub fn bytes(&self) -> usize {
        self.payloads.len()
            + self.key_bytes
            + self.records.len() * std::mem::size_of::<(Vec<u8>, std::ops::Range<usize>)>()
    }

    /// The sorted run as frames: key, payload, key, payload, ... Equal keys keep their
    /// insertion order (stable sort).
    fn finish(mut self) -> io::Result<Vec<u8>> {
        self.records.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(self.payloads.len() + 12 * self.records.len());
        for (key, range) in &self.records {
            write_frame(&mut out, key)?;
            write_frame(&mut out, &self.payloads[range.clone()])?;
        }
        Ok(out)
    }
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
            return Ok(());
        }
        let bytes = run.finish()?;
        let offset = {
            let mut guard = self.segments.lock().unwrap_or_else(|e| e.into_inner());
            let offset = guard.1;
            guard.1 += bytes.len() as u64;
            guard.0.push((offset, bytes.len() as u64));
            offset
        };
        // The range is reserved: writes of two segments never overlap.
        self.file.write_all_at(&bytes, offset)
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
    let buffer = (MERGE_BUFFER_BYTES / segments.len().max(1)).clamp(4 * 1024, 16 * 1024);
    let mut readers: Vec<BufReader<Segment>> = segments
        .iter()
        .map(|&(offset, len)| {
            BufReader::with_capacity(
                buffer,
                Segment {
                    file,
                    at: offset,
                    end: offset + len,
                },
            )
        })
        .collect();
    let mut heads: BinaryHeap<Reverse<(Vec<u8>, usize)>> = BinaryHeap::new();
    let mut payloads: Vec<Vec<u8>> = vec![Vec::new(); readers.len()];
    for (i, reader) in readers.iter_mut().enumerate() {
        let mut key = Vec::new();
        if next(reader, &mut key, &mut payloads[i])? {
            heads.push(Reverse((key, i)));
        }
    }
    let mut written = 0;
    while let Some(Reverse((mut key, i))) = heads.pop() {
        out(&key, &payloads[i])?;
        written += 1;
        if next(&mut readers[i], &mut key, &mut payloads[i])? {
            heads.push(Reverse((key, i)));
        }
    }
    Ok(written)
}

/// Reads the next (key, payload) record; false at the end of the segment.
fn next(
    reader: &mut BufReader<Segment>,
    key: &mut Vec<u8>,
    payload: &mut Vec<u8>,
) -> io::Result<bool> {
    if !read_frame(reader, key)? {
        return Ok(false);
    }
    if !read_frame(reader, payload)? {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "a run record without its payload",
        ));
    }
    Ok(true)
}

/// One segment of a shared file, read with positional reads.
struct Segment<'f> {
    file: &'f File,
    at: u64,
    end: u64,
}

impl Read for Segment<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = (self.end - self.at).min(buf.len() as u64) as usize;
        if left == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..left], self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_from_several_threads_merge_in_key_order() {
        let dir = tempfile::tempdir().unwrap();
        let runs = Runs::new(dir.path()).unwrap();
        std::thread::scope(|scope| {
            for part in 0..4u64 {
                let runs = &runs;
                scope.spawn(move || {
                    let mut run = RunBuf::default();
                    // Keys part, part + 4, ... pushed in reverse: the run sorts them.
                    for k in (0..50u64).rev() {
                        let key = k * 4 + part;
                        run.push(key.to_be_bytes().to_vec(), format!("{key}\n").as_bytes());
                    }
                    runs.append(run).unwrap();
                });
            }
        });
        let mut text = Vec::new();
        let n = runs
            .merge(|payload| {
                text.extend_from_slice(payload);
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 200);
        let expected: String = (0..200).map(|k| format!("{k}\n")).collect();
        assert_eq!(String::from_utf8(text).unwrap(), expected);
    }

    #[test]
    fn more_runs_than_one_merge_reads_merge_in_passes() {
        let dir = tempfile::tempdir().unwrap();
        let runs = Runs::new(dir.path()).unwrap();
        // 3 * MAX_FAN_IN + 5 runs: a first pass of four groups (the last a short one).
        let count = 3 * MAX_FAN_IN as u64 + 5;
        for part in 0..count {
            let mut run = RunBuf::default();
            for k in 0..3u64 {
                let key = k * count + part;
                run.push(key.to_be_bytes().to_vec(), format!("{key}\n").as_bytes());
            }
            // The same key in every run: equal keys stay in run order.
            run.push(
                u64::MAX.to_be_bytes().to_vec(),
                format!("last {part}\n").as_bytes(),
            );
            runs.append(run).unwrap();
        }
        let mut text = String::new();
        let n = runs
            .merge(|payload| {
                text.push_str(std::str::from_utf8(payload).unwrap());
                Ok(())
            })
            .unwrap();
        assert_eq!(n, 4 * count);
        let expected: String = (0..3 * count)
            .map(|k| format!("{k}\n"))
            .chain((0..count).map(|p| format!("last {p}\n")))
            .collect();
        assert_eq!(text, expected);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "unlinked"
        );
    }

    #[test]
    fn a_run_knows_its_size() {
        let mut run = RunBuf::default();
        assert_eq!(run.bytes(), 0);
        run.push(vec![1; 8], &[2; 100]);
        let one = run.bytes();
        assert!(one >= 108, "{one}");
        run.push(vec![3; 8], &[4; 1000]);
        assert!(run.bytes() >= one + 1008);
        assert_eq!(RunBuf::default().bytes(), 0);
    }

    #[test]
    fn equal_keys_keep_their_order_and_empty_runs_are_fine() {
        let dir = tempfile::tempdir().unwrap();
        let runs = Runs::new(dir.path()).unwrap();
        let mut run = RunBuf::default();
        run.push(b"k".to_vec(), b"first");
        run.push(b"k".to_vec(), b"second");
        runs.append(run).unwrap();
        runs.append(RunBuf::default()).unwrap();
        let mut seen = Vec::new();
        runs.merge(|p| {
            seen.push(p.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [b"first".to_vec(), b"second".to_vec()]);
    }
}
