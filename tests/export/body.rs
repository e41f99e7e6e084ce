//! A whole-body exam's body composition in the research exports (docs/interop.md, "Body
//! composition"): every value of body_composition.csv and every index of studies.csv is an
//! Observation of its visit's Bundle and a row of measurement.csv, with the project's code,
//! its UCUM unit, and (FHIR) whether it was computed. The sample has a Hologic whole-body
//! visit (HOL000901) and enCORE export visits.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::fhir::scan_sample_with;
use crate::util::{Row, read_csv};

const SYSTEM: &str = "urn:dxa-ingest:body-composition";

/// body_composition.csv's value columns and their UCUM units.
const REGION_COLUMNS: [(&str, &str); 6] = [
    ("fat_g", "g"),
    ("lean_g", "g"),
    ("bmc_g", "g"),
    ("lean_bmc_g", "g"),
    ("total_mass_g", "g"),
    ("fat_pct", "%"),
];

/// studies.csv's body composition columns and their UCUM units.
const INDEX_COLUMNS: [(&str, &str); 8] = [
    ("total_fat_pct", "%"),
    ("fmi_kg_m2", "kg/m2"),
    ("lmi_kg_m2", "kg/m2"),
    ("almi_kg_m2", "kg/m2"),
    ("alm_bmi", "1"),
    ("android_gynoid_ratio", "1"),
    ("vat_mass_g", "g"),
    ("vat_volume_cm3", "cm3"),
];

/// One expected value: (code, value as written in the CSV file, UCUM unit, computed).
type Expected = (String, String, &'static str, bool);

/// What the exports should hold of each visit, from body_composition.csv and studies.csv.
fn expected(out: &Path) -> BTreeMap<String, Vec<Expected>> {
    let mut by_visit: BTreeMap<String, Vec<Expected>> = BTreeMap::new();
    for row in read_csv(&out.join("body_composition.csv")) {
        let computed: Vec<&str> = row["computed"].split(';').collect();
        for (column, unit) in REGION_COLUMNS {
            // The whole body's %fat is the index total_fat_pct.
            if row[column].is_empty() || (row["region"] == "total" && column == "fat_pct") {
                continue;
            }
            by_visit.entry(row["visit_id"].clone()).or_default().push((
                format!("{} {column}", row["region"]),
                row[column].clone(),
                unit,
                computed.contains(&column),
            ));
        }
    }
    for study in read_csv(&out.join("studies.csv")) {
        let computed: Vec<&str> = study["body_composition_computed"].split(';').collect();
        for (column, unit) in INDEX_COLUMNS {
            if study[column].is_empty() {
                continue;
            }
            by_visit
                .entry(study["visit_id"].clone())
                .or_default()
                .push((
                    column.to_string(),
                    study[column].clone(),
                    unit,
                    computed.contains(&column),
                ));
        }
    }
    by_visit
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("{text:?} is a number"))
}

#[test]
fn bundles_and_measurements_carry_the_body_composition() {
    let dir = scan_sample_with(&["--fhir", "--omop"]);
    let out = dir.path().join("out");
    let expected = expected(&out);
    let studies = read_csv(&out.join("studies.csv"));
    let patient_of = |visit: &str| -> String {
        studies
            .iter()
            .find(|s| s["visit_id"] == visit)
            .map(|s| s["patient_id"].clone())
            .unwrap()
    };
    // The whole-body visit and the enCORE visits have body composition.
    let patients: Vec<String> = expected.keys().map(|v| patient_of(v)).collect();
    assert!(patients.contains(&"HOL000901".to_string()), "{patients:?}");
    assert!(expected.len() >= 2, "{patients:?}");

    // FHIR: each visit's body composition Observations are exactly the expected values.
    let text = std::fs::read_to_string(out.join("fhir/bundles.ndjson")).unwrap();
    let mut checked = 0;
    for line in text.lines() {
        let bundle: Value = serde_json::from_str(line).unwrap();
        let entries = bundle["entry"].as_array().unwrap();
        let visit = entries[1]["resource"]["identifier"][0]["value"]
            .as_str()
            .unwrap();
        let mut found: BTreeMap<String, &Value> = BTreeMap::new();
        for resource in entries.iter().map(|e| &e["resource"]) {
            let Some(codings) = resource["code"]["coding"].as_array() else {
                continue;
            };
            let ours: Vec<&Value> = codings.iter().filter(|c| c["system"] == SYSTEM).collect();
            if let [coding] = ours[..] {
                let code = coding["code"].as_str().unwrap().to_string();
                // The whole body's %fat also carries LOINC 41982-0; no other code has one.
                let loinc: Vec<&Value> = codings
                    .iter()
                    .filter(|c| c["system"] == "http://loinc.org")
                    .collect();
                if code == "total_fat_pct" {
                    assert_eq!(loinc.len(), 1);
                    assert_eq!(loinc[0]["code"], "41982-0");
                    assert_eq!(loinc[0]["display"], "Percentage of body fat Measured");
                } else {
                    assert!(loinc.is_empty(), "{code}: {loinc:?}");
                }
                assert!(found.insert(code, resource).is_none(), "a code twice");
            }
        }
        let want = expected.get(visit).cloned().unwrap_or_default();
        let codes: Vec<&String> = found.keys().collect();
        let mut want_codes: Vec<&String> = want.iter().map(|w| &w.0).collect();
        want_codes.sort_unstable();
        assert_eq!(codes, want_codes, "visit {visit}");
        for (code, value, unit, computed) in &want {
            let quantity = &found[code]["valueQuantity"];
            assert_eq!(quantity["value"].as_f64(), Some(number(value)), "{code}");
            assert_eq!(quantity["code"], *unit, "{code}");
            assert_eq!(quantity["system"], "http://unitsofmeasure.org");
            assert_eq!(
                found[code].get("method").is_some(),
                *computed,
                "{visit} {code}: method says computed"
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} values");

    // OMOP: the same values, for the visits the CDM holds (a patient with a year of birth).
    let visits = read_csv(&out.join("omop/visit_occurrence.csv"));
    let measurements = read_csv(&out.join("omop/measurement.csv"));
    let mut in_omop = 0;
    for visit in &visits {
        let Some(want) = expected.get(&visit["visit_source_value"]) else {
            continue;
        };
        in_omop += 1;
        let rows: BTreeMap<&str, &Row> = measurements
            .iter()
            .filter(|m| m["visit_occurrence_id"] == visit["visit_occurrence_id"])
            .map(|m| (m["measurement_source_value"].as_str(), m))
            .collect();
        for (code, value, unit, _) in want {
            let m = rows
                .get(code.as_str())
                .unwrap_or_else(|| panic!("{code} in measurement.csv"));
            assert_eq!(
                m["measurement_concept_id"], "0",
                "{code}: no concept verified"
            );
            assert_eq!(number(&m["value_as_number"]), number(value), "{code}");
            assert_eq!(m["unit_source_value"], *unit, "{code}");
            let concept = if *unit == "%" { "8554" } else { "" };
            assert_eq!(m["unit_concept_id"], concept, "{code}");
            assert_eq!(m["value_source_value"], *value, "{code}");
        }
    }
    let whole_body = visits
        .iter()
        .filter(|v| patient_of(&v["visit_source_value"]) == "HOL000901")
        .count();
    assert!(whole_body >= 1 && in_omop >= whole_body, "{in_omop}");
}
