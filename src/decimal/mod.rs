//! Exact decimal numbers as DICOM writes them (DS, "Decimal String").
//!
//! Scanners report BMD as "0.930" and T-scores as "-2.4". Classification boundaries are on the
//! reported one-decimal value (clinical.md: -2.5 is osteoporosis), and the CSV must show the
//! value "as given". Binary floats would turn 0.930 / 1000 or -2.45 rounding into guesses, so
//! values stay decimal: an integer mantissa and a power-of-ten scale.

use std::cmp::Ordering;
use std::fmt;

/// Most digits a mantissa may hold; DS is at most 16 characters, so 18 is ample.
const MAX_DIGITS: u32 = 18;

/// 10^0 to 10^MAX_DIGITS: every power of ten a scale asks for (a scale is at most
/// MAX_DIGITS), looked up where `i64::pow` and `checked_pow` ran a loop for each
/// (docs/performance.md, "Body composition files").
pub(crate) const POW10: [i64; MAX_DIGITS as usize + 1] = {
    let mut powers = [1i64; MAX_DIGITS as usize + 1];
    let mut at = 1;
    while at < powers.len() {
        powers[at] = powers[at - 1] * 10;
        at += 1;
    }
    powers
};

/// The longest plain text of a `Decimal`: a sign, a point and at most 38 digits (an i64
/// mantissa times at most 10^18).
pub const PLAIN_MAX: usize = 40;

/// A decimal constant, checked when the crate is built (`dec!("-2.5")`: `Decimal::lit` in
/// a `const` block): the one way the code states a number.
macro_rules! dec {
    ($text:literal) => {
        const { $crate::decimal::Decimal::lit($text) }
    };
}

pub(crate) use dec;

/// An exact decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    mantissa: i64,
    scale: u32,
}

