//! `--fhir`: fhir/bundles.ndjson, one FHIR R4 transaction Bundle per visit, one per line
//! (docs/interop.md, "FHIR"): the Patient, a DiagnosticReport (LOINC 83311-1, the
//! densitometric category as `conclusion` and `conclusionCode`) and one Observation per
//! exported value (`values`), coded as HL7 US Core's bone density examples code them.
//!
//! Every id is a UUID derived from the visit_id (the Patient's from the patient ID as
//! written: the pseudonym under --pseudonymize), and every entry is a PUT of that id: loading
//! a file twice, or the next run's file, updates the same resources instead of adding copies.
//! References are the entries' `urn:uuid:` full URLs, which a FHIR server resolves within
//! the transaction. Under --pseudonymize the Patient is the pseudonym alone: no name, no
//! birth date (none is ever written), its gender, nothing else (docs/privacy.md).

use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::VisitRows;
use super::codes;
use super::values::{Value, site_text, values};
use crate::document::{Bound, Sex};
use crate::vocabulary::{Classification, Population};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    resource_type: &'static str,
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    entry: Vec<Entry>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    full_url: String,
    resource: Resource,
    request: Request,
}

#[derive(Serialize)]
struct Request {
    method: &'static str,
    url: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Resource {
    Patient(Patient),
    Report(Box<DiagnosticReport>),
    Observation(Box<Observation>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Patient {
    resource_type: &'static str,
    id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    identifier: Vec<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender: Option<&'static str>,
}

#[derive(Serialize)]
struct Identifier {
    system: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Coding {
    system: &'static str,
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    display: Option<&'static str>,
}

fn coding(system: &'static str, (code, display): (&'static str, &'static str)) -> Coding {
    Coding {
        system,
        code,
        display: Some(display),
    }
}

#[derive(Serialize)]
struct Concept {
    coding: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

#[derive(Serialize)]
struct Reference {
    reference: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiagnosticReport {
    resource_type: &'static str,
    id: String,
    identifier: Vec<Identifier>,
    status: &'static str,
    category: Vec<Concept>,
    code: Concept,
    subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective_date_time: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    result: Vec<Reference>,
    conclusion: String,
    conclusion_code: Vec<Concept>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Observation {
    resource_type: &'static str,
    id: String,
    status: &'static str,
    category: Vec<Concept>,
    code: Concept,
    subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    effective_date_time: Option<String>,
    value_quantity: FhirQuantity,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_site: Option<Concept>,
}

#[derive(Serialize)]
struct FhirQuantity {
    value: Box<RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparator: Option<&'static str>,
    unit: &'static str,
    system: &'static str,
    code: &'static str,
}

/// A name-based UUID (RFC 9562 version 8, from SHA-256 of `name`): the same name gives the
/// same id in every run.
pub fn uuid_of(name: &str) -> String {
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

fn entry(kind: &'static str, id: String, resource: Resource) -> Entry {
    Entry {
        full_url: format!("urn:uuid:{id}"),
        request: Request {
            method: "PUT",
            url: format!("{kind}/{id}"),
        },
        resource,
    }
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

fn gender(sex: Option<Sex>) -> Option<&'static str> {
    sex.map(|s| match s {
        Sex::Female => "female",
        Sex::Male => "male",
        Sex::Other => "other",
    })
}

fn observation(value: &Value, ids: &Refs) -> Entry {
    let id = uuid_of(&format!(
        "{}/observation/{}",
        ids.visit_id,
        value.source_value()
    ));
    let (unit_code, unit_text) = value.quantity.ucum();
    let body_site = value.site.and_then(|(region, side)| {
        let code = codes::body_site(region, side)?;
        Some(Concept {
            coding: vec![Coding {
                system: codes::SNOMED,
                code,
                display: None,
            }],
            text: Some(site_text(region, side)),
        })
    });
    let resource = Observation {
        resource_type: "Observation",
        id: id.clone(),
        status: "final",
        category: vec![Concept {
            coding: vec![coding(codes::OBSERVATION_CATEGORY, codes::IMAGING)],
            text: None,
        }],
        code: Concept {
            coding: vec![coding(codes::LOINC, (value.code.loinc, value.code.name))],
            text: None,
        },
        subject: Reference {
            reference: ids.patient_ref.clone(),
        },
        effective_date_time: ids.date.clone(),
        value_quantity: FhirQuantity {
            value: RawValue::from_string(value.value.to_string())
                .expect("a decimal's plain text is a JSON number"),
            comparator: value.comparator.map(|b| match b {
                Bound::Below => "<",
                Bound::Above => ">",
            }),
            unit: unit_text,
            system: codes::UCUM,
            code: unit_code,
        },
        body_site,
    };
    entry("Observation", id, Resource::Observation(Box::new(resource)))
}

/// What every resource of a visit's Bundle refers to.
struct Refs {
    visit_id: String,
    patient_ref: String,
    date: Option<String>,
}

/// The Bundle of a visit, as one line of JSON (no newline).
pub fn bundle_line(view: &VisitRows<'_>, visit_id: &str) -> String {
    let patient_written = view.patient();
    // A visit without a patient ID is its own patient.
    let patient_id = if patient_written.trim().is_empty() {
        uuid_of(&format!("{visit_id}/patient"))
    } else {
        uuid_of(&format!("patient/{patient_written}"))
    };
    let ids = Refs {
        visit_id: visit_id.to_string(),
        patient_ref: format!("urn:uuid:{patient_id}"),
        date: view.date(view.visit.date).map(|d| d.to_string()),
    };
    let mut entries = Vec::new();
    entries.push(entry(
        "Patient",
        patient_id.clone(),
        Resource::Patient(Patient {
            resource_type: "Patient",
            id: patient_id,
            identifier: if patient_written.trim().is_empty() {
                Vec::new()
            } else {
                vec![Identifier {
                    system: codes::PATIENT_ID_SYSTEM,
                    value: patient_written.into_owned(),
                }]
            },
            gender: gender(view.assessed.exam.patient_sex),
        }),
    ));
    let observations: Vec<Entry> = values(view).iter().map(|v| observation(v, &ids)).collect();
    let category = view.assessed.assessment.classification;
    let mut conclusion_code = Vec::new();
    if let Some(snomed) = codes::snomed_category(category) {
        conclusion_code.push(coding(codes::SNOMED, snomed));
    }
    conclusion_code.push(Coding {
        system: codes::CATEGORY_SYSTEM,
        code: category.as_str(),
        display: Some(codes::category_display(category)),
    });
    let report_id = uuid_of(&format!("{visit_id}/report"));
    let report = DiagnosticReport {
        resource_type: "DiagnosticReport",
        id: report_id.clone(),
        identifier: vec![Identifier {
            system: codes::VISIT_ID_SYSTEM,
            value: visit_id.to_string(),
        }],
        status: "final",
        category: vec![Concept {
            coding: vec![
                coding(codes::LOINC, codes::RADIOLOGY_LOINC),
                coding(codes::V2_0074, codes::RADIOLOGY_V2),
            ],
            text: None,
        }],
        code: Concept {
            coding: vec![coding(codes::LOINC, codes::PANEL)],
            text: None,
        },
        subject: Reference {
            reference: ids.patient_ref.clone(),
        },
        effective_date_time: ids.date.clone(),
        result: observations
            .iter()
            .map(|e| Reference {
                reference: e.full_url.clone(),
            })
            .collect(),
        conclusion: conclusion(view),
        conclusion_code: vec![Concept {
            coding: conclusion_code,
            text: Some(category.as_str().replace('_', " ")),
        }],
    };
    entries.push(entry(
        "DiagnosticReport",
        report_id,
        Resource::Report(Box::new(report)),
    ));
    entries.extend(observations);
    let bundle = Bundle {
        resource_type: "Bundle",
        id: uuid_of(&format!("{visit_id}/bundle")),
        kind: "transaction",
        entry: entries,
    };
    serde_json::to_string(&bundle).expect("a bundle serialises")
}
