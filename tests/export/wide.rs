//! visits_wide.csv (docs/columns.md, "visits_wide.csv"): one row per visit, the keys and
//! classification of studies.csv, each site's BMD, T and Z from the rows the visit used.

use std::path::Path;

use arrow_schema::DataType;
use dxa_fixtures::{Encoding, Ts, hologic_style, sample, sr_bytes, uid_from};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::fhir::scan_sample_with;
use crate::util::{Row, code, dxa, read_csv, stderr};

/// The measurements.csv row of a visit (patient, date), region and side that the visit
/// used: not left out (a copy, a superseded or re-analysed one say so in their note).
fn used<'a>(rows: &'a [Row], study: &Row, region: &str, side: &str) -> Option<&'a Row> {
    let left_out = [
        "superseded_by=",
        "duplicate_of=",
        "same_values_as=",
        "re-analysed",
    ];
    rows.iter().find(|m| {
        m["patient_id"] == study["patient_id"]
            && m["study_date"] == study["study_date"]
            && m["region"] == region
            && m["laterality"] == side
            && !left_out.iter().any(|l| m["note"].contains(l))
    })
}

#[test]
fn one_row_per_visit_with_the_keys_of_studies_and_the_sites_side_by_side() {
    let dir = scan_sample_with(&[]);
    let out = dir.path().join("out");
    let (wide, studies, measurements) = (
        read_csv(&out.join("visits_wide.csv")),
        read_csv(&out.join("studies.csv")),
        read_csv(&out.join("measurements.csv")),
    );
    assert_eq!(wide.len(), studies.len(), "one row per visit");
    let mut ids: Vec<&str> = wide.iter().map(|r| r["visit_id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), wide.len(), "visit_id is unique");
    let sites = [
        ("spine_L1-L4", "spine_L1-L4", ""),
        ("spine_L2-L4", "spine_L2-L4", ""),
        ("femoral_neck_left", "femoral_neck", "left"),
        ("femoral_neck_right", "femoral_neck", "right"),
        ("total_hip_left", "total_hip", "left"),
        ("total_hip_right", "total_hip", "right"),
        ("radius_33_left", "radius_33", "left"),
        ("radius_33_right", "radius_33", "right"),
    ];
    let mut values = 0;
    // In studies.csv's order, row for row.
    for (w, s) in wide.iter().zip(&studies) {
        for key in [
            "patient_id",
            "study_date",
            "patient_sex",
            "patient_age_years",
            "manufacturer",
            "model",
            "device_serial",
            "study_instance_uid",
            "population",
            "classification",
            "classification_uniform_reference",
            "vendor_classification",
            "basis_site",
            "min_t_score",
            "min_z_score",
            "frax_major_pct",
            "frax_hip_pct",
            "tbs",
        ] {
            assert_eq!(w[key], s[key], "{key} of {}", s["source_path"]);
        }
        for (prefix, region, side) in sites {
            let row = used(&measurements, s, region, side);
            for (suffix, column) in [("bmd", "bmd_g_cm2"), ("t", "t_score"), ("z", "z_score")] {
                let expected = row.map_or("", |r| r[column].as_str());
                assert_eq!(
                    w[&format!("{prefix}_{suffix}")],
                    expected,
                    "{prefix}_{suffix}"
                );
                values += usize::from(!expected.is_empty());
            }
        }
    }
    assert!(values > 60, "{values} values compared");
    // The seed patient's 2024 visit, as measurements.csv has it.
    let seed = wide
        .iter()
        .find(|r| r["patient_id"] == "HOL000123" && r["study_date"] == "2024-04-15")
        .unwrap();
    assert_eq!(seed["femoral_neck_left_t"], "-2.4");
    assert_eq!(seed["total_hip_left_bmd"], "0.708");
    assert_eq!(seed["spine_L1-L4_bmd"], "0.930");
    assert_eq!(seed["femoral_neck_right_bmd"], "");
    assert_eq!(seed["frax_major_pct"], "18");
    // The Lunar dual-femur visit: both hips side by side.
    let lunar = wide
        .iter()
        .find(|r| r["patient_id"] == "LUN004412" && r["study_date"] == "2024-01-22")
        .unwrap();
    assert!(
        !lunar["femoral_neck_left_bmd"].is_empty() && !lunar["femoral_neck_right_bmd"].is_empty()
    );
}

#[test]
fn a_superseded_analysis_never_reaches_the_wide_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    // The seed study analysed at 09:00, then again at 10:15 with another first BMD.
    let mut first = sample::seed_study();
    first.header.patient_id = "REANALYSED1".into();
    first.header.study_uid = uid_from("wide/reanalysis/study");
    first.header.sop_uid = uid_from("wide/reanalysis/sop1");
    first.header.content_time = "090000".into();
    let mut second = first.clone();
    second.header.sop_uid = uid_from("wide/reanalysis/sop2");
    second.header.content_time = "101500".into();
    // The left hip's femoral neck: 0.585 at 09:00, 0.555 at 10:15.
    assert_eq!(second.groups[1].rows[0].bmd.as_deref(), Some("0.585"));
    second.groups[1].rows[0].bmd = Some("0.555".into());
    for (name, study) in [("A_first.dcm", &first), ("B_second.dcm", &second)] {
        let bytes = sr_bytes(&hologic_style(study), Encoding::new(Ts::ExplicitLe, true));
        std::fs::write(input.join(name), bytes).unwrap();
    }
    let out = dir.path().join("out");
    let output = dxa()
        .args(["scan", "--quiet", "--out"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let measurements = read_csv(&out.join("measurements.csv"));
    let neck: Vec<(&str, &str)> = measurements
        .iter()
        .filter(|m| m["region"] == "femoral_neck" && m["laterality"] == "left")
        .map(|m| (m["bmd_g_cm2"].as_str(), m["note"].as_str()))
        .collect();
    assert_eq!(neck.len(), 2, "{neck:?}");
    assert!(
        neck.iter()
            .any(|(bmd, note)| *bmd == "0.585" && note.contains("superseded_by=")),
        "the first analysis is superseded: {neck:?}"
    );
    let wide = read_csv(&out.join("visits_wide.csv"));
    assert_eq!(wide.len(), 1, "one visit");
    assert_eq!(
        wide[0]["femoral_neck_left_bmd"], "0.555",
        "the newer analysis"
    );
}

fn schema_of(path: &Path) -> Vec<(String, DataType)> {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    builder
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect()
}

#[test]
fn parquet_columns_are_typed_even_when_every_value_is_empty() {
    // One visit: most site columns and some text columns are empty in every row.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = dxa()
        .current_dir(crate::util::repo())
        .args(["scan", "--quiet", "--format", "parquet", "--out"])
        .arg(&out)
        .arg("fixtures/sample/gateway/ACME000042/DXA_SR.dcm")
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let wide = read_csv(&out.join("visits_wide.csv"));
    assert_eq!(wide.len(), 1);
    let schema = schema_of(&out.join("visits_wide.parquet"));
    let type_of = |name: &str| &schema.iter().find(|(n, _)| n == name).unwrap().1;
    for (column, kind) in [
        ("radius_33_right_bmd", DataType::Float64),
        ("spine_L2-L4_t", DataType::Float64),
        ("tbs", DataType::Float64),
        ("vendor_classification", DataType::Utf8),
        ("classification_uniform_reference", DataType::Utf8),
    ] {
        assert_eq!(
            wide[0][column], "",
            "{column} is empty: the case this test is for"
        );
        assert_eq!(type_of(column), &kind, "{column}");
    }
    assert_eq!(type_of("visit_id"), &DataType::Utf8);
    assert_eq!(type_of("study_date"), &DataType::Date32);
    assert_eq!(type_of("patient_age_years"), &DataType::Float64);
    let header = crate::util::header(&out.join("visits_wide.csv"));
    let names: Vec<String> = schema.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, header, "the Parquet copy has the CSV's columns");
}
