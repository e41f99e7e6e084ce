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
    known_unit_word_at(line, start, unit, None)
}

/// A unit and the tab after it as one little-endian word and its mask (`word`): a unit of
/// at most 7 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitWord {
    bits: u64,
    mask: u64,
    /// The unit's length.
    unit: usize,
}

impl UnitWord {
    /// The word of `unit` and a tab; None past 7 bytes.
    pub fn of(unit: &str) -> Option<UnitWord> {
        let length = unit.len();
        if length > 7 {
            return None;
        }
        let mut bytes = [0u8; 8];
        bytes[..length].copy_from_slice(unit.as_bytes());
        bytes[length] = b'\t';
        let mask = if length == 7 {
            u64::MAX
        } else {
            (1u64 << (8 * (length + 1))) - 1
        };
        Some(UnitWord {
            bits: u64::from_le_bytes(bytes),
            mask,
            unit: length,
        })
    }
}

/// `known_unit_at`, the unit and the tab after it compared as one word (`word`, the
/// unit's) where the line holds eight bytes from the unit's place: one load and one
/// comparison for a cell that is not its line's last. Any other cell is compared byte by
/// byte as `known_unit_at` does; the same result (a word equal to the unit and a tab is
/// what the bytes' comparison and the tab's test accept), held to it by
/// `cells::tests::a_known_unit_is_read_as_plain_at_reads_it`.
#[inline(always)]
pub fn known_unit_word_at(
    line: &[u8],
    start: usize,
    unit: &[u8],
    word: Option<UnitWord>,
) -> Option<(Decimal, Option<usize>)> {
    let digits_start = start + usize::from(*line.get(start)? == b'-');
    let (mantissa, scale, end) = plain_digits(line, digits_start)?;
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
    if let Some(word) = word
        && let Some(eight) = line.get(at..at + 8)
        && u64::from_le_bytes(eight.try_into().expect("eight bytes")) & word.mask == word.bits
    {
        at += word.unit;
        return finished(start, digits_start, mantissa, scale, at, Some(at + 1));
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
    finished(start, digits_start, mantissa, scale, at, next)
}

/// A known cell from `start` to its end `at` (its digits from `digits_start`): its number
/// and the next cell's start; None past `MAX_CELL_CHARS` bytes.
#[inline(always)]
fn finished(
    start: usize,
    digits_start: usize,
    mantissa: i64,
    scale: usize,
    at: usize,
    next: Option<usize>,
) -> Option<(Decimal, Option<usize>)> {
    if at - start > MAX_CELL_CHARS {
        return None;
    }
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
