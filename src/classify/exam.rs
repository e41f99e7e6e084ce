//! What the classifier reads of a visit (`Exam`: the patient on the day and every row the
//! visit kept, from however many documents), and the department's choices
//! (`ClassifyOptions`).

use super::reference::RowReference;
use crate::date::Date;
use crate::decimal::Decimal;
use crate::document::{Document, Measurement, Sex};
use crate::vocabulary::Calibration;

/// Department choices that change which sites decide.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClassifyOptions {
    /// Always include the 33 % radius as a diagnostic site (ISCD: hyperparathyroidism,
    /// very obese patients; not knowable from the SR, so a department decides).
    pub radius_diagnostic: bool,
}

/// What the classifier reads of a visit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exam<'a> {
    /// PatientSex.
    pub patient_sex: Option<Sex>,
    /// PatientBirthDate.
    pub birth_date: Option<Date>,
    /// PatientAge as written (used without a birth date; borrowed, as the rows).
    pub patient_age: Option<&'a str>,
    /// Age at menopause, when the results state it.
    pub menopause_age: Option<Decimal>,
    /// The visit's date.
    pub study_date: Option<Date>,
    /// Every row the visit kept, in region order (borrowed from its documents).
    pub measurements: Vec<&'a Measurement>,
    /// The calibration of each row's scanner (same order as `measurements`).
    pub calibrations: Vec<Option<Calibration>>,
    /// FRAX major osteoporotic fracture probability, %.
    pub frax_major: Option<Decimal>,
    /// FRAX hip fracture probability, %.
    pub frax_hip: Option<Decimal>,
    /// Trabecular bone score.
    pub tbs: Option<Decimal>,
    /// The scanner's reference population, when stated (borrowed).
    pub reference_database: Option<&'a str>,
    /// What each row's document says of its T's reference (same order as `measurements`;
    /// missing entries: not stated).
    pub references: Vec<RowReference>,
}

impl<'a> Exam<'a> {
    /// The exam of one document alone (`inspect`, and tests of the rules).
    pub fn of_document(doc: &'a Document) -> Exam<'a> {
        Exam {
            patient_sex: doc.patient_sex,
            birth_date: doc.birth_date,
            patient_age: doc.patient_age.as_deref(),
            menopause_age: doc.menopause_age,
            study_date: doc.study_date,
            measurements: doc.measurements.iter().collect(),
            calibrations: vec![doc.calibration; doc.measurements.len()],
            frax_major: doc.frax_major,
            frax_hip: doc.frax_hip,
            tbs: doc.tbs,
            reference_database: doc.reference_database.as_deref(),
            references: doc
                .measurements
                .iter()
                .map(|m| RowReference::of(doc, m))
                .collect(),
        }
    }
}
