//! Dates as the carriers write them: GE trend containers name earlier exams `dd-Mon-yyyy`
//! (Canada), `MM/DD/YYYY` (US) or `DD/MM/YYYY`; Hologic writes "April 15, 2024" and slashed
//! dates; XML attributes the same (docs/evidence.md). A slashed date whose day and month
//! are both 12 or less cannot be read alone: it is never guessed.
//!
//! One rule may settle it (docs/profiles.md, "Dates"): when another slashed date of the
//! same document has a first number above 12 (day first) or a second number above 12
//! (month first), and no date of the document says the opposite, the document proves its
//! order, and its ambiguous dates are read in that order (flag `date_order_inferred`).

use crate::document::{Date, DocFlag, HistoryEntry, days_in_month};

/// A date text read without knowing the day/month order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateText {
    /// Unambiguous.
    Known(Date),
    /// `a/b/yyyy` with a, b <= 12 and a != b: day-first and month-first differ.
    Ambiguous {
        /// The first number.
        first: u8,
        /// The second number.
        second: u8,
        /// The year.
        year: u16,
    },
    /// Not a date.
    Unreadable,
}

/// Which number of a slashed date is the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// DD/MM/YYYY.
    DayFirst,
    /// MM/DD/YYYY.
    MonthFirst,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_named(word: &str) -> Option<u8> {
    let word = word.trim().trim_end_matches('.').to_ascii_lowercase();
    if word.len() < 3 || !word.is_ascii() {
        return None;
    }
    let at = MONTHS.iter().position(|m| word.starts_with(m))?;
    // "March" and "Mar" both; "Marble" not.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ][at];
    (full.starts_with(word.as_str()) || word == "sept").then_some(at as u8 + 1)
}

fn date(year: u16, month: u8, day: u8) -> Option<Date> {
    ((1800..=9999).contains(&year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month))
    .then_some(Date { year, month, day })
}

fn number<T: std::str::FromStr>(text: &str, most: usize) -> Option<T> {
    let text = text.trim();
    (!text.is_empty() && text.len() <= most && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// Reads a date text: `dd-Mon-yyyy`, `Month d, yyyy`, `d Month yyyy`, `yyyy-mm-dd`,
/// `yyyymmdd`, and `a/b/yyyy` (also with `.` or `-` between numbers).
pub fn read_date(text: &str) -> DateText {
    let text = text.trim();
    if text.len() > 40 {
        return DateText::Unreadable;
    }
    if let Some(found) = Date::parse_da(text).filter(|_| text.len() == 8) {
        return DateText::Known(found);
    }
    let parts: Vec<&str> = text
        .split(|c: char| c == '/' || c == '-' || c == '.' || c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return DateText::Unreadable;
    }
    let known = |d: Option<Date>| d.map_or(DateText::Unreadable, DateText::Known);
    // A month name anywhere decides the order.
    if let Some(month) = month_named(parts[1]) {
        // 15-Mar-2021, 15 March 2021
        return match (number::<u8>(parts[0], 2), number::<u16>(parts[2], 4)) {
            (Some(day), Some(year)) => known(date(year, month, day)),
            _ => DateText::Unreadable,
        };
    }
    if let Some(month) = month_named(parts[0]) {
        // March 15, 2021
        return match (number::<u8>(parts[1], 2), number::<u16>(parts[2], 4)) {
            (Some(day), Some(year)) => known(date(year, month, day)),
            _ => DateText::Unreadable,
        };
    }
    if parts[0].len() == 4 {
        // 2021-03-15
        return match (
            number::<u16>(parts[0], 4),
            number::<u8>(parts[1], 2),
            number::<u8>(parts[2], 2),
        ) {
            (Some(year), Some(month), Some(day)) => known(date(year, month, day)),
            _ => DateText::Unreadable,
        };
    }
    let (Some(first), Some(second), Some(year)) = (
        number::<u8>(parts[0], 2),
        number::<u8>(parts[1], 2),
        number::<u16>(parts[2], 4).filter(|_| parts[2].len() == 4),
    ) else {
        return DateText::Unreadable;
    };
    let day_first = date(year, second, first);
    let month_first = date(year, first, second);
    match (day_first, month_first) {
        (Some(a), Some(b)) if a == b => DateText::Known(a),
        (Some(_), Some(_)) => DateText::Ambiguous {
            first,
            second,
            year,
        },
        (Some(a), None) | (None, Some(a)) => DateText::Known(a),
        (None, None) => DateText::Unreadable,
    }
}

/// What the slashed dates among `texts` say of the order: (some proves day-first, some
/// proves month-first). A time after a date (`03/19/2024 10:22`) is ignored.
fn order_evidence<'t>(texts: impl Iterator<Item = &'t str>) -> (bool, bool) {
    let (mut day_first, mut month_first) = (false, false);
    for text in texts {
        let date = text.split_whitespace().next().unwrap_or("");
        let parts: Vec<&str> = date.split(['/', '.', '-']).map(str::trim).collect();
        if parts.len() != 3 || parts[2].len() != 4 {
            continue;
        }
        let (Some(a), Some(b)) = (number::<u8>(parts[0], 2), number::<u8>(parts[1], 2)) else {
            continue;
        };
        if a > 12 && b <= 12 {
            day_first = true;
        }
        if b > 12 && a <= 12 {
            month_first = true;
        }
    }
    (day_first, month_first)
}

fn order_of((day_first, month_first): (bool, bool)) -> Option<DateOrder> {
    match (day_first, month_first) {
        (true, false) => Some(DateOrder::DayFirst),
        (false, true) => Some(DateOrder::MonthFirst),
        _ => None,
    }
}

/// The order the slashed dates among `texts` prove, if they prove one and only one.
pub fn proven_order<'t>(texts: impl Iterator<Item = &'t str>) -> Option<DateOrder> {
    order_of(order_evidence(texts))
}

