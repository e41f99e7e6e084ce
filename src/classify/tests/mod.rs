//! Table-driven tests of the study step: every boundary of clinical.md. Here the seed
//! example, the scores' and the ages' boundaries; in `sites` which sites decide, and the
//! checks' flags.

mod sites;

use super::*;
use crate::date::Date;
use crate::document::{Measurement, Sex};
use crate::vocabulary::Calibration;
use crate::vocabulary::{Laterality, Manufacturer, Region};

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect("test decimal")
}

/// A row with a BMD, T and Z ("" = absent).
fn row(region: Region, side: Laterality, bmd: &str, t: &str, z: &str) -> Measurement {
    let mut m = Measurement::new(region, side, region.as_str());
    m.bmd = Decimal::parse(bmd);
    m.t_score = Decimal::parse(t);
    m.z_score = Decimal::parse(z);
    m
}

fn study(sex: Option<Sex>, birth: &str, date: &str, rows: Vec<Measurement>) -> Document {
    Document {
        patient_sex: sex,
        birth_date: Date::parse_da(birth),
        study_date: Date::parse_da(date),
        manufacturer: Some(Manufacturer::Hologic),
        calibration: Some(Calibration::Hologic),
        measurements: rows,
        ..Document::default()
    }
}

fn classify(doc: &Document) -> VisitAssessment {
    classify_document(doc, &ClassifyOptions::default())
}

/// Whether a flag is raised, by its spelling in studies.csv.
fn has_flag(a: &VisitAssessment, flag: &str) -> bool {
    a.flags.iter().any(|f| f.to_string() == flag)
}

/// Assumptions have their own column: never among the findings.
fn has_assumption(a: &VisitAssessment, assumption: &str) -> bool {
    assert!(!has_flag(a, assumption), "{assumption} among the flags");
    a.assumptions.iter().any(|f| f == assumption)
}

use Laterality::{Left, Mean, None as Mid, Right};

/// The seed example (docs/clinical.md, "Category"): L1-L4 T -1.1, left neck T -2.4, left total hip T -1.9,
/// trochanter -2.7, Ward's -3.1. Osteopenia on the femoral neck, NOT osteoporosis: Ward's
/// and trochanter never decide.
fn seed() -> Document {
    study(
        Some(Sex::Female),
        "19580312",
        "20240415",
        vec![
            row(Region::SpineL1, Mid, "0.851", "-1.4", "-0.2"),
            row(Region::SpineL2, Mid, "0.925", "-1.2", "0.0"),
            row(Region::SpineL3, Mid, "0.963", "-1.0", "0.2"),
            row(Region::SpineL4, Mid, "0.958", "-1.1", "0.1"),
            row(Region::SpineL1L4, Mid, "0.930", "-1.1", "0.1"),
            row(Region::FemoralNeck, Left, "0.585", "-2.4", "-0.9"),
            row(Region::TotalHip, Left, "0.708", "-1.9", "-0.5"),
            row(Region::Trochanter, Left, "0.512", "-2.7", "-1.2"),
            row(Region::Intertrochanter, Left, "0.894", "-1.8", "-0.6"),
            row(Region::Wards, Left, "0.402", "-3.1", "-1.0"),
        ],
    )
}

#[test]
fn seed_example_is_osteopenia_on_the_neck() {
    let doc = seed();
    let a = classify(&doc);
    assert_eq!(a.population, Population::AdultTScore);
    assert_eq!(a.classification, Classification::Osteopenia);
    assert_eq!(a.basis_site.as_deref(), Some("femoral_neck/left"));
    assert_eq!(a.min_t_score, Some(d("-2.4")));
    let used: Vec<Region> = doc
        .measurements
        .iter()
        .zip(&a.rows)
        .filter(|(_, r)| r.used_for_diagnosis)
        .map(|(m, _)| m.region)
        .collect();
    assert_eq!(
        used,
        [Region::SpineL1L4, Region::FemoralNeck, Region::TotalHip]
    );
    let note_of = |region| {
        let i = doc
            .measurements
            .iter()
            .position(|m| m.region == region)
            .unwrap();
        a.rows[i].notes.join("; ")
    };
    assert!(note_of(Region::Wards).contains("not a diagnostic site"));
    assert!(note_of(Region::Trochanter).contains("not a diagnostic site"));
    assert!(note_of(Region::SpineL1).contains("single vertebra"));
    assert!(has_flag(&a, "t_near_osteoporosis_threshold"));
    assert!(has_assumption(&a, "menopausal_status_assumed"));
    // Reported neck T -2.4 vs NHANES -2.28: within 0.5, no flag.
    assert!(!has_flag(&a, "tscore_reported_vs_nhanes_diff_gt_0.5"));
    let neck = doc
        .measurements
        .iter()
        .position(|m| m.region == Region::FemoralNeck)
        .unwrap();
    assert_eq!(a.rows[neck].t_score_nhanes, Some(d("-2.28")));
    assert_eq!(a.rows[neck].sbmd_mg_cm2, Some(d("655")));
}

