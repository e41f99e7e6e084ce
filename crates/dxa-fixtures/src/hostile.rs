//! Broken and adversarial inputs. Every function is deterministic.

use dicom_core::VR;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use crate::encoding::{
    Encoding, Ts, dataset_offset, encode_file, seq, text, with_explicit_lengths,
};
use crate::header::{ENHANCED_SR, uid_from};
use crate::rng::Rng;
use crate::tree::{CodeDef, SrDoc, code, code_item, sr_bytes};

/// The first `keep` bytes of `bytes` (all of them if `keep` is larger).
pub fn truncated(bytes: &[u8], keep: usize) -> Vec<u8> {
    bytes[..keep.min(bytes.len())].to_vec()
}

/// `n` deterministic pseudo random bytes.
pub fn random_bytes(seed: u64, n: usize) -> Vec<u8> {
    Rng::new(seed).bytes(n)
}

/// Preamble + meta + the start of an SR data set (explicit VR LE) of `name`,
/// with a root CONTAINER but no Content Sequence yet.
fn sr_prefix(name: &str) -> Vec<u8> {
    let concept: CodeDef = code("DXA-RPT", "99HOLOGIC", "Bone Densitometry Report");
    let obj = InMemDicomObject::from_element_iter([
        text(tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 100"),
        text(tags::SOP_CLASS_UID, VR::UI, ENHANCED_SR),
        text(
            tags::SOP_INSTANCE_UID,
            VR::UI,
            &uid_from(&format!("{name}/sop")),
        ),
        text(tags::MODALITY, VR::CS, "SR"),
        text(tags::MANUFACTURER, VR::LO, "HOLOGIC"),
        text(tags::PATIENT_NAME, VR::PN, "HOSTILE^TEST"),
        text(tags::PATIENT_ID, VR::LO, "HOSTILE"),
        text(
            tags::STUDY_INSTANCE_UID,
            VR::UI,
            &uid_from(&format!("{name}/study")),
        ),
        text(
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            &uid_from(&format!("{name}/series")),
        ),
        text(tags::VALUE_TYPE, VR::CS, "CONTAINER"),
        seq(tags::CONCEPT_NAME_CODE_SEQUENCE, vec![code_item(&concept)]),
        text(tags::CONTINUITY_OF_CONTENT, VR::CS, "SEPARATE"),
    ]);
    encode_file(
        obj,
        ENHANCED_SR,
        &uid_from(&format!("{name}/sop")),
        Encoding::default(),
    )
}

/// An explicit VR LE element header with a 4-byte length (OB, SQ, UT, ...).
fn long_header(group: u16, elem: u16, vr: &[u8; 2], len: u32) -> [u8; 12] {
    let mut h = [0u8; 12];
    h[0..2].copy_from_slice(&group.to_le_bytes());
    h[2..4].copy_from_slice(&elem.to_le_bytes());
    h[4..6].copy_from_slice(vr);
    h[8..12].copy_from_slice(&len.to_le_bytes());
    h
}

/// An explicit VR LE element with a 2-byte length (CS, LO, ...); pads odd values with a space.
fn short_element(group: u16, elem: u16, vr: &[u8; 2], value: &str) -> Vec<u8> {
    let mut v = value.as_bytes().to_vec();
    if v.len() % 2 == 1 {
        v.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + v.len());
    out.extend_from_slice(&group.to_le_bytes());
    out.extend_from_slice(&elem.to_le_bytes());
    out.extend_from_slice(vr);
    out.extend_from_slice(&(v.len() as u16).to_le_bytes());
    out.extend_from_slice(&v);
    out
}

/// ~1 KB: a valid preamble + meta group and SR header elements, then an
/// (0042,0011) OB element declaring a length of 0xF0000000 with only a few
/// hundred bytes present.
pub fn huge_declared_element() -> Vec<u8> {
    let mut out = sr_prefix("hostile/huge-declared-element");
    out.extend_from_slice(&long_header(0x0042, 0x0011, b"OB", 0xF000_0000));
    let fill = 1024usize.saturating_sub(out.len()).max(16);
    out.extend(Rng::new(0xF000_0000).bytes(fill));
    out
}

/// An SR-ish file (meta + Enhanced SR SOP class + root CONTAINER) whose
/// Content Sequence nests `depth` levels of undefined-length sequences and
/// items (each item a CONTAINS / CONTAINER), properly delimited.
/// About 70 bytes per level (20 000 levels ≈ 1.4 MB).
pub fn deep_nesting(depth: usize) -> Vec<u8> {
    let mut out = sr_prefix("hostile/deep-nesting");
    let mut level = Vec::new();
    level.extend_from_slice(&long_header(0x0040, 0xA730, b"SQ", 0xFFFF_FFFF));
    level.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
    level.extend(short_element(0x0040, 0xA010, b"CS", "CONTAINS"));
    level.extend(short_element(0x0040, 0xA040, b"CS", "CONTAINER"));
    level.extend(short_element(0x0040, 0xA050, b"CS", "SEPARATE"));
    const CLOSE: [u8; 16] = [
        0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, // item delimitation
        0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0, // sequence delimitation
    ];
    out.reserve(depth * (level.len() + CLOSE.len()));
    for _ in 0..depth {
        out.extend_from_slice(&level);
    }
    for _ in 0..depth {
        out.extend_from_slice(&CLOSE);
    }
    out
}

/// A valid SR (explicit VR LE, preamble, re-encoded with defined sequence
/// and item lengths) whose first (0040,A730) Content Sequence length is then
/// overwritten with a value 64 KiB larger than the bytes left in the file.
pub fn corrupted_sequence_length(doc: &SrDoc) -> Vec<u8> {
    let plain = sr_bytes(doc, Encoding::new(Ts::ExplicitLe, true));
    let mut out = with_explicit_lengths(&plain).expect("re-encoding our own explicit VR LE output");
    let start = dataset_offset(&out).expect("our own Part 10 output");
    let pattern = [0x40, 0x00, 0x30, 0xA7, b'S', b'Q', 0x00, 0x00];
    if let Some(at) = out[start..]
        .windows(pattern.len())
        .position(|w| w == pattern)
        .map(|p| p + start)
    {
        let left = out.len() - (at + 12);
        let bogus = u32::try_from(left + 0x1_0000).unwrap_or(u32::MAX - 1);
        out[at + 8..at + 12].copy_from_slice(&bogus.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        assert_eq!(random_bytes(1, 100), random_bytes(1, 100));
        assert_ne!(random_bytes(1, 100), random_bytes(2, 100));
        assert_eq!(huge_declared_element(), huge_declared_element());
        let h = huge_declared_element();
        assert!(h.len() >= 1000 && h.len() < 1400, "{}", h.len());
        assert_eq!(truncated(&[1, 2, 3], 2), vec![1, 2]);
        assert_eq!(truncated(&[1, 2, 3], 9), vec![1, 2, 3]);
    }

    #[test]
    fn deep_nesting_is_balanced() {
        let d = deep_nesting(100);
        let sq = d
            .windows(4)
            .filter(|w| *w == [0x40, 0x00, 0x30, 0xA7])
            .count();
        let ends = d
            .windows(4)
            .filter(|w| *w == [0xFE, 0xFF, 0xDD, 0xE0])
            .count();
        assert_eq!(sq, 100);
        assert_eq!(ends, 101, "plus one for the root ConceptNameCodeSequence");
    }
}
