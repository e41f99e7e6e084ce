//! `--fhir` (docs/interop.md, "FHIR"): one R4 transaction Bundle per visit, coded with the
//! table of docs/interop.md. The checks here are the ones a FHIR library does not make
//! (Bundle type, statuses, references that resolve, every system and code from the table,
//! the values themselves); `bundles_validate_with_fhir_resources` parses every Bundle with
//! the Python library fhir.resources (FHIR R4 4.0.1): scripts/test.sh installs it and sets
//! `DXA_INTEROP_PYTHON`, and a plain `cargo test` lists that test as ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{code, read_csv, repo, scan_sample_into, stderr};

/// `scan fixtures/sample --fhir <extra>` into a temp folder; returns it (the outputs in
/// `out/`).
pub(crate) fn scan_sample_with(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let output = scan_sample_into(&dir.path().join("out"), extra);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    dir
}

fn bundles(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("fhir/bundles.ndjson"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The (system, code) pairs of docs/interop.md's "Codes" table.
pub(crate) fn documented_codes() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(repo().join("docs/interop.md")).unwrap();
    let table = text.split("\n## Codes\n").nth(1).expect("a Codes section");
    table
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].trim_matches('`').to_string(),
                cells[1].trim_matches('`').to_string(),
            )
        })
        .collect()
}

/// The (system, code) row of docs/interop.md's table that documents a code: itself, or for a
/// region's body composition code (`arm_left fat_g`) the row `<region> fat_g`, the region
/// one of body_composition.csv's.
fn documented_as(system: &str, code: &str) -> (String, String) {
    if system == "urn:dxa-ingest:body-composition"
        && let Some((region, column)) = code.split_once(' ')
    {
        let known = dxa_ingest::bodycomp::BodyRegion::ALL
            .iter()
            .any(|r| r.is_composition() && r.as_str() == region);
        assert!(known, "{code}: not a region of body_composition.csv");
        return (system.to_string(), format!("<region> {column}"));
    }
    (system.to_string(), code.to_string())
}

