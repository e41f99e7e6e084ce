//! A plain cell in the unit its column's last value was written in, read in one pass over
//! its bytes: the number read as `plain_at` reads it, then the unit compared byte by byte
//! with the one the column kept, not cut, trimmed and compared again. Any other cell (a
//! different unit, white space or a character beyond ASCII last, another shape) gives
//! None and is read by `plain_at` or `scan_at`.

use super::MAX_CELL_CHARS;
use super::cut::plain_digits;
use crate::decimal::{Decimal, trim};

/// A unit a cell may be matched against by `known_unit_at`: trimmed and without a tab (as
/// every unit a cell gives is: `plain_at`'s and `scan`'s) and, when written, ending in an
/// ASCII byte other than a space (else `plain_at` does not read the cell).
pub fn matchable(unit: &str) -> bool {
    trim(unit) == unit
        && !unit.contains('\t')
        && unit
            .as_bytes()
            .last()
            .is_none_or(|b| *b > b' ' && *b < 0x80)
}

/// The cell of `line` that starts at `start` when it has the plain shape and its unit is
/// `unit` (`matchable`): its number read with a point and where the cell after it starts
/// (None: it was the last). What `plain_at` gives for such a cell (its unit then `unit`),
/// held to it by `cells::tests::a_known_unit_is_read_as_plain_at_reads_it`; None for any
/// other cell.
#[inline(always)]
pub fn known_unit_at(line: &[u8], start: usize, unit: &[u8]) -> Option<(Decimal, Option<usize>)> {
    let digits_start = start + usize::from(*line.get(start)? == b'-');
    let (mantissa, scale, end) = plain_digits(line, digits_start)?;
    let next = unit_after(line, start, end, unit)?;
    let signed = if digits_start > start {
        -mantissa
    } else {
        mantissa
    };
    Some((
        Decimal::from_parts(signed, u32::try_from(scale).ok()?)?,
        next,
    ))
}

/// What follows a plain number that ends at `end` of the cell that starts at `start`
/// (`plain_digits`' end), as `known_unit_at` reads it: the spaces, then `unit`, then the
/// tab or the line's end; where the cell after it starts (None: it was the last), or None
/// when the cell is not one `known_unit_at` reads.
#[inline(always)]
pub fn unit_after(line: &[u8], start: usize, end: usize, unit: &[u8]) -> Option<Option<usize>> {
    let mut at = end;
    match line.get(at) {
        Some(b'.' | b',' | b'-' | b'+') => return None,
        Some(b' ') if unit.is_empty() => return None,
        Some(b' ') => {
            while line.get(at) == Some(&b' ') {
                at += 1;
            }
        }
        _ => {}
    }
    if !unit.is_empty() {
        // A unit is a few bytes: compared in place, not by a call to `memcmp`.
        let written = line.get(at..at + unit.len())?;
        if !written.iter().zip(unit).all(|(a, b)| a == b) {
            return None;
        }
        at += unit.len();
    }
    let next = match line.get(at) {
        None => None,
        Some(b'\t') => Some(at + 1),
        Some(_) => return None,
    };
    if at - start > MAX_CELL_CHARS {
        return None;
    }
    Some(next)
}
