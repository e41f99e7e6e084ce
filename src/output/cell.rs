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
use crate::field_bytes::{plain_field, printable_ascii, quoted_as_it_is};
use crate::pseudonym::{Ids, Vocabulary};
use crate::visible::hidden;
use crate::visit::KeyText;

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

impl ToCell for KeyText<'_> {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Cell::Text(safe_text(&self.text))
    }
    /// As `Text` writes the same text (`output::cell::tests`), its plain check made once
    /// (`KeyText::new`): a plain field is copied as it is.
    #[inline(always)]
    fn append_csv(&self, out: &mut Vec<u8>) {
        if self.plain {
            out.extend_from_slice(self.text.as_bytes());
        } else {
            append_unplain(out, &self.text);
        }
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
mod tests;
