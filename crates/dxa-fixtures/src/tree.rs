//! Generic SR content tree and its serialisation to a DICOM SR document.

use std::collections::BTreeSet;
use std::path::Path;

use dicom_core::VR;
use dicom_dictionary_std::tags;
use dicom_object::mem::InMemElement;
use dicom_object::{FileDicomObject, InMemDicomObject};

use crate::encoding::{Encoding, Ts, encode_file, file_object, seq, text, text_or_empty};
use crate::header::Header;

/// Relationship type `CONTAINS`.
pub const CONTAINS: &str = "CONTAINS";
/// Relationship type `HAS OBS CONTEXT`.
pub const HAS_OBS_CONTEXT: &str = "HAS OBS CONTEXT";
/// Relationship type `HAS CONCEPT MOD`.
pub const HAS_CONCEPT_MOD: &str = "HAS CONCEPT MOD";
/// Relationship type `HAS PROPERTIES`.
pub const HAS_PROPERTIES: &str = "HAS PROPERTIES";

/// A coded concept: (CodeValue, CodingSchemeDesignator, CodeMeaning).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeDef {
    /// (0008,0100) Code Value (SH, at most 16 characters).
    pub value: String,
    /// (0008,0102) Coding Scheme Designator, e.g. `"DCM"`, `"LN"`, `"99HOLOGIC"`.
    pub scheme: String,
    /// (0008,0104) Code Meaning.
    pub meaning: String,
}

/// Shorthand for building a [`CodeDef`].
pub fn code(value: &str, scheme: &str, meaning: &str) -> CodeDef {
    CodeDef {
        value: value.to_string(),
        scheme: scheme.to_string(),
        meaning: meaning.to_string(),
    }
}

/// One SR content item. `rel` is the relationship type to the parent
/// (e.g. [`CONTAINS`]); it is ignored for the document root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// CONTAINER (always written with Continuity Of Content `SEPARATE`).
    Container {
        /// Relationship type to the parent.
        rel: &'static str,
        /// Concept name.
        concept: CodeDef,
        /// Child items, written in order.
        children: Vec<Item>,
    },
    /// NUM with one measured value.
    Num {
        /// Relationship type to the parent.
        rel: &'static str,
        /// Concept name.
        concept: CodeDef,
        /// Numeric Value (DS) written verbatim, e.g. `"0.930"` or `" +9.30E-1"`.
        value: String,
        /// Measurement units (normally UCUM).
        units: CodeDef,
    },
    /// CODE.
    Code {
        /// Relationship type to the parent.
        rel: &'static str,
        /// Concept name.
        concept: CodeDef,
        /// Concept code value.
        value: CodeDef,
    },
    /// TEXT.
    Text {
        /// Relationship type to the parent.
        rel: &'static str,
        /// Concept name.
        concept: CodeDef,
        /// Text value (UT).
        value: String,
    },
}

impl Item {
    /// A CONTAINER item.
    pub fn container(rel: &'static str, concept: CodeDef, children: Vec<Item>) -> Item {
        Item::Container {
            rel,
            concept,
            children,
        }
    }

    /// A NUM item.
    pub fn num(rel: &'static str, concept: CodeDef, value: &str, units: CodeDef) -> Item {
        Item::Num {
            rel,
            concept,
            value: value.to_string(),
            units,
        }
    }

    /// A CODE item.
    pub fn code(rel: &'static str, concept: CodeDef, value: CodeDef) -> Item {
        Item::Code {
            rel,
            concept,
            value,
        }
    }

    /// A TEXT item.
    pub fn text(rel: &'static str, concept: CodeDef, value: &str) -> Item {
        Item::Text {
            rel,
            concept,
            value: value.to_string(),
        }
    }

    /// The concept name of the item.
    pub fn concept(&self) -> &CodeDef {
        match self {
            Item::Container { concept, .. }
            | Item::Num { concept, .. }
            | Item::Code { concept, .. }
            | Item::Text { concept, .. } => concept,
        }
    }

    /// Children of a container (empty for other value types).
    pub fn children(&self) -> &[Item] {
        match self {
            Item::Container { children, .. } => children,
            _ => &[],
        }
    }

    /// Depth-first visit of this item and all descendants.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Item)) {
        f(self);
        for child in self.children() {
            child.walk(f);
        }
    }
}

/// A complete SR document: header plus content tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrDoc {
    /// Patient, study, series, equipment and SOP attributes.
    pub header: Header,
    /// Document root; must be an [`Item::Container`] (its concept is the title).
    pub root: Item,
}

