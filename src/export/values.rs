//! The values of a visit that the FHIR and OMOP exports carry, each with its code: the rows
//! the visit used (never a superseded analysis, a copy, or a re-analysis of unknown order:
//! `visit::exam_of` left those out), of the regions that a LOINC code says:
//! - the lumbar spine L1-L4 and L2-L4, and the range the classifier took as the PA spine
//!   when it is another (single vertebrae are not exported: the lumbar spine code would
//!   present one vertebra as the spine);
//! - the femoral neck ("Femur" codes) and the total hip ("Hip" codes) of each side, and of
//!   no stated side; the dual-femur mean is not exported (no code is a mean of two femora);
//! - the 33 % radius ("Radius and Ulna" codes);
//! - FRAX major osteoporotic and hip probabilities.
//!
//! A region and side that appears twice among the visit's rows is exported once, the first.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::VisitRows;
use super::codes::{self, Code, FRAX_HIP, FRAX_MAJOR, Quantity};
use crate::date::Date;
use crate::decimal::Decimal;
use crate::document::{Bound, Document};
use crate::visit::Part;
use crate::vocabulary::{Laterality, Region};

/// One exported value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Value {
    /// What it measures.
    pub quantity: Quantity,
    /// The value as reported (BMD in g/cm², scores, FRAX in %).
    pub value: Decimal,
    /// A FRAX written as a bound (`< 1.0%`): the value is the bound.
    pub comparator: Option<Bound>,
    /// The region and side measured (None for FRAX).
    pub site: Option<(Region, Laterality)>,
}

impl Value {
    /// Its code (`values` makes only values that have one).
    pub fn code(&self) -> Code {
        match (self.quantity, self.site) {
            (Quantity::FraxMajor, _) => FRAX_MAJOR,
            (Quantity::FraxHip, _) => FRAX_HIP,
            (quantity, Some((region, side))) => codes::dxa_code(region, side, quantity)
                .expect("a value is made only for a region and side with a code"),
            (_, None) => unreachable!("a BMD, T or Z value has a site"),
        }
    }

    /// Our name of what the value is: `<region>[/<side>] <quantity>` (`femoral_neck/left
    /// t_score`), or the FRAX quantity; at most 50 characters (OMOP's varchar(50)).
    pub fn source_value(&self) -> String {
        // Pushed, not `format!`ed: one per OMOP measurement (docs/performance.md).
        let mut text = String::with_capacity(48);
        if let Some((region, side)) = self.site {
            text.push_str(region.as_str());
            if side != Laterality::None {
                text.push('/');
                text.push_str(side.as_str());
            }
            text.push(' ');
        }
        text.push_str(self.quantity.as_str());
        text
    }
}

/// The region rows of a visit's exam that are exported: (index in `exam.measurements`),
/// each region and side once.
pub fn exported_rows(view: &VisitRows<'_>) -> Vec<usize> {
    let rows = &view.assessed.exam.measurements;
    let pa_spine = crate::classify::pa_spine(rows);
    let mut seen: Vec<(Region, Laterality)> = Vec::new();
    let mut out = Vec::new();
    for (i, m) in rows.iter().enumerate() {
        let wanted = match codes::Bone::of(m.region) {
            Some(codes::Bone::LumbarSpine) => {
                matches!(m.region, Region::SpineL1L4 | Region::SpineL2L4) || Some(i) == pa_spine
            }
            Some(_) => m.laterality != Laterality::Mean,
            None => false,
        };
        if wanted && !seen.contains(&(m.region, m.laterality)) {
            seen.push((m.region, m.laterality));
            out.push(i);
        }
    }
    out
}

/// The document whose FRAX the visit kept (a re-analysed FRAX: the newest), if any.
pub fn frax_document<'a>(view: &VisitRows<'a>) -> Option<&'a Document> {
    (0..view.visit.members.len())
        .map(|p| (p, &*view.member(p).doc))
        .find(|(p, d)| {
            crate::visit::carries(d, Part::Frax)
                && view.visit.part_left_out(*p, Part::Frax).is_none()
        })
        .map(|(_, d)| d)
}

