//! The header constants and the row structs are the same lists, and a visit renders.

use serde::Serialize;

use super::*;
use crate::classify::ClassifyOptions;
use crate::document::{Document, Measurement};
use crate::error::{FileError, Reason};
use crate::visit::{Ingested, VisitRows};
use crate::vocabulary::{Laterality, Region};

/// The header row serde writes for a row struct.
fn header_of(row: impl Serialize) -> Vec<String> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(true)
        .from_writer(vec![]);
    writer.serialize(row).unwrap();
    let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
    text.lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect()
}

#[test]
fn headers_match_the_row_structs() {
    let mut doc = Document {
        patient_id: "P1".into(),
        ..Document::default()
    };
    doc.measurements.push(Measurement::new(
        Region::TotalHip,
        Laterality::Left,
        "Total",
    ));
    doc.history.push(crate::document::HistoryEntry {
        date_ambiguous: true,
        ..crate::document::HistoryEntry::placed(
            Region::TotalHip,
            Laterality::Left,
            "Total".into(),
            "03/04/2021".into(),
            crate::document::HistorySource::GeTrendTree,
        )
    });
    let docs = vec![Ingested {
        seq: 0,
        path: "p".into(),
        doc,
    }];
    let visits = crate::visit::visits(&docs);
    let assessed = crate::visit::assess(&docs, &visits[0], &ClassifyOptions::default());
    let view = VisitRows {
        docs: &docs,
        visit: &visits[0],
        assessed: &assessed,
        ids: crate::pseudonym::Ids::default(),
    };
    let row = measurement_rows(&view, 0).next().unwrap();
    assert_eq!(header_of(row), MEASUREMENT_COLUMNS);
    assert_eq!(header_of(study_row(&view)), STUDY_COLUMNS);
    assert_eq!(header_of(document_row(&view, 0)), DOCUMENT_COLUMNS);
    assert_eq!(
        header_of(history_rows(&view, 0).next().unwrap()),
        HISTORY_COLUMNS
    );
    let error = FileError::new(Reason::NotDicom, "x");
    assert_eq!(header_of(file_row("p", &error)), FILE_COLUMNS);
}
