//! A partition too large to hold at once, cut into pieces by the rule that made it: a
//! study goes with its first document, a document without a known study goes with its
//! patient (`ledger::home_key`). Documents the ledger put in one partition for a reason
//! (one study, one patient) share a piece, so every visit and every patient's series is
//! whole in one piece, and the visit step's memory stays at a piece's, whatever the size
//! of the run (docs/performance.md, "Memory").
//!
//! Except beyond `GROUP_DOCUMENTS`: a group that large (an ID such as `ANONYMOUS` for
//! thousands of people, one study re-sent thousands of times with other values) is read in
//! parts of that many documents, in path order, each part a piece of its own, and its
//! visits are flagged (`visit::VisitFlag::ReadInParts`, docs/columns.md): a visit is never
//! held whole at any size. An identical re-send (`pipeline::held`) does not count: it goes
//! where the document it re-sends went, and holds no document of its own there.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io;
use std::path::Path;

use crate::document::Document;
use crate::pipeline::held::{self, Held};
use crate::pipeline::ledger::home_key;
use crate::store::{Budget, Partitions, Spool, Spooled, codec, fnv1a};

/// The encoded size a piece aims at. A partition of 10^5 files / 256 partitions is about
/// 250 KB: pieces of about that keep a run of 10^6 or 10^8 files at the memory of 10^5
/// (docs/performance.md has the measurements). A partition up to this size may wait in
/// memory (`store::SPOOL_BYTES`); one larger is in a file, to be cut.
pub const PIECE_BYTES: u64 = crate::store::SPOOL_BYTES;

/// The most documents of one group (a study and its patient's other documents) the visit
/// step holds at once: a DXA visit has a handful, a patient's whole history some tens.
/// About 20 KB of memory each while a piece is read (docs/performance.md, "Giant visits").
pub const GROUP_DOCUMENTS: usize = 2_000;

/// A partition's pieces.
pub struct Cut {
    /// Each piece, and whether it is a later part of a group over `GROUP_DOCUMENTS` (all
    /// its visits are read in parts).
    pub pieces: Vec<(Spooled, bool)>,
    /// The groups over `GROUP_DOCUMENTS` (`group_of`'s hash of their first document's
    /// home key): their first part shares a piece with other groups.
    pub over: HashSet<u64>,
}

/// Before the visit step: a run with a partition to cut (about 10^6 files, or a giant
/// group) needs its memory for the pieces and parts the visit step holds, so its rows go
/// to files as they did before the budget (`Budget::close`; docs/performance.md, "The end
/// of a run"): the peak of such a run stays where it was.
pub fn make_room(partitions: &[Spooled], budget: &Budget) {
    if partitions.iter().any(|p| p.len() > PIECE_BYTES) {
        budget.close();
    }
}

/// `partition` (frames of (seq, path, `Held`) in path order) as pieces of about
/// `PIECE_BYTES`; a small partition is its own one piece. The pieces wait under `budget`
/// (the run's), beyond it in unlinked files in `dir`.
pub fn cut(partition: Spooled, dir: &Path, budget: &Budget) -> io::Result<Cut> {
    cut_with(partition, dir, budget, GROUP_DOCUMENTS)
}

/// `cut` with groups read in parts of `bound` documents.
fn cut_with(partition: Spooled, dir: &Path, budget: &Budget, bound: usize) -> io::Result<Cut> {
    let count = partition.len().div_ceil(PIECE_BYTES);
    if count <= 1 {
        return Ok(Cut {
            pieces: vec![(partition, false)],
            over: HashSet::new(),
        });
    }
    let mut pieces = Partitions::with_budget(dir, count as usize, budget);
    // Study UID hash -> its group (its first document's home key hash). Two studies that
    // collide share a group, which is harmless (only splitting what belongs together would
    // not be).
    let mut studies: HashMap<u64, u64> = HashMap::new();
    let mut sizes: HashMap<u64, usize> = HashMap::new();
    // Where each document went, for the identical re-sends that name it (which go with it
    // and do not count towards a part: they hold no document of their own).
    let mut placed: HashMap<u64, Place> = HashMap::new();
    // Every later part of the groups over the bound, the one being written of each such
    // group (a part is done when it holds `bound` documents: a group's documents only
    // grow), and the parts done, in the order they were done.
    let mut parts: Vec<Spool> = Vec::new();
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let mut done: Vec<usize> = Vec::new();
    let mut over = HashSet::new();
    let mut framed = Vec::new();
    partition.for_each_frame(|frame| {
        let (seq, _, held) = held::decode(frame)?;
        framed.clear();
        codec::write_frame(&mut framed, frame)?;
        let doc = match held {
            Held::Document(doc) => doc,
            Held::Resend { kept, .. } => {
                match placed.get(&kept) {
                    Some(Place::Piece(piece)) => pieces.append(*piece, &framed)?,
                    Some(Place::Part(part)) => parts[*part].append(&framed)?,
                    None => return Err(io::Error::other(NO_KEPT)),
                };
                return Ok(());
            }
        };
        let group = group_of(&doc, &mut studies);
        let size = sizes.entry(group).or_insert(0);
        let part = *size / bound;
        *size += 1;
        let last_of_part = *size % bound == 0;
        if part == 0 {
            let piece = (mix(group) % count) as usize;
            pieces.append(piece, &framed)?;
            placed.insert(seq, Place::Piece(piece));
            return Ok(());
        }
        over.insert(group);
        let index = *open.entry(group).or_insert_with(|| parts.len());
        if index == parts.len() {
            parts.push(Spool::new(dir, budget));
        }
        parts[index].append(&framed)?;
        placed.insert(seq, Place::Part(index));
        if last_of_part {
            open.remove(&group);
            done.push(index);
        }
        Ok(())
    })?;
    done.extend(open.into_values());
    let mut parts: Vec<Option<Spool>> = parts.into_iter().map(Some).collect();
    let mut all: Vec<(Spooled, bool)> = pieces
        .into_partitions()?
        .into_iter()
        .map(|p| (p, false))
        .collect();
    for index in done {
        if let Some(part) = parts[index].take() {
            all.push((part.finish()?, true));
        }
    }
    Ok(Cut { pieces: all, over })
}

/// Where a document of a partition went: a piece, or a later part of a group.
enum Place {
    Piece(usize),
    Part(usize),
}

/// The error of a re-send whose document is not before it in its partition.
pub const NO_KEPT: &str =
    "the run's partition is corrupt (an identical re-send of a document it does not hold)";

/// The group of a document: its study's, else its own home key's (FNV-1a of it).
fn group_of(doc: &Document, studies: &mut HashMap<u64, u64>) -> u64 {
    let home = || fnv1a(home_key(doc).as_bytes());
    let study = doc.study_instance_uid.as_str();
    if study.is_empty() {
        return home();
    }
    *studies.entry(fnv1a(study.as_bytes())).or_insert_with(home)
}

/// Whether a document belongs to one of `over`'s groups by its own home key (a document
/// of another patient in such a group's study is in the study's visit, whose first
/// document names the group).
pub fn in_group(doc: &Document, over: &HashSet<u64>) -> bool {
    !over.is_empty() && over.contains(&fnv1a(home_key(doc).as_bytes()))
}

/// The piece of a group among `count`. Not by FNV-1a's low bits, which chose the partition
/// (all alike within one), nor its high bits (the last bytes of a key barely reach them):
/// by the whole hash, mixed (MurmurHash3's 64-bit finaliser).
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests;
