//! Element headers: the bytes that say where a value starts and how long it is, in the
//! three native encodings (PS3.5 7.1: explicit VR little and big endian, implicit VR little
//! endian). Shared by the walk (`walk.rs`, which checks and indexes) and the head reader
//! (`head`, which decides what to read at all), so that both split bytes into elements
//! the same way: fuzzing showed that two parsers that disagree let unchecked lengths through
//! (fuzz/README.md, F2-F4).

use dicom_core::Tag;
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::header::VR;
use dicom_dictionary_std::StandardDataDictionary;

use super::Endian;
use crate::error::{FileError, Reason};

pub(super) const ITEM: Tag = Tag(0xFFFE, 0xE000);
pub(super) const ITEM_DELIMITER: Tag = Tag(0xFFFE, 0xE00D);
pub(super) const SEQUENCE_DELIMITER: Tag = Tag(0xFFFE, 0xE0DD);
pub(super) const SOP_CLASS_UID: Tag = Tag(0x0008, 0x0016);
pub(super) const PIXEL_DATA: Tag = Tag(0x7FE0, 0x0010);
pub(super) const UNDEFINED: u32 = 0xFFFF_FFFF;

/// An element header as read.
pub(super) struct Header {
    /// None in implicit VR.
    pub(super) vr: Option<[u8; 2]>,
    pub(super) length: u32,
    pub(super) value_start: usize,
}

/// Reads an explicit-VR element header at `pos`.
#[inline(always)]
pub(super) fn read_explicit_header(
    bytes: &[u8],
    pos: usize,
    endian: Endian,
) -> Result<Header, FileError> {
    if pos + 8 > bytes.len() {
        return Err(truncated_at(pos));
    }
    let vr = [bytes[pos + 4], bytes[pos + 5]];
    let class = vr_class(vr);
    if class == VR_UNKNOWN {
        return Err(unknown_vr(vr, pos));
    }
    if class == VR_LONG {
        if pos + 12 > bytes.len() {
            return Err(truncated_at(pos));
        }
        Ok(Header {
            vr: Some(vr),
            length: read32(bytes, pos + 8, endian),
            value_start: pos + 12,
        })
    } else {
        Ok(Header {
            vr: Some(vr),
            length: u32::from(read16(bytes, pos + 6, endian)),
            value_start: pos + 8,
        })
    }
}

/// The header at `pos` in the encoding of its data set (implicit VR is always little
/// endian, PS3.5 A.1).
#[inline(always)]
pub(super) fn read_header(
    bytes: &[u8],
    pos: usize,
    endian: Endian,
    implicit: bool,
) -> Result<Header, FileError> {
    if implicit {
        if pos + 8 > bytes.len() {
            return Err(truncated_at(pos));
        }
        Ok(Header {
            vr: None,
            length: le32(bytes, pos + 4),
            value_start: pos + 8,
        })
    } else {
        read_explicit_header(bytes, pos, endian)
    }
}

/// An unknown VR is not read "as UN": dicom-rs would then take other bytes as the length
/// and nest differently from what was checked here (fuzzing found both a 2 GiB allocation
/// and a stack overflow that way). One structure, checked, or none.
#[cold]
#[inline(never)]
pub(super) fn unknown_vr(vr: [u8; 2], pos: usize) -> FileError {
    FileError::new(
        Reason::Malformed,
        format!(
            "unknown VR {} at byte {pos} (explicit VR expected)",
            vr_text(vr)
        ),
    )
}

pub(super) const VR_UNKNOWN: u8 = 0;
pub(super) const VR_SHORT: u8 = 1;
pub(super) const VR_LONG: u8 = 2;

