use super::*;
use crate::bodycomp::BodySource;
use crate::bodycomp::index::{Cohort, Patient, assess};

use crate::bodycomp::test_reading as reading;

/// A whole-body exam: the left arm with fat, lean + BMC and BMC (lean computed), the total
/// with fat, lean, BMC, total mass and %fat, VAT mass reported; a woman of 165 cm.
fn visit_body() -> VisitBody<'static> {
    let mut comp = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
    let g = |w| reading(w, "g", Dimension::Mass);
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::Fat, g("1201")));
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::LeanBmc, g("2375")));
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::Bmc, g("150")));
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::TotalMass, g("3576")));
    for (field, value) in [
        (Field::Fat, "20655"),
        (Field::Lean, "42070"),
        (Field::Bmc, "2300"),
        (Field::TotalMass, "65025"),
    ] {
        assert!(comp.set(BodyRegion::Total, "Total", field, g(value)));
    }
    assert!(comp.set(
        BodyRegion::Total,
        "Total",
        Field::FatPct,
        reading("31.8", "%", Dimension::Percent)
    ));
    assert!(comp.set_index(IndexKind::VatMass, g("412")));
    let patient = Patient {
        height_cm: Some(Decimal::parse("165.0").unwrap()),
        weight_kg: None,
        cohort: Some(Cohort::Women),
        age_years: Some(54),
    };
    let assessment = assess(&comp, &patient);
    VisitBody {
        composition: std::borrow::Cow::Owned(comp),
        assessment,
    }
}

fn find(values: &[CompositionValue], code: &str) -> Option<(String, bool)> {
    values
        .iter()
        .find(|v| v.measure.code() == code)
        .map(|v| (v.value.to_string(), v.computed))
}

#[test]
fn a_visits_values_are_its_regions_then_its_indices() {
    let values = body_values(&visit_body());
    let at = |code| find(&values, code);
    assert_eq!(at("arm_left fat_g"), Some(("1201".into(), false)));
    assert_eq!(at("arm_left bmc_g"), Some(("150".into(), false)));
    assert_eq!(at("arm_left lean_bmc_g"), Some(("2375".into(), false)));
    // Lean without bone mineral: lean + BMC less BMC, computed.
    assert_eq!(at("arm_left lean_g"), Some(("2225".into(), true)));
    // %fat from fat / total mass, one decimal, computed.
    assert_eq!(at("arm_left fat_pct"), Some(("33.6".into(), true)));
    assert_eq!(at("total lean_g"), Some(("42070".into(), false)));
    // The whole body's %fat once: as the index.
    assert_eq!(at("total fat_pct"), None);
    assert_eq!(at("total_fat_pct"), Some(("31.8".into(), false)));
    // FMI from the height: 20.655 kg / 1.65² m².
    assert_eq!(at("fmi_kg_m2"), Some(("7.59".into(), true)));
    assert_eq!(at("vat_mass_g"), Some(("412".into(), false)));
    // No weight: no ALM/BMI; no android or gynoid: no ratio.
    assert_eq!(at("alm_bmi"), None);
    assert_eq!(at("android_gynoid_ratio"), None);
    // Regions first (region order), then the indices in studies.csv's order.
    let codes: Vec<String> = values.iter().map(|v| v.measure.code()).collect();
    let first_index = codes.iter().position(|c| c == "total_fat_pct").unwrap();
    assert!(
        codes[..first_index].iter().all(|c| c.contains(' ')),
        "{codes:?}"
    );
    assert!(
        codes[first_index..].iter().all(|c| !c.contains(' ')),
        "{codes:?}"
    );
    assert_eq!(codes[0], "arm_left fat_g");
}

#[test]
fn units_are_ucum_and_only_percent_has_a_verified_omop_concept() {
    let region = |field| Measure::Region(BodyRegion::Trunk, field);
    assert_eq!(region(Field::Fat).ucum().0, "g");
    assert_eq!(region(Field::FatPct).ucum().0, "%");
    assert_eq!(Measure::Index(IndexKind::Almi).ucum().0, "kg/m2");
    assert_eq!(Measure::Index(IndexKind::AlmBmi).ucum().0, "1");
    assert_eq!(Measure::Index(IndexKind::AndroidGynoidRatio).ucum().0, "1");
    assert_eq!(Measure::Index(IndexKind::VatVolume).ucum().0, "cm3");
    assert_eq!(Measure::Index(IndexKind::VatMass).ucum().0, "g");
    assert_eq!(region(Field::FatPct).omop_unit(), Some(8554));
    assert_eq!(
        Measure::Index(IndexKind::TotalFatPct).omop_unit(),
        Some(8554)
    );
    for measure in [
        region(Field::Fat),
        Measure::Index(IndexKind::Fmi),
        Measure::Index(IndexKind::AlmBmi),
        Measure::Index(IndexKind::VatVolume),
    ] {
        assert_eq!(measure.omop_unit(), None, "{measure:?}");
    }
}

#[test]
fn every_code_fits_omops_varchar_and_is_a_fhir_code() {
    let mut all: Vec<Measure> = BodyRegion::ALL
        .iter()
        .filter(|r| r.is_composition())
        .flat_map(|&r| REGION_COLUMNS.map(|(f, _)| Measure::Region(r, f)))
        .collect();
    all.extend(INDEX_COLUMNS.map(|(_, k)| Measure::Index(k)));
    let mut codes: Vec<String> = all.iter().map(|m| m.code()).collect();
    assert_eq!(codes.len(), 17 * 6 + 8);
    for code in &codes {
        assert!(code.len() <= 50, "{code}");
        // FHIR `code`: no leading, trailing or double whitespace; JSON-safe as written.
        assert!(!code.starts_with(' ') && !code.ends_with(' ') && !code.contains("  "));
        assert!(
            code.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_ ".contains(&b))
        );
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), 17 * 6 + 8, "no code twice");
    assert_eq!(
        Measure::Region(BodyRegion::TrunkRight, Field::TotalMass).code(),
        "trunk_right total_mass_g"
    );
    assert_eq!(Measure::Index(IndexKind::Almi).code(), "almi_kg_m2");
    assert_eq!(
        Measure::Region(BodyRegion::ArmLeft, Field::Fat).display(),
        "Fat mass (g), left arm"
    );
}
