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

/// Whether `digits` is grouped by three with `separator` (`1,234` or `12,345,678`; never
/// `0,123`).
fn grouped(digits: &[u8], separator: u8) -> bool {
    let Some(first_end) = digits.iter().position(|b| *b == separator) else {
        return false;
    };
    let first = &digits[..first_end];
    (1..=3).contains(&first.len())
        && first[0] != b'0'
        && first.iter().all(u8::is_ascii_digit)
        && digits[first_end + 1..]
            .split(|b| *b == separator)
            .all(|g| g.len() == 3 && g.iter().all(u8::is_ascii_digit))
}

mod cut;
mod known;
pub(super) use cut::plain_digits;
pub(super) use cut::{Scan, cell_end, plain_at, scan, scan_at, tab_cells};
pub(super) use known::{known_unit_at, matchable, unit_after};

impl MarkEvidence {
    /// Adds what one cell says.
    #[cfg(test)]
    pub(super) fn add(&mut self, cell: &str) {
        self.add_scan(&scan(cell));
    }

    /// Adds what one cut cell says.
    pub(super) fn add_scan(&mut self, cell: &Scan<'_>) {
        // A cell without the other mark adds nothing to a mark already seen: every cell
        // of a file after the first that proves its mark (the marks found by `scan`).
        if (self.point && !cell.has_comma) || (self.comma && !cell.has_point) {
            return;
        }
        let number = cell.number.as_bytes();
        let unsigned = &number[sign_length(number)..];
        let last = |mark: u8| unsigned.iter().rposition(|b| *b == mark);
        match (last(b'.'), last(b',')) {
            (Some(point), Some(comma)) => {
                if point > comma {
                    self.point = true;
                } else {
                    self.comma = true;
                }
            }
            (Some(_), None) => self.point |= !grouped(unsigned, b'.'),
            (None, Some(_)) => self.comma |= !grouped(unsigned, b','),
            (None, None) => {}
        }
    }

    /// Whether a cell proved a decimal point (then a cell without a comma adds nothing).
    pub(super) fn point(self) -> bool {
        self.point
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

/// How many signs (`-`, `+`) a number starts with.
fn sign_length(number: &[u8]) -> usize {
    number
        .iter()
        .take_while(|b| matches!(b, b'-' | b'+'))
        .count()
}

/// Reads a cell with the file's decimal mark.
#[cfg(test)]
pub(super) fn read(text: &str, mark: DecimalMark) -> Cell<'_> {
    read_scan(&scan(text), mark)
}

/// Reads a cut cell with the file's decimal mark.
pub(super) fn read_scan<'t>(cell: &Scan<'t>, mark: DecimalMark) -> Cell<'t> {
    if cell.text.len() <= MAX_CELL_CHARS {
        // The plain shape read with a point by `scan` already.
        let plain = match mark {
            DecimalMark::Point => cell.with_point,
            DecimalMark::Comma => plain_number(cell.number.as_bytes(), mark),
        };
        if let Some(value) = plain {
            return Cell::Number(value, cell.unit);
        }
    }
    let parts = match number_parts(cell, mark) {
        Ok(parts) => parts,
        Err(cell) => return cell,
    };
    match number_value(parts.sign, parts.whole, parts.fraction, parts.group) {
        Some(value) => Cell::Number(value, cell.unit),
        None => Cell::Unreadable,
    }
}

/// A cell's number cut at the file's decimal mark, its group separators checked.
struct NumberParts<'n> {
    /// At most one sign (checked by the reader).
    sign: &'n [u8],
    /// The whole part, with its group separators when `group` says it has some.
    whole: &'n [u8],
    fraction: Option<&'n [u8]>,
    group: Option<u8>,
}

/// A number in the shape nearly every cell of an export has: an optional `-`, then digits
/// with at most one decimal mark between two of them (`9.9`, `-0.3`, `2188`), in at most 18
/// bytes; None for any other shape, which `number_parts` and `number_value` read (and give
/// this value for this shape: they check more, the group separators, the signs, the
/// significant digits, that one loop over the bytes does not need to). The tests hold
/// `read_scan` to `Decimal::parse`.
fn plain_number(number: &[u8], mark: DecimalMark) -> Option<Decimal> {
    let decimal = match mark {
        DecimalMark::Point => b'.',
        DecimalMark::Comma => b',',
    };
    let (negative, digits) = match number {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, number),
    };
    // 18 bytes hold at most 18 digits: the mantissa stays below 10^18.
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut mantissa = 0i64;
    let mut point = None;
    for (at, &b) in digits.iter().enumerate() {
        if b.is_ascii_digit() {
            mantissa = mantissa * 10 + i64::from(b - b'0');
        } else if b == decimal && point.is_none() && at > 0 && at + 1 < digits.len() {
            point = Some(at);
        } else {
            return None;
        }
    }
    let scale = point.map_or(0, |at| digits.len() - at - 1);
    Decimal::from_parts(
        if negative { -mantissa } else { mantissa },
        u32::try_from(scale).ok()?,
    )
}

