//! Reading one SR file: the defensive pre-scan (`prescan`), the parse through dicom-object,
//! and the content tree flattened into a list (`tree`). Nothing here knows about DXA: this
//! is the generic SR reader of sr-shapes.md ("Reading the tree").

pub mod prescan;
pub mod tree;

use dicom_core::dictionary::UidDictionary;
use dicom_dictionary_std::StandardSopClassDictionary;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use crate::error::{FileError, Reason};
pub use prescan::{Limits, Syntax};
pub use tree::{Code, ContentItem, ContentTree, ItemValue};

/// Every SR storage SOP class shares this root (PS3.4 B.5: Basic Text, Enhanced,
/// Comprehensive, Comprehensive 3D, Extensible SR, ...).
const SR_SOP_CLASS_ROOT: &str = "1.2.840.10008.5.1.4.1.1.88.";

/// An SR file that passed the pre-scan and parsed.
pub struct SrFile {
    /// The syntax the file declared.
    pub syntax: Syntax,
    /// Whether the file had the 128-byte preamble.
    pub preamble: bool,
    /// Whether the file had a file meta group.
    pub meta: bool,
    /// The SOP Class UID.
    pub sop_class_uid: String,
    /// The parsed data set.
    pub object: InMemDicomObject,
}

/// Whether a SOP Class UID is one of the SR storage classes.
pub fn is_sr_class(uid: &str) -> bool {
    uid.starts_with(SR_SOP_CLASS_ROOT)
}

/// Pre-scans and parses `bytes` as an SR. Non-SR DICOM is `skipped/not_sr` without a parse.
pub fn read_sr(bytes: &[u8], limits: &Limits) -> Result<SrFile, FileError> {
    let scanned = prescan::prescan(bytes, limits, is_sr_class)?;
    let sop_class_uid = match scanned.sop_class_uid {
        Some(uid) if is_sr_class(&uid) => uid,
        Some(uid) => {
            return Err(FileError::new(
                Reason::NotSr,
                format!("{} ({uid})", sop_class_name(&uid)),
            ));
        }
        None => {
            return Err(FileError::new(
                Reason::NotSr,
                "DICOM without a SOP Class UID",
            ));
        }
    };
    let ts_uid = match scanned.dataset_syntax {
        Syntax::ExplicitLe | Syntax::DeflatedExplicitLe => "1.2.840.10008.1.2.1",
        Syntax::ImplicitLe => "1.2.840.10008.1.2",
        Syntax::ExplicitBe => "1.2.840.10008.1.2.2",
    };
    let ts = TransferSyntaxRegistry
        .get(ts_uid)
        .expect("the three native transfer syntaxes are always registered");
    let object = InMemDicomObject::read_dataset_with_ts(&scanned.dataset[..], ts).map_err(|e| {
        FileError::new(
            Reason::Malformed,
            format!("dicom-rs could not read the data set: {}", error_chain(&e)),
        )
    })?;
    Ok(SrFile {
        syntax: scanned.syntax,
        preamble: scanned.preamble,
        meta: scanned.meta,
        sop_class_uid,
        object,
    })
}

/// The standard name of a SOP class, or "unknown SOP class".
pub fn sop_class_name(uid: &str) -> &'static str {
    StandardSopClassDictionary
        .by_uid(uid)
        .map_or("unknown SOP class", |entry| entry.name)
}

/// "a: b: c" from an error and its sources; dicom-rs's top-level Display is terse
/// ("Could not read data set token"), the detail is in the chain (dicom-rs-notes.md).
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
