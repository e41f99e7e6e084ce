//! The per-file extractor: bytes in, a `Document` or the reason it is not one out. A pure
//! function of the bytes, the profiles and the limits (no I/O, no clock), so that it can be
//! fuzzed, tested on in-memory fixtures, and run on any thread.

use std::borrow::Cow;
use std::cell::RefCell;

use dicom_core::Tag;
use dicom_dictionary_std::tags;

mod merge;
mod tree;

use crate::carrier::{dates, ge_xml, hologic};
use crate::date::{Date, Timestamp};
use crate::document::{Carrier, DocFlag, Document, RowTable, Sex};
use crate::error::{FileError, Reason};
use crate::normalise::body::{patient_size_cm, patient_weight_kg};
use crate::profile::Mapper;
use crate::sr::{self, Body, ContentTree, Decoded, ItemValue, Limits, Reader, SrFile, SrNode};
use crate::vocabulary::Region;

/// Reads one file's bytes into a `Document`.
pub fn extract(bytes: &[u8], mapper: &Mapper, limits: &Limits) -> Result<Document, FileError> {
    extract_with(bytes, mapper, limits, Reader::Index)
}

/// `extract` with a chosen reader for SRs (tests compare the two). Other objects are read
/// through the index whatever the reader: only their top-level elements are looked at.
pub fn extract_with(
    bytes: &[u8],
    mapper: &Mapper,
    limits: &Limits,
    reader: Reader,
) -> Result<Document, FileError> {
    // A deflated file is inflated into a buffer kept per thread: a new one for every such
    // file (a quarter of an export) was allocated, grown and freed each time. A buffer
    // grown past `KEEP` by a large file is let go rather than held by the worker: an SR
    // inflates to tens of KiB, and eight workers each holding a deflate bomb's megabytes
    // pushed tests/bombs.rs past its 100 MB.
    const KEEP: usize = 1 << 20;
    thread_local! {
        static INFLATED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    INFLATED.with(|cell| match cell.try_borrow_mut() {
        Ok(mut inflated) => {
            let document = extract_into(bytes, mapper, limits, reader, &mut inflated);
            if inflated.capacity() > KEEP {
                *inflated = Vec::new();
            }
            document
        }
        // Only if a file's extraction ever extracted another on the same thread.
        Err(_) => extract_into(bytes, mapper, limits, reader, &mut Vec::new()),
    })
}

/// `extract_with`, inflating into `inflated`.
fn extract_into(
    bytes: &[u8],
    mapper: &Mapper,
    limits: &Limits,
    reader: Reader,
    inflated: &mut Vec<u8>,
) -> Result<Document, FileError> {
    let file = sr::read_dicom(bytes, limits, inflated)?;
    if !file.sop_class_uid.as_deref().is_some_and(sr::is_sr_class) {
        return results_document(&file, mapper);
    }
    let file = file.into_sr(reader)?;
    match &file.body {
        Body::Indexed(set) => document(set.root(), &file, mapper),
        Body::Object(object) => document(object, &file, mapper),
    }
}

/// A DICOM object that is not an SR: a report image may carry a Hologic results document
/// in a private element; without one it is `skipped/not_sr`, saying what it is.
fn results_document(file: &sr::DicomFile<'_>, mapper: &Mapper) -> Result<Document, FileError> {
    let root = file.dataset.root();
    let Some(found) = hologic::find(root, mapper) else {
        let mut error = sr::not_sr(file.sop_class_uid.as_deref());
        // An image: it has rows (the reader stops before pixel data, which is never read).
        if root.elements().any(|(tag, _)| tag == tags::ROWS) {
            error.message = format!("{}: an image without a results document", error.message);
        }
        return Err(error);
    };
    let mut doc = read_header(root, mapper);
    doc.sop_class_uid = file.sop_class_uid.clone().unwrap_or_default();
    // The history dates are read by the document (it proves their order).
    let stated = hologic::read(found, mapper, &mut doc)?;
    doc.carriers.push(Carrier::HologicResultsDocument);
    // Without a StudyDate, the exam's date is the document's own (its Scan, else its
    // AnalDate), before the report's ContentDate: a report is often printed later.
    let study_date = root
        .text(tags::STUDY_DATE, false)
        .and_then(|t| Date::parse_da(&t));
    if study_date.is_none()
        && let Some((date, flag)) = hologic::study_date_of(&stated)
    {
        doc.study_date = Some(date);
        doc.flags.retain(|f| *f != DocFlag::StudyDateMissing);
        doc.flags.push(flag);
    }
    Ok(doc)
}

fn document<'a, N: SrNode<'a>>(
    root: N,
    file: &SrFile<'_>,
    mapper: &Mapper,
) -> Result<Document, FileError> {
    let decoded = Decoded::default();
    let tree = ContentTree::read(root, &decoded)?;
    let mut doc = read_header(root, mapper);
    doc.sop_class_uid = file.sop_class_uid.clone();
    doc.title = tree.items[0]
        .concept
        .as_ref()
        .map(|c| c.meaning.to_string())
        .unwrap_or_default();
    let mut rows = RowTable::default();
    if tree::read_content(&tree, mapper, &mut doc, &mut rows) {
        doc.carriers.push(Carrier::SrTree);
    }
    if let Some(xml) = root.text(tags::IMAGE_COMMENTS, true)
        && ge_xml::is_results_xml(&xml)
    {
        match ge_xml::read(&xml, mapper) {
            Ok(results) => {
                if merge::merge_xml(results, &mut doc, &mut rows) {
                    doc.carriers.push(Carrier::GeImageCommentsXml);
                }
            }
            Err(message) => doc.flags.push(DocFlag::ImageCommentsXmlUnreadable(message)),
        }
    }
    doc.measurements = rows.into_sorted();
    dates::resolve_history_dates(&mut doc.history, &mut doc.flags);
    decide_dxa(&tree, mapper, &doc)?;
    Ok(doc)
}

/// The root attributes `read_header` reads, in ascending tag order (`SrNode::texts`).
const HEADER_TAGS: [Tag; 19] = [
    tags::SOP_INSTANCE_UID,
    tags::STUDY_DATE,
    tags::SERIES_DATE,
    tags::CONTENT_DATE,
    tags::CONTENT_TIME,
    tags::ACCESSION_NUMBER,
    tags::MANUFACTURER,
    tags::INSTITUTION_NAME,
    tags::MANUFACTURER_MODEL_NAME,
    tags::PATIENT_ID,
    tags::PATIENT_BIRTH_DATE,
    tags::PATIENT_SEX,
    tags::PATIENT_AGE,
    tags::PATIENT_SIZE,
    tags::PATIENT_WEIGHT,
    tags::DEVICE_SERIAL_NUMBER,
    tags::SOFTWARE_VERSIONS,
    tags::STUDY_INSTANCE_UID,
    tags::SERIES_INSTANCE_UID,
];

fn read_header<'a, N: SrNode<'a>>(root: N, mapper: &Mapper) -> Document {
    let [
        sop_instance_uid,
        study_date,
        series_date,
        content_date,
        content_time,
        accession_number,
        manufacturer,
        institution,
        model,
        patient_id,
        birth_date,
        patient_sex,
        patient_age,
        patient_size,
        patient_weight,
        device_serial,
        software_version,
        study_instance_uid,
        series_instance_uid,
    ] = root.texts(&HEADER_TAGS);
    let owned = |t: Option<Cow<'_, str>>| t.map(Cow::into_owned).unwrap_or_default();
    let date = |t: &Option<Cow<'_, str>>| t.as_deref().and_then(Date::parse_da);
    let manufacturer_raw = owned(manufacturer);
    let (manufacturer, calibration) = mapper.manufacturer(&manufacturer_raw);
    let mut flags = Vec::new();
    let study_date = date(&study_date)
        .or_else(|| date(&content_date))
        .or_else(|| date(&series_date));
    if study_date.is_none() {
        flags.push(DocFlag::StudyDateMissing);
    }
    Document {
        sop_instance_uid: owned(sop_instance_uid),
        study_instance_uid: owned(study_instance_uid),
        series_instance_uid: owned(series_instance_uid),
        patient_id: owned(patient_id),
        patient_sex: patient_sex.as_deref().and_then(Sex::parse),
        birth_date: date(&birth_date),
        patient_age: patient_age.map(Cow::into_owned),
        study_date,
        content_time: Timestamp::parse(
            content_date.as_deref().unwrap_or(""),
            content_time.as_deref().unwrap_or(""),
        ),
        accession_number: owned(accession_number),
        manufacturer: Some(manufacturer),
        calibration,
        manufacturer_raw,
        model: owned(model),
        software_version: owned(software_version),
        device_serial: owned(device_serial),
        institution: owned(institution),
        height_cm: patient_size.as_deref().and_then(patient_size_cm),
        weight_kg: patient_weight.as_deref().and_then(patient_weight_kg),
        flags,
        ..Document::default()
    }
}

/// An SR is DXA when its title says so, or a value was mapped that only densitometry
/// reports (BMD, BMC, T-score, FRAX, TBS), or a value was placed in a known region, or it
/// holds history or fracture grades. A Z-score or an area alone is not enough: paediatric
/// echo and vascular SRs have those. An SR with no results tree (no content, or a root that
/// is not a results title) from a densitometer (profile `dxa_devices`) is a DXA document
/// with no values: one of the several objects of a GE study (docs/evidence.md).
fn decide_dxa(tree: &ContentTree<'_>, mapper: &Mapper, doc: &Document) -> Result<(), FileError> {
    let has_values = !doc.measurements.is_empty()
        || doc.frax_major.is_some()
        || doc.frax_hip.is_some()
        || doc.tbs.is_some();
    let dxa_values = doc.frax_major.is_some()
        || doc.frax_hip.is_some()
        || doc.frax_major_prior.is_some()
        || doc.frax_hip_prior.is_some()
        || doc.frax_not_reported.is_some()
        || doc.tbs.is_some()
        || !doc.history.is_empty()
        || !doc.vertebral_fractures.is_empty()
        || doc.measurements.iter().any(|m| {
            m.region != Region::Other || m.bmd.is_some() || m.bmc.is_some() || m.t_score.is_some()
        });
    let nums = tree
        .items
        .iter()
        .filter(|i| matches!(i.value, ItemValue::Num { .. }))
        .count();
    let dxa_title = mapper.is_dxa_title(&doc.title);
    if dxa_values || (dxa_title && has_values) {
        return Ok(());
    }
    let no_results_tree = tree.items.len() == 1 || !dxa_title;
    if no_results_tree && mapper.is_dxa_device(&doc.manufacturer_raw, &doc.model) {
        return Ok(());
    }
    if dxa_title {
        return Err(FileError::new(
            Reason::NoMeasurements,
            format!(
                "DXA SR {:?} with {nums} NUM items, none mapped to a measure (see `dxa-ingest inspect` and --profile)",
                doc.title
            ),
        ));
    }
    Err(FileError::new(
        Reason::NotDxa,
        format!(
            "{} {:?}: {nums} NUM items, no bone densitometry content",
            sr::sop_class_name(&doc.sop_class_uid),
            doc.title
        ),
    ))
}

#[cfg(test)]
mod tests;
