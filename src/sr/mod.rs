//! Reading one SR file: the checked, indexing walk over its bytes (`dataset`), and the
//! content tree flattened into a list (`tree`). Nothing here knows about DXA: this is the
//! generic SR reader of docs/sr-reading.md ("Reading the tree").
//!
//! Two readers give the same tree: the in-place index (the product's reader) and
//! dicom-object (the reference that tests compare it with; see `dataset` for why the
//! product never hands file bytes to dicom-object's parser).

pub mod dataset;
pub mod tree;

use dicom_core::dictionary::UidDictionary;
use dicom_dictionary_std::StandardSopClassDictionary;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use crate::error::{FileError, Reason};
pub use dataset::{Charset, DataSet, Limits, Node, Syntax};
pub use tree::{Code, ContentItem, ContentTree, Decoded, ItemValue, SrNode};

/// Every SR storage SOP class shares this root (PS3.4 B.5: Basic Text, Enhanced,
/// Comprehensive, Comprehensive 3D, Extensible SR, ...).
const SR_SOP_CLASS_ROOT: &str = "1.2.840.10008.5.1.4.1.1.88.";

/// Which reader builds the content tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The in-place index built by the checked walk: what `scan` and `inspect` use.
    Index,
    /// dicom-object, on bytes the walk accepted: the reference for differential tests.
    /// Not hardened: its parser can still read checked bytes differently (fuzz/README.md).
    DicomObject,
}

/// The parsed data set, by reader.
#[derive(Debug)]
pub enum Body<'a> {
    /// Indexed in place.
    Indexed(DataSet<'a>),
    /// Parsed by dicom-object.
    Object(InMemDicomObject),
}

/// An SR file that passed the checks and was read.
#[derive(Debug)]
pub struct SrFile<'a> {
    /// The syntax the file declared.
    pub syntax: Syntax,
    /// Whether the file had the 128-byte preamble.
    pub preamble: bool,
    /// Whether the file had a file meta group.
    pub meta: bool,
    /// The SOP Class UID.
    pub sop_class_uid: String,
    /// The data set.
    pub body: Body<'a>,
}

/// Whether a SOP Class UID is one of the SR storage classes.
pub fn is_sr_class(uid: &str) -> bool {
    uid.starts_with(SR_SOP_CLASS_ROOT)
}

/// A checked DICOM file of any SOP class.
#[derive(Debug)]
pub struct DicomFile<'a> {
    /// The syntax the file declared.
    pub syntax: Syntax,
    /// Whether the file had the 128-byte preamble.
    pub preamble: bool,
    /// Whether the file had a file meta group.
    pub meta: bool,
    /// The SOP Class UID, when the file has one.
    pub sop_class_uid: Option<String>,
    /// The data set, indexed in place (whatever the reader: only SRs are compared).
    pub dataset: DataSet<'a>,
    /// The data set bytes and how they are encoded, for dicom-object.
    bytes: &'a [u8],
    dataset_syntax: Syntax,
}

/// Checks and indexes `bytes` whatever their SOP class: a non-SR object (a report image)
/// may carry results in a private element (docs/evidence.md), so its top level is walked
/// too. A deflated data set is inflated into `inflated`.
pub fn read_dicom<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    inflated: &'a mut Vec<u8>,
) -> Result<DicomFile<'a>, FileError> {
    let scanned = dataset::scan_file(bytes, limits, inflated)?;
    Ok(DicomFile {
        syntax: scanned.syntax,
        preamble: scanned.preamble,
        meta: scanned.meta,
        sop_class_uid: scanned.sop_class_uid,
        dataset: scanned.dataset,
        bytes: scanned.bytes,
        dataset_syntax: scanned.dataset_syntax,
    })
}

/// Why a checked file is not an SR: `skipped/not_sr` naming its SOP class.
pub fn not_sr(sop_class_uid: Option<&str>) -> FileError {
    match sop_class_uid {
        Some(uid) => FileError::new(Reason::NotSr, format!("{} ({uid})", sop_class_name(uid))),
        None => FileError::new(Reason::NotSr, "DICOM without a SOP Class UID"),
    }
}

impl<'a> DicomFile<'a> {
    /// The file as an SR, read by `reader`; `not_sr` for any other SOP class.
    pub fn into_sr(self, reader: Reader) -> Result<SrFile<'a>, FileError> {
        let sop_class_uid = match self.sop_class_uid {
            Some(uid) if is_sr_class(&uid) => uid,
            other => return Err(not_sr(other.as_deref())),
        };
        let body = match reader {
            Reader::Index => Body::Indexed(self.dataset),
            Reader::DicomObject => {
                Body::Object(parse_with_dicom_object(self.bytes, self.dataset_syntax)?)
            }
        };
        Ok(SrFile {
            syntax: self.syntax,
            preamble: self.preamble,
            meta: self.meta,
            sop_class_uid,
            body,
        })
    }
}

/// Checks and reads `bytes` as an SR; any other DICOM object is `skipped/not_sr`. A
/// deflated data set is inflated into `inflated`.
pub fn read_sr<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    inflated: &'a mut Vec<u8>,
    reader: Reader,
) -> Result<SrFile<'a>, FileError> {
    read_dicom(bytes, limits, inflated)?.into_sr(reader)
}

/// dicom-object on bytes the walk has checked (the reference reader of the tests).
fn parse_with_dicom_object(data: &[u8], syntax: Syntax) -> Result<InMemDicomObject, FileError> {
    let ts_uid = match syntax {
        Syntax::ExplicitLe | Syntax::DeflatedExplicitLe => "1.2.840.10008.1.2.1",
        Syntax::ImplicitLe => "1.2.840.10008.1.2",
        Syntax::ExplicitBe => "1.2.840.10008.1.2.2",
    };
    let ts = TransferSyntaxRegistry
        .get(ts_uid)
        .expect("the three native transfer syntaxes are always registered");
    InMemDicomObject::read_dataset_with_ts(data, ts).map_err(|e| {
        FileError::new(
            Reason::Malformed,
            format!("dicom-rs could not read the data set: {}", error_chain(&e)),
        )
    })
}

/// The standard name of a SOP class, or "unknown SOP class".
pub fn sop_class_name(uid: &str) -> &'static str {
    StandardSopClassDictionary
        .by_uid(uid)
        .map_or("unknown SOP class", |entry| entry.name)
}

/// "a: b: c" from an error and its sources; dicom-rs's top-level Display is terse
/// ("Could not read data set token"), the detail is in the chain (docs/dicom.md).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}
