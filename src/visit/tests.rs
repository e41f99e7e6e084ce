//! The visit step on hand-built documents: grouping, resolution and the classification of
//! the whole visit (the cases of docs/columns.md, "Visits").

use super::assess::Assessed;
use super::*;
use crate::classify::ClassifyOptions;
use crate::date::{Date, Timestamp};
use crate::decimal::Decimal;
use crate::document::{Document, Measurement, Sex};
use crate::vocabulary::{Calibration, Classification, Laterality, Manufacturer, Region};

use Laterality::{Left, None as Mid, Right};

fn row(region: Region, side: Laterality, bmd: &str, t: &str) -> Measurement {
    let mut m = Measurement::new(region, side, region.as_str());
    m.bmd = Decimal::parse(bmd);
    m.t_score = Decimal::parse(t);
    m.z_score = Decimal::parse("-0.5");
    m
}

/// A document of patient `patient`, study `study`, day `date`, device `serial`.
fn doc(sop: &str, study: &str, patient: &str, date: &str, serial: &str) -> Document {
    Document {
        sop_instance_uid: sop.into(),
        study_instance_uid: study.into(),
        patient_id: patient.into(),
        patient_sex: Some(Sex::Female),
        birth_date: Date::parse_da("19500101"),
        study_date: Date::parse_da(date),
        manufacturer: Some(Manufacturer::GeLunar),
        manufacturer_raw: "GE Healthcare".into(),
        model: "Lunar iDXA".into(),
        calibration: Some(Calibration::GeLunar),
        device_serial: serial.into(),
        ..Document::default()
    }
}

fn with_rows(mut d: Document, rows: Vec<Measurement>) -> Document {
    d.measurements = rows;
    d
}

fn at(mut d: Document, time: &str) -> Document {
    d.content_time = Timestamp::parse(
        &d.study_date
            .map(|x| format!("{:04}{:02}{:02}", x.year, x.month, x.day))
            .unwrap_or_default(),
        time,
    );
    d
}

fn ingested(docs: Vec<Document>) -> Vec<Ingested> {
    docs.into_iter()
        .enumerate()
        .map(|(i, doc)| Ingested::new(i as u64, format!("f{i}.dcm"), doc))
        .collect()
}

fn classify<'a>(docs: &'a [Ingested], visit: &Visit) -> Assessed<'a> {
    assess(docs, visit, &ClassifyOptions::default())
}

fn spine() -> Vec<Measurement> {
    vec![row(Region::SpineL1L4, Mid, "1.010", "-1.1")]
}

fn left_hip(neck_t: &str) -> Vec<Measurement> {
    vec![
        row(Region::FemoralNeck, Left, "0.700", neck_t),
        row(Region::TotalHip, Left, "0.800", "-1.5"),
    ]
}

#[test]
fn a_study_split_over_four_documents_is_one_visit_with_the_lowest_t_and_frax() {
    let mut frax = doc("4", "S1", "P1", "20240105", "GE1");
    frax.frax_major = Decimal::parse("21");
    frax.frax_hip = Decimal::parse("3.5");
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        with_rows(doc("2", "S1", "P1", "20240105", "GE1"), left_hip("-2.9")),
        frax,
        doc("5", "S1", "P1", "20240105", "GE1"),
    ]);
    let found = visits(&docs);
    assert_eq!(found.len(), 1, "{found:?}");
    let visit = &found[0];
    assert_eq!(visit.members, [0, 1, 2, 3]);
    assert!(visit.status.iter().all(|s| *s == DocStatus::Used));
    let assessed = classify(&docs, visit);
    let a = &assessed.assessment;
    assert_eq!(a.classification, Classification::Osteoporosis);
    assert_eq!(a.basis_site.as_deref(), Some("femoral_neck/left"));
    assert_eq!(a.min_t_score, Decimal::parse("-2.9"));
    assert_eq!(assessed.exam.frax_major, Decimal::parse("21"));
    assert_eq!(assessed.exam.frax_hip, Decimal::parse("3.5"));
    // The spine row was considered too: its row entered the classification.
    assert!(assessed.member_rows(0).next().unwrap().0.used_for_diagnosis);
    assert!(!visit.flags.contains(&VisitFlag::NoResults));
}

