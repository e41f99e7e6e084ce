//! Every value into the contract's units.
//! Units come from MeasurementUnitsCodeSequence, never from label text (docs/sr-reading.md):
//! g/cm² as is, mg/cm² divided by 1000; an unknown unit on a BMD is a warning and the value
//! is left out, not guessed.

use std::cell::RefCell;

use crate::decimal::Decimal;
use crate::sr::Code;
use crate::vocabulary::Measure;

/// Why a value is left out: its unit (a measurement row's note says it, a study-level
/// value's flag names it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// No accepted spelling of the measure's unit: the unit as shown (`"kg/m2"`, `none`).
    #[error("{measure} {value} left out: unit {unit} not recognised")]
    NotRecognised {
        /// The measure.
        measure: Measure,
        /// The value as reported.
        value: Decimal,
        /// The unit as shown: its code value quoted, with its meaning when it differs.
        unit: String,
    },
    /// A known unit, but the value has too many digits to convert exactly.
    #[error("{measure} {value} {unit}: too many digits to convert")]
    TooManyDigits {
        /// The measure.
        measure: Measure,
        /// The value as reported.
        value: Decimal,
        /// The unit as written.
        unit: String,
    },
}

/// A value in the contract's unit, or why it was left out.
pub fn to_contract_unit(
    measure: Measure,
    value: Decimal,
    units: Option<&Code<'_>>,
) -> Result<Decimal, UnitError> {
    let unit = units.map_or("", unit_text);
    shifted(measure, value, units, unit, accepted_shift(measure, unit))
}

/// `to_contract_unit` for the values of one content tree: the last unit of each measure
/// kept (borrowed from the tree) with its shift, so that a value in the unit the value
/// before it had for the same measure (nearly every value) is answered by comparing the
/// unit's bytes, without the per-thread memo's access (docs/performance.md, "The mapper,
/// 2026-12-07").
pub struct TreeUnits<'u> {
    last: [Option<(&'u str, Option<u32>)>; Measure::ALL.len()],
}

impl Default for TreeUnits<'_> {
    fn default() -> Self {
        TreeUnits {
            last: [None; Measure::ALL.len()],
        }
    }
}

impl<'u> TreeUnits<'u> {
    /// `to_contract_unit(measure, value, units)`.
    #[inline]
    pub fn contract_value(
        &mut self,
        measure: Measure,
        value: Decimal,
        units: Option<&'u Code<'_>>,
    ) -> Result<Decimal, UnitError> {
        let unit = units.map_or("", unit_text);
        let slot = &mut self.last[measure as usize];
        let shift = match *slot {
            Some((seen, shift)) if seen == unit => shift,
            _ => {
                let shift = accepted_shift(measure, unit);
                *slot = Some((unit, shift));
                shift
            }
        };
        shifted(measure, value, units, unit, shift)
    }
}

/// A value shifted into the contract's unit by `shift` (`accepted_shift` of its unit), or
/// why it is left out.
#[inline(always)]
fn shifted(
    measure: Measure,
    value: Decimal,
    units: Option<&Code<'_>>,
    unit: &str,
    shift: Option<u32>,
) -> Result<Decimal, UnitError> {
    match shift.and_then(|shift| value.shift_left(shift)) {
        Some(shifted) => Ok(shifted),
        None => Err(left_out(measure, value, units, unit, shift)),
    }
}

/// Why a value is left out: a unit not recognised (`shift` none), or too many digits to
/// shift.
#[cold]
fn left_out(
    measure: Measure,
    value: Decimal,
    units: Option<&Code<'_>>,
    unit: &str,
    shift: Option<u32>,
) -> UnitError {
    if shift.is_some() {
        return UnitError::TooManyDigits {
            measure,
            value,
            unit: unit.to_string(),
        };
    }
    let shown = units.map_or("none".to_string(), |u| {
        if u.meaning.is_empty() || u.meaning == u.value {
            format!("{:?}", u.value)
        } else {
            format!("{:?} ({})", u.value, u.meaning)
        }
    });
    UnitError::NotRecognised {
        measure,
        value,
        unit: shown,
    }
}

