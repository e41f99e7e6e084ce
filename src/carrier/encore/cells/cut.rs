//! A line's cells cut at its tabs, each cell trimmed and cut into its number and unit
//! (`Scan`), or a plain cell read at once (`plain_at`): the reading of the parent module
//! (`read_scan`) and the file's evidence (`MarkEvidence::add_scan`) take what is cut here.

use super::MAX_CELL_CHARS;
use crate::decimal::{Decimal, trim};

/// `str::trim` of what follows a number: the spaces between (`9.9 lbs`) skipped as bytes
/// first, so that `trim` finds a unit without spaces around it and gives it back at once,
/// not by decoding it (removing leading spaces does not change what `str::trim` gives).
fn unit_trimmed(rest: &str) -> &str {
    let spaces = rest.bytes().take_while(|b| *b == b' ').count();
    trim(&rest[spaces..])
}

/// A cell cut once: its trimmed text, the number part and unit of that text (the number's
/// characters are ASCII digits, `.`, `,`, `-` and `+`; the unit is what follows, trimmed),
/// and what the one loop over the number's bytes learnt on the way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan<'t> {
    /// The cell, trimmed.
    pub text: &'t str,
    pub(super) number: &'t str,
    pub(super) unit: &'t str,
    /// The number read with a decimal point when it has the plain shape (`plain_number`
    /// with `DecimalMark::Point`), the form nearly every cell of a file has.
    pub(super) with_point: Option<Decimal>,
    /// Whether the number holds a `.`, and a `,` (`MarkEvidence::add_scan`).
    pub(super) has_point: bool,
    pub(super) has_comma: bool,
}

/// Cuts a cell into its number part and unit, reading the number with a decimal point on
/// the way when it has the plain shape: one loop over the number's bytes finds its end,
/// its value and its marks (`split`, `plain_number` and the marks' search, held to them by
/// `cells::tests::a_cell_is_cut_as_split_and_plain_number_cut_it`).
pub fn scan(cell: &str) -> Scan<'_> {
    let text = trim(cell);
    let number = number_at(text.as_bytes(), 0);
    number.scan(text, text, 0)
}

/// What the loop over a number's bytes finds (`number_at`).
struct Number {
    /// Where the number ends (the first byte that is not a digit, a mark or a sign).
    end: usize,
    with_point: Option<Decimal>,
    has_point: bool,
    has_comma: bool,
}

/// The number that starts at `start` of `bytes`: one loop over its bytes finds its end, its
/// value read with a point when it has the plain shape, and its marks.
#[inline(always)]
fn number_at(bytes: &[u8], start: usize) -> Number {
    let digits_start = start + usize::from(bytes.get(start) == Some(&b'-'));
    let (mut mantissa, mut point, mut plain) = (0i64, None, true);
    let (mut has_point, mut has_comma) = (false, false);
    let mut end = digits_start;
    while let Some(&b) = bytes.get(end) {
        if b.is_ascii_digit() {
            // Wraps only beyond 18 digits, which are not plain (below).
            mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(b - b'0'));
        } else if b == b'.' {
            plain &= point.is_none() && end > digits_start;
            point = Some(end);
            has_point = true;
        } else if b == b',' {
            has_comma = true;
            plain = false;
        } else if b == b'-' || b == b'+' {
            plain = false;
        } else {
            break;
        }
        end += 1;
    }
    let digits = end - digits_start;
    plain &= digits > 0 && digits <= 18 && point.is_none_or(|at| at + 1 < end);
    let with_point = if plain {
        let scale = point.map_or(0, |at| end - at - 1);
        let signed = if digits_start > start {
            -mantissa
        } else {
            mantissa
        };
        u32::try_from(scale)
            .ok()
            .and_then(|scale| Decimal::from_parts(signed, scale))
    } else {
        None
    };
    Number {
        end,
        with_point,
        has_point,
        has_comma,
    }
}

impl Number {
    /// The cell `text` (trimmed), which starts at `start` of `line`, cut at this number.
    #[inline(always)]
    fn scan<'t>(self, line: &'t str, text: &'t str, start: usize) -> Scan<'t> {
        Scan {
            text,
            // ASCII without spaces: nothing to trim.
            number: &line[start..self.end],
            unit: unit_trimmed(&line[self.end..start + text.len()]),
            with_point: self.with_point,
            has_point: self.has_point,
            has_comma: self.has_comma,
        }
    }
}

/// The cell of `line` that starts at `start` (to the next tab, or the line's end) cut as
/// `scan` cuts it, and where the cell after it starts (None: it is the last): the number's
/// loop runs on the line, then the tab is sought from the number's end, so that the
/// cell's bytes are gone over once. A cell with white space or a character beyond ASCII
/// first or last (or empty) is cut by `scan` once found. Held to `tab_cells` and `scan` by
/// `cells::tests::a_line_is_cut_as_tab_cells_and_scan_cut_it`.
#[inline]
pub fn scan_at(line: &str, start: usize) -> (Scan<'_>, Option<usize>) {
    let bytes = line.as_bytes();
    let number = number_at(bytes, start);
    let tab = cell_end(bytes, number.end);
    let next = (tab < bytes.len()).then_some(tab + 1);
    let cell = &line[start..tab];
    let plain = |b: Option<&u8>| b.is_some_and(|b| *b > b' ' && *b < 0x80);
    let cell_bytes = cell.as_bytes();
    if !plain(cell_bytes.first()) || !plain(cell_bytes.last()) {
        return (scan(cell), next);
    }
    (number.scan(line, cell, start), next)
}

