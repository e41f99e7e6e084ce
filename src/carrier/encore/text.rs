//! The text of an export file, line by line: UTF-16LE after its BOM (what enCORE writes,
//! docs/evidence.md), or UTF-8 (a copy saved again by a spreadsheet: accepted, not seen).
//! Lines end with CRLF (LF alone is taken too). The lines are decoded once (`Decoded`: the
//! reader's passes go over them): a text of ASCII characters alone, what enCORE writes,
//! packed whole into its bytes and cut at its line feeds (`Decoded::ascii`, `pack`), any
//! other line by line; a line never beyond `MAX_LINE_CHARS`: a longer one is skipped to
//! its end and reported.

/// Longest line, in characters (a 160-column row is about 1 500).
pub const MAX_LINE_CHARS: usize = 64 << 10;

/// The identity columns, in order: what makes a file an enCORE export.
pub(super) use crate::sr::dataset::EXPORT_IDENTITY as IDENTITY;

/// Whether `first` (a file's first bytes: enough for the header line's first four cells)
/// starts with the identity columns of an export: the head reader's check
/// (`sr::dataset::looks_like_export`), which reads such a file whole.
pub fn starts_like_export(first: &[u8]) -> bool {
    crate::sr::dataset::looks_like_export(first)
}

/// Whether a header line's first cells are the identity columns.
pub(super) fn is_identity<'c>(cells: impl IntoIterator<Item = &'c str>) -> bool {
    let mut cells = cells.into_iter();
    IDENTITY.iter().all(|name| {
        cells
            .next()
            .is_some_and(|cell| cell.trim().eq_ignore_ascii_case(name))
    })
}

/// The encoding of a file, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    /// UTF-16 little endian; the text starts after the BOM `FF FE`.
    Utf16Le,
    /// UTF-8, after a BOM `EF BB BF` if there is one.
    Utf8,
}

/// The encoding and the offset of the text.
pub(super) fn encoding(bytes: &[u8]) -> (Encoding, usize) {
    match bytes {
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
        [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8, 3),
        _ => (Encoding::Utf8, 0),
    }
}

/// One line, or why it was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    /// The line, without its end.
    Text,
    /// Longer than `MAX_LINE_CHARS`: skipped.
    TooLong,
}

/// Reads a file's lines.
pub(super) struct Lines<'b> {
    bytes: &'b [u8],
    at: usize,
    encoding: Encoding,
    /// Whether a code unit or byte sequence was not text (replaced by U+FFFD).
    pub(super) damaged: bool,
    /// Lines read so far (the current one's number, from 1).
    pub(super) number: usize,
    /// Whether runs of ASCII are taken eight characters at a step (`ascii_run`); off only
    /// in tests, where the character-by-character reading is the reference.
    bulk: bool,
}

impl<'b> Lines<'b> {
    /// The lines of `bytes`.
    pub(super) fn new(bytes: &'b [u8]) -> Self {
        let (encoding, at) = encoding(bytes);
        Lines {
            bytes,
            at,
            encoding,
            damaged: false,
            number: 0,
            bulk: true,
        }
    }

    /// The next line and its text; None at the end.
    #[cfg(test)]
    fn next_line(&mut self) -> Option<(Line, String)> {
        let mut bytes = Vec::new();
        let line = self.line_into(&mut bytes)?;
        Some((line, String::from_utf8(bytes).expect("UTF-8")))
    }