/// The power of ten to shift `unit` left by, if it spells `measure`'s unit: worked out once
/// per measure and unit per thread. A file gives some fifty values in the same few units
/// (docs/performance.md, "2026-12-06, night": the spellings compared for each value took
/// 7 300 instructions per file); the last unit seen for each measure is kept with its answer.
fn accepted_shift(measure: Measure, unit: &str) -> Option<u32> {
    /// A unit as found, and its shift (None: not a spelling of the measure's unit).
    type Answer = Option<(Box<str>, Option<u32>)>;
    thread_local! {
        static LAST: RefCell<Vec<Answer>> = RefCell::new(vec![None; Measure::ALL.len()]);
    }
    let slot = measure as usize;
    LAST.with_borrow_mut(|last| {
        if let Some((seen, shift)) = &last[slot]
            && **seen == *unit
        {
            return *shift;
        }
        let shift = spelled_shift(measure, unit);
        // A unit is a few bytes; a longer one (a hostile file) is answered, not kept.
        if unit.len() <= 64 {
            last[slot] = Some((unit.into(), shift));
        }
        shift
    })
}

/// `accepted_shift` worked out: the first group of spellings that `unit` matches.
fn spelled_shift(measure: Measure, unit: &str) -> Option<u32> {
    // Powers of ten to shift left (divide) for each accepted spelling; UCUM first.
    let accepted: &[(&[&str], u32)] = match measure {
        Measure::Bmd => &[
            (&["g/cm2", "g/cm-2", "g/cm^2", "g/cm²", "g.cm-2"], 0),
            (&["mg/cm2", "mg/cm-2", "mg/cm^2", "mg/cm²", "mg.cm-2"], 3),
        ],
        Measure::Bmc => &[(&["g", "gram", "grams", ""], 0), (&["mg"], 3)],
        Measure::Area => &[
            (&["cm2", "cm^2", "cm²", ""], 0),
            (&["mm2", "mm^2", "mm²"], 2),
        ],
        Measure::TScore | Measure::ZScore => &[(
            &[
                "",
                "1",
                "{t-score}",
                "{z-score}",
                "{tscore}",
                "{zscore}",
                "{sd}",
                "sd",
                "t-score",
                "z-score",
                "no units",
                "{ratio}",
            ],
            0,
        )],
        Measure::PctYoungAdult | Measure::PctAgeMatched | Measure::FraxMajor | Measure::FraxHip => {
            &[(&["%", "percent", ""], 0)]
        }
        Measure::Tbs => &[(&["", "1", "no units", "{ratio}", "{tbs}"], 0)],
    };
    let ascii = unit.is_ascii();
    accepted
        .iter()
        .find(|(spellings, _)| spellings.iter().any(|s| same_unit(unit, ascii, s)))
        .map(|(_, shift)| *shift)
}

/// The unit's code value (UCUM), else its meaning.
#[inline]
fn unit_text<'c>(code: &'c Code<'_>) -> &'c str {
    if code.value.is_empty() {
        code.meaning
    } else {
        code.value
    }
}

