//! Numbers of one body composition that disagree with themselves (docs/clinical.md, "Body
//! composition: checks"). Each check allows what rounding alone explains: sums within 1 g,
//! or within half a written digit per value when the values are written coarser (GE's
//! `9.9 lbs`: 0.05 lb, 23 g); %fat recomputed within 0.2 points beyond what the masses'
//! rounding moves it; the VAT's density within 0.90-0.96 g/cm³ for some values its rounding
//! allows. A check that lacks a value is not made.

use std::sync::Arc;

use super::{BodyComposition, BodyRegion, Dimension, Field, IndexKind, Reading, RegionComposition};
use crate::decimal::{Decimal, POW10, dec};

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

/// `sum_differs` when its answer is false by the values alone, worked out on the
/// mantissas when every value has one scale (GE's grams converted from pounds, Hologic's
/// as written: nearly every sum): a value missing, a sum that overflows (as
/// `Decimal::checked_add` of one scale overflows), or a difference within 1 g. None when
/// the scales differ or the difference is beyond 1 g: `sum_differs` works it out.
fn surely_agrees_by_mantissas(sum: &Reading, parts: &[Option<&Reading>]) -> Option<bool> {
    let (sum, scale) = sum.value.to_parts();
    let mut total = 0i64;
    for part in parts {
        let Some(part) = part else {
            return Some(true);
        };
        let (mantissa, part_scale) = part.value.to_parts();
        if part_scale != scale {
            return None;
        }
        let Some(t) = total.checked_add(mantissa) else {
            return Some(true);
        };
        total = t;
    }
    let Some(difference) = total.checked_sub(sum) else {
        return Some(true);
    };
    // `Decimal::abs` gives the most negative mantissa back as it is: within 1 g, as there.
    let Some(magnitude) = difference.checked_abs() else {
        return Some(true);
    };
    // 1 g at this scale (at most 18 decimals: 10^18 fits).
    let one = *POW10.get(scale as usize)?;
    (magnitude <= one).then_some(true)
}

/// Whether `sum` and the sum of `parts` differ by more than 1 g and more than their
/// rounding allows; false when a value is missing (or a sum overflows). Inlined into each
/// check, whose parts are then a fixed few (some 340 000 calls on the body composition
/// corpus: docs/performance.md, "The end of a run").
#[inline(always)]
fn sum_differs(units: &[Arc<str>], sum: Option<&Reading>, parts: &[Option<&Reading>]) -> bool {
    let Some(sum) = sum else {
        return false;
    };
    if surely_agrees_by_mantissas(sum, parts) == Some(true) {
        return false;
    }
    sum_differs_by_decimals(units, sum, parts)
}

/// `sum_differs` in `Decimal` arithmetic (and the tests' reference for the mantissas'
/// shortcut).
#[inline(never)]
fn sum_differs_by_decimals(units: &[Arc<str>], sum: &Reading, parts: &[Option<&Reading>]) -> bool {
    let mut total = dec!("0");
    for part in parts {
        let Some(part) = part else {
            return false;
        };
        let Some(t) = total.checked_add(part.value) else {
            return false;
        };
        total = t;
    }
    let Some(difference) = total.checked_sub(sum.value) else {
        return false;
    };
    // Within 1 g the sum agrees whatever the rounding allows (at least 1 g): the rounding
    // of each value is worked out only for the few sums that differ by more.
    let difference = difference.abs();
    if difference <= dec!("1") {
        return false;
    }
    let mut allowed = sum.rounding(Dimension::Mass, units);
    for part in parts.iter().flatten() {
        let Some(a) = allowed.checked_add(part.rounding(Dimension::Mass, units)) else {
            return false;
        };
        allowed = a;
    }
    difference > allowed.max(dec!("1"))
}

/// A composition with its regions found once by their `BodyRegion` (the checks look up
/// some 150 region values, each a search of the region list otherwise).
struct Indexed<'c> {
    comp: &'c BodyComposition,
    /// Its masses read once, when they can be made of one scale and small.
    masses: Option<&'c fast::MassTable>,
    regions: [Option<&'c RegionComposition>; BodyRegion::ALL.len()],
}

