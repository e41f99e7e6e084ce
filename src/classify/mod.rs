//! The study step: a pure function from one `Document` to its `StudyAssessment`, the same
//! way for every scanner (clinical.md; ISCD Official Positions 2019/2023; WHO 1994):
//! 1. population from age at the study date and sex (`population`);
//! 2. diagnostic sites, and why every other row is not one (`sites`);
//! 3. the category from the lowest valid score, on the reported one-decimal value;
//! 4. checks as flags (`checks`), and the cross-manufacturer values of each row.
//!
//! A wrong category is worse than none: whatever is missing or ambiguous fails closed to
//! `indeterminate` with a flag saying why.

mod checks;
mod population;
mod sites;

use crate::decimal::Decimal;
use crate::document::Document;
use crate::normalise::{nhanes_t_score, standardised_bmd};
use crate::vocabulary::{Classification, Population};

pub use population::{Age, age_at_study, population_of};
pub use sites::pa_spine;

/// Department choices that change which sites decide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassifyOptions {
    /// Always include the 33 % radius as a diagnostic site (ISCD: hyperparathyroidism,
    /// very obese patients; not knowable from the SR, so a department decides).
    pub radius_diagnostic: bool,
}

/// What the study step says about one measurement row.
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

/// What the study step says about one document.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyAssessment {
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
    /// Warnings, in a stable order.
    pub flags: Vec<String>,
    /// One per `Document::measurements` row, same order.
    pub rows: Vec<RowAssessment>,
}

/// Classifies one document.
pub fn classify_study(doc: &Document, options: &ClassifyOptions) -> StudyAssessment {
    let mut flags = Vec::new();
    let age = age_at_study(doc, &mut flags);
    let population = population_of(age.as_ref(), doc.patient_sex, &mut flags);

    let mut rows: Vec<RowAssessment> = doc
        .measurements
        .iter()
        .map(|m| {
            let calibration = doc.calibration;
            RowAssessment {
                sbmd_mg_cm2: calibration
                    .zip(m.bmd)
                    .and_then(|(c, bmd)| standardised_bmd(m.region, c, bmd)),
                t_score_nhanes: calibration
                    .zip(m.bmd)
                    .and_then(|(c, bmd)| nhanes_t_score(m.region, c, bmd)),
                ..RowAssessment::default()
            }
        })
        .collect();

    let selection = sites::select(doc, population, options, &mut rows);
    let score_of = |i: usize| sites::score(&doc.measurements[i], population);

    // The lowest score decides; ties go to the first row in region order.
    let basis = selection
        .used
        .iter()
        .copied()
        .filter_map(|i| score_of(i).map(|s| (s, i)))
        .min_by(|(a, i), (b, j)| a.cmp(b).then(i.cmp(j)));

    let classification = match (population, basis) {
        (Population::Unknown, _) => {
            flags.push("age_unknown".to_string());
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
            .filter_map(|&i| pick(&doc.measurements[i]).map(|v| v.round_to(1)))
            .min()
    };
    let min_t_score = min_of(|m| m.t_score);
    let min_z_score = min_of(|m| m.z_score);

    checks::run(
        doc,
        population,
        classification,
        min_t_score.filter(|_| population == Population::AdultTScore),
        &selection.candidates,
        &mut rows,
        &mut flags,
    );

    StudyAssessment {
        age,
        population,
        classification,
        basis_site: basis.map(|(_, i)| doc.measurements[i].site_name()),
        min_t_score,
        min_z_score,
        flags,
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
