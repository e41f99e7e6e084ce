//! The classification of a visit: a pure function from its `Exam` (the patient on the day
//! and every row the visit kept, from however many documents: `visit::exam_of`) to its
//! `VisitAssessment`, the same way for every scanner (docs/clinical.md; ISCD Official
//! Positions 2019/2023; WHO 1994):
//! 1. population from age at the study date and sex (`population`);
//! 2. diagnostic sites, and why every other row is not one (`sites`);
//! 3. the category from the lowest valid score, on the reported one-decimal value;
//! 4. checks as flags (`checks`), and the cross-manufacturer values of each row.
//!
//! A wrong category is worse than none: whatever is missing or ambiguous fails closed to
//! `indeterminate` with a flag saying why.

mod checks;
mod flag;
mod population;
pub mod reference;
mod sites;

use crate::decimal::Decimal;
use crate::document::{Date, Document, Measurement, Sex};
use crate::normalise::{nhanes_t_score, standardised_bmd};
use crate::vocabulary::{Calibration, Classification, Population};

pub use flag::{AssessmentFlag, AssessmentFlagKind};
pub use population::{Age, age_at_study, population_of};
pub use reference::RowReference;
pub use sites::pa_spine;

/// Department choices that change which sites decide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassifyOptions {
    /// Always include the 33 % radius as a diagnostic site (ISCD: hyperparathyroidism,
    /// very obese patients; not knowable from the SR, so a department decides).
    pub radius_diagnostic: bool,
}

/// What the classifier reads of a visit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exam {
    /// PatientSex.
    pub patient_sex: Option<Sex>,
    /// PatientBirthDate.
    pub birth_date: Option<Date>,
    /// PatientAge as written (used without a birth date).
    pub patient_age: Option<String>,
    /// Age at menopause, when the results state it.
    pub menopause_age: Option<Decimal>,
    /// The visit's date.
    pub study_date: Option<Date>,
    /// Every row the visit kept, in region order.
    pub measurements: Vec<Measurement>,
    /// The calibration of each row's scanner (same order as `measurements`).
    pub calibrations: Vec<Option<Calibration>>,
    /// FRAX major osteoporotic fracture probability, %.
    pub frax_major: Option<Decimal>,
    /// FRAX hip fracture probability, %.
    pub frax_hip: Option<Decimal>,
    /// Trabecular bone score.
    pub tbs: Option<Decimal>,
    /// The scanner's reference population, when stated.
    pub reference_database: Option<String>,
    /// What each row's document says of its T's reference (same order as `measurements`;
    /// missing entries: not stated).
    pub references: Vec<RowReference>,
}

impl Exam {
    /// The exam of one document alone (`inspect`, and tests of the rules).
    pub fn of_document(doc: &Document) -> Exam {
        Exam {
            patient_sex: doc.patient_sex,
            birth_date: doc.birth_date,
            patient_age: doc.patient_age.clone(),
            menopause_age: doc.menopause_age,
            study_date: doc.study_date,
            measurements: doc.measurements.clone(),
            calibrations: vec![doc.calibration; doc.measurements.len()],
            frax_major: doc.frax_major,
            frax_hip: doc.frax_hip,
            tbs: doc.tbs,
            reference_database: doc.reference_database.clone(),
            references: doc
                .measurements
                .iter()
                .map(|m| RowReference::of(doc, m))
                .collect(),
        }
    }
}

/// What the classification says about one measurement row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowAssessment {
    /// Whether the row entered the classification.
    pub used_for_diagnosis: bool,
    /// Why not used, or a warning.
    pub notes: Vec<String>,
    /// Standardised BMD, mg/cm².
    pub sbmd_mg_cm2: Option<Decimal>,
    /// T-score recomputed on NHANES III (hip sites).
    pub t_score_nhanes: Option<Decimal>,
}

/// What the classification says about one visit.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitAssessment {
    /// Age at the study date, if known.
    pub age: Option<Age>,
    /// Which score and wording apply.
    pub population: Population,
    /// The category.
    pub classification: Classification,
    /// The row that decided, as `region/laterality`.
    pub basis_site: Option<String>,
    /// Lowest T-score among diagnostic sites (one decimal, as classified).
    pub min_t_score: Option<Decimal>,
    /// Lowest Z-score among diagnostic sites.
    pub min_z_score: Option<Decimal>,
    /// Findings, in a stable order.
    pub flags: Vec<AssessmentFlag>,
    /// What the rules had to assume (studies.csv `assumptions`), e.g. menopausal status from
    /// age: kept apart so that `flags` holds findings.
    pub assumptions: Vec<String>,
    /// One per `Exam::measurements` row, same order.
    pub rows: Vec<RowAssessment>,
    /// The category on the ISCD uniform reference, where the rows' references are stated
    /// and it can be known (`reference`); never used as the classification.
    pub classification_uniform_reference: Option<Classification>,
}

