//! What the run remembers of every document it admitted, in a few bytes of memory each, so
//! that 10^6 files need no more memory than 10^4 (docs/performance.md, "Memory"):
//! - duplicate SOP Instance UIDs: the first in path order is kept, a later file with the
//!   same SOP Instance UID is a `duplicate` row of files.csv;
//! - a study's partition: every document of one StudyInstanceUID goes to the partition of
//!   the study's first document, and that is the partition of its patient, so that the
//!   visit step finds every document of a visit, and every visit of a patient, in one
//!   partition;
//! - identical re-sends: a document with results whose encoding but its SOP Instance UID
//!   equals an earlier document's (`held`) is written as a few bytes that name the earlier
//!   one, found by a hash of that encoding and confirmed byte for byte against the earlier
//!   document in its partition on disk, so that no hash collision can make two documents
//!   one.
//!
//! UIDs and paths live in a log on disk; three hash indexes point into it (one entry per
//! document, per study and per document with results), and every hash hit is confirmed
//! against the log (a re-send's, against its partition). Each index keeps its newest
//! entries in a table of at most `TABLE_SLOTS` slots (1 MiB) and the older ones on disk,
//! beside the log, with a Bloom filter of 1.5 bytes per entry in memory, so that a new UID
//! is answered without a read (`store::HashIndex`): the ledger's memory is about 3 MiB
//! plus at most 4.5 bytes per document (6.7 MiB at 10^6 documents), where tables of every
//! entry took 27 to 55 (9 to 18 per entry, 27 while one doubled): docs/performance.md,
//! "The ledger's indexes".

use std::hash::BuildHasher;
use std::io;
use std::path::Path;

use crate::document::Document;
use crate::store::{HashIndex, Log, Partitions, fnv1a};

/// Hashes that must agree within one run only; confirmed against the log, so their seed
/// never shows in the outputs.
type Hasher = hashbrown::DefaultHashBuilder;

/// Slots of each index's table in memory (8 bytes each): beyond 7/8 of them, the index
/// moves its entries to a table on disk (`store::HashIndex`).
const TABLE_SLOTS: usize = 1 << 17;

/// What the ledger says of a new document.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// First time this SOP Instance UID is seen: the partition it goes to.
    New {
        /// The partition (< the count given to `Ledger::new`).
        partition: usize,
    },
    /// Seen before, in the file at this path (kept).
    Duplicate(String),
}

/// The run's memory of the documents it admitted.
pub struct Ledger {
    log: Log,
    sops: HashIndex,
    studies: HashIndex,
    /// The documents that an identical re-send can name: the hash of their encoding but
    /// the SOP Instance UID (`held::body_start`), pointing at a log entry of (partition,
    /// where that encoding starts in it, its length, the document's seq).
    bodies: HashIndex,
    hasher: Hasher,
    partitions: usize,
    /// The positions an index lookup found (reused: no allocation per lookup).
    found: Vec<u32>,
    /// The last study admitted and its partition (no study yet: ""): a study's documents
    /// usually sit side by side in path order, and this answers them without reading the
    /// log. Its text is overwritten in place, not allocated per document.
    last_study: (String, usize),
}

impl Ledger {
    /// A ledger for `partitions` partitions, its log (unlinked) in `dir`.
    pub fn new(dir: &Path, partitions: usize) -> io::Result<Ledger> {
        Ledger::with_table_slots(dir, partitions, TABLE_SLOTS)
    }

    /// A ledger whose indexes keep at most `slots` slots each in memory (a power of two;
    /// the tests make it small, so that they spill often).
    pub fn with_table_slots(dir: &Path, partitions: usize, slots: usize) -> io::Result<Ledger> {
        Ok(Ledger {
            log: Log::new(dir)?,
            sops: HashIndex::new(dir, slots),
            studies: HashIndex::new(dir, slots),
            bodies: HashIndex::new(dir, slots),
            hasher: Hasher::default(),
            partitions,
            found: Vec::new(),
            last_study: (String::new(), 0),
        })
    }

    /// Bytes of memory the ledger holds: its indexes' tables and filters, its log's buffer.
    #[cfg(test)]
    pub fn memory_bytes(&self) -> usize {
        self.sops.memory_bytes()
            + self.studies.memory_bytes()
            + self.bodies.memory_bytes()
            + self.log.memory_bytes()
            + self.found.capacity() * std::mem::size_of::<u32>()
    }

