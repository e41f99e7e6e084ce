//! Following a data set's structure while reading it: which bytes to keep, which to skip,
//! where to stop (see the parent module for why). The order of checks is the walk's
//! (`walk.rs`), header by header, so that the walk meets on the bytes kept exactly what it
//! would have met on the whole file.

use dicom_core::Tag;

use super::super::header::{
    ITEM, ITEM_DELIMITER, PIXEL_DATA, SEQUENCE_DELIMITER, UNDEFINED, binary_value, le16,
    opens_sequence, read_header, read16, read32, too_many_elements, write32,
};
use super::super::meta::Syntax;
use super::super::source::Source;
use super::super::{Endian, Limits};
use super::policy::{HeadPolicy, PEEK, TAIL, looks_like_results_document, too_large_if};
use crate::error::{FileError, Reason};

/// Why reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// The source ended (or the walk will stop here and say why).
    End,
    /// At the first element after the meta group.
    MetaEnd,
    /// At top-level Pixel Data.
    PixelData,
}

/// A sequence or item being read.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// Where a defined-length sequence or item ends (in `out`); None for undefined length.
    end: Option<usize>,
    /// The nearest defined end: this frame's, else its parent's.
    bound: Option<usize>,
    /// Where its 4-byte length is in `out`, and in which byte order (defined length only).
    length_at: Option<(usize, Endian)>,
    sequence: bool,
    implicit: bool,
    fragments: bool,
}

/// Reads a head from a source into `out`, following the structure (see the module).
pub(super) struct HeadReader<'r, S> {
    pub(super) source: &'r mut S,
    /// Everything kept so far, and what has been read ahead.
    pub(super) out: &'r mut Vec<u8>,
    pub(super) policy: &'r HeadPolicy,
    pub(super) limits: &'r Limits,
    pub(super) elided_values: usize,
    pub(super) elided_bytes: u64,
    /// Bytes to read ahead next time: a chunk, but after a skipped value a little, doubling
    /// with each read (what follows a bitmap is usually a few headers and the pixel data:
    /// a chunk there read 64 KiB of pixels per report image).
    pub(super) ahead: usize,
    /// Bytes at the start never moved by leaving a value out: a file's `FILE_KIND_BYTES`,
    /// none of an inflated data set (which has no preamble to mistake).
    pub(super) fixed: usize,
}

/// Read ahead after a skipped value.
const AFTER_SKIP: usize = 4096;
/// A preamble (128 bytes) and the DICM magic: what `read_head` and `scan_file` look at to
/// say what a file is. No value starting in them is left out of a file.
pub(super) const FILE_KIND_BYTES: usize = 132;

/// What to do with a large binary value.
enum Large {
    /// Read it (a results document).
    Keep,
    /// Left out; the parse goes on at its (now empty) value.
    Elided,
    /// It runs past the end of the source: the rest is kept as it is.
    PastEnd,
}

