//! Research use end to end on the sample tree (docs/privacy.md, docs/parquet.md): follow-up of the seed patient's three studies,
//! pseudonymised research exports, Parquet beside CSV, report.html.

use std::path::{Path, PathBuf};

use arrow_array::{Array, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::util::{code, dxa, read_csv, repo, scan_sample_into, stderr};

/// `scan fixtures/sample --out <tmp>/out <extra>`; returns the temp dir and stderr.
fn scan_sample(extra: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = scan_sample_into(&dir.path().join("out"), extra);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    (dir, stderr(&output))
}

#[test]
fn followup_of_three_studies_with_a_device_change() {
    let (dir, _) = scan_sample(&[]);
    let rows = read_csv(&dir.path().join("out/followup.csv"));
    let hip: Vec<_> = rows
        .iter()
        .filter(|r| r["region"] == "total_hip" && r["patient_id"] == "HOL000123")
        .collect();
    assert_eq!(
        hip.len(),
        2,
        "2020 is the baseline; 2022 and 2024 each get a row"
    );
    // 2022 was measured on another scanner (300999): not comparable with 2020.
    assert_eq!(hip[0]["study_date"], "2022-04-19");
    assert_eq!(hip[0]["vs_prior"], "not_comparable");
    assert!(
        hip[0]["note"].contains("device differs (300123 -> 300999)"),
        "{}",
        hip[0]["note"]
    );
    // 2024 against 2022: another device again; against the 2020 baseline on the same
    // scanner: 0.752 -> 0.708 = -0.044 g/cm2, -5.85 %, beyond the default 5.0 % LSC.
    assert_eq!(hip[1]["study_date"], "2024-04-15");
    assert_eq!(hip[1]["prior_study_date"], "2022-04-19");
    assert_eq!(hip[1]["baseline_study_date"], "2020-04-20");
    assert_eq!(hip[1]["vs_prior"], "not_comparable");
    assert_eq!(hip[1]["vs_baseline"], "significant_loss");
    assert_eq!(hip[1]["change_vs_baseline_g_cm2"], "-0.044");
    assert_eq!(hip[1]["change_vs_baseline_pct"], "-5.85");
    assert_eq!(hip[1]["lsc_pct"], "5.0");
    assert_eq!(hip[1]["lsc_source"], "default");
    // The spine lost 2.62 % since 2020: within its 5.3 % LSC.
    let spine = rows
        .iter()
        .find(|r| r["region"] == "spine_L1-L4" && r["study_date"] == "2024-04-15")
        .expect("spine row");
    assert_eq!(spine["vs_baseline"], "stable");
    assert_eq!(spine["change_vs_baseline_pct"], "-2.62");
    // The Lunar patient, same scanner 2021 -> 2024 (mg/cm2 converted): left total hip
    // 0.930 -> 0.873 = -0.057, -6.13 %: a significant loss; the mean total hip 0.899 ->
    // 0.877 = -2.45 %: stable.
    let lunar = |side: &str| {
        rows.iter()
            .find(|r| {
                r["patient_id"] == "LUN004412"
                    && r["region"] == "total_hip"
                    && r["laterality"] == side
            })
            .unwrap_or_else(|| panic!("lunar {side} total hip"))
    };
    assert_eq!(lunar("left")["change_g_cm2"], "-0.057");
    assert_eq!(lunar("left")["change_pct"], "-6.13");
    assert_eq!(lunar("left")["vs_prior"], "significant_loss");
    assert_eq!(lunar("mean")["change_pct"], "-2.45");
    assert_eq!(lunar("mean")["vs_prior"], "stable");
    // Patients with one study have no rows, unless their scanner reports earlier exams
    // (HOL000777, HOL000456: history tables).
    assert!(
        rows.iter()
            .all(|r| ["HOL000123", "LUN004412", "HOL000777", "HOL000456"]
                .contains(&r["patient_id"].as_str())),
        "only the patients with several studies"
    );
}

#[test]
fn a_facility_lsc_file_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let lsc = dir.path().join("lsc.csv");
    // 0.050 g/cm2 at the total hip: the 0.044 loss since 2020 is now stable.
    std::fs::write(&lsc, "site,lsc_g_cm2\ntotal_hip,0.050\n").unwrap();
    let (out, _) = scan_sample(&["--lsc", lsc.to_str().unwrap()]);
    let rows = read_csv(&out.path().join("out/followup.csv"));
    let hip = rows
        .iter()
        .find(|r| r["region"] == "total_hip" && r["study_date"] == "2024-04-15")
        .unwrap();
    assert_eq!(hip["lsc_g_cm2"], "0.050");
    assert_eq!(hip["lsc_source"], "file");
    assert_eq!(hip["vs_baseline"], "stable");

    // A row for one device (by its serial in the files) still applies when the outputs
    // write serials as pseudonyms.
    std::fs::write(
        &lsc,
        "site,lsc_g_cm2,device_serial\ntotal_hip,0.051,300123\n",
    )
    .unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, [9u8; 32]).unwrap();
    let (out, _) = scan_sample(&[
        "--lsc",
        lsc.to_str().unwrap(),
        "--pseudonymize",
        key.to_str().unwrap(),
    ]);
    let rows = read_csv(&out.path().join("out/followup.csv"));
    let from_file: Vec<_> = rows
        .iter()
        .filter(|r| r["region"] == "total_hip" && r["lsc_source"] == "file")
        .collect();
    assert!(!from_file.is_empty(), "{rows:?}");
    assert!(from_file.iter().all(|r| r["lsc_g_cm2"] == "0.051"));
}

