//! A region's readings read within a window of the bytes after its presence byte, each in
//! one step and none checked against the bytes left (`Reader::regions`), and the count of
//! units a reading's head is checked against (`UnitCount`, which the byte-by-byte reader
//! in body.rs checks too: here, so that neither module imports the other's items back).

use super::super::wire::short_decimal;
use crate::bodycomp::{Reading, UnitId};

/// The bytes from a region's first reading that its readings may read when each is read
/// in one step (`quick_in`): at most eight readings of at most 17 bytes (a head, then two
/// decimals of at most eight bytes: `short_decimal`) start within the first 120 bytes,
/// and each reads at most two words from its second byte. Held from `at & 0x7f` and a
/// decimal's bytes `& 0xf`, the compiler sees every read within it and checks none.
pub(super) const WINDOW: usize = 0x80 + 1 + 0x10 + 8;

/// A reading at `at` (the bytes a region's readings before it took) in a region's window,
/// as `Reader::quick_reading` reads it, and the bytes it took; None, as there, for any
/// other reading.
#[inline(always)]
pub(super) fn quick_in(
    window: &[u8; WINDOW],
    at: usize,
    units: UnitCount,
) -> Option<(Reading, usize)> {
    debug_assert!(at < 8 * 17);
    let at = at & 0x7f;
    short_reading(window[at], units, |from| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&window[at + from..at + from + 8]);
        Some(u64::from_le_bytes(bytes))
    })
}

/// A reading whose head (`head`) is one byte naming one of `units` and whose numbers are
/// each a short decimal (`short_decimal`), its numbers read from `word(k)`: the eight bytes
/// from the reading's byte `k` (1, then at most 1 + 8 + 7), None past the bytes held. The
/// reading and the bytes it took; None for any other reading. What the window's reader
/// (`quick_in`) and the record's (`Reader::quick_reading`) both read.
#[inline(always)]
pub(super) fn short_reading(
    head: u8,
    units: UnitCount,
    word: impl Fn(usize) -> Option<u64>,
) -> Option<(Reading, usize)> {
    if head >= units.one_byte_heads {
        return None;
    }
    let (written, written_taken) = short_decimal(word(1)?)?;
    let (value, taken) = if head & 1 == 1 {
        (written, 1 + written_taken)
    } else {
        let (value, value_taken) = short_decimal(word(1 + (written_taken & 0xf))?)?;
        (value, 1 + written_taken + value_taken)
    };
    Some((
        Reading {
            value,
            written,
            unit: UnitId::listed(usize::from(head >> 1)),
        },
        taken,
    ))
}

/// How many units a composition's readings may name, as its reader checks a reading's
/// head against it.
#[derive(Clone, Copy)]
pub(super) struct UnitCount {
    /// The units' count.
    pub(super) count: usize,
    /// The heads of one byte (below 0x80) that name one of the units: below twice their
    /// count (a head is `unit << 1 | same`), one comparison for both.
    pub(super) one_byte_heads: u8,
}

impl UnitCount {
    /// The count of `count` units.
    pub(super) fn of(count: usize) -> UnitCount {
        UnitCount {
            count,
            one_byte_heads: count.saturating_mul(2).min(0x80) as u8,
        }
    }
}