impl<S: Source> HeadReader<'_, S> {
    /// Makes `out` hold at least `n` bytes; false when the source ends first.
    pub(super) fn ensure(&mut self, n: usize) -> Result<bool, FileError> {
        while self.out.len() < n {
            let want = (n - self.out.len()).max(self.ahead);
            self.ahead = (self.ahead * 2).min(self.policy.chunk);
            if self.source.read_into(self.out, want)? == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The position in `out` where the source ends, when the source knows its size.
    pub(super) fn known_total(&self) -> usize {
        self.source
            .remaining()
            .and_then(|left| usize::try_from(left).ok())
            .map_or(usize::MAX, |left| self.out.len().saturating_add(left))
    }

    /// Keeps the rest of the source as it is (the cap still applies).
    pub(super) fn verbatim(&mut self) -> Result<Stop, FileError> {
        loop {
            too_large_if(self.out.len() as u64, self.limits.max_file_bytes)?;
            let want = self.policy.chunk;
            if self.source.read_into(self.out, want)? == 0 {
                return Ok(Stop::End);
            }
        }
    }

    /// Keeps a short tail after `pos`, where the walk will stop with an error.
    fn tail(&mut self, pos: usize) -> Result<Stop, FileError> {
        self.ensure(pos + TAIL)?;
        self.out.truncate(pos + TAIL);
        Ok(Stop::End)
    }

    /// The file meta group (explicit VR little endian, no nesting: PS3.10 7.1), up to the
    /// first element of another group.
    pub(super) fn meta(&mut self, start: usize) -> Result<Stop, FileError> {
        let mut pos = start;
        loop {
            if !self.ensure(pos + 12)? && self.out.len() < pos + 4 {
                return Ok(Stop::End);
            }
            if le16(self.out, pos) != 0x0002 {
                return Ok(Stop::MetaEnd);
            }
            let Ok(header) = read_header(self.out, pos, Endian::Little, false) else {
                return self.tail(pos);
            };
            if header.length == UNDEFINED {
                return self.tail(pos);
            }
            let tag = Tag(0x0002, le16(self.out, pos + 2));
            let value_start = header.value_start;
            if header.length as usize > self.policy.elide_above && binary_value(tag, header.vr) {
                match self.large(pos + 8, Endian::Little, value_start, header.length, &mut [])? {
                    Large::Elided => {
                        pos = value_start;
                        continue;
                    }
                    Large::PastEnd => return self.verbatim(),
                    Large::Keep => {}
                }
            }
            let end = value_start + header.length as usize;
            if !self.keep(end)? {
                return Ok(Stop::End);
            }
            pos = end;
        }
    }

    /// Reads a value that is kept, up to `end`; false when the source ends first.
    fn keep(&mut self, end: usize) -> Result<bool, FileError> {
        // Refuse before reading: what would be kept, as far as the source goes.
        let needed = end.min(self.known_total());
        too_large_if(needed as u64, self.limits.max_file_bytes)?;
        self.ensure(end)
    }

    /// A data set from `start` in `out`, as the walk reads it (`walk.rs`, same order of
    /// checks), up to top-level Pixel Data.
    pub(super) fn data_set(&mut self, start: usize, syntax: Syntax) -> Result<Stop, FileError> {
        let endian = if syntax == Syntax::ExplicitBe {
            Endian::Big
        } else {
            Endian::Little
        };
        let root_implicit = syntax == Syntax::ImplicitLe;
        let mut stack: Vec<Frame> = Vec::new();
        let mut depth = 0usize;
        let mut elements = 0usize;
        let mut pos = start;
        loop {
            while let Some(frame) = stack.last() {
                match frame.end {
                    Some(end) if pos == end => {
                        if stack.pop().is_some_and(|f| f.sequence) {
                            depth -= 1;
                        }
                    }
                    Some(end) if pos > end => return self.tail(pos),
                    _ => break,
                }
            }
            if !self.ensure(pos + 8)? {
                return Ok(Stop::End);
            }
            let tag = Tag(
                read16(self.out, pos, endian),
                read16(self.out, pos + 2, endian),
            );
            if tag == PIXEL_DATA && stack.is_empty() {
                self.out.truncate(pos);
                return Ok(Stop::PixelData);
            }
            elements += 1;
            if elements > self.limits.max_elements {
                // The walk would count the same headers to the same verdict, after
                // building an index of all of them (8 MB at the cap): said here instead.
                return Err(too_many_elements(self.limits.max_elements));
            }
            let top = stack.last().copied();
            let bound = top.and_then(|f| f.bound);

            if tag.group() == 0xFFFE {
                let length = read32(self.out, pos + 4, endian);
                let item_at = pos;
                pos += 8;
                let defined = (length != UNDEFINED).then(|| pos + length as usize);
                let overruns = defined.and_then(|end| bound.filter(|b| end > *b));
                match (tag, stack.last_mut()) {
                    (ITEM, Some(frame)) if frame.sequence && frame.fragments => {
                        let Some(end) = defined else {
                            return self.tail(item_at);
                        };
                        if let Some(bound) = overruns {
                            return self.overrun(item_at, bound);
                        }
                        if length as usize > self.policy.elide_above {
                            match self.large(item_at + 4, endian, pos, length, &mut stack)? {
                                Large::Elided => continue,
                                Large::PastEnd => return self.verbatim(),
                                Large::Keep => {}
                            }
                        }
                        if !self.keep(end)? {
                            return Ok(Stop::End);
                        }
                        pos = end;
                    }
                    (ITEM, Some(frame)) if frame.sequence => {
                        if let Some(bound) = overruns {
                            return self.overrun(item_at, bound);
                        }
                        let implicit = frame.implicit;
                        stack.push(Frame {
                            end: defined,
                            bound: defined.or(bound),
                            length_at: defined.map(|_| (item_at + 4, endian)),
                            sequence: false,
                            implicit,
                            fragments: false,
                        });
                    }
                    (ITEM_DELIMITER, Some(frame)) if !frame.sequence && frame.end.is_none() => {
                        stack.pop();
                    }
                    (SEQUENCE_DELIMITER, Some(frame)) if frame.sequence && frame.end.is_none() => {
                        stack.pop();
                        depth -= 1;
                    }
                    _ => return self.tail(item_at),
                }
                continue;
            }
            if top.is_some_and(|f| f.sequence) {
                return self.tail(pos);
            }

            let implicit = top.map_or(root_implicit, |f| f.implicit);
            self.ensure(pos + 12)?;
            let header = match read_header(self.out, pos, endian, implicit) {
                Ok(header) => header,
                // Cut inside the header: the walk says so.
                Err(e) if e.reason == Reason::Truncated => return Ok(Stop::End),
                Err(_) => return self.tail(pos),
            };
            let value_start = header.value_start;
            // The walk looks at a value's first 8 bytes to tell an implicit sequence.
            self.ensure(value_start + 8)?;
            let encapsulated = tag == PIXEL_DATA && header.length == UNDEFINED;
            let length_endian = if implicit { Endian::Little } else { endian };
            let length_at = value_start - 4;
            if opens_sequence(tag, &header, self.out) || encapsulated {
                depth += 1;
                if depth > self.limits.max_depth {
                    return self.tail(pos);
                }
                let defined =
                    (header.length != UNDEFINED).then(|| value_start + header.length as usize);
                if let Some(bound) = defined.and_then(|end| bound.filter(|b| end > *b)) {
                    return self.overrun(pos, bound);
                }
                stack.push(Frame {
                    end: defined,
                    bound: defined.or(bound),
                    length_at: defined.map(|_| (length_at, length_endian)),
                    sequence: true,
                    implicit: implicit || header.vr == Some(*b"UN"),
                    fragments: encapsulated,
                });
                pos = value_start;
                continue;
            }
            if header.length == UNDEFINED {
                return self.tail(pos);
            }
            let end = value_start + header.length as usize;
            if let Some(bound) = bound.filter(|b| end > *b) {
                return self.overrun(pos, bound);
            }
            if header.length as usize > self.policy.elide_above && binary_value(tag, header.vr) {
                match self.large(
                    length_at,
                    length_endian,
                    value_start,
                    header.length,
                    &mut stack,
                )? {
                    Large::Elided => {
                        pos = value_start;
                        continue;
                    }
                    Large::PastEnd => return self.verbatim(),
                    Large::Keep => {}
                }
            }
            if !self.keep(end)? {
                return Ok(Stop::End);
            }
            pos = end;
        }
    }

    /// An element at `pos` ends past its parent's `bound`. The walk rejects it there when
    /// the parent ends inside the file; when the parent itself claims more than the file
    /// holds, its verdict depends on what follows, so a file's rest is kept as it is. A
    /// source of unknown size (an inflating stream) gets the short tail: the walk fails
    /// either way (the parent stays open to the end), possibly naming `truncated` where the
    /// whole stream would have said `malformed`.
    fn overrun(&mut self, pos: usize, bound: usize) -> Result<Stop, FileError> {
        let total = self.known_total();
        if total == usize::MAX || bound <= total {
            self.tail(pos)
        } else {
            self.verbatim()
        }
    }

    /// A binary value of `length` bytes at `value_start`, its length field at `length_at`:
    /// left out unless it is a results document.
    fn large(
        &mut self,
        length_at: usize,
        length_endian: Endian,
        value_start: usize,
        length: u32,
        stack: &mut [Frame],
    ) -> Result<Large, FileError> {
        let len = length as usize;
        if value_start < self.fixed {
            // The first 132 bytes say what a file is (a preamble and DICM, or a bare data
            // set): moving them could turn a bare data set into a Part 10 file (fuzzing
            // found one whose DICM landed at byte 128 once a value was left out).
            return Ok(Large::Keep);
        }
        self.ensure(value_start + PEEK.min(len))?;
        let have = (self.out.len() - value_start).min(len);
        if looks_like_results_document(&self.out[value_start..value_start + have.min(PEEK)]) {
            return Ok(Large::Keep);
        }
        let to_skip = (len - have) as u64;
        if self.source.remaining().is_some_and(|left| left < to_skip) {
            return Ok(Large::PastEnd);
        }
        let skipped = self.source.skip(to_skip)?;
        if skipped < to_skip {
            // A stream that ended inside the value: `out` ends inside it too, and the walk
            // says that the value is cut short.
            return Ok(Large::PastEnd);
        }
        write32(self.out, length_at, 0, length_endian);
        for frame in stack.iter_mut() {
            if let Some((at, endian)) = frame.length_at {
                let patched = read32(self.out, at, endian) - length;
                write32(self.out, at, patched, endian);
            }
            frame.end = frame.end.map(|end| end - len);
            frame.bound = frame.bound.map(|end| end - len);
        }
        self.out.drain(value_start..value_start + have);
        self.elided_values += 1;
        self.elided_bytes += u64::from(length);
        self.ahead = AFTER_SKIP.min(self.policy.chunk);
        Ok(Large::Elided)
    }
}
