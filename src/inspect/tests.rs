//! `inspect` on its own: what it prints of an SR (each measure's mapping, the count of
//! mapped and unmapped items, the exam, the rows `scan` would write), of bytes that are not
//! DICOM, and of a Hologic results document's tables, unknown codes included.

use dxa_fixtures::{Encoding, Group, Row, hologic_style, sample, sr_bytes};

use super::*;

fn mapper() -> Mapper {
    crate::profile::load(&[]).expect("built-in profiles")
}

fn show(bytes: &[u8]) -> (bool, String) {
    let mut out = Vec::new();
    let ingestible = inspect(
        "x.dcm",
        bytes,
        &mapper(),
        &Limits::default(),
        &ClassifyOptions::default(),
        &mut out,
    )
    .expect("inspect writes to a Vec");
    (ingestible, String::from_utf8(out).expect("UTF-8"))
}

#[test]
fn an_sr_shows_each_mapping_the_exam_and_the_rows() {
    let mut study = sample::seed_study();
    study.header.model = String::new();
    let study = study.group(Group::new("AP Spine").row(Row::new("Qx9 unknown").bmd("0.5")));
    let (ingestible, text) = show(&sr_bytes(&hologic_style(&study), Encoding::default()));
    assert!(ingestible, "{text}");
    assert!(text.starts_with("file: x.dcm ("), "{text}");
    assert!(text.contains("\ncontent tree ("), "{text}");
    assert!(
        text.contains("  CONTAINS "),
        "relationship types shown: {text}"
    );
    assert!(
        text.contains("-> bmd spine_L1-L4 (label \"Total\"; by "),
        "{text}"
    );
    let counts = text
        .lines()
        .find(|l| l.starts_with("measure items: "))
        .expect("the count line");
    let mapped: usize = counts["measure items: ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(mapped > 10, "{counts}");
    assert!(
        text.contains("-> bmd other (label \"Qx9 unknown\""),
        "a measure of an unknown region is placed in `other`, label kept: {text}"
    );
    assert_eq!(
        text.matches("   -> unmapped").count(),
        counts
            .split(", ")
            .nth(1)
            .and_then(|t| t.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .expect("unmapped count"),
        "each unmapped item marked: {counts}"
    );
    assert!(
        text.contains(
            "exam: manufacturer HOLOGIC (hologic), model -, serial 300123, study date 2024-04-15"
        ),
        "an empty model is a dash: {text}"
    );
    assert!(text.contains("patient: sex F, age 66."), "{text}");
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("spine_L1-L4"))
        .expect("the L1-L4 row");
    assert!(row.contains("BMD  0.930"), "{row}");
    assert!(row.contains("T  -1.1"), "{row}");
    assert!(
        text.contains("this document alone (`scan` classifies the whole visit"),
        "{text}"
    );
    assert!(text.contains("carriers sr_tree,"), "{text}");
}

#[test]
fn bytes_that_are_not_dicom_say_why() {
    let (ingestible, text) = show(b"not a DICOM file at all, just text");
    assert!(!ingestible);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("not ingested: skipped not_dicom: ")),
        "{text}"
    );
}

#[test]
fn a_results_document_shows_each_table_row_and_cell_with_its_codes() {
    let document = "TableType1 = 1;\n\
        TableTitle1 = \"Results Summary:\";\n\
        TableColumnTypes1[ 0] = 1; ResultsTable1[ 0][ 0] = \"Region\";\n\
        TableColumnTypes1[ 3] = 3; ResultsTable1[ 0][ 3] = \"BMD\";\n\
        TableColumnTypes1[ 4] = 99; ResultsTable1[ 0][ 4] = \"?\";\n\
        TableRowTypes1[ 1] = 10; ResultsTable1[ 1][ 0] = \"Neck\"; ResultsTable1[ 1][ 3] = \"0.585\";\n\
        TableRowTypes1[ 2] = 999; ResultsTable1[ 2][ 0] = \"Odd\";\n\
        TableType2 = 77;\n\
        ResultsTable3[ 1][ 0] = \"x\";\n\
        PatientSex = \"Female\";\n";
    let mut out = Vec::new();
    print_results_document(document.as_bytes(), &mapper(), &mut out).expect("printed");
    let text = String::from_utf8(out).expect("UTF-8");
    for line in [
        "Hologic results document (",
        "  PatientSex = \"Female\"",
        "  table 1: type 1 = Results \"Results Summary:\"",
        "    row 0 (no type): Label=\"Region\", bmd=\"BMD\", unknown 99=\"?\"",
        "    row 1 (10 = Region(\"Neck\")): Label=\"Neck\", bmd=\"0.585\", unknown 99=\"\"",
        "    row 2 (999 = unknown): Label=\"Odd\", bmd=\"\", unknown 99=\"\"",
        "  table 2: type 77 = unknown \"\"",
        "  table 3: no TableType \"\"",
    ] {
        assert!(text.contains(line), "{line:?} in:\n{text}");
    }
}

/// A writer whose reader has gone (`| head`).
struct ClosedPipe;

impl std::io::Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What stops `inspect` is a typed error, with the cause as its source: the binary finds
/// a closed pipe there (not a failure) and says the rest.
#[test]
fn what_stops_inspect_is_typed_with_its_cause() {
    use std::error::Error;
    let bytes = sr_bytes(&hologic_style(&sample::seed_study()), Encoding::default());
    let error = inspect(
        "x.dcm",
        &bytes,
        &mapper(),
        &Limits::default(),
        &ClassifyOptions::default(),
        &mut ClosedPipe,
    )
    .unwrap_err();
    assert!(matches!(error, InspectError::Write(_)), "{error:?}");
    let cause = error
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .expect("the io error is the source");
    assert_eq!(cause.kind(), std::io::ErrorKind::BrokenPipe);

    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("gone/x.dcm");
    let error = inspect_visit(
        &missing,
        &mapper(),
        &Limits::default(),
        &ClassifyOptions::default(),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, InspectError::List { folder, .. } if folder.ends_with("/gone")),
        "{error:?}"
    );
}