/// Units compare case-insensitively, ignoring spaces ("G/CM2", "g / cm2"). `ascii`: whether
/// `found` is ASCII (asked once per value, not once per spelling).
fn same_unit(found: &str, ascii: bool, spelling: &str) -> bool {
    let squeeze = |s: &'_ str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<Vec<char>>()
    };
    if ascii {
        let mut bytes = found.bytes().filter(|b| !b.is_ascii_whitespace());
        let mut want = spelling.bytes();
        loop {
            match (bytes.next(), want.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if a.eq_ignore_ascii_case(&b) => {}
                _ => return false,
            }
        }
    }
    squeeze(found) == squeeze(spelling)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(value: &'static str) -> Code<'static> {
        Code {
            value,
            scheme: "UCUM",
            meaning: value,
        }
    }

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn bmd_units() {
        let g = to_contract_unit(Measure::Bmd, d("0.930"), Some(&unit("g/cm2"))).unwrap();
        assert_eq!(g.to_plain(3), "0.930");
        let mg = to_contract_unit(Measure::Bmd, d("930"), Some(&unit("mg/cm2"))).unwrap();
        assert_eq!(mg.to_plain(3), "0.930");
        for spelling in ["g/cm-2", "g/cm^2", "g/cm²", "G/CM2"] {
            assert!(to_contract_unit(Measure::Bmd, d("1"), Some(&unit(spelling))).is_ok());
        }
    }

    #[test]
    fn unknown_bmd_unit_is_a_note_not_a_guess() {
        let note = to_contract_unit(Measure::Bmd, d("0.930"), Some(&unit("kg/m2"))).unwrap_err();
        assert_eq!(
            note.to_string(),
            "bmd 0.930 left out: unit \"kg/m2\" not recognised"
        );
        let note = to_contract_unit(Measure::Bmd, d("0.930"), None).unwrap_err();
        assert_eq!(
            note.to_string(),
            "bmd 0.930 left out: unit none not recognised"
        );
    }

    #[test]
    fn the_last_unit_kept_per_measure_answers_as_the_spellings_do() {
        // Units alternating within one measure and between measures, on one thread: each
        // answer is the spellings' own, whatever was asked before it.
        let bmd = |unit_code: &'static str| {
            to_contract_unit(Measure::Bmd, d("930"), Some(&unit(unit_code)))
                .map(|v| v.to_plain(3))
                .ok()
        };
        let area = |unit_code: &'static str| {
            to_contract_unit(Measure::Area, d("200"), Some(&unit(unit_code)))
                .map(|v| v.to_plain(2))
                .ok()
        };
        for _ in 0..2 {
            assert_eq!(bmd("mg/cm2").as_deref(), Some("0.930"));
            assert_eq!(bmd("mg/cm2").as_deref(), Some("0.930"));
            assert_eq!(area("mm2").as_deref(), Some("2.00"));
            assert_eq!(bmd("g/cm2").as_deref(), Some("930.000"));
            assert_eq!(bmd("kg/m2"), None);
            assert_eq!(bmd("kg/m2"), None);
            assert_eq!(area("cm2").as_deref(), Some("200.00"));
            assert_eq!(bmd("MG / CM2").as_deref(), Some("0.930"));
            assert_eq!(area(&*"x".repeat(100).leak()), None);
            assert_eq!(area("mm2").as_deref(), Some("2.00"));
        }
    }

    /// A tree's units answer as `to_contract_unit` does, value by value, with units
    /// alternating within a measure and between measures, none, unknown and too long ones.
    #[test]
    fn a_trees_units_answer_as_to_contract_unit() {
        let units: Vec<Option<Code<'static>>> = [
            Some("mg/cm2"),
            Some("mg/cm2"),
            Some("g/cm2"),
            None,
            Some("kg/m2"),
            Some("MG / CM2"),
            Some("mm2"),
            Some("cm2"),
            Some("{T-score}"),
            Some("%"),
            Some(""),
        ]
        .into_iter()
        .map(|u| u.map(unit))
        .collect();
        let long = unit("x".repeat(100).leak());
        let mut tree = TreeUnits::default();
        let mut asked = 0;
        for round in 0..3 {
            for measure in Measure::ALL.iter().copied() {
                for u in units.iter().map(Option::as_ref).chain([Some(&long)]) {
                    for value in [d("930"), d("-2.4"), d("123456789012345678")] {
                        let expected = to_contract_unit(measure, value, u);
                        let got = tree.contract_value(measure, value, u);
                        assert_eq!(got, expected, "{measure} {value} {u:?} round {round}");
                        asked += 1;
                    }
                }
            }
        }
        assert!(asked > 100);
    }

    #[test]
    fn scores_accept_ucum_annotations() {
        assert!(to_contract_unit(Measure::TScore, d("-2.4"), Some(&unit("{T-score}"))).is_ok());
        assert!(to_contract_unit(Measure::ZScore, d("-0.9"), None).is_ok());
        assert!(to_contract_unit(Measure::TScore, d("-2.4"), Some(&unit("g/cm2"))).is_err());
    }
}
