//! An export's records as the results documents a scan records (docs/columns.md,
//! "Visits"): one document per record, carrying the patient ID, the measure date, the body
//! composition and the BMD rows. An export names neither a device nor a study: its
//! documents say so (`device_unknown`) and join the visit of their patient and day
//! (`visit::group`), or make one of their own. The names are never read (`record`).

use super::{Record, read_each};
use crate::document::{Carrier, DocFlag, Document};
use crate::error::FileError;
use crate::profile::Mapper;
use crate::vocabulary::Manufacturer;

/// The documents of an export, one per record in line order; the reason when the file
/// holds none.
pub fn documents(bytes: &[u8], mapper: &Mapper) -> Result<Vec<Document>, FileError> {
    let mut docs = Vec::new();
    let summary = read_each(bytes, mapper, |record| docs.push(document(record)))?;
    for doc in &mut docs {
        doc.title = summary.kind.as_str().to_string();
        doc.flags
            .extend(summary.flags.iter().cloned().map(DocFlag::Export));
    }
    Ok(docs)
}

/// One record as a document.
fn document(record: Record) -> Document {
    let mut flags = vec![DocFlag::DeviceUnknown];
    if record.measure_date.is_none() {
        flags.push(DocFlag::StudyDateMissing);
    }
    flags.extend(record.flags.into_iter().map(DocFlag::Export));
    Document {
        patient_id: record.patient_id,
        study_date: record.measure_date,
        // enCORE is GE Lunar's software; the scanner is not named.
        manufacturer: Some(Manufacturer::GeLunar),
        measurements: record.measurements,
        body_composition: record.body_composition,
        carriers: vec![Carrier::EncoreExport],
        flags,
        ..Document::default()
    }
}

/// Whether a document came from an export (its device unknown: `visit::group` joins it by
/// patient and day).
pub fn from_export(doc: &Document) -> bool {
    doc.carriers.contains(&Carrier::EncoreExport)
}
