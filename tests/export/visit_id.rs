//! visit_id in every table (docs/columns.md, "visit_id"): one column joins a measurement, a
//! document, a history row and a follow-up row to its visit (where two joins through
//! documents.csv were needed); the same files give the same ids wherever they are found,
//! and a keyed one under --pseudonymize. studies.csv also says every accession number of
//! the visit and the file whose row decided.

use std::collections::{BTreeMap, BTreeSet};

use sha2::Digest;

use crate::fhir::scan_sample_with;
use crate::util::{Row, code, dxa, files_under, read_csv, repo, stderr};

/// studies.csv's rows by the visit's first document (documents.csv
/// `visit_sop_instance_uid`).
fn visits_by_first_document(studies: &[Row]) -> BTreeMap<&str, &Row> {
    studies
        .iter()
        .map(|s| (s["sop_instance_uid"].as_str(), s))
        .collect()
}

#[test]
fn every_table_carries_the_visit_id_of_its_visit() {
    let dir = scan_sample_with(&[]);
    let out = dir.path().join("out");
    let table = |name: &str| read_csv(&out.join(name));
    let (studies, documents) = (table("studies.csv"), table("documents.csv"));
    let ids: BTreeSet<&str> = studies.iter().map(|s| s["visit_id"].as_str()).collect();
    assert_eq!(ids.len(), studies.len(), "one visit_id per visit");
    assert!(ids.iter().all(|id| id.len() == 33 && id.starts_with('V')));
    // The joins visit_id replaces: a document's visit is named by its first document; a
    // measurement's, a history row's and a follow-up row's by their document.
    let visit_of = visits_by_first_document(&studies);
    let mut visit_of_document: BTreeMap<&str, &str> = BTreeMap::new();
    // An enCORE export line has no UID: its visit is its patient's on its day.
    let visit_of_day = |row: &Row| -> String {
        let found: Vec<&Row> = studies
            .iter()
            .filter(|s| {
                s["patient_id"] == row["patient_id"] && s["study_date"] == row["study_date"]
            })
            .collect();
        assert_eq!(found.len(), 1, "{row:?}");
        found[0]["visit_id"].clone()
    };
    for d in &documents {
        if d["sop_instance_uid"].is_empty() {
            assert_eq!(d["carrier"], "encore_export", "{d:?}");
            assert_eq!(d["visit_id"], visit_of_day(d), "{}", d["source_path"]);
            continue;
        }
        let visit = visit_of[d["visit_sop_instance_uid"].as_str()];
        assert_eq!(d["visit_id"], visit["visit_id"], "{}", d["source_path"]);
        visit_of_document.insert(d["sop_instance_uid"].as_str(), visit["visit_id"].as_str());
    }
    for name in ["measurements.csv", "history.csv", "followup.csv"] {
        let rows = table(name);
        assert!(!rows.is_empty(), "{name}");
        for row in &rows {
            if row["sop_instance_uid"].is_empty() {
                assert_eq!(row["visit_id"], visit_of_day(row), "{name}: {row:?}");
                continue;
            }
            assert_eq!(
                row["visit_id"],
                visit_of_document[row["sop_instance_uid"].as_str()],
                "{name}: {row:?}"
            );
        }
    }
    // visits_wide.csv has the same keys, row for row.
    let wide = table("visits_wide.csv");
    let wide_ids: Vec<&str> = wide.iter().map(|r| r["visit_id"].as_str()).collect();
    let study_ids: Vec<&str> = studies.iter().map(|r| r["visit_id"].as_str()).collect();
    assert_eq!(wide_ids, study_ids);
}

#[test]
fn the_same_files_elsewhere_and_in_another_run_keep_their_visit_ids() {
    let dir = tempfile::tempdir().unwrap();
    // The sample under another root and folder name.
    let copy = dir.path().join("elsewhere/export_copy");
    for file in files_under(&repo().join("fixtures/sample")) {
        let to = copy.join(file.strip_prefix(repo().join("fixtures/sample")).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&file, &to).unwrap();
    }
    let out = dir.path().join("out");
    let output = dxa()
        .args(["scan", "--quiet", "--jobs", "1", "--out"])
        .arg(&out)
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let original = scan_sample_with(&[]);
    let key = |rows: Vec<Row>| -> BTreeMap<(String, String), String> {
        rows.into_iter()
            .map(|r| {
                (
                    (r["patient_id"].clone(), r["study_date"].clone()),
                    r["visit_id"].clone(),
                )
            })
            .collect()
    };
    let here = key(read_csv(&original.path().join("out/studies.csv")));
    let there = key(read_csv(&out.join("studies.csv")));
    assert_eq!(here.len(), 16);
    assert_eq!(here, there);
    // Not the row order: the seed patient's 2024 visit's id is the hash of its identity
    // (patient, day, device).
    let digest = sha2::Sha256::digest(b"visit\0HOL000123\x002024-04-15\0serial:300123");
    let expected = format!("V{}", hex::encode(&digest[..16]));
    assert_eq!(
        here[&("HOL000123".to_string(), "2024-04-15".to_string())],
        expected
    );
}

