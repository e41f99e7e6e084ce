//! The known run of a planned line (`planned::build`): the cells the planned reader reads
//! without its general path (a skipped column's cell, an empty cell, a region's value or a
//! Diff, plain, in its column's kept unit, converted by the kept conversion), read by one
//! loop over the line's columns. Everything the loop needs of a column is in its `Step`,
//! made once per column and kept unit (`Step::new`): what the cell is read for (its region
//! slot and field, or its Diff), the unit and its sorted conversion, and the bytes that
//! followed the column's last number (`Tail`: the spaces, the unit, the tab), so that a
//! cell whose number is followed by the same bytes (nearly every one) is matched by one
//! masked comparison of a word, not by the spaces' and the unit's byte loops. Held to the
//! former run (a column's role and kept unit tested per cell, the unit compared byte by
//! byte) by `encore::tests::run::a_run_reads_as_the_former_run_reads`.

use std::sync::Arc;

use super::cells::{cell_end, plain_digits, unit_after};
use super::column::{Column, KeptUnit};
use super::convert::{Sorted, pounds};
use crate::bodycomp::{BodyComposition, Field, Reading, RegionComposition};
use crate::decimal::Decimal;

/// A Diff column's reading: the places of its region's halves, its field, the reading
/// (checked by `planned::build` once the line is read).
pub(super) type DiffReading = (Option<(u8, u8)>, Field, Reading);

/// What the run does with a column's cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Passes it (`Column::Skip`).
    Skip,
    /// Reads it into its region's slot (`Column::Value`).
    Value,
    /// Reads it as a Diff (`Column::Diff`).
    Diff,
    /// Passes it when empty, else stops (any other role, or a value column without a unit
    /// the run matches: `build`'s general path reads it).
    Stop,
}

/// A kept unit's conversion as the run applies it: the two of nearly every cell in line,
/// any other by `Sorted::apply`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Converts {
    /// `Sorted::Exact`: the number as written.
    Exact,
    /// `Sorted::Pounds`: `convert::pounds`.
    Pounds,
    /// Any other: `Sorted::apply`.
    Sorted,
}

/// A column as the run reads it: flat, so that a cell's step is tested by a byte or two.
#[derive(Debug, Clone)]
pub(super) struct Step {
    action: Action,
    converts: Converts,
    /// A value's region slot (`Action::Value`).
    slot: u8,
    /// A value's or a Diff's field.
    field: Field,
    /// A Diff's halves' places (`Column::Diff`).
    halves: Option<(u8, u8)>,
    /// The kept unit (Some for a value or a Diff) and its conversion.
    unit: Option<Arc<str>>,
    sorted: Sorted,
    tail: Tail,
}

impl Step {
    /// The step of a column of `role`, its kept unit `kept`.
    pub(super) fn new(role: Column, kept: Option<&KeptUnit>) -> Step {
        let (action, slot, field, halves) = match role {
            Column::Skip => (Action::Skip, 0, Field::Fat, None),
            Column::Value { slot, field, .. } => (Action::Value, slot, field, None),
            Column::Diff { field, halves, .. } => (Action::Diff, 0, field, halves),
            Column::Evidence | Column::Index(_) => (Action::Stop, 0, Field::Fat, None),
        };
        let (action, unit, sorted) = match kept {
            // The former run's tests: a value or a Diff, in a unit the cells are matched
            // against byte by byte.
            Some(kept) if kept.matchable && matches!(action, Action::Value | Action::Diff) => {
                (action, Some(Arc::clone(&kept.unit)), kept.sorted)
            }
            _ if action == Action::Skip => (action, None, Sorted::Unknown),
            _ => (Action::Stop, None, Sorted::Unknown),
        };
        Step {
            action,
            converts: match sorted {
                Sorted::Exact => Converts::Exact,
                Sorted::Pounds => Converts::Pounds,
                Sorted::Unknown | Sorted::Other(_) => Converts::Sorted,
            },
            slot,
            field,
            halves,
            unit,
            sorted,
            tail: Tail::default(),
        }
    }
}

/// The bytes that followed a column's last number read through `unit_after` (its spaces,
/// unit and tab), at most eight, as a little-endian word and the mask of their bytes
/// (`len` 0: none yet).
#[derive(Debug, Clone, Copy, Default)]
struct Tail {
    word: u64,
    mask: u64,
    len: usize,
}

