//! The codes the FHIR and OMOP exports write, in one table (docs/interop.md lists every one
//! with its source; a test checks that table against this one, and every LOINC check digit
//! and SNOMED CT check digit here).
//!
//! A DXA value is coded by LOINC, whose DXA codes name a bone (lumbar spine, femur, hip,
//! radius and ulna), optionally a side, and a quantity (BMD, T-score, Z-score). LOINC has no
//! femoral-neck or L1-L4 code: the femoral neck takes the "Femur" codes and the total hip the
//! "Hip" codes (HL7 US Core's bone density examples, FHIR's DiagnosticReport example 102), and
//! the region itself goes into FHIR `bodySite` and OMOP `measurement_source_value`.

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
/// The DiagnosticReport category of US Core's bone density example: LOINC LP29684-5.
pub const RADIOLOGY_LOINC: (&str, &str) = ("LP29684-5", "Radiology");
/// The same category in HL7 v2 table 0074.
pub const RADIOLOGY_V2: (&str, &str) = ("RAD", "Radiology");
/// The Observation category of US Core's DXA Observations.
pub const IMAGING: (&str, &str) = ("imaging", "Imaging");

/// What a value measures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Quantity {
    /// Bone mineral density, g/cm².
    Bmd,
    /// T-score.
    TScore,
    /// Z-score.
    ZScore,
    /// FRAX 10-year probability of a major osteoporotic fracture, %.
    FraxMajor,
    /// FRAX 10-year probability of a hip fracture, %.
    FraxHip,
}

impl Quantity {
    /// Our name of the quantity (the column suffix of measurements.csv and the OMOP source
    /// value).
    pub fn as_str(self) -> &'static str {
        match self {
            Quantity::Bmd => "bmd",
            Quantity::TScore => "t_score",
            Quantity::ZScore => "z_score",
            Quantity::FraxMajor => "frax_major",
            Quantity::FraxHip => "frax_hip",
        }
    }

    /// The UCUM unit: (code, human text). g/cm2 for BMD (never `g/cm-2`, which is g·cm²);
    /// `1` with the text "T-Score" / "Z-Score" as US Core's examples; `%` for FRAX.
    pub fn ucum(self) -> (&'static str, &'static str) {
        match self {
            Quantity::Bmd => ("g/cm2", "g/cm2"),
            Quantity::TScore => ("1", "T-Score"),
            Quantity::ZScore => ("1", "Z-Score"),
            Quantity::FraxMajor | Quantity::FraxHip => ("%", "%"),
        }
    }

    /// The OMOP unit_concept_id: 32701 "gram per square centimeter", 8554 "percent"; None
    /// (NULL) for T and Z, which have no unit (OMOP CDM: "If the source data does not
    /// include units, set UNIT_CONCEPT_ID to NULL").
    pub fn omop_unit(self) -> Option<u32> {
        match self {
            Quantity::Bmd => Some(32701),
            Quantity::TScore | Quantity::ZScore => None,
            Quantity::FraxMajor | Quantity::FraxHip => Some(8554),
        }
    }
}

/// The bone a LOINC DXA code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bone {
    /// DXA Lumbar spine.
    LumbarSpine,
    /// DXA Femur: the femoral neck.
    Femur,
    /// DXA Hip: the total hip.
    Hip,
    /// DXA Radius and Ulna: the 33 % (one-third) radius.
    RadiusAndUlna,
}

impl Bone {
    /// The bone the exports code a region as; None for a region they do not export (single
    /// vertebrae, trochanter, Ward's, ultradistal radius, ...: no LOINC code says them).
    pub fn of(region: Region) -> Option<Bone> {
        match region {
            r if r.vertebrae().is_some_and(|(a, b)| b > a) => Some(Bone::LumbarSpine),
            Region::FemoralNeck => Some(Bone::Femur),
            Region::TotalHip => Some(Bone::Hip),
            Region::Radius33 => Some(Bone::RadiusAndUlna),
            _ => None,
        }
    }
}

/// One LOINC code with its OMOP standard concept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The LOINC code.
    pub loinc: &'static str,
    /// Its LOINC long common name (the FHIR display).
    pub name: &'static str,
    /// The OMOP concept_id (0: no standard concept verified; the LOINC goes into the source
    /// value instead).
    pub concept_id: u32,
}

const fn code(loinc: &'static str, name: &'static str, concept_id: u32) -> Code {
    Code {
        loinc,
        name,
        concept_id,
    }
}

