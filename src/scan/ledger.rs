//! What the batch remembers across files, in a few bytes of memory per file, so that a run
//! over 10^6 exports needs no more memory than one over 10^4 (issue #5):
//! - strings (SOP UIDs, paths) go to an append-only log in an unlinked temporary file and
//!   are read back by offset only when a message needs them;
//! - duplicate SOP Instance UIDs are found through 32-bit hashes paired with log positions,
//!   8 bytes per file in a sorted vector (no hash-table slack, no doubling), and every hash
//!   hit is confirmed against the UID in the log, so a collision costs a read, never a file;
//! - one fixed-size record per ingested document goes to one of `PARTITIONS` temporary
//!   files by study; at the end each partition is read alone to find re-analyses and to
//!   count studies.
//!
//! Temporary files are created unlinked in the output folder: nothing to clean up, whatever
//! happens to the process.

use std::collections::BTreeMap;
use std::fs::File;
use std::hash::BuildHasher;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::reanalysis::{Member, group_flags};
use crate::document::Document;
use crate::scratch::{Partitions, write_frame};

/// Re-analysis records are spread over this many files, by study; the largest one read back
/// at the end holds about 1/PARTITIONS of the documents.
const PARTITIONS: usize = 64;

/// A fixed-size record: study hash, region-set hash, values hash, content time, row, SOP
/// UID offset in the string log.
const RECORD: usize = 8 * 5 + 4;

/// Hashes that must agree within one run only (seeded per run).
type Hasher = hashbrown::DefaultHashBuilder;

/// Append-only strings on disk.
struct StringLog {
    file: BufWriter<File>,
    len: u64,
}

impl StringLog {
    fn new(dir: &Path) -> io::Result<StringLog> {
        Ok(StringLog {
            file: BufWriter::with_capacity(64 * 1024, tempfile::tempfile_in(dir)?),
            len: 0,
        })
    }

    /// Appends strings as one entry; returns its offset (a multiple of 4).
    fn push(&mut self, parts: &[&str]) -> io::Result<u64> {
        let offset = self.len;
        for part in parts {
            write_frame(&mut self.file, part.as_bytes())?;
            self.len += 4 + part.len() as u64;
        }
        // Entries start at multiples of 4 so that a u32 can address 16 GiB of them.
        let padding = (4 - self.len % 4) % 4;
        self.file.write_all(&[0u8; 3][..padding as usize])?;
        self.len += padding;
        Ok(offset)
    }

    /// Reads `count` strings of the entry at `offset`.
    fn read(&mut self, offset: u64, count: usize) -> io::Result<Vec<String>> {
        self.file.flush()?;
        let file = self.file.get_ref();
        let mut at = offset;
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let mut len = [0u8; 4];
            file.read_exact_at(&mut len, at)?;
            let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
            file.read_exact_at(&mut bytes, at + 4)?;
            at += 4 + bytes.len() as u64;
            out.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        Ok(out)
    }
}

/// The batch's memory of the files already written.
pub struct Ledger {
    strings: StringLog,
    /// SOP Instance UID hash -> position (offset / 4) of its (uid, path, study) entry.
    sops: SopIndex,
    /// Re-analysis records, by study.
    partitions: Partitions,
    hasher: Hasher,
}

/// What the ledger says of a new document.
pub enum Admission {
    /// First time this SOP Instance UID is seen; the offset of its UID in the log.
    New(u64),
    /// Seen before, in the file at this path (kept).
    Duplicate(String),
}

impl Ledger {
    /// A ledger whose temporary files live (unlinked) in `dir`.
    pub fn new(dir: &Path) -> io::Result<Ledger> {
        Ok(Ledger {
            strings: StringLog::new(dir)?,
            sops: SopIndex::default(),
            partitions: Partitions::new(dir, PARTITIONS),
            hasher: Hasher::default(),
        })
    }

    /// Records a document's SOP Instance UID, path and Study Instance UID, unless the SOP
    /// Instance UID was seen before.
    pub fn admit(&mut self, sop: &str, path: &str, study: &str) -> io::Result<Admission> {
        if sop.is_empty() {
            // No UID, no duplicate detection: nothing to compare.
            return Ok(Admission::New(self.strings.push(&["", path, study])?));
        }
        let hash = self.hasher.hash_one(sop) as u32;
        for position in self.sops.positions(hash) {
            let kept = self.strings.read(u64::from(position) * 4, 2)?;
            if kept[0] == sop {
                return Ok(Admission::Duplicate(kept[1].clone()));
            }
        }
        let offset = self.strings.push(&[sop, path, study])?;
        let position = u32::try_from(offset / 4).map_err(|_| {
            io::Error::other("more than 16 GiB of UIDs and paths in one run: split the archive")
        })?;
        self.sops.insert(hash, position);
        Ok(Admission::New(offset))
    }

