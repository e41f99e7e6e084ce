//! Bytes from a peer are input like any file: they are checked by the scan's own element walk
//! (`sr::dataset::scan_file`: declared lengths within the bytes, nesting and element counts
//! capped) before anything else reads them. dicom-object's parser reserves an element's
//! declared length before checking that the bytes exist and recurses once per nested
//! sequence, so unchecked bytes could abort the process (docs/network.md, "Hostile peers").
//!
//! Three kinds of bytes arrive: command sets (always implicit VR little endian, PS3.7 6.3.1),
//! identifiers of C-FIND responses, and the data sets of C-STORE requests. The first two are
//! small and parsed by dicom-object once checked; a stored data set is only indexed (its
//! SOP Class, SOP Instance and Study Instance UIDs) and written as received.

use dicom_core::Tag;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::InMemDicomObject;
use dicom_object::meta::FileMetaTableBuilder;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use crate::error::{FileError, Reason};
use crate::sr::Limits;
use crate::sr::dataset::scan_file;

/// Implicit VR little endian: commands, and the transfer syntax every peer must support.
pub const IMPLICIT_VR_LE: &str = "1.2.840.10008.1.2";
/// Explicit VR little endian.
pub const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";
/// Deflated explicit VR little endian.
pub const DEFLATED_EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1.99";
/// Explicit VR big endian (retired, still sent by old devices).
pub const EXPLICIT_VR_BE: &str = "1.2.840.10008.1.2.2";

/// Implementation Class UID of the files we write (PS3.7 D.3.3.2): a UUID-derived UID
/// (PS3.5 B.2), fixed for dxa-ingest.
pub const IMPLEMENTATION_CLASS_UID: &str = "2.25.208302934781958245614094539870213870497";

/// Implementation Version Name (at most 16 characters, PS3.7 D.3.3.2.2).
pub fn implementation_version_name() -> String {
    let mut name = format!("DXA_INGEST_{}", env!("CARGO_PKG_VERSION"));
    name.truncate(16);
    name
}

/// Command sets are a few hundred bytes (PS3.7 E.1); a larger one is not a command.
pub const MAX_COMMAND_BYTES: usize = 64 * 1024;
/// C-FIND identifiers are small; a response larger than this is refused.
pub const MAX_IDENTIFIER_BYTES: usize = 4 * 1024 * 1024;

const SOP_CLASS_UID: Tag = Tag(0x0008, 0x0016);
const SOP_INSTANCE_UID: Tag = Tag(0x0008, 0x0018);
const STUDY_INSTANCE_UID: Tag = Tag(0x0020, 0x000D);

/// The file bytes of a received object: preamble, file meta group, then the data set
/// exactly as received (PS3.10 7.1). `source_ae` is the sender's AE title. The data set's
/// buffer becomes the file's: a large object is moved, not copied.
pub fn part10_file(
    transfer_syntax: &str,
    sop_class: &str,
    sop_instance: &str,
    source_ae: &str,
    dataset: Vec<u8>,
) -> Result<Vec<u8>, FileError> {
    let mut meta = FileMetaTableBuilder::new()
        .media_storage_sop_class_uid(sop_class)
        .media_storage_sop_instance_uid(sop_instance)
        .transfer_syntax(transfer_syntax)
        .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
        .implementation_version_name(implementation_version_name());
    if !source_ae.is_empty() {
        meta = meta.source_application_entity_title(source_ae);
    }
    let meta = meta
        .build()
        .map_err(|e| FileError::new(Reason::Malformed, format!("file meta group: {e}")))?;
    let mut header = Vec::with_capacity(132 + 256);
    header.extend_from_slice(&[0; 128]);
    header.extend_from_slice(b"DICM");
    meta.write(&mut header)
        .map_err(|e| FileError::new(Reason::Malformed, format!("file meta group: {e}")))?;
    let mut file = dataset;
    // In place: the data set moves up by the header's length within its own buffer.
    file.splice(0..0, header);
    Ok(file)
}

/// The identity of a stored object, read from its data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectIds {
    /// (0008,0016).
    pub sop_class: String,
    /// (0008,0018).
    pub sop_instance: String,
    /// (0020,000D): the archive folder.
    pub study_instance: String,
}

/// Checks a Part 10 file's bytes with the scan's walk and reads its three UIDs.
pub fn object_ids(file: &[u8], limits: &Limits) -> Result<ObjectIds, FileError> {
    let mut inflated = Vec::new();
    let scanned = scan_file(file, limits, &mut inflated)?;
    let root = scanned.dataset.root();
    let text = |tag: Tag, name: &str| {
        root.text(tag, false)
            .map(|t| t.into_owned())
            .ok_or_else(|| FileError::new(Reason::Malformed, format!("no {name}")))
    };
    Ok(ObjectIds {
        sop_class: text(SOP_CLASS_UID, "SOP Class UID (0008,0016)")?,
        sop_instance: text(SOP_INSTANCE_UID, "SOP Instance UID (0008,0018)")?,
        study_instance: text(STUDY_INSTANCE_UID, "Study Instance UID (0020,000D)")?,
    })
}

/// Errors reading a command or an identifier: the peer broke the protocol.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Larger than any such message should be.
    #[error("{what} of {size} bytes is larger than the {limit}-byte limit")]
    TooLarge {
        /// Command or identifier.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The walk refused the bytes.
    #[error("{what} is not a valid data set: {message}")]
    Invalid {
        /// Command or identifier.
        what: &'static str,
        /// Why.
        message: String,
    },
    /// A transfer syntax we did not negotiate or cannot read.
    #[error("unknown transfer syntax {0}")]
    TransferSyntax(String),
}

