//! Parquet copies of the CSV files (`scan --format parquet`, docs/parquet.md).
//!
//! A CSV file, once complete, is streamed back and rewritten as Parquet with the same columns:
//! [`csv_to_parquet`] reads it in batches of [`BATCH_ROWS`] records (memory does not grow with
//! the file), types each cell by its [`Column`], and writes Snappy-compressed row groups through
//! `parquet::arrow::ArrowWriter`. The CSV stays the reference: an empty cell becomes a null, and
//! a non-empty cell that does not parse as its column's type is an error (a bug upstream, never
//! silently a null).
//!
//! The Parquet file is written into the run's staging folder like the CSV files, and
//! committed with them (`folder`): on any error it is never seen.

mod schema;

pub use schema::{DOCUMENTS, FILES, FOLLOWUP, HISTORY, MEASUREMENTS, STUDIES};

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::document::{Date as CivilDate, days_in_month};

/// CSV records per Arrow record batch.
pub const BATCH_ROWS: usize = 8192;

/// Rows per Parquet row group at most (a row group is buffered in memory until written).
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Encoded bytes per Parquet row group at most, whichever limit comes first.
const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;

/// The type of a CSV column, and so of its Parquet column.
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

impl ColumnType {
    /// The Arrow type of the Parquet column.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Float => DataType::Float64,
            ColumnType::Bool => DataType::Boolean,
            ColumnType::Date => DataType::Date32,
            ColumnType::Int => DataType::Int64,
        }
    }
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

/// One column of a CSV file: its header name and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Column {
    /// The header name, as in the CSV.
    pub name: &'static str,
    /// The type of its cells.
    pub kind: ColumnType,
}

pub(super) const fn col(name: &'static str, kind: ColumnType) -> Column {
    Column { name, kind }
}

/// Why a CSV file could not be converted. No Parquet file (final or temporary) is left behind.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// Opening the CSV, or creating, writing or renaming the Parquet file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The CSV itself is unreadable (invalid UTF-8, a record with the wrong number of fields).
    #[error("{}: {source}", path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// The cause, with its position.
        source: csv::Error,
    },
    /// The header row is not the schema's column names, in order.
    #[error("{}: header {found:?} is not the expected columns {expected:?}", path.display())]
    Header {
        /// The CSV file.
        path: PathBuf,
        /// The header row as read.
        found: Vec<String>,
        /// The schema's column names.
        expected: Vec<&'static str>,
    },
    /// A non-empty cell that does not parse as its column's type.
    #[error(
        "{}: row {row} (line {line}), column {column}: {value:?} is not a valid {kind}",
        path.display()
    )]
    Value {
        /// The CSV file.
        path: PathBuf,
        /// The data row, 1-based, the header row not counted.
        row: u64,
        /// The line of the file where the record starts, 1-based (the header is line 1).
        line: u64,
        /// The column name.
        column: &'static str,
        /// The column type.
        kind: ColumnType,
        /// The cell as read.
        value: String,
    },
    /// Building a record batch (a bug: the arrays are built from the schema).
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The CSV file.
        path: PathBuf,
        /// The cause.
        source: ArrowError,
    },
    /// The Parquet writer failed (its I/O included).
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The Parquet file.
        path: PathBuf,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
}

/// The Arrow schema of a CSV file: one nullable field per column, in order.
pub fn arrow_schema(schema: &[Column]) -> Schema {
    Schema::new(
        schema
            .iter()
            .map(|c| Field::new(c.name, c.kind.data_type(), true))
            .collect::<Vec<_>>(),
    )
}

/// The Parquet name beside a CSV file: `out/studies.csv` → `out/studies.parquet`.
pub fn parquet_path_for(csv: &Path) -> PathBuf {
    csv.with_extension("parquet")
}

/// The writer settings: Snappy, row groups bounded in rows and bytes.
fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
        .build()
}

/// Converts a complete CSV file into a Parquet file with the same columns, typed by `schema`.
///
/// The header row must be `schema`'s names in order. Empty cells become nulls (every type,
/// text included); any other cell must parse as its column's type (`true`/`false`,
/// `YYYY-MM-DD`, a decimal, a whole number). The CSV is read in batches of [`BATCH_ROWS`]
/// records. `parquet` appears only once complete (atomic rename); on error nothing is left.
pub fn csv_to_parquet(csv: &Path, parquet: &Path, schema: &[Column]) -> Result<(), ParquetError> {
    convert(csv, parquet, schema, BATCH_ROWS).map(|_| ())
}

/// What a conversion wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Written {
    rows: u64,
    batches: usize,
}

/// [`csv_to_parquet`] with the batch size as a parameter; on error, no Parquet file is left.
fn convert(
    csv: &Path,
    parquet: &Path,
    schema: &[Column],
    batch_rows: usize,
) -> Result<Written, ParquetError> {
    let result = write_parquet(csv, parquet, schema, batch_rows);
    if result.is_err() {
        let _ = std::fs::remove_file(parquet);
    }
    result
}

