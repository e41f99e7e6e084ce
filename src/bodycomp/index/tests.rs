use super::*;
use crate::bodycomp::{BodySource, Dimension};

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect("test values are valid decimals")
}

use crate::bodycomp::test_reading as reading;

/// A Hologic-like composition: the four limbs and the total with fat, lean + BMC and BMC
/// (lean without BMC is their difference), android and gynoid with %fat.
fn composition() -> BodyComposition {
    let mut comp = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
    let g = |w| reading(w, "g", Dimension::Mass);
    for (region, fat, lean_bmc, bmc) in [
        (BodyRegion::ArmLeft, "1201", "2375", "150"),
        (BodyRegion::ArmRight, "1250", "2510", "160"),
        (BodyRegion::LegLeft, "3710", "7120", "420"),
        (BodyRegion::LegRight, "3690", "7205", "430"),
        (BodyRegion::Total, "20655", "44370", "2300"),
    ] {
        assert!(comp.set(region, "", Field::Fat, g(fat)));
        assert!(comp.set(region, "", Field::LeanBmc, g(lean_bmc)));
        assert!(comp.set(region, "", Field::Bmc, g(bmc)));
    }
    let pct = |w| reading(w, "%", Dimension::Percent);
    assert!(comp.set(BodyRegion::Android, "", Field::FatPct, pct("36.0")));
    assert!(comp.set(BodyRegion::Gynoid, "", Field::FatPct, pct("40.0")));
    assert!(comp.set(BodyRegion::Total, "", Field::FatPct, pct("31.8")));
    comp
}

fn woman(height: Option<&str>, weight: Option<&str>) -> Patient {
    Patient {
        height_cm: height.map(d),
        weight_kg: weight.map(d),
        cohort: Some(Cohort::Women),
        age_years: Some(54),
    }
}

/// The flags as docs/clinical.md spells them.
fn names(a: &Assessment) -> Vec<String> {
    a.flags
        .iter()
        .map(|f| match f {
            BodyFlag::HeightUnknown => "height_unknown".to_string(),
            BodyFlag::WeightUnknown => "weight_unknown".to_string(),
            BodyFlag::LowMuscleMassEwgsop2 => "low_muscle_mass_ewgsop2".to_string(),
            BodyFlag::LowLeanMassFnih => "low_lean_mass_fnih".to_string(),
            BodyFlag::FmiClass(class) => format!("fmi_class={}", class.as_str()),
            BodyFlag::Inconsistent(check) => {
                format!("body_composition_inconsistent={}", check.as_str())
            }
        })
        .collect()
}

fn value(a: &Assessment, kind: IndexKind) -> Option<(String, Basis)> {
    a.get(kind).map(|i| (i.value.to_string(), i.basis))
}

#[test]
fn computed_from_the_height_when_not_reported() {
    let a = assess(&composition(), &woman(Some("165.0"), Some("66.0")));
    use Basis::*;
    // Total %fat: the Total row's % Fat, as reported.
    assert_eq!(
        value(&a, IndexKind::TotalFatPct),
        Some(("31.8".into(), Reported))
    );
    // FMI: 20655 g / 1.65² m² = 7.5868 kg/m².
    assert_eq!(value(&a, IndexKind::Fmi), Some(("7.59".into(), Computed)));
    // LMI: (44370 - 2300) g / 2.7225 = 15.4527.
    assert_eq!(value(&a, IndexKind::Lmi), Some(("15.45".into(), Computed)));
    // ALMI: lean without BMC of the limbs, 2225 + 2350 + 6700 + 6775 = 18050 g / 2.7225.
    assert_eq!(value(&a, IndexKind::Almi), Some(("6.63".into(), Computed)));
    // ALM/BMI: 18.050 kg / (66.0 / 2.7225 = 24.242 kg/m²) = 0.7446.
    assert_eq!(
        value(&a, IndexKind::AlmBmi),
        Some(("0.745".into(), Computed))
    );
    // Android/gynoid: of the %fat values, 36.0 / 40.0.
    assert_eq!(
        value(&a, IndexKind::AndroidGynoidRatio),
        Some(("0.90".into(), Computed))
    );
    assert_eq!(value(&a, IndexKind::VatMass), None, "never computed");
    assert_eq!(a.fmi_class, Some(FmiClass::Normal), "women 5-9");
    assert_eq!(names(&a), ["fmi_class=normal"]);
}

