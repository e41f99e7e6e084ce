//! Height and weight as a results document writes them into cm and kg: a number alone
//! ("162.0", "61.5": APEX in metric units), or a number and a unit word ("62.5 in",
//! "148.0  lb": US sites, docs/evidence.md "Round two"). Another unit word is not guessed.
//! The DICOM header's PatientSize and PatientWeight (metres, kilograms) when the document
//! states none.

use crate::decimal::{Decimal, dec};

/// Centimetres per inch, exact (the international inch of 1959).
const CM_PER_INCH: &str = "2.54";
/// Kilograms per pound, exact (the international avoirdupois pound of 1959).
const KG_PER_POUND: &str = "0.45359237";

/// The number and the unit word of a value ("148.0  lb" -> 148.0, "lb").
fn split(text: &str) -> Option<(Decimal, String)> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+')))
        .unwrap_or(text.len());
    let number = Decimal::parse_reported(&text[..end])?;
    Some((number, text[end..].trim().to_ascii_lowercase()))
}

/// `value` x `factor`, rounded to one decimal (the precision the documents write).
fn converted(value: Decimal, factor: &str) -> Option<Decimal> {
    let factor = Decimal::parse(factor).expect("conversion factors are valid decimals");
    Some(value.checked_mul(factor)?.round_to(1))
}

/// A body height in cm.
pub fn body_height_cm(text: &str) -> Option<Decimal> {
    let (number, unit) = split(text)?;
    match unit.as_str() {
        "" | "cm" => Some(number),
        "in" | "in." | "inch" | "inches" => converted(number, CM_PER_INCH),
        _ => None,
    }
}

/// PatientSize (0010,1020), DS in metres, in cm (exactly: 1.705 m is 170.5 cm); None
/// outside 0.2-2.8 m (a height written in cm or inches there is not guessed).
pub fn patient_size_cm(text: &str) -> Option<Decimal> {
    let metres = Decimal::parse(text.trim())?;
    if metres < dec!("0.2") || metres > dec!("2.8") {
        return None;
    }
    let (mantissa, scale) = metres.to_parts();
    match scale {
        2.. => Decimal::from_parts(mantissa, scale - 2),
        _ => metres.checked_mul(dec!("100")),
    }
}

/// PatientWeight (0010,1030), DS in kg; None outside 0.5-650 kg.
pub fn patient_weight_kg(text: &str) -> Option<Decimal> {
    let kg = Decimal::parse(text.trim())?;
    (kg >= dec!("0.5") && kg <= dec!("650")).then_some(kg)
}

/// A body weight in kg.
pub fn body_weight_kg(text: &str) -> Option<Decimal> {
    let (number, unit) = split(text)?;
    match unit.as_str() {
        "" | "kg" => Some(number),
        "lb" | "lbs" | "lb." | "pound" | "pounds" => converted(number, KG_PER_POUND),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: Option<Decimal>) -> Option<String> {
        value.map(|v| v.to_string())
    }

    #[test]
    fn metric_as_written_us_converted_others_not_guessed() {
        assert_eq!(text(body_height_cm("162.0")).as_deref(), Some("162.0"));
        assert_eq!(text(body_height_cm("162 cm")).as_deref(), Some("162"));
        // 62.5 x 2.54 = 158.75: one decimal, half away from zero.
        assert_eq!(text(body_height_cm("62.5 in")).as_deref(), Some("158.8"));
        assert_eq!(text(body_weight_kg("61.5")).as_deref(), Some("61.5"));
        // 148.0 x 0.45359237 = 67.1316...
        assert_eq!(text(body_weight_kg("148.0  lb")).as_deref(), Some("67.1"));
        assert_eq!(body_height_cm("62.5 furlongs"), None);
        assert_eq!(body_weight_kg("148 st"), None);
        assert_eq!(body_weight_kg("heavy"), None);
        assert_eq!(body_height_cm(""), None);
        assert_eq!(text(patient_size_cm("1.705")).as_deref(), Some("170.5"));
        assert_eq!(text(patient_size_cm("1.62")).as_deref(), Some("162"));
        assert_eq!(text(patient_size_cm(" 2 ")).as_deref(), Some("200"));
        assert_eq!(
            patient_size_cm("162"),
            None,
            "cm in a metres field: not guessed"
        );
        assert_eq!(text(patient_weight_kg("61.5")).as_deref(), Some("61.5"));
        assert_eq!(patient_weight_kg("0"), None);
    }
}