/// Every pair of bytes: unknown, a VR with a 2-byte length, or a VR with a reserved field
/// and a 4-byte length (PS3.5 Table 6.2-1, 7.1.2). A table, because this is asked for every
/// element of every file, indexed by the two bytes as one number (`vr_index`): one load,
/// where a table of letter pairs took a subtraction per letter and a range check first
/// (64 KiB, of which an SR touches the few lines of the VRs it uses).
static VR_CLASSES: [u8; 1 << 16] = {
    const SHORT: [&[u8; 2]; 21] = [
        b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO", b"LT", b"PN",
        b"SH", b"SL", b"SS", b"ST", b"TM", b"UI", b"UL", b"US",
    ];
    const LONG: [&[u8; 2]; 13] = [
        b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV",
    ];
    let mut table = [VR_UNKNOWN; 1 << 16];
    let mut i = 0;
    while i < SHORT.len() {
        table[vr_index(*SHORT[i])] = VR_SHORT;
        i += 1;
    }
    let mut i = 0;
    while i < LONG.len() {
        table[vr_index(*LONG[i])] = VR_LONG;
        i += 1;
    }
    table
};

/// A VR's two bytes as the index of `VR_CLASSES`.
#[inline(always)]
const fn vr_index(vr: [u8; 2]) -> usize {
    u16::from_le_bytes(vr) as usize
}

#[inline(always)]
pub(super) fn vr_class(vr: [u8; 2]) -> u8 {
    VR_CLASSES[vr_index(vr)]
}

fn vr_text(vr: [u8; 2]) -> String {
    if vr.iter().all(u8::is_ascii_graphic) {
        format!("{:?}", String::from_utf8_lossy(&vr))
    } else {
        format!("bytes {:02X} {:02X}", vr[0], vr[1])
    }
}

/// VRs with a 2-byte reserved field and a 4-byte length in explicit syntaxes (PS3.5 7.1.2).
#[inline(always)]
pub(super) fn has_long_length(vr: [u8; 2]) -> bool {
    vr_class(vr) == VR_LONG
}

/// Whether the element opens a sequence: SQ, UN of undefined length (PS3.5 6.2.2), or in
/// implicit VR an undefined length or a value that starts with an item (`implicit_sequence`).
/// `bytes` are the data set's (only an implicit VR value's first 8 bytes are looked at).
#[inline(always)]
pub(super) fn opens_sequence(tag: Tag, header: &Header, bytes: &[u8]) -> bool {
    match header.vr {
        Some(vr) => &vr == b"SQ" || (&vr == b"UN" && header.length == UNDEFINED),
        None => {
            header.length == UNDEFINED
                || implicit_sequence(tag, &bytes[header.value_start.min(bytes.len())..])
        }
    }
}

/// Whether a defined-length element of an implicit-VR data set is a sequence. A sequence's
/// value starts with an item tag (or is empty), so only such values cost a dictionary
/// lookup; an unknown (private) tag whose value starts with an item tag is walked as a
/// sequence too, so that its nesting is checked like any other.
pub(super) fn implicit_sequence(tag: Tag, value: &[u8]) -> bool {
    if value.len() < 8 || value[..4] != [0xFE, 0xFF, 0x00, 0xE0] {
        return false;
    }
    StandardDataDictionary
        .by_tag(tag)
        .is_none_or(|entry| matches!(entry.vr(), VirtualVr::Exact(VR::SQ)))
}

/// Whether a leaf value may be bytes that no reader here uses (pixel data, waveforms,
/// private blobs): the binary VRs (PS3.5 Table 6.2-1: OB, OD, OF, OL, OV, OW), and, where the
/// VR says nothing (implicit VR, or UN: a value its sender did not know), the tags whose
/// dictionary VR is binary (OB/OW for pixel data, US/OW for LUT data) or that the dictionary
/// does not know (private tags). Text VRs never are, nor a known text tag sent as UN: a GE
/// ImageComments XML is text.
pub(super) fn binary_value(tag: Tag, vr: Option<[u8; 2]>) -> bool {
    match vr {
        Some(vr) if &vr != b"UN" => matches!(&vr, b"OB" | b"OD" | b"OF" | b"OL" | b"OV" | b"OW"),
        _ => StandardDataDictionary
            .by_tag(tag)
            .is_none_or(|entry| match entry.vr() {
                VirtualVr::Exact(vr) => matches!(
                    vr,
                    VR::OB | VR::OD | VR::OF | VR::OL | VR::OV | VR::OW | VR::UN
                ),
                VirtualVr::Ox | VirtualVr::Px | VirtualVr::Lt => true,
                _ => false,
            }),
    }
}