impl<'t> Scan<'t> {
    /// The number read with a decimal point and the unit, when the cell has the plain
    /// shape and is no longer than `MAX_CELL_CHARS`: what `read_scan` gives with a point
    /// for such a cell, without its tests (None: `read_scan` reads it).
    #[inline]
    pub fn with_point(&self) -> Option<(Decimal, &'t str)> {
        if self.text.len() > MAX_CELL_CHARS {
            return None;
        }
        Some((self.with_point?, self.unit))
    }
}

/// The digits of a plain number from `digits_start` in `bytes` (digits, then at most one
/// point followed by digits, at most 18 bytes: the mantissa stays below 10^18): its
/// mantissa, its scale and where it ends. None without a digit before the point, with a
/// point and no digit after it, or past 18 bytes. What comes after the end is the
/// caller's to check (`plain_at`, `known_unit_at`).
#[inline(always)]
pub fn plain_digits(bytes: &[u8], digits_start: usize) -> Option<(i64, usize, usize)> {
    let digit = |at: usize| {
        bytes
            .get(at)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|d| *d < 10)
    };
    let (mut mantissa, mut end) = (0i64, digits_start);
    while let Some(d) = digit(end) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(d));
        end += 1;
    }
    if end == digits_start {
        return None;
    }
    let mut scale = 0;
    if bytes.get(end) == Some(&b'.') {
        let fraction = end + 1;
        end = fraction;
        while let Some(d) = digit(end) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(i64::from(d));
            end += 1;
        }
        scale = end - fraction;
        if scale == 0 {
            return None;
        }
    }
    if end - digits_start > 18 {
        return None;
    }
    Some((mantissa, scale, end))
}

/// The cell of `line` that starts at `start` when it has the plain shape (an ASCII byte
/// other than a space first and last, a number `Scan::with_point` reads, no longer than
/// `MAX_CELL_CHARS`): its number read with a point, its unit, and where the cell after it
/// starts; None for any other cell (`scan_at` cuts it). What `scan_at` and `read_scan`
/// with a point give for such a cell, without the cut cell's texts (held to them by
/// `cells::tests::a_line_is_cut_as_tab_cells_and_scan_cut_it`). Such a cell holds no
/// comma: it adds nothing to a file's evidence once a point is proven.
#[inline(always)]
pub fn plain_at(line: &str, start: usize) -> Option<(Decimal, &str, Option<usize>)> {
    let bytes = line.as_bytes();
    let plain = |b: u8| b > b' ' && b < 0x80;
    if !plain(*bytes.get(start)?) {
        return None;
    }
    // The plain shape read by one pass over its digits and point (`number_at`'s plain
    // number: an optional `-`, digits, at most one point between digits, at most 18
    // bytes), without `number_at`'s test of every byte for the other marks: a number
    // followed by another mark (`1.2.3`, `1,234`, `1-2`) is not plain.
    let digits_start = start + usize::from(bytes[start] == b'-');
    let (mantissa, scale, end) = plain_digits(bytes, digits_start)?;
    if bytes
        .get(end)
        .is_some_and(|b| matches!(b, b'.' | b',' | b'-' | b'+'))
    {
        return None;
    }
    let signed = if digits_start > start {
        -mantissa
    } else {
        mantissa
    };
    let value = Decimal::from_parts(signed, u32::try_from(scale).ok()?)?;
    let mut unit = end;
    while unit < bytes.len() && bytes[unit] == b' ' {
        unit += 1;
    }
    let tab = cell_end(bytes, unit);
    // A number was read: the cell is not empty.
    if tab - start > MAX_CELL_CHARS || !plain(bytes[tab - 1]) {
        return None;
    }
    Some((
        value,
        trim(&line[unit..tab]),
        (tab < bytes.len()).then_some(tab + 1),
    ))
}

/// Where the cell that holds byte `from` of a line ends: the first tab at or after
/// `from`, else the line's end. A byte loop: a cell is a few bytes long.
#[inline(always)]
pub fn cell_end(bytes: &[u8], from: usize) -> usize {
    let mut tab = from;
    while tab < bytes.len() && bytes[tab] != b'\t' {
        tab += 1;
    }
    tab
}

/// A line's cells, as `str::split('\t')` gives them, found by a byte loop: the cells are a
/// few bytes long, shorter than `split`'s search sets up for.
pub fn tab_cells(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.as_bytes().iter().position(|b| *b == b'\t') {
            Some(tab) => {
                rest = Some(&text[tab + 1..]);
                Some(&text[..tab])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}
