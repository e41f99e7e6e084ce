//! Transfer syntaxes, file framing (preamble / meta group) and small
//! element-building helpers shared by every generator.

use dicom_core::value::{DataSetSequence, PrimitiveValue};
use dicom_core::{DataElement, Tag, VR};
use dicom_object::mem::InMemElement;
use dicom_object::{FileDicomObject, FileMetaTableBuilder, InMemDicomObject};

use crate::header::{IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME};

/// Transfer syntax of a written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ts {
    /// Explicit VR Little Endian, `1.2.840.10008.1.2.1`.
    ExplicitLe,
    /// Implicit VR Little Endian, `1.2.840.10008.1.2`.
    ImplicitLe,
    /// Deflated Explicit VR Little Endian, `1.2.840.10008.1.2.1.99`.
    DeflatedExplicitLe,
    /// Explicit VR Big Endian (retired), `1.2.840.10008.1.2.2`.
    ExplicitBe,
}

impl Ts {
    /// All four transfer syntaxes, in declaration order.
    pub const ALL: [Ts; 4] = [
        Ts::ExplicitLe,
        Ts::ImplicitLe,
        Ts::DeflatedExplicitLe,
        Ts::ExplicitBe,
    ];

    /// The transfer syntax UID.
    pub fn uid(self) -> &'static str {
        match self {
            Ts::ExplicitLe => "1.2.840.10008.1.2.1",
            Ts::ImplicitLe => "1.2.840.10008.1.2",
            Ts::DeflatedExplicitLe => "1.2.840.10008.1.2.1.99",
            Ts::ExplicitBe => "1.2.840.10008.1.2.2",
        }
    }

    /// A short human readable name (used in manifests and the README).
    pub fn short_name(self) -> &'static str {
        match self {
            Ts::ExplicitLe => "Explicit VR LE",
            Ts::ImplicitLe => "Implicit VR LE",
            Ts::DeflatedExplicitLe => "Deflated Explicit VR LE",
            Ts::ExplicitBe => "Explicit VR BE",
        }
    }
}

/// How a DICOM file is framed on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Encoding {
    /// Transfer syntax of the data set (the meta group is always explicit VR LE).
    pub ts: Ts,
    /// `true`: 128 zero bytes + `"DICM"` + meta group + data set (Part 10).
    /// `false`: the file starts directly with `"DICM"` + meta group.
    pub preamble: bool,
}

impl Encoding {
    /// Shorthand constructor.
    pub fn new(ts: Ts, preamble: bool) -> Self {
        Encoding { ts, preamble }
    }
}

impl Default for Encoding {
    /// Explicit VR Little Endian with preamble: a standard Part 10 file.
    fn default() -> Self {
        Encoding::new(Ts::ExplicitLe, true)
    }
}

/// Wrap a data set with a deterministic file meta group for `ts`.
///
/// # Panics
/// Panics when the UIDs are empty, which is a programming error in this crate.
pub fn file_object(
    dataset: InMemDicomObject,
    sop_class_uid: &str,
    sop_instance_uid: &str,
    ts: Ts,
) -> FileDicomObject<InMemDicomObject> {
    dataset
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(ts.uid())
                .media_storage_sop_class_uid(sop_class_uid)
                .media_storage_sop_instance_uid(sop_instance_uid)
                .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
                .implementation_version_name(IMPLEMENTATION_VERSION_NAME),
        )
        .expect("file meta table with all required UIDs")
}

/// Serialise a file object: optional preamble, `"DICM"`, meta group, data set
/// (in the transfer syntax recorded in the meta group).
///
/// # Panics
/// Panics if dicom-rs cannot encode the data set (e.g. a transfer syntax
/// without writer support), which would be a bug in this crate.
pub fn file_bytes(file: &FileDicomObject<InMemDicomObject>, preamble: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    if preamble {
        out.extend_from_slice(&[0u8; 128]);
    }
    out.extend_from_slice(b"DICM");
    file.write_meta(&mut out)
        .expect("writing the meta group into memory");
    file.write_dataset(&mut out)
        .expect("writing the data set into memory");
    out
}

/// Encode a data set as a complete file.
pub(crate) fn encode_file(
    dataset: InMemDicomObject,
    sop_class_uid: &str,
    sop_instance_uid: &str,
    enc: Encoding,
) -> Vec<u8> {
    let file = file_object(dataset, sop_class_uid, sop_instance_uid, enc.ts);
    file_bytes(&file, enc.preamble)
}

/// A text element (value written verbatim, padded to even length by dicom-rs).
pub(crate) fn text(tag: Tag, vr: VR, value: &str) -> InMemElement {
    DataElement::new(tag, vr, PrimitiveValue::from(value))
}

/// A zero-length element (type 2 attribute without value).
pub(crate) fn empty(tag: Tag, vr: VR) -> InMemElement {
    DataElement::new(tag, vr, PrimitiveValue::Empty)
}

/// A text element that is empty when `value` is `None`.
pub(crate) fn text_or_empty(tag: Tag, vr: VR, value: Option<&str>) -> InMemElement {
    match value {
        Some(v) => text(tag, vr, v),
        None => empty(tag, vr),
    }
}

/// An unsigned short element.
pub(crate) fn us(tag: Tag, value: u16) -> InMemElement {
    DataElement::new(tag, VR::US, PrimitiveValue::from(value))
}

/// A binary element (OB/OW/UN) holding raw bytes.
pub(crate) fn binary(tag: Tag, vr: VR, bytes: Vec<u8>) -> InMemElement {
    DataElement::new(tag, vr, PrimitiveValue::U8(bytes.into()))
}