    /// Records the document written as studies.csv row `row`; `sop_offset` is from `admit`.
    pub fn add_study(&mut self, row: u32, doc: &Document, sop_offset: u64) -> io::Result<()> {
        let study = self.hasher.hash_one(&doc.study_instance_uid);
        let regions = self.hasher.hash_one(
            doc.measurements
                .iter()
                .map(|m| (m.region, m.laterality))
                .collect::<Vec<_>>(),
        );
        let values = self.hasher.hash_one((
            doc.measurements
                .iter()
                .map(|m| {
                    [
                        m.bmd,
                        m.bmc,
                        m.area,
                        m.t_score,
                        m.z_score,
                        m.pct_young_adult,
                        m.pct_age_matched,
                    ]
                })
                .collect::<Vec<_>>(),
            [doc.frax_major, doc.frax_hip, doc.tbs],
        ));
        // No study UID: a study of its own, never grouped (row-unique key, flag -1 below).
        let study = if doc.study_instance_uid.is_empty() {
            u64::MAX
        } else {
            study
        };
        let mut record = [0u8; RECORD];
        record[0..8].copy_from_slice(&study.to_le_bytes());
        record[8..16].copy_from_slice(&regions.to_le_bytes());
        record[16..24].copy_from_slice(&values.to_le_bytes());
        record[24..32].copy_from_slice(&pack_datetime(&doc.content_time).to_le_bytes());
        record[32..40].copy_from_slice(&sop_offset.to_le_bytes());
        record[40..44].copy_from_slice(&row.to_le_bytes());
        let partition = (study % PARTITIONS as u64) as usize;
        self.partitions.append(partition, &record)
    }

    /// Reads the partitions back one at a time: the flags to add per studies.csv row, and
    /// the number of distinct studies.
    pub fn finish(mut self) -> io::Result<(BTreeMap<usize, Vec<String>>, usize)> {
        let mut flags = BTreeMap::new();
        let mut studies = 0;
        for file in self.partitions.into_files()? {
            let mut records = Vec::new();
            let mut reader = BufReader::new(file);
            let mut record = [0u8; RECORD];
            loop {
                match reader.read_exact(&mut record) {
                    Ok(()) => records.push(Record::from_bytes(&record)),
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                    Err(e) => return Err(e),
                }
            }
            records.sort_unstable_by_key(|r| (r.study, r.regions, r.row));
            let mut unknown_study = 0;
            for (i, r) in records.iter().enumerate() {
                if r.study == u64::MAX {
                    unknown_study += 1;
                } else if i == 0 || records[i - 1].study != r.study {
                    studies += 1;
                }
            }
            studies += unknown_study;
            for group in records.chunk_by(|a, b| {
                a.study == b.study && a.regions == b.regions && a.study != u64::MAX
            }) {
                if group.len() < 2 {
                    continue;
                }
                // The hashes grouped them; the UIDs themselves decide (a hash collision
                // between two studies must not make one a re-analysis of the other).
                let mut by_study: BTreeMap<String, Vec<Member>> = BTreeMap::new();
                for r in group {
                    let [sop, _path, study] =
                        <[String; 3]>::try_from(self.strings.read(r.sop_offset, 3)?)
                            .expect("three strings per entry");
                    by_study.entry(study).or_default().push(Member {
                        row: r.row as usize,
                        sop_instance_uid: sop,
                        content_time: r.datetime,
                        values: r.values,
                    });
                }
                for members in by_study.values() {
                    for (row, flag) in group_flags(members) {
                        flags.entry(row).or_insert_with(Vec::new).push(flag);
                    }
                }
            }
        }
        Ok((flags, studies))
    }
}

/// (hash, position) pairs packed in a u64, hash in the high half: a sorted run plus a small
/// unsorted tail that is merged in when full. Exactly 8 bytes per file.
#[derive(Debug, Default)]
struct SopIndex {
    sorted: Vec<u64>,
    recent: Vec<u64>,
}

impl SopIndex {
    /// Entries kept unsorted before a merge: small enough to scan, large enough that merges
    /// (a pass over the whole sorted run) are rare.
    const RECENT: usize = 4096;

    fn insert(&mut self, hash: u32, position: u32) {
        self.recent
            .push(u64::from(hash) << 32 | u64::from(position));
        if self.recent.len() >= Self::RECENT {
            self.merge_recent();
        }
    }

    /// Sorts the tail and merges it into the sorted run from the back, in place: linear in
    /// the run, where sorting the whole run again made 10^6 files cost seconds of the
    /// (serial) writer's time.
    fn merge_recent(&mut self) {
        self.recent.sort_unstable();
        let (old, add) = (self.sorted.len(), self.recent.len());
        self.sorted.resize(old + add, 0);
        let (mut i, mut j) = (old, add);
        while j > 0 {
            let slot = i + j - 1;
            if i > 0 && self.sorted[i - 1] > self.recent[j - 1] {
                self.sorted[slot] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[slot] = self.recent[j - 1];
                j -= 1;
            }
        }
        self.recent.clear();
    }

