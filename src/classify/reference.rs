//! The reference population of the T-scores (docs/clinical.md, "Reference population").
//!
//! ISCD 2019 (adult positions): one uniform reference for every patient, women and men of
//! all ethnic groups: white (non-race-adjusted) women; NHANES III for the femoral neck and
//! total hip (the manufacturer's white female database elsewhere). A document that states
//! another reference (Hispanic women, men) keeps its T-scores: **the classification always
//! uses the scanner's reported T** (a wrong category is worse than none). This module says
//! which reference a row is on, and what the visit's category would be on the uniform one
//! where that can be known: a hip T recomputed on NHANES III (`t_score_nhanes`), the femoral
//! neck T the document's FRAX states on the uniform reference, a T already on it. A spine
//! or forearm T on another reference cannot be recomputed (no public white-female spine
//! reference per manufacturer is applied here).

use super::category::who_category;
use super::row::RowAssessment;
use crate::decimal::Decimal;
use crate::document::{Document, Measurement, ScoreReference};
use crate::vocabulary::{Classification, Laterality, Region};

/// Which reference a row's T-score is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TReference {
    /// The document does not say.
    #[default]
    NotStated,
    /// The ISCD uniform reference.
    Uniform,
    /// Another one (another race or sex; a hip reference that is not NHANES).
    Other,
}

/// What a row's document says of its T-score's reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowReference {
    /// The reference of the row's reported T.
    pub t: TReference,
    /// The row's T on the uniform reference as the document states it (a femoral neck
    /// whose document's FRAX gives `T-score(WHO)`).
    pub stated_uniform_t: Option<Decimal>,
}

fn is_hip(region: Region) -> bool {
    matches!(region, Region::FemoralNeck | Region::TotalHip)
}