#[test]
fn one_patient_one_day_one_device_combines_across_studies_two_devices_do_not() {
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        with_rows(doc("2", "S2", "P1", "20240105", "GE1"), left_hip("-2.0")),
        with_rows(doc("3", "S3", "P1", "20240105", "GE2"), left_hip("-2.6")),
    ]);
    let found = visits(&docs);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].members, [0, 1]);
    assert_eq!(found[1].members, [2]);
    // Each is told about the other device.
    assert!(found[0].flags.contains(&VisitFlag::SameDayOtherDevice(2)));
    assert!(found[1].flags.contains(&VisitFlag::SameDayOtherDevice(0)));
    // Scores of two devices are not pooled: GE1's visit is osteopenia, not osteoporosis.
    assert_eq!(
        classify(&docs, &found[0]).assessment.classification,
        Classification::Osteopenia
    );
}

#[test]
fn a_reanalysed_hip_uses_only_the_newer_analysis() {
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        at(
            with_rows(doc("2", "S1", "P1", "20240105", "GE1"), left_hip("-2.7")),
            "101500",
        ),
        at(
            with_rows(doc("3", "S1", "P1", "20240105", "GE1"), left_hip("-2.3")),
            "103000",
        ),
    ]);
    let found = visits(&docs);
    assert_eq!(found.len(), 1);
    let visit = &found[0];
    assert_eq!(visit.status[1], DocStatus::SupersededBy(2));
    assert_eq!(visit.status[2], DocStatus::Used);
    assert_eq!(visit.status[0], DocStatus::Used);
    let assessed = classify(&docs, visit);
    assert_eq!(assessed.assessment.min_t_score, Decimal::parse("-2.3"));
    assert_eq!(
        assessed.assessment.classification,
        Classification::Osteopenia
    );
    let (superseded, left_out) = assessed.member_rows(1).next().unwrap();
    assert_eq!(left_out, Some(LeftOut::SupersededBy(2)));
    assert!(!superseded.used_for_diagnosis);
}

#[test]
fn a_reanalysis_of_unknown_order_is_not_guessed() {
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        with_rows(doc("2", "S1", "P1", "20240105", "GE1"), left_hip("-2.7")),
        with_rows(doc("3", "S1", "P1", "20240105", "GE1"), left_hip("-2.3")),
    ]);
    let visit = &visits(&docs)[0];
    assert!(
        visit
            .flags
            .contains(&VisitFlag::ReanalysisOrderUnknown(Part::Site(
                crate::vocabulary::Site::Hip,
                Left
            )))
    );
    let assessed = classify(&docs, visit);
    assert_eq!(
        assessed.assessment.classification,
        Classification::Indeterminate
    );
    assert!(
        (0..visit.members.len())
            .flat_map(|p| assessed.member_rows(p))
            .all(|(r, _)| !r.used_for_diagnosis)
    );
}

#[test]
fn a_copy_under_a_new_uid_is_a_duplicate() {
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), left_hip("-2.0")),
        with_rows(doc("2", "S1", "P1", "20240105", "GE1"), left_hip("-2.0")),
    ]);
    let visit = &visits(&docs)[0];
    assert_eq!(visit.status, [DocStatus::Used, DocStatus::DuplicateOf(0)]);
    let assessed = classify(&docs, visit);
    assert_eq!(
        assessed.exam.measurements.len(),
        2,
        "the copy's rows are left out"
    );
    assert_eq!(
        assessed.member_rows(1).next().unwrap().1,
        Some(LeftOut::DuplicateOf(0))
    );
}

