//! Cells safe to open in a spreadsheet (docs/columns.md, "Text cells"). DICOM text is
//! written by whoever configured the scanner, and a CSV is opened in Excel or LibreOffice:
//! - a text cell whose first character is `=`, `+`, `-`, `@` (a formula to a spreadsheet) or
//!   `'` gets a leading `'` (OWASP, "CSV Injection"); stripping one leading `'` from a cell
//!   that has one gives the text back;
//! - the characters a reader would not see as they are (`crate::visible`: controls, the
//!   bidirectional and zero-width characters, the line and paragraph separators, U+FEFF)
//!   are written visibly as `\u{XXXX}`, the same characters a path escapes (`path_text`);
//! - number cells (`Plain`) are never touched: `-2.4` stays a number.

use std::borrow::Cow;

use super::table::{Cell, ColumnType, ToCell, append_field};
use crate::decimal::Decimal;
use crate::pseudonym::{Ids, Vocabulary};
use crate::visible::hidden;

/// Whether every byte is printable ASCII (0x20 to 0x7E), eight bytes at a time (a byte
/// loop was 1 % of a scan's instructions: docs/performance.md).
#[inline]
fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    const DELS: u64 = u64::from_le_bytes([0x7F; 8]);
    // Some byte of `word` is 0x80 or more, below 0x20 (a borrow out of a byte under 0x20
    // can only flag bytes above one that is), or 0x7F (a zero byte of `word ^ DELS`).
    let bad = |word: u64| {
        let del = word ^ DELS;
        (word | (word.wrapping_sub(SPACES) & !word) | (del.wrapping_sub(ONES) & !del)) & HIGH != 0
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        if bad(u64::from_le_bytes(chunk.try_into().expect("8 bytes"))) {
            return false;
        }
    }
    chunks.remainder().iter().all(|b| (0x20..0x7F).contains(b))
}

/// Whether `bytes` can be written as a CSV field as they are: printable ASCII (0x20 to
/// 0x7E: no control character, nothing a reader would not see), with no comma or quote
/// (and so no CR or LF), and not starting as a formula does. One pass, eight bytes at a
/// time: `safe_text` then the CSV quoting test read a field twice (docs/performance.md).
#[inline]
pub(super) fn plain_field(bytes: &[u8]) -> bool {
    printable_unquoted::<false>(bytes)
}

/// Whether `bytes` are printable ASCII with no quote, a comma only where `COMMA_ALLOWED`,
/// and not starting as a formula does: `plain_field`, and `quoted_as_it_is` (the same test
/// with commas allowed).
#[inline]
fn printable_unquoted<const COMMA_ALLOWED: bool>(bytes: &[u8]) -> bool {
    const fn splat(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    const ONES: u64 = splat(0x01);
    const HIGH: u64 = splat(0x80);
    // A zero byte in `x` (exact as a yes or no: a borrow only flags bytes above a zero one).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    // As in `printable_ascii`, with the quote (and the comma) found as zero bytes of XORs.
    let bad = |word: u64| {
        let mut flags = word
            | (word.wrapping_sub(splat(0x20)) & !word)
            | zero(word ^ splat(0x7F))
            | zero(word ^ splat(b'"'));
        if !COMMA_ALLOWED {
            flags |= zero(word ^ splat(b','));
        }
        flags & HIGH != 0
    };
    if matches!(bytes.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\'')) {
        return false;
    }
    all_words(bytes, bad)
        || (bytes.len() < 8
            && bytes
                .iter()
                .all(|&b| (0x20..0x7F).contains(&b) && b != b'"' && (COMMA_ALLOWED || b != b',')))
}

/// Whether no word of `bytes` is `bad`: eight bytes at a time, the last word the last
/// eight bytes (overlapping the one before), where a loop over the last 0-7 bytes cost
/// about a fifth of a cell's check (docs/performance.md, "The end of a run"). False for
/// fewer than eight bytes (the caller's byte loop answers).
#[inline]
fn all_words(bytes: &[u8], bad: impl Fn(u64) -> bool) -> bool {
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let len = bytes.len();
    if len < 8 {
        return false;
    }
    let mut at = 0;
    while at + 8 <= len {
        if bad(word(at)) {
            return false;
        }
        at += 8;
    }
    at == len || !bad(word(len - 8))
}

