//! Units of body composition as scanners write them, into the outputs' units: grams, %,
//! kg/m², cm³, cm². Hologic writes grams (docs/evidence.md); GE enCORE writes whatever the
//! site chose, in each cell (`9.9 lbs`, `99.99 in³`; metric sites g, kg, cm³). A unit this
//! page does not know is never guessed: the value is left out.

use super::names::Dimension;
use crate::decimal::Decimal;
use crate::vocabulary::Measure;

/// Grams per pound, exact: the international avoirdupois pound of 1959 (0.45359237 kg).
pub(crate) const GRAMS_PER_POUND: Decimal = Decimal::lit("453.59237");
/// Cubic centimetres per cubic inch, exact: 2.54³ (the international inch of 1959).
const CM3_PER_CUBIC_INCH: Decimal = Decimal::lit("16.387064");
/// Square centimetres per square inch, exact: 2.54².
const CM2_PER_SQUARE_INCH: Decimal = Decimal::lit("6.4516");

/// How a written unit becomes the dimension's: a factor, and the decimals the product is
/// rounded to (None: exact). A pound is written to 0.1 lb (45 g) and a cubic inch to
/// 0.01 in³ (0.16 cm³): whole grams and tenths of cm³ lose nothing of that. Found once per
/// unit (`conversion`) by a reader that converts many values written in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conversion {
    factor: Decimal,
    round_to: Option<u32>,
}

const EXACT: Conversion = Conversion {
    factor: Decimal::lit("1"),
    round_to: None,
};

