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
    assert_eq!(names(FOLLOWUP), crate::output::rows::FOLLOWUP_COLUMNS);
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
    let mut text = String::from("name,value,ok,day,count\nfine,1,true,,\n\"two\nlines\",2,,,\n");
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
    measurements.push_str(
        "s/0.dcm,1.2.0,femoral_neck,left,Neck,0.812,4.12,5.07,-1.2,-0.3,86,97,786,-1.25,true,\n",
    );
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
