//! What a file says before its data set: the transfer syntax in its file meta group (or,
//! for a bare data set, guessed from its first element). The head reader (`head`) and the
//! whole-file reader (`file`) both need it, and neither imports the other for it.

use dicom_core::Tag;
use dicom_core::header::VR;

use super::Endian;
use super::header::{
    UNDEFINED, fmt_tag, has_long_length, le16, le32, read_explicit_header, uid_text,
};
use crate::error::{FileError, Reason};

/// The four transfer syntaxes an SR may use (docs/sr-reading.md), plus the encapsulated ones an
/// image may use: their data sets are explicit VR little endian too (PS3.5 A.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// 1.2.840.10008.1.2.1 and every encapsulated (compressed pixel data) syntax.
    ExplicitLe,
    /// 1.2.840.10008.1.2, and files without a meta group.
    ImplicitLe,
    /// 1.2.840.10008.1.2.1.99: the data set is a raw deflate stream.
    DeflatedExplicitLe,
    /// 1.2.840.10008.1.2.2 (retired, still found in old archives).
    ExplicitBe,
}

impl Syntax {
    fn from_uid(uid: &str) -> Syntax {
        match uid {
            "1.2.840.10008.1.2" => Syntax::ImplicitLe,
            "1.2.840.10008.1.2.1.99" => Syntax::DeflatedExplicitLe,
            "1.2.840.10008.1.2.2" => Syntax::ExplicitBe,
            _ => Syntax::ExplicitLe,
        }
    }

    /// A short name for messages and `inspect`.
    pub fn name(self) -> &'static str {
        match self {
            Syntax::ExplicitLe => "explicit VR little endian",
            Syntax::ImplicitLe => "implicit VR little endian",
            Syntax::DeflatedExplicitLe => "deflated explicit VR little endian",
            Syntax::ExplicitBe => "explicit VR big endian",
        }
    }
}

const TS_UID: Tag = Tag(0x0002, 0x0010);
const MEDIA_SOP_CLASS_UID: Tag = Tag(0x0002, 0x0002);

/// What the file meta group says.
pub(super) struct Meta {
    pub(super) syntax: Syntax,
    /// Where the data set starts.
    pub(super) end: usize,
    pub(super) media_sop_class: Option<String>,
}

/// The file meta group is always explicit VR little endian (PS3.10 7.1).
pub(super) fn read_meta(bytes: &[u8], start: usize) -> Result<Meta, FileError> {
    let mut pos = start;
    let mut ts_uid = None;
    let mut media_sop_class = None;
    loop {
        if pos + 4 > bytes.len() {
            if pos == bytes.len() && ts_uid.is_some() {
                // A meta group and nothing after it: an empty data set.
                break;
            }
            return Err(FileError::new(
                Reason::Truncated,
                format!("file ends inside the file meta group at byte {pos}"),
            ));
        }
        let tag = Tag(le16(bytes, pos), le16(bytes, pos + 2));
        if tag.group() != 0x0002 {
            break;
        }
        let header = read_explicit_header(bytes, pos, Endian::Little)
            .map_err(|e| FileError::new(e.reason, format!("file meta group: {}", e.message)))?;
        let value_end = header.value_start + header.length as usize;
        if header.length == UNDEFINED || value_end > bytes.len() {
            return Err(FileError::new(
                if header.length == UNDEFINED {
                    Reason::Malformed
                } else {
                    Reason::Truncated
                },
                format!(
                    "file meta element {} declares {} bytes, {} left",
                    fmt_tag(tag),
                    header.length,
                    bytes.len() - header.value_start
                ),
            ));
        }
        let value = &bytes[header.value_start..value_end];
        if tag == TS_UID {
            ts_uid = Some(uid_text(value));
        } else if tag == MEDIA_SOP_CLASS_UID {
            media_sop_class = Some(uid_text(value));
        }
        pos = value_end;
    }
    let ts_uid = ts_uid.ok_or_else(|| {
        FileError::new(
            Reason::Malformed,
            "file meta group has no Transfer Syntax UID (0002,0010)",
        )
    })?;
    Ok(Meta {
        syntax: Syntax::from_uid(&ts_uid),
        end: pos,
        media_sop_class,
    })
}

/// Old archives hold bare data sets with neither preamble nor meta group. Accept one only
/// when its first element is a plausible group 0x0008 element, the group every composite
/// object starts with in practice, so that random bytes are not mistaken for DICOM.
/// `bytes` are the first bytes of a file of `total` bytes.
pub(super) fn sniff_raw_dataset(bytes: &[u8], total: usize) -> Option<Syntax> {
    if bytes.len() < 8 || le16(bytes, 0) != 0x0008 {
        return None;
    }
    let vr = [bytes[4], bytes[5]];
    if VR::from_binary(vr).is_some() {
        let length = if has_long_length(vr) {
            (bytes.len() >= 12).then(|| le32(bytes, 8))?
        } else {
            u32::from(le16(bytes, 6))
        };
        return (length as usize <= total).then_some(Syntax::ExplicitLe);
    }
    let length = le32(bytes, 4);
    (length as usize <= total - 8).then_some(Syntax::ImplicitLe)
}