/// Every identifier the sample's SR files carry.
pub(crate) fn identifiers() -> Vec<String> {
    // Read from the sample's DICOM files themselves, whatever the sample holds.
    let mut out = Vec::new();
    for path in crate::util::files_under(&repo().join("fixtures/sample")) {
        out.extend(crate::util::dicom_identifiers(&path, &[]));
    }
    out.retain(|s| s.len() >= 3);
    out.sort();
    out.dedup();
    out
}

/// All text of every output file, however deep (fhir/, omop/): CSV, NDJSON and HTML as
/// they are, Parquet decoded.
pub(crate) fn output_texts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut texts = Vec::new();
    for path in crate::util::files_under(dir) {
        let text = if path.extension().is_some_and(|e| e == "parquet") {
            let file = std::fs::File::open(&path).unwrap();
            let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                .unwrap()
                .build()
                .unwrap();
            let mut text = String::new();
            for batch in reader {
                let batch = batch.unwrap();
                for column in batch.columns() {
                    if let Some(strings) = column.as_any().downcast_ref::<StringArray>() {
                        for i in 0..strings.len() {
                            if !strings.is_null(i) {
                                text.push_str(strings.value(i));
                                text.push('\n');
                            }
                        }
                    }
                }
            }
            let csv = path.with_extension("csv");
            let rows = std::fs::read_to_string(&csv).unwrap().lines().count() - 1;
            assert!(
                !text.is_empty() || rows == 0,
                "{} decoded to nothing",
                path.display()
            );
            text
        } else {
            String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()
        };
        texts.push((path, text));
    }
    texts
}

#[test]
fn pseudonymized_outputs_hold_no_identifier() {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let (dir, log) = scan_sample(&[
        "--pseudonymize",
        key.to_str().unwrap(),
        "--format",
        "parquet",
        "--fhir",
        "--omop",
    ]);
    let ids = identifiers();
    assert!(ids.len() > 40, "{} identifiers checked", ids.len());
    let texts = output_texts(&dir.path().join("out"));
    assert_eq!(
        texts.len(),
        23,
        "8 CSV, 8 Parquet, report.html, run.json, fhir/bundles.ndjson, 4 OMOP tables"
    );
    for (path, text) in &texts {
        for id in &ids {
            assert!(
                !text.contains(id.as_str()),
                "{id:?} survives in {}",
                path.display()
            );
        }
    }
    for id in &ids {
        assert!(!log.contains(id.as_str()), "{id:?} in the log");
    }
    // The data is still there, under pseudonyms.
    let studies = read_csv(&dir.path().join("out/studies.csv"));
    // One row per visit: 31 documents make 16 visits.
    assert_eq!(studies.len(), 16);
    assert_eq!(read_csv(&dir.path().join("out/documents.csv")).len(), 31);
    assert!(
        studies
            .iter()
            .all(|r| r["patient_id"].starts_with('P') && r["source_path"].starts_with("file-"))
    );
    let followup = read_csv(&dir.path().join("out/followup.csv"));
    assert_eq!(
        followup.len(),
        19,
        "follow-up still links each patient's visits"
    );
}

