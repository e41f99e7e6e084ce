//! The LOINC DXA codes and their OMOP standard concepts (docs/interop.md, "Codes"): what a
//! value measures (`Quantity`), the bone a code names (`Bone`), and the table.

use crate::vocabulary::{Laterality, Region};

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
