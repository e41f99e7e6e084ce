//! Every modelled SR (generic, LOINC and flat shapes) and every GE "DXA Report" SR of
//! fixtures/sample against the study definition the fixture writer rendered: regions and
//! sides written out by hand from docs/sr-reading.md, values as the writer wrote them.

use dxa_fixtures::sample;
use dxa_fixtures::{BmdUnit, DxaStudy, Lat};

use super::sample_run;
use crate::util::{Row, rows_where};

/// What a (group, row) label pair of the fixture writer means, written out by hand from
/// docs/sr-reading.md, independently of the product's profiles.
fn expected_region(group: &str, row: &str) -> &'static str {
    let g = group.to_lowercase();
    let site = if g.contains("spine") {
        "spine"
    } else if g.contains("hip") || g.contains("femur") {
        "hip"
    } else if g.contains("forearm") {
        "forearm"
    } else if g.contains("body") {
        "body"
    } else {
        panic!("unknown group {group}")
    };
    match (site, row) {
        ("spine", "L1") => "spine_L1",
        ("spine", "L2") => "spine_L2",
        ("spine", "L3") => "spine_L3",
        ("spine", "L4") => "spine_L4",
        ("spine", "L1-L4" | "Total") => "spine_L1-L4",
        ("spine", "L2-L4") => "spine_L2-L4",
        ("hip", "Neck" | "Femoral Neck") => "femoral_neck",
        ("hip", "Total" | "Total Hip") => "total_hip",
        ("hip", "Troch") => "trochanter",
        ("hip", "Inter") => "intertrochanter",
        ("hip", "Ward's" | "Wards") => "wards",
        ("hip", "Upper Neck") => "upper_neck",
        ("hip", "Shaft") => "shaft",
        ("forearm", "1/3" | "Radius 33%") => "radius_33",
        ("forearm", "UD" | "Radius UD") => "radius_ud",
        ("forearm", "MID") => "radius_mid",
        ("forearm", "Total" | "Radius Total") => "radius_total",
        ("forearm", "Ulna 33%") => "ulna_33",
        ("forearm", "Both 33%") => "forearm_33",
        ("body", "Total") => "total_body",
        ("body", "Subtotal") => "total_body_less_head",
        other => panic!("no expectation for {other:?}"),
    }
}

fn expected_side(group: &str, lat: Option<Lat>, region: &str) -> &'static str {
    if region.starts_with("spine") || region.starts_with("total_body") {
        return "";
    }
    let g = group.to_lowercase();
    match lat {
        Some(Lat::Left) => "left",
        Some(Lat::Right) => "right",
        Some(Lat::Bilateral) => "mean",
        None if g.contains("left") => "left",
        None if g.contains("right") => "right",
        None if g.contains("mean") => "mean",
        None => "",
    }
}

fn number(text: &str) -> f64 {
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {text:?}"))
}

