//! The text of an export file, line by line: UTF-16LE after its BOM (what enCORE writes,
//! docs/evidence.md), or UTF-8 (a copy saved again by a spreadsheet: accepted, not seen).
//! Lines end with CRLF (LF alone is taken too). The lines are decoded once, one after the
//! other into one text (`Decoded`: both passes of the reader go over it), a line
//! never beyond `MAX_LINE_CHARS`: a longer one is skipped to its end and reported.

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
        while let Some(c) = self.next_ascii().or_else(|| self.next_char()) {
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

/// A file's lines, decoded once (both passes of the reader go over them).
pub(super) struct Decoded {
    /// Every line's text, one after the other.
    text: String,
    /// Each line's end in `text` and what it is (a line too long has no text).
    lines: Vec<(usize, Line)>,
    /// The first line (from 1) where a code unit or byte sequence was not text (replaced
    /// by U+FFFD).
    pub(super) first_damaged: Option<usize>,
}

impl Decoded {
    /// Decodes every line of `bytes`.
    pub(super) fn new(bytes: &[u8]) -> Self {
        let mut reader = Lines::new(bytes);
        let mut text = Vec::new();
        let mut lines = Vec::new();
        let mut first_damaged = None;
        while let Some(line) = reader.line_into(&mut text) {
            lines.push((text.len(), line));
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

    /// The lines: their number (from 1), what each is, and its text (empty when too long).
    pub(super) fn lines(&self) -> impl Iterator<Item = (usize, Line, &str)> {
        let starts = std::iter::once(0).chain(self.lines.iter().map(|(end, _)| *end));
        starts
            .zip(&self.lines)
            .enumerate()
            .map(|(i, (start, (end, line)))| (i + 1, *line, &self.text[start..*end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            out.extend(unit.to_le_bytes());
        }
        out
    }

    fn all(bytes: &[u8]) -> (Vec<Result<String, Line>>, bool) {
        let mut lines = Lines::new(bytes);
        let mut out = Vec::new();
        while let Some((line, text)) = lines.next_line() {
            out.push(match line {
                Line::Text => Ok(text),
                other => Err(other),
            });
        }
        (out, lines.damaged)
    }

    #[test]
    fn utf16_and_utf8_lines() {
        let (lines, damaged) = all(&utf16("a\tb\r\n99.99 in³\r\n𝄞\r\n"));
        assert_eq!(
            lines,
            [Ok("a\tb".into()), Ok("99.99 in³".into()), Ok("𝄞".into())]
        );
        assert!(!damaged);
        let (lines, _) = all("\u{feff}x\ny\r\nlast".as_bytes());
        assert_eq!(lines, [Ok("x".into()), Ok("y".into()), Ok("last".into())]);
    }

    #[test]
    fn decoded_once_as_read_line_by_line() {
        let mut bytes = utf16(&format!(
            "h\tx\r\n\r\n{}\r\nlast\t𝄞",
            "y".repeat(MAX_LINE_CHARS + 1)
        ));
        bytes.extend([0x00, 0xD8]);
        let decoded = Decoded::new(&bytes);
        let (expected, damaged) = all(&bytes);
        let got: Vec<(usize, Result<String, Line>)> = decoded
            .lines()
            .map(|(n, line, text)| {
                (
                    n,
                    match line {
                        Line::Text => Ok(text.to_string()),
                        other => Err(other),
                    },
                )
            })
            .collect();
        let expected: Vec<_> = expected
            .into_iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(got.len(), 4);
        assert!(damaged);
        assert_eq!(
            decoded.first_damaged,
            Some(4),
            "the damage is in the last line"
        );
    }

    #[test]
    fn damage_is_replaced_and_said() {
        let mut bytes = utf16("ab");
        bytes.extend([0x00, 0xD8]); // a lone high surrogate
        bytes.extend(utf16("c\r\n")[2..].iter());
        bytes.push(0x41); // half a code unit
        let (lines, damaged) = all(&bytes);
        assert_eq!(lines, [Ok("ab\u{fffd}c".into()), Ok(String::new())]);
        assert!(damaged);
        let (lines, damaged) = all(b"a\xffb\n");
        assert_eq!(lines, [Ok("a\u{fffd}b".into())]);
        assert!(damaged);
    }

    #[test]
    fn a_line_too_long_is_skipped_to_its_end() {
        let text = format!("{}\r\nnext\r\n", "x".repeat(MAX_LINE_CHARS + 1));
        let (lines, _) = all(&utf16(&text));
        assert_eq!(lines, [Err(Line::TooLong), Ok("next".into())]);
        let exact = format!("{}\r\n", "x".repeat(MAX_LINE_CHARS));
        let (lines, _) = all(&utf16(&exact));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].is_ok());
    }
}
