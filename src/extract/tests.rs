//! The extract stage on its own: the XML carrier merged into the tree's values (the tree
//! kept, a disagreement flagged once), history values and entries, and whole documents made
//! by the fixture writer (the header, the study date's fallbacks, what is DXA).

use dxa_fixtures::{Encoding, hologic_style, sample, sr_bytes};

use super::merge::merge_xml;
use super::tree::set_history_value;
use super::*;
use crate::carrier::ge_xml::{XmlResults, XmlValue};
use crate::decimal::Decimal;
use crate::document::{FraxValue, HistoryEntry, HistorySource, VertebralFracture};
use crate::profile::{FraxItem, HistoryField};
use crate::sr::Code;
use crate::vocabulary::{Laterality, Measure};

fn d(text: &str) -> Decimal {
    Decimal::parse(text).expect("decimal")
}

fn xml_value(measure: Measure, value: Result<Decimal, String>) -> XmlValue {
    XmlValue {
        region: Region::SpineL1L4,
        laterality: Laterality::None,
        source_label: "L1-L4".into(),
        note: None,
        measure,
        value,
    }
}

fn history(date: &str) -> HistoryEntry {
    HistoryEntry::placed(
        Region::FemoralNeck,
        Laterality::Left,
        "Neck".into(),
        date.into(),
        HistorySource::GeXml,
    )
}

#[test]
fn the_xml_fills_what_the_tree_lacks_and_never_overrides_it() {
    let mut doc = Document::default();
    let mut rows = RowTable::default();
    let row = rows
        .row(Region::SpineL1L4, Laterality::None, "L1-L4")
        .expect("a row");
    row.bmd = Some(d("0.930"));
    row.t_score = Some(d("-1.1"));
    let results = XmlResults {
        values: vec![
            xml_value(Measure::Bmd, Ok(d("0.931"))),
            xml_value(Measure::Bmd, Ok(d("0.932"))),
            xml_value(Measure::TScore, Ok(d("-1.1"))),
            xml_value(Measure::ZScore, Ok(d("0.1"))),
            xml_value(Measure::Area, Err("unit \"in2\" not recognised".into())),
        ],
        ..XmlResults::default()
    };
    assert!(
        merge_xml(results, &mut doc, &mut rows),
        "the Z-score is new"
    );
    let rows = rows.into_sorted();
    assert_eq!(rows.len(), 1, "the same row, not a second");
    let row = &rows[0];
    assert_eq!(row.bmd, Some(d("0.930")), "the tree's BMD kept");
    assert_eq!(row.z_score, Some(d("0.1")));
    assert_eq!(row.area, None);
    assert_eq!(
        row.notes,
        [
            "image comments XML gives bmd 0.931, the tree 0.930: tree kept",
            "image comments XML gives bmd 0.932, the tree 0.930: tree kept",
            "image comments XML: unit \"in2\" not recognised",
        ]
    );
    assert_eq!(
        doc.flags,
        [DocFlag::XmlDisagrees("spine_L1-L4".into(), Measure::Bmd)],
        "one flag for the two disagreements"
    );
}

#[test]
fn the_xml_adds_nothing_when_it_agrees() {
    let mut doc = Document {
        frax_major: Some(d("12")),
        vertebral_fractures: vec![VertebralFracture {
            vertebra: "L1".into(),
            grade: "None".into(),
        }],
        ..Document::default()
    };
    let mut rows = RowTable::default();
    rows.row(Region::SpineL1L4, Laterality::None, "L1-L4")
        .expect("a row")
        .bmd = Some(d("0.930"));
    let results = XmlResults {
        values: vec![xml_value(Measure::Bmd, Ok(d("0.930")))],
        frax: vec![(FraxItem::Major(false), d("12"))],
        vertebral_fractures: vec![VertebralFracture {
            vertebra: "L1".into(),
            grade: "Grade 1".into(),
        }],
        ..XmlResults::default()
    };
    assert!(!merge_xml(results, &mut doc, &mut rows));
    assert!(doc.flags.is_empty(), "{:?}", doc.flags);
    assert_eq!(doc.vertebral_fractures.len(), 1, "one grade per vertebra");
    assert_eq!(doc.vertebral_fractures[0].grade, "None", "the tree's grade");
}

#[test]
fn frax_from_the_xml_fills_or_is_flagged() {
    let mut doc = Document {
        frax_major_prior: Some(d("3.0")),
        ..Document::default()
    };
    let results = XmlResults {
        frax: vec![
            (FraxItem::Hip(false), d("1.8")),
            (FraxItem::Major(true), d("4.0")),
            (FraxItem::Major(true), d("4.1")),
            (FraxItem::Classification, d("1")),
        ],
        ..XmlResults::default()
    };
    assert!(merge_xml(results, &mut doc, &mut RowTable::default()));
    assert_eq!(doc.frax_hip, Some(d("1.8")));
    assert_eq!(doc.frax_major_prior, Some(d("3.0")), "kept");
    assert_eq!(
        doc.flags,
        [DocFlag::XmlDisagreesOnFrax(FraxValue::MajorPrior)]
    );
}

