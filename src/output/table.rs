//! The rows of the output files as typed values: one struct per file (`output::rows`),
//! declared with `row_struct!`, whose fields are its columns in order. Each field is a cell
//! type that knows its column type (`ToCell`); a row gives its cells one by one (`Row`), and
//! the same cells become a CSV line (`write_csv`) and a Parquet row (`output::parquet`): the
//! Parquet copy is made from the rows, never by reading a CSV back.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;

use crate::date::Date;
use crate::decimal::{Decimal, PLAIN_MAX};

/// The type of a column, in the CSV and in Parquet (docs/parquet.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// Any text, as written: Arrow `Utf8`.
    Text,
    /// A plain decimal number: Arrow `Float64`.
    Float,
    /// `true` or `false`: Arrow `Boolean`.
    Bool,
    /// A calendar date `YYYY-MM-DD`: Arrow `Date32` (days since 1970-01-01).
    Date,
    /// A whole number: Arrow `Int64`.
    Int,
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnType::Text => "text",
            ColumnType::Float => "number",
            ColumnType::Bool => "boolean (true or false)",
            ColumnType::Date => "date (YYYY-MM-DD)",
            ColumnType::Int => "integer",
        })
    }
}

/// One column of an output file: its header name and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    /// The header name.
    pub name: &'static str,
    /// The type of its cells.
    pub kind: ColumnType,
}

/// One cell, typed. Text is as the CSV writes it (made safe for spreadsheets where it comes
/// from the files: `Text`); an empty text, an absent number or date is an empty CSV cell
/// and a Parquet null.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'c> {
    /// Text.
    Text(Cow<'c, str>),
    /// A number, written with at least this many decimals.
    Number(Option<Decimal>, u32),
    /// A date.
    Date(Option<Date>),
    /// A count.
    Int(u64),
    /// A yes or no.
    Bool(bool),
}

impl Cell<'_> {
    /// The cell, owning its text.
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Text(text) => Cell::Text(Cow::Owned(text.into_owned())),
            Cell::Number(value, decimals) => Cell::Number(value, decimals),
            Cell::Date(date) => Cell::Date(date),
            Cell::Int(n) => Cell::Int(n),
            Cell::Bool(b) => Cell::Bool(b),
        }
    }

    /// The column type this cell belongs in.
    pub fn kind(&self) -> ColumnType {
        match self {
            Cell::Text(_) => ColumnType::Text,
            Cell::Number(..) => ColumnType::Float,
            Cell::Date(_) => ColumnType::Date,
            Cell::Int(_) => ColumnType::Int,
            Cell::Bool(_) => ColumnType::Bool,
        }
    }

    /// The CSV field, formatted into `buf` when it is a number (no `String` per cell).
    fn csv<'b>(&'b self, buf: &'b mut [u8; PLAIN_MAX]) -> &'b [u8] {
        match self {
            Cell::Text(text) => text.as_bytes(),
            Cell::Number(Some(value), decimals) => value.write_plain(*decimals, buf).as_bytes(),
            Cell::Number(None, _) | Cell::Date(None) => b"",
            Cell::Date(Some(date)) => written(buf, date),
            Cell::Int(n) => written(buf, n),
            Cell::Bool(true) => b"true",
            Cell::Bool(false) => b"false",
        }
    }
}

/// `value`'s text in `buf` (a date, a count: at most 20 characters).
fn written<'b>(buf: &'b mut [u8; PLAIN_MAX], value: &dyn fmt::Display) -> &'b [u8] {
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let _ = write!(cursor, "{value}");
    let len = cursor.position() as usize;
    &buf[..len]
}

/// A field of a row struct: its column type, and its cell.
pub trait ToCell {
    /// The column's type.
    const KIND: ColumnType;
    /// The cell.
    fn cell(&self) -> Cell<'_>;

    /// Appends the cell's CSV field to `out`: the bytes of `cell`'s field as
    /// `append_cells_line` writes them. Cell types write theirs straight from the value
    /// (no `Cell` made, no call through a `dyn FnMut` per cell: docs/performance.md).
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; PLAIN_MAX];
        append_field(out, self.cell().csv(&mut buf));
    }
}

