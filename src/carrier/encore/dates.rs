//! A data line's measure date (`MM/DD/YYYY` as enCORE writes it, docs/evidence.md): read
//! when it is unambiguous, or in the order the file's dates prove (docs/profiles.md,
//! "Dates"), which the reader knows only after the last line: an ambiguous date waits for
//! it (`Ambiguous`, `resolve_date`). The `NN/NN/NNNN` form every export writes is read
//! without splitting the text (`slashed`); any other by `date::text::read_date`.

use crate::bodycomp::encore_flag::EncoreFlag;
use crate::date::Date;
use crate::date::text::{DateOrder, DateText, numeric, order_evidence, read_date};

/// The measure date: unambiguous, or read in the order the file proves; flagged when it
/// cannot be read. A time after the date (`03/19/2024 10:22`) is not read. With `defer`,
/// an ambiguous date is left unread, flagged ambiguous, and given back (`resolve_date`
/// reads it once the file's order is known).
pub(super) fn measure_date(
    text: &str,
    order: Option<DateOrder>,
    defer: bool,
    flags: &mut Vec<EncoreFlag>,
) -> (Option<Date>, Option<Ambiguous>) {
    let text = text.split_whitespace().next().unwrap_or("");
    let read = match slashed(text) {
        Some((first, second, year)) => numeric(first, second, year),
        None => read_date(text),
    };
    match read {
        DateText::Known(date) => (Some(date), None),
        DateText::Ambiguous {
            first,
            second,
            year,
        } => {
            let ambiguous = Ambiguous {
                flag: flags.len(),
                first,
                second,
                year,
            };
            if defer {
                flags.push(EncoreFlag::MeasureDateAmbiguous);
                return (None, Some(ambiguous));
            }
            let date = ambiguous.in_order(order);
            flags.push(if date.is_some() {
                EncoreFlag::MeasureDateOrderInferred
            } else {
                EncoreFlag::MeasureDateAmbiguous
            });
            (date, None)
        }
        DateText::Unreadable => {
            flags.push(EncoreFlag::MeasureDateUnreadable);
            (None, None)
        }
    }
}

/// The numbers of a date written as enCORE writes it, `NN/NN/NNNN` (ten ASCII bytes), or
/// None for any other text (which `read_date` reads).
pub(super) fn slashed(text: &str) -> Option<(u8, u8, u16)> {
    let b: &[u8; 10] = text.as_bytes().try_into().ok()?;
    let digit = |at: usize| b[at].is_ascii_digit().then(|| b[at] - b'0');
    if b[2] != b'/' || b[5] != b'/' {
        return None;
    }
    let two = |at: usize| Some(digit(at)? * 10 + digit(at + 1)?);
    let year = (6..10).try_fold(0u16, |year, at| Some(year * 10 + u16::from(digit(at)?)))?;
    Some((two(0)?, two(3)?, year))
}

/// What a measure date cell says of the file's date order (`date::text::order_evidence`
/// of the one text: day-first, month-first), its `NN/NN/NNNN` form read without splitting.
pub(super) fn date_order_evidence(text: &str) -> (bool, bool) {
    let word = text.split_whitespace().next().unwrap_or("");
    match slashed(word) {
        Some((a, b, _)) => (a > 12 && b <= 12, b > 12 && a <= 12),
        None => order_evidence(std::iter::once(text)),
    }
}

/// A measure date whose day and month are both 12 or less, left to read once the file's
/// order is known: its numbers, and where its flag is in the record's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Ambiguous {
    flag: usize,
    first: u8,
    second: u8,
    year: u16,
}

impl Ambiguous {
    /// The date in `order` (`date::text::read_in_order` of the text it was read from).
    fn in_order(self, order: Option<DateOrder>) -> Option<Date> {
        match order? {
            DateOrder::DayFirst => Date::new(self.year, self.second, self.first),
            DateOrder::MonthFirst => Date::new(self.year, self.first, self.second),
        }
    }
}

/// Reads a record's ambiguous measure date (left by `record::build` with
/// `Context::defer_dates`) in the file's proven order into `date`, and flags it among the
/// record's `flags` as `build` would have with the order known.
pub(super) fn resolve_date(
    date: &mut Option<Date>,
    flags: &mut [EncoreFlag],
    ambiguous: Ambiguous,
    order: Option<DateOrder>,
) {
    *date = ambiguous.in_order(order);
    if date.is_some() {
        flags[ambiguous.flag] = EncoreFlag::MeasureDateOrderInferred;
    }
}
