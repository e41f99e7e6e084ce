//! The head reader: which bytes of a file are read at all (docs/columns.md, "What is
//! read"). A report image carries megabytes of pixel data after its results, a CT image a
//! hundred; none of it is ever used. So a file is read as a stream of element headers: the
//! bytes up to top-level Pixel Data (7FE0,0010), without binary values longer than
//! `HeadPolicy::elide_above` (OB, OW, UN, ... and private tags in implicit VR), unless their
//! first bytes are a Hologic results document (docs/profiles.md). An elided value's length is
//! patched to 0, and so are the lengths of the defined-length sequences and items around
//! it: everything after moves by the same amount, so the walk (`walk.rs`) sees the same
//! structure and checks it exactly as it would the whole file (byte positions in its
//! messages count the bytes as read). The cap (`--max-file-size`) applies to what is kept.
//!
//! This reader never decides that a file is bad: the walk does, on what this reader hands
//! it. Where the structure cannot be followed (an unknown VR, an unexpected delimiter,
//! nesting or element count past the caps: the walk fails at that very header, whatever
//! follows), it keeps a short tail and stops, so a 1 GiB run of garbage (a deflate bomb) costs
//! nothing; where the walk's verdict depends on what follows (a child running past a parent
//! that itself claims more than the file holds), it keeps the rest of a file as it is. The
//! same header functions (`header.rs`) serve both, so both split bytes into elements alike;
//! a test runs both ways over every fuzz corpus file and fixture and compares the outcomes.

use dicom_core::Tag;

use super::header::{
    ITEM, ITEM_DELIMITER, PIXEL_DATA, SEQUENCE_DELIMITER, UNDEFINED, binary_value, le16,
    opens_sequence, read_header, read16, read32, write32,
};
use super::{Endian, Limits};
use crate::error::{FileError, Reason};

/// Where bytes come from: a file (seekable, its size known) or an inflating deflate stream.
pub trait Source {
    /// Appends up to `max` bytes to `out` (a little more is allowed); returns how many were
    /// appended, 0 only at the end.
    fn read_into(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize, FileError>;
    /// Skips `n` bytes without keeping them; returns how many were skipped (fewer only at
    /// the end).
    fn skip(&mut self, n: u64) -> Result<u64, FileError>;
    /// Bytes left, when known (a file's size minus its position).
    fn remaining(&self) -> Option<u64>;
}

/// What is left unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadPolicy {
    /// Binary values longer than this many bytes are not read, unless a results document.
    /// 64 KiB: larger than any value a reader here uses except the results documents and
    /// XML (text VRs, never elided), smaller than any pixel data worth skipping.
    pub elide_above: usize,
    /// Bytes read at a time.
    pub chunk: usize,
}

impl Default for HeadPolicy {
    fn default() -> Self {
        HeadPolicy {
            elide_above: 64 * 1024,
            chunk: 64 * 1024,
        }
    }
}

/// Bytes kept after a header that the walk will reject whatever follows it.
const TAIL: usize = 4096;
/// Bytes of a large binary value looked at to recognise a results document.
const PEEK: usize = 1024;

/// A file's bytes as read: everything the walk needs, nothing it does not.
#[derive(Debug, Default)]
pub struct Head {
    /// Preamble, meta group and data set, with elided values emptied.
    pub bytes: Vec<u8>,
    /// How many values were not read, and their bytes.
    pub elided_values: usize,
    /// Bytes of the values not read.
    pub elided_bytes: u64,
    /// Whether reading stopped at top-level Pixel Data.
    pub pixel_data: bool,
}

/// Whether the first bytes of a value are a Hologic APEX results document (text starting
/// `<HologicHeader1>`, or holding `ResultsTable1[`: docs/profiles.md), which is read
/// whatever its size (up to the cap).
pub fn looks_like_results_document(first: &[u8]) -> bool {
    let contains = |needle: &[u8]| first.windows(needle.len()).any(|w| w == needle);
    contains(b"<HologicHeader1>") || contains(b"ResultsTable1[")
}