/// Every exported value of a visit, in exam order, BMD, T, Z per row; FRAX last.
pub fn values(view: &VisitRows<'_>) -> Vec<Value> {
    let exam = &view.assessed.exam;
    let mut out = Vec::new();
    for i in exported_rows(view) {
        let m = &exam.measurements[i];
        for (quantity, value) in [
            (Quantity::Bmd, m.bmd),
            (Quantity::TScore, m.t_score),
            (Quantity::ZScore, m.z_score),
        ] {
            let Some(value) = value else {
                continue;
            };
            if codes::dxa_code(m.region, m.laterality, quantity).is_none() {
                continue;
            }
            out.push(Value {
                quantity,
                value,
                comparator: None,
                site: Some((m.region, m.laterality)),
            });
        }
    }
    let frax = frax_document(view);
    for (quantity, value, bound) in [
        (
            Quantity::FraxMajor,
            exam.frax_major,
            frax.and_then(|d| d.frax_major_censored),
        ),
        (
            Quantity::FraxHip,
            exam.frax_hip,
            frax.and_then(|d| d.frax_hip_censored),
        ),
    ] {
        if let Some(value) = value {
            out.push(Value {
                quantity,
                value,
                comparator: bound,
                site: None,
            });
        }
    }
    out
}

/// A region and side in words, for FHIR `bodySite.text`: "left femoral neck", "lumbar
/// spine L1-L4", "left total hip", "right radius 33% (one-third)".
pub fn site_text(region: Region, side: Laterality) -> String {
    let what = match region {
        Region::FemoralNeck => "femoral neck".to_string(),
        Region::TotalHip => "total hip".to_string(),
        Region::Radius33 => "radius 33% (one-third)".to_string(),
        r => match r.vertebrae() {
            Some((a, b)) => format!("lumbar spine L{a}-L{b}"),
            None => r.as_str().replace('_', " "),
        },
    };
    match side {
        Laterality::Left | Laterality::Right => format!("{side} {what}"),
        Laterality::Mean => format!("{what}, mean of left and right"),
        Laterality::None => what,
    }
}

/// What both exports take of a visit, found once for the two.
pub struct Exported<'a> {
    /// The patient ID as written (the pseudonym under --pseudonymize).
    pub patient: Cow<'a, str>,
    /// The visit's date as written (shifted under --shift-dates).
    pub date: Option<Date>,
    /// Its exported values (`values::values`).
    pub values: Vec<Value>,
    /// Its body composition values (none without a whole-body exam).
    pub body: Vec<super::body::CompositionValue>,
}

impl<'a> Exported<'a> {
    /// What the exports take of `view`.
    pub fn of(view: &VisitRows<'a>) -> Exported<'a> {
        Exported {
            patient: view.patient(),
            date: view.date(view.visit.date),
            values: values(view),
            body: view.body.map(super::body::body_values).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_value_is_region_side_and_quantity_as_formatted_before() {
        let quantities = [Quantity::Bmd, Quantity::TScore, Quantity::ZScore];
        let frax = [Quantity::FraxMajor, Quantity::FraxHip];
        let value = |quantity, site| Value {
            quantity,
            value: Decimal::parse("1").unwrap(),
            comparator: None,
            site,
        };
        for &region in Region::ALL {
            for &side in Laterality::ALL {
                for quantity in quantities {
                    let expected = match side {
                        Laterality::None => format!("{region} {}", quantity.as_str()),
                        _ => format!("{region}/{side} {}", quantity.as_str()),
                    };
                    let v = value(quantity, Some((region, side)));
                    assert_eq!(v.source_value(), expected);
                }
            }
        }
        for quantity in frax {
            assert_eq!(value(quantity, None).source_value(), quantity.as_str());
        }
    }
}
