//! A Diff column's check (docs/clinical.md, "Body composition"): a region's right half less
//! its left against the Diff written, within the three values' rounding.

use crate::bodycomp::{Field, Reading};
use crate::decimal::Decimal;

/// Whether a Diff's reading is not `right` - `left` within the three values' rounding.
pub(super) fn disagrees(right: &Reading, left: &Reading, diff: &Reading, field: Field) -> bool {
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
    let dimension = field.dimension();
    let allowed = [right, left, diff]
        .iter()
        .try_fold(Decimal::from_parts(0, 0).expect("zero"), |sum, r| {
            sum.checked_add(r.rounding(dimension))
        });
    let Some(allowed) = allowed else {
        return false;
    };
    let zero = Decimal::from_parts(0, 0).expect("zero");
    let magnitude = if difference < zero {
        zero.checked_sub(difference).unwrap_or(difference)
    } else {
        difference
    };
    magnitude > allowed
}
