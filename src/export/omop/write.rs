//! The OMOP tables written from the run's records in key order (see the parent module):
//! ids are ranks, given as the records come.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::record::{MEASUREMENT, PERSON, VISIT, parts};
use crate::output::table::{append_field, append_u64};
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

/// One table's file: each row is its ids, then its record's fields as rendered.
struct Table {
    file: BufWriter<File>,
    line: Vec<u8>,
}

impl Table {
    fn create(dir: &Path, name: &str, columns: &[&str], bom: bool) -> io::Result<Table> {
        let mut file = BufWriter::with_capacity(128 * 1024, File::create(dir.join(name))?);
        if bom {
            file.write_all(crate::output::BOM)?;
        }
        let mut header = Vec::new();
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                header.push(b',');
            }
            append_field(&mut header, column.as_bytes());
        }
        header.push(b'\n');
        file.write_all(&header)?;
        Ok(Table {
            file,
            line: Vec::with_capacity(256),
        })
    }

    /// Writes a row: its first ids, the fields rendered after them, and for a measurement
    /// its visit_occurrence_id and the fields after that.
    fn row(&mut self, ids: &[u64], fields: &[u8], then: Option<(u64, &[u8])>) -> io::Result<()> {
        self.line.clear();
        for (i, &id) in ids.iter().enumerate() {
            if i > 0 {
                self.line.push(b',');
            }
            append_u64(&mut self.line, id);
        }
        self.line.extend_from_slice(fields);
        if let Some((id, fields)) = then {
            self.line.push(b',');
            append_u64(&mut self.line, id);
            self.line.extend_from_slice(fields);
        }
        self.line.push(b'\n');
        self.file.write_all(&self.line)
    }

    fn finish(self) -> io::Result<()> {
        self.file.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    }
}

/// Writes the four tables into `dir` (created) from `runs`; with `bom`, each file starts
/// with a UTF-8 byte order mark (`--excel`).
pub fn write_omop(runs: Runs, dir: &Path, bom: bool) -> io::Result<OmopCounts> {
    std::fs::create_dir_all(dir)?;
    let open = |(name, columns): (&str, &[&str])| Table::create(dir, name, columns, bom);
    let mut person = open(TABLES[0])?;
    let mut period = open(TABLES[1])?;
    let mut visit = open(TABLES[2])?;
    let mut measurement = open(TABLES[3])?;
    let mut counts = OmopCounts::default();
    let (mut person_id, mut visit_id) = (0u64, 0u64);
    runs.merge(|payload| {
        let (&kind, record) = payload
            .split_first()
            .ok_or_else(|| io::Error::other("an empty OMOP record"))?;
        match kind {
            PERSON => {
                counts.persons += 1;
                person_id = counts.persons;
                let (person_fields, period_fields) = parts(record)?;
                person.row(&[person_id], person_fields, None)?;
                period.row(&[person_id, person_id], period_fields, None)
            }
            VISIT => {
                counts.visits += 1;
                visit_id = counts.visits;
                visit.row(&[visit_id, person_id], record, None)
            }
            MEASUREMENT => {
                if visit_id == 0 {
                    return Err(io::Error::other(
                        "an OMOP measurement record before its visit",
                    ));
                }
                counts.measurements += 1;
                let (before_visit, after_visit) = parts(record)?;
                measurement.row(
                    &[counts.measurements, person_id],
                    before_visit,
                    Some((visit_id, after_visit)),
                )
            }
            _ => Err(io::Error::other("an OMOP record of an unknown kind")),
        }
    })?;
    for table in [person, period, visit, measurement] {
        table.finish()?;
    }
    Ok(counts)
}