/// Every `{"system": ..., "code": ...}` object under `value`, with where it is.
fn codings<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("system") && map.contains_key("code") {
                out.push((at.clone(), value));
            }
            for (key, inner) in map {
                codings(inner, format!("{at}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                codings(inner, format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Every `"reference"` under `value`.
fn references(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("reference", Value::String(r)) => out.push(r.clone()),
                    _ => references(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| references(i, out)),
        _ => {}
    }
}

/// The checks a FHIR library does not make, on every Bundle of a file.
fn check_bundles(bundles: &[Value]) {
    let documented = documented_codes();
    let mut resource_ids = BTreeMap::new();
    for bundle in bundles {
        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["type"], "transaction");
        let entries = bundle["entry"].as_array().unwrap();
        let full_urls: BTreeSet<&str> = entries
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap())
            .collect();
        assert_eq!(full_urls.len(), entries.len(), "fullUrls are unique");
        let kinds: Vec<&str> = entries
            .iter()
            .map(|e| e["resource"]["resourceType"].as_str().unwrap())
            .collect();
        assert_eq!(kinds[..2], ["Patient", "DiagnosticReport"]);
        assert!(kinds[2..].iter().all(|k| *k == "Observation"), "{kinds:?}");
        for entry in entries {
            let resource = &entry["resource"];
            let (kind, id) = (
                resource["resourceType"].as_str().unwrap(),
                resource["id"].as_str().unwrap(),
            );
            assert_eq!(entry["fullUrl"], format!("urn:uuid:{id}"));
            assert_eq!(entry["request"]["method"], "PUT");
            assert_eq!(entry["request"]["url"], format!("{kind}/{id}"));
            // A UUID: 8-4-4-4-12 lowercase hex, version 8, RFC variant.
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(
                id.bytes()
                    .all(|b| b == b'-' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            );
            assert!(parts[2].starts_with('8') && matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
            // One resource per id across the file, but a patient's Patient in each of its
            // Bundles, the same.
            if let Some(before) = resource_ids.insert(id.to_string(), resource.clone()) {
                assert_eq!(kind, "Patient", "{id} twice");
                assert_eq!(&before, resource, "a Patient the same in every Bundle");
            }
            match kind {
                "Patient" => {
                    if let Some(gender) = resource.get("gender") {
                        assert!(
                            ["female", "male", "other", "unknown"]
                                .contains(&gender.as_str().unwrap()),
                            "{gender}"
                        );
                    }
                    assert!(resource.get("name").is_none() && resource.get("birthDate").is_none());
                }
                "DiagnosticReport" | "Observation" => assert_eq!(resource["status"], "final"),
                other => panic!("{other}"),
            }
            let mut refs = Vec::new();
            references(resource, &mut refs);
            for r in refs {
                assert!(full_urls.contains(r.as_str()), "{r} resolves in its Bundle");
            }
            let mut found = Vec::new();
            codings(resource, kind.to_string(), &mut found);
            for (at, c) in found {
                let pair =
                    documented_as(c["system"].as_str().unwrap(), c["code"].as_str().unwrap());
                let is_identifier = at.contains(".identifier");
                assert!(
                    is_identifier || documented.contains(&pair),
                    "{at}: {pair:?} is not in docs/interop.md's table"
                );
            }
        }
        let report = &entries[1]["resource"];
        let results: BTreeSet<&str> = report["result"]
            .as_array()
            .map(|r| r.iter().map(|x| x["reference"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let observations: BTreeSet<&str> = entries[2..]
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap())
            .collect();
        assert_eq!(results, observations, "the report lists every Observation");
    }
}

/// The Observation of `loinc` in a Bundle.
fn observation<'a>(bundle: &'a Value, loinc: &str) -> &'a Value {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["resourceType"] == "Observation" && r["code"]["coding"][0]["code"] == loinc)
        .unwrap_or_else(|| panic!("no Observation {loinc}"))
}

#[test]
fn bundles_of_the_sample_are_coded_linked_and_stable() {
    let dir = scan_sample_with(&["--fhir"]);
    let out = dir.path().join("out");
    let all = bundles(&out);
    let studies = read_csv(&out.join("studies.csv"));
    assert_eq!(all.len(), studies.len(), "one Bundle per visit");
    check_bundles(&all);
    let text = std::fs::read_to_string(out.join("fhir/bundles.ndjson")).unwrap();
    assert!(
        !text.contains("g/cm-2"),
        "never g/cm-2 (g times cm2 in UCUM)"
    );

    // The seed patient's 2024 visit (Hologic, two report images): osteopenia on the left
    // femoral neck, T -2.4 (LOINC "DXA Femur - left [T-score]"), the left total hip BMD
    // 0.708 ("DXA Hip - left [Mass/Area]"), the L1-L4 spine, FRAX 18 %.
    let seed = all
        .iter()
        .find(|b| {
            b["entry"][1]["resource"]["effectiveDateTime"] == "2024-04-15"
                && b["entry"][0]["resource"]["identifier"][0]["value"] == "HOL000123"
        })
        .expect("the seed visit's Bundle");
    let report = &seed["entry"][1]["resource"];
    assert_eq!(report["code"]["coding"][0]["code"], "83311-1");
    let concl = report["conclusion"].as_str().unwrap();
    assert!(
        concl.contains("Densitometric category")
            && concl.contains("osteopenia")
            && concl.contains("-2.4")
            && concl.contains("femoral_neck/left")
            && concl.contains("not a clinical diagnosis"),
        "{concl}"
    );
    let coded: Vec<(&str, &str)> = report["conclusionCode"][0]["coding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["system"].as_str().unwrap(), c["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        coded,
        [
            ("http://snomed.info/sct", "312894000"),
            ("urn:dxa-ingest:classification", "osteopenia")
        ]
    );
    let neck_t = observation(seed, "80948-3");
    assert_eq!(neck_t["valueQuantity"]["value"].to_string(), "-2.4");
    assert_eq!(neck_t["valueQuantity"]["code"], "1");
    assert_eq!(neck_t["valueQuantity"]["unit"], "T-Score");
    assert_eq!(
        neck_t["valueQuantity"]["system"],
        "http://unitsofmeasure.org"
    );
    assert_eq!(neck_t["bodySite"]["coding"][0]["code"], "29627003");
    assert_eq!(neck_t["bodySite"]["text"], "left femoral neck");
    assert_eq!(neck_t["category"][0]["coding"][0]["code"], "imaging");
    let hip = observation(seed, "46278-8");
    assert_eq!(hip["valueQuantity"]["value"].to_string(), "0.708");
    assert_eq!(hip["valueQuantity"]["code"], "g/cm2");
    assert_eq!(hip["bodySite"]["coding"][0]["code"], "287679003");
    // Trailing zeros kept: the spine's 0.930 as reported (the JSON text; a parsed f64 has
    // none).
    let spine = observation(seed, "24966-4");
    assert_eq!(spine["valueQuantity"]["value"].as_f64(), Some(0.93));
    assert!(text.contains(r#""value":0.930,"#), "0.930 as reported");
    assert_eq!(spine["bodySite"]["text"], "lumbar spine L1-L4");
    assert_eq!(
        observation(seed, "38267-1")["valueQuantity"]["value"].to_string(),
        "-1.1"
    );
    assert_eq!(
        observation(seed, "90265-0")["valueQuantity"]["value"].to_string(),
        "18"
    );
    assert_eq!(observation(seed, "90265-0")["valueQuantity"]["code"], "%");
    // Single vertebrae are not exported (the spine code would present one as the spine).
    let spine_bmds = seed["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["code"]["coding"][0]["code"] == "24966-4")
        .count();
    assert_eq!(spine_bmds, 1);

    // The DiagnosticReport's identifier is the visit_id of studies.csv, Bundle for row, in
    // studies.csv's order.
    let visit_ids: Vec<&str> = all
        .iter()
        .map(|b| {
            b["entry"][1]["resource"]["identifier"][0]["value"]
                .as_str()
                .unwrap()
        })
        .collect();
    let study_ids: Vec<&str> = studies.iter().map(|s| s["visit_id"].as_str()).collect();
    assert_eq!(visit_ids, study_ids);

    // The same files, the same bytes (ids included), whatever the number of workers.
    let again = scan_sample_with(&["--fhir", "--jobs", "1"]);
    assert_eq!(
        std::fs::read(again.path().join("out/fhir/bundles.ndjson")).unwrap(),
        text.as_bytes()
    );
}

#[test]
fn pseudonymised_bundles_hold_the_pseudonym_and_no_identifier() {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let dir = scan_sample_with(&[
        "--fhir",
        "--pseudonymize",
        key.to_str().unwrap(),
        "--shift-dates",
    ]);
    let out = dir.path().join("out");
    let all = bundles(&out);
    check_bundles(&all);
    let studies = read_csv(&out.join("studies.csv"));
    let pseudonyms: BTreeSet<&str> = studies.iter().map(|r| r["patient_id"].as_str()).collect();
    let dates: BTreeSet<&str> = studies.iter().map(|r| r["study_date"].as_str()).collect();
    for bundle in &all {
        let patient = &bundle["entry"][0]["resource"];
        let id = patient["identifier"][0]["value"].as_str().unwrap();
        assert!(
            pseudonyms.contains(id),
            "{id} is a pseudonym of studies.csv"
        );
        // Only the identifier and gender: no name, no birth date.
        let keys: BTreeSet<&str> = patient
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.is_subset(&["resourceType", "id", "identifier", "gender"].into()),
            "{keys:?}"
        );
        let date = bundle["entry"][1]["resource"]["effectiveDateTime"]
            .as_str()
            .unwrap();
        assert!(
            dates.contains(date),
            "{date}: the shifted date, as studies.csv"
        );
    }
    let text = std::fs::read_to_string(out.join("fhir/bundles.ndjson")).unwrap();
    for raw in ["HOL000123", "LUN004412", "2024-04-15", "2024-01-22"] {
        assert!(!text.contains(raw), "{raw} in the pseudonymised Bundles");
    }
}

/// The interop venv's Python (scripts/test.sh), or a panic that says how to get one.
pub(crate) fn interop_python() -> PathBuf {
    PathBuf::from(std::env::var_os("DXA_INTEROP_PYTHON").expect(
        "DXA_INTEROP_PYTHON: the Python with fhir.resources and duckdb; scripts/test.sh sets it",
    ))
}

fn validate(python: &Path, files: &[&Path]) -> std::process::Output {
    Command::new(python)
        .arg(repo().join("tests/export/validate_fhir.py"))
        .args(files)
        .output()
        .unwrap()
}

#[test]
#[ignore = "needs fhir.resources: scripts/test.sh runs it"]
fn bundles_validate_with_fhir_resources() {
    let python = interop_python();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let plain = scan_sample_with(&["--fhir"]);
    let keyed = scan_sample_with(&["--fhir", "--pseudonymize", key.to_str().unwrap()]);
    let files = [
        plain.path().join("out/fhir/bundles.ndjson"),
        keyed.path().join("out/fhir/bundles.ndjson"),
    ];
    let output = validate(&python, &[&files[0], &files[1]]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!("fhir.resources: {summary}");
    assert_eq!(summary["fhir_version"], "4.0.1");
    // One Bundle, with one DiagnosticReport, per visit of studies.csv, in each of the two runs.
    let visits: usize = [&plain, &keyed]
        .iter()
        .map(|dir| read_csv(&dir.path().join("out/studies.csv")).len())
        .sum();
    assert!(visits > 0);
    assert_eq!(summary["bundles"].as_u64().unwrap() as usize, visits);
    assert_eq!(
        summary["resources"]["DiagnosticReport"].as_u64().unwrap() as usize,
        visits
    );
    assert!(summary["resources"]["Observation"].as_u64().unwrap() > 100);

    // The library does reject what is not R4: a Bundle made invalid is refused (the check
    // above can fail).
    let line = std::fs::read_to_string(&files[0])
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let mut broken: Value = serde_json::from_str(&line).unwrap();
    broken["entry"][2]["resource"]["valueQuantity"]["valueUnit"] = Value::from("g/cm2");
    let bad = keys.path().join("broken.ndjson");
    std::fs::write(&bad, broken.to_string()).unwrap();
    let output = validate(&python, &[&bad]);
    assert!(
        !output.status.success(),
        "an unknown element must be refused"
    );
    assert!(
        stderr(&output).contains("broken.ndjson:1"),
        "{}",
        stderr(&output)
    );
}
