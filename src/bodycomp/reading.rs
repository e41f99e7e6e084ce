//! One value of a body composition as read (`Reading`), its unit an index into its
//! composition's units (`UnitId`), and how a second reading of a value is kept or refused
//! (`keep`).
//!
//! A composition holds some two hundred readings in one to four units. A unit held by each
//! reading as a shared `Arc<str>` cost an atomic count per reading when a composition was
//! read back from the run's store and again when it was dropped, on another thread than the
//! one that made it (docs/performance.md, "The end of a run"): the index is a plain number,
//! and a reading has nothing to drop.

use std::num::NonZeroU32;
use std::sync::Arc;

use super::Dimension;
use super::units;
use crate::decimal::Decimal;

/// Which of its composition's units (`BodyComposition::units`) a reading is in. Held as the
/// index plus one: an `Option<Reading>` is then no larger than a `Reading`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnitId(NonZeroU32);

impl UnitId {
    /// The id of the unit at `index`; None past what an id holds (some four billion units:
    /// more than a composition's readings could name).
    pub fn new(index: usize) -> Option<UnitId> {
        let plus_one = u32::try_from(index).ok()?.checked_add(1)?;
        NonZeroU32::new(plus_one).map(UnitId)
    }

    /// The id of the unit at `index` of a list no longer than an id holds (a composition's
    /// units: `BodyComposition::unit_id` adds no more), without `new`'s checks.
    #[inline]
    pub(crate) fn listed(index: usize) -> UnitId {
        debug_assert!(UnitId::new(index).is_some());
        UnitId(NonZeroU32::MIN.saturating_add(index as u32))
    }

    /// The index into the composition's units.
    #[inline]
    pub fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// One value as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The value in the output unit (g, %, kg/m², cm³, cm²).
    pub value: Decimal,
    /// The number as written, before any conversion: its decimals say how it was rounded.
    pub written: Decimal,
    /// The unit as written (`g`, `lbs`, `in³`, `%`; empty when none was written): its index
    /// into the composition's units, whose text `BodyComposition::unit` gives.
    pub unit: UnitId,
}

impl Reading {
    /// How far it may be from the value it stands for by rounding alone (`units::rounding`),
    /// its unit's text found in `units` (its composition's).
    pub fn rounding(&self, dimension: Dimension, units: &[Arc<str>]) -> Decimal {
        units::rounding(self.written, &units[self.unit.index()], dimension)
    }

    /// Whether two readings, each of its composition's units, hold the same numbers in the
    /// same unit text.
    pub fn same_as(&self, units: &[Arc<str>], other: &Reading, other_units: &[Arc<str>]) -> bool {
        self.value == other.value
            && self.written == other.written
            && units[self.unit.index()] == other_units[other.unit.index()]
    }
}

/// Whether two readings of one value agree within what their rounding allows (`a_rounding`
/// and `b_rounding`, `Reading::rounding` of each: worked out once by `keep`, which compares
/// them next).
fn agree(a: &Reading, b: &Reading, a_rounding: Decimal, b_rounding: Decimal) -> bool {
    let allowed = a_rounding.checked_add(b_rounding);
    match (a.value.checked_sub(b.value), allowed) {
        (Some(difference), Some(allowed)) => difference.abs() <= allowed,
        _ => false,
    }
}

/// A second reading of a value that one already holds (a Hologic region is in two tables,
/// one to whole grams, one to tenths): when they agree within their rounding the finer one
/// is kept; else the first. False when a reading that disagrees was left out. Both
/// readings' units are in `units`.
pub(super) fn keep(
    slot: &mut Option<Reading>,
    reading: Reading,
    dimension: Dimension,
    units: &[Arc<str>],
) -> bool {
    let Some(kept) = slot else {
        *slot = Some(reading);
        return true;
    };
    let (kept_rounding, rounding) = (
        kept.rounding(dimension, units),
        reading.rounding(dimension, units),
    );
    keep_finer(kept, reading, kept_rounding, rounding)
}

/// The end of `keep` and `keep_held`, given both roundings: false when the two disagree
/// (the kept one stays), else the finer one kept (the first on a tie).
#[inline(always)]
fn keep_finer(
    kept: &mut Reading,
    reading: Reading,
    kept_rounding: Decimal,
    rounding: Decimal,
) -> bool {
    if !agree(kept, &reading, kept_rounding, rounding) {
        return false;
    }
    if rounding < kept_rounding {
        *kept = reading;
    }
    true
}

/// `keep`, for a reading whose unit's conversion to `dimension` is known (`conversion`,
/// found once per column of a table): an empty slot filled in line, a held one compared
/// by `keep_held`.
#[inline(always)]
pub(super) fn keep_converted(
    slot: &mut Option<Reading>,
    reading: Reading,
    conversion: Option<units::Conversion>,
    dimension: Dimension,
    units: &[Arc<str>],
) -> bool {
    match slot {
        None => {
            *slot = Some(reading);
            true
        }
        Some(kept) => keep_held(kept, reading, conversion, dimension, units),
    }
}

/// `keep` of a second reading, its rounding worked out from its unit's `conversion`, and
/// the kept one's too when it is in the same unit (the same id: the same text, so the same
/// conversion); else the kept one's unit is looked up as `keep` does.
#[inline(never)]
fn keep_held(
    kept: &mut Reading,
    reading: Reading,
    conversion: Option<units::Conversion>,
    dimension: Dimension,
    units: &[Arc<str>],
) -> bool {
    let rounding = units::rounding_through(reading.written, conversion);
    let kept_rounding = if kept.unit == reading.unit {
        units::rounding_through(kept.written, conversion)
    } else {
        kept.rounding(dimension, units)
    };
    keep_finer(kept, reading, kept_rounding, rounding)
}

/// The units the tests' readings are written in, the units of every composition
/// `test_composition` makes (in this order: `test_reading`'s ids index it).
#[cfg(test)]
pub(crate) const TEST_UNITS: [&str; 7] = ["g", "%", "lbs", "", "kg/m²", "cm³", "in³"];

/// The units of `TEST_UNITS`, as a composition holds them.
#[cfg(test)]
pub(crate) fn test_units() -> Vec<Arc<str>> {
    TEST_UNITS.iter().map(|&unit| Arc::from(unit)).collect()
}

/// An empty composition holding `TEST_UNITS`, in which `test_reading`'s readings are set.
#[cfg(test)]
pub(crate) fn test_composition(source: super::BodySource) -> super::BodyComposition {
    let mut comp = super::BodyComposition::new(source);
    comp.units = test_units();
    comp
}

/// A reading of `written` in `unit` (one of `TEST_UNITS`), converted as a carrier converts
/// it, for a composition `test_composition` made (for tests).
#[cfg(test)]
pub(crate) fn test_reading(written: &str, unit: &str, dimension: Dimension) -> Reading {
    let written = Decimal::parse(written).expect("test values are valid decimals");
    Reading {
        value: units::convert(written, unit, dimension).unwrap(),
        written,
        unit: test_unit(unit),
    }
}

/// The id of `unit` (one of `TEST_UNITS`) in a composition `test_composition` made.
#[cfg(test)]
pub(crate) fn test_unit(unit: &str) -> UnitId {
    let at = TEST_UNITS
        .iter()
        .position(|&u| u == unit)
        .unwrap_or_else(|| panic!("{unit:?} is not one of TEST_UNITS"));
    UnitId::new(at).expect("a small index")
}
