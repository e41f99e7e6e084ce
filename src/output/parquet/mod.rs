//! Parquet copies of the output files (`--format parquet`, docs/parquet.md), written from
//! the same typed rows as the CSV files (`output::table`): each row's cells become one
//! Parquet row (`Value`), appended to Arrow builders and written in record batches of
//! [`BATCH_ROWS`] through `parquet::arrow::ArrowWriter` (Snappy, row groups bounded in rows
//! and bytes: memory does not grow with the file). The CSV and the Parquet file hold the
//! same cells: an empty text, an absent number or date is a null.
//!
//! Rows rendered in a partition wait in sorted runs with their CSV lines (`RowRenderer`);
//! the merge that writes the CSV file writes the Parquet file from the same records. The
//! files are written into the run's staging folder and committed with the others
//! (`folder`): on any error the run fails and none is seen.

use std::borrow::Cow;
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

use super::table::{Cell, Column, ColumnType, Row};

/// Rows per Arrow record batch.
pub const BATCH_ROWS: usize = 8192;

/// Rows per Parquet row group at most (a row group is buffered in memory until written).
const ROW_GROUP_ROWS: usize = 128 * 1024;

/// Encoded bytes per Parquet row group at most, whichever limit comes first.
const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;

/// The Arrow type of a column.
pub fn data_type(kind: ColumnType) -> DataType {
    match kind {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Date => DataType::Date32,
        ColumnType::Int => DataType::Int64,
    }
}

/// The Arrow schema of an output file: one nullable field per column, in order.
pub fn arrow_schema(columns: &[Column]) -> Schema {
    Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c.name, data_type(c.kind), true))
            .collect::<Vec<_>>(),
    )
}

/// The Parquet name beside a CSV file: `out/studies.csv` → `out/studies.parquet`.
pub fn parquet_path_for(csv: &Path) -> PathBuf {
    csv.with_extension("parquet")
}

/// One value of a Parquet row: what a cell becomes. Kept with the CSV lines in the sorted
/// runs until the merge writes both (`encode`, `decode`: a tag byte, then the value).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// An empty text, an absent number or date.
    Null,
    /// Text, as the CSV cell holds it.
    Text(Cow<'a, str>),
    /// A number: the double nearest to its decimal value.
    Float(f64),
    /// A yes or no.
    Bool(bool),
    /// A date, as days since 1970-01-01.
    Date(i32),
    /// A count.
    Int(i64),
}

