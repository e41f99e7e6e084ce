//! `--omop` (docs/interop.md, "OMOP"): the OMOP CDM v5.4 person, observation_period,
//! visit_occurrence and measurement tables. The tests here read the CSV files; the DuckDB
//! loads (with our transcription of the four tables, tests/omop/cdm54_tables.sql, and with
//! OHDSI's own DDL when `OMOP_CDM_DDL_DIR` names a clone's `inst/ddl/5.4/duckdb`) need the
//! Python package duckdb: scripts/test.sh installs it and sets `DXA_INTEROP_PYTHON`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

mod load;

use crate::fhir::scan_sample_with;
use crate::util::{header, read_csv, repo, stderr};

const TABLES: [&str; 4] = [
    "person",
    "observation_period",
    "visit_occurrence",
    "measurement",
];

/// The columns of each table of tests/omop/cdm54_tables.sql: (name, type, NOT NULL).
fn transcribed() -> BTreeMap<String, Vec<(String, String, bool)>> {
    let sql = std::fs::read_to_string(repo().join("tests/omop/cdm54_tables.sql")).unwrap();
    let mut tables = BTreeMap::new();
    for block in sql.split("CREATE TABLE @cdmDatabaseSchema.").skip(1) {
        let (name, body) = block.split_once(" (").unwrap();
        let columns = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("PRIMARY KEY") && !l.starts_with(')'))
            .map(|l| {
                let words: Vec<&str> = l.trim_end_matches(',').split_whitespace().collect();
                (
                    words[0].to_string(),
                    words[1].to_string(),
                    words[2..] == ["NOT", "NULL"],
                )
            })
            .collect();
        tables.insert(name.to_string(), columns);
    }
    tables
}

fn omop(out: &Path, table: &str) -> Vec<crate::util::Row> {
    read_csv(&out.join(format!("omop/{table}.csv")))
}

