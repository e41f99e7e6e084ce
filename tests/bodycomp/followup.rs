//! Follow-up of body composition (body_followup.csv): a patient's whole-body visits on one
//! device compared visit to visit, a visit on another device never compared; GE enCORE
//! lines (device unknown) compared only within their export file; partial scans and merge
//! write the same bytes.

use dxa_fixtures::encore::{Units, export_set, utf16le};
use dxa_fixtures::evidence::hologic_header;
use dxa_fixtures::whole_body::{BODY, Body, Codes, whole_body_document_of, whole_body_image};

use crate::util::{Row as CsvRow, TestEnv, code, dxa, stderr};

/// A whole-body report image of patient HOL000901 on `date` (YYYYMMDD), scanned on the
/// Hologic `serial`, with the composition `body`.
fn whole_body(date: &str, serial: &str, body: &Body) -> Vec<u8> {
    let name = format!("followup/{date}/{serial}");
    let header = hologic_header(
        &name,
        &name,
        ("LEE^MAY", "HOL000901", "F", Some("19700211"), "054Y"),
        (date, "101500"),
        "Horizon A",
        serial,
    );
    let text = whole_body_document_of(Codes::Absent, body)
        .replace("(S/N 300888M)", &format!("(S/N {serial})"));
    whole_body_image(&header, &text)
}

/// BODY a year on: 1 500.0 g more trunk fat, 200.0 g more left arm lean.
fn later_body() -> Body {
    let mut body = BODY;
    body.parts[2].fat += 15_000;
    body.parts[0].lean += 2_000;
    body
}

/// BODY on another scanner: far more fat (so that a comparison with it would show).
fn other_device_body() -> Body {
    let mut body = BODY;
    body.parts[2].fat += 90_000;
    body
}

fn number(row: &CsvRow, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} is not a number: {row:?}"))
}

