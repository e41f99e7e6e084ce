//! The Hologic APEX results document, read as text (docs/evidence.md): pseudo-XML
//! around JavaScript files of assignments, one per line (`ResultsTable1[ 1][ 3] = "0.585";`).
//! It is not well-formed XML and never evaluated: each statement is split off the line,
//! its name and indexes read, its quoted (or bare) value kept as text.
//!
//! The statements are read in one pass over the bytes, the names and values borrowed from
//! the document's text (a value is copied only when it holds a backslash escape): a report
//! image's document has some 300 statements (docs/performance.md, "Body composition files").
//!
//! Everything is bounded: the document's size, the table number, the indexes, a cell's
//! length, the number of cells. What is beyond a bound is left out and flagged, never
//! wrapped or truncated into a value.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::document::DocFlag;
use gather::{LastName, Tables, store};
use line::Statement;
pub use line::{MAX_CELL, MAX_INDEX};

/// Largest results document read (the real ones are tens of KiB).
pub const MAX_DOCUMENT_BYTES: usize = 4 << 20;
/// Highest table number (`ResultsTable64`).
pub const MAX_TABLE: u32 = 64;
/// Most cells in one document.
pub const MAX_CELLS: usize = 100_000;

/// One table (`ResultsTableN` and its `TableTypeN`, `TableTitleN`, ... companions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table<'t> {
    /// `TableTypeN`.
    pub table_type: Option<u32>,
    /// `TableTitleN`.
    pub title: String,
    /// `TableColumnTypesN[c]`.
    pub column_types: BTreeMap<u32, u32>,
    /// `TableRowTypesN[r]`.
    pub row_types: BTreeMap<u32, u32>,
    /// `ResultsTableN[r][c]`, row 0 the header row, as written (escapes undone).
    pub cells: Cells<'t>,
}

/// A table's cells by (row, column), in order; the first one written of a cell kept. Read
/// into a list in the order written (by row, as APEX writes them), sorted once at the end:
/// no tree node per cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cells<'t> {
    sorted: Vec<((u32, u32), Cow<'t, str>)>,
}

impl<'t> Cells<'t> {
    /// A cell as written.
    pub fn get(&self, key: &(u32, u32)) -> Option<&Cow<'t, str>> {
        let at = self.sorted.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        Some(&self.sorted[at].1)
    }

    /// One row's cells, in order of their columns (found once for a row whose cells are
    /// each looked up: no search of the whole table per cell).
    pub fn row(&self, row: u32) -> &[((u32, u32), Cow<'t, str>)] {
        let start = self.sorted.partition_point(|((r, _), _)| *r < row);
        let rest = &self.sorted[start..];
        &rest[..rest.partition_point(|((r, _), _)| *r == row)]
    }

    /// The cells' (row, column), in order.
    pub fn keys(&self) -> impl Iterator<Item = &(u32, u32)> {
        self.sorted.iter().map(|(key, _)| key)
    }

    /// The cells, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&(u32, u32), &Cow<'t, str>)> {
        self.sorted.iter().map(|(key, value)| (key, value))
    }

    /// Whether the table has no cell.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// How many cells the table has.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// The cells in order, the first written of each kept (a stable sort keeps the order
    /// written among equal keys).
    fn finish(&mut self) {
        self.sorted.sort_by_key(|(key, _)| *key);
        self.sorted.dedup_by_key(|(key, _)| *key);
    }
}

impl Table<'_> {
    /// A cell as text, HTML removed (`<sup>`, `&nbsp;`), trimmed; empty when absent.
    pub fn cell(&self, row: u32, column: u32) -> String {
        self.cells
            .get(&(row, column))
            .map_or_else(String::new, |raw| plain_text(raw))
    }

    /// The rows that have any cell or a row type, in order (row 0 excluded). The cells come
    /// in order, so their rows are collected without a sort; only a table with row types
    /// sorts their union.
    pub fn rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = Vec::new();
        for (row, _) in self.cells.keys() {
            if *row > 0 && rows.last() != Some(row) {
                rows.push(*row);
            }
        }
        if !self.row_types.is_empty() {
            rows.extend(self.row_types.keys().copied().filter(|r| *r > 0));
            rows.sort_unstable();
            rows.dedup();
        }
        rows
    }
}

/// The document, as statements (borrowing the document's text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script<'t> {
    /// Plain assignments (`MenopauseAge = "44";`), first one of a name kept.
    pub values: BTreeMap<&'t str, Cow<'t, str>>,
    /// Tables by number.
    pub tables: BTreeMap<u32, Table<'t>>,
    /// What was left out, and why (studies.csv flags).
    pub flags: Vec<DocFlag>,
}

impl Script<'_> {
    /// A plain value, trimmed; None when absent or blank (`" "`).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn flag(&mut self, flag: DocFlag) {
        crate::flag::flag_once(&mut self.flags, flag);
    }
}