/// The reference kind of `reference` for a row of `region`: uniform when it names white
/// (or Caucasian) women and, for the hip, NHANES as its source.
pub fn kind(reference: Option<&ScoreReference>, region: Region) -> TReference {
    let Some(reference) = reference else {
        return TReference::NotStated;
    };
    // Words compared in any case as they are, not lower-cased copies of each (a row's).
    let has = |word: &str| {
        reference
            .population
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    let white_female = (has("white") || has("caucasian")) && has("female");
    let nhanes = reference
        .source
        .as_bytes()
        .windows(6)
        .any(|w| w.eq_ignore_ascii_case(b"NHANES"));
    if white_female && (!is_hip(region) || nhanes) {
        TReference::Uniform
    } else {
        TReference::Other
    }
}

impl RowReference {
    /// What `doc` says of its row `m`.
    pub fn of(doc: &Document, m: &Measurement) -> RowReference {
        // FRAX's neck T belongs to the document's one femoral neck (a single hip). The
        // necks are counted only for a neck row of a document that states that T (each
        // row of a visit is looked at: docs/performance.md).
        let necks = || {
            doc.measurements
                .iter()
                .filter(|r| r.region == Region::FemoralNeck)
                .filter(|r| r.laterality != Laterality::Mean)
                .count()
        };
        let stated_uniform_t = doc
            .frax_neck_t_uniform
            .filter(|_| m.region == Region::FemoralNeck && necks() == 1);
        RowReference {
            t: kind(doc.t_reference.as_ref(), m.region),
            stated_uniform_t,
        }
    }
}

/// A row's T on the uniform reference, when it can be known.
fn uniform_t(m: &Measurement, reference: RowReference, row: &RowAssessment) -> Option<Decimal> {
    match reference.t {
        TReference::Uniform => m.t_score,
        _ => reference
            .stated_uniform_t
            .or(row.t_score_nhanes.filter(|_| is_hip(m.region))),
    }
    .map(|t| t.round_to(1))
}

/// The category of the rows used for diagnosis on the uniform reference; None when no
/// row states its reference, or when it cannot be known (a row on another reference that
/// cannot be recomputed, unless the known rows already make it osteoporosis: the lowest T
/// decides, so a lower unknown one cannot change that).
pub fn uniform_category(
    measurements: &[&Measurement],
    references: &[RowReference],
    rows: &[RowAssessment],
) -> Option<Classification> {
    let reference = |i: usize| references.get(i).copied().unwrap_or_default();
    if (0..measurements.len()).all(|i| reference(i).t == TReference::NotStated) {
        return None;
    }
    let used: Vec<usize> = (0..measurements.len())
        .filter(|&i| rows[i].used_for_diagnosis)
        .collect();
    if used.is_empty() {
        return None;
    }
    let known: Vec<Option<Decimal>> = used
        .iter()
        .map(|&i| uniform_t(measurements[i], reference(i), &rows[i]))
        .collect();
    let lowest = known.iter().flatten().min().copied()?;
    let category = who_category(lowest);
    (known.iter().all(Option::is_some) || category == Classification::Osteoporosis)
        .then_some(category)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{AssessmentFlag, ClassifyOptions, classify_document};
    use crate::date::Date;
    use crate::document::Sex;
    use crate::vocabulary::{Calibration, Manufacturer};

    fn reference(population: &str, source: &str) -> Option<ScoreReference> {
        Some(ScoreReference {
            population: population.into(),
            source: source.into(),
        })
    }

    #[test]
    fn the_uniform_reference_is_white_female_and_nhanes_for_the_hip() {
        let hip = Region::FemoralNeck;
        let spine = Region::SpineL1L4;
        assert_eq!(kind(None, hip), TReference::NotStated);
        assert_eq!(
            kind(reference("White Female", "NHANES").as_ref(), hip),
            TReference::Uniform
        );
        assert_eq!(
            kind(reference("White Female", "2012 BMDCS/NHANES").as_ref(), hip),
            TReference::Uniform
        );
        assert_eq!(
            kind(reference("White Female", "Hologic").as_ref(), hip),
            TReference::Other
        );
        assert_eq!(
            kind(reference("White Female", "Hologic").as_ref(), spine),
            TReference::Uniform
        );
        assert_eq!(
            kind(reference("Hispanic Female", "NHANES").as_ref(), hip),
            TReference::Other
        );
        assert_eq!(
            kind(reference("White Male", "NHANES").as_ref(), hip),
            TReference::Other
        );
        // Words and the source in any case; a word is whole, not part of another.
        assert_eq!(
            kind(reference("CAUCASIAN/female", "nhanes iii").as_ref(), hip),
            TReference::Uniform
        );
        assert_eq!(
            kind(reference("Whites Female", "NHANES").as_ref(), spine),
            TReference::Other
        );
        assert_eq!(
            kind(reference("White Female", "NHANE S").as_ref(), hip),
            TReference::Other
        );
    }

    fn row(region: Region, side: Laterality, bmd: &str, t: &str) -> Measurement {
        let mut m = Measurement::new(region, side, region.as_str());
        m.bmd = Decimal::parse(bmd);
        m.t_score = Decimal::parse(t);
        m
    }

    /// A 68-year-old woman's left hip on a Hispanic-female reference.
    fn hispanic_hip(neck_bmd: &str, neck_t: &str) -> Document {
        Document {
            patient_sex: Some(Sex::Female),
            birth_date: Date::parse_da("19550308"),
            study_date: Date::parse_da("20240305"),
            manufacturer: Some(Manufacturer::Hologic),
            calibration: Some(Calibration::Hologic),
            t_reference: reference("Hispanic Female", "NHANES"),
            reference_database: Some("T-score vs. Hispanic Female. Source:NHANES".into()),
            measurements: vec![
                row(Region::FemoralNeck, Laterality::Left, neck_bmd, neck_t),
                row(Region::TotalHip, Laterality::Left, "0.741", "-1.5"),
            ],
            ..Document::default()
        }
    }

    #[test]
    fn the_category_on_the_uniform_reference_is_said_never_substituted() {
        // Neck 0.546: NHANES III T (0.546 - 0.858) / 0.120 = -2.60.
        let doc = hispanic_hip("0.546", "-2.2");
        let a = classify_document(&doc, &ClassifyOptions::default());
        assert_eq!(
            a.classification,
            Classification::Osteopenia,
            "reported T kept"
        );
        assert_eq!(
            a.classification_uniform_reference,
            Some(Classification::Osteoporosis)
        );
        for flag in [
            AssessmentFlag::ReferenceDatabaseNonstandard,
            AssessmentFlag::CategoryDiffersOnUniformReference,
        ] {
            assert!(a.flags.contains(&flag), "{flag:?}: {:?}", a.flags);
        }
        // FRAX's T-score(WHO) is the neck's uniform T when the document states it.
        let mut doc = hispanic_hip("0.546", "-2.2");
        doc.frax_neck_t_uniform = Decimal::parse("-2.3");
        let a = classify_document(&doc, &ClassifyOptions::default());
        assert_eq!(
            a.classification_uniform_reference,
            Some(Classification::Osteopenia)
        );
        assert!(
            !a.flags
                .contains(&AssessmentFlag::CategoryDiffersOnUniformReference)
        );
    }

    #[test]
    fn on_the_uniform_reference_already_the_reported_category_stands() {
        // Reported -2.5 (osteoporosis) where Looker's numbers would give -2.43: the scanner's
        // own NHANES T stands, no false difference.
        let mut doc = hispanic_hip("0.566", "-2.5");
        doc.t_reference = reference("White Female", "NHANES");
        let a = classify_document(&doc, &ClassifyOptions::default());
        assert_eq!(a.classification, Classification::Osteoporosis);
        assert_eq!(
            a.classification_uniform_reference,
            Some(Classification::Osteoporosis)
        );
        assert!(
            !a.flags
                .contains(&AssessmentFlag::ReferenceDatabaseNonstandard)
        );
    }

    #[test]
    fn a_spine_on_another_reference_leaves_it_unknown_unless_the_hip_decides() {
        let mut doc = hispanic_hip("0.700", "-1.0");
        doc.measurements
            .push(row(Region::SpineL1L4, Laterality::None, "0.850", "-1.6"));
        let a = classify_document(&doc, &ClassifyOptions::default());
        assert_eq!(a.classification, Classification::Osteopenia);
        assert_eq!(a.classification_uniform_reference, None);
        // A hip already osteoporotic on the uniform reference: the spine cannot lift it.
        let mut doc = hispanic_hip("0.540", "-2.2");
        doc.measurements
            .push(row(Region::SpineL1L4, Laterality::None, "0.850", "-1.6"));
        let a = classify_document(&doc, &ClassifyOptions::default());
        assert_eq!(
            a.classification_uniform_reference,
            Some(Classification::Osteoporosis)
        );
        // No reference stated at all: nothing said.
        let mut doc = hispanic_hip("0.546", "-2.2");
        doc.t_reference = None;
        doc.reference_database = None;
        let a = classify_document(&doc, &ClassifyOptions::default());
        assert_eq!(a.classification_uniform_reference, None);
    }
}
