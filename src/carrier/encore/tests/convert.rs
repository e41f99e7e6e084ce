//! The sorted conversions (`convert::Sorted`) against `Conversion::apply`, on generated
//! numbers.

use crate::bodycomp::Dimension;
use crate::bodycomp::units::conversion;
use crate::carrier::encore::convert::Sorted;
use crate::decimal::Decimal;

/// Every unit a cell may be written in, for every dimension, sorted and applied: the
/// decimal `Conversion::apply` gives, as parts (mantissa and scale), for every scale and
/// mantissas of every size (the small ones of a cell, round and half-way products, the
/// edges of `i64` and of the product's overflow), and None where it gives None.
#[test]
fn a_sorted_conversion_applies_as_the_conversion_does() {
    let units = [
        "g", "(g)", "grams", "kg", "lbs", "lb", "lbs.", "%", "", "kg/m²", "cm³", "cc", "in³",
        "cm2", "in²", "stone",
    ];
    let dimensions = [
        Dimension::Mass,
        Dimension::Percent,
        Dimension::MassPerArea,
        Dimension::Ratio,
        Dimension::Volume,
        Dimension::Area,
    ];
    // The largest mantissa whose product by the pound's factor fits an i64, and its
    // neighbours either side.
    let edge = i64::MAX / 45_359_237;
    let mut mantissas = vec![
        0,
        1,
        -1,
        5,
        -5,
        edge,
        edge + 1,
        -edge,
        -edge - 1,
        i64::MAX,
        i64::MIN,
        i64::MIN + 1,
    ];
    let mut next = crate::test_rng::splitmix(0x0C0_4E47);
    for _ in 0..20_000 {
        let random = next();
        // Cell-sized mantissas mostly (up to 7 digits), some of every size.
        let mantissa = match random % 4 {
            0 => (random >> 8) as i64,
            1 => ((random >> 8) % 200_000_000_000) as i64,
            _ => ((random >> 8) % 10_000_000) as i64,
        };
        mantissas.push(if random & 0x80 == 0 {
            mantissa
        } else {
            -mantissa
        });
    }
    // Products a half gram exactly, which round away from zero: 5 x 10^(scale + 4) at
    // `scale` (50 000 lb = 22 679 618.5 g; the factor ends in 7 and 5 x 7 in 5), either
    // sign, and their neighbours.
    for power in [50_000i64, 500_000, 5_000_000, 50_000_000] {
        mantissas.extend([power, -power, power + 1, -power - 1, power * 3, -power * 3]);
    }
    let (mut checked, mut sorted_as) = (0, [0usize; 4]);
    for unit in units {
        for dimension in dimensions {
            let found = conversion(unit, dimension);
            let sorted = Sorted::of(found);
            sorted_as[match sorted {
                Sorted::Unknown => 0,
                Sorted::Exact => 1,
                Sorted::Pounds => 2,
                Sorted::Other(_) => 3,
            }] += 1;
            for scale in 0..=18 {
                for &mantissa in &mantissas {
                    let written = Decimal::from_parts(mantissa, scale).unwrap();
                    let expected = found.and_then(|c| c.apply(written));
                    assert_eq!(
                        sorted.apply(written).map(Decimal::to_parts),
                        expected.map(Decimal::to_parts),
                        "{unit:?} {dimension:?} {mantissa} at {scale}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(
        checked,
        units.len() * dimensions.len() * 19 * mantissas.len()
    );
    // Every kind met: pounds by three spellings, the exact units of each dimension,
    // kg and the inches by `apply`, the rest unknown.
    assert_eq!(sorted_as[2], 3, "lbs, lb, lbs.");
    assert!(sorted_as.iter().all(|n| *n > 0), "{sorted_as:?}");
}
