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
pub use assigned::Values;
pub use gather::read;
pub use line::{MAX_CELL, MAX_INDEX};
pub use text::plain_text;
pub(super) use text::shown;

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
    /// Whether a cell was read after one of a greater or equal key (only while read:
    /// `finish` sorts then, and clears it).
    out_of_order: bool,
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

    /// The cells, in order, as a slice.
    pub fn as_slice(&self) -> &[((u32, u32), Cow<'t, str>)] {
        &self.sorted
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

    /// A cell, in the order written.
    #[inline]
    fn push(&mut self, key: (u32, u32), value: Cow<'t, str>) {
        match self.sorted.last() {
            Some((last, _)) => self.out_of_order |= *last >= key,
            // A whole-body table has some 80 cells: room for them at once, not grown.
            None => self.sorted.reserve(128),
        }
        self.sorted.push((key, value));
    }

    /// The cells in order, the first written of each kept (a stable sort keeps the order
    /// written among equal keys). APEX writes a table's cells in order: then there is
    /// nothing to sort or to drop.
    fn finish(&mut self) {
        if self.out_of_order {
            self.sorted.sort_by_key(|(key, _)| *key);
            self.sorted.dedup_by_key(|(key, _)| *key);
            self.out_of_order = false;
        }
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
    pub values: Values<'t>,
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

/// What a table statement gives, by its name's prefix (`table_name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// `ResultsTable`: a cell.
    Cell,
    /// `TableColumnTypes`: a column's type code.
    ColumnType,
    /// `TableRowTypes`: a row's type code.
    RowType,
    /// `TableType`: the table's type code.
    Type,
    /// `TableTitle`: the table's title.
    Title,
}

/// The table prefixes of statement names, and what each gives.
const TABLE_PREFIXES: [(&str, Part); 5] = [
    ("ResultsTable", Part::Cell),
    ("TableColumnTypes", Part::ColumnType),
    ("TableRowTypes", Part::RowType),
    ("TableType", Part::Type),
    ("TableTitle", Part::Title),
];

/// What a name with one of the table prefixes gives, and the table number at its end.
fn table_name(name: &str) -> Option<(Part, u32)> {
    // Every prefix starts with `R` or `T`: another name (`PatientSex`, `MAXROWS1`) is no
    // table's, without five comparisons.
    if !matches!(name.as_bytes().first(), Some(b'R' | b'T')) {
        return None;
    }
    TABLE_PREFIXES.iter().find_map(|(prefix, part)| {
        let digits = name.strip_prefix(prefix)?;
        let n = (!digits.is_empty() && digits.len() <= 3)
            .then(|| index_number(digits))
            .flatten()? as u32;
        Some((*part, n))
    })
}

mod assigned;
mod gather;
mod line;
#[cfg(test)]
mod tests;
mod text;
