//! Real exports, round two (docs/evidence.md): FRAX is the patient's, not an analysis's;
//! identical analyses of one scan never tie; one patient ID shared by several people.

use super::*;
use std::sync::Arc;

fn hip(side: Laterality, neck_bmd: &str, neck_t: &str) -> Vec<Measurement> {
    vec![
        row(Region::FemoralNeck, side, neck_bmd, neck_t),
        row(Region::TotalHip, side, "0.800", "-1.5"),
    ]
}

fn with_frax(mut d: Document, major: &str, hip: &str) -> Document {
    d.frax_major = Decimal::parse(major);
    d.frax_hip = Decimal::parse(hip);
    d
}

/// The left and right hip reports of one visit, each with its own FRAX table, printed at
/// the same minute.
fn two_hips(left: (&str, &str), right: (&str, &str)) -> Vec<Ingested> {
    ingested(vec![
        at(
            with_frax(
                with_rows(
                    doc("1", "S1", "P1", "20240305", "H1"),
                    hip(Left, "0.546", "-2.2"),
                ),
                left.0,
                left.1,
            ),
            "101500",
        ),
        at(
            with_frax(
                with_rows(
                    doc("2", "S1", "P1", "20240305", "H1"),
                    hip(Right, "0.571", "-2.0"),
                ),
                right.0,
                right.1,
            ),
            "101500",
        ),
    ])
}

#[test]
fn one_frax_on_both_hips_is_one_frax() {
    let docs = two_hips(("17", "3.6"), ("17", "3.6"));
    let visit = &visits(&docs)[0];
    assert!(
        !visit
            .flags
            .iter()
            .any(|f| matches!(f, VisitFlag::ReanalysisOrderUnknown(_))),
        "{:?}",
        visit.flags
    );
    let assessed = classify(&docs, visit);
    assert_eq!(assessed.exam.frax_major, Decimal::parse("17"));
    assert_eq!(assessed.exam.frax_hip, Decimal::parse("3.6"));
}

#[test]
fn different_frax_of_two_hips_comes_from_the_lower_femoral_neck_never_print_time() {
    // The right hip's report is printed later; the left femoral neck is the lower.
    let mut docs = two_hips(("17", "3.6"), ("15", "3.0"));
    docs[1].doc = at((*docs[1].doc).clone(), "104000").into();
    let visit = &visits(&docs)[0];
    let assessed = classify(&docs, visit);
    assert_eq!(assessed.exam.frax_major, Decimal::parse("17"));
    assert_eq!(assessed.exam.frax_hip, Decimal::parse("3.6"));
    assert!(
        visit.flags.contains(&VisitFlag::FraxHipsDiffer {
            used: Some(0),
            others: vec![1]
        }),
        "{:?}",
        visit.flags
    );
    assert_eq!(
        visit.part_left_out(1, Part::Frax),
        Some(LeftOut::FraxOfOtherHip(0))
    );
    // Both hips' sites still count: nothing but FRAX is left out.
    assert_eq!(assessed.exam.measurements.len(), 4);
    // The same when the left one is printed later.
    let mut docs = two_hips(("17", "3.6"), ("15", "3.0"));
    docs[0].doc = at((*docs[0].doc).clone(), "104000").into();
    let assessed = classify(&docs, &visits(&docs)[0]);
    assert_eq!(assessed.exam.frax_major, Decimal::parse("17"));
}

#[test]
fn different_frax_of_two_equal_necks_is_not_guessed() {
    let mut docs = two_hips(("17", "3.6"), ("15", "3.0"));
    Arc::make_mut(&mut docs[1].doc).measurements[0].bmd = Decimal::parse("0.546");
    let visit = &visits(&docs)[0];
    assert!(visit.flags.contains(&VisitFlag::FraxHipsDiffer {
        used: None,
        others: vec![0, 1]
    }));
    let assessed = classify(&docs, visit);
    assert_eq!(assessed.exam.frax_major, None);
}