impl<'c> Indexed<'c> {
    fn new(comp: &'c BodyComposition, masses: Option<&'c fast::MassTable>) -> Self {
        let mut regions = [None; BodyRegion::ALL.len()];
        // The first of a region, as `BodyComposition::region` finds it.
        for region in comp.regions.iter().rev() {
            regions[region.region as usize] = Some(region);
        }
        Indexed {
            comp,
            masses,
            regions,
        }
    }
}

fn field_of<'c>(comp: &Indexed<'c>, region: BodyRegion, field: Field) -> Option<&'c Reading> {
    comp.regions[region as usize]?.get(field)
}

/// Hologic's five regions against its Subtotal.
fn subtotal(comp: &Indexed<'_>) -> bool {
    if let Some(masses) = comp.masses
        && masses.subtotal_agrees(&SUBTOTAL_PARTS)
    {
        return false;
    }
    MASSES.iter().any(|&field| {
        let parts = SUBTOTAL_PARTS.map(|r| field_of(comp, r, field));
        sum_differs(
            &comp.comp.units,
            field_of(comp, BodyRegion::Subtotal, field),
            &parts,
        )
    })
}

/// Subtotal and head against the total.
fn total(comp: &Indexed<'_>) -> bool {
    if let Some(masses) = comp.masses
        && masses.total_agrees()
    {
        return false;
    }
    MASSES.iter().any(|&field| {
        let parts = [
            field_of(comp, BodyRegion::Subtotal, field),
            field_of(comp, BodyRegion::Head, field),
        ];
        sum_differs(
            &comp.comp.units,
            field_of(comp, BodyRegion::Total, field),
            &parts,
        )
    })
}

/// GE's regions against their right and left halves.
fn sides(comp: &Indexed<'_>) -> bool {
    if let Some(masses) = comp.masses
        && masses.sides_agree()
    {
        return false;
    }
    BodyRegion::ALL.iter().any(|&whole| {
        let Some((right, left)) = whole.halves() else {
            return false;
        };
        MASSES.iter().any(|&field| {
            let parts = [field_of(comp, right, field), field_of(comp, left, field)];
            sum_differs(&comp.comp.units, field_of(comp, whole, field), &parts)
        })
    })
}

/// A region's masses against each other: total = fat + lean + BMC, lean + BMC, tissue =
/// fat + lean.
fn total_mass(comp: &Indexed<'_>) -> bool {
    if let Some(masses) = comp.masses
        && masses.total_mass_agrees()
    {
        return false;
    }
    comp.comp.regions.iter().any(|r| {
        let get = |field| r.get(field);
        let units = &comp.comp.units;
        sum_differs(
            units,
            get(Field::TotalMass),
            &[get(Field::Fat), get(Field::Lean), get(Field::Bmc)],
        ) || sum_differs(
            units,
            get(Field::LeanBmc),
            &[get(Field::Lean), get(Field::Bmc)],
        ) || sum_differs(
            units,
            get(Field::Tissue),
            &[get(Field::Fat), get(Field::Lean)],
        )
    })
}

