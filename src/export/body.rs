//! The body composition values of a visit that the FHIR and OMOP exports carry
//! (docs/interop.md, "Body composition"): what body_composition.csv and studies.csv write of
//! a whole-body exam, each value with the project's code (`urn:dxa-ingest:body-composition`),
//! its UCUM unit and whether it was computed here:
//! - per region (body_composition.csv's rows, in region order): fat, lean without bone
//!   mineral, bone mineral, lean with bone mineral, total mass (g) and %fat; the whole
//!   body's %fat once, as the index `total_fat_pct`;
//! - the indices of studies.csv (`output::rows::INDEX_COLUMNS`): total %fat (also LOINC
//!   41982-0), FMI, LMI, ALMI (kg/m²), ALM/BMI, the android/gynoid ratio, VAT mass (g) and
//!   volume (cm³).
//!
//! No LOINC code with the DXA method was found for any of them (docs/interop.md): they are
//! coded with the project's codes, never a borrowed LOINC.

use serde::{Deserialize, Serialize};

use crate::bodycomp::index::Basis;
use crate::bodycomp::{BodyRegion, Dimension, Field, IndexKind, RegionComposition};
use crate::decimal::Decimal;
use crate::output::rows::INDEX_COLUMNS;
use crate::visit::VisitBody;

/// The values of a region that are exported, in body_composition.csv's column order, with
/// the column's name.
pub const REGION_COLUMNS: [(Field, &str); 6] = [
    (Field::Fat, "fat_g"),
    (Field::Lean, "lean_g"),
    (Field::Bmc, "bmc_g"),
    (Field::LeanBmc, "lean_bmc_g"),
    (Field::TotalMass, "total_mass_g"),
    (Field::FatPct, "fat_pct"),
];

/// What a body composition value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// A region's value (one of `REGION_COLUMNS`).
    Region(BodyRegion, Field),
    /// An index of `INDEX_COLUMNS`.
    Index(IndexKind),
}

/// One exported body composition value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositionValue {
    /// What it is.
    pub measure: Measure,
    /// Its value in the unit of `ucum`.
    pub value: Decimal,
    /// Computed here (lean less bone mineral, %fat from the masses, an index from the
    /// height), not reported by the scanner.
    pub computed: bool,
}

/// The column name of a region's field (body_composition.csv).
fn column(field: Field) -> &'static str {
    REGION_COLUMNS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or_else(|| field.as_str(), |(_, name)| *name)
}

/// The column name of an index (studies.csv).
fn index_column(kind: IndexKind) -> &'static str {
    INDEX_COLUMNS
        .iter()
        .find(|(_, k)| *k == kind)
        .map_or_else(|| kind.as_str(), |(name, _)| *name)
}

impl Measure {
    /// The project's code, which is also the OMOP `measurement_source_value`: `<region>
    /// <column>` (`arm_left fat_g`) or the index's column (`almi_kg_m2`); at most 24
    /// characters.
    pub fn code(self) -> String {
        match self {
            Measure::Region(region, field) => format!("{region} {}", column(field)),
            Measure::Index(kind) => index_column(kind).to_string(),
        }
    }

    /// The UCUM unit: (code, human text).
    pub fn ucum(self) -> (&'static str, &'static str) {
        let dimension = match self {
            Measure::Region(_, field) => field.dimension(),
            Measure::Index(kind) => kind.dimension(),
        };
        match dimension {
            Dimension::Mass => ("g", "g"),
            Dimension::Percent => ("%", "%"),
            Dimension::MassPerArea => ("kg/m2", "kg/m2"),
            Dimension::Ratio => ("1", "ratio"),
            Dimension::Volume => ("cm3", "cm3"),
            Dimension::Area => ("cm2", "cm2"),
        }
    }

    /// The OMOP unit_concept_id: 8554 "percent" for %; NULL for the others (no concept of
    /// g, kg/m² or cm³ is verified, docs/interop.md; a ratio has no unit).
    pub fn omop_unit(self) -> Option<u32> {
        (self.ucum().0 == "%").then_some(8554)
    }