/// Our own words (`total_hip`, `used`): written as they are.
impl ToCell for &'static str {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(self))
    }
    /// An empty word (an absent classification, side, censoring) writes nothing, tested
    /// before the call (as `cell::Text`'s).
    #[inline(always)]
    fn append_csv(&self, out: &mut Vec<u8>) {
        if !self.is_empty() {
            append_field(out, self.as_bytes());
        }
    }
}

/// Text of ours made at run time (`String`: `sr_tree+ge_image_comments_xml`, a content
/// time), or our own words, one borrowed or several joined (`Cow`: documents.csv's
/// `carrier`, `content`): one impl for both, each field checked as it is written.
macro_rules! text_of_ours {
    ($($text:ty),*) => {$(
        impl ToCell for $text {
            const KIND: ColumnType = ColumnType::Text;
            fn cell(&self) -> Cell<'_> {
                Cell::Text(Cow::Borrowed(self))
            }
            #[inline]
            fn append_csv(&self, out: &mut Vec<u8>) {
                append_field(out, self.as_bytes());
            }
        }
    )*};
}

text_of_ours!(String, Cow<'static, str>);

impl ToCell for usize {
    const KIND: ColumnType = ColumnType::Int;
    fn cell(&self) -> Cell<'_> {
        Cell::Int(*self as u64)
    }
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        append_u64(out, *self as u64);
    }
}

impl ToCell for bool {
    const KIND: ColumnType = ColumnType::Bool;
    fn cell(&self) -> Cell<'_> {
        Cell::Bool(*self)
    }
    #[inline]
    fn append_csv(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(if *self { b"true" } else { b"false" });
    }
}

