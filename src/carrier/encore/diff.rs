//! A Diff column's check (docs/clinical.md, "Body composition"): a region's right half less
//! its left against the Diff written, within the three values' rounding.

use std::sync::Arc;

use crate::bodycomp::{Dimension, Field, Reading};
use crate::decimal::Decimal;

/// Whether a Diff's reading is not `right` - `left` within the three values' rounding.
/// The readings' units are in `units` (their composition's).
pub(super) fn disagrees(
    right: &Reading,
    left: &Reading,
    diff: &Reading,
    field: Field,
    units: &[Arc<str>],
) -> bool {
    let dimension = field.dimension();
    disagrees_within(right, left, diff, |reading| {
        reading.rounding(dimension, units)
    })
}

/// Most roundings kept (`Roundings`): a file writes a few units, each at a scale or two.
const KEPT_ROUNDINGS: usize = 16;

/// Readings' roundings (`Reading::rounding`) kept by what they depend on: the unit (the
/// same shared text, the file's, whatever line's composition holds it: `Arc::ptr_eq`),
/// the written number's scale and the dimension. A Diff whose three values do not give
/// Right - Left - Diff = 0 at once asks for three, which look the unit's conversion up by
/// its text each time; a file's lines ask for the same few again and again.
#[derive(Debug, Default)]
pub(super) struct Roundings(Vec<(Arc<str>, u32, Dimension, Decimal)>);

impl Roundings {
    /// `reading.rounding(dimension, units)`, found once per unit, scale and dimension.
    pub(super) fn of(
        &mut self,
        reading: &Reading,
        units: &[Arc<str>],
        dimension: Dimension,
    ) -> Decimal {
        let scale = reading.written.scale();
        let unit = &units[reading.unit.index()];
        let kept = self
            .0
            .iter()
            .find(|(kept_unit, kept_scale, kept_dimension, _)| {
                Arc::ptr_eq(kept_unit, unit) && *kept_scale == scale && *kept_dimension == dimension
            });
        if let Some((.., rounding)) = kept {
            return *rounding;
        }
        let rounding = reading.rounding(dimension, units);
        if self.0.len() < KEPT_ROUNDINGS {
            self.0.push((Arc::clone(unit), scale, dimension, rounding));
        }
        rounding
    }
}

/// `disagrees`, each reading's rounding given by `rounding` (`Reading::rounding` of the
/// field's dimension, or `Roundings::of` it).
pub(super) fn disagrees_within(
    right: &Reading,
    left: &Reading,
    diff: &Reading,
    mut rounding: impl FnMut(&Reading) -> Decimal,
) -> bool {
    // Three values of one scale (nearly every Diff: grams, or percents) whose mantissas
    // give Right - Left - Diff = 0 agree: what the decimals' arithmetic below gives, without
    // its scaling (any overflow is left to it).
    let [(r, scale), (l, left_scale), (d, diff_scale)] =
        [right, left, diff].map(|reading| reading.value.to_parts());
    if scale == left_scale
        && scale == diff_scale
        && r.checked_sub(l).and_then(|x| x.checked_sub(d)) == Some(0)
    {
        return false;
    }
    let Some(difference) = right
        .value
        .checked_sub(left.value)
        .and_then(|d| d.checked_sub(diff.value))
    else {
        return false;
    };
    // No difference is within any rounding: the allowance is not worked out.
    if difference.to_parts().0 == 0 {
        return false;
    }
    // Three readings of one unit and one written scale have one rounding (it depends on no
    // more: `Roundings`' key), worked out once: the sum below is three times it, None on
    // the same overflow (a Diff's three values are nearly always such).
    let written_scale = right.written.scale();
    let allowed = if right.unit == left.unit
        && right.unit == diff.unit
        && written_scale == left.written.scale()
        && written_scale == diff.written.scale()
    {
        let (mantissa, scale) = rounding(right).to_parts();
        mantissa
            .checked_mul(3)
            .and_then(|thrice| Decimal::from_parts(thrice, scale))
    } else {
        [right, left, diff]
            .iter()
            .try_fold(Decimal::from_parts(0, 0).expect("zero"), |sum, r| {
                sum.checked_add(rounding(r))
            })
    };
    let Some(allowed) = allowed else {
        return false;
    };
    difference.abs() > allowed
}
