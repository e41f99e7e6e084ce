//! Cross-calibration of BMD between manufacturers (clinical.md, "Normalisation across
//! manufacturers"): standardised BMD (sBMD, mg/cm²) and the T-score recomputed on the NHANES
//! III reference. Both exist so that an audit pooling Hologic and GE studies compares like
//! with like. sBMD carries a 4-7 % error: it is for pooling cohorts, never for one patient's
//! change across vendors (Fan et al., Osteoporos Int 2010;21:1227). Classification always
//! uses the scanner's reported T-score.
//!
//! All arithmetic is exact decimal (`Decimal`), so the values in the tests are the values a
//! reader works out by hand.

use crate::decimal::{Decimal, dec};
use crate::vocabulary::{Calibration, Region};

/// sBMD / 1000 = a + b x (BMD - x0), BMD in g/cm².
#[derive(Debug, Clone, Copy)]
struct Equation {
    a: Decimal,
    b: Decimal,
    x0: Decimal,
}

const fn hip(a: &str, b: &str) -> Equation {
    Equation {
        a: Decimal::lit(a),
        b: Decimal::lit(b),
        x0: dec!("0"),
    }
}

/// Spine: sBMD = 1000 x (b x (BMD - x0) + 1.0436) (Hui et al., JBMR 1997;12:1463).
const fn spine(b: &str, x0: &str) -> Equation {
    Equation {
        a: dec!("1.0436"),
        b: Decimal::lit(b),
        x0: Decimal::lit(x0),
    }
}

fn equation(region: Region, calibration: Calibration) -> Option<Equation> {
    use Calibration::{GeLunar, Hologic, Norland};
    // Each equation a constant: its numbers are checked when the crate is built.
    Some(match (region, calibration) {
        // Total hip: Hui et al., JBMR 1997;12:1463 / ICSBM.
        (Region::TotalHip, Hologic) => const { hip("0.006", "1.008") },
        (Region::TotalHip, GeLunar) => const { hip("-0.031", "0.979") },
        (Region::TotalHip, Norland) => const { hip("0.026", "1.012") },
        // Femoral neck: Lu et al., Osteoporos Int 2001;12:438.
        (Region::FemoralNeck, Hologic) => const { hip("0.019", "1.087") },
        (Region::FemoralNeck, GeLunar) => const { hip("-0.023", "0.939") },
        (Region::FemoralNeck, Norland) => const { hip("0.006", "0.985") },
        // Trochanter: Lu et al., Osteoporos Int 2001;12:438.
        (Region::Trochanter, Hologic) => const { hip("-0.017", "1.105") },
        (Region::Trochanter, GeLunar) => const { hip("-0.042", "0.949") },
        (Region::Trochanter, Norland) => const { hip("0.057", "0.961") },
        // Spine L1-L4 and L2-L4: Hui et al., JBMR 1997;12:1463.
        (Region::SpineL1L4 | Region::SpineL2L4, Hologic) => const { spine("1.0550", "0.972") },
        (Region::SpineL1L4 | Region::SpineL2L4, GeLunar) => const { spine("0.9683", "1.100") },
        (Region::SpineL1L4 | Region::SpineL2L4, Norland) => const { spine("0.9743", "0.969") },
        _ => return None,
    })
}

/// a + b x (BMD - x0), exact, in g/cm².
fn standardised_g(region: Region, calibration: Calibration, bmd: Decimal) -> Option<Decimal> {
    let eq = equation(region, calibration)?;
    eq.b.checked_mul(bmd.checked_sub(eq.x0)?)?.checked_add(eq.a)
}

/// Standardised BMD in mg/cm², rounded to whole mg/cm² (the equations' error is 4-7 %);
/// None where no published equation exists.
pub fn standardised_bmd(region: Region, calibration: Calibration, bmd: Decimal) -> Option<Decimal> {
    Some(
        standardised_g(region, calibration, bmd)?
            .checked_mul(dec!("1000"))?
            .round_to(0),
    )
}

/// NHANES III young white women 20-29, Hologic scale, g/cm² (Looker et al., Osteoporos Int
/// 1998;8:468): (mean, SD).
fn nhanes_reference(region: Region) -> Option<(Decimal, Decimal)> {
    match region {
        Region::FemoralNeck => Some((dec!("0.858"), dec!("0.120"))),
        Region::TotalHip => Some((dec!("0.942"), dec!("0.122"))),
        _ => None,
    }
}