/// Parses a command set (implicit VR little endian) once checked.
pub fn parse_command(bytes: &[u8]) -> Result<InMemDicomObject, WireError> {
    parse_checked("command set", IMPLICIT_VR_LE, bytes, MAX_COMMAND_BYTES)
}

/// Parses an identifier (C-FIND response) in the presentation context's transfer syntax.
pub fn parse_identifier(
    transfer_syntax: &str,
    bytes: &[u8],
) -> Result<InMemDicomObject, WireError> {
    parse_checked("identifier", transfer_syntax, bytes, MAX_IDENTIFIER_BYTES)
}

fn parse_checked(
    what: &'static str,
    transfer_syntax: &str,
    bytes: &[u8],
    limit: usize,
) -> Result<InMemDicomObject, WireError> {
    if bytes.len() > limit {
        return Err(WireError::TooLarge {
            what,
            size: bytes.len(),
            limit,
        });
    }
    // A deflated data set needs the file-level inflater: identifiers never use it (queries
    // propose only the two little endian syntaxes, `association::QUERY_SYNTAXES`).
    let ts = TransferSyntaxRegistry
        .get(transfer_syntax)
        .filter(|ts| !ts.is_unsupported() && transfer_syntax != DEFLATED_EXPLICIT_VR_LE)
        .ok_or_else(|| WireError::TransferSyntax(transfer_syntax.to_string()))?;
    let invalid = |message: String| WireError::Invalid { what, message };
    let file =
        part10_file(transfer_syntax, "", "", "", bytes.to_vec()).map_err(|e| invalid(e.message))?;
    let limits = Limits {
        max_file_bytes: (limit + 4096) as u64,
        ..Limits::default()
    };
    let mut inflated = Vec::new();
    scan_file(&file, &limits, &mut inflated).map_err(|e| invalid(e.message))?;
    InMemDicomObject::read_dataset_with_ts(bytes, ts)
        .map_err(|e| invalid(crate::sr::error_chain(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_dictionary_std::tags;

    fn explicit_le(obj: &InMemDicomObject) -> Vec<u8> {
        let ts = TransferSyntaxRegistry.get(EXPLICIT_VR_LE).unwrap();
        let mut out = Vec::new();
        obj.write_dataset_with_ts(&mut out, ts).unwrap();
        out
    }

    #[test]
    fn object_ids_come_from_the_data_set() {
        let obj = InMemDicomObject::from_element_iter([
            DataElement::new(tags::SOP_CLASS_UID, VR::UI, PrimitiveValue::from("1.2.3")),
            DataElement::new(
                tags::SOP_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from("1.2.3.4"),
            ),
            DataElement::new(
                tags::STUDY_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from("1.2.5"),
            ),
        ]);
        let file = part10_file(
            EXPLICIT_VR_LE,
            "1.2.3",
            "1.2.3.4",
            "SCANNER",
            explicit_le(&obj),
        )
        .unwrap();
        assert_eq!(&file[128..132], b"DICM");
        let ids = object_ids(&file, &Limits::default()).unwrap();
        assert_eq!(ids.sop_instance, "1.2.3.4");
        assert_eq!(ids.study_instance, "1.2.5");
        // The file reads back with dicom-object, meta included.
        let back = dicom_object::OpenFileOptions::new()
            .from_reader(&file[128..])
            .unwrap();
        assert_eq!(
            back.meta().source_application_entity_title(),
            Some("SCANNER")
        );
        assert_eq!(back.meta().transfer_syntax(), EXPLICIT_VR_LE);
    }

    #[test]
    fn a_lying_length_is_refused_before_parsing() {
        // (0008,0018) UI declaring 0xF000 bytes with 4 present: dicom-object would reserve.
        let mut bytes = vec![0x08, 0x00, 0x18, 0x00, b'U', b'I', 0x00, 0xF0];
        bytes.extend_from_slice(b"1.2\0");
        assert!(matches!(
            parse_identifier(EXPLICIT_VR_LE, &bytes),
            Err(WireError::Invalid { .. })
        ));
        let huge = vec![0u8; MAX_COMMAND_BYTES + 1];
        assert!(matches!(
            parse_command(&huge),
            Err(WireError::TooLarge { .. })
        ));
    }

    #[test]
    fn commands_parse_once_checked() {
        let command = InMemDicomObject::command_from_element_iter([
            DataElement::new(
                tags::COMMAND_FIELD,
                VR::US,
                PrimitiveValue::from(0x0030_u16),
            ),
            DataElement::new(tags::MESSAGE_ID, VR::US, PrimitiveValue::from(7_u16)),
            DataElement::new(
                tags::COMMAND_DATA_SET_TYPE,
                VR::US,
                PrimitiveValue::from(0x0101_u16),
            ),
        ]);
        let ts = TransferSyntaxRegistry.get(IMPLICIT_VR_LE).unwrap();
        let mut bytes = Vec::new();
        command.write_dataset_with_ts(&mut bytes, ts).unwrap();
        let back = parse_command(&bytes).unwrap();
        assert_eq!(
            back.get(tags::MESSAGE_ID).unwrap().to_int::<u16>().unwrap(),
            7
        );
    }

    #[test]
    fn version_name_fits() {
        assert!(implementation_version_name().len() <= 16);
        assert!(implementation_version_name().starts_with("DXA_INGEST_"));
    }
}