/// Reads a file's head from `source` (the whole file when it is not DICOM: only its first
/// chunk, enough to say what it is).
pub fn read_head<S: Source>(
    source: &mut S,
    limits: &Limits,
    policy: &HeadPolicy,
) -> Result<Head, FileError> {
    let mut head = Head::default();
    let mut reader = Compactor {
        source,
        out: &mut head.bytes,
        policy,
        limits,
        elided_values: 0,
        elided_bytes: 0,
    };
    reader.ensure(policy.chunk)?;
    let out = &reader.out;
    let meta_start = if out.len() >= 132 && &out[128..132] == b"DICM" {
        Some(132)
    } else if out.len() >= 4 && &out[..4] == b"DICM" {
        Some(4)
    } else {
        None
    };
    let stop = match meta_start {
        None => {
            let total = reader.known_total();
            match super::file::sniff_raw_dataset(reader.out, total) {
                Some(syntax) => reader.data_set(0, syntax)?,
                // Not DICOM: the first chunk says what it is.
                None => Stop::End,
            }
        }
        Some(start) => match reader.meta(start)? {
            Stop::MetaEnd => match super::file::read_meta(reader.out, start) {
                Ok(meta) if meta.syntax == super::Syntax::DeflatedExplicitLe => {
                    // Compressed: read whole (it is inflated, capped, by `scan_file`).
                    reader.verbatim()?
                }
                Ok(meta) => reader.data_set(meta.end, meta.syntax)?,
                // `scan_file` reads the same meta group and says what is wrong with it.
                Err(_) => Stop::End,
            },
            other => other,
        },
    };
    head.elided_values = reader.elided_values;
    head.elided_bytes = reader.elided_bytes;
    head.pixel_data = stop == Stop::PixelData;
    too_large_if(head.bytes.len() as u64, limits.max_file_bytes)?;
    Ok(head)
}

/// Reads a data set of `syntax` (never deflated) from `source` into `out`, as `read_head`
/// does after the meta group: how `scan_file` inflates a deflated data set.
pub(super) fn read_data_set<S: Source>(
    source: &mut S,
    out: &mut Vec<u8>,
    syntax: super::Syntax,
    limits: &Limits,
    policy: &HeadPolicy,
) -> Result<(), FileError> {
    let mut reader = Compactor {
        source,
        out,
        policy,
        limits,
        elided_values: 0,
        elided_bytes: 0,
    };
    reader.data_set(0, syntax)?;
    too_large_if(reader.out.len() as u64, limits.max_file_bytes)
}

fn too_large_if(kept: u64, cap: u64) -> Result<(), FileError> {
    if kept > cap {
        return Err(FileError::new(
            Reason::TooLarge,
            format!(
                "{kept} bytes to read (up to the pixel data, large binary values left out) \
                 exceed the {cap}-byte cap (--max-file-size)"
            ),
        ));
    }
    Ok(())
}

/// Why reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
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

struct Compactor<'r, S> {
    source: &'r mut S,
    /// Everything kept so far, and what has been read ahead.
    out: &'r mut Vec<u8>,
    policy: &'r HeadPolicy,
    limits: &'r Limits,
    elided_values: usize,
    elided_bytes: u64,
}

/// What to do with a large binary value.
enum Large {
    /// Read it (a results document).
    Keep,
    /// Left out; the parse goes on at its (now empty) value.
    Elided,
    /// It runs past the end of the source: the rest is kept as it is.
    PastEnd,
}

impl<S: Source> Compactor<'_, S> {
    /// Makes `out` hold at least `n` bytes; false when the source ends first.
    fn ensure(&mut self, n: usize) -> Result<bool, FileError> {
        while self.out.len() < n {
            let want = (n - self.out.len()).max(self.policy.chunk);
            if self.source.read_into(self.out, want)? == 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The position in `out` where the source ends, when the source knows its size.
    fn known_total(&self) -> usize {
        self.source
            .remaining()
            .and_then(|left| usize::try_from(left).ok())
            .map_or(usize::MAX, |left| self.out.len().saturating_add(left))
    }

    /// Keeps the rest of the source as it is (the cap still applies).
    fn verbatim(&mut self) -> Result<Stop, FileError> {
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
    fn meta(&mut self, start: usize) -> Result<Stop, FileError> {
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
    fn data_set(&mut self, start: usize, syntax: super::Syntax) -> Result<Stop, FileError> {
        let endian = if syntax == super::Syntax::ExplicitBe {
            Endian::Big
        } else {
            Endian::Little
        };
        let root_implicit = syntax == super::Syntax::ImplicitLe;
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
            if stack.is_empty() && tag == PIXEL_DATA {
                self.out.truncate(pos);
                return Ok(Stop::PixelData);
            }
            elements += 1;
            if elements > self.limits.max_elements {
                return self.tail(pos);
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
            let value = &self.out[value_start.min(self.out.len())..];
            let encapsulated = tag == PIXEL_DATA && header.length == UNDEFINED;
            let length_endian = if implicit { Endian::Little } else { endian };
            let length_at = value_start - 4;
            if opens_sequence(tag, &header, value) || encapsulated {
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
        Ok(Large::Elided)
    }
}
