//! The OMOP tables written from the run's records in key order (see the parent module):
//! ids are ranks, given as the records come.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{Measurement, Person, Record};
use crate::date::Date;
use crate::decimal::Decimal;
use crate::store::Runs;

/// person.csv's columns (OMOP CDM v5.4, in the DDL's order).
pub const PERSON_COLUMNS: &[&str] = &[
    "person_id",
    "gender_concept_id",
    "year_of_birth",
    "month_of_birth",
    "day_of_birth",
    "birth_datetime",
    "race_concept_id",
    "ethnicity_concept_id",
    "location_id",
    "provider_id",
    "care_site_id",
    "person_source_value",
    "gender_source_value",
    "gender_source_concept_id",
    "race_source_value",
    "race_source_concept_id",
    "ethnicity_source_value",
    "ethnicity_source_concept_id",
];

/// observation_period.csv's columns.
pub const OBSERVATION_PERIOD_COLUMNS: &[&str] = &[
    "observation_period_id",
    "person_id",
    "observation_period_start_date",
    "observation_period_end_date",
    "period_type_concept_id",
];

/// visit_occurrence.csv's columns.
pub const VISIT_OCCURRENCE_COLUMNS: &[&str] = &[
    "visit_occurrence_id",
    "person_id",
    "visit_concept_id",
    "visit_start_date",
    "visit_start_datetime",
    "visit_end_date",
    "visit_end_datetime",
    "visit_type_concept_id",
    "provider_id",
    "care_site_id",
    "visit_source_value",
    "visit_source_concept_id",
    "admitted_from_concept_id",
    "admitted_from_source_value",
    "discharged_to_concept_id",
    "discharged_to_source_value",
    "preceding_visit_occurrence_id",
];

/// measurement.csv's columns.
pub const MEASUREMENT_COLUMNS: &[&str] = &[
    "measurement_id",
    "person_id",
    "measurement_concept_id",
    "measurement_date",
    "measurement_datetime",
    "measurement_time",
    "measurement_type_concept_id",
    "operator_concept_id",
    "value_as_number",
    "value_as_concept_id",
    "unit_concept_id",
    "range_low",
    "range_high",
    "provider_id",
    "visit_occurrence_id",
    "visit_detail_id",
    "measurement_source_value",
    "measurement_source_concept_id",
    "unit_source_value",
    "unit_source_concept_id",
    "value_source_value",
    "measurement_event_id",
    "meas_event_field_concept_id",
];

/// The files, in the folder, with their columns.
pub const TABLES: [(&str, &[&str]); 4] = [
    ("person.csv", PERSON_COLUMNS),
    ("observation_period.csv", OBSERVATION_PERIOD_COLUMNS),
    ("visit_occurrence.csv", VISIT_OCCURRENCE_COLUMNS),
    ("measurement.csv", MEASUREMENT_COLUMNS),
];

/// Visit: 9202 "Outpatient Visit" (CDM v5.4 table-level notes).
const OUTPATIENT_VISIT: &str = "9202";
/// measurement_type and visit_type: 32827 "EHR encounter record" (OHDSI ETL-Synthea v5.4).
const EHR_ENCOUNTER_RECORD: &str = "32827";
/// period_type: 32882 "Standard algorithm from EHR" (OHDSI ETL-Synthea v5.4).
const STANDARD_ALGORITHM_FROM_EHR: &str = "32882";

/// How many rows each table got.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OmopCounts {
    /// person.csv (and observation_period.csv) rows.
    pub persons: u64,
    /// visit_occurrence.csv rows.
    pub visits: u64,
    /// measurement.csv rows.
    pub measurements: u64,
}

fn number(value: u64) -> String {
    value.to_string()
}

fn date(date: Date) -> String {
    date.to_string()
}