/// Every DXA code: (bone, side, quantity, code). Concept ids and names: OHDSI Themis,
/// `docs/pages/measurement/negative_value_as_number.md` (docs/interop.md).
pub const DXA_CODES: &[(Bone, Laterality, Quantity, Code)] = {
    use Bone::*;
    use Laterality::{Left, None as Unsided, Right};
    use Quantity::*;
    &[
        (
            LumbarSpine,
            Unsided,
            Bmd,
            code(
                "24966-4",
                "DXA Lumbar spine [Mass/Area] Bone density",
                3033804,
            ),
        ),
        (
            LumbarSpine,
            Unsided,
            TScore,
            code(
                "38267-1",
                "DXA Lumbar spine [T-score] Bone density",
                3049654,
            ),
        ),
        (
            LumbarSpine,
            Unsided,
            ZScore,
            code(
                "85394-5",
                "DXA Lumbar spine [Z-score] Bone density",
                36204417,
            ),
        ),
        (
            Femur,
            Unsided,
            Bmd,
            code("24701-5", "DXA Femur [Mass/Area] Bone density", 3021722),
        ),
        (
            Femur,
            Unsided,
            TScore,
            code("38263-0", "DXA Femur [T-score] Bone density", 3051450),
        ),
        (
            Femur,
            Unsided,
            ZScore,
            code("80934-3", "DXA Femur [Z-score] Bone density", 21494100),
        ),
        (
            Femur,
            Left,
            Bmd,
            code(
                "80954-1",
                "DXA Femur - left [Mass/Area] Bone density",
                21494209,
            ),
        ),
        (
            Femur,
            Left,
            TScore,
            code(
                "80948-3",
                "DXA Femur - left [T-score] Bone density",
                21494203,
            ),
        ),
        (
            Femur,
            Left,
            ZScore,
            code(
                "80940-0",
                "DXA Femur - left [Z-score] Bone density",
                21492968,
            ),
        ),
        (
            Femur,
            Right,
            Bmd,
            code(
                "80953-3",
                "DXA Femur - right [Mass/Area] Bone density",
                21494208,
            ),
        ),
        (
            Femur,
            Right,
            TScore,
            code(
                "80947-5",
                "DXA Femur - right [T-score] Bone density",
                21494202,
            ),
        ),
        (
            Femur,
            Right,
            ZScore,
            code(
                "80939-2",
                "DXA Femur - right [Z-score] Bone density",
                21494199,
            ),
        ),
        (
            Hip,
            Unsided,
            Bmd,
            code("38261-4", "DXA Hip [Mass/Area] Bone density", 3052486),
        ),
        (
            Hip,
            Unsided,
            TScore,
            code("38264-8", "DXA Hip [T-score] Bone density", 3049278),
        ),
        (
            Hip,
            Unsided,
            ZScore,
            code("80933-5", "DXA Hip [Z-score] Bone density", 21494099),
        ),
        (
            Hip,
            Left,
            Bmd,
            code(
                "46278-8",
                "DXA Hip - left [Mass/Area] Bone density",
                3051938,
            ),
        ),
        (
            Hip,
            Left,
            TScore,
            code("80946-7", "DXA Hip - left [T-score] Bone density", 21494201),
        ),
        (
            Hip,
            Left,
            ZScore,
            code("80938-4", "DXA Hip - left [Z-score] Bone density", 21494198),
        ),
        (
            Hip,
            Right,
            Bmd,
            code(
                "46279-6",
                "DXA Hip - right [Mass/Area] Bone density",
                3049418,
            ),
        ),
        (
            Hip,
            Right,
            TScore,
            code(
                "80945-9",
                "DXA Hip - right [T-score] Bone density",
                21494200,
            ),
        ),
        (
            Hip,
            Right,
            ZScore,
            code(
                "80937-6",
                "DXA Hip - right [Z-score] Bone density",
                21494197,
            ),
        ),
        (
            RadiusAndUlna,
            Unsided,
            Bmd,
            code(
                "24890-6",
                "DXA Radius and Ulna [Mass/Area] Bone density",
                3002101,
            ),
        ),
        (
            RadiusAndUlna,
            Unsided,
            TScore,
            code(
                "38265-5",
                "DXA Radius and Ulna [T-score] Bone density",
                3049273,
            ),
        ),
        (
            RadiusAndUlna,
            Unsided,
            ZScore,
            code(
                "80932-7",
                "DXA Radius and Ulna [Z-score] Bone density",
                21494098,
            ),
        ),
        (
            RadiusAndUlna,
            Left,
            Bmd,
            code(
                "80952-5",
                "DXA Radius and Ulna - left [Mass/Area] Bone density",
                21494207,
            ),
        ),
        (
            RadiusAndUlna,
            Left,
            TScore,
            code(
                "80944-2",
                "DXA Radius and Ulna - left [T-score] Bone density",
                21492972,
            ),
        ),
        (
            RadiusAndUlna,
            Left,
            ZScore,
            code(
                "80936-8",
                "DXA Radius and Ulna - left [Z-score] Bone density",
                21494196,
            ),
        ),
        (
            RadiusAndUlna,
            Right,
            Bmd,
            code(
                "80951-7",
                "DXA Radius and Ulna - right [Mass/Area] Bone density",
                21494206,
            ),
        ),
        (
            RadiusAndUlna,
            Right,
            TScore,
            code(
                "80943-4",
                "DXA Radius and Ulna - right [T-score] Bone density",
                21492971,
            ),
        ),
        (
            RadiusAndUlna,
            Right,
            ZScore,
            code(
                "80935-0",
                "DXA Radius and Ulna - right [Z-score] Bone density",
                21494101,
            ),
        ),
    ]
};

/// FRAX major osteoporotic fracture, 10 years. Its OMOP concept id is not verified: 0, and
/// the LOINC goes into `measurement_source_value` (OMOP CDM conventions for unmapped codes).
pub const FRAX_MAJOR: Code = code(
    "90265-0",
    "Major osteoporotic fracture 10-year probability [Likelihood] Fracture Risk Assessment",
    0,
);
/// FRAX hip fracture, 10 years (OMOP concept id unverified: 0).
pub const FRAX_HIP: Code = code(
    "90266-8",
    "Hip fracture 10-year probability [Likelihood] Fracture Risk Assessment",
    0,
);

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