#[test]
fn a_scanners_history_is_a_prior_when_the_earlier_exam_was_not_scanned() {
    let (dir, _) = scan_sample(&[]);
    let rows = read_csv(&dir.path().join("out/followup.csv"));
    // GE 2021's spine: its prior, 2019, is only in the scanner's trend (not scanned).
    let spine_2021 = rows
        .iter()
        .find(|r| {
            r["patient_id"] == "LUN004412"
                && r["region"] == "spine_L1-L4"
                && r["study_date"] == "2021-01-18"
        })
        .expect("a row for the 2021 spine");
    assert_eq!(spine_2021["prior_source"], "scanner_history");
    assert_eq!(spine_2021["prior_study_date"], "2019-01-15");
    // 2024 against 2021: the scanned 2021 visit, never the trend's copy of it.
    let spine_2024 = rows
        .iter()
        .find(|r| {
            r["patient_id"] == "LUN004412"
                && r["region"] == "spine_L1-L4"
                && r["study_date"] == "2024-01-22"
        })
        .unwrap();
    assert_eq!(spine_2024["prior_source"], "scanned");
    assert_eq!(spine_2024["baseline_source"], "scanner_history");
    // history.csv has the trend, and none of it is among the measurements.
    let history = read_csv(&dir.path().join("out/history.csv"));
    assert!(
        history.iter().any(|h| h["exam_date"] == "2019-01-15"),
        "{history:?}"
    );
    let measurements = read_csv(&dir.path().join("out/measurements.csv"));
    assert!(
        !measurements
            .iter()
            .any(|m| m["source_label"].starts_with("Trend"))
    );
}

#[test]
fn pseudonyms_are_stable_per_key() {
    let keys = tempfile::tempdir().unwrap();
    let (key_a, key_b) = (keys.path().join("a"), keys.path().join("b"));
    std::fs::write(&key_a, [1u8; 32]).unwrap();
    std::fs::write(&key_b, [2u8; 32]).unwrap();
    let patients = |key: &Path| {
        let (dir, _) = scan_sample(&["--pseudonymize", key.to_str().unwrap()]);
        let rows = read_csv(&dir.path().join("out/studies.csv"));
        rows.iter()
            .map(|r| (r["patient_id"].clone(), r["sop_instance_uid"].clone()))
            .collect::<Vec<_>>()
    };
    let first = patients(&key_a);
    assert_eq!(first, patients(&key_a), "same key, same pseudonyms");
    let other = patients(&key_b);
    assert_eq!(first.len(), other.len());
    // No pseudonym of one key is one of the other's (rows are in the order of the
    // pseudonymised paths: another key, another order). A visit of enCORE export lines
    // alone has no UID to pseudonymise.
    let empty = |rows: &[(String, String)]| rows.iter().filter(|(_, u)| u.is_empty()).count();
    assert_eq!(empty(&first), empty(&other));
    assert_eq!(empty(&first), 3, "the sample's three export-only visits");
    for (pa, ua) in &first {
        assert!(!other.iter().any(|(pb, _)| pb == pa), "{pa}");
        assert!(
            ua.is_empty() || !other.iter().any(|(_, ub)| ub == ua),
            "{ua}"
        );
    }
    // A short key is refused before any work.
    let short = keys.path().join("short");
    std::fs::write(&short, b"too short").unwrap();
    let output = dxa()
        .current_dir(repo())
        .args(["scan", "fixtures/sample", "--quiet", "--pseudonymize"])
        .arg(&short)
        .arg("--out")
        .arg(keys.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("at least 16"),
        "{}",
        stderr(&output)
    );
    assert!(!keys.path().join("out").exists());
}