#[test]
fn the_tables_of_the_sample() {
    let dir = scan_sample_with(&["--omop", "--fhir"]);
    let out = dir.path().join("out");
    // Every column of each table, in the specification's order.
    let spec = transcribed();
    assert_eq!(spec.len(), 4);
    for table in TABLES {
        let names: Vec<String> = spec[table].iter().map(|c| c.0.clone()).collect();
        assert_eq!(
            header(&out.join(format!("omop/{table}.csv"))),
            names,
            "{table}"
        );
        // Every NOT NULL column has a value in every row.
        for row in omop(&out, table) {
            for (column, _, required) in &spec[table] {
                assert!(
                    !required || !row[column].is_empty(),
                    "{table}.{column}: {row:?}"
                );
            }
        }
    }
    // The enCORE export visits state no birth date or age: no year of birth, no person
    // (docs/interop.md).
    let studies: Vec<_> = read_csv(&out.join("studies.csv"))
        .into_iter()
        .filter(|r| !r["patient_age_years"].is_empty())
        .collect();
    let (persons, periods, visits, measurements) = (
        omop(&out, "person"),
        omop(&out, "observation_period"),
        omop(&out, "visit_occurrence"),
        omop(&out, "measurement"),
    );
    // Every other sample visit has a patient ID, a date and an age: all are there.
    let patients: BTreeSet<&str> = studies.iter().map(|r| r["patient_id"].as_str()).collect();
    assert_eq!(persons.len(), patients.len());
    assert_eq!(periods.len(), persons.len());
    assert_eq!(visits.len(), studies.len());
    // Ids are 1..n, in order.
    for (rows, column) in [
        (&persons, "person_id"),
        (&visits, "visit_occurrence_id"),
        (&measurements, "measurement_id"),
    ] {
        let ids: Vec<String> = rows.iter().map(|r| r[column].clone()).collect();
        let expected: Vec<String> = (1..=rows.len()).map(|i| i.to_string()).collect();
        assert_eq!(ids, expected, "{column}");
    }
    // As many measurements as FHIR Observations of the visits the CDM holds: the same
    // values (the enCORE visits' body composition is in FHIR only).
    let held: BTreeSet<&str> = visits
        .iter()
        .map(|v| v["visit_source_value"].as_str())
        .collect();
    let observations: usize = std::fs::read_to_string(out.join("fhir/bundles.ndjson"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|b| {
            held.contains(
                b["entry"][1]["resource"]["identifier"][0]["value"]
                    .as_str()
                    .unwrap(),
            )
        })
        .map(|b| {
            b["entry"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["resource"]["resourceType"] == "Observation")
                .count()
        })
        .sum();
    assert_eq!(measurements.len(), observations);

    let person_of: BTreeMap<&str, &crate::util::Row> = persons
        .iter()
        .map(|p| (p["person_id"].as_str(), p))
        .collect();
    let visit_of: BTreeMap<&str, &crate::util::Row> = visits
        .iter()
        .map(|v| (v["visit_occurrence_id"].as_str(), v))
        .collect();
    for v in &visits {
        assert_eq!(v["visit_concept_id"], "9202");
        assert_eq!(v["visit_type_concept_id"], "32827");
        assert_eq!(v["visit_start_date"], v["visit_end_date"]);
        assert!(
            studies
                .iter()
                .any(|s| s["visit_id"] == v["visit_source_value"]),
            "visit_source_value is studies.csv's visit_id: {v:?}"
        );
        let person = person_of[v["person_id"].as_str()];
        // The visit's row in studies.csv: its patient, date and sex.
        let study = studies
            .iter()
            .find(|s| {
                s["patient_id"] == person["person_source_value"]
                    && s["study_date"] == v["visit_start_date"]
            })
            .expect("the visit's study");
        let gender = match study["patient_sex"].as_str() {
            "F" => "8532",
            "M" => "8507",
            _ => "0",
        };
        assert_eq!(person["gender_concept_id"], gender);
        // The year of birth agrees with the age at the visit (within the year).
        let year: i32 = person["year_of_birth"].parse().unwrap();
        let visit_year: f64 = v["visit_start_date"][..4].parse().unwrap();
        let age: f64 = study["patient_age_years"].parse().unwrap();
        assert!(
            (visit_year - age - f64::from(year)).abs() <= 1.0,
            "{year} {age}"
        );
    }
    for p in &periods {
        assert_eq!(p["period_type_concept_id"], "32882");
        assert_eq!(p["observation_period_id"], p["person_id"]);
    }
    let allowed_negative: BTreeSet<&str> = [
        "3049654", "36204417", "3051450", "21494100", "21494203", "21492968", "21494202",
        "21494199", "3049278", "21494099", "21494201", "21494198", "21494200", "21494197",
        "3049273", "21494098", "21492972", "21494196", "21492971", "21494101",
    ]
    .into();
    for m in &measurements {
        let visit = visit_of[m["visit_occurrence_id"].as_str()];
        assert_eq!(m["person_id"], visit["person_id"]);
        assert_eq!(m["measurement_date"], visit["visit_start_date"]);
        assert_eq!(m["measurement_type_concept_id"], "32827");
        assert!(m["measurement_source_value"].chars().count() <= 50);
        let source = m["measurement_source_value"].as_str();
        if source.ends_with(" bmd") {
            assert_eq!(m["unit_concept_id"], "32701");
            assert_eq!(m["unit_source_value"], "g/cm2");
        } else if source.ends_with("_score") {
            assert_eq!(m["unit_concept_id"], "", "T and Z have no unit: NULL");
        } else if source.starts_with("90") {
            // FRAX: no verified concept; the LOINC code is the source value.
            assert!(["90265-0", "90266-8"].contains(&source), "{source}");
            assert_eq!(m["measurement_concept_id"], "0");
            assert_eq!(m["unit_concept_id"], "8554");
        } else {
            // Body composition (tests/export/body.rs checks the values): no verified
            // concept, the UCUM unit as the source unit, a concept for % only.
            assert_eq!(m["measurement_concept_id"], "0", "{source}");
            let unit = m["unit_source_value"].as_str();
            assert!(["g", "%", "kg/m2", "cm3", "1"].contains(&unit), "{m:?}");
            let concept = if unit == "%" { "8554" } else { "" };
            assert_eq!(m["unit_concept_id"], concept, "{m:?}");
        }
        if m["value_as_number"].starts_with('-') {
            assert!(
                allowed_negative.contains(m["measurement_concept_id"].as_str()),
                "negative {m:?}"
            );
        }
    }
    // The seed patient's 2024 left femoral neck T-score, as reported.
    let seed = visits
        .iter()
        .find(|v| {
            person_of[v["person_id"].as_str()]["person_source_value"] == "HOL000123"
                && v["visit_start_date"] == "2024-04-15"
        })
        .unwrap();
    let neck_t = measurements
        .iter()
        .find(|m| {
            m["visit_occurrence_id"] == seed["visit_occurrence_id"]
                && m["measurement_source_value"] == "femoral_neck/left t_score"
        })
        .unwrap();
    assert_eq!(neck_t["measurement_concept_id"], "21494203");
    assert_eq!(neck_t["value_as_number"], "-2.4");
}

/// A GE SR of one spine exam of patient `id` (empty: none), born `birth`, aged `age`,
/// scanned 2024-06-10, written as `folder/name`.
fn ge_spine(folder: &Path, name: &str, id: &str, birth: Option<&str>, age: Option<&str>) {
    use dxa_fixtures::ge_report::{GeExam, GeReport, ge_region, ge_report_bytes};
    let mut header = dxa_fixtures::Header::new(&format!("omop/{name}")).dated("20240610", "101500");
    header.patient_id = id.into();
    header.sex = Some("F".into());
    header.birth_date = birth.map(str::to_string);
    header.age = age.map(str::to_string);
    header.manufacturer = "GE Healthcare".into();
    header.model = "Lunar iDXA".into();
    let mut report = GeReport::new(header);
    report.exams = vec![GeExam {
        name: "AP Spine".into(),
        regions: vec![ge_region("L1-L4", "0.912", "-1.9", "1.1")],
        trends: vec![],
    }];
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(
        folder.join(name),
        ge_report_bytes(&report, dxa_fixtures::Encoding::default()),
    )
    .unwrap();
}

/// A folder with one GE SR of a woman of 93 (born 1931-02-14, scanned 2024-06-10).
fn ninety_three(dir: &Path) -> PathBuf {
    let folder = dir.join("in");
    ge_spine(
        &folder,
        "SR.dcm",
        "OLD000093",
        Some("19310214"),
        Some("093Y"),
    );
    folder
}

#[test]
fn visits_the_cdm_cannot_hold_are_left_out_and_fhir_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("in");
    ge_spine(
        &folder,
        "A.dcm",
        "KNOWN0001",
        Some("19500101"),
        Some("074Y"),
    );
    // No patient ID: no person to hold the visit.
    ge_spine(&folder, "B.dcm", "", Some("19500101"), Some("074Y"));
    // No birth date and no age: no year of birth, which the CDM requires.
    ge_spine(&folder, "C.dcm", "AGELESS01", None, None);
    let out = dir.path().join("out");
    let output = crate::util::dxa()
        .args(["scan", "--quiet", "--omop", "--fhir", "--out"])
        .arg(&out)
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(crate::util::code(&output), 0, "{}", stderr(&output));
    assert_eq!(read_csv(&out.join("studies.csv")).len(), 3);
    let persons = omop(&out, "person");
    assert_eq!(persons.len(), 1, "{persons:?}");
    assert_eq!(persons[0]["person_source_value"], "KNOWN0001");
    assert_eq!(omop(&out, "visit_occurrence").len(), 1);
    assert!(
        omop(&out, "measurement")
            .iter()
            .all(|m| m["person_id"] == "1")
    );
    // FHIR has every visit: the one without an ID is a Patient of its own, without identifier.
    let bundles: Vec<Value> = std::fs::read_to_string(out.join("fhir/bundles.ndjson"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(bundles.len(), 3);
    let anonymous: Vec<&Value> = bundles
        .iter()
        .map(|b| &b["entry"][0]["resource"])
        .filter(|p| p.get("identifier").is_none())
        .collect();
    assert_eq!(anonymous.len(), 1);
}

#[test]
fn a_year_of_birth_never_tells_an_age_over_89_under_pseudonymize() {
    let dir = tempfile::tempdir().unwrap();
    let input = ninety_three(dir.path());
    let key = dir.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let year_of_birth = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let output = crate::util::dxa()
            .args(["scan", "--quiet", "--omop", "--out"])
            .arg(&out)
            .arg(&input)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(crate::util::code(&output), 0, "{}", stderr(&output));
        let persons = omop(&out, "person");
        assert_eq!(persons.len(), 1);
        let visit = &omop(&out, "visit_occurrence")[0];
        (
            persons[0]["year_of_birth"].parse::<i32>().unwrap(),
            visit["visit_start_date"][..4].parse::<i32>().unwrap(),
        )
    };
    // Without a key: the birth date's year.
    assert_eq!(year_of_birth("plain", &[]), (1931, 2024));
    // With one: 90 years before the visit, as studies.csv's age says 90.
    let key = key.to_str().unwrap();
    assert_eq!(
        year_of_birth("keyed", &["--pseudonymize", key]),
        (1934, 2024)
    );
    let (born, visited) = year_of_birth("shifted", &["--pseudonymize", key, "--shift-dates"]);
    assert_eq!(visited - born, 90, "shifted dates, the same rule");
}

#[test]
fn pseudonymised_tables_hold_pseudonyms_and_no_birth_date() {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let dir = scan_sample_with(&[
        "--omop",
        "--pseudonymize",
        key.to_str().unwrap(),
        "--shift-dates",
    ]);
    let out = dir.path().join("out");
    let studies: Vec<_> = read_csv(&out.join("studies.csv"))
        .into_iter()
        .filter(|r| !r["patient_age_years"].is_empty())
        .collect();
    let persons = omop(&out, "person");
    let pseudonyms: BTreeSet<&str> = studies.iter().map(|r| r["patient_id"].as_str()).collect();
    let sources: BTreeSet<&str> = persons
        .iter()
        .map(|p| p["person_source_value"].as_str())
        .collect();
    assert_eq!(sources, pseudonyms);
    // Persons come in the order of their pseudonyms (which tells nothing).
    let order: Vec<&str> = persons
        .iter()
        .map(|p| p["person_source_value"].as_str())
        .collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted);
    for p in &persons {
        assert_eq!(p["month_of_birth"], "");
        assert_eq!(p["day_of_birth"], "");
        assert_eq!(p["birth_datetime"], "");
    }
    // Shifted dates: the visits' dates are studies.csv's (shifted) dates.
    let dates: BTreeSet<&str> = studies.iter().map(|r| r["study_date"].as_str()).collect();
    for v in omop(&out, "visit_occurrence") {
        assert!(dates.contains(v["visit_start_date"].as_str()));
    }
}
