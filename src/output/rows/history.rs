//! history.csv: earlier exams as the scanner reported them (GE trends, Hologic history
//! tables), one row per document, region, side and earlier exam, in path order. These
//! values are never the current visit's measurements.

use crate::output::cell::{DateCell, DocText, Plain, Text};
use crate::output::table::row_struct;
use crate::pseudonym::Vocabulary;
use crate::visit::VisitRows;

row_struct! {
    /// history.csv
    #[derive(Debug)]
    pub struct HistoryRow<'a> {
        visit_id: Text<'a>,
        patient_id: Text<'a>,
        study_date: DateCell,
        exam_date: DateCell,
        exam_date_as_written: DocText<'a>,
        region: &'static str,
        laterality: &'static str,
        source_label: DocText<'a>,
        bmd_g_cm2: Plain,
        age_years: Plain,
        t_score: Plain,
        z_score: Plain,
        change_vs_previous_g_cm2: Plain,
        change_vs_previous_pct: Plain,
        change_vs_baseline_g_cm2: Plain,
        change_vs_baseline_pct: Plain,
        change_significant: &'static str,
        change_dissimilar_scans: &'static str,
        source: &'static str,
        source_path: Text<'a>,
        sop_instance_uid: Text<'a>,
        note: &'static str,
    }
}

/// The rows of the visit member at `position`.
pub fn history_rows<'a>(
    view: &'a VisitRows<'a>,
    position: usize,
) -> impl Iterator<Item = HistoryRow<'a>> + 'a {
    let member = view.member(position);
    let path = view.ids.path(&member.path);
    let sop = view.ids.uid(member.sop_instance_uid());
    let shifted = view.ids.shift_dates && view.ids.pseudonymizer.is_some();
    member.doc.history.iter().map(move |h| HistoryRow {
        visit_id: Text::from(view.visit_id),
        patient_id: Text(view.patient()),
        study_date: DateCell(view.date(view.visit.date)),
        exam_date: DateCell(view.date(h.exam_date)),
        // The date as written would undo --shift-dates.
        exam_date_as_written: DocText::new(
            view.ids,
            Vocabulary::DateAsWritten,
            if shifted { "" } else { &h.exam_date_text },
        ),
        region: h.region.as_str(),
        laterality: h.laterality.as_str(),
        source_label: DocText::new(view.ids, Vocabulary::RegionLabel, &h.source_label),
        bmd_g_cm2: Plain(h.bmd, 3),
        age_years: Plain(view.ids.age(h.age_years), 0),
        t_score: Plain(h.t_score, 0),
        z_score: Plain(h.z_score, 0),
        change_vs_previous_g_cm2: Plain(h.change_vs_previous_g_cm2, 0),
        change_vs_previous_pct: Plain(h.change_vs_previous_pct, 0),
        change_vs_baseline_g_cm2: Plain(h.change_vs_baseline_g_cm2, 0),
        change_vs_baseline_pct: Plain(h.change_vs_baseline_pct, 0),
        change_significant: h.change_significant.map_or("", |m| m.as_str()),
        change_dissimilar_scans: h.change_dissimilar_scans.map_or("", |m| m.as_str()),
        source: h.source.as_str(),
        source_path: Text(path.clone()),
        sop_instance_uid: Text(sop.clone()),
        note: if h.date_ambiguous {
            "exam date ambiguous (day and month both 12 or less): not guessed"
        } else {
            ""
        },
    })
}