fn scanned(env: &TestEnv, extra: &[&str]) {
    let output = env.scan(extra);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn whole_body_visits_on_one_device_are_compared_never_across_devices() {
    let env = TestEnv::new();
    env.write("a/2022.dcm", &whole_body("20220601", "300888M", &BODY));
    env.write(
        "b/2023.dcm",
        &whole_body("20230601", "300999M", &other_device_body()),
    );
    env.write(
        "c/2024.dcm",
        &whole_body("20240603", "300888M", &later_body()),
    );
    scanned(&env, &[]);
    let studies = env.csv("studies.csv");
    assert_eq!(studies.len(), 3, "three visits: {studies:#?}");
    let visit = |date: &str| {
        studies
            .iter()
            .find(|r| r["study_date"] == date)
            .unwrap_or_else(|| panic!("no visit on {date}: {studies:#?}"))
    };
    let (first, other, last) = (
        visit("2022-06-01"),
        visit("2023-06-01"),
        visit("2024-06-03"),
    );
    assert_eq!(other["device_serial"], "300999M");
    let rows = env.csv("body_followup.csv");
    assert_eq!(
        rows.len(),
        1,
        "only the 2024 visit has an earlier one on its device: {rows:#?}"
    );
    let row = &rows[0];
    assert_eq!(row["visit_id"], last["visit_id"]);
    assert_eq!(
        row["prior_visit_id"], first["visit_id"],
        "the 2023 visit on another device is skipped over"
    );
    assert_ne!(row["prior_visit_id"], other["visit_id"]);
    assert_eq!(row["patient_id"], "HOL000901");
    assert_eq!(row["study_date"], "2024-06-03");
    assert_eq!(row["prior_study_date"], "2022-06-01");
    assert_eq!(row["source"], "hologic_results_document");
    assert_eq!(row["device_serial"], "300888M");
    // The values are body_composition.csv's total and studies.csv's indices of each visit.
    let composition = env.csv("body_composition.csv");
    let total = |visit: &CsvRow, column: &str| {
        composition
            .iter()
            .find(|r| r["visit_id"] == visit["visit_id"] && r["region"] == "total")
            .map(|r| r[column].clone())
            .expect("a total row")
    };
    assert_eq!(row["total_fat_g"], total(last, "fat_g"));
    assert_eq!(row["prior_total_fat_g"], total(first, "fat_g"));
    assert_eq!(row["total_lean_g"], total(last, "lean_g"));
    assert_eq!(row["prior_total_lean_g"], total(first, "lean_g"));
    assert_eq!(row["almi_kg_m2"], last["almi_kg_m2"]);
    assert_eq!(row["prior_almi_kg_m2"], first["almi_kg_m2"]);
    assert_eq!(row["total_fat_pct"], last["total_fat_pct"]);
    assert_eq!(row["prior_total_fat_pct"], first["total_fat_pct"]);
    // The changes: exactly what the later exam added, in g and in % of the earlier value.
    assert_eq!(row["total_fat_change_g"], "1500.0");
    assert_eq!(row["total_lean_change_g"], "200.0");
    let pct = |change: f64, prior: &str| 100.0 * change / number(row, prior);
    assert!(
        (number(row, "total_fat_change_pct") - pct(1500.0, "prior_total_fat_g")).abs() <= 0.005
    );
    assert!(
        (number(row, "total_lean_change_pct") - pct(200.0, "prior_total_lean_g")).abs() <= 0.005
    );
    for (now, then, change) in [
        ("almi_kg_m2", "prior_almi_kg_m2", "almi_change_kg_m2"),
        (
            "total_fat_pct",
            "prior_total_fat_pct",
            "total_fat_pct_change_points",
        ),
    ] {
        let expected = number(row, now) - number(row, then);
        assert!(expected > 0.0, "{now} grew: {row:?}");
        assert!((number(row, change) - expected).abs() < 1e-9, "{row:?}");
    }
    // No verdict, no LSC: the file has none of followup.csv's judging columns.
    let header = crate::util::header(&env.out().join("body_followup.csv"));
    assert!(
        !header
            .iter()
            .any(|c| c.contains("lsc") || c.starts_with("vs_")),
        "{header:?}"
    );
    // --followup never: no body_followup.csv either.
    let never = TestEnv::new();
    never.write("a/2022.dcm", &whole_body("20220601", "300888M", &BODY));
    never.write(
        "c/2024.dcm",
        &whole_body("20240603", "300888M", &later_body()),
    );
    scanned(&never, &["--followup", "never"]);
    assert!(!never.out().join("body_followup.csv").exists());
}

#[test]
fn visits_on_two_devices_write_no_body_followup() {
    let env = TestEnv::new();
    env.write("a/2022.dcm", &whole_body("20220601", "300888M", &BODY));
    env.write("b/2023.dcm", &whole_body("20230601", "300999M", &BODY));
    scanned(&env, &["--format", "parquet"]);
    assert!(env.out().join("body_composition.csv").exists());
    assert!(
        !env.out().join("body_followup.csv").exists(),
        "two visits on two devices: nothing to compare"
    );
    assert!(!env.out().join("body_followup.parquet").exists());
}

/// The Total Body Comp file's text (UTF-16 decoded): its header line and the line of
/// ENC000101 (2024-06-14).
fn comp_lines() -> (String, String) {
    let bytes = export_set(Units::Grams).comp;
    let text = dxa_fixtures::encore::utf16le_text(&bytes);
    let mut lines = text.split("\r\n");
    let header = lines.next().unwrap().to_string();
    let line = lines
        .find(|l| l.contains("ENC000101"))
        .expect("ENC000101's line")
        .to_string();
    assert!(line.contains("06/14/2024"), "{line}");
    (header, line)
}

fn export_file(header: &str, lines: &[String]) -> Vec<u8> {
    let mut text = format!("{header}\r\n");
    for line in lines {
        text.push_str(line);
        text.push_str("\r\n");
    }
    utf16le(&text)
}

#[test]
fn export_lines_are_compared_only_within_their_export_file() {
    let (header, line) = comp_lines();
    let dated = |year: &str| line.replace("06/14/2024", &format!("06/14/{year}"));
    let env = TestEnv::new();
    // One export holds two exams of the patient; another export (another enCORE database,
    // perhaps another scanner) a third, later one.
    env.write(
        "site1/comp.txt",
        &export_file(&header, &[line.clone(), dated("2025")]),
    );
    env.write("site2/comp.txt", &export_file(&header, &[dated("2026")]));
    scanned(&env, &[]);
    let studies = env.csv("studies.csv");
    assert_eq!(studies.len(), 3, "{studies:#?}");
    let visit_of = |date: &str| {
        studies
            .iter()
            .find(|r| r["study_date"] == date)
            .map(|r| r["visit_id"].clone())
            .unwrap_or_else(|| panic!("no visit on {date}"))
    };
    let rows = env.csv("body_followup.csv");
    assert_eq!(rows.len(), 1, "the 2026 line is another file's: {rows:#?}");
    let row = &rows[0];
    assert_eq!(row["visit_id"], visit_of("2025-06-14"));
    assert_eq!(row["prior_visit_id"], visit_of("2024-06-14"));
    assert_eq!(row["source"], "encore_export");
    assert_eq!(row["device_serial"], "", "an export names no device");
    // The same line a year on: the same grams, no change.
    assert!(!row["total_fat_g"].is_empty(), "{row:?}");
    assert_eq!(row["total_fat_g"], row["prior_total_fat_g"]);
    assert_eq!(number(row, "total_fat_change_g"), 0.0);
    assert_eq!(number(row, "total_lean_change_g"), 0.0);
    assert_eq!(number(row, "total_fat_pct_change_points"), 0.0);
    // No height in an export: no ALMI, no change of it.
    assert_eq!(row["almi_change_kg_m2"], "");
}

#[test]
fn partial_scans_merge_to_the_body_followup_of_one_scan() {
    let env = TestEnv::new();
    env.write("a/2022.dcm", &whole_body("20220601", "300888M", &BODY));
    env.write(
        "b/2023.dcm",
        &whole_body("20230601", "300999M", &other_device_body()),
    );
    env.write(
        "b/2024.dcm",
        &whole_body("20240603", "300888M", &later_body()),
    );
    scanned(&env, &["--format", "parquet"]);
    assert!(env.out().join("body_followup.parquet").exists());
    for part in ["a", "b"] {
        let output = dxa()
            .current_dir(env.dir.path())
            .args(["scan", &format!("in/{part}"), "--quiet", "--partial"])
            .arg(format!("{part}.part"))
            .output()
            .expect("run");
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    let merged = dxa()
        .current_dir(env.dir.path())
        .args(["merge", "b.part", "a.part", "--out", "merged", "--quiet"])
        .args(["--format", "parquet"])
        .output()
        .expect("run");
    assert_eq!(code(&merged), 0, "{}", stderr(&merged));
    crate::scale::assert_same_outputs(&env.out(), &env.dir.path().join("merged"));
}
