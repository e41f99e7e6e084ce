//! The Observations of a visit's body composition (docs/interop.md, "Body composition"):
//! each coded with the project's code (`urn:dxa-ingest:body-composition`; the whole body's
//! %fat also with LOINC 41982-0), its value as a UCUM quantity, and `method.text` saying so
//! when the value was computed here rather than reported by the scanner.

use super::json::{
    SUBJECT, close_request, close_ucum_quantity, coding, open_observation_code,
    open_observation_ids, open_request, text, uuid_of_parts,
};
use super::template::Template;
use crate::bodycomp::IndexKind;
use crate::export::body::{CompositionValue, Measure};
use crate::export::codes;

/// `method.text` of a value computed here (docs/interop.md, "Body composition").
pub const COMPUTED: &str = "Computed by dxa-ingest from the values the scanner reported \
                            (and the visit's height and weight for an index), not reported \
                            by the scanner";

/// The UUID of a visit's Observation of a body composition value: of
/// `<visit_id>/observation/<code>` (no code is a BMD, score or FRAX source value).
pub(super) fn observation_id(visit_id: &str, value: &CompositionValue) -> [u8; 36] {
    uuid_of_parts(&[
        visit_id.as_bytes(),
        b"/observation/",
        value.measure.code().as_bytes(),
    ])
}

/// The Observation entry of a body composition value: its ids, subject, date and value
/// written, the rest pieces found by their bytes (`template`).
pub(super) fn observation(
    t: &mut Template<'_>,
    value: &CompositionValue,
    id: &[u8],
    patient_id: &[u8],
    after_patient: &[u8],
) {
    open_observation_ids(t, id);
    t.piece_of(|out| {
        open_observation_code(out);
        if value.measure == Measure::Index(IndexKind::TotalFatPct) {
            coding(
                out,
                codes::LOINC,
                codes::BODY_FAT_PCT.0,
                Some(codes::BODY_FAT_PCT.1),
            );
            out.push(b',');
        }
        coding(
            out,
            codes::BODY_COMPOSITION_SYSTEM,
            &value.measure.code(),
            Some(value.measure.display().as_str()),
        );
        out.extend_from_slice(b"]}");
        out.extend_from_slice(SUBJECT);
    });
    let out = t.lit();
    out.extend_from_slice(patient_id);
    out.extend_from_slice(after_patient);
    // A decimal's plain text is a JSON number, its digits as written.
    value.value.append_plain(0, out);
    t.piece_of(|out| {
        let (unit_code, unit_text) = value.measure.ucum();
        close_ucum_quantity(out, unit_code, unit_text);
        if value.computed {
            out.extend_from_slice(b",\"method\":{\"text\":");
            text(out, COMPUTED);
            out.push(b'}');
        }
        open_request(out, "Observation");
    });
    close_request(t, id);
}

#[cfg(test)]
mod tests {
    use super::super::{FhirVisit, write_bundle};
    use super::*;
    use crate::bodycomp::{BodyRegion, Field};
    use crate::date::Date;
    use crate::decimal::Decimal;
    use crate::vocabulary::Classification;

    #[test]
    fn body_values_are_observations_with_our_code_a_ucum_unit_and_how_they_were_had() {
        let value = |measure, text: &str, computed| CompositionValue {
            measure,
            value: Decimal::parse(text).unwrap(),
            computed,
        };
        let visit = FhirVisit {
            visit_id: "V0",
            patient: "HOL000901".into(),
            sex: None,
            date: Date::parse_da("20240603"),
            category: Classification::Indeterminate,
            conclusion: String::new(),
            values: &[],
            body: &[
                value(
                    Measure::Region(BodyRegion::ArmLeft, Field::Fat),
                    "1201.0",
                    false,
                ),
                value(Measure::Index(IndexKind::TotalFatPct), "31.8", false),
                value(Measure::Index(IndexKind::Almi), "5.43", true),
            ],
        };
        let mut line = Vec::new();
        write_bundle(&visit, &mut line);
        let text = String::from_utf8(line).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let entries = json["entry"].as_array().unwrap();
        assert_eq!(entries.len(), 5, "Patient, report, three Observations");
        let results = entries[1]["resource"]["result"].as_array().unwrap();
        for (i, result) in results.iter().enumerate() {
            assert_eq!(result["reference"], entries[2 + i]["fullUrl"]);
        }
        let arm = &entries[2]["resource"];
        assert_eq!(
            arm["code"]["coding"],
            serde_json::json!([{
                "system": "urn:dxa-ingest:body-composition",
                "code": "arm_left fat_g",
                "display": "Fat mass (g), left arm"
            }])
        );
        assert_eq!(arm["valueQuantity"]["code"], "g");
        assert_eq!(arm["valueQuantity"]["system"], "http://unitsofmeasure.org");
        assert!(arm.get("method").is_none(), "reported: no method");
        assert!(text.contains("\"value\":1201.0,"), "digits as written");
        let fat = &entries[3]["resource"];
        let codings: Vec<(&str, &str)> = fat["code"]["coding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["system"].as_str().unwrap(), c["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            codings,
            [
                ("http://loinc.org", "41982-0"),
                ("urn:dxa-ingest:body-composition", "total_fat_pct")
            ]
        );
        assert_eq!(fat["valueQuantity"]["code"], "%");
        let almi = &entries[4]["resource"];
        assert_eq!(almi["valueQuantity"]["code"], "kg/m2");
        assert_eq!(almi["method"]["text"], COMPUTED);
        // Ids differ from one another and from every other id of the Bundle.
        let mut ids: Vec<&str> = entries
            .iter()
            .map(|e| e["resource"]["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 5);
    }
}