#[test]
fn a_dual_hip_and_single_hip_reports_of_the_same_scans_are_one_analysis() {
    let dual = {
        let mut rows = hip(Left, "0.546", "-2.2");
        rows.extend(hip(Right, "0.571", "-2.0"));
        rows.push(row(Region::TotalHip, Laterality::Mean, "0.800", "-1.5"));
        rows
    };
    let docs = ingested(vec![
        at(
            with_rows(doc("1", "S1", "P1", "20240305", "H1"), dual),
            "101500",
        ),
        at(
            with_rows(
                doc("2", "S1", "P1", "20240305", "H1"),
                hip(Left, "0.546", "-2.2"),
            ),
            "101500",
        ),
        at(
            with_rows(
                doc("3", "S1", "P1", "20240305", "H1"),
                hip(Right, "0.571", "-2.0"),
            ),
            "101500",
        ),
    ]);
    let visit = &visits(&docs)[0];
    assert!(
        !visit
            .flags
            .iter()
            .any(|f| matches!(f, VisitFlag::ReanalysisOrderUnknown(_))),
        "{:?}",
        visit.flags
    );
    assert_eq!(visit.status[1], DocStatus::DuplicateOf(0));
    assert_eq!(visit.status[2], DocStatus::DuplicateOf(0));
    let assessed = classify(&docs, visit);
    assert_eq!(
        assessed.assessment.classification,
        Classification::Osteopenia
    );
    assert_eq!(
        assessed.exam.measurements.len(),
        5,
        "each side once, and the mean"
    );
    // Different values at the same minute are still not guessed.
    let mut docs = docs;
    Arc::make_mut(&mut docs[2].doc).measurements[0].t_score = Decimal::parse("-2.6");
    let visit = &visits(&docs)[0];
    assert!(visit.order_unknown_on_a_site());
}

/// Documents of patient ID `id` born on `birth`, sex `sex`, of study `study`.
fn person(sop: &str, study: &str, id: &str, birth: Option<&str>, sex: Option<Sex>) -> Document {
    let mut d = with_rows(doc(sop, study, id, "20240305", "H1"), spine());
    d.birth_date = birth.and_then(Date::parse_da);
    d.patient_sex = sex;
    d
}

#[test]
fn one_id_shared_by_two_people_on_one_day_makes_two_visits() {
    let docs = ingested(vec![
        person("1", "S1", "ANONYMOUS", Some("19500101"), Some(Sex::Female)),
        person("2", "S2", "ANONYMOUS", Some("19620707"), Some(Sex::Female)),
        // No birth date stated, the same sex: joins the first it agrees with.
        person("3", "S3", "ANONYMOUS", None, Some(Sex::Female)),
        // Another sex: apart.
        person("4", "S4", "ANONYMOUS", Some("19500101"), Some(Sex::Male)),
        // One study stays together whatever it says.
        person("5", "S2", "ANONYMOUS", Some("19990101"), Some(Sex::Female)),
    ]);
    let found = visits(&docs);
    let members: Vec<Vec<usize>> = found.iter().map(|v| v.members.clone()).collect();
    assert_eq!(members, [vec![0, 2], vec![1, 4], vec![3]]);
    assert!(found[0].flags.contains(&VisitFlag::PatientIdShared {
        listed: vec![1, 3],
        more: 0
    }));
    assert!(found[1].flags.contains(&VisitFlag::BirthDateDisagrees(4)));
    // Not the same person on another device either.
    assert!(
        !found
            .iter()
            .flat_map(|v| &v.flags)
            .any(|f| matches!(f, VisitFlag::SameDayOtherDevice(_)))
    );
}

#[test]
fn a_shared_id_lists_at_most_twenty_others_then_a_count() {
    let docs = ingested(
        (0..30)
            .map(|i| {
                let birth = format!("19{:02}0101", 40 + i);
                person(&i.to_string(), &format!("S{i}"), "0000", Some(&birth), None)
            })
            .collect(),
    );
    let found = visits(&docs);
    assert_eq!(found.len(), 30);
    let shared = found[0]
        .flags
        .iter()
        .find_map(|f| match f {
            VisitFlag::PatientIdShared { listed, more } => Some((listed.len(), *more)),
            _ => None,
        })
        .expect("flagged");
    assert_eq!(shared, (20, 9));
}

/// A constant ID on a busy day: each of its n visits names at most twenty others and
/// counts the rest, so grouping holds n x 20 names, not n x (n - 1) (3 000 people held
/// nine million before).
#[test]
fn a_shared_id_on_a_busy_day_is_not_held_as_every_pair() {
    let n = 3_000;
    let docs = ingested(
        (0..n)
            .map(|i| {
                let birth = format!("{}{:02}{:02}", 1900 + i / 300, 1 + i / 25 % 12, 1 + i % 25);
                person(&i.to_string(), &format!("S{i}"), "0000", Some(&birth), None)
            })
            .collect(),
    );
    let grouping = crate::visit::group::group(&docs);
    assert_eq!(grouping.visits.len(), n);
    assert_eq!(grouping.shared.len(), n);
    let held: usize = grouping.shared.iter().map(|s| s.listed.len()).sum();
    assert_eq!(held, n * crate::visit::SHARED_LISTED);
    for shared in &grouping.shared {
        assert_eq!(shared.listed.len() + shared.more, n - 1);
        assert!(!shared.listed.contains(&shared.first));
        assert!(shared.listed.windows(2).all(|w| w[0] < w[1]));
    }
    assert_eq!(grouping.shared[0].listed, (1..=20).collect::<Vec<_>>());
    assert_eq!(grouping.shared[5].listed[..5], [0, 1, 2, 3, 4]);
    assert_eq!(grouping.shared[5].listed[5], 6);
}

