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
mod tests {
    use super::ColumnType::{Bool, Date, Float, Int, Text};
    use super::*;
    use crate::output::rows::{
        DOCUMENT_COLUMNS, FILE_COLUMNS, HISTORY_COLUMNS, MEASUREMENT_COLUMNS, STUDY_COLUMNS,
    };
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type, Int64Type};
    use arrow_array::{Array, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use std::fmt::Write as _;
    use std::fs;

    fn names(schema: &[Column]) -> Vec<&'static str> {
        schema.iter().map(|c| c.name).collect()
    }

    #[test]
    fn schemas_match_the_csv_columns() {
        assert_eq!(names(MEASUREMENTS), MEASUREMENT_COLUMNS);
        assert_eq!(names(STUDIES), STUDY_COLUMNS);
        assert_eq!(names(FILES), FILE_COLUMNS);
        assert_eq!(names(DOCUMENTS), DOCUMENT_COLUMNS);
        assert_eq!(names(HISTORY), HISTORY_COLUMNS);
        assert_eq!(names(FOLLOWUP), crate::followup::FOLLOWUP_COLUMNS);
        for schema in [MEASUREMENTS, STUDIES, FILES, FOLLOWUP, DOCUMENTS, HISTORY] {
            let mut sorted = names(schema);
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), schema.len());
        }
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2024-04-15"), Some(19828));
        assert_eq!(parse_date("1969-12-31"), Some(-1));
        assert_eq!(parse_date("2000-02-29"), Some(11016));
        assert_eq!(parse_date("1900-02-29"), None);
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("2024-04-31"), None);
        assert_eq!(parse_date("2024-4-15"), None);
        assert_eq!(parse_date("20240415"), None);
        assert_eq!(parse_date("2024-04-1x"), None);
        assert_eq!(parse_date("+024-04-15"), None);
        assert_eq!(parse_date("2024-04-15 "), None);
        assert_eq!(parse_date("2024-00-15"), None);
        assert_eq!(parse_date("2024-04-00"), None);
        assert_eq!(parse_date("2024-004-1"), None);
        assert_eq!(parse_date("0000-01-01"), Some(-719_528));
        assert_eq!(parse_date("9999-12-31"), Some(2_932_896));
    }

    #[test]
    fn cells() {
        assert_eq!(parse_float("-1.25"), Some(-1.25));
        assert_eq!(parse_float("NaN"), None);
        assert_eq!(parse_float("inf"), None);
        assert_eq!(parse_float("1,2"), None);
        assert_eq!(parse_bool("true"), Some(true));
        assert_eq!(parse_bool("True"), None);
        assert_eq!(parse_bool("1"), None);
    }

    /// Reads a Parquet file back: its Arrow schema and all its batches.
    fn read(path: &Path) -> (SchemaRef, Vec<RecordBatch>) {
        let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
        let schema = builder.schema().clone();
        let batches = builder.build().unwrap().map(Result::unwrap).collect();
        (schema, batches)
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    const SMALL: &[Column] = &[
        col("name", Text),
        col("value", Float),
        col("ok", Bool),
        col("day", Date),
        col("count", Int),
    ];

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("small.csv");
        let parquet = dir.path().join("small.parquet");
        fs::write(
            &csv,
            "name,value,ok,day,count\n\
             Åström,0.812,true,2024-04-15,3\n\
             ,,,,\n\
             \"a, b\",-1.25,false,1970-01-01,-7\n\
             \"line one\nline \"\"two\"\"\",1200,true,1969-12-31,0\n\
             /data/caf\\xE9/a\\\\b.dcm,1e-3,,,9223372036854775807\n",
        )
        .unwrap();
        csv_to_parquet(&csv, &parquet, SMALL).unwrap();
        assert_eq!(files_in(dir.path()), ["small.csv", "small.parquet"]);

        let (schema, batches) = read(&parquet);
        assert_eq!(schema.as_ref(), &arrow_schema(SMALL));
        let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
        assert_eq!(
            types,
            [
                &DataType::Utf8,
                &DataType::Float64,
                &DataType::Boolean,
                &DataType::Date32,
                &DataType::Int64
            ]
        );
        assert_eq!(batches.len(), 1);
        let batch = &batches[0];
        assert_eq!(batch.num_rows(), 5);

        let name = batch.column(0).as_string::<i32>();
        let expected = StringArray::from(vec![
            Some("Åström"),
            None,
            Some("a, b"),
            Some("line one\nline \"two\""),
            Some("/data/caf\\xE9/a\\\\b.dcm"),
        ]);
        assert_eq!(name, &expected);
        let value = batch.column(1).as_primitive::<Float64Type>();
        let expected = Float64Array::from(vec![
            Some(0.812),
            None,
            Some(-1.25),
            Some(1200.0),
            Some(0.001),
        ]);
        assert_eq!(value, &expected);
        let ok = batch.column(2).as_boolean();
        let expected = BooleanArray::from(vec![Some(true), None, Some(false), Some(true), None]);
        assert_eq!(ok, &expected);
        let day = batch.column(3).as_primitive::<Date32Type>();
        assert_eq!(
            day,
            &Date32Array::from(vec![Some(19828), None, Some(0), Some(-1), None])
        );
        let count = batch.column(4).as_primitive::<Int64Type>();
        assert_eq!(
            count,
            &Int64Array::from(vec![Some(3), None, Some(-7), Some(0), Some(i64::MAX)])
        );
        assert_eq!(name.null_count(), 1);
        assert_eq!(value.null_count(), 1);
        assert_eq!(ok.null_count(), 2);
    }

    #[test]
    fn many_rows_in_several_batches() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("big.csv");
        let parquet = dir.path().join("big.parquet");
        let mut text = String::from("name,value,ok,day,count\n");
        for i in 0..20_000 {
            writeln!(text, "row {i},{i}.5,{},2024-04-15,{i}", i % 2 == 0).unwrap();
        }
        fs::write(&csv, text).unwrap();
        let written = convert(&csv, &parquet, SMALL, BATCH_ROWS).unwrap();
        // 8192 + 8192 + 3616.
        assert_eq!(
            written,
            Written {
                rows: 20_000,
                batches: 3
            }
        );

        let (_, batches) = read(&parquet);
        assert_eq!(
            batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
            20_000
        );
        let counts: Vec<i64> = batches
            .iter()
            .flat_map(|b| b.column(4).as_primitive::<Int64Type>().values().to_vec())
            .collect();
        assert_eq!(counts, (0..20_000).collect::<Vec<i64>>());
        // A last batch that is exactly full is not followed by an empty one.
        let head: String = fs::read_to_string(&csv)
            .unwrap()
            .lines()
            .take(9)
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(&csv, head).unwrap();
        assert_eq!(
            convert(&csv, &parquet, SMALL, 4).unwrap(),
            Written {
                rows: 8,
                batches: 2
            }
        );
        assert_eq!(
            read(&parquet)
                .1
                .iter()
                .map(RecordBatch::num_rows)
                .sum::<usize>(),
            8
        );
        let last = batches.last().unwrap();
        let values = last.column(1).as_primitive::<Float64Type>();
        assert_eq!(values.value(values.len() - 1), 19_999.5);
    }

    #[test]
    fn wrong_header_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("h.csv");
        let parquet = dir.path().join("h.parquet");
        for header in [
            "name,value,ok,count,day\n",
            "name,value,ok,day\n",
            "name,value,ok,day,count,extra\n",
            "Name,value,ok,day,count\n",
        ] {
            fs::write(&csv, format!("{header}x,1,true,2024-04-15,1\n")).unwrap();
            let error = csv_to_parquet(&csv, &parquet, SMALL).unwrap_err();
            assert!(
                matches!(error, ParquetError::Header { .. }),
                "{header:?}: {error}"
            );
            assert_eq!(files_in(dir.path()), ["h.csv"]);
        }
        // An empty file has no header at all.
        fs::write(&csv, "").unwrap();
        let error = csv_to_parquet(&csv, &parquet, SMALL).unwrap_err();
        assert!(matches!(error, ParquetError::Header { .. }), "{error}");
        assert_eq!(files_in(dir.path()), ["h.csv"]);
    }

    #[test]
    fn bad_cell_is_an_error_naming_row_and_column_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("bad.csv");
        let parquet = dir.path().join("bad.parquet");
        // Row 3 starts on line 5: row 2 spans two lines. Enough good rows before it that a
        // batch has already been written when the bad cell comes.
        let mut text =
            String::from("name,value,ok,day,count\nfine,1,true,,\n\"two\nlines\",2,,,\n");
        text.push_str("x,1.2.3,true,2024-04-15,1\n");
        fs::write(&csv, &text).unwrap();
        let error = csv_to_parquet(&csv, &parquet, SMALL).unwrap_err();
        match &error {
            ParquetError::Value {
                row,
                line,
                column,
                value,
                ..
            } => {
                assert_eq!(
                    (*row, *line, *column, value.as_str()),
                    (3, 5, "value", "1.2.3")
                );
            }
            other => panic!("{other}"),
        }
        let message = error.to_string();
        assert!(message.contains("bad.csv"), "{message}");
        assert!(message.contains("row 3"), "{message}");
        assert!(message.contains("column value"), "{message}");
        assert_eq!(files_in(dir.path()), ["bad.csv"]);

        // Also after whole batches were written to the temporary file.
        let mut text = String::from("name,value,ok,day,count\n");
        for i in 0..(BATCH_ROWS + 10) {
            writeln!(text, "r,{i},true,2024-04-15,{i}").unwrap();
        }
        text.push_str("r,1,yes,2024-04-15,1\n");
        fs::write(&csv, &text).unwrap();
        let error = csv_to_parquet(&csv, &parquet, SMALL).unwrap_err();
        assert!(
            matches!(error, ParquetError::Value { column: "ok", row, .. } if row == BATCH_ROWS as u64 + 11),
            "{error}"
        );
        assert_eq!(files_in(dir.path()), ["bad.csv"]);

        // A record with the wrong number of fields is the CSV reader's error.
        fs::write(&csv, "name,value,ok,day,count\nx,1\n").unwrap();
        let error = csv_to_parquet(&csv, &parquet, SMALL).unwrap_err();
        assert!(matches!(error, ParquetError::Csv { .. }), "{error}");
        assert_eq!(files_in(dir.path()), ["bad.csv"]);
    }

    #[test]
    fn header_only_gives_an_empty_table_with_the_schema() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("studies.csv");
        let parquet = parquet_path_for(&csv);
        assert_eq!(parquet, dir.path().join("studies.parquet"));
        fs::write(&csv, format!("{}\n", STUDY_COLUMNS.join(","))).unwrap();
        csv_to_parquet(&csv, &parquet, STUDIES).unwrap();
        let (schema, batches) = read(&parquet);
        assert_eq!(schema.as_ref(), &arrow_schema(STUDIES));
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 0);
        assert_eq!(files_in(dir.path()), ["studies.csv", "studies.parquet"]);
    }

    #[test]
    fn replaces_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("files.csv");
        let parquet = dir.path().join("files.parquet");
        fs::write(&parquet, "old").unwrap();
        fs::write(
            &csv,
            "source_path,status,reason,message\na,skipped,not_dicom,\n",
        )
        .unwrap();
        csv_to_parquet(&csv, &parquet, FILES).unwrap();
        let (_, batches) = read(&parquet);
        assert_eq!(batches[0].num_rows(), 1);
        assert!(batches[0].column(3).is_null(0));
    }

    /// Writes demo Parquet files for a look with DuckDB:
    /// `DXA_PARQUET_DEMO=/some/dir cargo test --lib output::parquet::tests::demo -- --ignored`.
    #[test]
    #[ignore = "writes demo files outside the temporary folder"]
    fn demo() {
        let dir = std::env::var_os("DXA_PARQUET_DEMO").map_or_else(
            || std::env::temp_dir().join("dxa-parquet-demo"),
            PathBuf::from,
        );
        fs::create_dir_all(&dir).unwrap();
        let mut studies = STUDY_COLUMNS.join(",");
        studies.push('\n');
        let classes = ["normal", "osteopenia", "osteoporosis", "osteopenia", ""];
        for (i, class) in classes.iter().enumerate() {
            writeln!(
                studies,
                "s/{i}.dcm,1.2.{i},1.3.{i},1.4.{i},P{i},F,{}.5,2024-04-1{i},hologic,HOLOGIC,Horizon A,13.6,,Clinic,NHANES,white_female,{class},femoral_neck,-{i}.1,-0.{i},,,,,DXA Report,{i}",
                60 + i
            )
            .unwrap();
        }
        let csv = dir.join("studies.csv");
        fs::write(&csv, studies).unwrap();
        csv_to_parquet(&csv, &parquet_path_for(&csv), STUDIES).unwrap();

        let mut measurements = MEASUREMENT_COLUMNS.join(",");
        measurements.push('\n');
        measurements.push_str("s/0.dcm,1.2.0,femoral_neck,left,Neck,0.812,4.12,5.07,-1.2,-0.3,86,97,786,-1.25,true,\n");
        measurements.push_str(
            "s/0.dcm,1.2.0,spine_L1-L4,,L1-L4,1.004,60.2,60.0,-0.4,0.1,96,101,,,true,\"a, note\"\n",
        );
        let csv = dir.join("measurements.csv");
        fs::write(&csv, measurements).unwrap();
        csv_to_parquet(&csv, &parquet_path_for(&csv), MEASUREMENTS).unwrap();
        let csv = dir.join("files.csv");
        fs::write(
            &csv,
            "source_path,status,reason,message\ns/caf\\xE9.pdf,skipped,not_dicom,PDF document\ns/x.dcm,error,truncated,\n",
        )
        .unwrap();
        csv_to_parquet(&csv, &parquet_path_for(&csv), FILES).unwrap();

        let mut followup = names(FOLLOWUP).join(",");
        followup.push('\n');
        followup.push_str("P0,femoral_neck,left,1.2.5,1.2.0,2024-04-15,2022-04-11,2020-04-06,0.780,0.812,0.830,-0.032,-3.94,-0.050,-6.02,0.028,,iscd_minimum,significant_loss,significant_loss,754,786,-4.07,\n");
        let csv = dir.join("followup.csv");
        fs::write(&csv, followup).unwrap();
        csv_to_parquet(&csv, &parquet_path_for(&csv), FOLLOWUP).unwrap();
        println!("demo files in {}", dir.display());
    }
}
