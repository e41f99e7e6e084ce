//! The dates of a document's history (earlier exams), read as the carriers write them
//! (`date::text`). A slashed date whose day and month are both 12 or less cannot be read
//! alone: it is never guessed.
//!
//! One rule may settle it (docs/profiles.md, "Dates"): when another slashed date of the
//! same document has a first number above 12 (day first) or a second number above 12
//! (month first), and no date of the document says the opposite, the document proves its
//! order, and its ambiguous dates are read in that order (flag `date_order_inferred`).

use crate::date::Date;
use crate::date::text::{DateOrder, DateText, order_evidence, order_of, read_date, read_in_order};
use crate::document::{DocFlag, HistoryEntry};

/// Reads every history entry's date text, in the order the document proves when a date is
/// ambiguous; flags what could not be read.
pub fn resolve_history_dates(history: &mut Vec<HistoryEntry>, flags: &mut Vec<DocFlag>) {
    resolve_history_dates_proven(history, &[], None, flags);
}

/// The order a document proves for its history dates: any of its slashed dates (the history
/// dates and `others`, such as a results document's AnalDate and ReportDate) with a number
/// above 12; and, when the exam's own date is known, a history date one of whose readings
/// is that date (the current exam's row: the other reading would be after the exam, which
/// no earlier exam can be). Evidence both ways proves nothing.
pub fn document_order(
    history: &[HistoryEntry],
    others: &[&str],
    exam: Option<Date>,
) -> Option<DateOrder> {
    let texts = history
        .iter()
        .map(|h| h.exam_date_text.as_str())
        .chain(others.iter().copied());
    let (mut day_first, mut month_first) = order_evidence(texts);
    if let Some(exam) = exam {
        for entry in history {
            if let DateText::Ambiguous {
                first,
                second,
                year,
            } = read_date(&entry.exam_date_text)
            {
                day_first |= Date::new(year, second, first) == Some(exam);
                month_first |= Date::new(year, first, second) == Some(exam);
            }
        }
    }
    order_of((day_first, month_first))
}

/// `resolve_history_dates` with the document's other evidence (`document_order`); the
/// current exam's rows (dated `exam`) are left out: they are not history.
pub fn resolve_history_dates_proven(
    history: &mut Vec<HistoryEntry>,
    others: &[&str],
    exam: Option<Date>,
    flags: &mut Vec<DocFlag>,
) {
    let order = document_order(history, others, exam);
    let mut inferred = Vec::with_capacity(history.len());
    for entry in history.iter_mut() {
        entry.date_ambiguous = false;
        let text = read_date(&entry.exam_date_text);
        entry.exam_date = read_in_order(&entry.exam_date_text, order);
        let ambiguous = matches!(text, DateText::Ambiguous { .. });
        entry.date_ambiguous = ambiguous && entry.exam_date.is_none();
        inferred.push(ambiguous && entry.exam_date.is_some());
    }
    let kept: Vec<bool> = history
        .iter()
        .map(|h| exam.is_none() || h.exam_date != exam)
        .collect();
    let mut keeps = kept.iter();
    history.retain(|_| keeps.next().copied().unwrap_or(true));
    let inferred = inferred.iter().zip(&kept).any(|(i, k)| *i && *k);
    if history.iter().any(|h| h.date_ambiguous) {
        flags.push(DocFlag::HistoryDateAmbiguous);
    }
    if inferred {
        flags.push(DocFlag::HistoryDateOrderInferred);
    }
    if history
        .iter()
        .any(|h| matches!(read_date(&h.exam_date_text), DateText::Unreadable))
    {
        flags.push(DocFlag::HistoryDateUnreadable);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exams_own_row_proves_the_order_and_is_not_history() {
        let entry = |text: &str| {
            HistoryEntry::placed(
                crate::vocabulary::Region::TotalHip,
                crate::vocabulary::Laterality::Left,
                "Total".into(),
                text.into(),
                crate::document::HistorySource::HologicTable,
            )
        };
        let exam = Date::parse_da("20240305");
        let mut history = vec![entry("03/05/2024"), entry("02/11/2022")];
        let mut flags = Vec::new();
        resolve_history_dates_proven(&mut history, &[], exam, &mut flags);
        assert_eq!(history.len(), 1, "the current row is left out");
        assert_eq!(history[0].exam_date, Date::parse_da("20220211"));
        assert_eq!(flags, [DocFlag::HistoryDateOrderInferred]);
        // Read the other way round, the same row proves day-first.
        let mut history = vec![entry("05/03/2024"), entry("11/02/2022")];
        let mut flags = Vec::new();
        resolve_history_dates_proven(&mut history, &[], exam, &mut flags);
        assert_eq!(history[0].exam_date, Date::parse_da("20220211"));
        // Evidence both ways proves nothing.
        let mut history = vec![entry("03/05/2024"), entry("02/11/2022")];
        let mut flags = Vec::new();
        resolve_history_dates_proven(&mut history, &["19/03/2024"], exam, &mut flags);
        assert!(
            history
                .iter()
                .all(|h| h.exam_date.is_none() && h.date_ambiguous)
        );
        assert_eq!(flags, [DocFlag::HistoryDateAmbiguous]);
    }
}
