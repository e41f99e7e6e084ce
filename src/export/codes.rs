//! The codes the FHIR and OMOP exports write, in one table (docs/interop.md lists every one
//! with its source; a test checks that table against this one, and every LOINC check digit
//! and SNOMED CT check digit here).
//!
//! A DXA value is coded by LOINC, whose DXA codes name a bone (lumbar spine, femur, hip,
//! radius and ulna), optionally a side, and a quantity (BMD, T-score, Z-score). LOINC has no
//! femoral-neck or L1-L4 code: the femoral neck takes the "Femur" codes and the total hip the
//! "Hip" codes (HL7 US Core's bone density examples, FHIR's DiagnosticReport example 102), and
//! the region itself goes into FHIR `bodySite` and OMOP `measurement_source_value`.

mod loinc;

pub use loinc::{Bone, Code, DXA_CODES, FRAX_HIP, FRAX_MAJOR, Quantity};

use crate::vocabulary::{Classification, Laterality, Region};

/// LOINC's code system URI (FHIR terminology, "Using LOINC with HL7 FHIR").
pub const LOINC: &str = "http://loinc.org";
/// SNOMED CT's code system URI.
pub const SNOMED: &str = "http://snomed.info/sct";
/// UCUM's code system URI.
pub const UCUM: &str = "http://unitsofmeasure.org";
/// FHIR's observation-category code system.
pub const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// HL7 v2 table 0074 (diagnostic service section), the DiagnosticReport category system.
pub const V2_0074: &str = "http://terminology.hl7.org/CodeSystem/v2-0074";
/// The project's own code system for the densitometric category (docs/interop.md): every
/// category has a code here, whether or not SNOMED CT has a concept for it.
pub const CATEGORY_SYSTEM: &str = "urn:dxa-ingest:classification";
/// The project's own code system for body composition values (docs/interop.md, "Body
/// composition"): `<region> <column>` and the indices' columns (`export::body`).
pub const BODY_COMPOSITION_SYSTEM: &str = "urn:dxa-ingest:body-composition";
/// The project's identifier system for a patient ID as the outputs write it (the keyed
/// pseudonym under --pseudonymize).
pub const PATIENT_ID_SYSTEM: &str = "urn:dxa-ingest:patient-id";
/// The project's identifier system for visit_id.
pub const VISIT_ID_SYSTEM: &str = "urn:dxa-ingest:visit-id";

/// The DXA panel (DiagnosticReport.code): LOINC 83311-1.
pub const PANEL: (&str, &str) = (
    "83311-1",
    "Bone density quantitative measurement by DXA panel",
);
/// Total body %fat: LOINC 41982-0 "Percentage of body fat Measured" (docs/interop.md,
/// "Sources"), written beside the project's `total_fat_pct`. Its OMOP concept is not
/// verified: measurement_concept_id 0.
pub const BODY_FAT_PCT: (&str, &str) = ("41982-0", "Percentage of body fat Measured");
/// The DiagnosticReport category of US Core's bone density example: LOINC LP29684-5.
pub const RADIOLOGY_LOINC: (&str, &str) = ("LP29684-5", "Radiology");
/// The same category in HL7 v2 table 0074.
pub const RADIOLOGY_V2: (&str, &str) = ("RAD", "Radiology");
/// The Observation category of US Core's DXA Observations.
pub const IMAGING: (&str, &str) = ("imaging", "Imaging");

/// The code of a DXA value: the side's own code where the side is known, the unsided one
/// when the documents state no side; None for the dual-femur mean (no LOINC code is a mean
/// of two femora) and for regions without a code.
pub fn dxa_code(region: Region, side: Laterality, quantity: Quantity) -> Option<Code> {
    let bone = Bone::of(region)?;
    if side == Laterality::Mean {
        return None;
    }
    DXA_CODES
        .iter()
        .find(|(b, s, q, _)| *b == bone && *s == side && *q == quantity)
        .map(|(_, _, _, code)| *code)
}

/// The OMOP concepts whose `value_as_number` may be negative (OHDSI Themis convention,
/// "negative_value_as_number": every DXA BMD, T- and Z-score concept above is listed); any
/// other concept's negative value is written NULL.
pub fn negative_allowed(concept_id: u32) -> bool {
    concept_id != 0 && DXA_CODES.iter().any(|(.., c)| c.concept_id == concept_id)
}

/// A SNOMED CT body structure (no display: FHIR asks for the preferred term, which we have
/// not verified; `bodySite.text` says the region in words).
pub fn body_site(region: Region, side: Laterality) -> Option<&'static str> {
    Some(match (Bone::of(region)?, side) {
        // Structure of neck of femur.
        (Bone::Femur, _) => "29627003",
        // Left / right hip region structure; hip region structure.
        (Bone::Hip, Laterality::Left) => "287679003",
        (Bone::Hip, Laterality::Right) => "287579007",
        (Bone::Hip, _) => "29836001",
        // Lumbar spine structure.
        (Bone::LumbarSpine, _) => "122496007",
        // Bone structure of radius.
        (Bone::RadiusAndUlna, _) => "62413002",
    })
}

/// The SNOMED CT conclusion code of a category, where a verified one exists: Osteoporosis
/// (disorder) and Osteopenia (disorder). Both are disorders while our category is
/// densitometric, so the conclusion text says so (docs/interop.md).
pub fn snomed_category(category: Classification) -> Option<(&'static str, &'static str)> {
    match category {
        Classification::Osteoporosis => Some(("64859006", "Osteoporosis")),
        Classification::Osteopenia => Some(("312894000", "Osteopenia")),
        _ => None,
    }
}

/// The display of a category in the project's code system.
pub fn category_display(category: Classification) -> &'static str {
    match category {
        Classification::Normal => "Normal bone density (T-score -1.0 or above)",
        Classification::Osteopenia => "Osteopenia, low bone mass (T-score between -1.0 and -2.5)",
        Classification::Osteoporosis => "Osteoporosis range (T-score -2.5 or below)",
        Classification::BelowExpectedRangeForAge => {
            "Below the expected range for age (Z-score -2.0 or below)"
        }
        Classification::WithinExpectedRangeForAge => {
            "Within the expected range for age (Z-score above -2.0)"
        }
        Classification::Indeterminate => "Indeterminate: no diagnostic site has the score needed",
    }
}

#[cfg(test)]
mod tests;
