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
}

/// Our own words (`total_hip`, `used`): written as they are.
impl ToCell for &'static str {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(self))
    }
}

/// Text of ours made at run time (`sr_tree+ge_image_comments_xml`, a content time).
impl ToCell for String {
    const KIND: ColumnType = ColumnType::Text;
    fn cell(&self) -> Cell<'_> {
        Cell::Text(Cow::Borrowed(self))
    }
}

impl ToCell for usize {
    const KIND: ColumnType = ColumnType::Int;
    fn cell(&self) -> Cell<'_> {
        Cell::Int(*self as u64)
    }
}

impl ToCell for bool {
    const KIND: ColumnType = ColumnType::Bool;
    fn cell(&self) -> Cell<'_> {
        Cell::Bool(*self)
    }
}

/// The rows of one output file.
pub trait Row {
    /// Its columns, in order: the header row, and the Parquet schema.
    const COLUMNS: &'static [Column];
    /// Gives each cell, in column order.
    fn cells(&self, cell: &mut dyn FnMut(Cell<'_>));
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

/// Appends one row as a CSV line (its `\n` included) to `out`: the same bytes as
/// `write_csv` through `output::csv_rows_writer` (a field with `,`, `"`, `\r` or `\n`
/// quoted, its quotes doubled; a record of no bytes written `""`), without the csv
/// writer's state machine, which cost 5 % of a scan's instructions (docs/performance.md).
pub fn append_csv_line(out: &mut Vec<u8>, row: &impl Row) {
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

/// Appends one CSV field, quoted when it must be.
fn append_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
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
mod line_tests {
    use super::*;

    /// A row of given text cells.
    struct Texts(Vec<String>);

    impl Row for Texts {
        const COLUMNS: &'static [Column] = &[];
        fn cells(&self, each: &mut dyn FnMut(Cell<'_>)) {
            for text in &self.0 {
                each(Cell::Text(Cow::Borrowed(text)));
            }
        }
    }

    /// `append_csv_line` against the csv writer it replaced, on seeded random rows of 0 to
    /// 5 cells made of the bytes that matter (delimiters, quotes, line ends, spaces,
    /// non-ASCII) and empty cells.
    #[test]
    fn lines_are_the_csv_writers() {
        let mut state = 5u64;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let alphabet = [
            "a", "Z", "1", "b", "c", "0", ".", "-", "x", "y", ",", "\"", "\r", "\n", " ", "'", "é",
            "\t", "=", "\u{ff}",
        ];
        let mut quoted = 0;
        for _ in 0..20_000 {
            let cells: Vec<String> = (0..next() % 6)
                .map(|_| {
                    // Half the cells from the first ten (plain) characters only.
                    let choices = if next() % 2 == 0 { 10 } else { alphabet.len() } as u64;
                    (0..next() % 21)
                        .map(|_| alphabet[(next() % choices) as usize])
                        .collect()
                })
                .collect();
            let row = Texts(cells);
            let mut writer = crate::output::csv_rows_writer(Vec::new());
            write_csv(&mut writer, &row).unwrap();
            let expected = writer.into_inner().unwrap();
            let mut line = b"before".to_vec();
            append_csv_line(&mut line, &row);
            assert_eq!(
                String::from_utf8_lossy(&line[6..]),
                String::from_utf8_lossy(&expected),
                "{:?}",
                row.0
            );
            quoted += usize::from(expected.contains(&b'"'));
        }
        assert!(
            quoted > 5_000 && quoted < 18_000,
            "{quoted} lines of 20 000 with quotes"
        );
    }
}