fn verdict(mut d: Document, text: &str) -> Document {
    d.scanner_classification = Some(text.to_string());
    d
}

fn vendor(docs: &[Ingested]) -> Option<(Classification, Option<&'static str>)> {
    let visit = &visits(docs)[0];
    classify(docs, visit).vendor.map(|v| {
        (
            v.classification,
            v.differs.map(crate::output::flags::differs_word),
        )
    })
}

#[test]
fn the_scanners_verdict_is_the_worst_of_the_visits_documents() {
    let docs = ingested(vec![
        verdict(
            with_rows(doc("1", "S1", "P1", "20240305", "H1"), spine()),
            "Osteoporosis",
        ),
        verdict(
            with_rows(doc("2", "S1", "P1", "20240305", "H1"), left_hip("-2.0")),
            "Osteopenia",
        ),
    ]);
    assert_eq!(
        vendor(&docs),
        Some((Classification::Osteoporosis, Some("unexplained")))
    );
    // No verdict in any document: none.
    let docs = ingested(vec![with_rows(
        doc("1", "S1", "P1", "20240305", "H1"),
        left_hip("-2.0"),
    )]);
    assert_eq!(vendor(&docs), None);
}

#[test]
fn a_different_verdict_says_why_in_words_our_rules_know() {
    // The deciding spine report has no verdict of its own.
    let docs = ingested(vec![
        with_rows(
            doc("1", "S1", "P1", "20240305", "H1"),
            vec![row(Region::SpineL1L4, Mid, "0.800", "-2.7")],
        ),
        verdict(
            with_rows(doc("2", "S1", "P1", "20240305", "H1"), left_hip("-2.0")),
            "Osteopenia",
        ),
    ]);
    assert_eq!(
        vendor(&docs),
        Some((Classification::Osteopenia, Some("visit_scope")))
    );
    // A woman of 45, not stated postmenopausal: Z-scores.
    let mut young = verdict(
        with_rows(doc("1", "S1", "P1", "20240305", "H1"), left_hip("-1.5")),
        "Osteopenia",
    );
    young.birth_date = Date::parse_da("19790101");
    assert_eq!(
        vendor(&ingested(vec![young])),
        Some((Classification::Osteopenia, Some("z_score_population")))
    );
    // A forearm alone: the scanner's verdict rests on the UD region, ours on the 1/3 radius.
    let arm = verdict(
        with_rows(
            doc("1", "S1", "P1", "20240305", "H1"),
            vec![
                row(Region::Radius33, Left, "0.612", "-2.0"),
                row(Region::RadiusUd, Left, "0.352", "-2.7"),
            ],
        ),
        "Osteoporosis",
    );
    assert_eq!(
        vendor(&ingested(vec![arm])),
        Some((Classification::Osteoporosis, Some("forearm_not_diagnostic")))
    );
    // A forearm beside a hip is not the visit's verdict.
    let docs = ingested(vec![
        verdict(
            with_rows(doc("1", "S1", "P1", "20240305", "H1"), left_hip("-1.5")),
            "Osteopenia",
        ),
        verdict(
            with_rows(
                doc("2", "S1", "P1", "20240305", "H1"),
                vec![row(Region::RadiusUd, Left, "0.352", "-2.7")],
            ),
            "Osteoporosis",
        ),
    ]);
    assert_eq!(vendor(&docs), Some((Classification::Osteopenia, None)));
    // On another reference: the scanner's verdict is the uniform reference's category.
    let mut hispanic = verdict(
        with_rows(
            doc("1", "S1", "P1", "20240305", "H1"),
            hip(Left, "0.546", "-2.2"),
        ),
        "Osteoporosis",
    );
    hispanic.t_reference = Some(crate::document::ScoreReference {
        population: "Hispanic Female".into(),
        source: "NHANES".into(),
    });
    hispanic.manufacturer = Some(Manufacturer::Hologic);
    hispanic.calibration = Some(Calibration::Hologic);
    assert_eq!(
        vendor(&ingested(vec![hispanic])),
        Some((Classification::Osteoporosis, Some("reference")))
    );
}