/// Text without HTML tags and with `&nbsp;`, `&lt;`, `&gt;`, `&amp;` decoded. A `<` that
/// does not open a tag (not followed by a letter, `/` or `!`) is text: a censored FRAX
/// value is written `< 1.0%` (docs/evidence.md, "Round two").
pub fn plain_text(raw: &str) -> String {
    // Without `<` and `&` there is nothing to remove or decode: the text trimmed.
    if !raw.bytes().any(|b| b == b'<' || b == b'&') {
        return raw.trim().to_string();
    }
    // The text between tags copied a run at a time: the bytes looked at (`<`, `>`, what
    // follows a `<`) are ASCII, which no byte of a longer character equals, so each run
    // is whole characters.
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let (mut in_tag, mut run) = (false, 0);
    for (at, &byte) in bytes.iter().enumerate() {
        if in_tag {
            if byte == b'>' {
                in_tag = false;
                run = at + 1;
            }
        } else if byte == b'<'
            && bytes
                .get(at + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, b'/' | b'!'))
        {
            out.push_str(&raw[run..at]);
            in_tag = true;
        }
    }
    if !in_tag {
        out.push_str(&raw[run..]);
    }
    // Without `&` there is no entity to decode (a header's `<sup>` only).
    if !out.contains('&') {
        return trimmed(out);
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// `text.trim().to_string()`, without a copy when there is nothing to trim.
fn trimmed(text: String) -> String {
    let cut = text.trim();
    if cut.len() == text.len() {
        text
    } else {
        cut.to_string()
    }
}

/// Decodes the element's bytes: UTF-8 when valid (borrowed), else Latin-1 (the charset
/// APEX writes); C1 control bytes (0x80-0x9F), which are not Latin-1 text, are flagged.
pub fn decode<'b>(bytes: &'b [u8], flags: &mut Vec<DocFlag>) -> Cow<'b, str> {
    let end = bytes
        .iter()
        .rposition(|b| *b != 0 && *b != b' ')
        .map_or(0, |p| p + 1);
    let bytes = &bytes[..end];
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            if bytes.iter().any(|b| (0x80..0xA0).contains(b)) {
                flags.push(DocFlag::HologicDocumentNotLatin1);
            }
            Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())
        }
    }
}

/// `str::trim`, the ASCII whitespace cut byte by byte (nearly every line, name and value
/// of a document is ASCII); `str::trim` only where a byte of a longer character is at an
/// end (it may be whitespace: U+00A0, a Latin-1 document's 0xA0).
fn trim(text: &str) -> &str {
    // The ASCII characters `char::is_whitespace` holds (`u8::is_ascii_whitespace` leaves
    // out U+000B).
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |p| p + 1);
    let cut = &text[start..end];
    match cut.as_bytes() {
        [first, ..] if !first.is_ascii() => cut.trim(),
        [.., last] if !last.is_ascii() => cut.trim(),
        _ => cut,
    }
}

/// An index as `str::parse::<u64>` reads it, without its general path for the one to three
/// digits every index has.
fn index_number(digits: &str) -> Option<u64> {
    match digits.as_bytes() {
        [a @ b'0'..=b'9'] => Some(u64::from(a - b'0')),
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some(u64::from(a - b'0') * 10 + u64::from(b - b'0')),
        [a @ b'0'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9'] => {
            Some(u64::from(a - b'0') * 100 + u64::from(b - b'0') * 10 + u64::from(c - b'0'))
        }
        _ => digits.parse().ok(),
    }
}

/// The position of the first `byte` in `text` at or after `from`.
fn find_byte(text: &str, byte: u8, from: usize) -> Option<usize> {
    text.as_bytes()[from..]
        .iter()
        .position(|b| *b == byte)
        .map(|p| from + p)
}

/// Reads the document's statements.
pub fn read(text: &str) -> Script<'_> {
    let mut script = Script::default();
    let mut tables = Tables::new();
    let mut last = LastName::new("");
    let mut cells = 0usize;
    let mut open_files = 0i32;
    // One line's statement ends, the buffer kept from line to line.
    let mut ends: Vec<usize> = Vec::new();
    let mut at = 0;
    // The lines as `str::lines` cuts them (each is trimmed, which removes a `\r`), each
    // scanned once for its end and its statements' ends.
    while at < text.len() {
        let line_start = at;
        // A line of one plain statement (nearly every line of a document) read in one
        // pass; any other line by the general path below.
        if let Some((statement, end, same_name)) = line::one_statement(text, at, last.name) {
            at = end + 1;
            if !same_name {
                last = LastName::new(statement.name);
            }
            store(&mut script, &mut tables, last.table, statement, &mut cells);
            continue;
        }
        let scan = scan_line(text.as_bytes(), at, &mut ends);
        at = scan.end + 1;
        let line = trim(&text[line_start..scan.end]);
        if line.starts_with("<JavaScriptFile") {
            open_files += 1;
            continue;
        }
        if line.starts_with("</JavaScriptFile") {
            open_files -= 1;
            continue;
        }
        // Each JavaScriptFile section opens with `/ Filename = C:\QDR\...\X.js` and `//
        // Written By HologicDICOMControl` (docs/evidence.md, "Round two"): comments, not
        // statements (no name starts with `/`), never a statement cut short.
        if line.starts_with('<') || line.starts_with('/') || line.is_empty() {
            continue;
        }
        // A quote left open, or a statement without its `;` (the last line of a document
        // cut short).
        if scan.quoted || !trim(&text[scan.rest..scan.end]).is_empty() {
            script.flag(DocFlag::HologicDocumentCutShort);
        }
        let mut start = line_start;
        for &end in &ends {
            let statement = &text[start..end];
            start = end + 1;
            let Some(statement) = parse_statement(statement, &mut script) else {
                continue;
            };
            let value = &statement.value;
            if value.len() > MAX_CELL && value.chars().count() > MAX_CELL {
                script.flag(DocFlag::HologicCellTooLong);
                continue;
            }
            if statement.name != last.name {
                last = LastName::new(statement.name);
            }
            store(&mut script, &mut tables, last.table, statement, &mut cells);
        }
    }
    if open_files != 0 {
        script.flag(DocFlag::HologicDocumentCutShort);
    }
    tables.finish(&mut script);
    script
}

