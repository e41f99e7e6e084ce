//! `--omop`: the visits as OMOP CDM v5.4 tables in omop/ (docs/interop.md, "OMOP"):
//! person.csv, observation_period.csv, visit_occurrence.csv and measurement.csv, every
//! column of each table in the CDM's order, loadable with the official DDL.
//!
//! A partition turns its visits into records (`records`): for each person (a patient ID as
//! written: the pseudonym under --pseudonymize) a person record, then each visit and its
//! measurements, under keys that sort by person, then visit date and visit_id. A patient's
//! visits are all in one partition, so the person's year of birth, gender and observation
//! period are known there. A record holds its row's fields already rendered as CSV, all but
//! the ids (`record::measurement_record` and the others). `write` reads the records back in
//! key order, numbers them and puts the ids in front of the fields:
//! person_id, visit_occurrence_id and measurement_id are ranks in that order, 1, 2, 3, ...
//! The same files give the same ids in every run, a partial scan and its merge too. Ids are
//! not hashes: the CDM's ids are 32-bit integers, where hashes of 10^5 measurements would
//! collide (birthday bound); the visit_id (`visit_source_value`) and the patient ID as
//! written (`person_source_value`) are the keys that link across runs.
//!
//! Left out, since the CDM requires what they lack: visits without a patient ID or a date,
//! and persons without a year of birth (no birth date and no age in any of their visits).

mod record;
mod write;

pub use record::{Measurement, Person};

#[cfg(test)]
pub use write::TABLES;
pub use write::write_omop;

use super::VisitRows;
use super::codes::{Quantity, negative_allowed};
use super::values::Exported;
use crate::date::Date;
use crate::document::{Bound, Sex};
use crate::store::RunBuf;

/// The folder of the OMOP tables, in the output folder.
pub const OMOP_DIR: &str = "omop";

/// The OMOP view of one visit.
#[derive(Debug, Clone)]
pub struct OmopVisit {
    person: String,
    date: Date,
    visit_id: String,
    sex: Option<Sex>,
    birth_year: Option<i32>,
    /// Its measurements' records (`record::measurement_record`), one after another, and
    /// where each ends.
    measurements: Vec<u8>,
    ends: Vec<usize>,
}

/// The CDM's varchar(50).
const VARCHAR: usize = 50;

/// The visit as OMOP records it, of what the exports take of it (`Exported`); None without
/// a patient ID or a date.
pub fn omop_visit(view: &VisitRows<'_>, exported: &Exported<'_>) -> Option<OmopVisit> {
    let person = &exported.patient;
    let date = exported.date?;
    if person.trim().is_empty() {
        return None;
    }
    let mut records = Vec::new();
    let mut ends = Vec::new();
    let mut add = |m: Measurement| {
        record::measurement_record(&mut records, date, &m);
        ends.push(records.len());
    };
    for m in exported.values.iter().map(|v| {
        let code = v.code();
        let concept_id = code.concept_id;
        let negative_refused = v.value.to_parts().0 < 0 && !negative_allowed(concept_id);
        let (unit_code, _) = v.quantity.ucum();
        let value_text = match v.comparator {
            Some(Bound::Below) => format!("<{}", v.value),
            Some(Bound::Above) => format!(">{}", v.value),
            None => v.value.to_string(),
        };
        Measurement {
            concept_id,
            value: (v.comparator.is_none() && !negative_refused).then_some(v.value),
            unit_concept_id: v.quantity.omop_unit(),
            source_value: match v.quantity {
                Quantity::FraxMajor | Quantity::FraxHip => code.loinc.to_string(),
                _ => v.source_value(),
            },
            unit_source_value: match v.quantity {
                Quantity::TScore | Quantity::ZScore => String::new(),
                _ => unit_code.to_string(),
            },
            value_source_value: value_text,
        }
    }) {
        add(m);
    }
    // The body composition values: no OMOP concept is verified (0), our code as the source
    // value, the UCUM unit as written (docs/interop.md, "Body composition"). None is
    // negative; one would be NULL, as for any concept off the Themis list.
    for v in &exported.body {
        let negative = v.value.to_parts().0 < 0;
        add(Measurement {
            concept_id: 0,
            value: (!negative).then_some(v.value),
            unit_concept_id: v.measure.omop_unit(),
            source_value: v.measure.code(),
            unit_source_value: v.measure.ucum().0.to_string(),
            value_source_value: v.value.to_string(),
        });
    }
    Some(OmopVisit {
        person: person.to_string(),
        date,
        visit_id: view.visit_id.to_string(),
        sex: view.assessed.exam.patient_sex,
        birth_year: birth_year(view, date),
        measurements: records,
        ends,
    })
}

