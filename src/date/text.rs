//! Dates as scanners write them in their documents: GE trend containers name earlier exams
//! `dd-Mon-yyyy` (Canada), `MM/DD/YYYY` (US) or `DD/MM/YYYY`; Hologic writes "April 15,
//! 2024" and slashed dates; XML attributes the same (docs/evidence.md). A slashed date
//! whose day and month are both 12 or less cannot be read alone: it is never guessed, and
//! what other dates of the same document prove about the order is the caller's
//! (`carrier::dates`).

use super::Date;

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
            (Some(day), Some(year)) => known(Date::new(year, month, day)),
            _ => DateText::Unreadable,
        };
    }
    if let Some(month) = month_named(parts[0]) {
        // March 15, 2021
        return match (number::<u8>(parts[1], 2), number::<u16>(parts[2], 4)) {
            (Some(day), Some(year)) => known(Date::new(year, month, day)),
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
            (Some(year), Some(month), Some(day)) => known(Date::new(year, month, day)),
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
    numeric(first, second, year)
}

/// A date written `first/second/year` with both orders possible: known when one order
/// gives a date or both give the same one, ambiguous when both give different dates.
pub fn numeric(first: u8, second: u8, year: u16) -> DateText {
    let day_first = Date::new(year, second, first);
    let month_first = Date::new(year, first, second);
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
pub fn order_evidence<'t>(texts: impl Iterator<Item = &'t str>) -> (bool, bool) {
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

/// The order evidence proves: one way and not the other.
pub fn order_of((day_first, month_first): (bool, bool)) -> Option<DateOrder> {
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
            DateOrder::DayFirst => Date::new(year, second, first),
            DateOrder::MonthFirst => Date::new(year, first, second),
        },
        DateText::Unreadable => None,
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
}