    /// Positions of the entries with this hash.
    fn positions(&self, hash: u32) -> impl Iterator<Item = u32> + '_ {
        let low = u64::from(hash) << 32;
        let start = self.sorted.partition_point(|&e| e < low);
        let high_half = move |e: &&u64| (**e >> 32) as u32 == hash;
        self.sorted[start..]
            .iter()
            .take_while(high_half)
            .chain(self.recent.iter().filter(high_half))
            .map(|&e| e as u32)
    }
}

struct Record {
    study: u64,
    regions: u64,
    values: u64,
    datetime: u64,
    sop_offset: u64,
    row: u32,
}

impl Record {
    fn from_bytes(b: &[u8; RECORD]) -> Record {
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        Record {
            study: u64_at(0),
            regions: u64_at(8),
            values: u64_at(16),
            datetime: u64_at(24),
            sop_offset: u64_at(32),
            row: u32::from_le_bytes(b[40..44].try_into().expect("4 bytes")),
        }
    }
}

/// A content time as a number that orders like time; 0 = unknown.
pub(super) fn pack_datetime(time: &Option<crate::document::Timestamp>) -> u64 {
    time.map_or(0, |t| {
        (t.date.days_since_epoch() as u64 + 1) * 86_400_000_000 + t.micros
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_confirmed_against_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::new(dir.path()).unwrap();
        let mut admit = |sop, path| ledger.admit(sop, path, "S").unwrap();
        assert!(matches!(admit("1.2.3", "a.dcm"), Admission::New(_)));
        assert!(matches!(admit("1.2.4", "b.dcm"), Admission::New(_)));
        match admit("1.2.3", "c.dcm") {
            Admission::Duplicate(kept) => assert_eq!(kept, "a.dcm"),
            Admission::New(_) => panic!("a duplicate was admitted"),
        }
        // Documents without a UID are never duplicates of each other.
        assert!(matches!(admit("", "d.dcm"), Admission::New(_)));
        assert!(matches!(admit("", "e.dcm"), Admission::New(_)));
        // A hash collision is told apart by the UID itself: pretend "9.9.9" hashes like
        // "1.2.3" by indexing "1.2.3"'s entry under its hash too.
        let hash = ledger.hasher.hash_one("9.9.9") as u32;
        let position = ledger.sops.recent[0] as u32;
        ledger.sops.insert(hash, position);
        assert!(matches!(
            ledger.admit("9.9.9", "f.dcm", "S").unwrap(),
            Admission::New(_)
        ));
        assert!(matches!(
            ledger.admit("9.9.9", "g.dcm", "S").unwrap(),
            Admission::Duplicate(kept) if kept == "f.dcm"
        ));
        // Nothing visible in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn reanalyses_and_studies_from_the_partitions() {
        use crate::decimal::Decimal;
        use crate::document::Measurement;
        use crate::vocabulary::{Laterality, Region};
        let doc = |sop: &str, study: &str, time: &str, bmd: &str| {
            let mut m = Measurement::new(Region::FemoralNeck, Laterality::Left, "Neck");
            m.bmd = Decimal::parse(bmd);
            Document {
                sop_instance_uid: sop.into(),
                study_instance_uid: study.into(),
                content_time: crate::document::Timestamp::parse(
                    &time[..8.min(time.len())],
                    time.get(8..).unwrap_or(""),
                ),
                measurements: vec![m],
                ..Document::default()
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::new(dir.path()).unwrap();
        let docs = [
            doc("1.1", "S", "20240101100000.000000", "0.600"),
            doc("1.2", "S", "20240101120000.000000", "0.610"),
            doc("1.3", "T", "20240101090000.000000", "0.600"),
            doc("1.4", "", "", "0.600"),
            doc("1.5", "", "", "0.600"),
        ];
        for (row, d) in docs.iter().enumerate() {
            let Admission::New(offset) = ledger
                .admit(&d.sop_instance_uid, "p", &d.study_instance_uid)
                .unwrap()
            else {
                panic!("new")
            };
            ledger.add_study(row as u32, d, offset).unwrap();
        }
        let (flags, studies) = ledger.finish().unwrap();
        assert_eq!(studies, 4, "S, T and two without a study UID");
        assert_eq!(flags.get(&0), Some(&vec!["superseded_by=1.2".to_string()]));
        assert_eq!(flags.len(), 1, "{flags:?}");
    }

    #[test]
    fn sop_index_finds_across_merges() {
        let mut index = SopIndex::default();
        for i in 0..10_000u32 {
            index.insert(i.wrapping_mul(2_654_435_761), i);
        }
        index.insert(7, 1);
        index.insert(7, 2);
        assert!(index.recent.len() < SopIndex::RECENT);
        assert!(index.sorted.len() >= 8192, "merged at least twice");
        assert!(index.sorted.is_sorted(), "merged in order");
        for i in [0u32, 4095, 4096, 9999] {
            let found: Vec<u32> = index.positions(i.wrapping_mul(2_654_435_761)).collect();
            assert!(found.contains(&i), "{i}: {found:?}");
        }
        let sevens: Vec<u32> = index.positions(7).collect();
        assert!(sevens.contains(&1) && sevens.contains(&2));
        assert_eq!(index.positions(0xDEAD_BEEF).count(), 0);
    }
}
