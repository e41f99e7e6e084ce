//! The OMOP records of a partition's run: each row's fields rendered as CSV but its ids,
//! which are ranks in the merged order (`write` puts them in front).

use std::io::{self, Write};

use crate::date::Date;
use crate::decimal::Decimal;
use crate::output::table::{append_field, append_u64};

/// What person.csv and observation_period.csv say of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The patient ID as written (empty when longer than the CDM's 50 characters).
    pub source_value: String,
    /// F or M as the documents state it, else empty.
    pub gender_source_value: String,
    /// 8532 female, 8507 male, 0 otherwise.
    pub gender_concept_id: u32,
    /// Year of birth, as written (shifted with the dates; 90 years before the visit for a
    /// patient over 89 under --pseudonymize).
    pub year_of_birth: i32,
    /// The first visit's date.
    pub period_start: Date,
    /// The last visit's date.
    pub period_end: Date,
}

/// One row of measurement.csv, before its ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measurement {
    /// measurement_concept_id (0: none verified).
    pub concept_id: u32,
    /// value_as_number (NULL for a negative value of a concept not on the Themis list, or
    /// for a value written as a bound).
    pub value: Option<Decimal>,
    /// unit_concept_id (NULL: no unit).
    pub unit_concept_id: Option<u32>,
    /// measurement_source_value: our region and quantity, or the LOINC code for FRAX.
    pub source_value: String,
    /// unit_source_value: the UCUM code, empty for scores.
    pub unit_source_value: String,
    /// value_source_value: the value as reported (`<1.0` for a bound).
    pub value_source_value: String,
}

/// Visit: 9202 "Outpatient Visit" (CDM v5.4 table-level notes).
const OUTPATIENT_VISIT: &str = "9202";
/// measurement_type and visit_type: 32827 "EHR encounter record" (OHDSI ETL-Synthea v5.4).
const EHR_ENCOUNTER_RECORD: &str = "32827";
/// period_type: 32882 "Standard algorithm from EHR" (OHDSI ETL-Synthea v5.4).
const STANDARD_ALGORITHM_FROM_EHR: &str = "32882";

/// The fields of a row that follow its ids, appended to a record each after its comma: a
/// partition renders them (`person_record`, `visit_record`, `measurement_record`); the
/// writer only puts the ids, which are ranks in the merged order, in front.
struct Fields<'a>(&'a mut Vec<u8>);

impl Fields<'_> {
    fn text(&mut self, value: &str) -> &mut Self {
        self.0.push(b',');
        append_field(self.0, value.as_bytes());
        self
    }

    fn number(&mut self, value: u64) -> &mut Self {
        self.0.push(b',');
        append_u64(self.0, value);
        self
    }

    fn date(&mut self, value: Date) -> &mut Self {
        // A date's text is digits and hyphens: never quoted.
        write!(self.0, ",{value}").expect("writing to a Vec cannot fail");
        self
    }

    /// `count` empty fields.
    fn empty(&mut self, count: usize) -> &mut Self {
        self.0.extend(std::iter::repeat_n(b',', count));
        self
    }

    /// Where the first part of a two-part record ends: its length, written in the 4 bytes
    /// `at` kept for it.
    fn close_part(&mut self, at: usize) {
        let len = (self.0.len() - at - 4) as u32;
        self.0[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }

    /// Keeps 4 bytes for the first part's length (`close_part`); returns where.
    fn open_part(&mut self) -> usize {
        let at = self.0.len();
        self.0.extend_from_slice(&[0; 4]);
        at
    }
}

/// The kinds of record, their first byte.
pub(super) const PERSON: u8 = 0;
pub(super) const VISIT: u8 = 1;
pub(super) const MEASUREMENT: u8 = 2;

/// A person's record: person.csv's fields after person_id, then observation_period.csv's
/// after its two ids.
pub(super) fn person_record(out: &mut Vec<u8>, p: &Person) {
    out.push(PERSON);
    let mut f = Fields(out);
    let at = f.open_part();
    f.number(u64::from(p.gender_concept_id));
    write!(f.0, ",{}", p.year_of_birth).expect("writing to a Vec cannot fail");
    f.empty(3)
        // race and ethnicity: 0, "no information" (the documents do not say them in
        // the CDM's sense; CDM v5.4: "If a clear race ... cannot be established, use
        // Concept_Id 0").
        .text("0")
        .text("0")
        .empty(3)
        .text(&p.source_value)
        .text(&p.gender_source_value)
        .empty(5);
    f.close_part(at);
    f.date(p.period_start)
        .date(p.period_end)
        .text(STANDARD_ALGORITHM_FROM_EHR);
}

/// A visit's record: visit_occurrence.csv's fields after its two ids.
pub(super) fn visit_record(out: &mut Vec<u8>, visit_id: &str, day: Date) {
    out.push(VISIT);
    Fields(out)
        .text(OUTPATIENT_VISIT)
        .date(day)
        .empty(1)
        .date(day)
        .empty(1)
        .text(EHR_ENCOUNTER_RECORD)
        .empty(2)
        .text(visit_id)
        .empty(6);
}

/// A measurement's record, of a visit on `day`: measurement.csv's fields between its
/// person_id and its visit_occurrence_id, then those after it.
pub(super) fn measurement_record(out: &mut Vec<u8>, day: Date, m: &Measurement) {
    out.push(MEASUREMENT);
    let mut f = Fields(out);
    let at = f.open_part();
    let concept = u64::from(m.concept_id);
    f.number(concept)
        .date(day)
        .empty(2)
        .text(EHR_ENCOUNTER_RECORD)
        .empty(2);
    if let Some(value) = m.value {
        // A decimal's plain text: digits, a sign and a point, never quoted.
        value.append_plain(0, f.0);
    }
    f.empty(2);
    if let Some(unit) = m.unit_concept_id {
        append_u64(f.0, u64::from(unit));
    }
    f.empty(3);
    f.close_part(at);
    f.empty(1)
        .text(&m.source_value)
        .number(concept)
        .text(&m.unit_source_value)
        .empty(1)
        .text(&m.value_source_value)
        .empty(2);
}

/// A record's two parts (the first's length before it).
pub(super) fn parts(record: &[u8]) -> io::Result<(&[u8], &[u8])> {
    let corrupt = || io::Error::other("a corrupt OMOP record");
    let len = record.get(..4).ok_or_else(corrupt)?;
    let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
    let rest = &record[4..];
    (len <= rest.len())
        .then(|| rest.split_at(len))
        .ok_or_else(corrupt)
}