/// A sequence element with (undefined length) items.
pub(crate) fn seq(tag: Tag, items: Vec<InMemDicomObject>) -> InMemElement {
    DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
}

/// Undefined length marker.
const UNDEFINED: u32 = 0xFFFF_FFFF;

/// Offsets of the first meta element after (0002,0000) and of the data set
/// in a Part 10 file (with or without preamble).
fn meta_bounds(file: &[u8]) -> Option<(usize, usize)> {
    let start = if file.get(128..132) == Some(b"DICM") {
        132
    } else if file.get(0..4) == Some(b"DICM") {
        4
    } else {
        return None;
    };
    if file.get(start..start + 6)? != [0x02, 0x00, 0x00, 0x00, b'U', b'L'] {
        return None;
    }
    let group_len = le_u32(file, start + 8)? as usize;
    Some((start + 12, start + 12 + group_len))
}

/// Offset of the data set in a Part 10 file (with or without preamble),
/// computed from the meta group's (0002,0000) group length.
pub fn dataset_offset(file: &[u8]) -> Option<usize> {
    meta_bounds(file).map(|(_, ds)| ds)
}

/// Re-encode a Part 10 **Explicit VR Little Endian** file so that every
/// sequence and item has an explicit (defined) length instead of
/// undefined length + delimitation items (dicom-rs always writes the latter).
/// Returns `None` if the file is not explicit VR LE or cannot be parsed.
pub fn with_explicit_lengths(file: &[u8]) -> Option<Vec<u8>> {
    let ds = dataset_offset(file)?;
    if meta_transfer_syntax(file)? != Ts::ExplicitLe.uid() {
        return None;
    }
    let mut pos = 0;
    let body = relength_elements(&file[ds..], &mut pos, false)?;
    let mut out = file[..ds].to_vec();
    out.extend_from_slice(&body);
    Some(out)
}

/// The Transfer Syntax UID (0002,0010) of a Part 10 file, without padding.
pub fn meta_transfer_syntax(file: &[u8]) -> Option<String> {
    let (mut pos, ds) = meta_bounds(file)?;
    while pos + 8 <= ds {
        let elem = le_u16(file, pos + 2)?;
        let vr = file.get(pos + 4..pos + 6)?;
        let (header_len, len) = if matches!(vr, b"OB" | b"UN" | b"UT" | b"SQ" | b"UC" | b"UR") {
            (12, le_u32(file, pos + 8)? as usize)
        } else {
            (8, le_u16(file, pos + 6)? as usize)
        };
        let value = file.get(pos + header_len..pos + header_len + len)?;
        if elem == 0x0010 {
            let text = String::from_utf8_lossy(value);
            return Some(text.trim_end_matches(['\0', ' ']).to_string());
        }
        pos += header_len + len;
    }
    None
}

fn le_u16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn le_u32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// Copy elements until the end of `d` (or an item delimiter when `in_item`),
/// re-encoding sequences with defined lengths.
fn relength_elements(d: &[u8], pos: &mut usize, in_item: bool) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while *pos < d.len() {
        let (group, elem) = (le_u16(d, *pos)?, le_u16(d, *pos + 2)?);
        if in_item && (group, elem) == (0xFFFE, 0xE00D) {
            *pos += 8;
            return Some(out);
        }
        let vr = d.get(*pos + 4..*pos + 6)?;
        let long = matches!(
            vr,
            b"OB"
                | b"OD"
                | b"OF"
                | b"OL"
                | b"OV"
                | b"OW"
                | b"SQ"
                | b"SV"
                | b"UC"
                | b"UN"
                | b"UR"
                | b"UT"
                | b"UV"
        );
        let (header_len, len) = if long {
            (12, le_u32(d, *pos + 8)?)
        } else {
            (8, u32::from(le_u16(d, *pos + 6)?))
        };
        if vr == b"SQ" {
            let header = *pos;
            *pos += 12;
            let end = (len != UNDEFINED).then(|| *pos + len as usize);
            let items = relength_items(d, pos, end)?;
            let total: usize = items.iter().map(|i| 8 + i.len()).sum();
            out.extend_from_slice(&d[header..header + 8]);
            out.extend_from_slice(&u32::try_from(total).ok()?.to_le_bytes());
            for item in items {
                out.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
                out.extend_from_slice(&u32::try_from(item.len()).ok()?.to_le_bytes());
                out.extend_from_slice(&item);
            }
        } else {
            if len == UNDEFINED {
                return None; // encapsulated pixel data: not needed here
            }
            let end = *pos + header_len + len as usize;
            out.extend_from_slice(d.get(*pos..end)?);
            *pos = end;
        }
    }
    (!in_item).then_some(out)
}

/// Re-encode the items of a sequence whose value starts at `pos`.
fn relength_items(d: &[u8], pos: &mut usize, end: Option<usize>) -> Option<Vec<Vec<u8>>> {
    let mut items = Vec::new();
    loop {
        if end.is_some_and(|e| *pos >= e) {
            break;
        }
        match (le_u16(d, *pos)?, le_u16(d, *pos + 2)?) {
            (0xFFFE, 0xE0DD) if end.is_none() => {
                *pos += 8;
                break;
            }
            (0xFFFE, 0xE000) => {
                let len = le_u32(d, *pos + 4)?;
                *pos += 8;
                if len == UNDEFINED {
                    items.push(relength_elements(d, pos, true)?);
                } else {
                    let item_end = *pos + len as usize;
                    let mut p = 0;
                    items.push(relength_elements(d.get(*pos..item_end)?, &mut p, false)?);
                    *pos = item_end;
                }
            }
            _ => return None,
        }
    }
    Some(items)
}