/// Appends `n`'s decimal digits (a count's field: never quoted).
pub(crate) fn append_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The rows of one output file.
pub trait Row {
    /// Its columns, in order: the header row, and the Parquet schema.
    const COLUMNS: &'static [Column];
    /// Gives each cell, in column order.
    fn cells(&self, cell: &mut dyn FnMut(Cell<'_>));

    /// Appends the row as a CSV line, its `\n` included: `append_cells_line`'s bytes
    /// (`row_struct!` writes each field straight from its cell type instead).
    fn append_csv(&self, out: &mut Vec<u8>)
    where
        Self: Sized,
    {
        append_cells_line(out, self);
    }
}

/// A row borrowed is the row: a one-row payload (a studies.csv, visits_wide.csv or
/// documents.csv row, a kilobyte or more of cells) is rendered from where it was made,
/// where an array of one moved it twice (docs/performance.md, "The end of a run").
impl<R: Row> Row for &R {
    const COLUMNS: &'static [Column] = R::COLUMNS;

    fn cells(&self, cell: &mut dyn FnMut(Cell<'_>)) {
        (**self).cells(cell);
    }

    fn append_csv(&self, out: &mut Vec<u8>) {
        (**self).append_csv(out);
    }
}

/// Declares a row struct: `row_struct! { /// doc; pub struct Name<'a> { /// doc; field:
/// Type, ... } }` makes the struct and its `Row` impl, whose columns are the fields, in
/// order, named as the fields and typed by their `ToCell::KIND`.
macro_rules! row_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident<$lt:lifetime> {
            $(
                $(#[$field_meta:meta])*
                $field:ident: $ty:ty
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name<$lt> {
            $(
                $(#[$field_meta])*
                $field: $ty
            ),+
        }

        impl<$lt> $crate::output::table::Row for $name<$lt> {
            const COLUMNS: &'static [$crate::output::table::Column] = &[
                $($crate::output::table::Column {
                    name: stringify!($field),
                    kind: <$ty as $crate::output::table::ToCell>::KIND,
                }),+
            ];

            fn cells(&self, cell: &mut dyn FnMut($crate::output::table::Cell<'_>)) {
                $(cell($crate::output::table::ToCell::cell(&self.$field));)+
            }

            fn append_csv(&self, out: &mut Vec<u8>) {
                let start = out.len();
                $(
                    $crate::output::table::ToCell::append_csv(&self.$field, out);
                    out.push(b',');
                )+
                $crate::output::table::end_csv_line(out, start);
            }
        }
    };
}

pub(crate) use row_struct;

/// The header names of `columns`.
pub fn names(columns: &[Column]) -> Vec<&'static str> {
    columns.iter().map(|c| c.name).collect()
}

/// Writes one row as a CSV record.
pub fn write_csv<W: Write>(writer: &mut csv::Writer<W>, row: &impl Row) -> csv::Result<()> {
    let mut result = Ok(());
    row.cells(&mut |cell| {
        if result.is_ok() {
            let mut buf = [0u8; PLAIN_MAX];
            result = writer.write_field(cell.csv(&mut buf));
        }
    });
    result?;
    writer.write_record(None::<&[u8]>)
}

/// Ends a line `row_struct!` wrote from `start`, each field followed by a comma: the last
/// comma becomes the `\n`; a line of one empty field is `""` (as the csv writer writes it).
#[doc(hidden)]
#[inline]
pub fn end_csv_line(out: &mut Vec<u8>, start: usize) {
    let last = out.len() - 1;
    if last == start {
        out.truncate(start);
        out.extend_from_slice(b"\"\"\n");
    } else {
        out[last] = b'\n';
    }
}

/// Appends one row as a CSV line (its `\n` included) to `out`: `row.append_csv`.
pub fn append_csv_line(out: &mut Vec<u8>, row: &impl Row) {
    row.append_csv(out);
}

/// Appends one row as a CSV line (its `\n` included) to `out` from its cells: the same
/// bytes as `write_csv` through `output::csv_rows_writer` (a field with `,`, `"`, `\r` or
/// `\n` quoted, its quotes doubled; a record of no bytes written `""`), without the csv
/// writer's state machine, which cost 5 % of a scan's instructions (docs/performance.md).
pub fn append_cells_line(out: &mut Vec<u8>, row: &impl Row) {
    let start = out.len();
    let mut first = true;
    row.cells(&mut |cell| {
        if !first {
            out.push(b',');
        }
        first = false;
        let mut buf = [0u8; PLAIN_MAX];
        append_field(out, cell.csv(&mut buf));
    });
    if out.len() == start {
        out.extend_from_slice(b"\"\"");
    }
    out.push(b'\n');
}

/// Whether a field holds a comma, a quote, a CR or a LF: eight bytes at a time (a zero
/// byte of the word XOR each of them, found as `sr::dataset`'s text scan finds a
/// backslash), the byte loop only for the last 0-7.
#[inline]
fn needs_quotes(field: &[u8]) -> bool {
    const fn splat(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    const ONES: u64 = splat(0x01);
    const HIGH: u64 = splat(0x80);
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut chunks = field.chunks_exact(8);
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        if zero(w ^ splat(b','))
            | zero(w ^ splat(b'"'))
            | zero(w ^ splat(b'\r'))
            | zero(w ^ splat(b'\n'))
            != 0
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Appends one CSV field, quoted when it must be (the contract's dialect,
/// `output::csv_writer`: quoted, its quotes doubled, when it holds a comma, a quote, CR or LF).
#[inline]
pub(crate) fn append_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    append_quoted(out, field);
}

/// `append_field` of a field that must be quoted: out of line, so that the test and copy
/// of a plain field (our own words: a classification, a region) are small enough to be
/// written into the row's code, where a call that saved the registers this path needs was
/// about half of a word's cost (docs/performance.md, "The end of a run").
#[inline(never)]
fn append_quoted(out: &mut Vec<u8>, field: &[u8]) {
    // Quoted: the runs between quotes copied whole, each quote doubled (a byte at a time,
    // each push checking the capacity, was 2 000 instructions for a follow-up note).
    out.reserve(field.len() + 2);
    out.push(b'"');
    let mut rest = field;
    while let Some(at) = find_quote(rest) {
        out.extend_from_slice(&rest[..=at]);
        out.push(b'"');
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The first quote of `bytes`, eight bytes at a time (as `needs_quotes`: the lowest byte
/// flagged as zero in the word XOR quotes is exact, a borrow only flagging bytes above it).
#[inline]
fn find_quote(bytes: &[u8]) -> Option<usize> {
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ QUOTES;
        let found = x.wrapping_sub(ONES) & !x & HIGH;
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b'"')
        .map(|i| at + i)
}

/// The cells of one row, owned (tests, and `inspect --visit`, which shows a row column by
/// column).
pub fn cell_texts(row: &impl Row) -> Vec<String> {
    let mut out = Vec::with_capacity(32);
    row.cells(&mut |cell| {
        let mut buf = [0u8; PLAIN_MAX];
        out.push(String::from_utf8_lossy(cell.csv(&mut buf)).into_owned());
    });
    out
}

#[cfg(test)]
mod line_tests;
