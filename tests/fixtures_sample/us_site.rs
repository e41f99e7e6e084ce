//! The sample's visit shaped like the real exports of a US site (docs/evidence.md, "Round
//! two"), as a scan of fixtures/sample writes it.

use crate::util::{Row, code, read_csv};

/// The visit shaped like the real exports of a US site (docs/evidence.md, "Round two"): every
/// new shape of the sample, as studies.csv and history.csv write it.
#[test]
fn the_us_site_visit_as_the_real_exports_are_shaped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let output = crate::util::scan_sample_into(&out, &[]);
    assert_eq!(code(&output), 0, "{}", crate::util::stderr(&output));
    let studies = read_csv(&out.join("studies.csv"));
    let visit = studies
        .iter()
        .find(|r| r["patient_id"] == "HOL000777")
        .expect("the US-site visit");
    for (column, value) in [
        ("documents", "3"),
        ("height_cm", "158.8"),
        ("weight_kg", "67.1"),
        (
            "reference_database",
            "T-score vs. Hispanic Female. Source:NHANES / Z-score vs. Hispanic Female. \
             Source:NHANES",
        ),
        ("classification", "osteopenia"),
        ("classification_uniform_reference", "osteoporosis"),
        ("vendor_classification", "osteopenia"),
        ("frax_major_pct", "17"),
        ("frax_hip_pct", "3.6"),
    ] {
        assert_eq!(visit[column], value, "{column}");
    }
    let flags: Vec<&str> = visit["flags"].split(';').collect();
    for flag in [
        "reference_database_nonstandard",
        "category_differs_on_uniform_reference",
        "frax_hips_differ=left:17/3.6 used,right:15/3.0",
        "frax_above_treatment_threshold",
    ] {
        assert!(flags.contains(&flag), "{flag}: {flags:?}");
    }
    // No Hologic report of the sample is cut short: comment lines are comments.
    let documents = read_csv(&out.join("documents.csv"));
    assert!(
        documents
            .iter()
            .all(|d| !d["flags"].contains("hologic_document_cut_short"))
    );
    assert!(
        documents
            .iter()
            .filter(|d| d["patient_id"] == "HOL000777")
            .all(|d| d["vendor_classification"] == "Osteopenia")
    );
    // History: dates the documents prove, the current exam never, regions from the Region
    // column and the forearm's 1/3 radius, change values with their marks.
    let history = read_csv(&out.join("history.csv"));
    let garcia: Vec<&Row> = history
        .iter()
        .filter(|h| h["patient_id"] == "HOL000777")
        .collect();
    assert_eq!(garcia.len(), 9);
    assert!(garcia.iter().all(|h| !h["exam_date"].is_empty()));
    assert!(garcia.iter().all(|h| h["exam_date"] != "2024-03-05"));
    let neck = garcia
        .iter()
        .find(|h| {
            h["region"] == "femoral_neck"
                && h["laterality"] == "left"
                && h["exam_date"] == "2022-02-11"
        })
        .expect("left neck 2022");
    assert_eq!(neck["change_vs_baseline_g_cm2"], "-0.024");
    assert_eq!(neck["change_vs_baseline_pct"], "-4.1");
    assert_eq!(neck["change_significant"], "both");
    assert!(garcia.iter().any(|h| h["region"] == "radius_33"));
    // The dual hip's history is the mean total hip.
    assert!(
        history
            .iter()
            .any(|h| h["patient_id"] == "HOL000456" && h["laterality"] == "mean")
    );
}
