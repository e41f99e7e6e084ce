//! documents.csv: one row per ingested results document, in path order, with the visit it
//! joined and what the visit step decided about it. With files.csv, every file the run
//! looked at is in exactly one of the two.

use super::joined;
use crate::date::Timestamp;
use crate::output::cell::{DateCell, DocText, Text, TimeCell};
use crate::output::table::row_struct;
use crate::pseudonym::Vocabulary;
use crate::visit::VisitRows;
use crate::visit::{DocStatus, Part, carries};

row_struct! {
    /// documents.csv
    #[derive(Debug)]
    pub struct DocumentRow<'a> {
        visit_id: Text<'a>,
        source_path: Text<'a>,
        sop_instance_uid: Text<'a>,
        sop_class_uid: Text<'a>,
        study_instance_uid: Text<'a>,
        series_instance_uid: Text<'a>,
        patient_id: Text<'a>,
        study_date: DateCell,
        device_serial: Text<'a>,
        visit_sop_instance_uid: Text<'a>,
        carrier: String,
        content: String,
        status: Text<'a>,
        content_time: TimeCell,
        document_title: DocText<'a>,
        unmapped_items: usize,
        vendor_classification: DocText<'a>,
        flags: Text<'a>,
    }
}

/// The row of the visit member at `position`.
pub fn document_row<'a>(view: &'a VisitRows<'a>, position: usize) -> DocumentRow<'a> {
    let member = view.member(position);
    let doc = &member.doc;
    // The content's words pushed into one `String` of room for all of them (a list and
    // its join were two allocations per document: docs/performance.md).
    let mut content = String::with_capacity(24);
    let parts = [
        (!doc.measurements.is_empty(), "bmd"),
        (carries(doc, Part::Frax), "frax"),
        (carries(doc, Part::Tbs), "tbs"),
        (carries(doc, Part::Vfa), "vfa"),
        (!doc.history.is_empty(), "history"),
    ];
    for (_, name) in parts.into_iter().filter(|(has, _)| *has) {
        if !content.is_empty() {
            content.push(';');
        }
        content.push_str(name);
    }
    if content.is_empty() {
        content.push_str("none");
    }
    let status = match view.visit.status[position] {
        DocStatus::Used => Text::from("used"),
        DocStatus::SupersededBy(doc) => Text::from(format!("superseded_by={}", view.sop(doc))),
        DocStatus::DuplicateOf(doc) => Text::from(format!("duplicate_of={}", view.sop(doc))),
    };
    let content_time = TimeCell(doc.content_time.and_then(|t| {
        let date = view.date(Some(t.date))?;
        Some(Timestamp { date, ..t })
    }));
    DocumentRow {
        visit_id: Text::from(view.visit_id),
        source_path: Text(view.ids.path(&member.path)),
        sop_instance_uid: Text(view.ids.uid(member.sop_instance_uid())),
        sop_class_uid: Text::from(doc.sop_class_uid.as_str()),
        study_instance_uid: Text(view.ids.uid(&doc.study_instance_uid)),
        series_instance_uid: Text(view.ids.uid(&doc.series_instance_uid)),
        patient_id: Text(view.patient()),
        study_date: DateCell(view.date(view.visit.date)),
        device_serial: Text(
            view.ids.serial(
                &view
                    .first_with(|d| !d.device_serial.trim().is_empty())
                    .device_serial,
            ),
        ),
        visit_sop_instance_uid: Text(view.ids.uid(&view.first().sop_instance_uid)),
        carrier: joined(doc.carriers.iter().map(|c| c.as_str()), "+"),
        content,
        status,
        content_time,
        document_title: DocText::new(view.ids, Vocabulary::DocumentTitle, &doc.title),
        unmapped_items: doc.unmapped_items,
        vendor_classification: DocText::new(
            view.ids,
            Vocabulary::VendorClassification,
            doc.scanner_classification.as_deref().unwrap_or(""),
        ),
        flags: Text::from(crate::output::flags::document_cell(&doc.flags, view.ids)),
    }
}