/// Classifies one document alone, as if it were a whole visit (`inspect`, the fuzz target).
pub fn classify_document(doc: &Document, options: &ClassifyOptions) -> VisitAssessment {
    classify_visit(&Exam::of_document(doc), options)
}

/// The values a row gets whatever it is used for: sBMD and the NHANES III T-score.
pub fn cross_calibrated(m: &Measurement, calibration: Option<Calibration>) -> RowAssessment {
    RowAssessment {
        sbmd_mg_cm2: calibration
            .zip(m.bmd)
            .and_then(|(c, bmd)| standardised_bmd(m.region, c, bmd)),
        t_score_nhanes: calibration
            .zip(m.bmd)
            .and_then(|(c, bmd)| nhanes_t_score(m.region, c, bmd)),
        ..RowAssessment::default()
    }
}

/// Classifies a visit.
pub fn classify_visit(exam: &Exam, options: &ClassifyOptions) -> VisitAssessment {
    let mut flags = Vec::new();
    let mut assumptions = Vec::new();
    let age = age_at_study(exam, &mut flags);
    let population = population_of(
        age.as_ref(),
        exam.patient_sex,
        exam.menopause_age,
        &mut flags,
        &mut assumptions,
    );

    let mut rows: Vec<RowAssessment> = exam
        .measurements
        .iter()
        .zip(&exam.calibrations)
        .map(|(m, calibration)| cross_calibrated(m, *calibration))
        .collect();

    let selection = sites::select(exam, population, options, &mut rows);
    let score_of = |i: usize| sites::score(&exam.measurements[i], population);

    // The lowest score decides; ties go to the first row in region order.
    let basis = selection
        .used
        .iter()
        .copied()
        .filter_map(|i| score_of(i).map(|s| (s, i)))
        .min_by(|(a, i), (b, j)| a.cmp(b).then(i.cmp(j)));

    let classification = match (population, basis) {
        (Population::Unknown, _) => {
            flags.push(AssessmentFlag::AgeUnknown);
            Classification::Indeterminate
        }
        (_, None) => {
            flags.push(selection.why_none.clone());
            Classification::Indeterminate
        }
        (Population::AdultTScore, Some((t, _))) => who_category(t),
        (Population::AdultZScore | Population::Pediatric, Some((z, _))) => z_wording(z),
    };

    let min_of = |pick: fn(&crate::document::Measurement) -> Option<Decimal>| {
        selection
            .candidates
            .iter()
            .filter_map(|&i| pick(&exam.measurements[i]).map(|v| v.round_to(1)))
            .min()
    };
    let min_t_score = min_of(|m| m.t_score);
    let min_z_score = min_of(|m| m.z_score);

    checks::run(
        exam,
        population,
        classification,
        min_t_score.filter(|_| population == Population::AdultTScore),
        &selection.candidates,
        &mut rows,
        &mut flags,
    );

    // The category on the uniform reference: for WHO categories only; said, never used.
    let on_t = matches!(
        classification,
        Classification::Normal | Classification::Osteopenia | Classification::Osteoporosis
    );
    let classification_uniform_reference = if population == Population::AdultTScore && on_t {
        reference::uniform_category(&exam.measurements, &exam.references, &rows)
    } else {
        None
    };
    if classification_uniform_reference.is_some_and(|c| c != classification) {
        flags.push(AssessmentFlag::CategoryDiffersOnUniformReference);
    }

    VisitAssessment {
        classification_uniform_reference,
        age,
        population,
        classification,
        basis_site: basis.map(|(_, i)| exam.measurements[i].site_name()),
        min_t_score,
        min_z_score,
        flags,
        assumptions,
        rows,
    }
}

/// WHO 1994 on the reported one-decimal T-score: osteoporosis T <= -2.5, osteopenia (low
/// bone mass) -2.5 < T < -1.0, normal T >= -1.0. -2.4 is osteopenia.
pub fn who_category(t: Decimal) -> Classification {
    let t = t.round_to(1);
    if t <= dec("-2.5") {
        Classification::Osteoporosis
    } else if t < dec("-1.0") {
        Classification::Osteopenia
    } else {
        Classification::Normal
    }
}

/// ISCD wording for Z-scores (adults 20-49 and children): Z <= -2.0 is "below the expected
/// range for age", never osteoporosis from density alone.
pub fn z_wording(z: Decimal) -> Classification {
    if z.round_to(1) <= dec("-2.0") {
        Classification::BelowExpectedRangeForAge
    } else {
        Classification::WithinExpectedRangeForAge
    }
}

fn dec(text: &str) -> Decimal {
    Decimal::parse(text).expect("clinical thresholds are valid decimals")
}

#[cfg(test)]
mod tests;
