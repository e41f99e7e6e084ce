//! followup.csv: change since the prior study and since the baseline, per patient, site and
//! side (issue #6). Which measurement of a study is followed: the PA spine the classifier
//! chose, and the femoral neck and total hip of each side (and the dual-femur mean, which
//! ISCD recommends for monitoring).
//!
//! Visits are spilled as they are written, to partition files chosen by a fixed hash of the
//! patient, so that a patient's whole history is in one partition; at the end each
//! partition is read alone (memory: one partition), its series compared, and the sorted
//! outputs of all partitions merged into one file ordered by patient, site, side and date.

mod compare;
pub mod lsc;

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

pub use compare::{FOLLOWUP_COLUMNS, FollowupRow, Visit, compare_series};
pub use lsc::{Family, LscTable};

use rayon::prelude::*;

use crate::classify::StudyAssessment;
use crate::decimal::Decimal;
use crate::document::{Date, Document};
use crate::vocabulary::{Laterality, Region};

/// Visits are spread over this many files by patient: at the end one partition per worker
/// is in memory, about 1/256 of the visits (100 000 SR files: ~2 000 visits each).
const PARTITIONS: u64 = 256;

/// 64-bit FNV-1a: a fixed hash, so that partitions and thus output order never vary.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The visits a document contributes.
pub fn visits_of(
    doc: &Document,
    assessment: &StudyAssessment,
    row: u32,
    content_time: u64,
) -> Vec<Visit> {
    if doc.patient_id.is_empty() {
        return Vec::new();
    }
    let spine = crate::classify::pa_spine(&doc.measurements);
    doc.measurements
        .iter()
        .zip(&assessment.rows)
        .enumerate()
        .filter_map(|(i, (m, row_assessment))| {
            let family = match m.region {
                Region::FemoralNeck => Family::FemoralNeck,
                Region::TotalHip => Family::TotalHip,
                _ if Some(i) == spine => Family::Spine,
                _ => return None,
            };
            Some(Visit {
                patient_id: doc.patient_id.clone(),
                family,
                laterality: m.laterality,
                region: m.region,
                study_date: doc.study_date,
                content_time,
                row,
                sop_instance_uid: doc.sop_instance_uid.clone(),
                bmd: m.bmd?,
                sbmd: row_assessment.sbmd_mg_cm2,
                manufacturer: doc.manufacturer.map_or("", |x| x.as_str()).to_string(),
                device_serial: doc.device_serial.clone(),
                superseded: false,
            })
        })
        .collect()
}

/// Writes one record of text fields: per field a u32 length and the bytes. Spill and run
/// files are private to a run, so a plain length-prefixed format is enough (and cheaper to
/// set up than a CSV reader per partition).
fn write_fields<'f>(out: &mut impl Write, fields: impl IntoIterator<Item = &'f str>) -> io::Result<()> {
    let fields: Vec<&str> = fields.into_iter().collect();
    out.write_all(&(fields.len() as u32).to_le_bytes())?;
    for field in fields {
        out.write_all(&(field.len() as u32).to_le_bytes())?;
        out.write_all(field.as_bytes())?;
    }
    Ok(())
}

/// Reads one record written by `write_fields`; None at the end of the file.
fn read_fields(input: &mut impl io::BufRead) -> io::Result<Option<Vec<String>>> {
    if input.fill_buf()?.is_empty() {
        return Ok(None);
    }
    let mut word = [0u8; 4];
    input.read_exact(&mut word)?;
    let count = u32::from_le_bytes(word) as usize;
    let mut fields = Vec::with_capacity(count);
    for _ in 0..count {
        input.read_exact(&mut word)?;
        let mut bytes = vec![0u8; u32::from_le_bytes(word) as usize];
        input.read_exact(&mut bytes)?;
        fields.push(String::from_utf8(bytes).map_err(|_| io::Error::other("spill file is corrupt"))?);
    }
    Ok(Some(fields))
}

/// Visits spilled to disk until the end of the run.
pub struct Spill {
    partitions: Vec<BufWriter<File>>,
    visits: u64,
}

impl Spill {
    /// Unlinked partition files in `dir`.
    pub fn new(dir: &Path) -> io::Result<Spill> {
        let partitions = (0..PARTITIONS)
            .map(|_| {
                Ok(BufWriter::with_capacity(4096, tempfile::tempfile_in(dir)?))
            })
            .collect::<io::Result<_>>()?;
        Ok(Spill {
            partitions,
            visits: 0,
        })
    }