    /// Admits a document found at `path` (documents arrive in path order).
    pub fn admit(&mut self, doc: &Document, path: &str) -> io::Result<Admission> {
        let sop = doc.sop_instance_uid.as_str();
        let sop_hash = self.hasher.hash_one(sop) as u32;
        if !sop.is_empty() {
            self.sops.positions(sop_hash, &mut self.found)?;
            for &position in &self.found {
                let kept = self.log.read(position, 2)?;
                if kept[0] == sop.as_bytes() {
                    return Ok(Admission::Duplicate(
                        String::from_utf8_lossy(&kept[1]).into_owned(),
                    ));
                }
            }
        }
        let study = doc.study_instance_uid.as_str();
        let study_hash = self.hasher.hash_one(study) as u32;
        let mut partition =
            (!study.is_empty() && self.last_study.0 == study).then_some(self.last_study.1);
        if partition.is_none() && !study.is_empty() {
            self.studies.positions(study_hash, &mut self.found)?;
            for &position in &self.found {
                let entry = self.log.read(position, 4)?;
                if entry[2] == study.as_bytes() {
                    let bytes: [u8; 4] = entry[3].as_slice().try_into().map_err(|_| {
                        io::Error::other("the run's ledger is corrupt (a partition entry)")
                    })?;
                    partition = Some(u32::from_le_bytes(bytes) as usize);
                    break;
                }
            }
        }
        let new_study = partition.is_none() && !study.is_empty();
        let partition = partition.unwrap_or_else(|| self.home(doc));
        let position = self.log.push(&[
            sop.as_bytes(),
            path.as_bytes(),
            study.as_bytes(),
            &(partition as u32).to_le_bytes(),
        ])?;
        if !sop.is_empty() {
            self.sops.insert(sop_hash, position)?;
        }
        if new_study {
            self.studies.insert(study_hash, position)?;
        }
        if !study.is_empty() {
            self.last_study.0.clear();
            self.last_study.0.push_str(study);
            self.last_study.1 = partition;
        }
        Ok(Admission::New { partition })
    }

    /// The document of the run whose encoding but its SOP Instance UID is `body`, in
    /// `partition` of `partitions`: `Resent::Of` its seq, confirmed byte for byte; else
    /// `Resent::No` with the hash to `keep` it under.
    pub fn resent(
        &mut self,
        partition: usize,
        body: &[u8],
        partitions: &mut Partitions,
    ) -> io::Result<Resent> {
        let hash = self.hasher.hash_one(body) as u32;
        let mut kept = Vec::new();
        self.bodies.positions(hash, &mut self.found)?;
        for &position in &self.found {
            let entry = self.log.read(position, 1)?;
            let (at_partition, at, len, seq) = body_entry(&entry[0])?;
            if at_partition != partition || len != body.len() {
                continue;
            }
            kept.resize(len, 0);
            partitions.read_at(partition, at, &mut kept)?;
            if kept == body {
                return Ok(Resent::Of(seq));
            }
        }
        Ok(Resent::No(hash))
    }

    /// Remembers the document of `seq` as one that an identical re-send can name: its
    /// encoding but the SOP Instance UID is in `partition`, `len` bytes from `at`.
    pub fn keep(
        &mut self,
        hash: u32,
        partition: usize,
        at: u64,
        len: usize,
        seq: u64,
    ) -> io::Result<()> {
        let mut entry = [0u8; 24];
        entry[..4].copy_from_slice(&(partition as u32).to_le_bytes());
        entry[4..12].copy_from_slice(&at.to_le_bytes());
        entry[12..16].copy_from_slice(&(len as u32).to_le_bytes());
        entry[16..].copy_from_slice(&seq.to_le_bytes());
        let position = self.log.push(&[&entry])?;
        self.bodies.insert(hash, position)
    }

    /// The partition of a study's first document (a fixed hash: the same archive is
    /// partitioned the same way in every run).
    fn home(&self, doc: &Document) -> usize {
        (fnv1a(home_key(doc).as_bytes()) % self.partitions as u64) as usize
    }
}

/// Whether a document re-sends an earlier one (`Ledger::resent`).
#[derive(Debug, PartialEq, Eq)]
pub enum Resent {
    /// It does: the earlier document's seq.
    Of(u64),
    /// It does not: the hash to `Ledger::keep` it under.
    No(u32),
}

/// (partition, start, length, seq) of a `Ledger::keep` entry.
fn body_entry(entry: &[u8]) -> io::Result<(usize, u64, usize, u64)> {
    let bytes: &[u8; 24] = entry
        .try_into()
        .map_err(|_| io::Error::other("the run's ledger is corrupt (a document entry)"))?;
    let word = |range: std::ops::Range<usize>| {
        let mut b = [0u8; 8];
        b[..range.len()].copy_from_slice(&bytes[range]);
        u64::from_le_bytes(b)
    };
    Ok((
        word(0..4) as usize,
        word(4..12),
        word(12..16) as usize,
        word(16..24),
    ))
}

/// What places a study's first document: its patient, else its study, else itself. The
/// visit step's pieces follow the same rule (finish/pieces.rs).
pub fn home_key(doc: &Document) -> &str {
    [
        doc.patient_id.trim(),
        doc.study_instance_uid.as_str(),
        doc.sop_instance_uid.as_str(),
    ]
    .into_iter()
    .find(|k| !k.is_empty())
    .unwrap_or("")
}

#[cfg(test)]
mod tests;
