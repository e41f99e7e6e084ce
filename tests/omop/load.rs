//! The OMOP tables loaded into DuckDB (tests/omop/load_omop.py): with our transcription of
//! the CDM v5.4 tables, and with OHDSI's own DDL when `OMOP_CDM_DDL_DIR` names a clone's
//! `inst/ddl/5.4/duckdb`, which the transcription is compared with. scripts/test.sh runs
//! them (`DXA_INTEROP_PYTHON`); a plain `cargo test` lists them as ignored.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{TABLES, omop};
use crate::fhir::{interop_python, scan_sample_with};
use crate::util::{read_csv, repo, stderr};

/// Runs tests/omop/load_omop.py on `folder` with `sql` (and `--compare DIR`).
fn load(
    python: &Path,
    folder: &Path,
    sql: &[PathBuf],
    compare: Option<&Path>,
) -> std::process::Output {
    let mut command = Command::new(python);
    command
        .arg(repo().join("tests/omop/load_omop.py"))
        .arg(folder)
        .args(sql);
    if let Some(dir) = compare {
        command.arg("--compare").arg(dir);
    }
    command.output().unwrap()
}

fn loaded(output: &std::process::Output) -> Value {
    assert!(output.status.success(), "{}", stderr(output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What a load of the sample's tables reports, checked against the CSV files.
fn check_load(report: &Value, out: &Path) {
    for table in TABLES {
        assert_eq!(
            report["counts"][table].as_u64().unwrap() as usize,
            omop(out, table).len(),
            "{table}"
        );
    }
    for (what, count) in report["orphans"].as_object().unwrap() {
        assert_eq!(count, 0, "{what}");
    }
    for (column, length) in report["max_length"].as_object().unwrap() {
        assert!(length.as_u64().unwrap() <= 50, "{column}: varchar(50)");
    }
}

/// The visits of studies.csv that OMOP can hold: a patient ID, a date, and a patient with a
/// year of birth (an age or birth date in any of their visits; docs/interop.md, "Left out").
fn visits_with_a_year_of_birth(out: &Path) -> usize {
    let studies = read_csv(&out.join("studies.csv"));
    let born: std::collections::BTreeSet<&str> = studies
        .iter()
        .filter(|row| !row["patient_age_years"].is_empty())
        .map(|row| row["patient_id"].as_str())
        .collect();
    let visits = studies
        .iter()
        .filter(|row| !row["study_date"].is_empty() && born.contains(row["patient_id"].as_str()))
        .count();
    assert!(visits > 0 && visits <= studies.len());
    visits
}

#[test]
#[ignore = "needs duckdb: scripts/test.sh runs it"]
fn the_tables_load_into_duckdb_with_the_v54_definitions() {
    let python = interop_python();
    let ours = repo().join("tests/omop/cdm54_tables.sql");
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    for extra in [
        vec![],
        vec!["--pseudonymize", key.to_str().unwrap(), "--shift-dates"],
    ] {
        let dir = scan_sample_with(&[&["--omop"][..], &extra].concat());
        let out = dir.path().join("out");
        let report = loaded(&load(
            &python,
            &out.join("omop"),
            std::slice::from_ref(&ours),
            None,
        ));
        eprintln!("duckdb, our transcription: {report}");
        check_load(&report, &out);
        assert_eq!(
            report["counts"]["visit_occurrence"].as_u64().unwrap() as usize,
            visits_with_a_year_of_birth(&out),
            "every visit of studies.csv whose patient has a year of birth (docs/interop.md)"
        );
    }

    // The load can fail: a person without a year of birth (NOT NULL), a measurement id
    // twice (primary key).
    let dir = scan_sample_with(&["--omop"]);
    let folder = dir.path().join("out/omop");
    let person = std::fs::read_to_string(folder.join("person.csv")).unwrap();
    let mut lines: Vec<String> = person.lines().map(str::to_string).collect();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[2] = "";
    lines[1] = cells.join(",");
    std::fs::write(folder.join("person.csv"), lines.join("\n") + "\n").unwrap();
    let output = load(&python, &folder, std::slice::from_ref(&ours), None);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("NOT NULL"), "{}", stderr(&output));
    std::fs::write(folder.join("person.csv"), person).unwrap();
    let measurement = std::fs::read_to_string(folder.join("measurement.csv")).unwrap();
    let second = measurement.lines().nth(2).unwrap().replacen("2,", "1,", 1);
    std::fs::write(
        folder.join("measurement.csv"),
        format!("{measurement}{second}\n"),
    )
    .unwrap();
    let output = load(&python, &folder, std::slice::from_ref(&ours), None);
    assert!(!output.status.success());
    assert!(
        stderr(&output).to_lowercase().contains("duplicate key"),
        "{}",
        stderr(&output)
    );
}

#[test]
#[ignore = "needs duckdb and OMOP_CDM_DDL_DIR: scripts/test.sh runs it"]
fn the_tables_load_with_the_official_ddl_and_our_transcription_matches_it() {
    let python = interop_python();
    let Some(ddl) = std::env::var_os("OMOP_CDM_DDL_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
    else {
        eprintln!(
            "SKIPPED: OMOP_CDM_DDL_DIR is not set (a clone of OHDSI/CommonDataModel's \
             inst/ddl/5.4/duckdb): the load with the official DDL did not run"
        );
        return;
    };
    let official: Vec<PathBuf> = ["ddl", "primary_keys", "indices"]
        .iter()
        .map(|f| ddl.join(format!("OMOPCDM_duckdb_5.4_{f}.sql")))
        .collect();
    let dir = scan_sample_with(&["--omop"]);
    let out = dir.path().join("out");
    let report = loaded(&load(&python, &out.join("omop"), &official, None));
    eprintln!("duckdb, OHDSI's DDL: {report}");
    check_load(&report, &out);
    // Our transcription against the official file, column by column.
    let ours = repo().join("tests/omop/cdm54_tables.sql");
    let report = loaded(&load(
        &python,
        &out.join("omop"),
        std::slice::from_ref(&ours),
        Some(&ddl),
    ));
    assert_eq!(report["compared_columns"], 63);
    assert_eq!(
        report["official_differences"],
        Value::Array(vec![]),
        "{report}"
    );
    // The comparison can fail: a column made nullable in a copy of ours is found.
    let copy = dir.path().join("changed.sql");
    let text = std::fs::read_to_string(&ours).unwrap();
    std::fs::write(
        &copy,
        text.replace(
            "visit_start_date              date        NOT NULL",
            "visit_start_date date NULL",
        ),
    )
    .unwrap();
    let report = loaded(&load(&python, &out.join("omop"), &[copy], Some(&ddl)));
    let differences = report["official_differences"].as_array().unwrap();
    assert_eq!(differences.len(), 1, "{report}");
    assert!(
        differences[0]
            .as_str()
            .unwrap()
            .contains("visit_start_date")
    );
}