    /// The next line appended to `out` as UTF-8 (nothing when it is too long); None at the
    /// end.
    fn line_into(&mut self, out: &mut Vec<u8>) -> Option<Line> {
        if self.at >= self.bytes.len() {
            return None;
        }
        let start = out.len();
        self.number += 1;
        let mut chars = 0usize;
        let mut too_long = false;
        // Characters to read one by one before trying eight at a step again (after a step
        // that could not be taken: the end of a line, a character beyond ASCII).
        let mut one_by_one = 0u8;
        loop {
            if one_by_one == 0 && self.bulk && !too_long && chars + 8 <= MAX_LINE_CHARS {
                if self.ascii_run(out) {
                    chars += 8;
                    continue;
                }
                one_by_one = 8;
            }
            one_by_one = one_by_one.saturating_sub(1);
            let Some(c) = self.next_ascii().or_else(|| self.next_char()) else {
                break;
            };
            if c == '\n' {
                break;
            }
            chars += 1;
            // One more than the limit: the CR of a CRLF.
            if chars > MAX_LINE_CHARS + 1 {
                too_long = true;
                out.truncate(start);
                continue;
            }
            if too_long {
                continue;
            }
            match u8::try_from(c) {
                Ok(byte) if byte.is_ascii() => out.push(byte),
                _ => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        if out.len() > start && out.last() == Some(&b'\r') {
            out.pop();
            chars -= 1;
        }
        Some(if too_long || chars > MAX_LINE_CHARS {
            out.truncate(start);
            Line::TooLong
        } else {
            Line::Text
        })
    }

    /// Eight ASCII characters at the reading position, none of them a line feed, appended
    /// to `out` and read past; false, with nothing read, when the next eight are not such.
    /// A line's characters are nearly all ASCII: this is `next_ascii` eight times, in one
    /// test of two words (of four UTF-16 code units, or eight UTF-8 bytes, each).
    #[inline]
    fn ascii_run(&mut self, out: &mut Vec<u8>) -> bool {
        let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
        match self.encoding {
            Encoding::Utf16Le => {
                let Some(units) = self.bytes.get(self.at..self.at + 16) else {
                    return false;
                };
                let (low, high) = (word(&units[..8]), word(&units[8..]));
                if (low | high) & UTF16_NOT_ASCII != 0
                    || has_line_feed(low, UTF16_ONES, UTF16_TOPS)
                    || has_line_feed(high, UTF16_ONES, UTF16_TOPS)
                {
                    return false;
                }
                let packed = low_bytes(low) | low_bytes(high) << 32;
                out.extend_from_slice(&packed.to_le_bytes());
                self.at += 16;
            }
            Encoding::Utf8 => {
                let Some(bytes) = self.bytes.get(self.at..self.at + 8) else {
                    return false;
                };
                let eight = word(bytes);
                if eight & UTF8_NOT_ASCII != 0 || has_line_feed(eight, UTF8_ONES, UTF8_NOT_ASCII) {
                    return false;
                }
                out.extend_from_slice(bytes);
                self.at += 8;
            }
        }
        true
    }

    /// The next character when it is ASCII (nearly every one): `next_char`'s answer, sooner.
    fn next_ascii(&mut self) -> Option<char> {
        let (low, width) = match (self.encoding, self.bytes.get(self.at..)?) {
            (Encoding::Utf16Le, [low, 0, ..]) => (*low, 2),
            (Encoding::Utf8, [low, ..]) => (*low, 1),
            _ => return None,
        };
        if !low.is_ascii() {
            return None;
        }
        self.at += width;
        Some(char::from(low))
    }

    fn next_char(&mut self) -> Option<char> {
        let rest = self.bytes.get(self.at..)?;
        if rest.is_empty() {
            return None;
        }
        match self.encoding {
            Encoding::Utf16Le => {
                let unit = |i: usize| {
                    rest.get(2 * i..2 * i + 2)
                        .map(|b| u16::from_le_bytes([b[0], b[1]]))
                };
                let Some(first) = unit(0) else {
                    // An odd last byte: half a code unit.
                    self.at = self.bytes.len();
                    self.damaged = true;
                    return None;
                };
                // Outside the surrogates a code unit is its character (nearly every one).
                if let Some(c) = char::from_u32(u32::from(first)) {
                    self.at += 2;
                    return Some(c);
                }
                let pair = [first, unit(1).unwrap_or(0)];
                match char::decode_utf16(pair).next() {
                    Some(Ok(c)) => {
                        self.at += 2 * c.len_utf16();
                        Some(c)
                    }
                    _ => {
                        self.at += 2;
                        self.damaged = true;
                        Some(char::REPLACEMENT_CHARACTER)
                    }
                }
            }
            Encoding::Utf8 => {
                let take = rest.len().min(4);
                let (c, len) = match std::str::from_utf8(&rest[..take]) {
                    Ok(text) => text.chars().next().map(|c| (c, c.len_utf8()))?,
                    Err(error) if error.valid_up_to() > 0 => {
                        let text = std::str::from_utf8(&rest[..error.valid_up_to()])
                            .expect("valid up to here");
                        text.chars().next().map(|c| (c, c.len_utf8()))?
                    }
                    Err(_) => {
                        self.damaged = true;
                        (char::REPLACEMENT_CHARACTER, 1)
                    }
                };
                self.at += len;
                Some(c)
            }
        }
    }
}

/// A file's lines, decoded once (the reader's passes go over them).
pub(super) struct Decoded {
    /// The lines' text: one after the other (`decode`), or the whole file's, line ends
    /// and all (`ascii`).
    text: String,
    /// Each line's start and end in `text` and what it is (a line too long has no text).
    lines: Vec<(usize, usize, Line)>,
    /// The first line (from 1) where a code unit or byte sequence was not text (replaced
    /// by U+FFFD).
    pub(super) first_damaged: Option<usize>,
}

impl Decoded {
    /// Decodes every line of `bytes`: a text of ASCII characters alone (what enCORE
    /// writes) at once (`ascii`), any other line by line (`decode`), which give the same
    /// lines (`text::tests::an_ascii_text_is_decoded_as_line_by_line`).
    pub(super) fn new(bytes: &[u8]) -> Self {
        Self::ascii(bytes).unwrap_or_else(|| Self::decode(bytes, true))
    }

    /// `new`, with ASCII runs taken eight characters at a step or not (`Lines::bulk`).
    fn decode(bytes: &[u8], bulk: bool) -> Self {
        let mut reader = Lines::new(bytes);
        reader.bulk = bulk;
        let mut text = Vec::new();
        let mut lines = Vec::new();
        let mut first_damaged = None;
        loop {
            let start = text.len();
            let Some(line) = reader.line_into(&mut text) else {
                break;
            };
            lines.push((start, text.len(), line));
            if reader.damaged && first_damaged.is_none() {
                first_damaged = Some(reader.number);
            }
        }
        Decoded {
            text: String::from_utf8(text).expect("decoded characters are UTF-8"),
            lines,
            first_damaged,
        }
    }

    /// A text of ASCII characters alone (UTF-16 code units below 0x80, or UTF-8 bytes),
    /// taken whole: its code units' low bytes at once, `PACKED_STEP` at a step without a
    /// test of the step but for a line feed, then cut at its line feeds (a CR before one left
    /// out, a line longer than `MAX_LINE_CHARS` without its text), as `Lines` reads them.
    /// None for any other text (an odd last byte is damage): `decode` reads it.
    fn ascii(bytes: &[u8]) -> Option<Self> {
        let (encoding, at) = encoding(bytes);
        let units = &bytes[at..];
        // Where the line feeds are: the text's steps that hold one, then each.
        let mut feeds = Vec::with_capacity(16);
        let text = match encoding {
            Encoding::Utf16Le => {
                if units.len() % 2 != 0 {
                    return None;
                }
                // Room for the whole text, not zeroed: a zeroed block of some 6 KB cost the
                // allocator a `memset` of more instructions than the steps below.
                let mut text = Vec::with_capacity(units.len() / 2);
                let rest = pack_ascii_units(units, &mut text, &mut feeds)?;
                let tail = text.len();
                for unit in rest.chunks_exact(2) {
                    if unit[1] != 0 || !unit[0].is_ascii() {
                        return None;
                    }
                    text.push(unit[0]);
                }
                feeds.push(tail);
                text
            }
            Encoding::Utf8 => {
                if !units.is_ascii() {
                    return None;
                }
                feeds.push(0);
                units.to_vec()
            }
        };
        let mut lines = Vec::with_capacity(8);
        let mut start = 0;
        // A line from `start` to a line feed at `end` (or the text's end).
        let line = |start: &mut usize, end: usize, lines: &mut Vec<_>| {
            let mut stop = end;
            if stop > *start && text[stop - 1] == b'\r' {
                stop -= 1;
            }
            lines.push(if stop - *start > MAX_LINE_CHARS {
                (*start, *start, Line::TooLong)
            } else {
                (*start, stop, Line::Text)
            });
            *start = end + 1;
        };
        // A step found above holds at least one line feed; the last one (the rest of the
        // text, the whole text for UTF-8) is read byte by byte.
        for (i, &from) in feeds.iter().enumerate() {
            let to = if i + 1 == feeds.len() {
                text.len()
            } else {
                (from + PACKED_STEP).min(text.len())
            };
            for (at, byte) in text[from..to].iter().enumerate() {
                if *byte == b'\n' {
                    line(&mut start, from + at, &mut lines);
                }
            }
        }
        if start < text.len() {
            line(&mut start, text.len(), &mut lines);
        }
        // Every byte is below 0x80 (the units' test in `pack_ascii_units`, the tail's and
        // UTF-8's above), so the check cannot fail; it is kept (3 million instructions over
        // the body list's 1 000 exports, docs/performance.md) rather than trusting the
        // pack's test with `unsafe` on the path of an untrusted file.
        let text = String::from_utf8(text).ok()?;
        Some(Decoded {
            text,
            lines,
            first_damaged: None,
        })
    }

    /// How many lines the text has.
    pub(super) fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The lines: their number (from 1), what each is, and its text (empty when too long).
    pub(super) fn lines(&self) -> impl Iterator<Item = (usize, Line, &str)> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, (start, end, line))| (i + 1, *line, &self.text[*start..*end]))
    }
}

mod pack;
#[cfg(test)]
mod tests;

use pack::{
    PACKED_STEP, UTF8_NOT_ASCII, UTF8_ONES, UTF16_NOT_ASCII, UTF16_ONES, UTF16_TOPS, has_line_feed,
    low_bytes, pack_ascii_units,
};