/// The unit as compared: lower case, no spaces, no parentheses or brackets, superscript
/// digits as digits (`(cm³)`, `cm<sup>3</sup>` and `cm3` are one unit).
pub fn unit_key(unit: &str) -> String {
    unit.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '[' | ']'))
        .map(|c| match c {
            '²' => '2',
            '³' => '3',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// How `unit` becomes the dimension's unit; None when the dimension does not know it.
pub fn conversion(unit: &str, dimension: Dimension) -> Option<Conversion> {
    // The units every file writes, without making a key (the checks ask for each value).
    match (dimension, unit) {
        (Dimension::Mass, "g") | (Dimension::Percent, "" | "%") => return Some(EXACT),
        (Dimension::Mass, "lbs") => {
            return Some(Conversion {
                factor: GRAMS_PER_POUND,
                round_to: Some(0),
            });
        }
        _ => {}
    }
    let key = unit_key(unit);
    let factor = |factor, round_to| {
        Some(Conversion {
            factor,
            round_to: Some(round_to),
        })
    };
    match (dimension, key.as_str()) {
        (Dimension::Mass, "g" | "gram" | "grams") => Some(EXACT),
        (Dimension::Mass, "kg") => Some(Conversion {
            factor: Decimal::lit("1000"),
            round_to: None,
        }),
        (Dimension::Mass, "lb" | "lbs" | "lb." | "lbs.") => factor(GRAMS_PER_POUND, 0),
        (Dimension::Percent, "" | "%") => Some(EXACT),
        (Dimension::MassPerArea, "" | "kg/m2") => Some(EXACT),
        (Dimension::Ratio, "") => Some(EXACT),
        (Dimension::Volume, "cm3" | "cc") => Some(EXACT),
        (Dimension::Volume, "in3") => factor(CM3_PER_CUBIC_INCH, 1),
        (Dimension::Area, "cm2") => Some(EXACT),
        (Dimension::Area, "in2") => factor(CM2_PER_SQUARE_INCH, 1),
        _ => None,
    }
}

/// `number` written in `unit`, in the dimension's unit; None when the unit is not one the
/// dimension knows (a mass without a unit is not guessed to be grams) or on overflow.
pub fn convert(number: Decimal, unit: &str, dimension: Dimension) -> Option<Decimal> {
    conversion(unit, dimension)?.apply(number)
}

impl Conversion {
    /// Whether this is `EXACT`, by its parts (no decimal comparison: `rounding` asks for
    /// each reading it compares).
    fn is_exact(self) -> bool {
        self.round_to.is_none() && self.factor.to_parts() == (1, 0)
    }

    /// `number` in the dimension's unit; None on overflow.
    pub fn apply(self, number: Decimal) -> Option<Decimal> {
        let value = number.checked_mul(self.factor)?;
        Some(match self.round_to {
            Some(places) => value.round_to(places),
            None => value,
        })
    }
}

/// How far a value written `written` in `unit` may be from the value it stands for by
/// rounding alone, in the dimension's unit: half of the last digit written (`9.9 lbs`:
/// 0.05 lb, 22.68 g), plus half of the last digit kept by the conversion (0.5 g). The checks
/// allow this much per value (docs/clinical.md).
pub fn rounding(written: Decimal, unit: &str, dimension: Dimension) -> Decimal {
    rounding_through(written, conversion(unit, dimension))
}

/// `rounding` of a value whose unit's conversion to its dimension (`conversion`) is known:
/// a reader that found it once per column does not look the unit's text up per value.
pub fn rounding_through(written: Decimal, conversion: Option<Conversion>) -> Decimal {
    let zero = Decimal::from_parts(0, 0).expect("zero");
    let Some(conversion) = conversion else {
        return zero;
    };
    let half_written = Decimal::from_parts(5, written.scale() + 1).unwrap_or(zero);
    if conversion.is_exact() {
        // Grams, %: half of the last digit written, nothing kept by a conversion; the
        // same decimal as `converted_rounding` gives (a test compares them), without the sum.
        return half_written;
    }
    converted_rounding(half_written, conversion)
}

/// A value's rounding through `conversion`: half of the last digit written
/// (`half_written`) times the factor, plus half of the last digit the conversion keeps.
fn converted_rounding(half_written: Decimal, conversion: Conversion) -> Decimal {
    let zero = Decimal::from_parts(0, 0).expect("zero");
    let written = half_written.checked_mul(conversion.factor).unwrap_or(zero);
    let kept = conversion
        .round_to
        .and_then(|places| Decimal::from_parts(5, places + 1))
        .unwrap_or(zero);
    written.checked_add(kept).unwrap_or(written)
}

/// Whether a whole-body BMD table's measure is read in `unit` (written or not: APEX and
/// enCORE write g/cm², g and cm², docs/evidence.md); any other unit is left out.
pub fn bone_unit_known(measure: Measure, unit: &str) -> bool {
    let unit = unit_key(unit);
    match measure {
        Measure::Bmd => matches!(unit.as_str(), "" | "g/cm2"),
        Measure::Bmc => matches!(unit.as_str(), "" | "g"),
        Measure::Area => matches!(unit.as_str(), "" | "cm2"),
        _ => unit.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    fn text(value: Option<Decimal>) -> Option<String> {
        value.map(|v| v.to_string())
    }

    #[test]
    fn pounds_and_cubic_inches_converted_grams_kept_others_refused() {
        // 9.9 lb x 453.59237 = 4490.564463 g: whole grams.
        assert_eq!(
            text(convert(d("9.9"), "lbs", Dimension::Mass)).as_deref(),
            Some("4491")
        );
        assert_eq!(
            text(convert(d("1234.5"), "(g)", Dimension::Mass)).as_deref(),
            Some("1234.5")
        );
        assert_eq!(
            text(convert(d("45.3"), "kg", Dimension::Mass)).as_deref(),
            Some("45300.0")
        );
        // 99.99 in³ x 16.387064 = 1638.54252936 cm³: tenths.
        assert_eq!(
            text(convert(d("99.99"), "in³", Dimension::Volume)).as_deref(),
            Some("1638.5")
        );
        assert_eq!(
            text(convert(d("487"), "(cm³)", Dimension::Volume)).as_deref(),
            Some("487")
        );
        assert_eq!(
            text(convert(d("2"), "in²", Dimension::Area)).as_deref(),
            Some("12.9")
        );
        assert_eq!(
            text(convert(d("7.25"), "kg/m²", Dimension::MassPerArea)).as_deref(),
            Some("7.25")
        );
        assert_eq!(convert(d("1234"), "", Dimension::Mass), None, "no unit");
        assert_eq!(convert(d("1234"), "stone", Dimension::Mass), None);
        assert_eq!(convert(d("12"), "g", Dimension::Volume), None);
        assert_eq!(
            text(convert(d("23.4"), "%", Dimension::Percent)).as_deref(),
            Some("23.4")
        );
    }

    #[test]
    fn bone_units() {
        assert!(bone_unit_known(Measure::Bmd, "(g/cm²)"));
        assert!(bone_unit_known(Measure::Bmd, ""));
        assert!(!bone_unit_known(Measure::Bmd, "mg/cm2"));
        assert!(bone_unit_known(Measure::Area, "cm2"));
        assert!(bone_unit_known(Measure::TScore, ""));
        assert!(!bone_unit_known(Measure::TScore, "%"));
    }

    /// The rounding of grams and % (no conversion: half of the last digit written) against
    /// the general sum (half of the last digit times the factor, plus what a conversion
    /// keeps), as parts: the same decimal, at every scale written, for every unit that
    /// needs no conversion (and the converted ones, which take the sum).
    #[test]
    fn rounding_without_conversion_is_the_general_sum() {
        let zero = Decimal::from_parts(0, 0).unwrap();
        let general = |written: Decimal, conversion: Conversion| {
            let half_written = Decimal::from_parts(5, written.scale() + 1).unwrap_or(zero);
            converted_rounding(half_written, conversion)
        };
        let cases = [
            ("g", Dimension::Mass),
            ("(g)", Dimension::Mass),
            ("grams", Dimension::Mass),
            ("%", Dimension::Percent),
            ("", Dimension::Percent),
            ("kg/m²", Dimension::MassPerArea),
            ("", Dimension::Ratio),
            ("cm³", Dimension::Volume),
            ("cm2", Dimension::Area),
        ];
        let converted = [
            ("lbs", Dimension::Mass),
            ("kg", Dimension::Mass),
            ("in³", Dimension::Volume),
            ("in2", Dimension::Area),
        ];
        let mut checked = 0;
        for (unit, dimension) in cases.into_iter().chain(converted) {
            let conversion = conversion(unit, dimension).unwrap();
            assert_eq!(conversion.is_exact(), conversion == EXACT, "{unit:?}");
            assert_eq!(conversion.is_exact(), cases.contains(&(unit, dimension)));
            for scale in 0..=18 {
                for mantissa in [0, 7, -123_456, i64::MAX] {
                    let written = Decimal::from_parts(mantissa, scale).unwrap();
                    assert_eq!(
                        rounding(written, unit, dimension).to_parts(),
                        general(written, conversion).to_parts(),
                        "{unit:?} {written:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 13 * 19 * 4);
    }

    #[test]
    fn rounding_of_what_is_written() {
        let rounded = |written: &str, unit: &str, dimension| {
            rounding(d(written), unit, dimension).to_string()
        };
        // 0.05 lb = 22.6796185 g, and 0.5 g of the whole grams kept.
        assert_eq!(rounded("9.9", "lbs", Dimension::Mass), "23.1796185");
        assert_eq!(rounded("1234", "g", Dimension::Mass), "0.5");
        assert_eq!(rounded("1234.5", "g", Dimension::Mass), "0.05");
        assert_eq!(rounded("23.4", "%", Dimension::Percent), "0.05");
    }
}