#[test]
fn reported_indices_win_and_are_said_so() {
    let mut comp = composition();
    let kg_m2 = |w| reading(w, "kg/m²", Dimension::MassPerArea);
    assert!(comp.set_index(IndexKind::Fmi, kg_m2("7.61")));
    assert!(comp.set_index(IndexKind::Almi, kg_m2("5.41")));
    assert!(comp.set_index(IndexKind::VatMass, reading("450", "g", Dimension::Mass)));
    assert!(comp.set_index(
        IndexKind::VatVolume,
        reading("487", "cm³", Dimension::Volume)
    ));
    let a = assess(&comp, &woman(None, None));
    assert_eq!(
        value(&a, IndexKind::Fmi),
        Some(("7.61".into(), Basis::Reported))
    );
    assert_eq!(
        value(&a, IndexKind::Almi),
        Some(("5.41".into(), Basis::Reported))
    );
    assert_eq!(
        value(&a, IndexKind::VatMass),
        Some(("450".into(), Basis::Reported))
    );
    assert_eq!(
        value(&a, IndexKind::VatVolume),
        Some(("487".into(), Basis::Reported))
    );
    // LMI needed the height: none, and said why. ALM/BMI too.
    assert_eq!(value(&a, IndexKind::Lmi), None);
    assert_eq!(value(&a, IndexKind::AlmBmi), None);
    assert_eq!(
        names(&a),
        [
            "height_unknown",
            "low_muscle_mass_ewgsop2",
            "fmi_class=normal"
        ]
    );
}

#[test]
fn without_height_no_index_from_it() {
    let a = assess(&composition(), &woman(None, Some("66.0")));
    for kind in [
        IndexKind::Fmi,
        IndexKind::Lmi,
        IndexKind::Almi,
        IndexKind::AlmBmi,
    ] {
        assert_eq!(value(&a, kind), None, "{kind}");
    }
    assert_eq!(names(&a), ["height_unknown"], "no FMI: no class");
    let a = assess(&composition(), &woman(Some("165.0"), None));
    assert_eq!(value(&a, IndexKind::AlmBmi), None);
    assert!(
        names(&a).contains(&"weight_unknown".to_string()),
        "{:?}",
        a.flags
    );
    assert!(!names(&a).contains(&"height_unknown".to_string()));
}

#[test]
fn ge_arms_and_legs_give_the_appendicular_lean_mass() {
    let mut comp = crate::bodycomp::test_composition(BodySource::EncoreExport);
    let lbs = |w| reading(w, "lbs", Dimension::Mass);
    // 12.0 lbs = 5443 g, 28.0 lbs = 12701 g: 18144 g.
    assert!(comp.set(BodyRegion::Arms, "Arms", Field::Lean, lbs("12.0")));
    assert!(comp.set(BodyRegion::Legs, "Legs", Field::Lean, lbs("28.0")));
    let a = assess(&comp, &woman(Some("160.0"), None));
    // 18144 g / 2.56 m² = 7.0875.
    assert_eq!(
        value(&a, IndexKind::Almi),
        Some(("7.09".into(), Basis::Computed))
    );
}

