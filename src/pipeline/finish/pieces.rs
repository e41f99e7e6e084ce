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
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use crate::document::Document;
use crate::pipeline::held::{self, Held};
use crate::pipeline::ledger::home_key;
use crate::store::{Partitions, codec, fnv1a};

/// The encoded size a piece aims at. A partition of 10^5 files / 256 partitions is about
/// 250 KB: pieces of about that keep a run of 10^6 or 10^8 files at the memory of 10^5
/// (docs/performance.md has the measurements).
pub const PIECE_BYTES: u64 = 384 * 1024;

/// The most documents of one group (a study and its patient's other documents) the visit
/// step holds at once: a DXA visit has a handful, a patient's whole history some tens.
/// About 20 KB of memory each while a piece is read (docs/performance.md, "Giant visits").
pub const GROUP_DOCUMENTS: usize = 2_000;

/// A partition's pieces.
pub struct Cut {
    /// Each piece, rewound to its start, and whether it is a later part of a group over
    /// `GROUP_DOCUMENTS` (all its visits are read in parts).
    pub pieces: Vec<(File, bool)>,
    /// The groups over `GROUP_DOCUMENTS` (`group_of`'s hash of their first document's
    /// home key): their first part shares a piece with other groups.
    pub over: HashSet<u64>,
}

/// `file` (a partition: frames of (seq, path, `Held`) in path order) as pieces of about
/// `PIECE_BYTES`, each rewound to its start; a small partition is its own one piece. The
/// pieces are unlinked files in `dir`.
pub fn cut(file: File, dir: &Path) -> io::Result<Cut> {
    cut_with(file, dir, GROUP_DOCUMENTS)
}

