//! Numbers of one body composition that disagree with themselves (docs/clinical.md, "Body
//! composition: checks"). Each check allows what rounding alone explains: sums within 1 g,
//! or within half a written digit per value when the values are written coarser (GE's
//! `9.9 lbs`: 0.05 lb, 23 g); %fat recomputed within 0.2 points beyond what the masses'
//! rounding moves it; the VAT's density within 0.90-0.96 g/cm³ for some values its rounding
//! allows. A check that lacks a value is not made.

use super::{BodyComposition, BodyRegion, Dimension, Field, IndexKind, Reading};
use crate::decimal::{Decimal, dec};

/// The mass fields a sum is checked on.
const MASSES: [Field; 6] = [
    Field::Fat,
    Field::Lean,
    Field::Bmc,
    Field::LeanBmc,
    Field::Tissue,
    Field::TotalMass,
];

/// The regions Hologic's `Subtotal` is the sum of (docs/evidence.md).
const SUBTOTAL_PARTS: [BodyRegion; 5] = [
    BodyRegion::ArmLeft,
    BodyRegion::ArmRight,
    BodyRegion::Trunk,
    BodyRegion::LegLeft,
    BodyRegion::LegRight,
];

fn abs(value: Decimal) -> Decimal {
    if value < dec!("0") {
        dec!("0").checked_sub(value).unwrap_or(value)
    } else {
        value
    }
}

/// Whether `sum` and the sum of `parts` differ by more than 1 g and more than their
/// rounding allows; false when a value is missing.
fn sum_differs(sum: Option<&Reading>, parts: &[Option<&Reading>]) -> bool {
    let Some(sum) = sum else {
        return false;
    };
    let mut total = dec!("0");
    let mut allowed = sum.rounding(Dimension::Mass);
    for part in parts {
        let Some(part) = part else {
            return false;
        };
        let (Some(t), Some(a)) = (
            total.checked_add(part.value),
            allowed.checked_add(part.rounding(Dimension::Mass)),
        ) else {
            return false;
        };
        total = t;
        allowed = a;
    }
    let allowed = allowed.max(dec!("1"));
    total
        .checked_sub(sum.value)
        .is_some_and(|difference| abs(difference) > allowed)
}

fn field_of(comp: &BodyComposition, region: BodyRegion, field: Field) -> Option<&Reading> {
    comp.region(region)?.get(field)
}

/// Hologic's five regions against its Subtotal.
fn subtotal(comp: &BodyComposition) -> bool {
    MASSES.iter().any(|&field| {
        let parts: Vec<_> = SUBTOTAL_PARTS
            .iter()
            .map(|&r| field_of(comp, r, field))
            .collect();
        sum_differs(field_of(comp, BodyRegion::Subtotal, field), &parts)
    })
}

/// Subtotal and head against the total.
fn total(comp: &BodyComposition) -> bool {
    MASSES.iter().any(|&field| {
        let parts = [
            field_of(comp, BodyRegion::Subtotal, field),
            field_of(comp, BodyRegion::Head, field),
        ];
        sum_differs(field_of(comp, BodyRegion::Total, field), &parts)
    })
}

/// GE's regions against their right and left halves.
fn sides(comp: &BodyComposition) -> bool {
    BodyRegion::ALL.iter().any(|&whole| {
        let Some((right, left)) = whole.halves() else {
            return false;
        };
        MASSES.iter().any(|&field| {
            let parts = [field_of(comp, right, field), field_of(comp, left, field)];
            sum_differs(field_of(comp, whole, field), &parts)
        })
    })
}

/// A region's masses against each other: total = fat + lean + BMC, lean + BMC, tissue =
/// fat + lean.
fn total_mass(comp: &BodyComposition) -> bool {
    comp.regions.iter().any(|r| {
        let get = |field| r.get(field);
        sum_differs(
            get(Field::TotalMass),
            &[get(Field::Fat), get(Field::Lean), get(Field::Bmc)],
        ) || sum_differs(get(Field::LeanBmc), &[get(Field::Lean), get(Field::Bmc)])
            || sum_differs(get(Field::Tissue), &[get(Field::Fat), get(Field::Lean)])
    })
}

