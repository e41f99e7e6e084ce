//! `--fhir`: fhir/bundles.ndjson, one FHIR R4 transaction Bundle per visit, one per line
//! (docs/interop.md, "FHIR"): the Patient, a DiagnosticReport (LOINC 83311-1, the
//! densitometric category as `conclusion` and `conclusionCode`) and one Observation per
//! exported value (`values`), coded as HL7 US Core's bone density examples code them, and
//! one per body composition value of a whole-body exam (`body`, `export::body`).
//!
//! Every id is a UUID derived from the visit_id (the Patient's from the patient ID as
//! written: the pseudonym under --pseudonymize), and every entry is a PUT of that id: loading
//! a file twice, or the next run's file, updates the same resources instead of adding copies.
//! References are the entries' `urn:uuid:` full URLs, which a FHIR server resolves within
//! the transaction. Under --pseudonymize the Patient is the pseudonym alone: no name, no
//! birth date (none is ever written), its gender, nothing else (docs/privacy.md).
//!
//! A partition writes each visit's Bundle (about 10 KB of JSON, `write_bundle`) into its run
//! as it renders the visit's rows, on every worker at once; the file is then the runs'
//! lines merged in order, copied as they are (docs/performance.md, "The research
//! exports"). The JSON is written by hand (every text we do not own through serde_json's
//! string escaping): the file is most of what `--fhir` costs.

mod body;
mod json;
mod template;

use std::borrow::Cow;

use json::{
    SUBJECT, VALUE_OPEN, close_entry, close_request, close_ucum_quantity, coding, open_entry,
    open_observation_code, open_observation_ids, open_request, subject_and_date, text,
    uuid_of_parts,
};
use template::{Key, Template};
pub(super) use template::{expand, pieces};

use super::VisitRows;
use super::body::CompositionValue;
use super::codes;
use super::values::Exported;
use super::values::{Value, site_text};
use crate::date::Date;
use crate::document::{Bound, Sex};
use crate::vocabulary::{Classification, Laterality, Population};

/// What a visit's Bundle says, borrowed from the visit and its exported values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FhirVisit<'a> {
    visit_id: &'a str,
    /// The patient ID as written (blank: none).
    patient: Cow<'a, str>,
    sex: Option<Sex>,
    /// The visit's date as written.
    date: Option<Date>,
    category: Classification,
    conclusion: String,
    values: &'a [Value],
    /// The body composition values (none without a whole-body exam).
    body: &'a [CompositionValue],
}

/// The densitometric category in words, for `DiagnosticReport.conclusion`: what it is,
/// from which score, and that it is not a clinical diagnosis (docs/clinical.md).
fn conclusion(view: &VisitRows<'_>) -> String {
    let a = &view.assessed.assessment;
    let category = a.classification;
    if category == Classification::Indeterminate {
        return "Densitometric category: indeterminate (no diagnostic site has the score \
                the patient's age and sex call for). This is a bone density category, \
                not a clinical diagnosis."
            .to_string();
    }
    let (score, value) = match a.population {
        Population::AdultZScore | Population::Pediatric => ("Z-score", a.min_z_score),
        _ => ("T-score", a.min_t_score),
    };
    let basis = match (a.basis_site.as_deref(), value) {
        (Some(site), Some(v)) => format!(", {score} {v} at {site}"),
        _ => String::new(),
    };
    format!(
        "Densitometric category (ISCD Official Positions, lowest {score} of the diagnostic \
         sites): {}{basis}. This is a bone density category, not a clinical diagnosis.",
        category.as_str().replace('_', " ")
    )
}

/// What the Bundle of a visit says, of what the exports take of it (`Exported`).
pub fn fhir_visit<'a>(view: &VisitRows<'a>, exported: &'a Exported<'a>) -> FhirVisit<'a> {
    FhirVisit {
        visit_id: view.visit_id,
        patient: Cow::Borrowed(&exported.patient),
        sex: view.assessed.exam.patient_sex,
        date: exported.date,
        category: view.assessed.assessment.classification,
        conclusion: conclusion(view),
        values: &exported.values,
        body: &exported.body,
    }
}