/// The cell text of `text` (see the module documentation).
pub fn safe_text(text: &str) -> Cow<'_, str> {
    let formula = matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\'')
    );
    // Fast path: plain ASCII without control characters (almost every cell).
    if !formula && (printable_ascii(text.as_bytes()) || !text.chars().any(hidden)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    if formula {
        out.push('\'');
    }
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A text cell, made safe as it is written.
#[derive(Debug, Clone, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl ToCell for Text<'_> {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Cell::Text(safe_text(&self.0))
    }
    #[inline(always)]
    fn append_csv(&self, out: &mut Vec<u8>) {
        // An empty cell writes nothing: tested in the row's own code, not after a call
        // (three in four of studies.csv's text cells are empty on the body composition
        // corpus, its enCORE visits; docs/performance.md, "The end of a run").
        if !self.0.is_empty() {
            self.append_nonempty(out);
        }
    }
}

impl Text<'_> {
    /// `append_csv` of a text that is not empty.
    #[inline(never)]
    fn append_nonempty(&self, out: &mut Vec<u8>) {
        let bytes = self.0.as_bytes();
        if plain_field(bytes) {
            out.extend_from_slice(bytes);
        } else {
            append_unplain(out, &self.0);
        }
    }
}

/// `Text::append_csv` of a text that is not a plain field: apart, so that the plain path
/// (nearly every cell) saves only the few registers it uses (docs/performance.md, "The end
/// of a run").
#[cold]
#[inline(never)]
fn append_unplain(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    if quoted_as_it_is(bytes) {
        // Only a comma kept it from being plain: quoted, nothing to double.
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
    } else {
        append_field(out, safe_text(text).as_bytes());
    }
}

/// Whether a text that is not `plain_field` is written as itself in quotes: printable
/// ASCII with no quote, not starting as a formula, so that only a comma made it not plain
/// (a follow-up or measurement note of several parts). One pass, where `safe_text` and
/// then the quoting read it twice more (docs/performance.md, "The end of a run").
#[inline]
pub(super) fn quoted_as_it_is(bytes: &[u8]) -> bool {
    printable_unquoted::<true>(bytes)
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Self {
        Text(Cow::Borrowed(text))
    }
}

impl From<String> for Text<'_> {
    fn from(text: String) -> Self {
        Text(Cow::Owned(text))
    }
}

impl<'a> From<Cow<'a, str>> for Text<'a> {
    fn from(text: Cow<'a, str>) -> Self {
        Text(text)
    }
}

/// A cell of a document's free text (a title, a label, a remark: docs/privacy.md, "Free
/// text"), which can hold a name. Made only by `DocText::new`, which names the column's
/// vocabulary: under --pseudonymize, only what the vocabulary knows is written.
#[derive(Debug, Clone, Default)]
pub struct DocText<'a>(Text<'a>);

impl<'a> DocText<'a> {
    /// The cell of a document's `text`, as `ids` writes it: as it is, or under
    /// --pseudonymize only what `vocabulary` knows of it.
    pub fn new(ids: Ids<'_>, vocabulary: Vocabulary, text: &'a str) -> DocText<'a> {
        DocText(Text(ids.free_text(vocabulary, text)))
    }
}

impl ToCell for DocText<'_> {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        self.0.cell()
    }
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        self.0.append_csv(out);
    }
}

/// An optional date cell: ISO 8601 `YYYY-MM-DD`, empty when absent.
#[derive(Debug, Clone, Copy)]
pub struct DateCell(pub Option<crate::date::Date>);

impl ToCell for DateCell {
    const KIND: ColumnType = ColumnType::Date;
    fn cell(&self) -> Cell<'_> {
        Cell::Date(self.0)
    }
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        if let Some(date) = self.0 {
            append_iso(out, date.iso_digits(), &date);
        }
    }
}

/// An optional date and time cell: ISO 8601 `YYYY-MM-DDTHH:MM:SS.ffffff` (`Timestamp`'s
/// text, its digits `Timestamp::iso_digits`), empty when absent.
#[derive(Debug, Clone, Copy)]
pub struct TimeCell(pub Option<crate::date::Timestamp>);

impl ToCell for TimeCell {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Cell::Text(
            self.0
                .map_or(Cow::Borrowed(""), |t| Cow::Owned(t.to_string())),
        )
    }
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        if let Some(time) = self.0 {
            append_iso(out, time.iso_digits(), &time);
        }
    }
}

/// A date's or timestamp's fixed-width ISO digits; out of their widths (a year past 9999,
/// hours past 99) the value's own text. Either is digits, `-`, `T`, `:` and `.`: never
/// quoted.
#[inline]
fn append_iso<const N: usize>(
    out: &mut Vec<u8>,
    digits: Option<[u8; N]>,
    value: &impl std::fmt::Display,
) {
    match digits {
        Some(text) => out.extend_from_slice(&text),
        None => {
            use std::io::Write;
            let _ = write!(out, "{value}");
        }
    }
}