/// The range `part / whole` x 100 takes over the values the readings' rounding allows.
fn percent_range(part: &Reading, whole: &Reading) -> Option<(Decimal, Decimal)> {
    let (dp, dw) = (
        part.rounding(Dimension::Mass),
        whole.rounding(Dimension::Mass),
    );
    let low_part = part.value.checked_sub(dp)?.max(dec!("0"));
    let high_whole = whole.value.checked_add(dw)?;
    let high_part = part.value.checked_add(dp)?;
    let low_whole = whole.value.checked_sub(dw)?;
    if low_whole <= dec!("0") {
        return None;
    }
    let hundred = dec!("100");
    Some((
        low_part.checked_mul(hundred)?.div_rounded(high_whole, 6)?,
        high_part.checked_mul(hundred)?.div_rounded(low_whole, 6)?,
    ))
}

/// A reported %fat against fat / total mass (and GE's tissue %fat against fat / tissue).
fn fat_pct(comp: &BodyComposition) -> bool {
    let slack = dec!("0.2");
    comp.regions.iter().any(|r| {
        [
            (Field::FatPct, Field::TotalMass),
            (Field::TissueFatPct, Field::Tissue),
        ]
        .iter()
        .any(|&(pct, whole)| {
            let (Some(reported), Some(fat), Some(whole)) =
                (r.get(pct), r.get(Field::Fat), r.get(whole))
            else {
                return false;
            };
            let Some((low, high)) = percent_range(fat, whole) else {
                return false;
            };
            let (Some(low), Some(high)) = (low.checked_sub(slack), high.checked_add(slack)) else {
                return false;
            };
            reported.value < low || reported.value > high
        })
    })
}

/// The VAT's mass over its volume outside 0.90-0.96 g/cm³ for every value the rounding
/// allows (Hologic's is near 0.925, GE's near 0.945: docs/clinical.md). A mass of zero
/// beside a volume (11 of 84 rows of the one public enCORE export) is outside.
fn vat_density(comp: &BodyComposition) -> bool {
    let (Some(mass), Some(volume)) = (
        comp.index(IndexKind::VatMass),
        comp.index(IndexKind::VatVolume),
    ) else {
        return false;
    };
    let (dm, dv) = (
        mass.rounding(Dimension::Mass),
        volume.rounding(Dimension::Volume),
    );
    let range = || -> Option<(Decimal, Decimal)> {
        let low_volume = volume.value.checked_sub(dv)?;
        if low_volume <= dec!("0") {
            return None;
        }
        Some((
            mass.value
                .checked_sub(dm)?
                .max(dec!("0"))
                .div_rounded(volume.value.checked_add(dv)?, 6)?,
            mass.value.checked_add(dm)?.div_rounded(low_volume, 6)?,
        ))
    };
    match range() {
        Some((low, high)) => high < dec!("0.90") || low > dec!("0.96"),
        None => false,
    }
}

/// A check a body composition can fail (`body_composition_inconsistent=<check>`,
/// docs/clinical.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Check {
    /// Hologic's five regions against `Subtotal`.
    Subtotal,
    /// `Subtotal` and `Head` against `Total`.
    Total,
    /// A region against its right and left halves.
    Sides,
    /// A region's masses against each other.
    TotalMass,
    /// A reported %fat against fat / total mass.
    FatPct,
    /// The VAT's mass / volume.
    VatDensity,
    /// A GE `Diff` against Right - Left (the enCORE reader's: the difference is not kept).
    Diff,
}

impl Check {
    /// The check's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Subtotal => "subtotal",
            Check::Total => "total",
            Check::Sides => "sides",
            Check::TotalMass => "total_mass",
            Check::FatPct => "fat_pct",
            Check::VatDensity => "vat_density",
            Check::Diff => "diff",
        }
    }
}

/// Whether a composition fails a check.
type Fails = fn(&BodyComposition) -> bool;

/// The checks made here, in order.
const CHECKS: [(Check, Fails); 6] = [
    (Check::Subtotal, subtotal),
    (Check::Total, total),
    (Check::Sides, sides),
    (Check::TotalMass, total_mass),
    (Check::FatPct, fat_pct),
    (Check::VatDensity, vat_density),
];

