//! Who gets which score (clinical.md): age in completed years at the study date, from
//! PatientBirthDate, else PatientAge; then the ISCD populations.

use super::exam::Exam;
use super::flag::AssessmentFlag;
use crate::date::{Date, days_in_month};
use crate::decimal::Decimal;
use crate::document::{Sex, parse_age_string};
use crate::vocabulary::Population;

/// Age at the study date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Age {
    /// Completed years: what the population rules use.
    pub whole_years: u32,
    /// Years with one decimal, never rounded up past a birthday (studies.csv).
    pub years: f64,
}

/// Age at the study date from the birth date, else from PatientAge.
pub fn age_at_study(exam: &Exam, flags: &mut Vec<AssessmentFlag>) -> Option<Age> {
    if let (Some(birth), Some(study)) = (exam.birth_date, exam.study_date) {
        match birth.whole_years_until(study) {
            Some(whole) => return Some(precise_age(birth, study, whole)),
            None => flags.push(AssessmentFlag::BirthDateAfterStudyDate),
        }
    }
    let years = exam.patient_age.and_then(parse_age_string)?;
    let tenths = (years * 10.0 + 1e-9).floor() / 10.0;
    Some(Age {
        whole_years: years.floor() as u32,
        years: tenths,
    })
}

/// Whole years plus the elapsed fraction of the current year of life, floored to tenths,
/// so that the day before the 50th birthday shows 49.9, never 50.0.
fn precise_age(birth: Date, study: Date, whole: u32) -> Age {
    let anniversary = |years: u32| {
        let year = birth.year + years as u16;
        // A 29 February birthday falls on 28 February in common years.
        let day = birth.day.min(days_in_month(year, birth.month));
        Date {
            year,
            month: birth.month,
            day,
        }
    };
    let last = anniversary(whole).days_since_epoch();
    let next = anniversary(whole + 1).days_since_epoch();
    let fraction = (study.days_since_epoch() - last) as f64 / (next - last) as f64;
    let tenths = (fraction * 10.0).floor() / 10.0;
    Age {
        whole_years: whole,
        years: f64::from(whole) + tenths,
    }
}

/// The ISCD population (docs/clinical.md, "Who gets which score"). Women aged 50 and over
/// and men aged 50 and over get T-scores (WHO); so do women under 50 who are stated
/// postmenopausal (a Hologic results document's `MenopauseAge`: ISCD, T-scores for
/// postmenopausal women). GE SRs do not carry menopausal status: then age 50 is the proxy,
/// and `assumptions` says so. T-scores for men and women alike use the young-female
/// reference (ISCD 2019), so a missing sex does not change the score, but it is flagged.
pub fn population_of(
    age: Option<&Age>,
    sex: Option<Sex>,
    menopause_age: Option<Decimal>,
    flags: &mut Vec<AssessmentFlag>,
    assumptions: &mut Vec<String>,
) -> Population {
    let Some(age) = age else {
        return Population::Unknown;
    };
    // Stated postmenopausal: a menopause age above 0 and not after today's age.
    let whole = |n: i64| Decimal::from_parts(n, 0).expect("a scale of 0 is valid");
    let postmenopausal =
        menopause_age.map(|at| at > whole(0) && at <= whole(i64::from(age.whole_years)));
    let population = match age.whole_years {
        // ISCD pediatric positions: under 20.
        0..=19 => Population::Pediatric,
        // ISCD adult positions: T-scores for postmenopausal women of any adult age.
        20..=49 if sex == Some(Sex::Female) && postmenopausal == Some(true) => {
            Population::AdultTScore
        }
        // ISCD adult positions: Z-scores for premenopausal women and men under 50.
        20..=49 => Population::AdultZScore,
        // WHO T-score categories: women and men aged 50 and over.
        _ => Population::AdultTScore,
    };
    match (population, sex) {
        (Population::AdultTScore, Some(Sex::Female)) if postmenopausal.is_none() => {
            assumptions.push("menopausal_status_assumed".to_string());
        }
        (Population::AdultZScore, Some(Sex::Female)) if postmenopausal.is_none() => {
            assumptions.push("menopausal_status_unknown".to_string());
        }
        (Population::AdultTScore | Population::AdultZScore, None | Some(Sex::Other)) => {
            flags.push(AssessmentFlag::PatientSexMissing);
        }
        _ => {}
    }
    population
}