/// The range `part / whole` x 100 takes over the values the readings' rounding allows.
fn percent_range(
    units: &[Arc<str>],
    part: &Reading,
    whole: &Reading,
) -> Option<(Decimal, Decimal)> {
    let (dp, dw) = (
        part.rounding(Dimension::Mass, units),
        whole.rounding(Dimension::Mass, units),
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

/// Whether `reported` is surely within 0.2 of fat / whole x 100 whatever the rounding:
/// within 0.199999 of the exact quotient, which every range `percent_range` gives holds
/// (its ends are within 0.0000005 of quotients on either side of the exact one, the fat
/// and whole being at least 0 and above 0). Worked out without a division: |reported x
/// whole - 100 x fat| <= 0.199999 x whole.
///
/// On the mantissas, step for step as `Decimal`'s `checked_mul`, `checked_sub` and
/// comparison work it out (each overflow of theirs an answer of false here too, `abs` as
/// this module's), with the powers of ten looked up: `surely_agrees_by_decimals`, the
/// tests' reference, says the same for every input.
fn surely_agrees(reported: &Reading, fat: &Reading, whole: &Reading) -> bool {
    let (rm, rs) = reported.value.to_parts();
    let (fm, fs) = fat.value.to_parts();
    let (wm, ws) = whole.value.to_parts();
    if fm < 0 || wm <= 0 {
        return false;
    }
    // reported x whole, 100 x fat and 0.199999 x whole: a scale beyond 18 or a product
    // beyond the mantissa is None there.
    let (product_scale, room_scale) = (rs + ws, ws + 6);
    if product_scale as usize >= POW10.len() || room_scale as usize >= POW10.len() {
        return false;
    }
    let (Some(product), Some(hundred_fat), Some(room)) = (
        rm.checked_mul(wm),
        fm.checked_mul(100),
        199_999i64.checked_mul(wm),
    ) else {
        return false;
    };
    // The difference at the larger scale, each side scaled in the mantissa's range.
    let scale = product_scale.max(fs);
    let (Some(a), Some(b)) = (
        product.checked_mul(POW10[(scale - product_scale) as usize]),
        (-hundred_fat).checked_mul(POW10[(scale - fs) as usize]),
    ) else {
        return false;
    };
    let Some(difference) = a.checked_add(b) else {
        return false;
    };
    // `abs` gives the most negative mantissa back as it is.
    let magnitude = if difference < 0 {
        difference.checked_neg().unwrap_or(difference)
    } else {
        difference
    };
    // Compared at the larger scale in 128 bits, as `Decimal`'s `Ord` compares.
    let common = scale.max(room_scale);
    i128::from(magnitude) * i128::from(POW10[(common - scale) as usize])
        <= i128::from(room) * i128::from(POW10[(common - room_scale) as usize])
}

/// Whether a reported %fat is outside fat / whole x 100 by more than 0.2 and the
/// readings' rounding; false when it cannot be worked out.
fn pct_differs(units: &[Arc<str>], reported: &Reading, fat: &Reading, whole: &Reading) -> bool {
    if surely_agrees(reported, fat, whole) {
        return false;
    }
    pct_differs_by_range(units, reported, fat, whole)
}

/// `pct_differs` by the range the rounding allows.
fn pct_differs_by_range(
    units: &[Arc<str>],
    reported: &Reading,
    fat: &Reading,
    whole: &Reading,
) -> bool {
    let slack = dec!("0.2");
    let Some((low, high)) = percent_range(units, fat, whole) else {
        return false;
    };
    let (Some(low), Some(high)) = (low.checked_sub(slack), high.checked_add(slack)) else {
        return false;
    };
    reported.value < low || reported.value > high
}

/// A reported %fat against fat / total mass (and GE's tissue %fat against fat / tissue).
fn fat_pct(comp: &Indexed<'_>) -> bool {
    if let Some(masses) = comp.masses
        && masses.fat_pct_agrees(&comp.comp.regions)
    {
        return false;
    }
    comp.comp.regions.iter().any(|r| {
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
            pct_differs(&comp.comp.units, reported, fat, whole)
        })
    })
}

/// The VAT's mass over its volume outside 0.90-0.96 g/cm³ for every value the rounding
/// allows (Hologic's is near 0.925, GE's near 0.945: docs/clinical.md). A mass of zero
/// beside a volume (11 of 84 rows of the one public enCORE export) is outside.
fn vat_density(comp: &Indexed<'_>) -> bool {
    let (Some(mass), Some(volume)) = (
        comp.comp.index(IndexKind::VatMass),
        comp.comp.index(IndexKind::VatVolume),
    ) else {
        return false;
    };
    let (dm, dv) = (
        mass.rounding(Dimension::Mass, &comp.comp.units),
        volume.rounding(Dimension::Volume, &comp.comp.units),
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
type Fails = fn(&Indexed<'_>) -> bool;

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
    let mut masses = fast::MassTable::empty();
    let filled = masses.fill(comp).is_some();
    let comp = Indexed::new(comp, filled.then_some(&masses));
    let mut failed = Vec::new();
    for (check, fails) in CHECKS {
        if fails(&comp) {
            failed.push(check);
        }
    }
    failed
}

mod fast;
#[cfg(test)]
mod tests;