/// Build the in-memory data set of an SR document (no meta group).
///
/// # Panics
/// Panics if `doc.root` is not a container.
pub fn sr_dataset(doc: &SrDoc) -> InMemDicomObject {
    let Item::Container {
        concept, children, ..
    } = &doc.root
    else {
        panic!("SrDoc::root must be an Item::Container");
    };
    let h = &doc.header;
    let mut elems = header_elements(h);
    let schemes = private_schemes(&doc.root);
    if !schemes.is_empty() {
        elems.push(seq(
            tags::CODING_SCHEME_IDENTIFICATION_SEQUENCE,
            schemes.iter().map(|s| scheme_item(s)).collect(),
        ));
    }
    elems.extend([
        text(tags::VALUE_TYPE, VR::CS, "CONTAINER"),
        seq(tags::CONCEPT_NAME_CODE_SEQUENCE, vec![code_item(concept)]),
        text(tags::CONTINUITY_OF_CONTENT, VR::CS, "SEPARATE"),
        seq(tags::PERFORMED_PROCEDURE_CODE_SEQUENCE, vec![]),
        text(tags::COMPLETION_FLAG, VR::CS, "COMPLETE"),
        text(tags::VERIFICATION_FLAG, VR::CS, "UNVERIFIED"),
        seq(
            tags::CONTENT_SEQUENCE,
            children.iter().map(content_item).collect(),
        ),
    ]);
    InMemDicomObject::from_element_iter(elems)
}

/// The SR document as a file object whose meta group declares Explicit VR
/// Little Endian. Use [`sr_bytes`] / [`write_sr`] to choose another
/// [`Encoding`], or [`crate::encoding::file_object`] with [`sr_dataset`].
pub fn sr_object(doc: &SrDoc) -> FileDicomObject<InMemDicomObject> {
    sr_object_ts(doc, Ts::ExplicitLe)
}

/// The SR document as a file object whose meta group declares `ts`.
pub fn sr_object_ts(doc: &SrDoc, ts: Ts) -> FileDicomObject<InMemDicomObject> {
    file_object(
        sr_dataset(doc),
        &doc.header.sop_class_uid,
        &doc.header.sop_uid,
        ts,
    )
}

/// The complete file bytes of the SR document in the given encoding.
pub fn sr_bytes(doc: &SrDoc, enc: Encoding) -> Vec<u8> {
    encode_file(
        sr_dataset(doc),
        &doc.header.sop_class_uid,
        &doc.header.sop_uid,
        enc,
    )
}

/// Write the SR document to `path`, creating parent directories.
pub fn write_sr(doc: &SrDoc, enc: Encoding, path: &Path) -> std::io::Result<()> {
    write_file(path, &sr_bytes(doc, enc))
}

/// Write bytes to `path`, creating parent directories.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes)
}

/// Patient, study, series, equipment, SR document general and SOP common
/// attributes of the header.
fn header_elements(h: &Header) -> Vec<InMemElement> {
    let mut e = vec![
        text(
            tags::SPECIFIC_CHARACTER_SET,
            VR::CS,
            &h.specific_character_set,
        ),
        text(tags::SOP_CLASS_UID, VR::UI, &h.sop_class_uid),
        text(tags::SOP_INSTANCE_UID, VR::UI, &h.sop_uid),
        text(tags::STUDY_DATE, VR::DA, &h.study_date),
        text(tags::CONTENT_DATE, VR::DA, &h.content_date),
        text(tags::STUDY_TIME, VR::TM, &h.study_time),
        text(tags::CONTENT_TIME, VR::TM, &h.content_time),
        text(tags::ACCESSION_NUMBER, VR::SH, &h.accession),
        text(tags::MODALITY, VR::CS, "SR"),
        text(tags::MANUFACTURER, VR::LO, &h.manufacturer),
        text(tags::INSTITUTION_NAME, VR::LO, &h.institution),
        text_or_empty(tags::REFERRING_PHYSICIAN_NAME, VR::PN, None),
        text(tags::MANUFACTURER_MODEL_NAME, VR::LO, &h.model),
        seq(tags::REFERENCED_PERFORMED_PROCEDURE_STEP_SEQUENCE, vec![]),
        text(tags::PATIENT_NAME, VR::PN, &h.patient_name),
        text(tags::PATIENT_ID, VR::LO, &h.patient_id),
        text_or_empty(tags::PATIENT_BIRTH_DATE, VR::DA, h.birth_date.as_deref()),
        text_or_empty(tags::PATIENT_SEX, VR::CS, h.sex.as_deref()),
        text(tags::DEVICE_SERIAL_NUMBER, VR::LO, &h.device_serial),
        text(tags::SOFTWARE_VERSIONS, VR::LO, &h.software_version),
        text(tags::STUDY_INSTANCE_UID, VR::UI, &h.study_uid),
        text(tags::SERIES_INSTANCE_UID, VR::UI, &h.series_uid),
        text(tags::STUDY_ID, VR::SH, &h.study_id),
        text(tags::SERIES_NUMBER, VR::IS, &h.series_number),
        text(tags::INSTANCE_NUMBER, VR::IS, &h.instance_number),
    ];
    let optional = [
        (tags::STATION_NAME, VR::SH, &h.station_name),
        (tags::STUDY_DESCRIPTION, VR::LO, &h.study_description),
        (tags::SERIES_DESCRIPTION, VR::LO, &h.series_description),
        (tags::PATIENT_AGE, VR::AS, &h.age),
        (tags::PATIENT_SIZE, VR::DS, &h.height_m),
        (tags::PATIENT_WEIGHT, VR::DS, &h.weight_kg),
    ];
    for (tag, vr, value) in optional {
        if let Some(v) = value {
            e.push(text(tag, vr, v));
        }
    }
    e
}

