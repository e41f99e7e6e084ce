//! The OMOP tables written from the run's records in key order (see the parent module):
//! ids are ranks, given as the records come.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::{Measurement, Person, Record};
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

/// One table's file. A row is appended to `line` field by field and written whole: the
/// csv writer's state machine, the `String` of every number and date and the array of
/// fields were two thirds of what writing the tables cost (docs/performance.md).
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
        let mut table = Table {
            file,
            line: Vec::with_capacity(256),
        };
        for column in columns {
            table.text(column);
        }
        table.end()?;
        Ok(table)
    }

    /// The separator before every field but the first.
    fn comma(&mut self) {
        if !self.line.is_empty() {
            self.line.push(b',');
        }
    }

    fn text(&mut self, value: &str) -> &mut Self {
        self.comma();
        text_field(&mut self.line, value);
        self
    }

    fn number(&mut self, value: u64) -> &mut Self {
        self.comma();
        number(&mut self.line, value);
        self
    }

    fn date(&mut self, value: Date) -> &mut Self {
        self.comma();
        // A date's text is digits and hyphens: never quoted.
        write!(self.line, "{value}").expect("writing to a Vec cannot fail");
        self
    }

    /// `count` empty fields.
    fn empty(&mut self, count: usize) -> &mut Self {
        for _ in 0..count {
            self.comma();
        }
        self
    }

    /// Ends the row: its line written, `line` emptied for the next.
    fn end(&mut self) -> io::Result<()> {
        self.line.push(b'\n');
        self.file.write_all(&self.line)?;
        self.line.clear();
        Ok(())
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
                visit
                    .number(visit_id)
                    .number(person_id)
                    .text(OUTPATIENT_VISIT)
                    .date(day)
                    .empty(1)
                    .date(day)
                    .empty(1)
                    .text(EHR_ENCOUNTER_RECORD)
                    .empty(2)
                    .text(&source)
                    .empty(6)
                    .end()
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
    for table in [person, period, visit, measurement] {
        table.finish()?;
    }
    Ok(counts)
}

fn write_person(person: &mut Table, period: &mut Table, id: u64, p: &Person) -> io::Result<()> {
    person.number(id).number(u64::from(p.gender_concept_id));
    write!(person.line, ",{}", p.year_of_birth).expect("writing to a Vec cannot fail");
    person
        .empty(3)
        // race and ethnicity: 0, "no information" (the documents do not say them in
        // the CDM's sense; CDM v5.4: "If a clear race ... cannot be established, use
        // Concept_Id 0").
        .text("0")
        .text("0")
        .empty(3)
        .text(&p.source_value)
        .text(&p.gender_source_value)
        .empty(5)
        .end()?;
    period
        .number(id)
        .number(id)
        .date(p.period_start)
        .date(p.period_end)
        .text(STANDARD_ALGORITHM_FROM_EHR)
        .end()
}

fn write_measurement(
    out: &mut Table,
    [id, person, visit]: [u64; 3],
    day: Date,
    m: &Measurement,
) -> io::Result<()> {
    let concept = u64::from(m.concept_id);
    out.number(id)
        .number(person)
        .number(concept)
        .date(day)
        .empty(2)
        .text(EHR_ENCOUNTER_RECORD)
        .empty(1);
    out.comma();
    if let Some(value) = m.value {
        // A decimal's plain text: digits, a sign and a point, never quoted.
        out.line.extend_from_slice(value.to_plain(0).as_bytes());
    }
    out.empty(1).comma();
    if let Some(unit) = m.unit_concept_id {
        number(&mut out.line, u64::from(unit));
    }
    out.empty(3)
        .number(visit)
        .empty(1)
        .text(&m.source_value)
        .number(concept)
        .text(&m.unit_source_value)
        .empty(1)
        .text(&m.value_source_value)
        .empty(2)
        .end()
}