    /// Stores a visit.
    pub fn push(&mut self, visit: &Visit) -> io::Result<()> {
        let partition = (fnv1a(visit.patient_id.as_bytes()) % PARTITIONS) as usize;
        let record = [
            visit.patient_id.as_str(),
            visit.family.as_str(),
            visit.laterality.as_str(),
            visit.region.as_str(),
            &visit.study_date.map(|d| d.to_string()).unwrap_or_default(),
            &visit.content_time.to_string(),
            &visit.row.to_string(),
            &visit.sop_instance_uid,
            &visit.bmd.to_plain(0),
            &visit.sbmd.map(|d| d.to_plain(0)).unwrap_or_default(),
            &visit.manufacturer,
            &visit.device_serial,
        ];
        write_fields(&mut self.partitions[partition], record)?;
        self.visits += 1;
        Ok(())
    }

    /// Compares every series and writes followup.csv rows (CSV lines, after the header the
    /// caller wrote) to `out` in (patient, site, side, date) order; `superseded(row)` says whether a studies.csv row was superseded.
    /// Partitions are compared in parallel (in the current rayon pool). Returns the rows
    /// written and their count per site family and `vs_prior` outcome (for the report).
    pub fn finish(
        self,
        dir: &Path,
        out: &mut impl Write,
        table: &LscTable,
        superseded: impl Fn(u32) -> bool + Sync,
    ) -> io::Result<(u64, Outcomes)> {
        let runs: Vec<(BufReader<File>, Outcomes)> = self
            .partitions
            .into_par_iter()
            .map(|partition| compare_partition(partition, dir, table, &superseded))
            .collect::<io::Result<_>>()?;
        let mut outcomes = Outcomes::new();
        let mut readers = Vec::with_capacity(runs.len());
        for (reader, counts) in runs {
            for (key, n) in counts {
                *outcomes.entry(key).or_default() += n;
            }
            readers.push(reader);
        }
        Ok((merge(readers, out)?, outcomes))
    }
}

/// Follow-up rows per (site family, `vs_prior` outcome).
pub type Outcomes = BTreeMap<(Family, &'static str), u64>;

/// One partition: read, compare, and sort its rows into a run file with a sort key.
fn compare_partition(
    partition: BufWriter<File>,
    dir: &Path,
    table: &LscTable,
    superseded: &(impl Fn(u32) -> bool + Sync),
) -> io::Result<(BufReader<File>, Outcomes)> {
    let mut file = partition.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    let mut visits = read_visits(file)?;
    for visit in &mut visits {
        visit.superseded = superseded(visit.row);
    }
    visits.sort_by(|a, b| {
        (&a.patient_id, a.family, a.laterality, a.study_date, a.content_time, a.row).cmp(&(
            &b.patient_id,
            b.family,
            b.laterality,
            b.study_date,
            b.content_time,
            b.row,
        ))
    });
    let mut outcomes = Outcomes::new();
    let mut run = BufWriter::new(tempfile::tempfile_in(dir)?);
    // Rows are rendered to their CSV line here, in parallel; the merge only copies lines.
    let render = |row: &FollowupRow| -> io::Result<String> {
        let mut line = csv::WriterBuilder::new()
            .has_headers(false)
            .terminator(csv::Terminator::Any(b'\n'))
            .buffer_capacity(512)
            .from_writer(Vec::with_capacity(256));
        line.write_record(row.fields())?;
        let bytes = line.into_inner().map_err(|e| e.into_error())?;
        String::from_utf8(bytes).map_err(|_| io::Error::other("follow-up row is not UTF-8"))
    };
    for series in visits.chunk_by(|a, b| {
        a.patient_id == b.patient_id && a.family == b.family && a.laterality == b.laterality
    }) {
        for (i, row) in compare_series(series, table).iter().enumerate() {
            let current = &series[i + 1];
            *outcomes.entry((current.family, row.vs_prior)).or_default() += 1;
            write_fields(&mut run, [sort_key(current).as_str(), render(row)?.as_str()])?;
        }
    }
    let mut file = run.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    Ok((BufReader::new(file), outcomes))
}

/// Orders rows by patient, site, side, then time; the partitions already agree on it.
fn sort_key(visit: &Visit) -> String {
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{:020}\u{1}{:010}",
        visit.patient_id,
        visit.family as u8,
        visit.laterality as u8,
        visit.study_date.map(|d| d.to_string()).unwrap_or_default(),
        visit.content_time,
        visit.row
    )
}

