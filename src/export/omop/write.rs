//! The OMOP tables written from the run's records in key order (see the parent module):
//! ids are ranks, given as the records come.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{Measurement, Person};
use crate::date::Date;
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

/// Appends `value`'s decimal digits.
fn number(line: &mut Vec<u8>, value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    line.extend_from_slice(&digits[at..]);
}

/// Appends a text field as the contract's CSV dialect writes it (`output::csv_writer`): as
/// it is, or quoted with its quotes doubled when it holds a comma, a quote, CR or LF.
pub(super) fn text_field(line: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        line.extend_from_slice(bytes);
        return;
    }
    line.push(b'"');
    for &b in bytes {
        if b == b'"' {
            line.push(b'"');
        }
        line.push(b);
    }
    line.push(b'"');
}

/// The fields of a row that follow its ids, appended to a record each after its comma: a
/// partition renders them (`person_record`, `visit_record`, `measurement_record`); the
/// writer only puts the ids, which are ranks in the merged order, in front.
struct Fields<'a>(&'a mut Vec<u8>);

impl Fields<'_> {
    fn text(&mut self, value: &str) -> &mut Self {
        self.0.push(b',');
        text_field(self.0, value);
        self
    }

    fn number(&mut self, value: u64) -> &mut Self {
        self.0.push(b',');
        number(self.0, value);
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
const PERSON: u8 = 0;
const VISIT: u8 = 1;
const MEASUREMENT: u8 = 2;

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
        number(f.0, u64::from(unit));
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
fn parts(record: &[u8]) -> io::Result<(&[u8], &[u8])> {
    let corrupt = || io::Error::other("a corrupt OMOP record");
    let len = record.get(..4).ok_or_else(corrupt)?;
    let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
    let rest = &record[4..];
    (len <= rest.len())
        .then(|| rest.split_at(len))
        .ok_or_else(corrupt)
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
            text_field(&mut header, column);
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
            number(&mut self.line, id);
        }
        self.line.extend_from_slice(fields);
        if let Some((id, fields)) = then {
            self.line.push(b',');
            number(&mut self.line, id);
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