fn decimal(value: Option<Decimal>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes the four tables into `dir` (created) from `runs`; with `bom`, each file starts
/// with a UTF-8 byte order mark (`--excel`).
pub fn write_omop(runs: Runs, dir: &Path, bom: bool) -> io::Result<OmopCounts> {
    std::fs::create_dir_all(dir)?;
    let open = |name: &str, columns: &[&str]| -> io::Result<csv::Writer<BufWriter<File>>> {
        let mut file = BufWriter::with_capacity(128 * 1024, File::create(dir.join(name))?);
        if bom {
            file.write_all(crate::output::BOM)?;
        }
        crate::output::csv_writer(file, columns).map_err(io::Error::other)
    };
    let mut person = open(TABLES[0].0, TABLES[0].1)?;
    let mut period = open(TABLES[1].0, TABLES[1].1)?;
    let mut visit = open(TABLES[2].0, TABLES[2].1)?;
    let mut measurement = open(TABLES[3].0, TABLES[3].1)?;
    let mut counts = OmopCounts::default();
    let (mut visit_date, mut person_id, mut visit_id) = (None, 0u64, 0u64);
    runs.merge(|payload| {
        let record: Record = postcard::from_bytes(payload).map_err(io::Error::other)?;
        match record {
            Record::Person(p) => {
                counts.persons += 1;
                person_id = counts.persons;
                write_person(&mut person, &mut period, person_id, &p)
            }
            Record::Visit {
                visit_id: source,
                date: day,
            } => {
                counts.visits += 1;
                visit_id = counts.visits;
                visit_date = Some(day);
                let day = date(day);
                let id = number(visit_id);
                let person = number(person_id);
                visit
                    .write_record([
                        id.as_str(),
                        &person,
                        OUTPATIENT_VISIT,
                        &day,
                        "",
                        &day,
                        "",
                        EHR_ENCOUNTER_RECORD,
                        "",
                        "",
                        &source,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ])
                    .map_err(io::Error::other)
            }
            Record::Measurement(m) => {
                counts.measurements += 1;
                let day = visit_date.ok_or_else(|| {
                    io::Error::other("an OMOP measurement record before its visit")
                })?;
                write_measurement(
                    &mut measurement,
                    [counts.measurements, person_id, visit_id],
                    day,
                    &m,
                )
            }
        }
    })?;
    for mut writer in [person, period, visit, measurement] {
        writer.flush()?;
        writer
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?
            .into_inner()
            .map_err(|e| e.into_error())?;
    }
    Ok(counts)
}

fn write_person(
    person: &mut csv::Writer<BufWriter<File>>,
    period: &mut csv::Writer<BufWriter<File>>,
    id: u64,
    p: &Person,
) -> io::Result<()> {
    let id = number(id);
    let gender = p.gender_concept_id.to_string();
    let year = p.year_of_birth.to_string();
    person
        .write_record([
            id.as_str(),
            &gender,
            &year,
            "",
            "",
            "",
            // race and ethnicity: 0, "no information" (the documents do not say them in
            // the CDM's sense; CDM v5.4: "If a clear race ... cannot be established, use
            // Concept_Id 0").
            "0",
            "0",
            "",
            "",
            "",
            &p.source_value,
            &p.gender_source_value,
            "",
            "",
            "",
            "",
            "",
        ])
        .map_err(io::Error::other)?;
    period
        .write_record([
            id.as_str(),
            &id,
            &date(p.period_start),
            &date(p.period_end),
            STANDARD_ALGORITHM_FROM_EHR,
        ])
        .map_err(io::Error::other)
}

fn write_measurement(
    out: &mut csv::Writer<BufWriter<File>>,
    [id, person, visit]: [u64; 3],
    day: Date,
    m: &Measurement,
) -> io::Result<()> {
    let concept = m.concept_id.to_string();
    let unit = m.unit_concept_id.map(|u| u.to_string()).unwrap_or_default();
    out.write_record([
        number(id).as_str(),
        &number(person),
        &concept,
        &date(day),
        "",
        "",
        EHR_ENCOUNTER_RECORD,
        "",
        &decimal(m.value),
        "",
        &unit,
        "",
        "",
        "",
        &number(visit),
        "",
        &m.source_value,
        &concept,
        &m.unit_source_value,
        "",
        &m.value_source_value,
        "",
        "",
    ])
    .map_err(io::Error::other)
}