#[test]
fn a_forearm_beside_spine_and_hip_is_not_diagnostic() {
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        with_rows(doc("2", "S1", "P1", "20240105", "GE1"), left_hip("-1.8")),
        with_rows(
            doc("3", "S1", "P1", "20240105", "GE1"),
            vec![row(Region::Radius33, Left, "0.600", "-3.0")],
        ),
    ]);
    let visit = &visits(&docs)[0];
    let assessed = classify(&docs, visit);
    assert_eq!(
        assessed.assessment.classification,
        Classification::Osteopenia
    );
    let radius = assessed.member_rows(2).next().unwrap().0;
    assert!(!radius.used_for_diagnosis);
    assert!(
        radius
            .notes
            .iter()
            .any(|n| n.contains("hip/spine available")),
        "{radius:?}"
    );
    // Alone, the forearm decides.
    let alone = ingested(vec![with_rows(
        doc("3", "S1", "P1", "20240105", "GE1"),
        vec![row(Region::Radius33, Left, "0.600", "-3.0")],
    )]);
    let visit = &visits(&alone)[0];
    assert_eq!(
        classify(&alone, visit).assessment.classification,
        Classification::Osteoporosis
    );
}

#[test]
fn both_hips_in_two_documents_are_a_dual_femur() {
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), left_hip("-1.2")),
        with_rows(
            doc("2", "S1", "P1", "20240105", "GE1"),
            vec![
                row(Region::FemoralNeck, Right, "0.600", "-2.5"),
                row(Region::TotalHip, Right, "0.700", "-2.2"),
            ],
        ),
    ]);
    let visit = &visits(&docs)[0];
    let assessed = classify(&docs, visit);
    assert_eq!(
        assessed.assessment.basis_site.as_deref(),
        Some("femoral_neck/right")
    );
    assert_eq!(
        assessed.assessment.classification,
        Classification::Osteoporosis
    );
    assert!(
        !visit
            .flags
            .iter()
            .any(|f| matches!(f, VisitFlag::ReanalysisOrderUnknown(_))),
        "two sides are two parts"
    );
}

#[test]
fn two_patients_on_one_day_never_merge() {
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        with_rows(doc("2", "S2", "P2", "20240105", "GE1"), spine()),
        with_rows(doc("3", "S3", "", "20240105", "GE1"), spine()),
        with_rows(doc("4", "S4", "", "20240105", "GE1"), spine()),
    ]);
    let found = visits(&docs);
    assert_eq!(found.len(), 4, "{found:?}");
    assert!(found[2].flags.contains(&VisitFlag::PatientIdMissing));
}

#[test]
fn a_study_that_disagrees_on_the_patient_stays_together_and_says_who() {
    let mut odd = with_rows(doc("2", "S1", "P9", "20240105", "GE1"), left_hip("-2.0"));
    odd.patient_sex = Some(Sex::Male);
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        odd,
    ]);
    let found = visits(&docs);
    assert_eq!(found.len(), 1);
    assert!(found[0].flags.contains(&VisitFlag::PatientIdDisagrees(1)));
    assert!(found[0].flags.contains(&VisitFlag::SexDisagrees(1)));
}

#[test]
fn a_document_without_a_date_joins_its_study_else_stands_alone() {
    let dateless = |sop: &str, study: &str| {
        let mut d = with_rows(doc(sop, study, "P1", "", "GE1"), left_hip("-2.0"));
        d.study_date = None;
        d
    };
    let docs = ingested(vec![
        with_rows(doc("1", "S1", "P1", "20240105", "GE1"), spine()),
        dateless("2", "S1"),
        dateless("3", "S2"),
        dateless("4", ""),
    ]);
    let found = visits(&docs);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].members, [0, 1]);
    assert!(found[1].flags.contains(&VisitFlag::DateUnknown));
    assert!(found[2].flags.contains(&VisitFlag::DateUnknown));
}

#[test]
fn a_visit_of_metadata_documents_only_says_so() {
    let docs = ingested(vec![doc("1", "S1", "P1", "20240105", "GE1")]);
    let visit = &visits(&docs)[0];
    assert!(visit.flags.contains(&VisitFlag::NoResults));
    assert_eq!(
        classify(&docs, visit).assessment.classification,
        Classification::Indeterminate
    );
}

mod round_two;
