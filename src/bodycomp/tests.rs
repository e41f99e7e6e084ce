//! The body composition's own tests: `set`, `set_placed`, `keep`, the field order.

use super::*;

pub(crate) fn grams(written: &str, unit: &str) -> Reading {
    test_reading(written, unit, Dimension::Mass)
}

/// `set_placed` keeps what `set` keeps, whatever its places say (fresh, or another
/// composition's): generated values of every region and field, some given twice.
#[test]
fn set_placed_sets_as_set_sets() {
    let mut next = crate::test_rng::splitmix(0x0051_ACED);
    let fields = [Field::Fat, Field::Lean, Field::Bmc, Field::FatPct];
    for case in 0..2_000 {
        let mut plain = crate::bodycomp::test_composition(BodySource::EncoreExport);
        let mut placed = crate::bodycomp::test_composition(BodySource::EncoreExport);
        let mut places = Places::default();
        let mut other = crate::bodycomp::test_composition(BodySource::EncoreExport);
        let mut stale = Places::default();
        for _ in 0..next() % 40 {
            let region = BodyRegion::ALL[(next() % BodyRegion::ALL.len() as u64) as usize];
            let field = fields[(next() % fields.len() as u64) as usize];
            let (unit, dimension) = match field {
                Field::FatPct => ("%", Dimension::Percent),
                _ => ("g", Dimension::Mass),
            };
            let written = format!("{}.{}", next() % 3, next() % 10);
            let reading = test_reading(&written, unit, dimension);
            let label = region.as_str();
            let kept = plain.set(region, label, field, reading);
            assert_eq!(
                placed.set_placed(&mut places, region, label, field, reading),
                kept,
                "case {case}"
            );
            let _ = other.set_placed(&mut stale, region, label, field, reading);
            assert_eq!(placed, plain, "case {case}");
            if next() % 7 == 0 {
                // Places of another composition: checked, never trusted.
                std::mem::swap(&mut places, &mut stale);
            }
        }
    }
}

/// A row's values placed by `region_at` and `set_at` (the region found once, each
/// rounding through its column's conversion) keep and return what `set_placed` does:
/// generated tables of rows (a region, values of several fields in several units, some
/// given twice, in other units or none), compositions compared with `==` after each row.
#[test]
fn set_at_sets_as_set_placed_sets() {
    let mut next = crate::test_rng::splitmix(0x0005_E7A7);
    let fields = [Field::Fat, Field::Lean, Field::LeanBmc, Field::FatPct];
    let units = test_units();
    for case in 0..3_000 {
        let mut placed = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
        let mut at = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
        let mut places = Places::default();
        for _table in 0..1 + next() % 3 {
            // A table's columns: a field and a unit each, the conversion found once.
            let columns: Vec<(Field, &str, Option<units::Conversion>)> = (0..1 + next() % 5)
                .map(|_| {
                    let field = fields[(next() % fields.len() as u64) as usize];
                    let choices: &[&str] = match field {
                        Field::FatPct => &["%", "", "g"],
                        _ => &["g", "lbs", "", "%", "in³"],
                    };
                    let unit = choices[(next() % choices.len() as u64) as usize];
                    (field, unit, units::conversion(unit, field.dimension()))
                })
                .collect();
            for _row in 0..next() % 8 {
                let region = BodyRegion::ALL[(next() % BodyRegion::ALL.len() as u64) as usize];
                let label = if next() % 2 == 0 {
                    region.as_str()
                } else {
                    "other"
                };
                let mut place = None;
                for &(field, unit, conversion) in &columns {
                    if next() % 4 == 0 {
                        continue;
                    }
                    let written = match next() % 3 {
                        0 => format!("{}", next() % 4),
                        1 => format!("{}.{}", next() % 4, next() % 10),
                        _ => format!("{}.{:02}", next() % 4, next() % 100),
                    };
                    let written = Decimal::parse(&written).unwrap();
                    let reading = Reading {
                        value: conversion.and_then(|c| c.apply(written)).unwrap_or(written),
                        written,
                        unit: test_unit(unit),
                    };
                    let kept = placed.set_placed(&mut places, region, label, field, reading);
                    let place = *place.get_or_insert_with(|| at.region_at(region, label));
                    assert_eq!(
                        at.set_at(place, field, reading, conversion),
                        kept,
                        "case {case}"
                    );
                    assert_eq!(at, placed, "case {case}");
                }
            }
        }
        assert_eq!(at.units, units);
    }
}

