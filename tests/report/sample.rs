//! The page of the committed sample: the attention list and the trend charts against the
//! CSVs.

use super::{after, attention_table, expected_attention};
use crate::util::{code, read_csv, stderr};

/// The sample's page: a significant loss against the baseline when the prior visit was on
/// another device (the seed patient: femoral neck 0.632 in 2020 -> 0.585 in 2024 on the same
/// scanner, -7.44 % against a 6.9 % LSC; 2022 was on another scanner), and osteopenia with
/// FRAX above the treatment threshold (the US-site patient: hip 3.6 %).
#[test]
fn the_attention_list_has_baseline_losses_and_high_frax_osteopenia() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let output = crate::util::scan_sample_into(&out, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let shown = attention_table(&page);
    let row = |patient: &str| {
        shown
            .iter()
            .find(|r| r.patient == patient)
            .unwrap_or_else(|| panic!("{patient} not listed: {shown:?}"))
    };
    let seed = row("HOL000123");
    assert_eq!(seed.date, "2024-04-15");
    assert!(seed.concerns.contains("significant_loss"), "{seed:?}");
    assert!(
        page.contains("femoral_neck left −7.44 % vs baseline 2020-04-20"),
        "the loss is named with its baseline"
    );
    let garcia = row("HOL000777");
    assert_eq!(garcia.classification, "osteopenia");
    assert!(
        garcia.concerns.contains("frax_above_threshold"),
        "{garcia:?}"
    );
    // The rows the CSVs call for, by the same rules.
    let (expected, _) = expected_attention(&out);
    assert_eq!(shown, expected);
}

/// A trend chart never counts one exam twice: a scanned visit that a later visit's scanner
/// history also reports is one point, and each series has one point more than followup.csv
/// has rows for it (its first point has no row), as the caption's count of visits says.
#[test]
fn trend_points_are_followup_csvs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let output = crate::util::scan_sample_into(&out, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let page = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let json = after(&page, "\"HOL000123\":[", "]}]");
    let followup = read_csv(&out.join("followup.csv"));
    for series in json.split("{\"site\":").skip(1) {
        let site = &series[1..series[1..].find('"').expect("site") + 1];
        let side = after(series, "\"side\":\"", "\"");
        let points: Vec<&str> = series.split("[\"").skip(1).map(|p| &p[..10]).collect();
        let mut dates = points.clone();
        dates.dedup();
        assert_eq!(dates, points, "{site} {side}: one point per exam");
        let rows = followup
            .iter()
            .filter(|r| {
                r["patient_id"] == "HOL000123"
                    && (r["region"] == site
                        || (site == "spine" && r["region"].starts_with("spine")))
                    && r["laterality"] == side
            })
            .count();
        assert_eq!(points.len(), rows + 1, "{site} {side}: {points:?}");
    }
}
