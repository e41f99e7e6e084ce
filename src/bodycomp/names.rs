//! The words of body composition: the regions a whole-body exam reports, the values of a
//! region, the indices, each with the text written in profiles and (later) in the CSV files.

use std::fmt;
use std::str::FromStr;

use crate::vocabulary::{Laterality, Region, vocabulary};

vocabulary! {
    /// A region of a whole-body exam. The first seventeen carry body composition (Hologic's
    /// `L Arm` ... `Gynoid (G)`, GE enCORE's `Arms` ... `TBLH`); the last seven are parts of
    /// the whole-body BMD table only (Hologic `L Ribs` ... `Pelvis`, GE `Ribs`, `Spine`).
    BodyRegion {
        /// Left arm.
        ArmLeft => "arm_left",
        /// Right arm.
        ArmRight => "arm_right",
        /// Both arms (GE `Arms`).
        Arms => "arms",
        /// Left leg.
        LegLeft => "leg_left",
        /// Right leg.
        LegRight => "leg_right",
        /// Both legs (GE `Legs`).
        Legs => "legs",
        /// Trunk.
        Trunk => "trunk",
        /// Left half of the trunk (GE).
        TrunkLeft => "trunk_left",
        /// Right half of the trunk (GE).
        TrunkRight => "trunk_right",
        /// Head.
        Head => "head",
        /// Android region (between the pelvic cut and a line above it).
        Android => "android",
        /// Gynoid region (hips and upper thighs).
        Gynoid => "gynoid",
        /// Hologic `Subtotal`: the whole body less the head (arms, trunk, legs).
        Subtotal => "subtotal",
        /// The whole body, head included.
        Total => "total",
        /// Left half of the body (GE).
        TotalLeft => "total_left",
        /// Right half of the body (GE).
        TotalRight => "total_right",
        /// GE `TBLH`: total body less head.
        Tblh => "tblh",
        /// Both rib cages (GE `Ribs`).
        Ribs => "ribs",
        /// Left ribs (Hologic `L Ribs`).
        RibsLeft => "ribs_left",
        /// Right ribs (Hologic `R Ribs`).
        RibsRight => "ribs_right",
        /// The spine of a whole-body scan (GE `Spine`).
        Spine => "spine",
        /// Thoracic spine (Hologic `T Spine`).
        ThoracicSpine => "thoracic_spine",
        /// Lumbar spine of a whole-body scan (Hologic `L Spine`): not the PA lumbar spine.
        LumbarSpine => "lumbar_spine",
        /// Pelvis.
        Pelvis => "pelvis",
    }
}

impl BodyRegion {
    /// Whether the region carries body composition (fat, lean, masses).
    pub fn is_composition(self) -> bool {
        self <= BodyRegion::Tblh
    }

    /// Whether only a whole-body exam has the region (what tells a whole-body BMD table
    /// apart from another site's): all but `total` and `subtotal`.
    pub fn is_whole_body_only(self) -> bool {
        !matches!(self, BodyRegion::Total | BodyRegion::Subtotal)
    }

    /// The side the region is on.
    pub fn laterality(self) -> Laterality {
        use BodyRegion::*;
        match self {
            ArmLeft | LegLeft | TrunkLeft | TotalLeft | RibsLeft => Laterality::Left,
            ArmRight | LegRight | TrunkRight | TotalRight | RibsRight => Laterality::Right,
            _ => Laterality::None,
        }
    }

    /// The region of measurements.csv a whole-body BMD row is written under: the whole
    /// body, the whole body less the head, else `other` (the vocabulary has no arm or leg;
    /// none of them is a diagnostic site, docs/clinical.md).
    pub fn measurement_region(self) -> Region {
        match self {
            BodyRegion::Total => Region::TotalBody,
            BodyRegion::Subtotal | BodyRegion::Tblh => Region::TotalBodyLessHead,
            _ => Region::Other,
        }
    }

    /// The (right, left) halves of a region that GE reports whole, by side and as a
    /// `Diff` (Right - Left, docs/evidence.md).
    pub fn halves(self) -> Option<(BodyRegion, BodyRegion)> {
        use BodyRegion::*;
        Some(match self {
            Arms => (ArmRight, ArmLeft),
            Legs => (LegRight, LegLeft),
            Trunk => (TrunkRight, TrunkLeft),
            Total => (TotalRight, TotalLeft),
            _ => return None,
        })
    }
}

