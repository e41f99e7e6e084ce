//! Hologic APEX results documents (docs/evidence.md): Hologic sites receive no SR but a
//! Secondary Capture report image per scan whose private element holds the results as a
//! text document. The element is found by its text (profile `results_documents`), at any
//! tag and with any VR: never a fixed tag. `script` reads the text; `tables` reads the
//! tables by their type codes (profile `hologic_*`), `history` the history tables;
//! `values` the named values (reference population, the scanner's verdict, dates);
//! `whole_body` the whole-body tables, by their labels (profile `body_composition_*`).

mod columns;
mod history;
pub mod script;
mod tables;
mod values;
mod whole_body;

use crate::date::Date;
use crate::document::{DocFlag, Document, Sex};
use crate::error::{FileError, Reason};
use crate::profile::Mapper;
use crate::sr::dataset::Node;

pub use values::DocumentDates;

/// The raw bytes of the first element of `root` that holds a results document.
pub fn find<'a>(root: Node<'_, 'a>, mapper: &Mapper) -> Option<&'a [u8]> {
    // Top-level pixel data is never indexed (the walk stops there).
    root.elements()
        .filter(|(tag, value)| tag.group() != 0x0002 && value.len() >= 16)
        .find(|(_, value)| mapper.is_results_document(value))
        .map(|(_, value)| value)
}

/// Reads a results document into `doc` (whose header the image gave); returns the dates
/// the document states (the scan, the analysis), for an image without a StudyDate. An
/// empty skeleton (no statement at all: 16 % of the real report images, docs/evidence.md)
/// is no results document.
pub fn read(bytes: &[u8], mapper: &Mapper, doc: &mut Document) -> Result<DocumentDates, FileError> {
    if bytes.len() > script::MAX_DOCUMENT_BYTES {
        return Err(FileError::new(
            Reason::TooLarge,
            format!(
                "Hologic results document of {} bytes: more than the {} accepted",
                bytes.len(),
                script::MAX_DOCUMENT_BYTES
            ),
        ));
    }
    let text = script::decode(bytes, &mut doc.flags);
    let script = script::read(&text);
    if script.values.is_empty() && script.tables.is_empty() {
        return Err(FileError::new(
            Reason::NotSr,
            "a report image whose empty results document holds no statement (a HologicHeader1 \
             without JavaScriptFile sections): no results",
        ));
    }
    doc.flags.extend(script.flags.iter().cloned());
    read_patient(&script, doc);
    read_device(&script, doc);
    values::read(&script, mapper, doc);
    let scans = scans(&script);
    let mut rows = crate::document::RowTable::default();
    let whole_body = whole_body::read(&script, mapper, doc, &mut rows);
    tables::read(&script, &scans, mapper, doc, &whole_body, rows);
    let dates = values::dates(&script, mapper, &doc.history);
    let others: Vec<&str> = dates.texts.iter().map(String::as_str).collect();
    let exam = dates.scan.or(doc.study_date);
    crate::carrier::dates::resolve_history_dates_proven(
        &mut doc.history,
        &others,
        exam,
        &mut doc.flags,
    );
    Ok(dates)
}

/// The exam's date for an image without StudyDate: the document's `Scan` date, else its
/// AnalDate (flagged which); None when the document states neither.
pub fn study_date_of(dates: &DocumentDates) -> Option<(Date, DocFlag)> {
    dates
        .scan
        .map(|d| (d, DocFlag::StudyDateFromDocumentScan))
        .or_else(|| {
            dates
                .analysis
                .map(|d| (d, DocFlag::StudyDateFromDocumentAnalysisDate))
        })
}

/// The labels that place a scan's rows: ScanMode ("f Left Hip", "a R.Forearm": the point
/// splits the side letter from the site) and AnalProtocol; for a dual hip the second
/// scan's too (`ScanMode2`).
fn scans(script: &script::Script) -> Vec<String> {
    // The names written out, not formatted per document.
    ["ScanMode", "AnalProtocol", "ScanMode2", "AnalProtocol2"]
        .into_iter()
        .filter_map(|name| script.value(name))
        .map(|value| value.replace('.', " "))
        .collect()
}

fn read_patient(script: &script::Script, doc: &mut Document) {
    use crate::normalise::body::{body_height_cm, body_weight_kg};
    doc.menopause_age = script
        .value("MenopauseAge")
        .and_then(crate::decimal::reported_number);
    // A number alone is cm and kg (docs/profiles.md: a guess); US sites write "62.5 in" and
    // "148.0  lb" (docs/evidence.md, "Round two"), converted; another unit word is not read.
    // The results document's, else the header's PatientSize and PatientWeight.
    let (height, weight) = (
        script.value("Height").and_then(body_height_cm),
        script.value("Weight").and_then(body_weight_kg),
    );
    for (name, value, flag) in [
        ("Height", height, DocFlag::HologicHeightNotRead),
        ("Weight", weight, DocFlag::HologicWeightNotRead),
    ] {
        if value.is_none() && script.value(name).is_some() {
            doc.flags.push(flag);
        }
    }
    doc.height_cm = height.or(doc.height_cm);
    doc.weight_kg = weight.or(doc.weight_kg);
    doc.ethnicity = script.value("Ethnicity").map(str::to_string);
    if doc.patient_sex.is_none() {
        doc.patient_sex = match script.value("PatientSex").map(str::to_ascii_lowercase) {
            Some(s) if s == "female" || s == "f" => Some(Sex::Female),
            Some(s) if s == "male" || s == "m" => Some(Sex::Male),
            _ => None,
        };
    }
    if doc.patient_age.is_none()
        && let Some(age) = script.value("Age").and_then(|a| a.parse::<u16>().ok())
        && age < 200
    {
        doc.patient_age = Some(format!("{age:03}Y"));
    }
}

/// `Model = "Horizon Ci (S/N301234M)"` gives the model and serial where the DICOM header
/// lacks them; `HologicSoftwareVer` the software version.
fn read_device(script: &script::Script, doc: &mut Document) {
    if let Some(model) = script.value("Model") {
        let (name, serial) = match model.split_once("(S/N") {
            Some((name, rest)) => (name.trim(), rest.split(')').next().map(str::trim)),
            None => (model, None),
        };
        if doc.model.is_empty() {
            doc.model = name.to_string();
        }
        if doc.device_serial.is_empty()
            && let Some(serial) = serial.filter(|s| !s.is_empty())
        {
            doc.device_serial = serial.to_string();
        }
    }
    if doc.software_version.is_empty()
        && let Some(version) = script.value("HologicSoftwareVer")
    {
        doc.software_version = version.to_string();
    }
}