#[test]
fn a_value_given_twice_keeps_the_finer_or_the_first() {
    let mut comp = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
    let fat = |comp: &BodyComposition, region| comp.value(region, Field::Fat).unwrap().to_string();
    assert!(comp.set(BodyRegion::Total, "Total", Field::Fat, grams("21034", "g")));
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::Fat, grams("1201", "g")));
    // The finer table's 21034.4 agrees with 21034 within their rounding: kept.
    assert!(comp.set(
        BodyRegion::Total,
        "Total",
        Field::Fat,
        grams("21034.4", "g")
    ));
    assert_eq!(fat(&comp, BodyRegion::Total), "21034.4");
    // A coarser one after it changes nothing.
    assert!(comp.set(BodyRegion::Total, "Total", Field::Fat, grams("21034", "g")));
    assert_eq!(fat(&comp, BodyRegion::Total), "21034.4");
    // One that disagrees is left out, and said so (the caller flags it).
    assert!(!comp.set(BodyRegion::ArmLeft, "L Arm", Field::Fat, grams("1301", "g")));
    assert_eq!(fat(&comp, BodyRegion::ArmLeft), "1201");
    let order: Vec<_> = comp.regions.iter().map(|r| r.region).collect();
    assert_eq!(
        order,
        [BodyRegion::ArmLeft, BodyRegion::Total],
        "region order"
    );
    assert_eq!(
        BodyValue::Region(BodyRegion::ArmLeft, Field::Fat).to_string(),
        "arm_left:fat"
    );
    assert_eq!(
        BodyValue::Diff(BodyRegion::Arms, Field::Fat).to_string(),
        "arms_diff:fat"
    );
}

#[test]
fn lean_without_bone_mineral_from_lean_with_it() {
    let mut region = RegionComposition::new(BodyRegion::ArmLeft, "L Arm");
    region.lean_bmc = Some(grams("2300", "g"));
    assert_eq!(region.lean_without_bmc(), None, "without BMC: unknown");
    region.bmc = Some(grams("150.5", "g"));
    assert_eq!(region.lean_without_bmc().unwrap().to_string(), "2149.5");
    region.lean = Some(grams("2150", "g"));
    assert_eq!(
        region.lean_without_bmc().unwrap().to_string(),
        "2150",
        "reported first"
    );
}

/// `RegionComposition::readings` gives each field's reading in `Field::ALL` order, as `get`
/// does.
#[test]
fn readings_are_in_field_order() {
    let mut region = RegionComposition::new(BodyRegion::Trunk, "Trunk");
    for (at, &field) in Field::ALL.iter().enumerate() {
        let unit = if field.dimension() == Dimension::Percent {
            "%"
        } else {
            "g"
        };
        *region.slot(field) = Some(test_reading(&format!("{at}"), unit, field.dimension()));
    }
    let listed = region.readings();
    for (at, &field) in Field::ALL.iter().enumerate() {
        assert_eq!(listed[at], region.get(field), "{field:?}");
        assert_eq!(listed[at].unwrap().written.to_string(), at.to_string());
    }
}

