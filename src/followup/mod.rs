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
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

pub use compare::{FOLLOWUP_COLUMNS, FollowupRow, Visit, compare_series};
pub use lsc::{Family, LscTable};

use rayon::prelude::*;

use crate::classify::StudyAssessment;
use crate::document::Document;
use crate::output;
use crate::scratch::Partitions;
use crate::vocabulary::Region;

/// Visits are spread over this many files by patient: at the end one partition per worker
/// is in memory, about 1/256 of the visits (100 000 SR files: ~2 000 visits each).
const PARTITIONS: usize = 256;

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

/// Spill and run files are private to one run: plain little-endian binary records.
mod codec {
    use std::io::{self, Write};

    use super::{Family, Visit};
    use crate::decimal::Decimal;
    use crate::document::Date;
    use crate::scratch::{read_frame, write_frame};
    use crate::vocabulary::{Laterality, Region};

    fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(bytes);
    }

    fn put_decimal(out: &mut Vec<u8>, value: Option<Decimal>) {
        let (mantissa, scale) = value.map_or((0, u32::MAX), Decimal::to_parts);
        out.extend_from_slice(&mantissa.to_le_bytes());
        out.extend_from_slice(&scale.to_le_bytes());
    }

    fn date_bits(date: Option<Date>) -> u32 {
        date.map_or(0, |d| {
            u32::from(d.year) << 16 | u32::from(d.month) << 8 | u32::from(d.day)
        })
    }

    /// Appends a visit.
    pub fn put_visit(out: &mut Vec<u8>, v: &Visit) {
        put_bytes(out, v.patient_id.as_bytes());
        out.push(v.family as u8);
        out.push(v.laterality as u8);
        out.push(v.region as u8);
        out.extend_from_slice(&date_bits(v.study_date).to_le_bytes());
        out.extend_from_slice(&v.content_time.to_le_bytes());
        out.extend_from_slice(&v.row.to_le_bytes());
        put_bytes(out, v.sop_instance_uid.as_bytes());
        put_decimal(out, Some(v.bmd));
        put_decimal(out, v.sbmd);
        put_bytes(out, v.manufacturer.as_bytes());
        put_bytes(out, v.device_serial.as_bytes());
    }

    /// Bytes that sort like (patient, family, side, date, content time, row).
    pub fn sort_key(v: &Visit) -> Vec<u8> {
        let mut key = Vec::with_capacity(v.patient_id.len() + 24);
        key.extend_from_slice(v.patient_id.as_bytes());
        key.push(0);
        key.push(v.family as u8);
        key.push(v.laterality as u8);
        key.extend_from_slice(&date_bits(v.study_date).to_be_bytes());
        key.extend_from_slice(&v.content_time.to_be_bytes());
        key.extend_from_slice(&v.row.to_be_bytes());
        key
    }

    /// Appends a (key, line) run record: two frames.
    pub fn put_run(out: &mut impl Write, key: &[u8], line: &[u8]) -> io::Result<()> {
        write_frame(out, key)?;
        write_frame(out, line)
    }

    /// Reads the next (key, line) run record into `key` and `line` (their allocations are
    /// reused: the merge reads one record per follow-up row); false at the end.
    pub fn read_run(
        input: &mut impl io::BufRead,
        key: &mut Vec<u8>,
        line: &mut Vec<u8>,
    ) -> io::Result<bool> {
        if !read_frame(input, key)? {
            return Ok(false);
        }
        if !read_frame(input, line)? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "follow-up run record without its line",
            ));
        }
        Ok(true)
    }

    /// Reads records from a byte slice.
    pub struct Cursor<'b> {
        bytes: &'b [u8],
    }

    fn corrupt() -> io::Error {
        io::Error::other("follow-up spill file is corrupt")
    }

    impl<'b> Cursor<'b> {
        pub fn new(bytes: &'b [u8]) -> Self {
            Cursor { bytes }
        }

        pub fn is_empty(&self) -> bool {
            self.bytes.is_empty()
        }

        fn take(&mut self, n: usize) -> io::Result<&'b [u8]> {
            if n > self.bytes.len() {
                return Err(corrupt());
            }
            let (head, rest) = self.bytes.split_at(n);
            self.bytes = rest;
            Ok(head)
        }

        fn u8(&mut self) -> io::Result<u8> {
            Ok(self.take(1)?[0])
        }

        fn u32(&mut self) -> io::Result<u32> {
            Ok(u32::from_le_bytes(
                self.take(4)?.try_into().expect("4 bytes"),
            ))
        }

        fn u64(&mut self) -> io::Result<u64> {
            Ok(u64::from_le_bytes(
                self.take(8)?.try_into().expect("8 bytes"),
            ))
        }

        pub fn bytes(&mut self) -> io::Result<&'b [u8]> {
            let n = self.u32()? as usize;
            self.take(n)
        }

        fn string(&mut self) -> io::Result<String> {
            String::from_utf8(self.bytes()?.to_vec()).map_err(|_| corrupt())
        }

        fn decimal(&mut self) -> io::Result<Option<Decimal>> {
            let mantissa = self.u64()? as i64;
            let scale = self.u32()?;
            Ok(if scale == u32::MAX {
                None
            } else {
                Some(Decimal::from_parts(mantissa, scale).ok_or_else(corrupt)?)
            })
        }

        pub fn visit(&mut self) -> io::Result<Visit> {
            let patient_id = self.string()?;
            let family = match self.u8()? {
                0 => Family::Spine,
                1 => Family::FemoralNeck,
                2 => Family::TotalHip,
                _ => return Err(corrupt()),
            };
            let laterality = *Laterality::ALL
                .get(usize::from(self.u8()?))
                .ok_or_else(corrupt)?;
            let region = *Region::ALL
                .get(usize::from(self.u8()?))
                .ok_or_else(corrupt)?;
            let bits = self.u32()?;
            let study_date = (bits != 0).then_some(Date {
                year: (bits >> 16) as u16,
                month: (bits >> 8) as u8,
                day: bits as u8,
            });
            Ok(Visit {
                patient_id,
                family,
                laterality,
                region,
                study_date,
                content_time: self.u64()?,
                row: self.u32()?,
                sop_instance_uid: self.string()?,
                bmd: self.decimal()?.ok_or_else(corrupt)?,
                sbmd: self.decimal()?,
                manufacturer: self.string()?,
                device_serial: self.string()?,
                superseded: false,
            })
        }
    }
}