/// Private coding schemes (`99...`) used anywhere in the tree, sorted.
fn private_schemes(root: &Item) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    let mut add = |c: &CodeDef| {
        if c.scheme.starts_with("99") {
            set.insert(c.scheme.clone());
        }
    };
    root.walk(&mut |item| {
        add(item.concept());
        match item {
            Item::Num { units, .. } => add(units),
            Item::Code { value, .. } => add(value),
            _ => {}
        }
    });
    set
}

/// A Coding Scheme Identification Sequence item for a private scheme.
fn scheme_item(scheme: &str) -> InMemDicomObject {
    InMemDicomObject::from_element_iter([
        text(tags::CODING_SCHEME_DESIGNATOR, VR::SH, scheme),
        text(
            tags::CODING_SCHEME_NAME,
            VR::ST,
            &format!("{scheme} private codes (fixture model)"),
        ),
        text(
            tags::CODING_SCHEME_RESPONSIBLE_ORGANIZATION,
            VR::ST,
            "dxa-fixtures",
        ),
    ])
}

/// A code sequence item (value, scheme, meaning).
pub(crate) fn code_item(c: &CodeDef) -> InMemDicomObject {
    InMemDicomObject::from_element_iter([
        text(tags::CODE_VALUE, VR::SH, &c.value),
        text(tags::CODING_SCHEME_DESIGNATOR, VR::SH, &c.scheme),
        text(tags::CODE_MEANING, VR::LO, &c.meaning),
    ])
}

/// One item of a Content Sequence.
fn content_item(item: &Item) -> InMemDicomObject {
    let (rel, value_type, concept) = match item {
        Item::Container { rel, concept, .. } => (rel, "CONTAINER", concept),
        Item::Num { rel, concept, .. } => (rel, "NUM", concept),
        Item::Code { rel, concept, .. } => (rel, "CODE", concept),
        Item::Text { rel, concept, .. } => (rel, "TEXT", concept),
    };
    let mut e = vec![
        text(tags::RELATIONSHIP_TYPE, VR::CS, rel),
        text(tags::VALUE_TYPE, VR::CS, value_type),
        seq(tags::CONCEPT_NAME_CODE_SEQUENCE, vec![code_item(concept)]),
    ];
    match item {
        Item::Container { children, .. } => {
            e.push(text(tags::CONTINUITY_OF_CONTENT, VR::CS, "SEPARATE"));
            e.push(seq(
                tags::CONTENT_SEQUENCE,
                children.iter().map(content_item).collect(),
            ));
        }
        Item::Num { value, units, .. } => {
            let measured = InMemDicomObject::from_element_iter([
                seq(
                    tags::MEASUREMENT_UNITS_CODE_SEQUENCE,
                    vec![code_item(units)],
                ),
                text(tags::NUMERIC_VALUE, VR::DS, value),
            ]);
            e.push(seq(tags::MEASURED_VALUE_SEQUENCE, vec![measured]));
        }
        Item::Code { value, .. } => {
            e.push(seq(tags::CONCEPT_CODE_SEQUENCE, vec![code_item(value)]));
        }
        Item::Text { value, .. } => {
            e.push(text(tags::TEXT_VALUE, VR::UT, value));
        }
    }
    InMemDicomObject::from_element_iter(e)
}