/// A reading of `written` in a unit added to `comp` by its text (a new `Arc`, as another
/// file's would be).
fn reading_in(
    comp: &mut BodyComposition,
    written: &str,
    unit: &str,
    dimension: Dimension,
) -> Reading {
    let written = Decimal::parse(written).unwrap();
    Reading {
        value: units::convert(written, unit, dimension).unwrap(),
        written,
        unit: comp.unit_id(&Arc::from(unit)),
    }
}

/// `absorb` of a composition whose units are in another order (and one this one lacks):
/// each reading taken keeps its value and unit text, this one's keep theirs, and a unit
/// both hold is held once; the same composition as the values set one by one.
#[test]
fn absorb_maps_the_other_units_to_its_own() {
    use BodyRegion::{ArmLeft, Trunk};
    let (mass, percent) = (Dimension::Mass, Dimension::Percent);
    let mut held = BodyComposition::new(BodySource::EncoreExport);
    let fat = reading_in(&mut held, "2.65", "lbs", mass);
    assert!(held.set(ArmLeft, "Arm Left", Field::Fat, fat));
    let pct = reading_in(&mut held, "33.6", "%", percent);
    assert!(held.set(ArmLeft, "Arm Left", Field::FatPct, pct));
    let mut other = BodyComposition::new(BodySource::EncoreExport);
    let sets = [
        (Trunk, Field::FatPct, "31.3", "%"),
        (Trunk, Field::Fat, "9802", "g"),
        (ArmLeft, Field::Lean, "5.1", "lbs"),
        (ArmLeft, Field::Fat, "2.65", "lbs"),
    ];
    for (region, field, written, unit) in sets {
        let reading = reading_in(&mut other, written, unit, field.dimension());
        assert!(other.set(region, region.as_str(), field, reading));
    }
    let vat = reading_in(&mut other, "450", "g", mass);
    assert!(other.set_index(IndexKind::VatMass, vat));
    let texts =
        |comp: &BodyComposition| comp.units.iter().map(|u| u.to_string()).collect::<Vec<_>>();
    assert_eq!(texts(&other), ["%", "g", "lbs"]);

    // The reference: every value set in turn, in the order `absorb` takes them.
    let mut expected = held.clone();
    for region in &other.regions {
        for &field in Field::ALL {
            if let Some(r) = region.get(field) {
                let reading = reading_in(
                    &mut expected,
                    &r.written.to_string(),
                    other.unit(r),
                    field.dimension(),
                );
                assert!(expected.set(region.region, &region.label, field, reading));
            }
        }
    }
    let vat = reading_in(&mut expected, "450", "g", mass);
    assert!(expected.set_index(IndexKind::VatMass, vat));

    assert!(held.absorb(&other));
    assert_eq!(texts(&held), ["lbs", "%", "g"]);
    assert_eq!(held, expected);
    let unit_of = |region, field| {
        let reading = held.region(region).unwrap().get(field).unwrap();
        (reading.written.to_string(), held.unit(reading).to_string())
    };
    assert_eq!(unit_of(ArmLeft, Field::Fat), ("2.65".into(), "lbs".into()));
    assert_eq!(unit_of(ArmLeft, Field::FatPct), ("33.6".into(), "%".into()));
    assert_eq!(unit_of(ArmLeft, Field::Lean), ("5.1".into(), "lbs".into()));
    assert_eq!(unit_of(Trunk, Field::Fat), ("9802".into(), "g".into()));
    assert_eq!(unit_of(Trunk, Field::FatPct), ("31.3".into(), "%".into()));
    let vat = held.index(IndexKind::VatMass).unwrap();
    assert_eq!((vat.value.to_string(), held.unit(vat)), ("450".into(), "g"));
    // Each reading's value as the other held it (pounds converted to grams).
    for region in &other.regions {
        for &field in Field::ALL {
            if let Some(r) = region.get(field) {
                let kept = held.region(region.region).unwrap().get(field).unwrap();
                assert_eq!((kept.value, kept.written), (r.value, r.written));
                assert_eq!(held.unit(kept), other.unit(r));
            }
        }
    }
}