/// A cut cell's number in parts, or what the cell is when it is no number (empty, too
/// long, marks in the wrong places).
fn number_parts<'n>(cell: &Scan<'n>, mark: DecimalMark) -> Result<NumberParts<'n>, Cell<'n>> {
    let text = cell.text;
    if text.is_empty() || text == "-" {
        return Err(Cell::Empty);
    }
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        return Err(Cell::Unreadable);
    }
    let (decimal, group) = match mark {
        DecimalMark::Point => (b'.', b','),
        DecimalMark::Comma => (b',', b'.'),
    };
    let number = cell.number.as_bytes();
    let (sign, digits) = number.split_at(sign_length(number));
    let (whole, fraction) = match digits.iter().position(|b| *b == decimal) {
        Some(at) => (&digits[..at], Some(&digits[at + 1..])),
        None => (digits, None),
    };
    if fraction.is_some_and(|f| f.iter().any(|b| *b == decimal || *b == group)) {
        return Err(Cell::Unreadable);
    }
    let has_groups = whole.contains(&group);
    if has_groups && !grouped(whole, group) {
        return Err(Cell::Unreadable);
    }
    Ok(NumberParts {
        sign,
        whole,
        fraction,
        group: has_groups.then_some(group),
    })
}

/// The number of a cell's parts (at most one sign, the whole part with its group
/// separators `group` when it has some, checked already, and the fraction), as
/// `Decimal::parse` reads the sign, the whole part without its separators, a point and the
/// fraction (`read_scan_by_parse`, which the tests hold `read_scan` to): digits only, at least one, at most
/// 18 significant ones and 18 decimals. Read digit by digit, not copied and parsed again:
/// an export's every cell comes through here.
fn number_value(
    sign: &[u8],
    whole: &[u8],
    fraction: Option<&[u8]>,
    group: Option<u8>,
) -> Option<Decimal> {
    const MAX_DIGITS: u32 = 18;
    let negative = match sign {
        [] | [b'+'] => false,
        [b'-'] => true,
        _ => return None,
    };
    let (mut mantissa, mut significant, mut digits) = (0i64, 0u32, 0usize);
    let fraction = fraction.unwrap_or_default();
    // The whole part without its separators, then the fraction: two plain loops, not an
    // iterator chain through a filter.
    let mut digit = |b: u8| {
        if !b.is_ascii_digit() {
            return None;
        }
        digits += 1;
        if mantissa != 0 || b != b'0' {
            significant += 1;
            if significant > MAX_DIGITS {
                return None;
            }
        }
        mantissa = mantissa * 10 + i64::from(b - b'0');
        Some(())
    };
    for &b in whole {
        if Some(b) != group {
            digit(b)?;
        }
    }
    for &b in fraction {
        digit(b)?;
    }
    if digits == 0 {
        return None;
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    Decimal::from_parts(if negative { -mantissa } else { mantissa }, scale)
}

/// `read_scan` as it was before `number_value`: the parts copied into one text, read by
/// `Decimal::parse` (the tests' reference).
#[cfg(test)]
fn read_scan_by_parse<'t>(cell: &Scan<'t>, mark: DecimalMark) -> Cell<'t> {
    let NumberParts {
        sign,
        whole,
        fraction,
        group,
    } = match number_parts(cell, mark) {
        Ok(parts) => parts,
        Err(cell) => return cell,
    };
    let unit = cell.unit;
    // The number as `Decimal::parse` reads it: the sign, the whole part without its group
    // separators, a point and the fraction. The number part is ASCII of at most
    // `MAX_CELL_CHARS` bytes and this is never longer, so it fits on the stack.
    let mut plain = [0u8; MAX_CELL_CHARS];
    let mut len = 0;
    let mut put = |bytes: &[u8]| {
        let end = len + bytes.len();
        let slot = plain.get_mut(len..end)?;
        slot.copy_from_slice(bytes);
        len = end;
        Some(())
    };
    let copied = put(sign).and_then(|()| {
        match group {
            Some(group) => whole.split(|b| *b == group).try_for_each(&mut put)?,
            None => put(whole)?,
        }
        match fraction {
            Some(fraction) => put(b".").and_then(|()| put(fraction)),
            None => Some(()),
        }
    });
    if copied.is_none() {
        return Cell::Unreadable;
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
mod tests;