impl<'a> Value<'a> {
    /// The value of a cell.
    pub fn of(cell: Cell<'a>) -> Value<'a> {
        match cell {
            Cell::Text(text) if text.is_empty() => Value::Null,
            Cell::Text(text) => Value::Text(text),
            Cell::Number(None, _) | Cell::Date(None) => Value::Null,
            Cell::Number(Some(value), _) => Value::Float(value.to_f64()),
            // Years 1800-9999 (`Date`): far inside i32.
            Cell::Date(Some(date)) => Value::Date(date.days_since_epoch() as i32),
            Cell::Int(n) => Value::Int(i64::try_from(n).unwrap_or(i64::MAX)),
            Cell::Bool(b) => Value::Bool(b),
        }
    }

    /// Appends the value's bytes: a tag, then little-endian numbers or a u32 length and
    /// the text.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.push(0),
            Value::Text(text) => {
                out.push(1);
                out.extend_from_slice(&(text.len() as u32).to_le_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            Value::Float(x) => {
                out.push(2);
                out.extend_from_slice(&x.to_le_bytes());
            }
            Value::Bool(b) => out.extend_from_slice(&[3, u8::from(*b)]),
            Value::Date(days) => {
                out.push(4);
                out.extend_from_slice(&days.to_le_bytes());
            }
            Value::Int(n) => {
                out.push(5);
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
    }

    /// The value at the start of `bytes`, which moves past it (text borrowed, not copied).
    pub fn decode(bytes: &mut &'a [u8]) -> io::Result<Value<'a>> {
        fn take<const N: usize>(bytes: &mut &[u8]) -> io::Result<[u8; N]> {
            let (head, rest) = bytes
                .split_first_chunk::<N>()
                .ok_or_else(|| io::Error::other("a Parquet value cut short"))?;
            *bytes = rest;
            Ok(*head)
        }
        let [tag] = take::<1>(bytes)?;
        Ok(match tag {
            0 => Value::Null,
            1 => {
                let len = u32::from_le_bytes(take::<4>(bytes)?) as usize;
                if bytes.len() < len {
                    return Err(io::Error::other("a Parquet text cut short"));
                }
                let (text, rest) = bytes.split_at(len);
                *bytes = rest;
                let text = std::str::from_utf8(text).map_err(io::Error::other)?;
                Value::Text(Cow::Borrowed(text))
            }
            2 => Value::Float(f64::from_le_bytes(take::<8>(bytes)?)),
            3 => Value::Bool(take::<1>(bytes)?[0] != 0),
            4 => Value::Date(i32::from_le_bytes(take::<4>(bytes)?)),
            5 => Value::Int(i64::from_le_bytes(take::<8>(bytes)?)),
            other => return Err(io::Error::other(format!("Parquet value tag {other}"))),
        })
    }
}

/// Why a Parquet file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// Creating or writing the file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A row whose values do not fit the columns (a bug: rows and columns are one list).
    #[error("{}: row {row}: {problem}", path.display())]
    Row {
        /// The file.
        path: PathBuf,
        /// The row, 1-based.
        row: u64,
        /// What does not fit.
        problem: String,
    },
    /// Building a record batch (a bug: the arrays are built from the schema).
    #[error("{}: {source}", path.display())]
    Arrow {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: ArrowError,
    },
    /// The Parquet writer failed (its I/O included).
    #[error("{}: {source}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
}

/// The writer settings: Snappy, row groups bounded in rows and bytes.
fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
        .build()
}

/// A Parquet file being written, row by row.
pub struct ParquetWriter {
    path: PathBuf,
    columns: &'static [Column],
    schema: SchemaRef,
    writer: ArrowWriter<File>,
    builders: Vec<Builder>,
    batch_rows: usize,
    in_batch: usize,
    rows: u64,
}

impl ParquetWriter {
    /// Creates (or replaces) `path`, for rows of `columns`.
    pub fn create(path: &Path, columns: &'static [Column]) -> Result<Self, ParquetError> {
        Self::with_batch_rows(path, columns, BATCH_ROWS)
    }

    fn with_batch_rows(
        path: &Path,
        columns: &'static [Column],
        batch_rows: usize,
    ) -> Result<Self, ParquetError> {
        let schema: SchemaRef = Arc::new(arrow_schema(columns));
        let file = File::create(path).map_err(|source| ParquetError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(writer_properties()))
            .map_err(|source| ParquetError::Parquet {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(ParquetWriter {
            path: path.to_path_buf(),
            columns,
            schema,
            writer,
            builders: columns.iter().map(|c| Builder::new(c.kind)).collect(),
            batch_rows,
            in_batch: 0,
            rows: 0,
        })
    }

    /// Appends one row.
    pub fn push(&mut self, row: &impl Row) -> Result<(), ParquetError> {
        let mut values = Vec::with_capacity(self.columns.len());
        row.cells(&mut |cell| values.push(Value::of(cell.into_owned())));
        self.push_values(values)
    }

    /// Appends the rows whose values `encoded` holds, one after the other (`Value::encode`).
    pub fn push_encoded(&mut self, mut encoded: &[u8]) -> Result<(), ParquetError> {
        let mut values = Vec::with_capacity(self.columns.len());
        while !encoded.is_empty() {
            for _ in 0..self.columns.len() {
                let value = Value::decode(&mut encoded).map_err(|source| ParquetError::Io {
                    path: self.path.clone(),
                    source,
                })?;
                values.push(value);
            }
            self.push_values(values.drain(..))?;
        }
        Ok(())
    }

    /// Appends one row's values, in column order.
    pub fn push_values<'v>(
        &mut self,
        values: impl IntoIterator<Item = Value<'v>>,
    ) -> Result<(), ParquetError> {
        self.rows += 1;
        let problem = |problem: String| ParquetError::Row {
            path: self.path.clone(),
            row: self.rows,
            problem,
        };
        let mut values = values.into_iter();
        for (column, builder) in self.columns.iter().zip(&mut self.builders) {
            let Some(value) = values.next() else {
                return Err(problem(format!(
                    "fewer values than the {} columns",
                    self.columns.len()
                )));
            };
            if let Err(value) = builder.append(value) {
                return Err(problem(format!(
                    "column {} is {}, the value {value:?}",
                    column.name, column.kind
                )));
            }
        }
        if values.next().is_some() {
            return Err(problem(format!(
                "more values than the {} columns",
                self.columns.len()
            )));
        }
        self.in_batch += 1;
        if self.in_batch == self.batch_rows {
            self.write_batch()?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> Result<(), ParquetError> {
        self.in_batch = 0;
        let arrays = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(|source| {
            ParquetError::Arrow {
                path: self.path.clone(),
                source,
            }
        })?;
        self.writer
            .write(&batch)
            .map_err(|source| ParquetError::Parquet {
                path: self.path.clone(),
                source,
            })
    }

    /// Writes the rows still in a batch and the footer; returns the number of rows.
    pub fn finish(mut self) -> Result<u64, ParquetError> {
        if self.in_batch > 0 {
            self.write_batch()?;
        }
        let path = self.path.clone();
        let file = self
            .writer
            .into_inner()
            .map_err(|source| ParquetError::Parquet {
                path: path.clone(),
                source,
            })?;
        file.sync_all()
            .map_err(|source| ParquetError::Io { path, source })?;
        Ok(self.rows)
    }
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

    /// Appends one value; gives it back when it is not of the column's type.
    fn append<'v>(&mut self, value: Value<'v>) -> Result<(), Value<'v>> {
        match (self, value) {
            (Builder::Text(b), Value::Null) => b.append_null(),
            (Builder::Float(b), Value::Null) => b.append_null(),
            (Builder::Bool(b), Value::Null) => b.append_null(),
            (Builder::Date(b), Value::Null) => b.append_null(),
            (Builder::Int(b), Value::Null) => b.append_null(),
            (Builder::Text(b), Value::Text(text)) => b.append_value(text),
            (Builder::Float(b), Value::Float(x)) => b.append_value(x),
            (Builder::Bool(b), Value::Bool(x)) => b.append_value(x),
            (Builder::Date(b), Value::Date(x)) => b.append_value(x),
            (Builder::Int(b), Value::Int(x)) => b.append_value(x),
            (_, value) => return Err(value),
        }
        Ok(())
    }

    /// The array of the values appended since the last call; the builder is left empty.
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

#[cfg(test)]
mod tests;
