//! documents.csv: one row per ingested results document, in path order, with the visit it
//! joined and what the visit step decided about it. With files.csv, every file the run
//! looked at is in exactly one of the two.

use std::borrow::Cow;

use crate::date::Timestamp;
use crate::output::cell::{DateCell, DocText, Text, TimeCell};
use crate::output::table::row_struct;
use crate::pseudonym::Vocabulary;
use crate::visit::{DocStatus, Part, carries};
use crate::visit::{KeyText, VisitRows};

row_struct! {
    /// documents.csv
    #[derive(Debug)]
    pub struct DocumentRow<'a> {
        visit_id: KeyText<'a>,
        source_path: KeyText<'a>,
        sop_instance_uid: KeyText<'a>,
        sop_class_uid: Text<'a>,
        study_instance_uid: Text<'a>,
        series_instance_uid: Text<'a>,
        patient_id: KeyText<'a>,
        study_date: DateCell,
        device_serial: Text<'a>,
        visit_sop_instance_uid: KeyText<'a>,
        carrier: Cow<'static, str>,
        content: Cow<'static, str>,
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
    let parts = [
        (!doc.measurements.is_empty(), "bmd"),
        (carries(doc, Part::Frax), "frax"),
        (carries(doc, Part::Tbs), "tbs"),
        (carries(doc, Part::Vfa), "vfa"),
        (!doc.history.is_empty(), "history"),
    ];
    let content = words(
        parts
            .into_iter()
            .filter(|(has, _)| *has)
            .map(|(_, name)| name),
        ";",
    )
    .unwrap_or(Cow::Borrowed("none"));
    let carrier = words(doc.carriers.iter().map(|c| c.as_str()), "+").unwrap_or_default();
    let status = match view.visit.status[position] {
        DocStatus::Used => Text::from("used"),
        DocStatus::SupersededBy(doc) => Text::from(format!("superseded_by={}", view.sop(doc))),
        DocStatus::DuplicateOf(doc) => Text::from(format!("duplicate_of={}", view.sop(doc))),
    };
    let content_time = TimeCell(doc.content_time.and_then(|t| {
        let date = view.date(Some(t.date))?;
        Some(Timestamp { date, ..t })
    }));
    // The first member's path and UID were checked with the visit's keys.
    let (source_path, sop_instance_uid) = if position == 0 {
        (view.keys.path.borrowed(), view.keys.member_sop.borrowed())
    } else {
        (
            KeyText::new(view.ids.path(&member.path)),
            KeyText::new(view.ids.uid(member.sop_instance_uid())),
        )
    };
    DocumentRow {
        visit_id: view.keys.visit_id.borrowed(),
        source_path,
        sop_instance_uid,
        sop_class_uid: Text::from(doc.sop_class_uid.as_str()),
        study_instance_uid: Text(view.ids.uid(&doc.study_instance_uid)),
        series_instance_uid: Text(view.ids.uid(&doc.series_instance_uid)),
        patient_id: view.keys.patient.borrowed(),
        study_date: DateCell(view.date(view.visit.date)),
        device_serial: Text(
            view.ids.serial(
                &view
                    .first_with(|d| !d.device_serial.trim().is_empty())
                    .device_serial,
            ),
        ),
        visit_sop_instance_uid: view.keys.first_sop.borrowed(),
        carrier,
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

/// Our own words joined by `separator`: one borrowed as it is, several joined into a
/// `String` (most documents have one carrier and one kind of content, which were two
/// allocations per document: docs/performance.md, "The end of a run"); None for none.
pub(super) fn words(
    mut each: impl Iterator<Item = &'static str>,
    separator: &str,
) -> Option<Cow<'static, str>> {
    let first = each.next()?;
    let Some(second) = each.next() else {
        return Some(Cow::Borrowed(first));
    };
    let mut joined = String::with_capacity(32);
    for (i, word) in [first, second].into_iter().chain(each).enumerate() {
        if i > 0 {
            joined.push_str(separator);
        }
        joined.push_str(word);
    }
    Some(Cow::Owned(joined))
}

#[cfg(test)]
mod tests {
    /// Words are joined as `rows::joined` joins them, "none" standing for no content.
    #[test]
    fn words_are_the_words_joined() {
        let all = ["bmd", "frax", "tbs", "vfa", "history"];
        for mask in 0u32..32 {
            let picked: Vec<&'static str> = (0..5)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| all[i])
                .collect();
            let written = super::words(picked.iter().copied(), ";");
            assert_eq!(
                written.as_deref(),
                (!picked.is_empty())
                    .then(|| super::super::joined(picked.iter().copied(), ";"))
                    .as_deref(),
                "{picked:?}"
            );
            assert_eq!(
                matches!(written, Some(super::Cow::Borrowed(_))),
                picked.len() == 1,
                "{picked:?}"
            );
        }
    }
}