#[test]
fn shifted_dates_keep_intervals_and_hide_the_calendar() {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key");
    std::fs::write(&key, [7u8; 32]).unwrap();
    let (plain, _) = scan_sample(&[]);
    let (shifted, _) = scan_sample(&["--pseudonymize", key.to_str().unwrap(), "--shift-dates"]);
    let dates = |dir: &Path| -> Vec<String> {
        read_csv(&dir.join("out/studies.csv"))
            .iter()
            .map(|r| r["study_date"].clone())
            .collect()
    };
    let (before, after) = (dates(plain.path()), dates(shifted.path()));
    assert_eq!(before.len(), after.len());
    // No visit date of the sample survives anywhere in the shifted outputs.
    for (path, text) in output_texts(&shifted.path().join("out")) {
        for date in &before {
            assert!(
                !text.contains(date.as_str()),
                "{date} in {}",
                path.display()
            );
        }
    }
    // Follow-up intervals are kept: the same changes, the same verdicts.
    let followup = |dir: &Path| -> Vec<(String, String, String)> {
        read_csv(&dir.join("out/followup.csv"))
            .iter()
            .map(|r| {
                (
                    r["region"].clone(),
                    r["change_g_cm2"].clone(),
                    r["vs_prior"].clone(),
                )
            })
            .collect()
    };
    // The same rows (followup.csv is ordered by patient ID: pseudonyms sort otherwise).
    let sorted = |mut rows: Vec<(String, String, String)>| {
        rows.sort();
        rows
    };
    assert_eq!(
        sorted(followup(plain.path())),
        sorted(followup(shifted.path()))
    );
    let days = |text: &str| {
        let d: Vec<i64> = text.split('-').map(|p| p.parse().unwrap()).collect();
        // Days from civil (Hinnant), enough for intervals.
        let (y, m) = if d[1] <= 2 {
            (d[0] - 1, d[1] + 9)
        } else {
            (d[0], d[1] - 3)
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * m + 2) / 5 + d[2] - 1;
        era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy
    };
    // The same intervals (rows compared as sets: pseudonyms sort otherwise).
    let intervals = |dir: &Path| {
        let mut found: Vec<(String, String, String, i64)> = read_csv(&dir.join("out/followup.csv"))
            .iter()
            .map(|r| {
                (
                    r["region"].clone(),
                    r["laterality"].clone(),
                    r["change_g_cm2"].clone(),
                    days(&r["study_date"]) - days(&r["prior_study_date"]),
                )
            })
            .collect();
        found.sort();
        found
    };
    assert_eq!(intervals(plain.path()), intervals(shifted.path()));
}

#[test]
fn parquet_matches_csv() {
    let (dir, _) = scan_sample(&["--format", "parquet"]);
    for name in ["measurements", "studies", "documents", "files", "followup"] {
        let csv_rows = read_csv(&dir.path().join(format!("out/{name}.csv"))).len();
        let file = std::fs::File::open(dir.path().join(format!("out/{name}.parquet"))).unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let columns = builder.schema().fields().len();
        let rows: usize = builder
            .build()
            .unwrap()
            .map(|b| b.unwrap().num_rows())
            .sum();
        assert_eq!(rows, csv_rows, "{name}");
        assert_eq!(
            columns,
            crate::util::header(&dir.path().join(format!("out/{name}.csv"))).len(),
            "{name}"
        );
    }
}

#[test]
fn report_is_self_contained_with_every_section() {
    let (dir, _) = scan_sample(&[]);
    let html = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(html.contains("<svg"), "charts are inline SVG");
    let without_namespace = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_namespace.contains("http"), "no network reference");
    for needle in [
        "hologic",
        "ge_lunar",
        "osteopenia",
        "femoral_neck",
        "not_dicom",
        "significant_loss",
    ] {
        assert!(html.contains(needle), "{needle} missing from the report");
    }
}
