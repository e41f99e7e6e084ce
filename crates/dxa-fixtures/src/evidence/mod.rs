//! The sample's studies in the shapes the field evidence describes (GE "DXA Report" SRs,
//! several per study; Hologic report images with results documents), public so that tests
//! compare against the values they were built from. Synthesized: names, values and UIDs are
//! invented.

mod ge;
mod hologic;
mod hologic_us_site;

pub use ge::*;
pub use hologic::*;
pub use hologic_us_site::*;

use crate::header::{Header, uid_from};

/// A header of the evidence studies: UIDs from `name`, the study UID from `study`.
pub(crate) fn header(
    name: &str,
    study: &str,
    patient: (&str, &str, &str, Option<&str>, &str),
) -> Header {
    let (patient_name, id, sex, birth, age) = patient;
    let mut h = Header::new(name);
    h.study_uid = uid_from(&format!("{study}/study"));
    h.patient_name = patient_name.to_string();
    h.patient_id = id.to_string();
    h.sex = Some(sex.to_string());
    h.birth_date = birth.map(str::to_string);
    h.age = Some(age.to_string());
    h
}