vocabulary! {
    /// A value of one region's body composition.
    Field {
        /// Fat mass, g.
        Fat => "fat",
        /// Lean mass without bone mineral (Hologic `Lean`, GE `Lean Mass`), g.
        Lean => "lean",
        /// Bone mineral content (Hologic `BMC`, GE `Bone Mass`), g.
        Bmc => "bmc",
        /// Lean mass with bone mineral (Hologic `Lean+BMC`, GE `Fat-Free Mass`), g.
        LeanBmc => "lean_bmc",
        /// Soft tissue: fat and lean (GE `Tissue Mass`), g.
        Tissue => "tissue",
        /// Fat, lean and bone mineral, g.
        TotalMass => "total_mass",
        /// Fat / total mass (Hologic `% Fat`, GE `Region %Fat`), %.
        FatPct => "fat_pct",
        /// Fat / soft tissue (GE `Tissue %Fat`), %.
        TissueFatPct => "tissue_fat_pct",
    }
}

/// What a value measures, for its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Grams.
    Mass,
    /// Percent.
    Percent,
    /// kg/m².
    MassPerArea,
    /// A ratio, no unit.
    Ratio,
    /// cm³.
    Volume,
    /// cm².
    Area,
}

impl Field {
    /// What the value measures.
    pub fn dimension(self) -> Dimension {
        match self {
            Field::FatPct | Field::TissueFatPct => Dimension::Percent,
            _ => Dimension::Mass,
        }
    }
}

vocabulary! {
    /// A whole-body index: reported by the scanner (Hologic "Adipose Indices" and "Lean
    /// Indices", GE CoreScan) or computed from the regions and the height.
    IndexKind {
        /// Total body fat / total mass, %.
        TotalFatPct => "total_fat_pct",
        /// Fat mass index: total fat (kg) / height (m)².
        Fmi => "fmi",
        /// Lean mass index: total lean without bone mineral (kg) / height (m)².
        Lmi => "lmi",
        /// Appendicular lean mass index: arms and legs lean without bone mineral (kg) /
        /// height (m)².
        Almi => "almi",
        /// Appendicular lean mass (kg) / BMI (kg/m²).
        AlmBmi => "alm_bmi",
        /// Android %fat / gynoid %fat (a ratio of percentages, docs/clinical.md).
        AndroidGynoidRatio => "android_gynoid_ratio",
        /// Trunk %fat / legs %fat (Hologic `% Fat Trunk/% Fat Legs`).
        TrunkLegsFatPctRatio => "trunk_legs_fat_pct_ratio",
        /// Trunk fat / arms and legs fat (Hologic `Trunk/Limb Fat Mass Ratio`).
        TrunkLimbFatRatio => "trunk_limb_fat_ratio",
        /// Estimated visceral adipose tissue mass, g.
        VatMass => "vat_mass",
        /// Estimated visceral adipose tissue volume, cm³.
        VatVolume => "vat_volume",
        /// Estimated visceral adipose tissue area, cm².
        VatArea => "vat_area",
    }
}

impl IndexKind {
    /// What the value measures.
    pub fn dimension(self) -> Dimension {
        match self {
            IndexKind::TotalFatPct => Dimension::Percent,
            IndexKind::Fmi | IndexKind::Lmi | IndexKind::Almi => Dimension::MassPerArea,
            IndexKind::AlmBmi
            | IndexKind::AndroidGynoidRatio
            | IndexKind::TrunkLegsFatPctRatio
            | IndexKind::TrunkLimbFatRatio => Dimension::Ratio,
            IndexKind::VatMass => Dimension::Mass,
            IndexKind::VatVolume => Dimension::Volume,
            IndexKind::VatArea => Dimension::Area,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_regions_know_their_side() {
        for region in BodyRegion::ALL {
            assert_eq!(region.as_str().parse::<BodyRegion>(), Ok(*region));
        }
        for kind in IndexKind::ALL {
            assert_eq!(kind.as_str().parse::<IndexKind>(), Ok(*kind));
        }
        let composition: Vec<_> = BodyRegion::ALL
            .iter()
            .filter(|r| r.is_composition())
            .collect();
        assert_eq!(composition.len(), 17, "the regions of body_composition.csv");
        assert!(!BodyRegion::Pelvis.is_composition());
        assert_eq!(BodyRegion::ArmLeft.laterality(), Laterality::Left);
        assert_eq!(BodyRegion::TotalRight.laterality(), Laterality::Right);
        assert_eq!(BodyRegion::Head.laterality(), Laterality::None);
        assert_eq!(BodyRegion::Total.measurement_region(), Region::TotalBody);
        assert_eq!(
            BodyRegion::Subtotal.measurement_region(),
            Region::TotalBodyLessHead
        );
        assert_eq!(
            BodyRegion::Tblh.measurement_region(),
            Region::TotalBodyLessHead
        );
        assert_eq!(BodyRegion::ArmLeft.measurement_region(), Region::Other);
        assert_eq!(
            BodyRegion::Arms.halves(),
            Some((BodyRegion::ArmRight, BodyRegion::ArmLeft))
        );
        assert!(!BodyRegion::Subtotal.is_whole_body_only());
        assert!(BodyRegion::Head.is_whole_body_only());
        assert!("elbow".parse::<BodyRegion>().is_err());
    }
}