/// The T-score on the NHANES III reference, two decimals, for femoral neck and total hip.
/// A non-Hologic BMD is first brought to the Hologic scale through sBMD (clinical.md):
/// BMD_h = (sBMD/1000 - a_h) / b_h, so T = (s - a_h - mean x b_h) / (b_h x SD).
pub fn nhanes_t_score(region: Region, calibration: Calibration, bmd: Decimal) -> Option<Decimal> {
    let (mean, sd) = nhanes_reference(region)?;
    let s = standardised_g(region, calibration, bmd)?;
    let hologic = equation(region, Calibration::Hologic)?;
    let (a_h, b_h) = (hologic.a, hologic.b);
    let numerator = s.checked_sub(a_h)?.checked_sub(mean.checked_mul(b_h)?)?;
    numerator.div_rounded(b_h.checked_mul(sd)?, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn sbmd_worked_by_hand() {
        // Hologic total hip 0.708: 1000 x (0.006 + 1.008 x 0.708) = 1000 x 0.719664 = 719.664 -> 720.
        assert_eq!(
            standardised_bmd(Region::TotalHip, Calibration::Hologic, d("0.708")),
            Some(d("720"))
        );
        // Hologic neck 0.585: 1000 x (0.019 + 1.087 x 0.585) = 1000 x 0.654895 = 654.895 -> 655.
        assert_eq!(
            standardised_bmd(Region::FemoralNeck, Calibration::Hologic, d("0.585")),
            Some(d("655"))
        );
        // Hologic spine 0.930: 1000 x (1.0550 x (0.930 - 0.972) + 1.0436)
        //   = 1000 x (-0.04431 + 1.0436) = 999.29 -> 999.
        assert_eq!(
            standardised_bmd(Region::SpineL1L4, Calibration::Hologic, d("0.930")),
            Some(d("999"))
        );
        // Lunar spine 1.012: 1000 x (0.9683 x (1.012 - 1.100) + 1.0436)
        //   = 1000 x (-0.0852104 + 1.0436) = 958.3896 -> 958.
        assert_eq!(
            standardised_bmd(Region::SpineL1L4, Calibration::GeLunar, d("1.012")),
            Some(d("958"))
        );
        // Lunar total hip 0.850: 1000 x (-0.031 + 0.979 x 0.850) = 1000 x 0.80115 = 801.15 -> 801.
        assert_eq!(
            standardised_bmd(Region::TotalHip, Calibration::GeLunar, d("0.850")),
            Some(d("801"))
        );
        // Norland trochanter 0.600: 1000 x (0.057 + 0.961 x 0.600) = 1000 x 0.6336 = 633.6 -> 634.
        assert_eq!(
            standardised_bmd(Region::Trochanter, Calibration::Norland, d("0.600")),
            Some(d("634"))
        );
        // No published equation for Ward's or the radius.
        assert_eq!(
            standardised_bmd(Region::Wards, Calibration::Hologic, d("0.5")),
            None
        );
        assert_eq!(
            standardised_bmd(Region::Radius33, Calibration::GeLunar, d("0.5")),
            None
        );
        assert_eq!(
            standardised_bmd(Region::SpineL1L3, Calibration::Hologic, d("0.9")),
            None
        );
    }

    #[test]
    fn nhanes_worked_by_hand() {
        // Hologic neck 0.585: (0.585 - 0.858) / 0.120 = -0.273 / 0.120 = -2.275 -> -2.28
        // (clinical.md's seed example: reported -2.4, NHANES -2.28).
        assert_eq!(
            nhanes_t_score(Region::FemoralNeck, Calibration::Hologic, d("0.585")),
            Some(d("-2.28"))
        );
        // Hologic total hip 0.708: (0.708 - 0.942) / 0.122 = -0.234 / 0.122 = -1.918... -> -1.92.
        assert_eq!(
            nhanes_t_score(Region::TotalHip, Calibration::Hologic, d("0.708")),
            Some(d("-1.92"))
        );
        // Lunar neck 0.800: s = -0.023 + 0.939 x 0.800 = 0.7282;
        //   BMD_h = (0.7282 - 0.019) / 1.087 = 0.7092 / 1.087 = 0.652438...;
        //   T = (0.652438 - 0.858) / 0.120 = -1.7130... -> -1.71.
        //   Exact form: (0.7282 - 0.019 - 0.858 x 1.087) / (1.087 x 0.120)
        //             = (0.7092 - 0.932646) / 0.13044 = -0.223446 / 0.13044 = -1.71302 -> -1.71.
        assert_eq!(
            nhanes_t_score(Region::FemoralNeck, Calibration::GeLunar, d("0.800")),
            Some(d("-1.71"))
        );
        // Only hip sites have an NHANES reference here.
        assert_eq!(
            nhanes_t_score(Region::Trochanter, Calibration::Hologic, d("0.5")),
            None
        );
        assert_eq!(
            nhanes_t_score(Region::SpineL1L4, Calibration::Hologic, d("0.9")),
            None
        );
    }
}