/// The checks the composition fails.
pub fn inconsistencies(comp: &BodyComposition) -> Vec<Check> {
    CHECKS
        .iter()
        .filter(|(_, fails)| fails(comp))
        .map(|(check, _)| *check)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::units::convert;
    use super::super::{BodySource, Dimension};
    use super::*;

    fn names(comp: &BodyComposition) -> Vec<&'static str> {
        inconsistencies(comp).iter().map(|c| c.as_str()).collect()
    }

    fn reading(written: &str, unit: &str, dimension: Dimension) -> Reading {
        let written = Decimal::parse(written).unwrap();
        Reading {
            value: convert(written, unit, dimension).unwrap(),
            written,
            unit: unit.into(),
            from: "".into(),
        }
    }

    /// A Hologic-like composition in whole grams: five regions, their subtotal, head and
    /// total, each with fat, lean + BMC, total mass and %fat.
    fn hologic() -> BodyComposition {
        let mut comp = BodyComposition::new(BodySource::HologicResultsDocument);
        let rows = [
            (BodyRegion::ArmLeft, "1201", "2375", "3576", "33.6"),
            (BodyRegion::ArmRight, "1250", "2510", "3760", "33.2"),
            (BodyRegion::Trunk, "9802", "21540", "31342", "31.3"),
            (BodyRegion::LegLeft, "3710", "7120", "10830", "34.3"),
            (BodyRegion::LegRight, "3690", "7205", "10895", "33.9"),
            (BodyRegion::Subtotal, "19653", "40750", "60403", "32.5"),
            (BodyRegion::Head, "1002", "3620", "4622", "21.7"),
            (BodyRegion::Total, "20655", "44370", "65025", "31.8"),
        ];
        for (region, fat, lean_bmc, total, pct) in rows {
            let mass = |w| reading(w, "g", Dimension::Mass);
            assert!(comp.set(region, "", Field::Fat, mass(fat)));
            assert!(comp.set(region, "", Field::LeanBmc, mass(lean_bmc)));
            assert!(comp.set(region, "", Field::TotalMass, mass(total)));
            let pct = reading(pct, "%", Dimension::Percent);
            assert!(comp.set(region, "", Field::FatPct, pct));
        }
        comp
    }

    fn with(
        mut comp: BodyComposition,
        region: BodyRegion,
        field: Field,
        written: &str,
        unit: &str,
    ) -> BodyComposition {
        let at = comp
            .regions
            .iter()
            .position(|r| r.region == region)
            .unwrap();
        let reading = reading(written, unit, field.dimension());
        *comp.regions[at].slot(field) = Some(reading);
        comp
    }

    #[test]
    fn a_consistent_composition_passes_every_check() {
        let comp = hologic();
        assert_eq!(names(&comp), Vec::<&str>::new());
    }

    #[test]
    fn regions_that_do_not_sum_to_subtotal_or_total() {
        // 2 g off in one arm: beyond 1 g, but within the rounding of six values written
        // to the gram (6 x 0.5 g).
        let comp = hologic();
        let comp = with(comp, BodyRegion::ArmLeft, Field::Fat, "1203", "g");
        assert_eq!(names(&comp), Vec::<&str>::new());
        // 4 g off: beyond both.
        let comp = with(comp, BodyRegion::ArmLeft, Field::Fat, "1205", "g");
        assert_eq!(names(&comp), ["subtotal"]);
        // Written to tenths, 1.2 g off is beyond 1 g (rounding allows 0.3 g).
        let comp = hologic();
        let mut comp = comp;
        for (region, fat) in [
            (BodyRegion::ArmLeft, "1201.0"),
            (BodyRegion::ArmRight, "1250.0"),
            (BodyRegion::Trunk, "9802.0"),
            (BodyRegion::LegLeft, "3710.0"),
            (BodyRegion::LegRight, "3691.2"),
            (BodyRegion::Subtotal, "19653.0"),
        ] {
            comp = with(comp, region, Field::Fat, fat, "g");
        }
        assert_eq!(names(&comp), ["subtotal"]);
        let comp = hologic();
        let comp = with(comp, BodyRegion::Total, Field::TotalMass, "65125", "g");
        assert_eq!(names(&comp), ["total"]);
    }

    #[test]
    fn fat_pct_recomputed_within_two_tenths() {
        let comp = hologic();
        // 1201 / 3576 = 33.585 %: 33.8 is within 0.2 of it, 33.9 is not.
        let near = with(
            comp.clone(),
            BodyRegion::ArmLeft,
            Field::FatPct,
            "33.8",
            "%",
        );
        assert_eq!(names(&near), Vec::<&str>::new());
        let far = with(comp, BodyRegion::ArmLeft, Field::FatPct, "33.9", "%");
        assert_eq!(names(&far), ["fat_pct"]);
    }

    #[test]
    fn pounds_allow_their_rounding() {
        // GE: Arms 5.1 lbs = Arm Right 2.6 + Arm Left 2.6 (5.2) is within 3 x 0.05 lb.
        let mut comp = BodyComposition::new(BodySource::EncoreExport);
        let lbs = |w| reading(w, "lbs", Dimension::Mass);
        assert!(comp.set(BodyRegion::Arms, "Arms", Field::Fat, lbs("5.1")));
        assert!(comp.set(BodyRegion::ArmRight, "Arm Right", Field::Fat, lbs("2.6")));
        assert!(comp.set(BodyRegion::ArmLeft, "Arm Left", Field::Fat, lbs("2.6")));
        assert_eq!(names(&comp), Vec::<&str>::new());
        // 5.4 is not.
        let comp = with(comp, BodyRegion::Arms, Field::Fat, "5.4", "lbs");
        assert_eq!(names(&comp), ["sides"]);
        // An android %fat from 0.1 lb masses: 2.0 / 5.0 lb = 40 %, rounding moves it by
        // 1.4 points: 41.0 is within.
        let mut comp = BodyComposition::new(BodySource::EncoreExport);
        assert!(comp.set(BodyRegion::Android, "Android", Field::Fat, lbs("2.0")));
        assert!(comp.set(BodyRegion::Android, "Android", Field::Tissue, lbs("5.0")));
        let pct = |w| reading(w, "%", Dimension::Percent);
        assert!(comp.set(
            BodyRegion::Android,
            "Android",
            Field::TissueFatPct,
            pct("41.0")
        ));
        assert_eq!(names(&comp), Vec::<&str>::new());
        let comp = with(comp, BodyRegion::Android, Field::TissueFatPct, "43.0", "%");
        assert_eq!(names(&comp), ["fat_pct"]);
    }

    #[test]
    fn vat_density_outside_its_range() {
        let vat = |mass: &str, mass_unit: &str, volume: &str, volume_unit: &str| {
            let mut comp = BodyComposition::new(BodySource::HologicResultsDocument);
            let mass = reading(mass, mass_unit, Dimension::Mass);
            let volume = reading(volume, volume_unit, Dimension::Volume);
            assert!(comp.set_index(IndexKind::VatMass, mass));
            assert!(comp.set_index(IndexKind::VatVolume, volume));
            names(&comp)
        };
        // Hologic: 450 g / 487 cm³ = 0.924.
        assert_eq!(vat("450", "g", "487", "cm³"), Vec::<&str>::new());
        // 450 g / 400 cm³ = 1.125.
        assert_eq!(vat("450", "g", "400", "cm³"), ["vat_density"]);
        // GE: 1.01 lbs (458 g) / 29.60 in³ (485.1 cm³) = 0.944.
        assert_eq!(vat("1.01", "lbs", "29.60", "in³"), Vec::<&str>::new());
        // A zero mass beside a volume.
        assert_eq!(vat("0.00", "lbs", "29.60", "in³"), ["vat_density"]);
        // Rounding of a small VAT: 0.20 lb (90.7 g) / 6.00 in³ (98.3 cm³) = 0.92, and
        // 0.21 / 6.00 = 0.97 is within the 0.005 lb of the written mass.
        assert_eq!(vat("0.21", "lbs", "6.00", "in³"), Vec::<&str>::new());
    }
}