/// The UUID of a visit's Observation of `value`: of `<visit_id>/observation/<source
/// value>`, the source value's parts fed to the hash as `Value::source_value` joins them.
fn observation_id(visit_id: &str, value: &Value) -> [u8; 36] {
    let head: [&[u8]; 2] = [visit_id.as_bytes(), b"/observation/"];
    let quantity = value.quantity.as_str().as_bytes();
    match value.site {
        Some((region, Laterality::None)) => {
            uuid_of_parts(&[head[0], head[1], region.as_str().as_bytes(), b" ", quantity])
        }
        Some((region, side)) => uuid_of_parts(&[
            head[0],
            head[1],
            region.as_str().as_bytes(),
            b"/",
            side.as_str().as_bytes(),
            b" ",
            quantity,
        ]),
        None => uuid_of_parts(&[head[0], head[1], quantity]),
    }
}

/// An Observation entry of a BMD, score or FRAX value: its ids, subject, date and value
/// written, the rest pieces (`template`) by what the value is.
fn observation(
    t: &mut Template<'_>,
    value: &Value,
    id: &[u8],
    patient_id: &[u8],
    after_patient: &[u8],
) {
    open_observation_ids(t, id);
    t.piece(Key::ObservationCode(value.quantity, value.site), |out| {
        let code = value.code();
        open_observation_code(out);
        coding(out, codes::LOINC, code.loinc, Some(code.name));
        out.extend_from_slice(b"]}");
        out.extend_from_slice(SUBJECT);
    });
    let out = t.lit();
    out.extend_from_slice(patient_id);
    out.extend_from_slice(after_patient);
    // A decimal's plain text is a JSON number, its trailing zeros kept (0.930).
    value.value.append_plain(0, out);
    match value.comparator {
        Some(Bound::Below) => out.extend_from_slice(b",\"comparator\":\"<\""),
        Some(Bound::Above) => out.extend_from_slice(b",\"comparator\":\">\""),
        None => {}
    }
    t.piece(Key::ObservationTail(value.quantity, value.site), |out| {
        let (unit_code, unit_text) = value.quantity.ucum();
        close_ucum_quantity(out, unit_code, unit_text);
        if let Some((region, side)) = value.site
            && let Some(site) = codes::body_site(region, side)
        {
            out.extend_from_slice(b",\"bodySite\":{\"coding\":[");
            coding(out, codes::SNOMED, site, None);
            out.extend_from_slice(b"],\"text\":");
            text(out, &site_text(region, side));
            out.push(b'}');
        }
        open_request(out, "Observation");
    });
    close_request(t, id);
}

/// The DiagnosticReport's codings, a constant piece (`Key::Constant`; `json` has 0).
const REPORT_CODE: u8 = 1;

/// Appends the Bundle of a visit to `out`, as one line of JSON with its `\n` (its template
/// expanded).
#[cfg(test)]
pub fn write_bundle(v: &FhirVisit<'_>, out: &mut Vec<u8>) {
    let mut template = Vec::new();
    write_template(v, &mut template);
    template::expand(&template, &template::pieces(), |bytes| {
        out.extend_from_slice(bytes);
        Ok(())
    })
    .expect("a template just written expands");
}

