//! Which sites decide (docs/clinical.md): a missing age, the other score, excluded sites,
//! the spine's range, dual femurs, the forearm and the radius 33 %, children; the checks'
//! flags, FRAX's threshold and too few vertebrae.

use super::*;

#[test]
fn missing_age_is_indeterminate() {
    let mut doc = study(
        Some(Sex::Female),
        "",
        "20240101",
        vec![row(Region::FemoralNeck, Left, "0.5", "-3.0", "-2.5")],
    );
    let a = classify(&doc);
    assert_eq!(a.population, Population::Unknown);
    assert_eq!(a.classification, Classification::Indeterminate);
    assert!(has_flag(&a, "age_unknown"));
    assert!(!a.rows[0].used_for_diagnosis);
    // PatientAge is the fallback.
    doc.patient_age = Some("067Y".to_string());
    let a = classify(&doc);
    assert_eq!(a.population, Population::AdultTScore);
    assert_eq!(a.classification, Classification::Osteoporosis);
    // A birth date without a study date gives no age either.
    let no_date = study(Some(Sex::Female), "19500101", "", vec![]);
    assert_eq!(classify(&no_date).population, Population::Unknown);
}

#[test]
fn only_the_other_score_fails_closed() {
    // A 70-year-old with only Z-scores: never substitute Z for T.
    let doc = study(
        Some(Sex::Female),
        "19540101",
        "20240601",
        vec![row(Region::FemoralNeck, Left, "0.6", "", "-2.5")],
    );
    let a = classify(&doc);
    assert_eq!(a.classification, Classification::Indeterminate);
    assert!(has_flag(&a, "no_t_score_at_diagnostic_sites"));
    assert!(a.rows[0].notes.iter().any(|n| n.contains("no T-score")));
}

#[test]
fn excluded_sites_never_decide() {
    // Only non-diagnostic sites: indeterminate, whatever their T-scores.
    let doc = study(
        Some(Sex::Female),
        "19500101",
        "20240601",
        vec![
            row(Region::SpineL2, Mid, "0.6", "-3.5", ""),
            row(Region::Trochanter, Left, "0.5", "-3.0", ""),
            row(Region::Wards, Left, "0.4", "-3.9", ""),
            row(Region::UpperNeck, Left, "0.4", "-3.2", ""),
            row(Region::Shaft, Left, "0.4", "-3.2", ""),
            row(Region::RadiusUd, Left, "0.3", "-3.3", ""),
            row(Region::Ulna33, Left, "0.3", "-3.3", ""),
            row(Region::TotalBody, Mid, "0.9", "-3.0", ""),
        ],
    );
    let a = classify(&doc);
    assert_eq!(a.classification, Classification::Indeterminate);
    assert!(has_flag(&a, "no_diagnostic_site"));
    assert!(a.rows.iter().all(|r| !r.used_for_diagnosis));
}

#[test]
fn spine_range_fallback_is_the_widest() {
    let doc = study(
        Some(Sex::Male),
        "19500101",
        "20240601",
        vec![
            row(Region::SpineL1L2, Mid, "0.8", "-3.0", ""),
            row(Region::SpineL2L4, Mid, "0.9", "-1.5", ""),
            row(Region::SpineL3L4, Mid, "0.9", "-2.8", ""),
        ],
    );
    let a = classify(&doc);
    assert_eq!(a.basis_site.as_deref(), Some("spine_L2-L4"));
    assert_eq!(a.classification, Classification::Osteopenia);
    assert_eq!(
        a.rows[0].notes[0],
        "spine_L1-L2 not used: spine_L2-L4 is the reported PA spine"
    );
}

#[test]
fn dual_femur_uses_the_lower_side_never_the_mean() {
    let doc = study(
        Some(Sex::Female),
        "19500101",
        "20240601",
        vec![
            row(Region::FemoralNeck, Left, "0.7", "-1.8", ""),
            row(Region::FemoralNeck, Right, "0.6", "-2.6", ""),
            row(Region::FemoralNeck, Mean, "0.5", "-3.5", ""),
            row(Region::TotalHip, Left, "0.8", "-0.9", ""),
            row(Region::TotalHip, Right, "0.7", "-2.0", ""),
            row(Region::TotalHip, Mean, "0.7", "-1.5", ""),
        ],
    );
    let a = classify(&doc);
    assert_eq!(a.classification, Classification::Osteoporosis);
    assert_eq!(a.basis_site.as_deref(), Some("femoral_neck/right"));
    assert!(!a.rows[2].used_for_diagnosis);
    assert!(a.rows[2].notes[0].contains("mean"));
    assert!(has_flag(&a, "femur_left_right_t_diff_gt_1"));
}

#[test]
fn forearm_only_uses_radius_33() {
    let doc = study(
        Some(Sex::Female),
        "19500101",
        "20240601",
        vec![
            row(Region::Radius33, Left, "0.6", "-2.7", ""),
            row(Region::RadiusUd, Left, "0.4", "-3.5", ""),
            row(Region::RadiusTotal, Left, "0.5", "-3.0", ""),
        ],
    );
    let a = classify(&doc);
    assert_eq!(a.classification, Classification::Osteoporosis);
    assert_eq!(a.basis_site.as_deref(), Some("radius_33/left"));
    assert!(a.rows[0].used_for_diagnosis);
    assert!(!a.rows[1].used_for_diagnosis);
}