/// k-way merge of sorted runs of (key, CSV line) records; writes the lines.
fn merge(mut runs: Vec<BufReader<File>>, out: &mut impl Write) -> io::Result<u64> {
    let mut heads: BinaryHeap<Reverse<(String, usize)>> = BinaryHeap::new();
    let mut lines: Vec<String> = vec![String::new(); runs.len()];
    let next = |run: &mut BufReader<File>| -> io::Result<Option<(String, String)>> {
        Ok(read_fields(run)?.and_then(|mut fields| {
            let line = fields.pop()?;
            Some((fields.pop()?, line))
        }))
    };
    for (i, run) in runs.iter_mut().enumerate() {
        if let Some((key, line)) = next(run)? {
            heads.push(Reverse((key, i)));
            lines[i] = line;
        }
    }
    let mut written = 0;
    while let Some(Reverse((_, i))) = heads.pop() {
        out.write_all(lines[i].as_bytes())?;
        written += 1;
        if let Some((key, line)) = next(&mut runs[i])? {
            heads.push(Reverse((key, i)));
            lines[i] = line;
        }
    }
    Ok(written)
}

fn read_visits(file: File) -> io::Result<Vec<Visit>> {
    let mut reader = BufReader::new(file);
    let invalid = || io::Error::other("follow-up spill file is corrupt");
    let mut visits = Vec::new();
    while let Some(r) = read_fields(&mut reader)? {
        if r.len() != 12 {
            return Err(invalid());
        }
        let family = match r[1].as_str() {
            "spine" => Family::Spine,
            "femoral_neck" => Family::FemoralNeck,
            "total_hip" => Family::TotalHip,
            _ => return Err(invalid()),
        };
        visits.push(Visit {
            patient_id: r[0].clone(),
            family,
            laterality: r[2].parse::<Laterality>().map_err(|_| invalid())?,
            region: r[3].parse::<Region>().map_err(|_| invalid())?,
            study_date: Date::parse_da(&r[4]),
            content_time: r[5].parse().map_err(|_| invalid())?,
            row: r[6].parse().map_err(|_| invalid())?,
            sop_instance_uid: r[7].clone(),
            bmd: Decimal::parse(&r[8]).ok_or_else(invalid)?,
            sbmd: Decimal::parse(&r[9]),
            manufacturer: r[10].clone(),
            device_serial: r[11].clone(),
            superseded: false,
        });
    }
    Ok(visits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(patient: &str, date: &str, bmd: &str, row: u32) -> Visit {
        Visit {
            patient_id: patient.into(),
            family: Family::TotalHip,
            laterality: Laterality::Left,
            region: Region::TotalHip,
            study_date: Date::parse_da(date),
            content_time: 0,
            row,
            sop_instance_uid: format!("1.{row}"),
            bmd: Decimal::parse(bmd).unwrap(),
            sbmd: None,
            manufacturer: "hologic".into(),
            device_serial: "A".into(),
            superseded: false,
        }
    }

    #[test]
    fn spilled_series_come_back_sorted_and_compared() {
        let dir = tempfile::tempdir().unwrap();
        let mut spill = Spill::new(dir.path()).unwrap();
        // Written in path order, not time order; patients interleaved.
        for v in [
            visit("P2", "20220101", "0.700", 0),
            visit("P1", "20220101", "0.760", 1),
            visit("P1", "20200101", "0.800", 2),
            visit("P3", "20200101", "0.800", 3),
            visit("P2", "20200101", "0.800", 4),
        ] {
            spill.push(&v).unwrap();
        }
        let mut out = Vec::new();
        let (written, outcomes) = spill
            .finish(dir.path(), &mut out, &LscTable::default(), |row| row == 99)
            .unwrap();
        assert_eq!(written, 2, "P3 has one study");
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("P1,total_hip,left,1.1,1.2,2022-01-01,2020-01-01"),
            "{text}"
        );
        assert!(lines[1].starts_with("P2,total_hip,left,1.0,1.4,"), "{text}");
        assert_eq!(outcomes.values().sum::<u64>(), 2);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no files left"
        );
    }
}
