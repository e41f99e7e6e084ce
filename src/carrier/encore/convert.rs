//! A kept unit's conversion (`column::KeptUnit`) sorted once by what it is, so that the planned
//! reader converts nearly every cell without `Conversion::apply`'s general product and
//! rounding: a unit without a conversion (`%`, `g`) gives the number as written, and pounds
//! (x 453.59237, whole grams) are worked out on the mantissa with the written scale's
//! divisor a constant (no division instruction per cell). Each gives what
//! `Conversion::apply` gives, parts and all, held to it by
//! `encore::tests::convert::a_sorted_conversion_applies_as_the_conversion_does` over every
//! scale and mantissas of every size.

use crate::bodycomp::Dimension;
use crate::bodycomp::units::{Conversion, GRAMS_PER_POUND, conversion};
use crate::decimal::Decimal;

/// Grams per pound (`units`' exact factor, where its source is cited) as a mantissa at
/// `POUND_SCALE` decimals.
const GRAMS_PER_POUND_MANTISSA: i64 = GRAMS_PER_POUND.to_parts().0;
const POUND_SCALE: u32 = GRAMS_PER_POUND.to_parts().1;

// `pounds`' product of a mantissa below 2^31, the factor and 100 stays below 2^64, and its
// divisor 10^(POUND_SCALE + 2) is a u64.
const _: () = assert!(
    (1u128 << 31) * GRAMS_PER_POUND_MANTISSA as u128 * 100 < 1u128 << 64 && POUND_SCALE + 2 <= 19
);

/// A conversion by what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sorted {
    /// Not one the dimension knows: no value.
    Unknown,
    /// Exact, factor 1: the number as written.
    Exact,
    /// Pounds to whole grams.
    Pounds,
    /// Any other: `Conversion::apply`.
    Other(Conversion),
}

impl Sorted {
    /// `found` sorted: compared with what `units` gives for the units it sorts out.
    pub(super) fn of(found: Option<Conversion>) -> Sorted {
        let Some(found) = found else {
            return Sorted::Unknown;
        };
        // The conversions compared by their parts' values: `Decimal`'s equality (1 and
        // 1.0 alike) would let a factor of another scale through, which the test over
        // every scale would catch.
        if Some(found) == conversion("g", Dimension::Mass) {
            Sorted::Exact
        } else if Some(found) == conversion("lbs", Dimension::Mass) {
            Sorted::Pounds
        } else {
            Sorted::Other(found)
        }
    }

    /// `written` in the dimension's unit: what the conversion's `apply` gives.
    #[inline(always)]
    pub(super) fn apply(self, written: Decimal) -> Option<Decimal> {
        match self {
            Sorted::Exact => Some(written),
            Sorted::Pounds => pounds(written),
            Sorted::Other(found) => unpacked(applied(found, written)),
            Sorted::Unknown => None,
        }
    }
}

/// A value or None as two words (None: a scale past 18), which a call gives back in
/// registers: an `Option<Decimal>` (three words) comes back through memory, and the
/// planned reader's every cell then took its value through the stack.
type Packed = (i64, u64);

fn packed(value: Option<Decimal>) -> Packed {
    value.map_or((0, u64::MAX), |v| {
        let (mantissa, scale) = v.to_parts();
        (mantissa, u64::from(scale))
    })
}

#[inline(always)]
fn unpacked((mantissa, scale): Packed) -> Option<Decimal> {
    Decimal::from_parts(mantissa, u32::try_from(scale).ok()?)
}

/// `Conversion::apply`, out of line.
#[inline(never)]
fn applied(found: Conversion, written: Decimal) -> Packed {
    packed(found.apply(written))
}

/// `written` pounds in whole grams, rounded half away from zero: the product of the
/// mantissa and the factor at their scales' sum, then `Decimal::round_to(0)`; None where
/// `Decimal::checked_mul` gives None (the product past `i64`, the scale past 18). A cell's
/// number (0 to 2 decimals, a mantissa below 2^31) is brought to 2 decimals and its
/// magnitude rounded by one division by a constant (10^7, no division instruction):
/// floor((|p| + d/2) / d) is the quotient and the half's step up of `round_to`.
#[inline(always)]
pub(super) fn pounds(written: Decimal) -> Option<Decimal> {
    /// 10^(2 - scale): a number at `scale` decimals brought to 2.
    const TO_HUNDREDTHS: [u64; 3] = [100, 10, 1];
    let (mantissa, scale) = written.to_parts();
    let magnitude = mantissa.unsigned_abs();
    if magnitude >= 1 << 31 || scale > 2 {
        return unpacked(pounds_at_any_scale(written));
    }
    // Below 2^31 x the factor x 100 < 2^64 (the assertion above): no overflow, where
    // `checked_mul`'s product (without the 100) is below 2^57: it gives a value too.
    let product = magnitude * GRAMS_PER_POUND_MANTISSA as u64 * TO_HUNDREDTHS[scale as usize];
    let divisor = 10u64.pow(POUND_SCALE + 2);
    let grams = ((product + divisor / 2) / divisor) as i64;
    Decimal::from_parts(if mantissa < 0 { -grams } else { grams }, 0)
}

/// `pounds` of a number no cell holds: the general product and rounding.
#[cold]
#[inline(never)]
fn pounds_at_any_scale(written: Decimal) -> Packed {
    packed(conversion("lbs", Dimension::Mass).and_then(|c| c.apply(written)))
}