#[test]
fn cut_offs_by_sex_for_adults_only() {
    let almi = |text: &str, cohort, age| {
        let mut comp = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
        let kg_m2 = reading(text, "kg/m²", Dimension::MassPerArea);
        assert!(comp.set_index(IndexKind::Almi, kg_m2));
        let patient = Patient {
            cohort,
            age_years: age,
            ..Patient::default()
        };
        names(&assess(&comp, &patient))
    };
    let low = vec!["low_muscle_mass_ewgsop2".to_string()];
    let none: Vec<String> = Vec::new();
    // EWGSOP2: below 7.0 men, below 5.5 women; the cut-off itself is not low.
    assert_eq!(almi("6.99", Some(Cohort::Men), Some(70)), low);
    assert_eq!(almi("7.0", Some(Cohort::Men), Some(70)), none);
    assert_eq!(almi("5.49", Some(Cohort::Women), Some(70)), low);
    assert_eq!(almi("5.50", Some(Cohort::Women), Some(70)), none);
    assert_eq!(almi("6.0", Some(Cohort::Women), Some(70)), none);
    // No cohort, a child, no age: no cut-off.
    assert_eq!(almi("4.0", None, Some(70)), none);
    assert_eq!(almi("4.0", Some(Cohort::Women), Some(15)), none);
    assert_eq!(almi("4.0", Some(Cohort::Women), None), none);

    let ratio = |text: &str, cohort| {
        let mut comp = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
        let r = reading(text, "", Dimension::Ratio);
        assert!(comp.set_index(IndexKind::AlmBmi, r));
        let patient = Patient {
            cohort: Some(cohort),
            age_years: Some(70),
            ..Patient::default()
        };
        names(&assess(&comp, &patient))
    };
    let fnih = vec!["low_lean_mass_fnih".to_string()];
    // FNIH: ALM/BMI below 0.789 men, 0.512 women.
    assert_eq!(ratio("0.788", Cohort::Men), fnih);
    assert_eq!(ratio("0.789", Cohort::Men), none);
    assert_eq!(ratio("0.511", Cohort::Women), fnih);
    assert_eq!(ratio("0.512", Cohort::Women), none);
}

#[test]
fn fmi_classes_of_kelly_2009() {
    let class = |text: &str, cohort| fmi_class(d(text), cohort).as_str();
    let men = [
        ("1.99", "severe_deficit"),
        ("2", "moderate_deficit"),
        ("2.29", "moderate_deficit"),
        ("2.3", "mild_deficit"),
        ("2.99", "mild_deficit"),
        ("3", "normal"),
        ("6", "normal"),
        ("6.01", "excess"),
        ("9", "excess"),
        ("9.01", "obese_class_1"),
        ("12", "obese_class_1"),
        ("12.01", "obese_class_2"),
        ("15", "obese_class_2"),
        ("15.01", "obese_class_3"),
    ];
    for (fmi, expected) in men {
        assert_eq!(class(fmi, Cohort::Men), expected, "men {fmi}");
    }
    let women = [
        ("3.49", "severe_deficit"),
        ("3.5", "moderate_deficit"),
        ("4", "mild_deficit"),
        ("4.99", "mild_deficit"),
        ("5", "normal"),
        ("9", "normal"),
        ("9.01", "excess"),
        ("13", "excess"),
        ("13.01", "obese_class_1"),
        ("17", "obese_class_1"),
        ("17.01", "obese_class_2"),
        ("21", "obese_class_2"),
        ("21.01", "obese_class_3"),
    ];
    for (fmi, expected) in women {
        assert_eq!(class(fmi, Cohort::Women), expected, "women {fmi}");
    }
}

#[test]
fn inconsistencies_are_flags() {
    let mut comp = composition();
    assert!(comp.set_index(IndexKind::VatMass, reading("450", "g", Dimension::Mass)));
    assert!(comp.set_index(
        IndexKind::VatVolume,
        reading("400", "cm³", Dimension::Volume)
    ));
    let a = assess(&comp, &Patient::default());
    assert!(
        a.flags.contains(&BodyFlag::Inconsistent(
            crate::bodycomp::check::Check::VatDensity
        )),
        "{:?}",
        a.flags
    );
}