/// `cut` with groups read in parts of `bound` documents.
fn cut_with(file: File, dir: &Path, bound: usize) -> io::Result<Cut> {
    let count = file.metadata()?.len().div_ceil(PIECE_BYTES);
    if count <= 1 {
        return Ok(Cut {
            pieces: vec![(file, false)],
            over: HashSet::new(),
        });
    }
    let mut pieces = Partitions::new(dir, count as usize);
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
    let mut parts: Vec<BufWriter<File>> = Vec::new();
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let mut done: Vec<usize> = Vec::new();
    let mut over = HashSet::new();
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let (mut frame, mut framed) = (Vec::new(), Vec::new());
    while codec::read_frame(&mut input, &mut frame)? {
        let (seq, _, held) = held::decode(&frame)?;
        framed.clear();
        codec::write_frame(&mut framed, &frame)?;
        let doc = match held {
            Held::Document(doc) => doc,
            Held::Resend { kept, .. } => {
                match placed.get(&kept) {
                    Some(Place::Piece(piece)) => {
                        pieces.append(*piece, &framed)?;
                    }
                    Some(Place::Part(part)) => parts[*part].write_all(&framed)?,
                    None => return Err(io::Error::other(NO_KEPT)),
                }
                continue;
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
            continue;
        }
        over.insert(group);
        let index = *open.entry(group).or_insert_with(|| parts.len());
        if index == parts.len() {
            parts.push(BufWriter::with_capacity(8192, tempfile::tempfile_in(dir)?));
        }
        parts[index].write_all(&framed)?;
        placed.insert(seq, Place::Part(index));
        if last_of_part {
            open.remove(&group);
            done.push(index);
        }
    }
    done.extend(open.into_values());
    let mut parts: Vec<Option<BufWriter<File>>> = parts.into_iter().map(Some).collect();
    let mut all: Vec<(File, bool)> = pieces
        .into_files()?
        .into_iter()
        .map(|f| (f, false))
        .collect();
    for index in done {
        if let Some(writer) = parts[index].take() {
            all.push((rewound(writer)?, true));
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

/// A written part, flushed and rewound to its start.
fn rewound(writer: BufWriter<File>) -> io::Result<File> {
    let mut file = writer.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

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
mod tests {
    use super::*;
    use crate::pipeline::held::HeldRef;
    use std::io::{Seek, SeekFrom, Write};
    use std::sync::Arc;

    use crate::document::with_ids as doc;

    /// A partition file of `docs`, padded past `PIECE_BYTES` with documents of their own.
    fn partition(dir: &Path, docs: &[Document], filler: usize) -> File {
        let mut bytes = Vec::new();
        let padding = "x".repeat(2000);
        let fill = (0..filler).map(|i| Document {
            title: padding.clone(),
            ..doc(&format!("F{i}"), &format!("FS{i}"), &format!("FP{i}"))
        });
        for (seq, d) in docs.iter().cloned().chain(fill).enumerate() {
            let held = HeldRef::Document(&d);
            codec::encode_frame(&(seq as u64, format!("p{seq}"), held), &mut bytes).unwrap();
        }
        let mut file = tempfile::tempfile_in(dir).unwrap();
        file.write_all(&bytes).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        file
    }

    fn read(cut: Cut) -> Vec<Vec<(u64, Document)>> {
        cut.pieces
            .into_iter()
            .map(|(file, _)| {
                let mut input = BufReader::new(file);
                let mut frame = Vec::new();
                let mut docs = Vec::new();
                while codec::read_frame(&mut input, &mut frame).unwrap() {
                    let (seq, _, held): (u64, String, Held) = codec::decode(&frame).unwrap();
                    let doc = match held {
                        Held::Document(doc) => Arc::unwrap_or_clone(doc),
                        Held::Resend { sop, .. } => doc(&sop, "", "resend"),
                    };
                    docs.push((seq, doc));
                }
                docs
            })
            .collect()
    }

    /// A group over the bound (a study re-sent, an ID for many people) is read in parts
    /// of the bound, in path order, the later parts pieces of their own; the other groups
    /// are cut as before.
    #[test]
    fn a_group_over_the_bound_is_read_in_parts() {
        let dir = tempfile::tempdir().unwrap();
        let bound = 40;
        let mut docs: Vec<Document> = Vec::new();
        for i in 0..130 {
            // One study re-sent, and an ID for many people, interleaved; a small patient.
            docs.push(doc(&format!("R{i}"), "RESENT", "P1"));
            docs.push(doc(&format!("A{i}"), &format!("AS{i}"), "ANONYMOUS"));
            if i % 40 == 0 {
                docs.push(doc(&format!("C{i}"), &format!("CS{i}"), "CAROL"));
            }
        }
        let filler = 3 * PIECE_BYTES as usize / 2000;
        let cut = cut_with(partition(dir.path(), &docs, filler), dir.path(), bound).unwrap();
        let over = cut.over.clone();
        let later: Vec<bool> = cut.pieces.iter().map(|(_, later)| *later).collect();
        let pieces = read(cut);
        assert_eq!(
            over,
            HashSet::from([fnv1a(b"P1"), fnv1a(b"ANONYMOUS")]),
            "the two large groups, not Carol nor the filler"
        );
        let total: usize = pieces.iter().map(Vec::len).sum();
        assert_eq!(total, docs.len() + filler, "every document once");
        // 130 documents of each large group: 40 in a shared piece, then parts of 40, 40, 10.
        let in_later: Vec<Vec<&str>> = pieces
            .iter()
            .zip(&later)
            .filter(|(_, later)| **later)
            .map(|(p, _)| p.iter().map(|(_, d)| d.sop_instance_uid.as_str()).collect())
            .collect();
        assert_eq!(in_later.len(), 6, "{in_later:?}");
        for part in &in_later {
            assert!(part.len() == 40 || part.len() == 10, "{}", part.len());
            let first = &part[0][..1];
            assert!(part.iter().all(|s| &s[..1] == first), "one group per part");
        }
        let r_parts: Vec<Vec<&str>> = in_later
            .iter()
            .filter(|p| p[0].starts_with('R'))
            .cloned()
            .collect();
        let names = |range: std::ops::Range<usize>| -> Vec<String> {
            range.map(|i| format!("R{i}")).collect()
        };
        assert_eq!(r_parts[0], names(40..80), "in path order");
        assert_eq!(r_parts[1], names(80..120));
        assert_eq!(r_parts[2], names(120..130));
        for piece in &pieces {
            assert!(piece.windows(2).all(|w| w[0].0 < w[1].0), "path order kept");
        }
        let carol = pieces
            .iter()
            .zip(&later)
            .filter(|(p, _)| p.iter().any(|(_, d)| d.patient_id == "CAROL"))
            .collect::<Vec<_>>();
        assert_eq!(carol.len(), 1, "Carol whole in one piece");
        assert!(!*carol[0].1);
        assert!(in_group(&doc("x", "", "ANONYMOUS"), &over));
        assert!(!in_group(&doc("x", "", "CAROL"), &over));
    }

    /// An identical re-send goes where the document it names went, a done part included,
    /// and does not count towards its group's parts.
    #[test]
    fn resends_go_with_their_document_and_do_not_count() {
        let dir = tempfile::tempdir().unwrap();
        let bound = 40;
        let mut bytes = Vec::new();
        let mut seq = 0u64;
        let mut frame = |held: HeldRef<'_>, bytes: &mut Vec<u8>| {
            codec::encode_frame(&(seq, format!("p{seq}"), held), bytes).unwrap();
            seq += 1;
            seq - 1
        };
        // 60 documents of one study: a shared piece of 40, then a part of 20.
        let mut seqs = Vec::new();
        for i in 0..60 {
            let d = doc(&format!("R{i}"), "RESENT", "P1");
            seqs.push(frame(HeldRef::Document(&d), &mut bytes));
        }
        // Re-sends of R5 (in the shared piece) and R45 (in the part, done by now), and
        // 100 of R0: no part of their own.
        for (sop, kept) in [("X5", seqs[5]), ("X45", seqs[45])] {
            frame(HeldRef::Resend { sop, kept }, &mut bytes);
        }
        for i in 0..100 {
            let sop = format!("Y{i}");
            let held = HeldRef::Resend {
                sop: &sop,
                kept: seqs[0],
            };
            frame(held, &mut bytes);
        }
        let padding = "x".repeat(2000);
        for i in 0..(3 * PIECE_BYTES as usize / 2000) {
            let d = Document {
                title: padding.clone(),
                ..doc(&format!("F{i}"), &format!("FS{i}"), &format!("FP{i}"))
            };
            frame(HeldRef::Document(&d), &mut bytes);
        }
        let mut file = tempfile::tempfile_in(dir.path()).unwrap();
        file.write_all(&bytes).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        let cut = cut_with(file, dir.path(), bound).unwrap();
        let later = cut.pieces.iter().filter(|(_, later)| *later).count();
        assert_eq!(
            later, 1,
            "one part beyond the first 40: the re-sends add none"
        );
        let pieces = read(cut);
        let piece_of = |sop: &str| {
            pieces
                .iter()
                .position(|p| p.iter().any(|(_, d)| d.sop_instance_uid == sop))
                .unwrap()
        };
        assert_eq!(piece_of("X5"), piece_of("R5"));
        assert_eq!(piece_of("X45"), piece_of("R45"));
        assert_ne!(piece_of("R45"), piece_of("R5"));
        assert!((0..100).all(|i| piece_of(&format!("Y{i}")) == piece_of("R0")));
        for piece in &pieces {
            assert!(piece.windows(2).all(|w| w[0].0 < w[1].0), "path order kept");
        }
    }

    #[test]
    fn a_small_partition_is_one_piece() {
        let dir = tempfile::tempdir().unwrap();
        let file = partition(dir.path(), &[doc("1", "S", "P")], 0);
        assert_eq!(read(cut(file, dir.path()).unwrap()).len(), 1);
    }

    #[test]
    fn studies_and_patients_stay_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let docs = [
            doc("1", "S1", "ALICE"),
            // Another patient ID within Alice's study: the study's piece.
            doc("2", "S1", "BOB"),
            doc("3", "S2", "ALICE"),
            doc("4", "", "ALICE"),
            doc("5", "S3", "BOB"),
            doc("6", "S1", ""),
            doc("7", "S4", "BOB"),
        ];
        let filler = 3 * PIECE_BYTES as usize / 2000;
        let pieces = read(cut(partition(dir.path(), &docs, filler), dir.path()).unwrap());
        assert!(pieces.len() >= 3, "{} pieces", pieces.len());
        let total: usize = pieces.iter().map(Vec::len).sum();
        assert_eq!(total, docs.len() + filler, "every document once");
        let piece_of = |sop: &str| {
            pieces
                .iter()
                .position(|p| p.iter().any(|(_, d)| d.sop_instance_uid == sop))
                .unwrap()
        };
        for sop in ["2", "3", "4", "6"] {
            assert_eq!(piece_of(sop), piece_of("1"), "document {sop}");
        }
        assert_eq!(
            piece_of("7"),
            piece_of("5"),
            "Bob's own studies: Bob's piece"
        );
        for piece in &pieces {
            assert!(piece.windows(2).all(|w| w[0].0 < w[1].0), "path order kept");
        }
        assert!(
            pieces.iter().filter(|p| !p.is_empty()).count() >= 2,
            "the filler spreads"
        );
    }
}