#[test]
fn radius_33_waits_for_hip_and_spine_unless_asked() {
    let doc = study(
        Some(Sex::Female),
        "19500101",
        "20240601",
        vec![
            row(Region::FemoralNeck, Left, "0.8", "-1.2", ""),
            row(Region::Radius33, Left, "0.6", "-2.7", ""),
        ],
    );
    let a = classify(&doc);
    assert_eq!(a.classification, Classification::Osteopenia);
    assert!(
        a.rows[1]
            .notes
            .iter()
            .any(|n| n == "radius_33 not used: hip/spine available")
    );
    let always = classify_document(
        &doc,
        &ClassifyOptions {
            radius_diagnostic: true,
        },
    );
    assert_eq!(always.classification, Classification::Osteoporosis);
    assert_eq!(always.basis_site.as_deref(), Some("radius_33/left"));
}

#[test]
fn pediatric_uses_tblh_and_spine_z() {
    let doc = study(
        Some(Sex::Female),
        "20090101",
        "20240601",
        vec![
            row(Region::SpineL1L4, Mid, "0.7", "-2.9", "-1.2"),
            row(Region::FemoralNeck, Left, "0.6", "-3.0", "-2.6"),
            row(Region::TotalBody, Mid, "0.9", "", "-2.8"),
            row(Region::TotalBodyLessHead, Mid, "0.8", "", "-2.1"),
        ],
    );
    let a = classify(&doc);
    assert_eq!(a.population, Population::Pediatric);
    assert_eq!(a.classification, Classification::BelowExpectedRangeForAge);
    assert_eq!(a.basis_site.as_deref(), Some("total_body_less_head"));
    assert!(!a.rows[1].used_for_diagnosis, "no hip in children");
    assert!(
        !a.rows[2].used_for_diagnosis,
        "no total body with head in children"
    );
    assert!(
        !has_flag(&a, "z_score_le_-2"),
        "the secondary-cause flag is for adults"
    );
}

#[test]
fn checks_raise_their_flags() {
    let mut doc = study(
        Some(Sex::Female),
        "19500101",
        "20240601",
        vec![
            row(Region::SpineL1, Mid, "0.9", "-0.5", ""),
            row(Region::SpineL2, Mid, "0.7", "-1.6", ""),
            row(Region::SpineL1L4, Mid, "0.85", "-1.2", "-2.1"),
            // Reported -0.5 vs NHANES (0.585 - 0.858) / 0.120 = -2.28: a different reference.
            row(Region::FemoralNeck, Left, "0.585", "-0.5", ""),
        ],
    );
    doc.frax_major = Some(d("21"));
    doc.tbs = Some(d("1.200"));
    doc.reference_database = Some("Local; clinic".to_string());
    let a = classify(&doc);
    assert_eq!(a.classification, Classification::Osteopenia);
    for flag in [
        "spine_vertebra_discordant",
        "z_score_le_-2",
        "tscore_reported_vs_nhanes_diff_gt_0.5",
        "frax_above_treatment_threshold",
        "tbs_degraded",
        "reference_database=Local, clinic",
        "reference_database_nonstandard",
    ] {
        assert!(has_flag(&a, flag), "missing {flag}: {:?}", a.flags);
    }
    assert!(
        a.rows[0]
            .notes
            .iter()
            .any(|n| n.contains("differs >1.0 from L2"))
    );
    // Exactly 1.0 apart is not discordant; TBS boundaries.
    doc.measurements[1].t_score = Some(d("-1.5"));
    doc.tbs = Some(d("1.350"));
    let a = classify(&doc);
    assert!(!has_flag(&a, "spine_vertebra_discordant"));
    assert!(has_flag(&a, "tbs_normal"));
    doc.tbs = Some(d("1.201"));
    assert!(has_flag(&classify(&doc), "tbs_partially_degraded"));
}

#[test]
fn frax_threshold_only_for_osteopenia() {
    let mut doc = study(
        Some(Sex::Female),
        "19500101",
        "20240601",
        vec![row(Region::FemoralNeck, Left, "0.7", "-1.5", "")],
    );
    doc.frax_hip = Some(d("3"));
    assert!(has_flag(&classify(&doc), "frax_above_treatment_threshold"));
    doc.frax_hip = Some(d("2.9"));
    assert!(!has_flag(&classify(&doc), "frax_above_treatment_threshold"));
    doc.frax_hip = Some(d("5"));
    doc.measurements[0].t_score = Some(d("-2.7"));
    assert!(
        !has_flag(&classify(&doc), "frax_above_treatment_threshold"),
        "osteoporosis already"
    );
}

#[test]
fn fewer_than_two_evaluable_vertebrae() {
    let doc = study(
        Some(Sex::Female),
        "19500101",
        "20240601",
        vec![
            row(Region::SpineL1, Mid, "0.9", "-0.5", ""),
            row(Region::SpineL2, Mid, "", "", ""),
            row(Region::TotalHip, Left, "0.9", "-0.5", ""),
        ],
    );
    assert!(has_flag(
        &classify(&doc),
        "spine_fewer_than_two_evaluable_vertebrae"
    ));
}