#[test]
fn an_earlier_exam_of_the_xml_fills_the_trees_entry_of_the_same_date() {
    let mut doc = Document::default();
    let mut tree_entry = history("15-Mar-2021");
    tree_entry.bmd = Some(d("0.700"));
    doc.history.push(tree_entry);
    let mut same = history(" 15-Mar-2021 ");
    same.bmd = Some(d("0.701"));
    same.t_score = Some(d("-2.1"));
    let mut other_day = history("16-Mar-2021");
    other_day.bmd = Some(d("0.690"));
    let results = XmlResults {
        history: vec![same, other_day],
        ..XmlResults::default()
    };
    assert!(merge_xml(results, &mut doc, &mut RowTable::default()));
    assert_eq!(doc.history.len(), 2);
    assert_eq!(
        doc.history[0].bmd,
        Some(d("0.700")),
        "the tree's value kept"
    );
    assert_eq!(
        doc.history[0].t_score,
        Some(d("-2.1")),
        "what it lacked filled"
    );
    assert_eq!(doc.history[1].exam_date_text, "16-Mar-2021");
    // Nothing new a second time.
    let mut again = history("15-Mar-2021");
    again.t_score = Some(d("-2.2"));
    let results = XmlResults {
        history: vec![again],
        ..XmlResults::default()
    };
    assert!(!merge_xml(results, &mut doc, &mut RowTable::default()));
    assert_eq!(doc.history[0].t_score, Some(d("-2.1")));
}

#[test]
fn a_history_value_goes_to_its_field_first_value_kept() {
    let mg = Code {
        value: "mg/cm2",
        scheme: "UCUM",
        meaning: "mg/cm2",
    };
    let mut entry = history("2021-03-15");
    set_history_value(&mut entry, None, Some(Measure::Bmd), d("930"), Some(&mg));
    set_history_value(&mut entry, None, Some(Measure::Bmd), d("0.5"), None);
    assert_eq!(
        entry.bmd,
        Some(d("0.930")),
        "mg/cm² in g/cm², the first kept"
    );
    set_history_value(&mut entry, None, Some(Measure::TScore), d("-1.5"), None);
    set_history_value(&mut entry, Some(HistoryField::Age), None, d("61"), None);
    set_history_value(
        &mut entry,
        Some(HistoryField::ChangeVsPrevious),
        Some(Measure::Bmd),
        d("-12"),
        Some(&mg),
    );
    set_history_value(
        &mut entry,
        Some(HistoryField::PctChangeVsBaseline),
        None,
        d("-3.2"),
        None,
    );
    // A value without a field or a measure the history keeps goes nowhere.
    set_history_value(&mut entry, None, Some(Measure::Area), d("61.6"), None);
    set_history_value(&mut entry, None, None, d("1"), None);
    assert_eq!(entry.t_score, Some(d("-1.5")));
    assert_eq!(entry.age_years, Some(d("61")));
    assert_eq!(entry.change_vs_previous_g_cm2, Some(d("-0.012")));
    assert_eq!(entry.change_vs_baseline_pct, Some(d("-3.2")));
    assert_eq!(entry.z_score, None);
    assert_eq!(entry.change_vs_previous_pct, None);
    assert_eq!(entry.change_vs_baseline_g_cm2, None);
}

fn mapper() -> Mapper {
    crate::profile::load(&[]).expect("built-in profiles")
}

fn read(study: &dxa_fixtures::DxaStudy) -> Result<Document, FileError> {
    let bytes = sr_bytes(&hologic_style(study), Encoding::default());
    extract(&bytes, &mapper(), &Limits::default())
}

#[test]
fn a_results_sr_gives_its_header_rows_and_carrier() {
    let doc = read(&sample::seed_study()).expect("ingested");
    assert_eq!(doc.carriers, [Carrier::SrTree]);
    assert_eq!(doc.patient_id, "HOL000123");
    assert_eq!(doc.patient_sex, Some(Sex::Female));
    assert_eq!(doc.birth_date, Date::parse_da("19580312"));
    assert_eq!(doc.study_date, Date::parse_da("20240415"));
    assert_eq!(doc.manufacturer_raw, "HOLOGIC");
    assert_eq!(doc.model, "Horizon A");
    assert!(!doc.flags.contains(&DocFlag::StudyDateMissing));
    let spine = doc
        .measurements
        .iter()
        .find(|m| m.region == Region::SpineL1L4)
        .expect("the L1-L4 row");
    assert_eq!(spine.bmd, Some(d("0.930")));
    assert_eq!(spine.t_score, Some(d("-1.1")));
    assert!(
        doc.measurements
            .windows(2)
            .all(|w| w[0].region <= w[1].region),
        "rows in region order"
    );
}

#[test]
fn the_study_date_falls_back_to_the_content_date_then_is_flagged() {
    let mut study = sample::seed_study();
    study.header.study_date = String::new();
    let doc = read(&study).expect("ingested");
    assert_eq!(doc.study_date, Date::parse_da(&study.header.content_date));
    assert!(!doc.flags.contains(&DocFlag::StudyDateMissing));
    study.header.content_date = String::new();
    let doc = read(&study).expect("ingested");
    assert!(
        doc.flags.contains(&DocFlag::StudyDateMissing),
        "{:?}",
        doc.flags
    );
}

#[test]
fn a_densitometers_sr_without_values_is_dxa_anothers_is_not() {
    let mut study = sample::seed_study();
    study.groups.clear();
    study.frax_major = None;
    study.frax_hip = None;
    study.tbs = None;
    study.reference_db = None;
    let doc = read(&study).expect("a densitometer's document with no values");
    assert!(doc.measurements.is_empty());
    study.header.manufacturer = "ACME Ultrasound".into();
    study.header.model = "Echo 1".into();
    let error = read(&study).expect_err("not a densitometer");
    assert!(
        matches!(error.reason, Reason::NoMeasurements | Reason::NotDxa),
        "{error:?}"
    );
}