impl Decimal {
    /// A constant written as plain decimal text (`"-2.5"`, `"100"`, `"0.040"`): the one way
    /// the code states a number (a clinical threshold, a factor). A `const` evaluates it at
    /// compile time, so that a malformed constant does not build.
    pub const fn lit(text: &str) -> Decimal {
        let bytes = text.as_bytes();
        let negative = !bytes.is_empty() && bytes[0] == b'-';
        let mut i = if negative { 1 } else { 0 };
        assert!(i < bytes.len(), "a decimal constant has digits");
        let mut mantissa: i64 = 0;
        let mut scale: u32 = 0;
        let mut point = false;
        let mut digits = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'.' {
                assert!(!point, "one decimal point");
                point = true;
            } else {
                assert!(b.is_ascii_digit(), "digits, a sign and a point only");
                mantissa = mantissa * 10 + (b - b'0') as i64;
                digits += 1;
                if point {
                    scale += 1;
                }
            }
            i += 1;
        }
        assert!(
            digits > 0 && digits <= MAX_DIGITS,
            "1 to 18 digits in a decimal constant"
        );
        Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale,
        }
    }

    /// `value / 10^places` exactly (mg/cm² to g/cm² is `shift_left(3)`).
    pub fn shift_left(self, places: u32) -> Option<Decimal> {
        let scale = self.scale + places;
        (scale <= MAX_DIGITS).then_some(Decimal {
            mantissa: self.mantissa,
            scale,
        })
    }

    /// Rounds to `places` decimals, half away from zero (how a printed -2.45 becomes -2.5).
    pub fn round_to(self, places: u32) -> Decimal {
        if self.scale <= places {
            return self;
        }
        // self.scale <= MAX_DIGITS: the power is in the table.
        let divisor = POW10[(self.scale - places) as usize];
        let quotient = self.mantissa / divisor;
        let remainder = (self.mantissa % divisor).abs();
        let rounded = if remainder * 2 >= divisor {
            quotient + self.mantissa.signum()
        } else {
            quotient
        };
        Decimal {
            mantissa: rounded,
            scale: places,
        }
    }

    /// The double nearest to the value (what parsing its plain text gives): for arithmetic
    /// that is itself approximate (sBMD, NHANES) and for Parquet's Float64 columns.
    pub fn to_f64(self) -> f64 {
        // A mantissa below 2^53 and a power of ten up to 10^18 are exact doubles, so one
        // division rounds once, to the nearest; larger mantissas go through the text.
        if self.mantissa.unsigned_abs() < 1 << 53 {
            self.mantissa as f64 / 10f64.powi(self.scale as i32)
        } else {
            self.to_plain(0).parse().unwrap_or(f64::NAN)
        }
    }

    /// The mantissa and scale (value = mantissa / 10^scale), for compact binary records.
    pub const fn to_parts(self) -> (i64, u32) {
        (self.mantissa, self.scale)
    }

    /// The inverse of `to_parts`; None for a scale beyond 18 decimals.
    pub fn from_parts(mantissa: i64, scale: u32) -> Option<Decimal> {
        (scale <= MAX_DIGITS).then_some(Decimal { mantissa, scale })
    }

    /// Number of decimals as written (after exponent resolution).
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// A decimal from an f64 rounded to `places` decimals (for computed columns).
    pub fn from_f64(value: f64, places: u32) -> Option<Decimal> {
        if !value.is_finite() || places > 9 {
            return None;
        }
        let scaled = (value * 10f64.powi(places as i32)).round();
        (scaled.abs() < 1e15).then_some(Decimal {
            mantissa: scaled as i64,
            scale: places,
        })
    }

    /// Exact sum; None on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self
            .mantissa
            .checked_mul(*POW10.get((scale - self.scale) as usize)?)?;
        let b = other
            .mantissa
            .checked_mul(*POW10.get((scale - other.scale) as usize)?)?;
        Some(Decimal {
            mantissa: a.checked_add(b)?,
            scale,
        })
    }

    /// Exact difference; None on overflow.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(Decimal {
            mantissa: other.mantissa.checked_neg()?,
            scale: other.scale,
        })
    }

    /// Exact product; None on overflow or beyond 18 decimals.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale + other.scale;
        (scale <= MAX_DIGITS).then_some(())?;
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(other.mantissa)?,
            scale,
        })
    }

    /// `self / other` rounded half away from zero to `places` decimals; None for a zero
    /// divisor or overflow. Exact: no binary float in between, so -0.273 / 0.120 is
    /// -2.275 and rounds to -2.28, as by hand.
    pub fn div_rounded(self, other: Decimal, places: u32) -> Option<Decimal> {
        if other.mantissa == 0 || places > 9 {
            return None;
        }
        // self/other = (ma / 10^sa) / (mb / 10^sb) = ma * 10^(sb - sa) / mb.
        // Scaled by 10^places: ma * 10^(sb + places) / (mb * 10^sa).
        let numerator =
            i128::from(self.mantissa).checked_mul(10i128.checked_pow(other.scale + places)?)?;
        let denominator =
            i128::from(other.mantissa).checked_mul(10i128.checked_pow(self.scale)?)?;
        let quotient = numerator / denominator;
        let remainder = numerator % denominator;
        let rounded = if 2 * remainder.abs() >= denominator.abs() {
            quotient
                + if (numerator < 0) != (denominator < 0) {
                    -1
                } else {
                    1
                }
        } else {
            quotient
        };
        Some(Decimal {
            mantissa: i64::try_from(rounded).ok()?,
            scale: places,
        })
    }

    /// The magnitude: `0 - self` when negative (its scale kept), else `self`; the least
    /// mantissa, whose negation overflows, is given back as it is.
    #[inline]
    pub fn abs(self) -> Decimal {
        match self.mantissa.checked_neg() {
            Some(mantissa) if self.mantissa < 0 => Decimal {
                mantissa,
                scale: self.scale,
            },
            _ => self,
        }
    }

    fn cmp_value(&self, other: &Decimal) -> Ordering {
        // Mantissas at one scale compare as they are, and most others meet at a scale in
        // i64; only a product beyond i64 is compared in i128 (`keep` and the checks compare
        // values per reading, docs/performance.md). A test holds this to the i128 compare.
        if self.scale == other.scale {
            return self.mantissa.cmp(&other.mantissa);
        }
        let scale = self.scale.max(other.scale);
        // Both scales are at most MAX_DIGITS: the powers are in the table.
        let (a_power, b_power) = (
            POW10[(scale - self.scale) as usize],
            POW10[(scale - other.scale) as usize],
        );
        match (
            self.mantissa.checked_mul(a_power),
            other.mantissa.checked_mul(b_power),
        ) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => (i128::from(self.mantissa) * i128::from(a_power))
                .cmp(&(i128::from(other.mantissa) * i128::from(b_power))),
        }
    }
}

impl std::hash::Hash for Decimal {
    /// Equal values hash alike whatever their written scale (0.93 and 0.930).
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (mut mantissa, mut scale) = (self.mantissa, self.scale);
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        state.write_i64(mantissa);
        state.write_u32(scale);
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_value(other)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_plain(0))
    }
}

/// Stored as its parts (mantissa, scale): scratch files and partials hold the exact value,
/// and a scale beyond 18 decimals is refused on the way back in.
impl serde::Serialize for Decimal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&(self.mantissa, self.scale), serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Decimal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (mantissa, scale): (i64, u32) = serde::Deserialize::deserialize(deserializer)?;
        Decimal::from_parts(mantissa, scale)
            .ok_or_else(|| serde::de::Error::custom("decimal scale beyond 18 digits"))
    }
}

mod parse;
mod plain;

pub use parse::{reported_number, trim};
#[cfg(test)]
mod tests;
