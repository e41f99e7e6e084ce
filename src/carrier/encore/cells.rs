//! The cells of an export: a number and the unit written after it (`9.9 lbs`, `99.9%`,
//! `99.99 in³`, `-0.3 lbs`), or a number alone (`9.999`, `9,999`); empty is no value.
//!
//! Thousands and decimals: the one public export set writes `9,999` (thousands) and `9.9`
//! (decimals). A site in a comma locale would write `9,9`. Which the file uses is read off
//! the file (`DecimalMark::of`): a comma followed by other than three digits, or a point
//! then a comma, says decimal comma; a point between digits says decimal point. A group
//! separator is read only where it groups by three (`1,234,567`), never guessed elsewhere.

use crate::decimal::Decimal;

/// Longest cell read (a cell is a number and a short unit).
pub(super) const MAX_CELL_CHARS: usize = 64;

/// The decimal mark of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DecimalMark {
    /// `9.9`, groups `9,999`.
    Point,
    /// `9,9`, groups `9.999`.
    Comma,
}

/// What a file's cells say of its decimal mark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct MarkEvidence {
    point: bool,
    comma: bool,
}

/// The number part of a cell and the unit after it, both trimmed.
fn split(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')))
        .unwrap_or(text.len());
    (text[..end].trim(), text[end..].trim())
}

/// Whether `digits` is grouped by three with `separator` (`1,234` or `12,345,678`; never
/// `0,123`).
fn grouped(digits: &str, separator: char) -> bool {
    let mut groups = digits.split(separator);
    let first = groups.next().unwrap_or("");
    let digits_only = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    let mut rest = groups.peekable();
    rest.peek().is_some()
        && (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && digits_only(first)
        && rest.all(|g| g.len() == 3 && digits_only(g))
}

impl MarkEvidence {
    /// Adds what one cell says.
    pub(super) fn add(&mut self, cell: &str) {
        let number = split(cell.trim()).0;
        let number = number.trim_start_matches(['-', '+']);
        match (number.rfind('.'), number.rfind(',')) {
            (Some(point), Some(comma)) => {
                if point > comma {
                    self.point = true;
                } else {
                    self.comma = true;
                }
            }
            (Some(_), None) => self.point |= !grouped(number, '.'),
            (None, Some(_)) => self.comma |= !grouped(number, ','),
            (None, None) => {}
        }
    }

    /// The mark the evidence proves; the public form (point) without evidence either way;
    /// None when it points both ways.
    pub(super) fn mark(self) -> Option<DecimalMark> {
        match (self.point, self.comma) {
            (true, true) => None,
            (false, true) => Some(DecimalMark::Comma),
            _ => Some(DecimalMark::Point),
        }
    }
}

/// A cell's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cell<'t> {
    /// Empty (or `-`, how enCORE prints a missing value).
    Empty,
    /// A number and the unit written after it.
    Number(Decimal, &'t str),
    /// Not a number this reader takes.
    Unreadable,
}

/// Reads a cell with the file's decimal mark.
pub(super) fn read(text: &str, mark: DecimalMark) -> Cell<'_> {
    let text = text.trim();
    if text.is_empty() || text == "-" {
        return Cell::Empty;
    }
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        return Cell::Unreadable;
    }
    let (number, unit) = split(text);
    let (decimal, group) = match mark {
        DecimalMark::Point => ('.', ','),
        DecimalMark::Comma => (',', '.'),
    };
    let sign_len = number.len() - number.trim_start_matches(['-', '+']).len();
    let (sign, digits) = number.split_at(sign_len);
    let (whole, fraction) = match digits.split_once(decimal) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    if fraction.is_some_and(|f| f.contains([decimal, group])) {
        return Cell::Unreadable;
    }
    if whole.contains(group) && !grouped(whole, group) {
        return Cell::Unreadable;
    }
    // The number as `Decimal::parse` reads it: the sign, the whole part without its group
    // separators, a point and the fraction. The number part is ASCII of at most
    // `MAX_CELL_CHARS` bytes and this is never longer, so it fits on the stack.
    let mut plain = [0u8; MAX_CELL_CHARS];
    let mut len = 0;
    let whole = whole.bytes().filter(|b| char::from(*b) != group);
    let point = fraction.map(|_| b'.');
    let fraction = fraction.unwrap_or("").bytes();
    for byte in sign.bytes().chain(whole).chain(point).chain(fraction) {
        let Some(slot) = plain.get_mut(len) else {
            return Cell::Unreadable;
        };
        *slot = byte;
        len += 1;
    }
    let parsed = std::str::from_utf8(&plain[..len])
        .ok()
        .and_then(Decimal::parse);
    match parsed {
        Some(value) if sign.len() <= 1 => Cell::Number(value, unit),
        _ => Cell::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str, mark: DecimalMark) -> Option<(String, String)> {
        match read(text, mark) {
            Cell::Number(value, unit) => Some((value.to_string(), unit.to_string())),
            _ => None,
        }
    }

    #[test]
    fn numbers_and_units_as_encore_writes_them() {
        let point = DecimalMark::Point;
        let cases = [
            ("9.9 lbs", Some(("9.9", "lbs"))),
            ("-0.3 lbs", Some(("-0.3", "lbs"))),
            ("33.4%", Some(("33.4", "%"))),
            ("-1.2%", Some(("-1.2", "%"))),
            ("99.99 in³", Some(("99.99", "in³"))),
            ("0.00 lbs", Some(("0.00", "lbs"))),
            ("1.123", Some(("1.123", ""))),
            ("2,188", Some(("2188", ""))),
            ("4,491 g", Some(("4491", "g"))),
            ("1,234,567.5 g", Some(("1234567.5", "g"))),
            ("1,23", None),
            ("12,3456", None),
            ("1.2.3", None),
            ("--1", None),
            ("lbs", None),
        ];
        for (text, expected) in cases {
            let expected = expected.map(|(v, u)| (v.to_string(), u.to_string()));
            assert_eq!(number(text, point), expected, "{text}");
        }
        assert_eq!(read("", point), Cell::Empty);
        assert_eq!(read("  - ", point), Cell::Empty);
        assert_eq!(read(&"9".repeat(65), point), Cell::Unreadable);
        let comma = DecimalMark::Comma;
        assert_eq!(number("9,9 lbs", comma), Some(("9.9".into(), "lbs".into())));
        assert_eq!(number("4.491 g", comma), Some(("4491".into(), "g".into())));
        assert_eq!(number("1,023", comma), Some(("1.023".into(), "".into())));
    }

    #[test]
    fn the_file_says_its_decimal_mark() {
        let mark = |cells: &[&str]| {
            let mut evidence = MarkEvidence::default();
            cells.iter().for_each(|c| evidence.add(c));
            evidence.mark()
        };
        assert_eq!(mark(&["9.9 lbs", "2,188"]), Some(DecimalMark::Point));
        assert_eq!(mark(&["9,9 lbs", "2.188"]), Some(DecimalMark::Comma));
        assert_eq!(mark(&["1,234.5"]), Some(DecimalMark::Point));
        assert_eq!(mark(&["1.234,5"]), Some(DecimalMark::Comma));
        assert_eq!(
            mark(&["2,188", "33"]),
            Some(DecimalMark::Point),
            "no evidence"
        );
        assert_eq!(
            mark(&["0,987"]),
            Some(DecimalMark::Comma),
            "no group starts with 0"
        );
        assert_eq!(mark(&["0.987"]), Some(DecimalMark::Point));
        assert_eq!(mark(&["9.9", "9,9"]), None, "both");
    }
}
