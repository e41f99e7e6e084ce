//! Reading one segment of a kind's runs in a merge.

use std::fs::File;
use std::io::{self, Read};

/// One segment, read record by record: held in memory, where its records are borrowed as
/// they are; or in a shared file, read into a buffer of its own, from which a record is
/// borrowed, never copied out. The buffer is filled by `read` into its spare capacity
/// (`Read::take` + `read_to_end` on the file, which the standard library reads into
/// uninitialised memory); a `BufReader` over a positional reader zeroed its whole buffer
/// first, 10 000 instructions per file of a scan (docs/performance.md).
pub(super) struct SegmentReader<'f> {
    /// The file, None for a segment in memory.
    file: Option<&'f File>,
    /// A segment in memory: all of it.
    memory: &'f [u8],
    /// The next byte of the file to read, and the segment's end.
    at: u64,
    end: u64,
    /// Bytes read: `buf[pos..]` not yet consumed (`memory[pos..]` for a segment there).
    buf: Vec<u8>,
    pos: usize,
    /// How much to read at a time, at least.
    budget: usize,
    /// The current record's key and payload in `buf` (or `memory`).
    key: std::ops::Range<usize>,
    payload: std::ops::Range<usize>,
    /// Whether `key` and `payload` are a record's (false before the first and past the last).
    has_record: bool,
}

impl<'f> SegmentReader<'f> {
    pub(super) fn new(file: &'f File, offset: u64, len: u64, budget: usize) -> Self {
        SegmentReader {
            file: Some(file),
            memory: &[],
            at: offset,
            end: offset + len,
            buf: Vec::new(),
            pos: 0,
            budget,
            key: 0..0,
            payload: 0..0,
            has_record: false,
        }
    }

    /// A reader of a segment held in memory.
    pub(super) fn memory(bytes: &'f [u8]) -> Self {
        SegmentReader {
            file: None,
            memory: bytes,
            at: 0,
            end: 0,
            buf: Vec::new(),
            pos: 0,
            budget: 0,
            key: 0..0,
            payload: 0..0,
            has_record: false,
        }
    }

    /// The bytes records are read from.
    fn bytes(&self) -> &[u8] {
        match self.file {
            None => self.memory,
            Some(_) => &self.buf,
        }
    }

    /// The current record's key.
    pub(super) fn key(&self) -> &[u8] {
        &self.bytes()[self.key.clone()]
    }

    /// The current record's key, None past the segment's last record.
    pub(super) fn current_key(&self) -> Option<&[u8]> {
        self.has_record.then(|| self.key())
    }

    /// The current record's payload.
    pub(super) fn payload(&self) -> &[u8] {
        &self.bytes()[self.payload.clone()]
    }

    /// The current record's payload where it stays until the merge ends: in a segment held
    /// in memory (None for one read from the file, whose buffer the next record reuses).
    pub(super) fn held_payload(&self) -> Option<&'f [u8]> {
        match self.file {
            None => Some(&self.memory[self.payload.clone()]),
            Some(_) => None,
        }
    }

    /// Moves to the next (key, payload) record; false at the end of the segment.
    pub(super) fn advance(&mut self) -> io::Result<bool> {
        if self.file.is_none() {
            return self.advance_in_memory();
        }
        self.pos = self.payload.end.max(self.pos);
        if !self.ensure(4)? {
            return if self.bytes().len() == self.pos {
                self.has_record = false;
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
        self.has_record = true;
        Ok(true)
    }

    /// `advance` in a segment held in memory, all of it there: the record's two frames read
    /// where they are, without `ensure`'s reading (a merge advances once a record: the
    /// general path was 180 instructions a record, docs/performance.md).
    fn advance_in_memory(&mut self) -> io::Result<bool> {
        let start = self.payload.end.max(self.pos);
        self.pos = start;
        let bytes = self.memory;
        if start == bytes.len() {
            self.has_record = false;
            return Ok(false);
        }
        let key = start + 4;
        let key_len = len_at(bytes, start)?;
        let payload = key + key_len + 4;
        let payload_len = len_at(bytes, key + key_len)?;
        if bytes.len() - payload < payload_len {
            return Err(cut_short());
        }
        self.key = key..key + key_len;
        self.payload = payload..payload + payload_len;
        self.has_record = true;
        Ok(true)
    }

    /// The frame length at `offset` from the unconsumed bytes (at least 4 there).
    fn frame_len(&self, offset: usize) -> io::Result<usize> {
        let at = self.pos + offset;
        checked_len(u32::from_le_bytes(
            self.bytes()[at..at + 4].try_into().expect("4 bytes"),
        ))
    }

    /// Makes at least `n` unconsumed bytes available, reading more of the segment (and
    /// moving the unconsumed ones to the front, which keeps the record ranges set after it);
    /// false when the segment ends first.
    fn ensure(&mut self, n: usize) -> io::Result<bool> {
        let Some(mut file) = self.file else {
            return Ok(self.memory.len() - self.pos >= n);
        };
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

/// The frame length written at `at` in `bytes`: an error if they end first or it is past
/// any frame's.
fn len_at(bytes: &[u8], at: usize) -> io::Result<usize> {
    match bytes.get(at..at.saturating_add(4)) {
        Some(len) => checked_len(u32::from_le_bytes(len.try_into().expect("4 bytes"))),
        None => Err(cut_short()),
    }
}

/// A frame length read, or an error past any frame's (`codec::MAX_FRAME`).
fn checked_len(len: u32) -> io::Result<usize> {
    let len = len as usize;
    if len > crate::store::codec::MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a record of {len} bytes: the file is corrupt"),
        ));
    }
    Ok(len)
}

fn cut_short() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the file ends inside a record",
    )
}