/// Every row of the modelled SRs still in the sample (generic, LOINC and flat shapes):
/// region, side and all values the style writes.
#[test]
fn every_modelled_sample_study_matches_its_definition() {
    let run = sample_run();
    // (file, study, the measures its style writes beyond BMD/T/Z)
    let files: [(&str, DxaStudy, bool); 3] = [
        (
            "hologic/2024/HOL000789_MILLER_EMMA/SR000001.dcm",
            sample::hologic_total_body_study(),
            true,
        ),
        (
            "gateway/ACME000042/DXA_SR.dcm",
            sample::gateway_study(),
            false,
        ),
        (
            "other/NOR000311/results.dcm",
            sample::norland_study(),
            false,
        ),
    ];
    for (file, study, full_style) in files {
        let rows = rows_where(&run.measurements, "source_path", file);
        let mut expected_rows = 0;
        for group in &study.groups {
            for row in &group.rows {
                expected_rows += 1;
                let region = expected_region(&group.label, &row.label);
                let side = expected_side(&group.label, group.laterality, region);
                let found: Vec<&&Row> = rows
                    .iter()
                    .filter(|r| r["region"] == region && r["laterality"] == side)
                    .collect();
                assert_eq!(
                    found.len(),
                    1,
                    "{file}: {} / {} -> {region}/{side}",
                    group.label,
                    row.label
                );
                let got = found[0];
                let check = |column: &str, want: &Option<String>, scale: f64| match want {
                    Some(text) => assert!(
                        (number(&got[column]) - number(text) / scale).abs() < 1e-9,
                        "{file} {region}/{side} {column}: got {} want {text}",
                        got[column]
                    ),
                    None => assert_eq!(got[column], "", "{file} {region}/{side} {column}"),
                };
                let bmd_scale = match study.bmd_unit {
                    BmdUnit::GramsPerCm2 => 1.0,
                    BmdUnit::MilligramsPerCm2 => 1000.0,
                };
                check("bmd_g_cm2", &row.bmd, bmd_scale);
                check("t_score", &row.t, 1.0);
                check("z_score", &row.z, 1.0);
                if full_style {
                    check("bmc_g", &row.bmc, 1.0);
                    check("area_cm2", &row.area, 1.0);
                    check("pct_young_adult", &row.pct_ya, 1.0);
                    check("pct_age_matched", &row.pct_am, 1.0);
                }
                // BMD has at least three decimals.
                if let Some(dot) = got["bmd_g_cm2"].find('.') {
                    assert!(got["bmd_g_cm2"].len() - dot > 3, "{}", got["bmd_g_cm2"]);
                }
            }
        }
        assert_eq!(rows.len(), expected_rows, "{file}: no extra rows");
        let study_row = rows_where(&run.studies, "source_path", file);
        assert_eq!(study_row.len(), 1, "{file}");
        assert_eq!(study_row[0]["patient_id"], study.header.patient_id);
        assert_eq!(study_row[0]["sop_instance_uid"], study.header.sop_uid);
        assert_eq!(study_row[0]["device_serial"], study.header.device_serial);
        let document = rows_where(&run.documents, "source_path", file);
        assert_eq!(document.len(), 1, "{file}");
        assert_eq!(document[0]["unmapped_items"], "0", "{file}");
        assert_eq!(document[0]["status"], "used", "{file}");
    }
}

/// Every region of every GE "DXA Report" SR of the sample, BMD and T as the writer wrote
/// them (a decimal comma read as a point), and no trend value among them.
#[test]
fn every_ge_report_of_the_sample_matches_its_definition() {
    use dxa_fixtures::evidence;
    let run = sample_run();
    let reports = [
        (
            "lunar/2024/LUN004412/SR_SPINE_FEMUR.dcm",
            evidence::ge_spine_femur_report().exams,
        ),
        (
            "lunar/2024/LUN004412/SR_FOREARM.dcm",
            vec![evidence::ge_forearm_exam()],
        ),
        (
            "lunar/2021/LUN004412/SR_SPINE_FEMUR.dcm",
            evidence::ge_prior_report().exams,
        ),
        (
            "lunar/2011/LUN000187/Forearm_20110322.dcm",
            evidence::ge_old_forearm_report().exams,
        ),
    ];
    for (file, exams) in reports {
        let rows = rows_where(&run.measurements, "source_path", file);
        let mut expected = 0;
        for exam in &exams {
            for region in &exam.regions {
                expected += 1;
                let label = region.label.as_str();
                let found: Vec<&&Row> =
                    rows.iter().filter(|r| r["source_label"] == label).collect();
                assert_eq!(found.len(), 1, "{file}: {label}");
                let want_bmd = region.bmd.clone().unwrap_or_default();
                assert_eq!(
                    number(&found[0]["bmd_g_cm2"]),
                    number(&want_bmd),
                    "{file} {label}"
                );
                if let Some(t) = region.t.first() {
                    assert_eq!(found[0]["t_score"], t.replace(',', "."), "{file} {label}");
                }
                let side = ["Left", "Right", "Mean"]
                    .iter()
                    .find(|s| label.ends_with(*s) || exam.name.starts_with(*s))
                    .map_or("", |s| s);
                if found[0]["region"] != "other" && !found[0]["region"].starts_with("spine") {
                    assert_eq!(
                        found[0]["laterality"],
                        side.to_lowercase(),
                        "{file} {label}"
                    );
                }
            }
        }
        assert_eq!(
            rows.len(),
            expected,
            "{file}: no extra rows (no trend value)"
        );
    }
}