/// Visits spilled to disk until the end of the run.
pub struct Spill {
    partitions: Partitions,
    visits: u64,
}

impl Spill {
    /// Partitions whose files will be unlinked temporary files in `dir`.
    pub fn new(dir: &Path) -> Spill {
        Spill {
            partitions: Partitions::new(dir, PARTITIONS),
            visits: 0,
        }
    }

    /// Stores a visit.
    pub fn push(&mut self, visit: &Visit) -> io::Result<()> {
        let partition = (fnv1a(visit.patient_id.as_bytes()) % PARTITIONS as u64) as usize;
        let mut record = Vec::with_capacity(128);
        codec::put_visit(&mut record, visit);
        self.partitions.append(partition, &record)?;
        self.visits += 1;
        Ok(())
    }

    /// Compares every series and writes followup.csv rows (CSV lines, after the header the
    /// caller wrote) to `out` in (patient, site, side, date) order; `superseded(row)` says whether a studies.csv row was superseded.
    /// Partitions are compared in parallel (in the current rayon pool). Returns the rows
    /// written and their count per site family and `vs_prior` outcome (for the report).
    pub fn finish(
        self,
        out: &mut impl Write,
        table: &LscTable,
        superseded: impl Fn(u32) -> bool + Sync,
    ) -> io::Result<(u64, Outcomes)> {
        let runs: Vec<(BufReader<File>, Outcomes)> = self
            .partitions
            .into_files()?
            .into_par_iter()
            .map(|partition| compare_partition(partition, table, &superseded))
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
    mut file: File,
    table: &LscTable,
    superseded: &(impl Fn(u32) -> bool + Sync),
) -> io::Result<(BufReader<File>, Outcomes)> {
    let mut visits = read_visits(&mut file)?;
    for visit in &mut visits {
        visit.superseded = superseded(visit.row);
    }
    visits.sort_by(|a, b| {
        (
            &a.patient_id,
            a.family,
            a.laterality,
            a.study_date,
            a.content_time,
            a.row,
        )
            .cmp(&(
                &b.patient_id,
                b.family,
                b.laterality,
                b.study_date,
                b.content_time,
                b.row,
            ))
    });
    let mut outcomes = Outcomes::new();
    // The partition's visits are in memory now: its file is emptied and holds the run
    // (creating a second unlinked file per partition cost more than the rewind, strace).
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    let mut run = BufWriter::new(file);
    // Rows are rendered to their CSV line here, in parallel; the merge only copies lines.
    let mut lines = output::LineRenderer::default();
    for series in visits.chunk_by(|a, b| {
        a.patient_id == b.patient_id && a.family == b.family && a.laterality == b.laterality
    }) {
        for (i, row) in compare_series(series, table).iter().enumerate() {
            let current = &series[i + 1];
            *outcomes.entry((current.family, row.vs_prior)).or_default() += 1;
            let line = lines.line(|w| w.write_record(row.fields()))?;
            codec::put_run(&mut run, &codec::sort_key(current), line)?;
        }
    }
    let mut file = run.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    Ok((BufReader::new(file), outcomes))
}

/// k-way merge of sorted runs of (key, CSV line) records, each streamed; writes the lines.
fn merge(mut runs: Vec<BufReader<File>>, out: &mut impl Write) -> io::Result<u64> {
    let mut heads: BinaryHeap<Reverse<(Vec<u8>, usize)>> = BinaryHeap::new();
    let mut lines: Vec<Vec<u8>> = vec![Vec::new(); runs.len()];
    for (i, run) in runs.iter_mut().enumerate() {
        let mut key = Vec::new();
        if codec::read_run(run, &mut key, &mut lines[i])? {
            heads.push(Reverse((key, i)));
        }
    }
    let mut written = 0;
    while let Some(Reverse((mut key, i))) = heads.pop() {
        out.write_all(&lines[i])?;
        written += 1;
        if codec::read_run(&mut runs[i], &mut key, &mut lines[i])? {
            heads.push(Reverse((key, i)));
        }
    }
    Ok(written)
}

fn read_visits(file: &mut File) -> io::Result<Vec<Visit>> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let mut cursor = codec::Cursor::new(&bytes);
    let mut visits = Vec::new();
    while !cursor.is_empty() {
        visits.push(cursor.visit()?);
    }
    Ok(visits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Decimal;
    use crate::document::Date;
    use crate::vocabulary::Laterality;

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
        let mut spill = Spill::new(dir.path());
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
            .finish(&mut out, &LscTable::default(), |row| row == 99)
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
