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

mod category;
mod checks;
mod exam;
mod flag;
mod population;
pub mod reference;
mod row;
mod sites;

use crate::decimal::Decimal;
use crate::document::{Document, Measurement};
use crate::normalise::{nhanes_t_score, standardised_bmd};
use crate::vocabulary::{Calibration, Classification, Population};

pub use category::{who_category, z_wording};
pub use exam::{ClassifyOptions, Exam};
pub use flag::{AssessmentFlag, AssessmentFlagKind};
pub use population::{Age, age_at_study, population_of};
pub use reference::RowReference;
pub use row::{Note, RowAssessment};
pub use sites::is_site;
pub use sites::pa_spine;

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
    let score_of = |i: usize| sites::score(exam.measurements[i], population);

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
            .filter_map(|&i| pick(exam.measurements[i]).map(|v| v.round_to(1)))
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
        basis_site: basis.map(|(_, i)| sites::site_text(exam.measurements[i])),
        min_t_score,
        min_z_score,
        flags,
        assumptions,
        rows,
    }
}

#[cfg(test)]
mod tests;