impl Tail {
    /// What follows the number that ends at `end` of the cell at `start`: where the next
    /// cell starts (None: it was the last), as `unit_after` gives it; None where it gives
    /// None. Bytes the same as the tail's are what `unit_after` read before, to a tab:
    /// it reads them again the same way, within `MAX_CELL_CHARS` (a number of at most 19
    /// bytes and a tail of at most 8).
    #[inline(always)]
    fn after(
        &mut self,
        bytes: &[u8],
        start: usize,
        end: usize,
        unit: &[u8],
    ) -> Option<Option<usize>> {
        if self.len > 0
            && let Some(eight) = bytes.get(end..end + 8)
        {
            let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
            if (word ^ self.word) & self.mask == 0 {
                return Some(Some(end + self.len));
            }
        }
        let next = unit_after(bytes, start, end, unit)?;
        if let Some(next) = next {
            *self = Tail::of(&bytes[end..next]);
        }
        Some(next)
    }

    /// The tail of `bytes` (what `unit_after` read, to its tab); none past eight bytes.
    /// Out of line: a column's tail is learnt once per file or less.
    #[cold]
    #[inline(never)]
    fn of(bytes: &[u8]) -> Tail {
        if bytes.is_empty() || bytes.len() > 8 {
            return Tail::default();
        }
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        Tail {
            word: u64::from_le_bytes(word),
            mask: u64::MAX >> (64 - 8 * bytes.len()),
            len: bytes.len(),
        }
    }
}

/// The number of a plain cell that starts at `start` (its first byte `first`) read with a
/// point, and where the cell after it starts: `cells::known_unit_at`'s reading, the unit's
/// bytes matched by the column's tail first.
#[inline(always)]
fn known_cell(
    bytes: &[u8],
    start: usize,
    first: u8,
    unit: &[u8],
    tail: &mut Tail,
) -> Option<(Decimal, Option<usize>)> {
    let negative = first == b'-';
    let (mantissa, scale, end) = plain_digits(bytes, start + usize::from(negative))?;
    let next = tail.after(bytes, start, end, unit)?;
    let signed = if negative { -mantissa } else { mantissa };
    Some((
        Decimal::from_parts(signed, u32::try_from(scale).ok()?)?,
        next,
    ))
}

/// Where the cell after the one at `start` starts (None: it is the last).
#[inline(always)]
fn cell_after(bytes: &[u8], start: usize) -> Option<usize> {
    let tab = cell_end(bytes, start);
    (tab < bytes.len()).then_some(tab + 1)
}

/// The cells of `bytes` from `next` (the cell of `column`) read while each is one the run
/// reads (the module's comment); where it stops (the cell's start, or None past the last)
/// and at which column. The caller reads the cell it stops at by its general path, then
/// calls it again; only once the file proved a decimal point (a known cell holds no
/// comma). Out of `build`'s loop, so that the few values this loop holds stay in
/// registers (docs/performance.md).
#[inline(never)]
pub(super) fn known_run(
    bytes: &[u8],
    mut next: Option<usize>,
    mut column: usize,
    steps: &mut [Step],
    composition: &mut BodyComposition,
    regions: &mut [RegionComposition],
    diffs: &mut Vec<DiffReading>,
) -> (Option<usize>, usize) {
    while let Some(start) = next
        && let Some(step) = steps.get_mut(column)
    {
        if step.action == Action::Skip {
            next = cell_after(bytes, start);
            column += 1;
            continue;
        }
        // An empty cell: no value, no evidence (`build`'s test).
        let first = match bytes.get(start) {
            None => {
                next = None;
                column += 1;
                continue;
            }
            Some(b'\t') => {
                next = Some(start + 1);
                column += 1;
                continue;
            }
            Some(first) => *first,
        };
        let Some(unit) = &step.unit else {
            break;
        };
        let Some((written, after)) =
            known_cell(bytes, start, first, unit.as_bytes(), &mut step.tail)
        else {
            break;
        };
        let converted = match step.converts {
            Converts::Exact => Some(written),
            Converts::Pounds => pounds(written),
            Converts::Sorted => step.sorted.apply(written),
        };
        let Some(value) = converted else {
            break;
        };
        let reading = Reading {
            value,
            written,
            unit: composition.unit_id(unit),
        };
        // A step with a unit reads a value or a Diff.
        if step.action == Action::Diff {
            diffs.push((step.halves, step.field, reading));
        } else {
            *regions[usize::from(step.slot)].slot(step.field) = Some(reading);
        }
        next = after;
        column += 1;
    }
    (next, column)
}