/// What one pass over a line found.
struct LineScan {
    /// Where the line ends (its `\n`, or the end of the text).
    end: usize,
    /// Where the text after the last statement starts.
    rest: usize,
    /// Whether a quote was left open.
    quoted: bool,
}

/// Which bytes the line scan stops at.
const STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    stops[b'\n' as usize] = true;
    stops[b'\\' as usize] = true;
    stops[b'"' as usize] = true;
    stops[b';' as usize] = true;
    stops
};

/// Scans the line from `from`: its end, and into `ends` the `;` that end its statements
/// (outside quotes, where a backslash escapes the next byte). The bytes looked for are
/// ASCII, which no byte of a longer character equals.
fn scan_line(bytes: &[u8], from: usize, ends: &mut Vec<usize>) -> LineScan {
    ends.clear();
    let (mut at, mut quoted) = (from, false);
    while at < bytes.len() {
        let byte = bytes[at];
        if !STOPS[usize::from(byte)] {
            at += 1;
            continue;
        }
        match byte {
            b'\n' => break,
            // The escaped byte is skipped, unless it ends the line.
            b'\\' if quoted && bytes.get(at + 1).is_some_and(|b| *b != b'\n') => at += 1,
            b'"' => quoted = !quoted,
            b';' if !quoted => ends.push(at),
            _ => {}
        }
        at += 1;
    }
    LineScan {
        end: at,
        rest: ends.last().map_or(from, |end| end + 1),
        quoted,
    }
}

/// `Name[ i][ j] = "value"` into its parts; None (flagged) when it is not an assignment.
fn parse_statement<'t>(statement: &'t str, script: &mut Script<'_>) -> Option<Statement<'t>> {
    let equals = find_byte(statement, b'=', 0)?;
    let (left, right) = (trim(&statement[..equals]), &statement[equals + 1..]);
    let name_end = find_byte(left, b'[', 0).unwrap_or(left.len());
    let name = trim(&left[..name_end]);
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return None;
    }
    let mut out = Statement {
        name,
        indexes: [0; 2],
        count: 0,
        value: Cow::Borrowed(""),
    };
    let mut from = name_end;
    while let Some(open) = find_byte(left, b'[', from) {
        let close = find_byte(left, b']', open)?;
        let digits = trim(&left[open + 1..close]);
        let index = match index_number(digits) {
            Some(n) if n <= u64::from(MAX_INDEX) => n as u32,
            _ => {
                script.flag(DocFlag::HologicIndexOutOfRange);
                return None;
            }
        };
        // A third index: no statement of a results document has one.
        let slot = out.indexes.get_mut(out.count)?;
        *slot = index;
        out.count += 1;
        from = close + 1;
    }
    let right = trim(right);
    out.value = match right.strip_prefix('"') {
        Some(quoted) => {
            let body = quoted.strip_suffix('"')?;
            if body.as_bytes().contains(&b'\\') {
                Cow::Owned(body.replace("\\\"", "\"").replace("\\\\", "\\"))
            } else {
                Cow::Borrowed(body)
            }
        }
        None => Cow::Borrowed(right),
    };
    Some(out)
}

/// The table number at the end of a name with one of the table prefixes.
fn table_name(name: &str) -> Option<(&'static str, u32)> {
    const PREFIXES: [&str; 5] = [
        "ResultsTable",
        "TableColumnTypes",
        "TableRowTypes",
        "TableType",
        "TableTitle",
    ];
    PREFIXES.iter().find_map(|prefix| {
        let digits = name.strip_prefix(prefix)?;
        let n = (!digits.is_empty() && digits.len() <= 3)
            .then(|| index_number(digits))
            .flatten()? as u32;
        Some((*prefix, n))
    })
}

mod gather;
mod line;
#[cfg(test)]
mod tests;