    /// The display of the code.
    pub fn display(self) -> String {
        match self {
            Measure::Region(region, field) => {
                format!("{}, {}", field_display(field), region_display(region))
            }
            Measure::Index(kind) => index_display(kind).to_string(),
        }
    }
}

/// A region field in words (docs/interop.md's rows of `<region> <column>`).
pub fn field_display(field: Field) -> &'static str {
    match field {
        Field::Fat => "Fat mass (g)",
        Field::Lean => "Lean mass without bone mineral (g)",
        Field::Bmc => "Bone mineral content (g)",
        Field::LeanBmc => "Lean mass with bone mineral (g)",
        Field::TotalMass => "Total mass: fat, lean and bone mineral (g)",
        Field::FatPct => "Fat / total mass (%)",
        Field::Tissue => "Soft tissue mass (g)",
        Field::TissueFatPct => "Fat / soft tissue (%)",
    }
}

/// A region in words.
fn region_display(region: BodyRegion) -> String {
    use BodyRegion::*;
    match region {
        ArmLeft => "left arm".into(),
        ArmRight => "right arm".into(),
        LegLeft => "left leg".into(),
        LegRight => "right leg".into(),
        TrunkLeft => "left half of the trunk".into(),
        TrunkRight => "right half of the trunk".into(),
        Subtotal => "whole body less head (subtotal)".into(),
        Total => "whole body".into(),
        TotalLeft => "left half of the body".into(),
        TotalRight => "right half of the body".into(),
        Tblh => "total body less head".into(),
        other => other.as_str().replace('_', " "),
    }
}

/// An index in words (docs/interop.md's rows).
pub fn index_display(kind: IndexKind) -> &'static str {
    match kind {
        IndexKind::TotalFatPct => "Whole body fat / total mass (%)",
        IndexKind::Fmi => "Fat mass index: fat (kg) / height (m) squared",
        IndexKind::Lmi => "Lean mass index: lean without bone mineral (kg) / height (m) squared",
        IndexKind::Almi => {
            "Appendicular lean mass index: arms and legs lean without bone mineral (kg) / \
             height (m) squared"
        }
        IndexKind::AlmBmi => "Appendicular lean mass (kg) / BMI (kg/m2)",
        IndexKind::AndroidGynoidRatio => "Android %fat / gynoid %fat",
        IndexKind::VatMass => "Estimated visceral adipose tissue mass (g)",
        IndexKind::VatVolume => "Estimated visceral adipose tissue volume (cm3)",
        IndexKind::TrunkLegsFatPctRatio => "Trunk %fat / legs %fat",
        IndexKind::TrunkLimbFatRatio => "Trunk fat / arms and legs fat",
        IndexKind::VatArea => "Estimated visceral adipose tissue area (cm2)",
    }
}

/// A region's value as body_composition.csv writes it, and whether it was computed: lean
/// without bone mineral (lean + BMC less BMC when only those are reported), %fat as
/// reported else fat / total mass (one decimal).
fn region_value(region: &RegionComposition, field: Field) -> Option<(Decimal, bool)> {
    let reported = region.value(field);
    if let Some(value) = reported {
        return Some((value, false));
    }
    let computed = match field {
        Field::Lean => region.lean_without_bmc(),
        Field::FatPct => region.fat_pct_of_masses(),
        _ => None,
    };
    computed.map(|value| (value, true))
}

/// Every exported body composition value of a visit: each region's (region order, then
/// column order; the whole body's %fat left to `total_fat_pct`), then the indices.
pub fn body_values(body: &VisitBody<'_>) -> Vec<CompositionValue> {
    let mut out = Vec::new();
    for region in &body.composition.regions {
        if !region.region.is_composition() {
            continue;
        }
        for (field, _) in REGION_COLUMNS {
            if region.region == BodyRegion::Total && field == Field::FatPct {
                continue;
            }
            if let Some((value, computed)) = region_value(region, field) {
                out.push(CompositionValue {
                    measure: Measure::Region(region.region, field),
                    value,
                    computed,
                });
            }
        }
    }
    for (_, kind) in INDEX_COLUMNS {
        if let Some(index) = body.assessment.get(kind) {
            out.push(CompositionValue {
                measure: Measure::Index(kind),
                value: index.value,
                computed: index.basis == Basis::Computed,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
