//! Parquet files from typed rows: values and nulls as the CSV cells, batches, errors, and
//! docs/parquet.md's tables as the row structs' columns.

use std::borrow::Cow;
use std::fs;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type};
use arrow_array::{Array, BooleanArray, Date32Array, Float64Array, Int64Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::*;
use crate::date::Date;
use crate::decimal::Decimal;
use crate::output::cell::{DateCell, Plain, Text};
use crate::output::rows::{
    BodyCompositionRow, BodyFollowupLine, DocumentRow, FileRow, FollowupLine, HistoryRow,
    MeasurementRow, StudyRow,
};
use crate::output::table::row_struct;

row_struct! {
    /// A small table of every column type.
    #[derive(Debug)]
    pub struct Small<'a> {
        name: Text<'a>,
        value: Plain,
        ok: bool,
        day: DateCell,
        count: usize,
    }
}

fn small<'a>(name: &'a str, value: &str, ok: bool, day: &str, count: usize) -> Small<'a> {
    Small {
        name: Text(Cow::Borrowed(name)),
        value: Plain(Decimal::parse(value), 3),
        ok,
        day: DateCell(Date::parse_da(day)),
        count,
    }
}

/// Reads a Parquet file back: its Arrow schema and all its batches.
fn read(path: &Path) -> (SchemaRef, Vec<RecordBatch>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap();
    let schema = builder.schema().clone();
    let batches = builder.build().unwrap().map(Result::unwrap).collect();
    (schema, batches)
}

#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.parquet");
    let mut writer = ParquetWriter::create(&path, Small::COLUMNS).unwrap();
    for row in [
        small("Åström", "0.812", true, "20240415", 3),
        small("", "", false, "", 0),
        small("a, b", "-1.25", false, "19700101", 7),
        small("line one\nline \"two\"", "1200", true, "19691231", 0),
        small("=cmd", "1E-3", true, "", usize::MAX),
    ] {
        writer.push(&row).unwrap();
    }
    assert_eq!(writer.finish().unwrap(), 5);

    let (schema, batches) = read(&path);
    assert_eq!(schema.as_ref(), &arrow_schema(Small::COLUMNS));
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
    // Text as the CSV cell: made safe for spreadsheets, empty is null.
    let name = batch.column(0).as_string::<i32>();
    let expected = StringArray::from(vec![
        Some("Åström"),
        None,
        Some("a, b"),
        Some("line one\\u{A}line \"two\""),
        Some("'=cmd"),
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
    let expected = BooleanArray::from(vec![
        Some(true),
        Some(false),
        Some(false),
        Some(true),
        Some(true),
    ]);
    assert_eq!(ok, &expected);
    let day = batch.column(3).as_primitive::<Date32Type>();
    assert_eq!(
        day,
        &Date32Array::from(vec![Some(19828), None, Some(0), Some(-1), None])
    );
    let count = batch.column(4).as_primitive::<Int64Type>();
    assert_eq!(
        count,
        &Int64Array::from(vec![Some(3), Some(0), Some(7), Some(0), Some(i64::MAX)])
    );
    assert_eq!(name.null_count(), 1);
    assert_eq!(value.null_count(), 1);
}

/// A number is the double nearest its decimal value: what parsing the CSV cell gives,
/// mantissas beyond 2^53 included.
#[test]
fn numbers_are_the_nearest_double() {
    for text in [
        "0.812",
        "-2.45",
        "0.1",
        "1.000",
        "123456789012345678",
        "0.123456789012345678",
        "-9007199254740993",
        "900719925474099.3",
        "0",
    ] {
        let value = Decimal::parse(text).unwrap();
        let csv = value.to_plain(0);
        assert_eq!(
            Value::of(Cell::Number(Some(value), 0)),
            Value::Float(csv.parse::<f64>().unwrap()),
            "{text}"
        );
    }
}

/// Values wait in the sorted runs encoded: each comes back as it was, and a record cut
/// short or of an unknown tag is an error, never a value.
#[test]
fn values_encode_and_decode() {
    let values = [
        Value::Null,
        Value::Text(Cow::Borrowed("Åström, \"x\"")),
        Value::Text(Cow::Borrowed("")),
        Value::Float(-0.812),
        Value::Bool(true),
        Value::Bool(false),
        Value::Date(-719_528),
        Value::Int(i64::MIN),
    ];
    let mut bytes = Vec::new();
    for value in &values {
        value.encode(&mut bytes);
    }
    let mut rest = bytes.as_slice();
    for value in &values {
        assert_eq!(&Value::decode(&mut rest).unwrap(), value);
    }
    assert!(rest.is_empty());
    for cut in 1..bytes.len() {
        let mut rest = &bytes[..cut];
        let decoded: Result<Vec<Value<'_>>, _> = (0..values.len())
            .map(|_| Value::decode(&mut rest))
            .collect();
        assert!(decoded.is_err(), "cut at {cut}");
    }
    assert!(Value::decode(&mut &[9u8][..]).is_err());
}

#[test]
fn many_rows_in_several_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.parquet");
    let mut writer = ParquetWriter::create(&path, Small::COLUMNS).unwrap();
    let names: Vec<String> = (0..20_000).map(|i| format!("row {i}")).collect();
    for (i, name) in names.iter().enumerate() {
        let row = small(name, &format!("{i}.5"), i % 2 == 0, "20240415", i);
        writer.push(&row).unwrap();
    }
    assert_eq!(writer.finish().unwrap(), 20_000);
    let (_, batches) = read(&path);
    let counts: Vec<i64> = batches
        .iter()
        .flat_map(|b| b.column(4).as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(counts, (0..20_000).collect::<Vec<i64>>());
    let last = batches.last().unwrap();
    let values = last.column(1).as_primitive::<Float64Type>();
    assert_eq!(values.value(values.len() - 1), 19_999.5);

    // Batches of 4: 8 rows are two full batches, and no empty third.
    let mut writer = ParquetWriter::with_batch_rows(&path, Small::COLUMNS, 4).unwrap();
    for i in 0..8 {
        writer.push(&small("r", "1", true, "", i)).unwrap();
        assert_eq!(writer.in_batch, (i + 1) % 4, "after row {i}");
    }
    assert_eq!(writer.finish().unwrap(), 8);
    assert_eq!(
        read(&path)
            .1
            .iter()
            .map(RecordBatch::num_rows)
            .sum::<usize>(),
        8
    );
}

#[test]
fn a_value_that_does_not_fit_names_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.parquet");
    let mut writer = ParquetWriter::create(&path, Small::COLUMNS).unwrap();
    writer.push(&small("fine", "1", true, "", 1)).unwrap();
    let error = writer
        .push_values(vec![
            Value::Text("x".into()),
            Value::Text("1.2.3".into()),
            Value::Bool(true),
            Value::Null,
            Value::Int(1),
        ])
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, ParquetError::Row { row: 2, .. }),
        "{message}"
    );
    assert!(message.contains("column value is number"), "{message}");
    assert!(message.contains("bad.parquet"), "{message}");
    let error = writer.push_values(vec![Value::Null]).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("fewer values than the 5 columns"),
        "{error}"
    );
    let error = writer.push_values(vec![Value::Null; 6]).unwrap_err();
    assert!(
        error.to_string().contains("more values than the 5 columns"),
        "{error}"
    );
}