/// A number cell: plain decimal text with at least `min_decimals` decimals, empty when
/// absent. Formatted on the stack as it is written (no `String` per cell).
#[derive(Debug, Clone, Copy)]
pub struct Plain(pub Option<Decimal>, pub u32);

impl ToCell for Plain {
    const KIND: ColumnType = ColumnType::Float;
    fn cell(&self) -> Cell<'_> {
        Cell::Number(self.0, self.1)
    }
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        if let Some(value) = self.0 {
            // A plain number: digits, `-` and `.` only, never quoted.
            value.append_plain(self.1, out);
        }
    }
}

#[cfg(test)]
mod tests {
    /// The word-at-a-time check against the byte loop it replaced, on seeded random bytes
    /// of every length up to 40 (each byte value at every position of a word among them).
    #[test]
    fn printable_ascii_agrees_with_a_byte_loop() {
        let mut next = crate::test_rng::splitmix(3);
        let slow = |bytes: &[u8]| bytes.iter().all(|b| (0x20..0x7F).contains(b));
        let (mut plain, mut not) = (0, 0);
        for _ in 0..50_000 {
            let len = (next() % 41) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|_| b'a' + (next() % 26) as u8).collect();
            if len > 0 && next() % 2 == 0 {
                let at = (next() as usize) % len;
                bytes[at] = next() as u8;
            }
            let fast = super::printable_ascii(&bytes);
            assert_eq!(fast, slow(&bytes), "{bytes:?}");
            if fast { plain += 1 } else { not += 1 }
        }
        for byte in 0..=255u8 {
            for at in 0..16 {
                let mut bytes = vec![b'x'; 16];
                bytes[at] = byte;
                assert_eq!(
                    super::printable_ascii(&bytes),
                    slow(&bytes),
                    "{byte} at {at}"
                );
            }
        }
        assert!(plain > 10_000 && not > 10_000, "{plain} {not}");
    }

    use super::*;

    /// The one-pass test against what it stands for (the cell as `safe_text` makes it is
    /// the text itself, and the CSV writer would not quote it), on seeded random texts of
    /// the bytes that matter at every position of a word.
    #[test]
    fn plain_field_is_safe_and_unquoted() {
        let mut next = crate::test_rng::splitmix(17);
        let special = [
            ",", "\"", "\r", "\n", "=", "+", "-", "@", "'", "\u{0}", "\u{7f}", "\t", "é",
            "\u{202E}", "\u{1f}", " ", "~", "!",
        ];
        let (mut plain, mut not) = (0, 0);
        for _ in 0..50_000 {
            let len = (next() % 30) as usize;
            let mut text: String = (0..len)
                .map(|_| char::from(b'a' + (next() % 26) as u8))
                .collect();
            if next() % 2 == 0 {
                let at = (next() as usize) % (len + 1);
                text.insert_str(at, special[(next() % special.len() as u64) as usize]);
            }
            let expected = safe_text(&text) == text.as_str()
                && !text
                    .bytes()
                    .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
                && text.is_ascii()
                && !text.bytes().any(|b| b == 0x7F || b < 0x20);
            let fast = plain_field(text.as_bytes());
            assert_eq!(fast, expected, "{text:?}");
            if fast { plain += 1 } else { not += 1 }
        }
        assert!(plain > 10_000 && not > 10_000, "{plain} {not}");
    }

    /// A text cell written by its fast paths is what the safety rules and the CSV
    /// quoting write, on seeded random texts of the bytes that matter at every position.
    #[test]
    fn text_cells_write_what_the_rules_write() {
        let mut next = crate::test_rng::splitmix(29);
        let special = [
            ",", "\"", "\r", "\n", "=", "+", "-", "@", "'", "\u{0}", "\u{7f}", "\t", "é",
            "\u{202E}", " ", "~", ";",
        ];
        let mut quoted = 0;
        for _ in 0..50_000 {
            let len = (next() % 30) as usize;
            let mut text: String = (0..len)
                .map(|_| char::from(b'a' + (next() % 26) as u8))
                .collect();
            for _ in 0..(next() % 3) {
                let at = (next() as usize) % (text.len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.insert_str(at, special[(next() % special.len() as u64) as usize]);
            }
            let mut fast = Vec::new();
            Text::from(text.as_str()).append_csv(&mut fast);
            let mut slow = Vec::new();
            append_field(&mut slow, safe_text(&text).as_bytes());
            assert_eq!(fast, slow, "{text:?}");
            quoted +=
                usize::from(quoted_as_it_is(text.as_bytes()) && !plain_field(text.as_bytes()));
        }
        assert!(quoted > 1_000, "{quoted}");
    }

    /// A time cell's digits by hand (`Timestamp::iso_digits`, which `Timestamp`'s text
    /// uses too) are what the padded `format!` writes, on seeded random dates and times of
    /// every width (a day's last microsecond, hours past a day, years past 9999).
    #[test]
    fn time_cells_write_the_timestamps_text() {
        use crate::date::{Date, Timestamp};
        let mut next = crate::test_rng::splitmix(23);
        let mut cases = vec![None];
        for _ in 0..20_000 {
            let date = Date {
                year: (next() % 11_000) as u16,
                month: 1 + (next() % 12) as u8,
                day: 1 + (next() % 28) as u8,
            };
            let micros = match next() % 4 {
                0 => 86_399_999_999,
                1 => next() % 1_000_000_000_000,
                _ => next() % 86_400_000_000,
            };
            cases.push(Some(Timestamp { date, micros }));
        }
        for time in cases {
            let mut line = Vec::new();
            TimeCell(time).append_csv(&mut line);
            let text = time.map(|t| t.to_string()).unwrap_or_default();
            let padded = time.map_or(String::new(), |t| {
                let (d, seconds) = (t.date, t.micros / 1_000_000);
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
                    d.year,
                    d.month,
                    d.day,
                    seconds / 3600,
                    seconds / 60 % 60,
                    seconds % 60,
                    t.micros % 1_000_000
                )
            });
            assert_eq!(text, padded, "{time:?}");
            assert_eq!(String::from_utf8_lossy(&line), text, "{time:?}");
            assert_eq!(TimeCell(time).cell(), Cell::Text(Cow::Owned(text)));
        }
    }

    #[test]
    fn formulas_get_a_quote_and_numbers_do_not_exist_here() {
        for (text, cell) in [
            ("=2+2", "'=2+2"),
            ("+3+3", "'+3+3"),
            ("-1", "'-1"),
            ("@SUM(1,1)", "'@SUM(1,1)"),
            ("=cmd|\"/C calc\"!A0", "'=cmd|\"/C calc\"!A0"),
            ("'quoted", "''quoted"),
            ("HOLOGIC", "HOLOGIC"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(safe_text(text), cell, "{text:?}");
        }
    }

    #[test]
    fn hidden_characters_are_visible() {
        assert_eq!(safe_text("a\u{0}b"), "a\\u{0}b");
        assert_eq!(safe_text("\u{1B}[31mred"), "\\u{1B}[31mred");
        assert_eq!(safe_text("line\r\nnext"), "line\\u{D}\\u{A}next");
        assert_eq!(safe_text("\tx"), "\\u{9}x");
        assert_eq!(safe_text("abc\u{202E}fdp.exe"), "abc\\u{202E}fdp.exe");
        assert_eq!(safe_text("café"), "café");
        // A formula hidden behind a control character is still not a formula.
        assert_eq!(safe_text("\u{0}=1"), "\\u{0}=1");
    }

    #[test]
    fn a_cell_hides_nothing_a_path_would_show() {
        // One list of hidden characters (crate::visible) for text cells and paths: the
        // Arabic letter mark and the line and paragraph separators included.
        for c in [
            '\u{61C}', '\u{200B}', '\u{200E}', '\u{2028}', '\u{2029}', '\u{FEFF}',
        ] {
            let cell = safe_text(&format!("a{c}b")).into_owned();
            assert_eq!(cell, format!("a\\u{{{:X}}}b", u32::from(c)));
            let path = crate::path_text::path_text(std::path::Path::new(&format!("a{c}b")));
            assert!(path.starts_with("a\\x") && !path.contains(c), "{path:?}");
        }
    }

    #[test]
    fn one_leading_quote_undoes_the_rule() {
        for text in ["=x", "'=x", "''", "plain", "-", "@"] {
            let cell = safe_text(text);
            let undone = if matches!(text.chars().next(), Some('=' | '+' | '-' | '@' | '\'')) {
                cell.strip_prefix('\'').unwrap().to_string()
            } else {
                cell.to_string()
            };
            assert_eq!(undone, text);
        }
    }
}