/// A date text read in `order` when it is ambiguous.
pub fn read_in_order(text: &str, order: Option<DateOrder>) -> Option<Date> {
    match read_date(text) {
        DateText::Known(found) => Some(found),
        DateText::Ambiguous {
            first,
            second,
            year,
        } => match order? {
            DateOrder::DayFirst => date(year, second, first),
            DateOrder::MonthFirst => date(year, first, second),
        },
        DateText::Unreadable => None,
    }
}

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
                day_first |= date(year, second, first) == Some(exam);
                month_first |= date(year, first, second) == Some(exam);
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

    fn d(y: u16, m: u8, day: u8) -> DateText {
        DateText::Known(Date {
            year: y,
            month: m,
            day,
        })
    }

    #[test]
    fn forms_the_carriers_write() {
        assert_eq!(read_date("15-Mar-2021"), d(2021, 3, 15));
        assert_eq!(read_date("April 15, 2024"), d(2024, 4, 15));
        assert_eq!(read_date("15 September 2020"), d(2020, 9, 15));
        assert_eq!(read_date("2021-03-15"), d(2021, 3, 15));
        assert_eq!(read_date("20210315"), d(2021, 3, 15));
        assert_eq!(read_date("03/15/2021"), d(2021, 3, 15));
        assert_eq!(read_date("15/03/2021"), d(2021, 3, 15));
        assert_eq!(read_date("5/5/2021"), d(2021, 5, 5));
        assert_eq!(
            read_date("03/04/2021"),
            DateText::Ambiguous {
                first: 3,
                second: 4,
                year: 2021
            }
        );
        for junk in [
            "",
            "31-Foo-2021",
            "32/13/2021",
            "1/2/21",
            "yesterday",
            "30-Feb-2021",
        ] {
            assert_eq!(read_date(junk), DateText::Unreadable, "{junk}");
        }
    }

    #[test]
    fn order_proven_only_without_contradiction() {
        let order = |texts: &[&str]| proven_order(texts.iter().copied());
        assert_eq!(
            order(&["03/04/2021", "15/03/2020"]),
            Some(DateOrder::DayFirst)
        );
        assert_eq!(
            order(&["03/04/2021", "03/15/2020"]),
            Some(DateOrder::MonthFirst)
        );
        assert_eq!(order(&["03/04/2021"]), None);
        assert_eq!(order(&["13/04/2021", "03/15/2020"]), None);
        assert_eq!(
            order(&["03/19/2024 10:22"]),
            Some(DateOrder::MonthFirst),
            "a time after the date"
        );
    }

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
