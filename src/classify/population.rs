//! Who gets which score (clinical.md): age in completed years at the study date, from
//! PatientBirthDate, else PatientAge; then the ISCD populations.

use crate::document::{Date, Document, Sex, days_in_month, parse_age_string};
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
pub fn age_at_study(doc: &Document, flags: &mut Vec<String>) -> Option<Age> {
    if let (Some(birth), Some(study)) = (doc.birth_date, doc.study_date) {
        match birth.whole_years_until(study) {
            Some(whole) => return Some(precise_age(birth, study, whole)),
            None => flags.push("birth_date_after_study_date".to_string()),
        }
    }
    let years = doc.patient_age.as_deref().and_then(parse_age_string)?;
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

/// The ISCD population. Menopausal status is almost never in the SR: age 50 is the proxy
/// for women, and the flags say so (clinical.md). T-scores for men and women alike use the
/// young-female reference (ISCD 2019), so a missing sex does not change the score, but it
/// is flagged.
pub fn population_of(age: Option<&Age>, sex: Option<Sex>, flags: &mut Vec<String>) -> Population {
    let Some(age) = age else {
        return Population::Unknown;
    };
    let population = match age.whole_years {
        // ISCD pediatric positions: under 20.
        0..=19 => Population::Pediatric,
        // ISCD adult positions: Z-scores for premenopausal women and men under 50.
        20..=49 => Population::AdultZScore,
        // WHO T-score categories: postmenopausal women and men aged 50 and over.
        _ => Population::AdultTScore,
    };
    match (population, sex) {
        (Population::AdultTScore, Some(Sex::Female)) => {
            flags.push("menopausal_status_assumed".to_string());
        }
        (Population::AdultZScore, Some(Sex::Female)) => {
            flags.push("menopausal_status_unknown".to_string());
        }
        (Population::AdultTScore | Population::AdultZScore, None | Some(Sex::Other)) => {
            flags.push("patient_sex_missing".to_string());
        }
        _ => {}
    }
    population
}