#[test]
fn pseudonymised_visit_ids_are_keyed() {
    let keys = tempfile::tempdir().unwrap();
    let (one, two) = (keys.path().join("one"), keys.path().join("two"));
    std::fs::write(&one, b"a research key of 32 bytes!!!!!!").unwrap();
    std::fs::write(&two, b"another research key, 32 bytes!!").unwrap();
    let plain = scan_sample_with(&[]);
    let ids = |dir: &tempfile::TempDir| -> BTreeSet<String> {
        read_csv(&dir.path().join("out/studies.csv"))
            .into_iter()
            .map(|r| r["visit_id"].clone())
            .collect()
    };
    let keyed = scan_sample_with(&["--pseudonymize", one.to_str().unwrap()]);
    let again = scan_sample_with(&["--pseudonymize", one.to_str().unwrap(), "--shift-dates"]);
    let other = scan_sample_with(&["--pseudonymize", two.to_str().unwrap()]);
    assert_eq!(ids(&keyed).len(), 16);
    assert!(
        ids(&keyed).is_disjoint(&ids(&plain)),
        "not the unkeyed hash"
    );
    assert!(
        ids(&keyed).is_disjoint(&ids(&other)),
        "another key, other ids"
    );
    assert_eq!(
        ids(&keyed),
        ids(&again),
        "the same key, the same ids (dates shifted or not)"
    );
}

#[test]
fn studies_say_every_accession_number_and_the_file_that_decided() {
    let dir = scan_sample_with(&[]);
    let out = dir.path().join("out");
    let studies = read_csv(&out.join("studies.csv"));
    let measurements = read_csv(&out.join("measurements.csv"));
    let study = |patient: &str, date: &str| {
        studies
            .iter()
            .find(|s| s["patient_id"] == patient && s["study_date"] == date)
            .unwrap()
    };
    // The seed patient's 2020 visit: two documents, two accession numbers; the Hologic visit
    // of three report images, three.
    assert_eq!(
        study("HOL000123", "2020-04-20")["accession_number"],
        "A7384376;A9964400"
    );
    assert_eq!(
        study("HOL000777", "2024-03-05")["accession_number"]
            .split(';')
            .count(),
        3
    );
    let several = studies
        .iter()
        .filter(|s| s["accession_number"].contains(';'))
        .count();
    assert_eq!(several, 5);
    // The GE visit of 2024 is named by its first file, the forearm; it was decided on the
    // right femoral neck, which the spine-and-femur SR holds.
    let lunar = study("LUN004412", "2024-01-22");
    assert!(lunar["source_path"].ends_with("SR_FOREARM.dcm"));
    assert_eq!(lunar["basis_site"], "femoral_neck/right");
    assert!(
        lunar["basis_source_path"].ends_with("LUN004412/SR_SPINE_FEMUR.dcm"),
        "{}",
        lunar["basis_source_path"]
    );
    // Every visit that was decided: the file holds the deciding row, used.
    let mut decided = 0;
    for s in &studies {
        let basis = s["basis_site"].as_str();
        if basis.is_empty() {
            assert_eq!(s["basis_source_path"], "");
            continue;
        }
        decided += 1;
        let (region, side) = basis.split_once('/').unwrap_or((basis, ""));
        assert!(
            measurements
                .iter()
                .any(|m| m["source_path"] == s["basis_source_path"]
                    && m["region"] == region
                    && m["laterality"] == side
                    && m["used_for_diagnosis"] == "true"),
            "{basis} in {}",
            s["basis_source_path"]
        );
    }
    assert!(decided >= 11, "{decided}");
    // Pseudonymised: each accession number keyed, the path a pseudonym.
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let keyed = scan_sample_with(&["--pseudonymize", key.to_str().unwrap()]);
    let studies = read_csv(&keyed.path().join("out/studies.csv"));
    let keyed_several: Vec<&Row> = studies
        .iter()
        .filter(|s| s["accession_number"].contains(';'))
        .collect();
    assert_eq!(keyed_several.len(), several);
    for row in keyed_several {
        let numbers: Vec<&str> = row["accession_number"].split(';').collect();
        assert!(
            numbers
                .iter()
                .all(|n| n.starts_with("accession-") && n.len() == 26),
            "{numbers:?}"
        );
    }
    assert!(
        studies
            .iter()
            .filter(|s| !s["basis_site"].is_empty())
            .all(|s| s["basis_source_path"].starts_with("file-"))
    );
}