fn write_parquet(
    csv: &Path,
    parquet: &Path,
    schema: &[Column],
    batch_rows: usize,
) -> Result<Written, ParquetError> {
    let csv_error = |source| ParquetError::Csv {
        path: csv.to_path_buf(),
        source,
    };
    let parquet_error = |source| ParquetError::Parquet {
        path: parquet.to_path_buf(),
        source,
    };

    let file = File::open(csv).map_err(|source| ParquetError::Io {
        path: csv.to_path_buf(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(256 * 1024)
        .from_reader(file);

    let header = reader.headers().map_err(csv_error)?;
    if !header.iter().eq(schema.iter().map(|c| c.name)) {
        return Err(ParquetError::Header {
            path: csv.to_path_buf(),
            found: header.iter().map(str::to_owned).collect(),
            expected: schema.iter().map(|c| c.name).collect(),
        });
    }

    let arrow_schema: SchemaRef = Arc::new(arrow_schema(schema));
    let sink = File::create(parquet).map_err(|source| ParquetError::Io {
        path: parquet.to_path_buf(),
        source,
    })?;
    let mut writer = ArrowWriter::try_new(sink, arrow_schema.clone(), Some(writer_properties()))
        .map_err(parquet_error)?;

    let arrow_error = |source| ParquetError::Arrow {
        path: csv.to_path_buf(),
        source,
    };
    let mut batch = Batch::new(schema);
    let mut record = csv::StringRecord::new();
    let mut written = Written {
        rows: 0,
        batches: 0,
    };
    loop {
        let more = reader.read_record(&mut record).map_err(csv_error)?;
        if more {
            written.rows += 1;
            batch.push(&record).map_err(|bad| ParquetError::Value {
                path: csv.to_path_buf(),
                row: written.rows,
                line: record.position().map_or(0, csv::Position::line),
                column: bad.column,
                kind: bad.kind,
                value: bad.value,
            })?;
        }
        if batch.rows == batch_rows || (!more && batch.rows > 0) {
            let done = batch.finish(&arrow_schema).map_err(arrow_error)?;
            writer.write(&done).map_err(parquet_error)?;
            written.batches += 1;
        }
        if !more {
            break;
        }
    }

    // Writes the footer and hands back the file.
    let sink = writer.into_inner().map_err(parquet_error)?;
    sink.sync_all().map_err(|source| ParquetError::Io {
        path: parquet.to_path_buf(),
        source,
    })?;
    Ok(written)
}

/// A cell that does not parse as its column's type.
struct BadCell {
    column: &'static str,
    kind: ColumnType,
    value: String,
}

/// One Arrow builder per column.
enum Builder {
    Text(StringBuilder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Date(Date32Builder),
    Int(Int64Builder),
}

impl Builder {
    fn new(kind: ColumnType) -> Builder {
        match kind {
            ColumnType::Text => Builder::Text(StringBuilder::with_capacity(BATCH_ROWS, 0)),
            ColumnType::Float => Builder::Float(Float64Builder::with_capacity(BATCH_ROWS)),
            ColumnType::Bool => Builder::Bool(BooleanBuilder::with_capacity(BATCH_ROWS)),
            ColumnType::Date => Builder::Date(Date32Builder::with_capacity(BATCH_ROWS)),
            ColumnType::Int => Builder::Int(Int64Builder::with_capacity(BATCH_ROWS)),
        }
    }

    /// Appends one cell: empty is null; otherwise `None` when it does not parse.
    fn append(&mut self, cell: &str) -> Option<()> {
        if cell.is_empty() {
            match self {
                Builder::Text(b) => b.append_null(),
                Builder::Float(b) => b.append_null(),
                Builder::Bool(b) => b.append_null(),
                Builder::Date(b) => b.append_null(),
                Builder::Int(b) => b.append_null(),
            }
            return Some(());
        }
        match self {
            Builder::Text(b) => b.append_value(cell),
            Builder::Float(b) => b.append_value(parse_float(cell)?),
            Builder::Bool(b) => b.append_value(parse_bool(cell)?),
            Builder::Date(b) => b.append_value(parse_date(cell)?),
            Builder::Int(b) => b.append_value(cell.parse().ok()?),
        }
        Some(())
    }

    /// The array of the cells appended since the last call; the builder is left empty.
    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Date(b) => Arc::new(b.finish()),
            Builder::Int(b) => Arc::new(b.finish()),
        }
    }
}

/// The record batch being filled.
struct Batch<'s> {
    schema: &'s [Column],
    builders: Vec<Builder>,
    rows: usize,
}

impl<'s> Batch<'s> {
    fn new(schema: &'s [Column]) -> Batch<'s> {
        Batch {
            schema,
            builders: schema.iter().map(|c| Builder::new(c.kind)).collect(),
            rows: 0,
        }
    }

    /// Appends one record (its length is the header's: the CSV reader is not flexible).
    fn push(&mut self, record: &csv::StringRecord) -> Result<(), BadCell> {
        for ((column, builder), cell) in self.schema.iter().zip(&mut self.builders).zip(record) {
            if builder.append(cell).is_none() {
                return Err(BadCell {
                    column: column.name,
                    kind: column.kind,
                    value: cell.to_owned(),
                });
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows pushed since the last call, as one record batch.
    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
        self.rows = 0;
        let arrays = self.builders.iter_mut().map(Builder::finish).collect();
        RecordBatch::try_new(schema.clone(), arrays)
    }
}

/// A plain decimal (`-1.25`, `0.812`, `3`); NaN and infinities are not numbers in the CSV.
fn parse_float(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn parse_bool(cell: &str) -> Option<bool> {
    match cell {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `YYYY-MM-DD` exactly, a real calendar date, as days since 1970-01-01.
fn parse_date(cell: &str) -> Option<i32> {
    let b = cell.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u16, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
        })
    };
    let year = number(&b[0..4])?;
    let month = u8::try_from(number(&b[5..7])?).ok()?;
    let day = u8::try_from(number(&b[8..10])?).ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // Years 0000-9999: well inside i32.
    i32::try_from(CivilDate { year, month, day }.days_since_epoch()).ok()
}

#[cfg(test)]
mod tests;
