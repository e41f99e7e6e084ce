//! A partition too large to hold at once, cut into pieces by the rule that made it: a
//! study goes with its first document, a document without a known study goes with its
//! patient (`ledger::home_key`). Documents the ledger put in one partition for a reason
//! (one study, one patient) share a piece, so every visit and every patient's series is
//! whole in one piece, and the visit step's memory stays at a piece's, whatever the size
//! of the run (docs/performance.md, "Memory").

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

use crate::document::Document;
use crate::pipeline::ledger::home_key;
use crate::store::{Partitions, codec, fnv1a};

/// The encoded size a piece aims at. A partition of 10^5 files / 256 partitions is about
/// 250 KB: pieces of about that keep a run of 10^6 or 10^8 files at the memory of 10^5
/// (docs/performance.md has the measurements).
pub const PIECE_BYTES: u64 = 384 * 1024;

/// `file` (a partition: frames of (seq, path, document) in path order) as pieces of about
/// `PIECE_BYTES`, each rewound to its start; a small partition is its own one piece. The
/// pieces are unlinked files in `dir`.
pub fn cut(file: File, dir: &Path) -> io::Result<Vec<File>> {
    let count = file.metadata()?.len().div_ceil(PIECE_BYTES);
    if count <= 1 {
        return Ok(vec![file]);
    }
    let mut pieces = Partitions::new(dir, count as usize);
    // Keyed by the study UID's hash: two studies that collide share a piece, which is
    // harmless (only splitting what belongs together would not be).
    let mut studies: HashMap<u64, usize> = HashMap::new();
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let (mut frame, mut framed) = (Vec::new(), Vec::new());
    while codec::read_frame(&mut input, &mut frame)? {
        let (_, _, doc): (u64, String, Document) = codec::decode(&frame)?;
        let piece = piece_of(&doc, &mut studies, count);
        framed.clear();
        codec::write_frame(&mut framed, &frame)?;
        pieces.append(piece, &framed)?;
    }
    pieces.into_files()
}

/// The piece of a document: its study's, else by its home key. Not by FNV-1a's low bits,
/// which chose the partition (all alike within one), nor its high bits (the last bytes of
/// a key barely reach them): by the whole hash, mixed (MurmurHash3's 64-bit finaliser).
fn piece_of(doc: &Document, studies: &mut HashMap<u64, usize>, count: u64) -> usize {
    let home = || (mix(fnv1a(home_key(doc).as_bytes())) % count) as usize;
    let study = doc.study_instance_uid.as_str();
    if study.is_empty() {
        return home();
    }
    *studies.entry(fnv1a(study.as_bytes())).or_insert_with(home)
}

/// MurmurHash3's fmix64: every input bit reaches every output bit.
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
    use std::io::{Seek, SeekFrom, Write};

    fn doc(sop: &str, study: &str, patient: &str) -> Document {
        Document {
            sop_instance_uid: sop.into(),
            study_instance_uid: study.into(),
            patient_id: patient.into(),
            ..Document::default()
        }
    }

    /// A partition file of `docs`, padded past `PIECE_BYTES` with documents of their own.
    fn partition(dir: &Path, docs: &[Document], filler: usize) -> File {
        let mut bytes = Vec::new();
        let padding = "x".repeat(2000);
        let fill = (0..filler).map(|i| Document {
            title: padding.clone(),
            ..doc(&format!("F{i}"), &format!("FS{i}"), &format!("FP{i}"))
        });
        for (seq, d) in docs.iter().cloned().chain(fill).enumerate() {
            codec::encode_frame(&(seq as u64, format!("p{seq}"), d), &mut bytes).unwrap();
        }
        let mut file = tempfile::tempfile_in(dir).unwrap();
        file.write_all(&bytes).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        file
    }

    fn read(pieces: Vec<File>) -> Vec<Vec<(u64, Document)>> {
        pieces
            .into_iter()
            .map(|file| {
                let mut input = BufReader::new(file);
                let mut frame = Vec::new();
                let mut docs = Vec::new();
                while codec::read_frame(&mut input, &mut frame).unwrap() {
                    let (seq, _, doc): (u64, String, Document) = codec::decode(&frame).unwrap();
                    docs.push((seq, doc));
                }
                docs
            })
            .collect()
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
