//! Checks reported as flags (clinical.md, "Other flags" and the spine rules). A check never
//! changes the category: it tells a reader where to look.

use super::exam::Exam;
use super::flag::AssessmentFlag;
use super::reference::TReference;
use super::row::{Note, RowAssessment};
use crate::decimal::{Decimal, dec};
use crate::vocabulary::{Classification, Laterality, Population, Region};

/// Runs every check; appends to `flags` and to the rows' notes.
pub fn run(
    exam: &Exam,
    population: Population,
    classification: Classification,
    min_t: Option<Decimal>,
    candidates: &[usize],
    rows: &mut [RowAssessment],
    flags: &mut Vec<AssessmentFlag>,
) {
    let ms = &exam.measurements;

    // clinical.md: -2.6, -2.5 and -2.4 sit on the osteoporosis threshold: a reader should look.
    if let Some(t) = min_t
        && [dec!("-2.6"), dec!("-2.5"), dec!("-2.4")].contains(&t)
    {
        flags.push(AssessmentFlag::TNearOsteoporosisThreshold);
    }

    spine_checks(exam, rows, flags);

    // Secondary causes: an adult with Z <= -2.0 at a diagnostic site (ISCD).
    if matches!(
        population,
        Population::AdultTScore | Population::AdultZScore
    ) && candidates
        .iter()
        .any(|&i| ms[i].z_score.is_some_and(|z| z.round_to(1) <= dec!("-2.0")))
    {
        flags.push(AssessmentFlag::ZScoreAtOrBelowMinus2);
    }

    // A reported hip T-score far from its NHANES III recomputation means another reference
    // database (male-referenced, pre-NHANES Hologic hip, local): clinical.md.
    let mut nhanes_differs = false;
    for (m, row) in ms.iter().zip(rows.iter_mut()) {
        if let (Some(reported), Some(nhanes)) = (m.t_score, row.t_score_nhanes)
            && let Some(diff) = reported.checked_sub(nhanes)
            && (diff > dec!("0.5") || diff < dec!("-0.5"))
        {
            // Concatenated, not `format!` (a note on a tenth of the rows: docs/performance.md).
            row.notes.push(
                [
                    "reported T ",
                    &reported.to_plain(0),
                    " differs from NHANES III T ",
                    &nhanes.to_plain(0),
                    " by more than 0.5",
                ]
                .concat()
                .into(),
            );
            nhanes_differs = true;
        }
    }
    if nhanes_differs {
        flags.push(AssessmentFlag::TScoreReportedVsNhanesDiffers);
    }

    // Dual femur: total hip T of the two sides more than 1.0 apart (clinical.md).
    let total_hip_t = |side| {
        ms.iter()
            .find(|m| m.region == Region::TotalHip && m.laterality == side)
            .and_then(|m| m.t_score)
    };
    if let (Some(left), Some(right)) = (
        total_hip_t(Laterality::Left),
        total_hip_t(Laterality::Right),
    ) && let Some(diff) = left.checked_sub(right)
        && (diff > dec!("1.0") || diff < dec!("-1.0"))
    {
        flags.push(AssessmentFlag::FemurLeftRightTDiffers);
    }

    // BHOF Clinician's Guide 2022: treat osteopenia when FRAX major >= 20 % or hip >= 3 %.
    // FRAX is passed through from the scanner, never computed here.
    if classification == Classification::Osteopenia
        && (exam.frax_major.is_some_and(|f| f >= dec!("20"))
            || exam.frax_hip.is_some_and(|f| f >= dec!("3")))
    {
        flags.push(AssessmentFlag::FraxAboveTreatmentThreshold);
    }

    // TBS categories (clinical.md; for postmenopausal women, an adjunct that never decides):
    // >= 1.350 normal, 1.200-1.350 partially degraded, <= 1.200 degraded.
    if let Some(tbs) = exam.tbs {
        let category = if tbs >= dec!("1.350") {
            AssessmentFlag::TbsNormal
        } else if tbs > dec!("1.200") {
            AssessmentFlag::TbsPartiallyDegraded
        } else {
            AssessmentFlag::TbsDegraded
        };
        flags.push(category);
    }

    if let Some(reference) = &exam.reference_database {
        flags.push(AssessmentFlag::ReferenceDatabase(reference.to_string()));
    }
    // Not the ISCD uniform reference (docs/clinical.md, "Reference population"): by the
    // T reference a row's document states (white women; NHANES for the hip), else by the
    // reference text (it does not mention NHANES).
    // Read per row, not gathered into a vector first; NHANES found in any case without an
    // upper-case copy of the text (a visit each: docs/performance.md).
    let stated = |i: usize| {
        exam.references
            .get(i)
            .map_or(TReference::NotStated, |r| r.t)
    };
    let nonstandard = if (0..ms.len()).any(|i| stated(i) != TReference::NotStated) {
        ms.iter()
            .enumerate()
            .any(|(i, m)| stated(i) == TReference::Other && m.t_score.is_some())
    } else {
        exam.reference_database.as_ref().is_some_and(|r| {
            !r.as_bytes()
                .windows(6)
                .any(|w| w.eq_ignore_ascii_case(b"NHANES"))
        })
    };
    if nonstandard {
        flags.push(AssessmentFlag::ReferenceDatabaseNonstandard);
    }
}

/// ISCD exclusion criterion: a vertebra whose T-score differs by more than 1.0 from an
/// adjacent one. Reported, not re-analysed: the scanner's L1-L4 stays the spine result.
fn spine_checks(exam: &Exam, rows: &mut [RowAssessment], flags: &mut Vec<AssessmentFlag>) {
    let ms = &exam.measurements;
    let vertebra = |n: u8| ms.iter().position(|m| m.region.vertebrae() == Some((n, n)));
    let mut discordant = false;
    for n in 1..4u8 {
        let (Some(a), Some(b)) = (vertebra(n), vertebra(n + 1)) else {
            continue;
        };
        let (Some(ta), Some(tb)) = (ms[a].t_score, ms[b].t_score) else {
            continue;
        };
        let Some(diff) = ta.round_to(1).checked_sub(tb.round_to(1)) else {
            continue;
        };
        if diff > dec!("1.0") || diff < dec!("-1.0") {
            discordant = true;
            rows[a].notes.push(Note::from(format!(
                "T differs >1.0 from L{} (ISCD exclusion criterion; not re-analysed)",
                n + 1
            )));
            rows[b].notes.push(Note::from(format!(
                "T differs >1.0 from L{n} (ISCD exclusion criterion; not re-analysed)"
            )));
        }
    }
    if discordant {
        flags.push(AssessmentFlag::SpineVertebraDiscordant);
    }
    let reported = (1..=4u8).filter_map(vertebra).count();
    let evaluable = (1..=4u8)
        .filter_map(vertebra)
        .filter(|&i| ms[i].bmd.is_some() || ms[i].t_score.is_some())
        .count();
    if reported > 0 && evaluable < 2 {
        // ISCD: at least two evaluable vertebrae for a PA spine diagnosis.
        flags.push(AssessmentFlag::SpineFewerThanTwoEvaluableVertebrae);
    }
}