/// The year of birth as the outputs may show it, from the visit (`date`: its date as
/// written): the birth date's year (shifted with the patient's dates under --shift-dates),
/// else the year `age` before the visit; under --pseudonymize an age over 89 counts as 90
/// (HIPAA Safe Harbor: no element of a date may say an age over 89).
fn birth_year(view: &VisitRows<'_>, date: Date) -> Option<i32> {
    let age = view.assessed.assessment.age.as_ref().map(|a| a.years);
    let capped = view.ids.pseudonymizer.is_some() && age.is_some_and(|a| a >= 90.0);
    if !capped && let Some(birth) = view.date(view.assessed.exam.birth_date) {
        return Some(i32::from(birth.year));
    }
    let years = view.ids.age_years(age?);
    let born = date.plus_days(-(years * 365.2425).round() as i64)?;
    Some(i32::from(born.year))
}

/// Bytes that sort like `value` (an i64 as an unsigned big-endian number).
fn ordered(value: i64) -> [u8; 8] {
    ((value as u64) ^ (1 << 63)).to_be_bytes()
}

/// A person's key: the bytes of its ID, a zero or one byte escaped (`01 01`, `01 02`), then
/// a zero byte. Keys sort as the IDs do, and one never begins another. The bytes as they
/// are, not their hex digits (as first written): the merge compares a key's first eight
/// bytes as a number before it compares bytes (`store::runs`), and eight bytes of an ID
/// tell more IDs apart than four (docs/performance.md, "The research exports").
fn person_key(person: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(person.len() + 24);
    for &byte in person.as_bytes() {
        match byte {
            0 | 1 => key.extend_from_slice(&[1, byte + 1]),
            _ => key.push(byte),
        }
    }
    key.push(0);
    key
}

/// Renders a partition's OMOP visits into `run`: per person (every visit of a patient is in
/// the partition), a person record, then its visits in date order with their measurements.
pub fn records(mut visits: Vec<OmopVisit>, run: &mut RunBuf) -> std::io::Result<()> {
    visits.sort_by(|a, b| {
        (a.person.as_str(), a.date, a.visit_id.as_str()).cmp(&(
            b.person.as_str(),
            b.date,
            b.visit_id.as_str(),
        ))
    });
    let mut record = Vec::with_capacity(256);
    for person_visits in visits.chunk_by(|a, b| a.person == b.person) {
        let first = &person_visits[0];
        let Some(year_of_birth) = person_visits.iter().filter_map(|v| v.birth_year).max() else {
            continue;
        };
        let sex = person_visits.iter().find_map(|v| v.sex);
        let person_key = person_key(&first.person);
        let person = Person {
            source_value: if first.person.chars().count() <= VARCHAR {
                crate::output::cell::safe_text(&first.person).into_owned()
            } else {
                String::new()
            },
            gender_source_value: match sex {
                Some(Sex::Female) => "F".to_string(),
                Some(Sex::Male) => "M".to_string(),
                _ => String::new(),
            },
            gender_concept_id: match sex {
                Some(Sex::Female) => 8532,
                Some(Sex::Male) => 8507,
                _ => 0,
            },
            year_of_birth,
            period_start: first.date,
            period_end: person_visits.last().expect("a chunk has a visit").date,
        };
        let mut key = person_key.clone();
        key.push(0);
        record.clear();
        record::person_record(&mut record, &person);
        run.push(key, &record);
        for visit in person_visits {
            let mut visit_key = person_key.clone();
            visit_key.push(1);
            visit_key.extend_from_slice(&ordered(visit.date.days_since_epoch()));
            visit_key.extend_from_slice(visit.visit_id.as_bytes());
            visit_key.push(0);
            let mut key = visit_key.clone();
            key.push(0);
            record.clear();
            record::visit_record(&mut record, &visit.visit_id, visit.date);
            run.push(key, &record);
            let mut start = 0;
            for (i, &end) in visit.ends.iter().enumerate() {
                let mut key = visit_key.clone();
                key.push(1);
                key.extend_from_slice(&(i as u32).to_be_bytes());
                run.push(key, &visit.measurements[start..end]);
                start = end;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