/// Appends the Bundle of a visit to `out` as a template (`template`): its line of JSON
/// with its `\n`, its parts that recur from Bundle to Bundle as pieces.
pub fn write_template(v: &FhirVisit<'_>, out: &mut Vec<u8>) {
    let mut t = Template::new(out);
    // A visit without a patient ID is its own patient.
    let anonymous = v.patient.trim().is_empty();
    let patient_id = if anonymous {
        uuid_of_parts(&[v.visit_id.as_bytes(), b"/patient"])
    } else {
        uuid_of_parts(&[b"patient/", v.patient.as_bytes()])
    };
    let date = v.date.map(|d| d.to_string()).unwrap_or_default();
    // What follows the patient's id in every Observation: the subject closed, the date, the
    // opening of the value.
    let mut after_patient = Vec::with_capacity(64);
    subject_and_date(&mut after_patient, b"", &date);
    after_patient.drain(..SUBJECT.len());
    after_patient.extend_from_slice(b",\"valueQuantity\":{\"value\":");
    let after_patient = after_patient;
    let observation_ids: Vec<[u8; 36]> = v
        .values
        .iter()
        .map(|value| observation_id(v.visit_id, value))
        .chain(
            v.body
                .iter()
                .map(|value| body::observation_id(v.visit_id, value)),
        )
        .collect();
    let out = t.lit();
    out.extend_from_slice(b"{\"resourceType\":\"Bundle\",\"id\":\"");
    out.extend_from_slice(&uuid_of_parts(&[v.visit_id.as_bytes(), b"/bundle"]));
    out.extend_from_slice(b"\",\"type\":\"transaction\",\"entry\":[");

    open_entry(out, "Patient", &patient_id);
    if !anonymous {
        out.extend_from_slice(b",\"identifier\":[{\"system\":\"");
        out.extend_from_slice(codes::PATIENT_ID_SYSTEM.as_bytes());
        out.extend_from_slice(b"\",\"value\":");
        text(out, &v.patient);
        out.extend_from_slice(b"}]");
    }
    if let Some(sex) = v.sex {
        out.extend_from_slice(match sex {
            Sex::Female => b",\"gender\":\"female\"".as_slice(),
            Sex::Male => b",\"gender\":\"male\"",
            Sex::Other => b",\"gender\":\"other\"",
        });
    }
    close_entry(out, "Patient", &patient_id);

    let report_id = uuid_of_parts(&[v.visit_id.as_bytes(), b"/report"]);
    out.push(b',');
    open_entry(out, "DiagnosticReport", &report_id);
    out.extend_from_slice(b",\"identifier\":[{\"system\":\"");
    out.extend_from_slice(codes::VISIT_ID_SYSTEM.as_bytes());
    out.extend_from_slice(b"\",\"value\":");
    text(out, v.visit_id);
    t.piece(Key::Constant(REPORT_CODE), |out| {
        out.extend_from_slice(b"}],\"status\":\"final\",\"category\":[{\"coding\":[");
        coding(
            out,
            codes::LOINC,
            codes::RADIOLOGY_LOINC.0,
            Some(codes::RADIOLOGY_LOINC.1),
        );
        out.push(b',');
        coding(
            out,
            codes::V2_0074,
            codes::RADIOLOGY_V2.0,
            Some(codes::RADIOLOGY_V2.1),
        );
        out.extend_from_slice(b"]}],\"code\":{\"coding\":[");
        coding(out, codes::LOINC, codes::PANEL.0, Some(codes::PANEL.1));
        out.extend_from_slice(b"]}");
        out.extend_from_slice(SUBJECT);
    });
    let out = t.lit();
    out.extend_from_slice(&patient_id);
    out.extend_from_slice(&after_patient[..after_patient.len() - VALUE_OPEN.len()]);
    if !observation_ids.is_empty() {
        out.extend_from_slice(b",\"result\":[");
        for (i, id) in observation_ids.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"reference\":\"urn:uuid:");
            out.extend_from_slice(id);
            out.extend_from_slice(b"\"}");
        }
        out.push(b']');
    }
    out.extend_from_slice(b",\"conclusion\":");
    text(out, &v.conclusion);
    t.piece(Key::Conclusion(v.category), |out| {
        out.extend_from_slice(b",\"conclusionCode\":[{\"coding\":[");
        if let Some((code, display)) = codes::snomed_category(v.category) {
            coding(out, codes::SNOMED, code, Some(display));
            out.push(b',');
        }
        coding(
            out,
            codes::CATEGORY_SYSTEM,
            v.category.as_str(),
            Some(codes::category_display(v.category)),
        );
        out.extend_from_slice(b"],\"text\":");
        text(out, &v.category.as_str().replace('_', " "));
        out.extend_from_slice(b"}]");
        open_request(out, "DiagnosticReport");
    });
    close_request(&mut t, &report_id);

    for (value, id) in v.values.iter().zip(&observation_ids) {
        t.lit().push(b',');
        observation(&mut t, value, id, &patient_id, &after_patient);
    }
    for (value, id) in v.body.iter().zip(&observation_ids[v.values.len()..]) {
        t.lit().push(b',');
        body::observation(&mut t, value, id, &patient_id, &after_patient);
    }
    t.lit().extend_from_slice(b"]}\n");
    t.finish();
}

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::decimal::Decimal;
    use crate::export::codes::Quantity;
    use crate::vocabulary::Region;

    /// The UUID as first written: SHA-256 of the whole name, hex-encoded, then cut.
    fn uuid_of(name: &str) -> String {
        let digest = Sha256::digest(name.as_bytes());
        let mut b = [0u8; 16];
        b.copy_from_slice(&digest[..16]);
        b[6] = (b[6] & 0x0f) | 0x80;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex = hex::encode(b);
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    #[test]
    fn ids_are_the_uuid_of_the_whole_name() {
        let text = |id: [u8; 36]| String::from_utf8(id.to_vec()).unwrap();
        for name in ["", "V0/bundle", "patient/HOL\"000", "é/report"] {
            let (a, b) = name.split_at(name.len() / 2);
            let whole = uuid_of(name);
            assert_eq!(text(uuid_of_parts(&[name.as_bytes()])), whole);
            assert_eq!(text(uuid_of_parts(&[a.as_bytes(), b.as_bytes()])), whole);
        }
        assert_eq!(uuid_of("V0/bundle").as_bytes()[14], b'8');
        for &region in Region::ALL {
            for &side in Laterality::ALL {
                for quantity in [Quantity::Bmd, Quantity::TScore, Quantity::FraxMajor] {
                    let site = (quantity != Quantity::FraxMajor).then_some((region, side));
                    let value = Value {
                        quantity,
                        value: Decimal::parse("1").unwrap(),
                        comparator: None,
                        site,
                    };
                    let name = format!("V9/observation/{}", value.source_value());
                    assert_eq!(text(observation_id("V9", &value)), uuid_of(&name), "{name}");
                }
            }
        }
    }

    #[test]
    fn any_patient_id_makes_valid_json_and_comes_back_as_it_was() {
        for patient in [
            "HOL\"000\\123",
            "tab\there",
            "é\u{1}\u{7f}",
            "</script>",
            "",
        ] {
            let visit = FhirVisit {
                visit_id: "V0",
                patient: patient.into(),
                sex: Some(Sex::Other),
                date: Date::parse_da("20240101"),
                category: Classification::BelowExpectedRangeForAge,
                conclusion: "a \"quoted\" conclusion".into(),
                values: &[
                    Value {
                        quantity: Quantity::FraxHip,
                        value: Decimal::parse("0.5").unwrap(),
                        comparator: Some(Bound::Below),
                        site: None,
                    },
                    Value {
                        quantity: Quantity::ZScore,
                        value: Decimal::parse("-2.10").unwrap(),
                        comparator: None,
                        site: Some((Region::Radius33, Laterality::Right)),
                    },
                ],
                body: &[],
            };
            let mut line = Vec::new();
            write_bundle(&visit, &mut line);
            assert_eq!(line.last(), Some(&b'\n'));
            let json: serde_json::Value = serde_json::from_slice(&line).unwrap();
            let entries = json["entry"].as_array().unwrap();
            let identifier = &entries[0]["resource"]["identifier"][0]["value"];
            if patient.is_empty() {
                assert!(identifier.is_null());
            } else {
                assert_eq!(identifier, patient);
            }
            assert_eq!(entries[0]["resource"]["gender"], "other");
            assert_eq!(entries[2]["resource"]["valueQuantity"]["comparator"], "<");
            assert_eq!(
                entries[3]["resource"]["code"]["coding"][0]["code"],
                "80935-0"
            );
            assert_eq!(
                entries[3]["resource"]["bodySite"]["text"],
                "right radius 33% (one-third)"
            );
            assert!(
                String::from_utf8(line)
                    .unwrap()
                    .contains("\"value\":-2.10,")
            );
        }
    }
}