/// The element cap's error, the same from the walk and from the head reader.
#[cold]
#[inline(never)]
pub(super) fn too_many_elements(max: usize) -> FileError {
    FileError::new(Reason::Malformed, format!("more than {max} data elements"))
}

#[cold]
#[inline(never)]
pub(super) fn truncated_at(pos: usize) -> FileError {
    FileError::new(
        Reason::Truncated,
        format!("file ends inside an element header at byte {pos}"),
    )
}

pub(super) fn uid_text(value: &[u8]) -> String {
    String::from_utf8_lossy(value)
        .trim_end_matches(['\0', ' '])
        .trim_start()
        .to_string()
}

/// `(gggg,eeee)` as DICOM documents write tags.
pub(crate) fn fmt_tag(tag: Tag) -> String {
    format!("({:04X},{:04X})", tag.group(), tag.element())
}

#[inline(always)]
pub(super) fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("a 2-byte slice"))
}

#[inline(always)]
pub(super) fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("a 4-byte slice"))
}

#[inline(always)]
pub(super) fn read16(b: &[u8], at: usize, endian: Endian) -> u16 {
    match endian {
        Endian::Little => le16(b, at),
        Endian::Big => u16::from_be_bytes(b[at..at + 2].try_into().expect("a 2-byte slice")),
    }
}

#[inline(always)]
pub(super) fn read32(b: &[u8], at: usize, endian: Endian) -> u32 {
    match endian {
        Endian::Little => le32(b, at),
        Endian::Big => u32::from_be_bytes(b[at..at + 4].try_into().expect("a 4-byte slice")),
    }
}

/// Overwrites the 4-byte number at `at` (a length the head reader patches).
pub(super) fn write32(b: &mut [u8], at: usize, value: u32, endian: Endian) {
    let bytes = match endian {
        Endian::Little => value.to_le_bytes(),
        Endian::Big => value.to_be_bytes(),
    };
    b[at..at + 4].copy_from_slice(&bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_values_by_vr_and_by_dictionary() {
        assert!(binary_value(Tag(0x7FE0, 0x0010), Some(*b"OW")));
        assert!(binary_value(Tag(0x0019, 0x1000), Some(*b"UN")));
        assert!(!binary_value(Tag(0x0020, 0x4000), Some(*b"LT")));
        // A known text tag its sender wrote as UN stays text.
        assert!(!binary_value(Tag(0x0020, 0x4000), Some(*b"UN")));
        assert!(binary_value(Tag(0x7FE0, 0x0010), Some(*b"UN")));
        assert!(!binary_value(Tag(0x0040, 0xA160), Some(*b"UT")));
        // Implicit VR: pixel data (OB or OW), a private tag, ImageComments (LT).
        assert!(binary_value(Tag(0x7FE0, 0x0010), None));
        assert!(binary_value(Tag(0x0019, 0x1000), None));
        assert!(!binary_value(Tag(0x0020, 0x4000), None));
    }

    /// The table against the two lists of PS3.5 Table 6.2-1 (7.1.2), for every pair of
    /// bytes.
    #[test]
    fn vr_classes_for_every_pair_of_bytes() {
        const SHORT: &str = "AE AS AT CS DA DS DT FD FL IS LO LT PN SH SL SS ST TM UI UL US";
        const LONG: &str = "OB OD OF OL OV OW SQ SV UC UN UR UT UV";
        for first in 0..=255u8 {
            for second in 0..=255u8 {
                let pair = [first, second];
                let named = |list: &str| list.split(' ').any(|vr| vr.as_bytes() == pair);
                let expected = if named(SHORT) {
                    VR_SHORT
                } else if named(LONG) {
                    VR_LONG
                } else {
                    VR_UNKNOWN
                };
                assert_eq!(vr_class(pair), expected, "{pair:?}");
            }
        }
    }

    #[test]
    fn lengths_are_patched_in_either_byte_order() {
        let mut bytes = [0u8; 8];
        write32(&mut bytes, 2, 0x0102_0304, Endian::Big);
        assert_eq!(read32(&bytes, 2, Endian::Big), 0x0102_0304);
        assert_eq!(bytes[2..6], [1, 2, 3, 4]);
        write32(&mut bytes, 2, 7, Endian::Little);
        assert_eq!(le32(&bytes, 2), 7);
    }
}
