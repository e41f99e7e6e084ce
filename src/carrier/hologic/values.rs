//! The named values of a results document beyond the patient and the device (profile
//! `hologic_values`; docs/evidence.md, "Round two"): the reference populations of Graph.js
//! (`GraphTitle2`), the scanner's own WHO classification of Fracture.js (`FractureRiskStr`),
//! and the dates of ScanInfo.js (`Scan`, `AnalDate`, `ReportDate`).

use super::script::{Script, plain_text};
use crate::carrier::dates::document_order;
use crate::date::Date;
use crate::date::text::{DateText, read_date, read_in_order};
use crate::document::{Document, HistoryEntry, ScoreReference};
use crate::profile::{FoundValue, Mapper, ValueField};

/// The dates a document states.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentDates {
    /// The scan's date (`Scan = "March 5, 2024 - A03052401"`).
    pub scan: Option<Date>,
    /// The analysis date (`AnalDate`), read in the order the document proves.
    pub analysis: Option<Date>,
    /// The slashed date texts besides the history (AnalDate, ReportDate): evidence of the
    /// document's date order.
    pub texts: Vec<String>,
}

/// A reference as a document writes it ("Hispanic Female." and "NHANES."): trimmed, HTML
/// and the closing full stop removed.
fn reference(found: FoundValue) -> Option<ScoreReference> {
    let clean = |text: &str| {
        plain_text(text)
            .trim()
            .trim_end_matches('.')
            .trim()
            .to_string()
    };
    let population = clean(&found.text);
    (!population.is_empty()).then(|| ScoreReference {
        population,
        source: found.source.as_deref().map(clean).unwrap_or_default(),
    })
}

/// Reads the reference populations and the scanner's verdict into `doc`.
pub(super) fn read(script: &Script, mapper: &Mapper, doc: &mut Document) {
    let value = |name: &str| script.values.get(name).map(|v| v.as_ref());
    doc.t_reference = mapper
        .hologic_value(ValueField::TReference, value)
        .and_then(reference);
    let z_reference = mapper
        .hologic_value(ValueField::ZReference, value)
        .and_then(reference);
    // reference_database: both parts as the document writes them, " / "-joined.
    let part = |prefix: &str, r: &ScoreReference| {
        if r.source.is_empty() {
            format!("{prefix} vs. {}", r.population)
        } else {
            format!("{prefix} vs. {}. Source:{}", r.population, r.source)
        }
    };
    let parts: Vec<String> = [("T-score", &doc.t_reference), ("Z-score", &z_reference)]
        .into_iter()
        .filter_map(|(prefix, r)| r.as_ref().map(|r| part(prefix, r)))
        .collect();
    if !parts.is_empty() && doc.reference_database.is_none() {
        doc.reference_database = Some(parts.join(" / "));
    }
    if doc.scanner_classification.is_none() {
        doc.scanner_classification = mapper
            .hologic_value(ValueField::ScannerClassification, value)
            .map(|found| plain_text(&found.text))
            .filter(|text| !text.is_empty());
    }
}

/// The dates the document states; `history` (read, not yet dated) helps prove the order of
/// an ambiguous AnalDate.
pub(super) fn dates(script: &Script, mapper: &Mapper, history: &[HistoryEntry]) -> DocumentDates {
    let value = |name: &str| script.values.get(name).map(|v| v.as_ref());
    let text = |field| {
        mapper
            .hologic_value(field, value)
            .map(|found| plain_text(&found.text))
            .filter(|text| !text.is_empty())
    };
    // "March 5, 2024 - A03052401": the date, then the scan ID.
    let scan = text(ValueField::ScanDate).and_then(|scan| {
        let date = scan.split(" - ").next().unwrap_or("");
        match read_date(date) {
            DateText::Known(found) => Some(found),
            _ => None,
        }
    });
    let analysis_text = text(ValueField::AnalysisDate);
    let texts: Vec<String> = [analysis_text.clone(), text(ValueField::ReportDate)]
        .into_iter()
        .flatten()
        .collect();
    let others: Vec<&str> = texts.iter().map(String::as_str).collect();
    let order = document_order(history, &others, scan);
    let analysis =
        analysis_text.and_then(|t| read_in_order(t.split_whitespace().next().unwrap_or(""), order));
    DocumentDates {
        scan,
        analysis,
        texts,
    }
}
