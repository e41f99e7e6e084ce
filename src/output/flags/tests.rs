//! Flags are spelled as docs/columns.md lists them, values filled in order.

use super::*;
use crate::bodycomp::index::BodyFlagKind;
use crate::bodycomp::{BodyRegion, BodyValue, Field, IndexKind};
use crate::carrier::encore::EncoreFlagKind;
use crate::classify::AssessmentFlagKind;
use crate::decimal::Decimal;
use crate::document::DocFlagKind;
use crate::vocabulary::Measure;

#[test]
fn patterns_are_filled_in_order() {
    assert_eq!(fill("a=<x>:<y>", &["1", "2"]), "a=1:2");
    assert_eq!(
        fill("<m>_given_twice=<site>", &["bmd", "total_hip/left"]),
        "bmd_given_twice=total_hip/left"
    );
    assert_eq!(fill("plain", &[]), "plain");
}

#[test]
fn document_flags_as_written() {
    let d = |text: &str| Decimal::parse(text).unwrap();
    for (flag, text) in [
        (DocFlag::StudyDateMissing, "study_date_missing"),
        (
            DocFlag::GivenTwice(Measure::TScore, "femoral_neck/left".into()),
            "t_score_given_twice=femoral_neck/left",
        ),
        (
            DocFlag::XmlDisagrees("spine_L1-L4".into(), Measure::Bmd),
            "xml_disagrees=spine_L1-L4:bmd",
        ),
        (
            DocFlag::XmlDisagreesOnFrax(FraxValue::HipPrior),
            "xml_disagrees=frax_hip_prior",
        ),
        (
            DocFlag::StudyValueUnitNotRecognised(Measure::FraxMajor, d("12"), "\"x y\"".into()),
            "frax_major_12_left_out:_unit_\"x_y\"_not_recognised",
        ),
        (
            DocFlag::HologicRowTypeUnknown(77),
            "hologic_row_type_unknown=77",
        ),
        (
            DocFlag::ImageCommentsXmlUnreadable("not XML".into()),
            "image_comments_xml_unreadable=not XML",
        ),
        (
            DocFlag::BodyCompositionGivenTwice(BodyValue::Region(BodyRegion::ArmLeft, Field::Fat)),
            "body_composition_given_twice=arm_left:fat",
        ),
        (
            DocFlag::BodyCompositionUnitUnknown(BodyValue::Index(IndexKind::VatVolume)),
            "body_composition_unit_unknown=vat_volume",
        ),
        (
            DocFlag::BodyCompositionValueUnreadable(BodyValue::Bone(Measure::Bmd)),
            "body_composition_value_unreadable=bmd",
        ),
    ] {
        assert_eq!(doc_flag_text(&flag), text);
        assert_eq!(flag.to_string(), text);
    }
}

#[test]
fn classification_flags_as_written() {
    for (flag, text) in [
        (AssessmentFlag::ZScoreAtOrBelowMinus2, "z_score_le_-2"),
        (
            AssessmentFlag::TScoreReportedVsNhanesDiffers,
            "tscore_reported_vs_nhanes_diff_gt_0.5",
        ),
        (
            AssessmentFlag::ReferenceDatabase("NHANES; local".into()),
            "reference_database=NHANES, local",
        ),
    ] {
        assert_eq!(assessment_flag_text(&flag), text);
    }
}

/// Every pattern of the document, assessment and visit families, in that order.
fn record_patterns() -> impl Iterator<Item = &'static str> {
    DocFlagKind::ALL
        .iter()
        .flat_map(|k| doc_patterns(*k))
        .chain(
            AssessmentFlagKind::ALL
                .iter()
                .flat_map(|k| assessment_patterns(*k)),
        )
        .chain(VisitFlagKind::ALL.iter().flat_map(|k| visit_patterns(*k)))
        .copied()
}

/// Every pattern of every family of flags: those and the enCORE and body families' (a
/// pattern may be in more than one family).
fn every_pattern() -> impl Iterator<Item = &'static str> {
    record_patterns()
        .chain(
            EncoreFlagKind::ALL
                .iter()
                .flat_map(|k| encore_patterns(*k))
                .copied(),
        )
        .chain(
            BodyFlagKind::ALL
                .iter()
                .flat_map(|k| body_patterns(*k))
                .copied(),
        )
}

#[test]
fn every_kind_has_a_pattern_and_placeholders_close() {
    let mut seen = std::collections::BTreeSet::new();
    for pattern in record_patterns() {
        assert!(seen.insert(pattern), "{pattern} twice");
        assert_eq!(
            pattern.matches('<').count(),
            pattern.matches('>').count(),
            "{pattern}"
        );
        assert!(!pattern.contains(';'), "{pattern}: `;` separates flags");
    }
}

/// docs/columns.md documents every flag the code can write: each pattern of each kind, in
/// backquotes, in one of its tables of findings.
#[test]
fn every_flag_is_in_the_documentation() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/columns.md");
    let docs = std::fs::read_to_string(path).expect("docs/columns.md");
    let documented = |pattern: &str| docs.contains(&format!("`{pattern}`"));
    let missing: Vec<&str> = every_pattern().filter(|p| !documented(p)).collect();
    assert!(missing.is_empty(), "not in docs/columns.md: {missing:?}");
}

/// A pattern filled with no values (`fill_into`'s shortcut: pushed whole) is written as the
/// search for placeholders writes it, for every pattern of every kind that has none; the
/// flags of no values are the kinds whose first pattern has none.
#[test]
fn a_pattern_without_values_is_the_flag() {
    let mut plain = 0;
    for pattern in every_pattern() {
        if pattern.contains('<') {
            continue;
        }
        plain += 1;
        let (mut fast, mut searched) = ("x;".to_string(), "x;".to_string());
        fill_into(&mut fast, pattern, &[]);
        fill_values_into(&mut searched, pattern, &[]);
        assert_eq!(fast, searched);
        assert_eq!(fast, format!("x;{pattern}"));
    }
    assert!(plain > 40, "{plain}");
    // The flags of no values, as the cells write them.
    assert_eq!(
        doc_flag_text(&DocFlag::StudyDateMissing),
        "study_date_missing"
    );
    assert_eq!(
        assessment_flag_text(&AssessmentFlag::ZScoreAtOrBelowMinus2),
        "z_score_le_-2"
    );
}