#[test]
fn no_rows_give_an_empty_table_with_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("studies.parquet");
    fs::write(&path, "old").unwrap();
    let writer = ParquetWriter::create(&path, StudyRow::COLUMNS).unwrap();
    assert_eq!(writer.finish().unwrap(), 0);
    let (schema, batches) = read(&path);
    assert_eq!(schema.as_ref(), &arrow_schema(StudyRow::COLUMNS));
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 0);
    assert_eq!(
        parquet_path_for(&dir.path().join("studies.csv")),
        dir.path().join("studies.parquet")
    );
}

/// The column tables of docs/parquet.md: `### NAME.parquet`, then `| column | type |` rows.
fn documented(docs: &str, file: &str) -> Vec<(String, String)> {
    let heading = format!("### {file}");
    let start = docs
        .lines()
        .position(|l| l.trim() == heading)
        .unwrap_or_else(|| panic!("no section {heading}"));
    docs.lines()
        .skip(start)
        .skip_while(|l| !l.starts_with("| column |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // "Utf8 (`;`-separated, as in the CSV)": the type is the first word.
            let kind = cells[2].split_whitespace().next().unwrap_or("");
            (cells[1].to_string(), kind.to_string())
        })
        .collect()
}

/// docs/parquet.md lists every Parquet file, each with the columns and types the code
/// writes.
#[test]
fn every_file_is_documented_with_its_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/parquet.md");
    let docs = fs::read_to_string(path).expect("docs/parquet.md");
    let tables: [(&str, &[Column]); 9] = [
        ("visits_wide.parquet", crate::export::wide::WideRow::COLUMNS),
        ("measurements.parquet", MeasurementRow::COLUMNS),
        ("studies.parquet", StudyRow::COLUMNS),
        ("documents.parquet", DocumentRow::COLUMNS),
        ("history.parquet", HistoryRow::COLUMNS),
        ("files.parquet", FileRow::COLUMNS),
        ("followup.parquet", FollowupLine::COLUMNS),
        ("body_composition.parquet", BodyCompositionRow::COLUMNS),
        ("body_followup.parquet", BodyFollowupLine::COLUMNS),
    ];
    for (file, columns) in tables {
        let expected: Vec<(String, String)> = columns
            .iter()
            .map(|c| (c.name.to_string(), data_type(c.kind).to_string()))
            .collect();
        assert_eq!(documented(&docs, file), expected, "docs/parquet.md, {file}");
        assert!(
            docs.contains(&format!("`{file}`")),
            "{file} in the list of files"
        );
    }
    assert!(
        !docs.contains(".partial-"),
        "no temporary file is written: the copies are made in the staging folder"
    );
}