#[test]
fn who_boundaries_on_the_reported_decimal() {
    let cases = [
        ("0.5", Classification::Normal),
        ("-1.0", Classification::Normal),
        ("-1.1", Classification::Osteopenia),
        ("-2.4", Classification::Osteopenia),
        ("-2.5", Classification::Osteoporosis),
        ("-2.6", Classification::Osteoporosis),
        ("-4.0", Classification::Osteoporosis),
        // Two decimals are classified at one decimal, half away from zero.
        ("-2.45", Classification::Osteoporosis),
        ("-2.44", Classification::Osteopenia),
        ("-1.04", Classification::Normal),
        ("-1.05", Classification::Osteopenia),
    ];
    for (t, expected) in cases {
        let doc = study(
            Some(Sex::Female),
            "19500101",
            "20240101",
            vec![row(Region::FemoralNeck, Left, "0.7", t, "0.0")],
        );
        let a = classify(&doc);
        assert_eq!(a.classification, expected, "T = {t}");
        assert_eq!(who_category(d(t)), expected, "T = {t}");
    }
}

#[test]
fn z_wording_boundaries() {
    for (z, expected) in [
        ("-1.9", Classification::WithinExpectedRangeForAge),
        ("-2.0", Classification::BelowExpectedRangeForAge),
        ("-2.1", Classification::BelowExpectedRangeForAge),
        ("1.0", Classification::WithinExpectedRangeForAge),
    ] {
        // A 35-year-old man: Z-score wording, never osteoporosis even with T -3.0.
        let doc = study(
            Some(Sex::Male),
            "19890101",
            "20240601",
            vec![row(Region::SpineL1L4, Mid, "0.8", "-3.0", z)],
        );
        let a = classify(&doc);
        assert_eq!(a.population, Population::AdultZScore);
        assert_eq!(a.classification, expected, "Z = {z}");
    }
}

#[test]
fn age_boundaries() {
    // (birth, study date, sex, population, a flag that must be present)
    let cases = [
        (
            "20050601",
            "20240531",
            Some(Sex::Female),
            Population::Pediatric,
            None,
        ), // 18.99
        (
            "20040601",
            "20240531",
            Some(Sex::Female),
            Population::Pediatric,
            None,
        ), // 19, day before 20
        (
            "20040601",
            "20240601",
            Some(Sex::Female),
            Population::AdultZScore,
            Some("menopausal_status_unknown"),
        ), // 20
        (
            "19740601",
            "20240531",
            Some(Sex::Female),
            Population::AdultZScore,
            Some("menopausal_status_unknown"),
        ), // 49
        (
            "19740601",
            "20240601",
            Some(Sex::Female),
            Population::AdultTScore,
            Some("menopausal_status_assumed"),
        ), // 50
        (
            "19740601",
            "20240601",
            Some(Sex::Male),
            Population::AdultTScore,
            None,
        ), // 50
        (
            "19740601",
            "20240531",
            Some(Sex::Male),
            Population::AdultZScore,
            None,
        ), // 49
        (
            "19500101",
            "20240601",
            None,
            Population::AdultTScore,
            Some("patient_sex_missing"),
        ),
        (
            "19900101",
            "20240601",
            None,
            Population::AdultZScore,
            Some("patient_sex_missing"),
        ),
    ];
    for (birth, date, sex, population, flag) in cases {
        let doc = study(
            sex,
            birth,
            date,
            vec![row(Region::TotalHip, Left, "0.9", "-0.5", "0.0")],
        );
        let a = classify(&doc);
        assert_eq!(a.population, population, "born {birth}, seen {date}");
        match flag {
            Some(assumption) if assumption.starts_with("menopausal") => {
                assert!(
                    has_assumption(&a, assumption),
                    "born {birth}: {:?}",
                    a.assumptions
                );
            }
            Some(flag) => assert!(has_flag(&a, flag), "born {birth}: flags {:?}", a.flags),
            None => {}
        }
    }
}

#[test]
fn a_stated_menopause_decides_not_the_age_proxy() {
    // 47 years old, menopause at 44 (a Hologic results document): T-scores, no assumption.
    let mut doc = study(
        Some(Sex::Female),
        "19770301",
        "20240601",
        vec![row(Region::FemoralNeck, Left, "0.600", "-2.6", "-1.5")],
    );
    doc.menopause_age = Decimal::parse("44");
    let a = classify(&doc);
    assert_eq!(a.population, Population::AdultTScore);
    assert_eq!(a.classification, Classification::Osteoporosis);
    assert!(a.assumptions.is_empty(), "{:?}", a.assumptions);
    // The same woman without the statement: Z-score wording, and the assumption said.
    doc.menopause_age = None;
    let a = classify(&doc);
    assert_eq!(a.population, Population::AdultZScore);
    assert_eq!(a.classification, Classification::WithinExpectedRangeForAge);
    assert!(has_assumption(&a, "menopausal_status_unknown"));
    // A menopause age above today's age is not a statement of menopause.
    doc.menopause_age = Decimal::parse("52");
    assert_eq!(classify(&doc).population, Population::AdultZScore);
    // Over 50 with a stated menopause: T-scores without the age-proxy assumption.
    let mut older = study(
        Some(Sex::Female),
        "19600301",
        "20240601",
        vec![row(Region::FemoralNeck, Left, "0.600", "-2.4", "-1.5")],
    );
    older.menopause_age = Decimal::parse("51");
    let a = classify(&older);
    assert_eq!(a.classification, Classification::Osteopenia);
    assert!(a.assumptions.is_empty());
}

#[test]
fn age_text_shows_one_decimal_never_rounded_up() {
    let doc = study(Some(Sex::Female), "19740601", "20240531", vec![]);
    let a = classify(&doc);
    let age = a.age.unwrap();
    assert_eq!(age.whole_years, 49);
    assert_eq!(format!("{:.1}", age.years), "49.9");
}
