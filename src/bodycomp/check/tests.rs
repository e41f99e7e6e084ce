use super::super::units::convert;
use super::super::{BodySource, Dimension};
use super::*;

fn names(comp: &BodyComposition) -> Vec<&'static str> {
    inconsistencies(comp).iter().map(|c| c.as_str()).collect()
}

use crate::bodycomp::test_reading as reading;
use crate::bodycomp::{test_composition, test_unit, test_units};

/// A Hologic-like composition in whole grams: five regions, their subtotal, head and
/// total, each with fat, lean + BMC, total mass and %fat.
fn hologic() -> BodyComposition {
    let mut comp = test_composition(BodySource::HologicResultsDocument);
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
    let mut comp = test_composition(BodySource::EncoreExport);
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
    let mut comp = test_composition(BodySource::EncoreExport);
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
        let mut comp = test_composition(BodySource::HologicResultsDocument);
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

/// `sum_differs` of c29aa58, every value's rounding added before the difference is looked
/// at: the reference of the one that looks first.
fn sum_differs_reference(sum: Option<&Reading>, parts: &[Option<&Reading>]) -> bool {
    let Some(sum) = sum else {
        return false;
    };
    let mut total = dec!("0");
    let units = test_units();
    let mut allowed = sum.rounding(Dimension::Mass, &units);
    for part in parts {
        let Some(part) = part else {
            return false;
        };
        let (Some(t), Some(a)) = (
            total.checked_add(part.value),
            allowed.checked_add(part.rounding(Dimension::Mass, &units)),
        ) else {
            return false;
        };
        total = t;
        allowed = a;
    }
    let allowed = allowed.max(dec!("1"));
    total
        .checked_sub(sum.value)
        .is_some_and(|difference| difference.abs() > allowed)
}

/// Random readings near each other: whole grams, tenths, pounds, percents, with zero and
/// negative values among them.
fn random_reading(next: &mut impl FnMut() -> u64, near: i64, dimension: Dimension) -> Reading {
    let scale = (next() % 3) as u32;
    let spread = 1 + (next() % 60) as i64;
    let mut mantissa = near * 10i64.pow(scale) + (next() % (2 * spread as u64 + 1)) as i64 - spread;
    if next() % 50 == 0 {
        mantissa = -mantissa;
    }
    if next() % 50 == 0 {
        mantissa = 0;
    }
    let written = Decimal::from_parts(mantissa, scale).unwrap();
    let unit = match (dimension, next() % 3) {
        (Dimension::Percent, _) => "%",
        (_, 0) => "lbs",
        _ => "g",
    };
    Reading {
        unit: test_unit(unit),
        value: convert(written, unit, dimension).unwrap(),
        written,
    }
}

#[test]
fn sums_are_checked_as_the_reference_checks_them() {
    let mut next = crate::test_rng::splitmix(0xC4EC_0001);
    let units = test_units();
    let mut differing = 0;
    for case in 0..20_000 {
        let parts: Vec<Reading> = (0..1 + next() % 5)
            .map(|_| random_reading(&mut next, 50, Dimension::Mass))
            .collect();
        let near: i64 = parts.iter().map(|p| p.value.to_f64() as i64).sum();
        let sum = random_reading(&mut next, near, Dimension::Mass);
        let mut parts: Vec<Option<&Reading>> = parts.iter().map(Some).collect();
        if next() % 20 == 0 {
            parts[0] = None;
        }
        let expected = sum_differs_reference(Some(&sum), &parts);
        differing += usize::from(expected);
        assert_eq!(
            sum_differs(&units, Some(&sum), &parts),
            expected,
            "case {case}"
        );
    }
    assert!(
        differing > 1000 && differing < 19_000,
        "{differing} of the cases differ"
    );
}

#[test]
fn percents_are_checked_as_by_their_range() {
    let mut next = crate::test_rng::splitmix(0xC4EC_0002);
    let units = test_units();
    let mut differing = 0;
    for case in 0..20_000 {
        let whole = random_reading(&mut next, 300, Dimension::Mass);
        let fat = random_reading(&mut next, 100, Dimension::Mass);
        let near = (fat.value.to_f64() * 100.0 / whole.value.to_f64().max(1.0)) as i64;
        let reported = random_reading(&mut next, near, Dimension::Percent);
        let expected = pct_differs_by_range(&units, &reported, &fat, &whole);
        differing += usize::from(expected);
        assert_eq!(
            pct_differs(&units, &reported, &fat, &whole),
            expected,
            "case {case}"
        );
    }
    assert!(
        differing > 1000 && differing < 19_000,
        "{differing} of the cases differ"
    );
}

/// The mantissas' shortcut says "agrees" only where the `Decimal` arithmetic says so:
/// sums of one scale (0 to 18 decimals), near each other, far apart, and near the ends of
/// the mantissa's range (where the sums overflow), a value missing now and then.
#[test]
fn the_mantissas_shortcut_agrees_with_the_decimals() {
    let mut next = crate::test_rng::splitmix(0xC4EC_0003);
    let units = test_units();
    let mut taken = 0;
    for case in 0..50_000 {
        let scale = [0, 0, 1, 2, 3, 18][(next() % 6) as usize];
        let mantissa = |next: &mut dyn FnMut() -> u64| -> i64 {
            match next() % 4 {
                0 => i64::MAX - (next() % 3) as i64,
                1 => i64::MIN + (next() % 3) as i64,
                _ => (next() % 4000) as i64 - 1000,
            }
        };
        let reading = |mantissa: i64| Reading {
            value: Decimal::from_parts(mantissa, scale).unwrap(),
            written: Decimal::from_parts(mantissa, scale).unwrap(),
            unit: test_unit("g"),
        };
        let parts: Vec<Reading> = (0..1 + next() % 5)
            .map(|_| reading(mantissa(&mut next)))
            .collect();
        let near: i64 = parts
            .iter()
            .fold(0i64, |t, p| t.wrapping_add(p.value.to_parts().0));
        let sum = reading(match next() % 3 {
            0 => near,
            1 => near.wrapping_add((next() % 5) as i64 - 2),
            _ => mantissa(&mut next),
        });
        let mut parts: Vec<Option<&Reading>> = parts.iter().map(Some).collect();
        if next() % 20 == 0 {
            parts[0] = None;
        }
        let by_decimals = sum_differs_by_decimals(&units, &sum, &parts);
        if surely_agrees_by_mantissas(&sum, &parts) == Some(true) {
            taken += 1;
            assert!(!by_decimals, "case {case}");
        }
        assert_eq!(
            sum_differs(&units, Some(&sum), &parts),
            by_decimals,
            "case {case}"
        );
    }
    assert!(taken > 10_000, "{taken}");
}

/// `surely_agrees` of 48dbafb, in `Decimal` arithmetic: the reference of the one on the
/// mantissas.
fn surely_agrees_by_decimals(reported: &Reading, fat: &Reading, whole: &Reading) -> bool {
    let (reported, fat, whole) = (reported.value, fat.value, whole.value);
    if fat < dec!("0") || whole <= dec!("0") {
        return false;
    }
    let (Some(product), Some(hundred_fat), Some(room)) = (
        reported.checked_mul(whole),
        fat.checked_mul(dec!("100")),
        dec!("0.199999").checked_mul(whole),
    ) else {
        return false;
    };
    product
        .checked_sub(hundred_fat)
        .is_some_and(|difference| difference.abs() <= room)
}

/// The mantissas' `surely_agrees` says what the `Decimal` arithmetic says: percents near
/// and far from the masses', every scale from 0 to 18, and mantissas near the ends of
/// their range (where the products and the scaled difference overflow).
#[test]
fn surely_agrees_on_the_mantissas_as_by_the_decimals() {
    let mut next = crate::test_rng::splitmix(0xC4EC_0004);
    let mut agreeing = 0;
    let mut overflowing = 0;
    for case in 0..100_000 {
        let scale = |next: &mut dyn FnMut() -> u64| -> u32 {
            [0, 0, 1, 1, 2, 3, 6, 9, 12, 17, 18][(next() % 11) as usize]
        };
        let mantissa = |next: &mut dyn FnMut() -> u64, near: i64| -> i64 {
            match next() % 8 {
                0 => i64::MAX - (next() % 3) as i64,
                1 => i64::MIN + (next() % 3) as i64,
                2 => (next() >> 1) as i64 * if next() % 2 == 0 { 1 } else { -1 },
                3 => 0,
                _ => near + (next() % 41) as i64 - 20,
            }
        };
        let reading = |mantissa: i64, scale: u32| {
            let value = Decimal::from_parts(mantissa, scale).unwrap();
            Reading {
                value,
                written: value,
                unit: test_unit("g"),
            }
        };
        let (ws, fs) = (scale(&mut next), scale(&mut next));
        let whole = reading(mantissa(&mut next, 3000), ws);
        let fat = reading(mantissa(&mut next, 1000), fs);
        // Near fat / whole x 100 at one decimal, or anywhere.
        let (wm, fm) = (whole.value.to_parts().0, fat.value.to_parts().0);
        let near = i128::from(fm)
            .checked_mul(1000 * i128::from(POW10[ws as usize]))
            .zip(i128::from(wm).checked_mul(i128::from(POW10[fs as usize])))
            .and_then(|(n, d)| n.checked_div(d))
            .and_then(|q| i64::try_from(q).ok())
            .unwrap_or(0);
        let rs = if next() % 2 == 0 { 1 } else { scale(&mut next) };
        let reported = reading(mantissa(&mut next, near), rs);
        let expected = surely_agrees_by_decimals(&reported, &fat, &whole);
        agreeing += usize::from(expected);
        overflowing += usize::from(reported.value.checked_mul(whole.value).is_none());
        assert_eq!(
            surely_agrees(&reported, &fat, &whole),
            expected,
            "case {case}: {reported:?} {fat:?} {whole:?}"
        );
    }
    assert!(agreeing > 2_000, "{agreeing} agree");
    assert!(overflowing > 5_000, "{overflowing} overflow");
}
