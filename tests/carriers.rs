//! What scanners really send (docs/evidence.md), at the library level: `extract` on GE "DXA
//! Report" SRs and Hologic report images built by the fixture writer from the field
//! evidence, and `inspect` on both carriers.

use crate::util::flags;
use dxa_ingest::sr::Limits;

use dxa_fixtures::evidence;
use dxa_fixtures::ge_report::{GeReport, ge_region, ge_report_bytes};
use dxa_fixtures::hologic_report::report_image;
use dxa_ingest::Document;
use dxa_ingest::document::{Carrier, HistorySource};

pub(crate) fn mapper() -> dxa_ingest::Mapper {
    dxa_ingest::profile::load(&[]).expect("built-ins")
}

pub(crate) fn read(bytes: &[u8]) -> Result<Document, dxa_ingest::FileError> {
    dxa_ingest::extract(bytes, &mapper(), &Limits::default())
}

fn ge(report: &GeReport) -> Document {
    read(&ge_report_bytes(report, Default::default())).expect("a GE DXA Report is read")
}

/// (region, side, BMD, T) of every row.
pub(crate) fn rows(doc: &Document) -> Vec<(String, String, String, String)> {
    let text =
        |v: Option<dxa_ingest::decimal::Decimal>| v.map(|v| v.to_string()).unwrap_or_default();
    doc.measurements
        .iter()
        .map(|m| {
            (
                m.region.to_string(),
                m.laterality.to_string(),
                text(m.bmd),
                text(m.t_score),
            )
        })
        .collect()
}

pub(crate) fn row<'d>(doc: &'d Document, region: &str, side: &str) -> &'d dxa_ingest::Measurement {
    doc.measurements
        .iter()
        .find(|m| m.region.as_str() == region && m.laterality.as_str() == side)
        .unwrap_or_else(|| panic!("no {region}/{side} in {:?}", rows(doc)))
}

pub(crate) fn t(doc: &Document, region: &str, side: &str) -> String {
    row(doc, region, side)
        .t_score
        .map(|t| t.to_string())
        .unwrap_or_default()
}

#[test]
fn ge_spine_and_dual_femur_text_scores_trends_never_current() {
    let doc = ge(&evidence::ge_spine_femur_report());
    assert_eq!(t(&doc, "spine_L1-L4", ""), "-0.9");
    assert_eq!(t(&doc, "femoral_neck", "left"), "-1.6");
    assert_eq!(
        t(&doc, "femoral_neck", "right"),
        "-1.7",
        "decimal comma read"
    );
    assert_eq!(t(&doc, "femoral_neck", "mean"), "-1.6");
    assert_eq!(t(&doc, "total_hip", "left"), "-1.1");
    assert_eq!(t(&doc, "total_hip", "right"), "-1.0");
    assert_eq!(t(&doc, "total_hip", "mean"), "-1.0");
    assert_eq!(
        row(&doc, "upper_neck", "left").bmd.unwrap().to_string(),
        "0.702"
    );
    let l1l4 = row(&doc, "spine_L1-L4", "");
    assert_eq!(
        l1l4.pct_young_adult.unwrap().to_string(),
        "91",
        "BMD_PYA as TEXT"
    );
    assert_eq!(l1l4.bmc.unwrap().to_string(), "66.49");
    // Diff. and Lower Neck are `other`, never a side's value.
    let others: Vec<_> = doc
        .measurements
        .iter()
        .filter(|m| m.region.as_str() == "other")
        .map(|m| (m.source_label.as_str(), m.notes.join("; ")))
        .collect();
    assert_eq!(others.len(), 2, "{others:?}");
    assert!(
        others
            .iter()
            .any(|(l, n)| *l == "Neck Diff." && n.contains("difference"))
    );
    assert!(others.iter().any(|(l, _)| *l == "Lower Neck Left"));
    // No trend value among the current rows.
    for trend_bmd in ["1.051", "1.062", "0.838", "0.899"] {
        assert!(
            rows(&doc).iter().all(|r| r.2 != trend_bmd),
            "trend BMD {trend_bmd} taken as current: {:?}",
            rows(&doc)
        );
    }
    assert!(
        doc.measurements
            .iter()
            .all(|m| m.notes.iter().all(|n| !n.contains("twice")))
    );
    // ... they are history, with their dates.
    let history: Vec<_> = doc
        .history
        .iter()
        .map(|h| {
            (
                h.region.to_string(),
                h.laterality.to_string(),
                h.exam_date.map(|d| d.to_string()).unwrap_or_default(),
                h.bmd.unwrap().to_string(),
                h.source,
            )
        })
        .collect();
    let tree = HistorySource::GeTrendTree;
    assert_eq!(
        history,
        [
            (
                "spine_L1-L4".into(),
                "".into(),
                "2021-01-18".into(),
                "1.051".into(),
                tree
            ),
            (
                "spine_L1-L4".into(),
                "".into(),
                "2019-01-15".into(),
                "1.062".into(),
                tree
            ),
            (
                "femoral_neck".into(),
                "left".into(),
                "2021-01-18".into(),
                "0.838".into(),
                tree
            ),
            (
                "total_hip".into(),
                "mean".into(),
                "2021-01-18".into(),
                "0.899".into(),
                tree
            ),
        ]
    );
    assert_eq!(doc.history[0].age_years.unwrap().to_string(), "64");
    assert_eq!(
        doc.history[0].change_vs_previous_pct.unwrap().to_string(),
        "1.7"
    );
    // The XML copy agrees: nothing to add, nothing flagged.
    assert_eq!(doc.carriers, [Carrier::SrTree]);
    assert!(
        flags(&doc).iter().all(|f| !f.starts_with("xml_")),
        "{:?}",
        flags(&doc)
    );
}

#[test]
fn ge_values_only_in_image_comments_are_read() {
    let doc = ge(&evidence::ge_forearm_xml_only_report());
    assert_eq!(doc.carriers, [Carrier::GeImageCommentsXml]);
    assert_eq!(t(&doc, "radius_33", "left"), "-1.8");
    assert_eq!(
        row(&doc, "radius_ud", "left").bmd.unwrap().to_string(),
        "0.352"
    );
}

#[test]
fn ge_xml_fills_what_the_tree_lacks_and_flags_a_disagreement() {
    let mut report = evidence::ge_spine_femur_report();
    let xml = report.image_comments.take().unwrap();
    // The XML says 0.815 where the tree says 0.812; the tree lacks L1's T-score.
    report.image_comments = Some(xml.replacen(">0.812<", ">0.815<", 1));
    report.exams[0].regions[0].t.clear();
    let doc = ge(&report);
    assert_eq!(
        row(&doc, "femoral_neck", "left").bmd.unwrap().to_string(),
        "0.812",
        "tree kept"
    );
    assert!(
        flags(&doc).contains(&"xml_disagrees=femoral_neck/left:bmd".to_string()),
        "{:?}",
        flags(&doc)
    );
    assert_eq!(t(&doc, "spine_L1", ""), "-1.4", "filled from the XML");
    assert_eq!(doc.carriers, [Carrier::SrTree, Carrier::GeImageCommentsXml]);
}

#[test]
fn ge_frax_lva_and_metadata_only_srs() {
    let frax = ge(&evidence::ge_frax_report());
    let text = |v: Option<dxa_ingest::decimal::Decimal>| v.map(|v| v.to_string());
    assert_eq!(text(frax.frax_major).as_deref(), Some("12"));
    assert_eq!(text(frax.frax_hip).as_deref(), Some("1.8"));
    assert_eq!(text(frax.frax_major_prior).as_deref(), Some("17"));
    assert_eq!(text(frax.frax_hip_prior).as_deref(), Some("2.9"));
    assert_eq!(frax.scanner_classification.as_deref(), Some("Osteopenia"));
    assert!(frax.measurements.is_empty());

    let lva = ge(&evidence::ge_lva_report());
    let grades: Vec<_> = lva
        .vertebral_fractures
        .iter()
        .map(|f| (f.vertebra.as_str(), f.grade.as_str()))
        .collect();
    assert_eq!(
        grades,
        [
            ("T12", "None"),
            ("L1", "Grade 1 (mild) wedge"),
            ("L2", "None")
        ]
    );

    let meta = ge(&evidence::ge_metadata_report());
    assert!(meta.measurements.is_empty() && meta.history.is_empty());
    assert!(meta.carriers.is_empty());
    assert_eq!(meta.patient_id, "LUN004412");
}

#[test]
fn ge_ambiguous_trend_dates_are_never_guessed() {
    let mut report = evidence::ge_spine_femur_report();
    report.image_comments = None;
    report.exams.truncate(1);
    report.exams[0].trends[0].exams[0].date = "03/04/2021".into();
    report.exams[0].trends[0].exams[1].date = "05/06/2019".into();
    let doc = ge(&report);
    assert!(
        doc.history
            .iter()
            .all(|h| h.date_ambiguous && h.exam_date.is_none())
    );
    assert!(flags(&doc).contains(&"history_date_ambiguous".to_string()));
    // A day above 12 elsewhere in the document proves day-first.
    report.exams[0].trends[0].exams[1].date = "25/06/2019".into();
    let doc = ge(&report);
    assert_eq!(doc.history[0].exam_date.unwrap().to_string(), "2021-04-03");
    assert!(flags(&doc).contains(&"history_date_order_inferred".to_string()));
}

#[test]
fn a_mans_two_neck_t_scores_are_both_kept() {
    let mut report = evidence::ge_spine_femur_report();
    report.image_comments = None;
    let mut neck = ge_region("Neck Left", "0.812", "-2.1", "-0.2");
    neck.t.push("-2.6".into());
    report.exams[1].regions[0] = neck;
    let doc = ge(&report);
    assert_eq!(t(&doc, "femoral_neck", "left"), "-2.1", "the first is kept");
    assert!(
        row(&doc, "femoral_neck", "left")
            .notes
            .iter()
            .any(|n| n.contains("-2.6"))
    );
    assert!(flags(&doc).contains(&"t_score_given_twice=femoral_neck/left".to_string()));
}

/// `inspect` shows a GE SR's XML beside its tree, and a Hologic document's tables cell by
/// cell with what each column and row type maps to.
#[test]
fn inspect_shows_both_carriers() {
    let show = |bytes: &[u8]| {
        let mut out = Vec::new();
        let ingestible = dxa_ingest::inspect::inspect(
            "x.dcm",
            bytes,
            &mapper(),
            &Limits::default(),
            &dxa_ingest::ClassifyOptions::default(),
            &mut out,
        )
        .expect("inspect");
        (ingestible, String::from_utf8(out).expect("UTF-8"))
    };
    let (ok, text) = show(&ge_report_bytes(
        &evidence::ge_spine_femur_report(),
        Default::default(),
    ));
    assert!(ok);
    assert!(text.contains("image comments XML ("), "{text}");
    assert!(text.contains("<ROI region=\"Neck Left\">"), "{text}");
    assert!(
        text.contains("-> t_score femoral_neck/left = -1.6"),
        "{text}"
    );
    assert!(text.contains("-> history (\"Trend L1-L4\")"), "{text}");
    let (ok, text) = show(&report_image(
        &evidence::astrom_header("t/inspect"),
        "HIP",
        "",
        Some(&evidence::hologic_dual_hip_document()),
        (4, 4),
        Default::default(),
    ));
    assert!(ok);
    assert!(text.contains("table 1: type 1 = Results"), "{text}");
    assert!(
        text.contains("row 2 (133 = Side(Left)): Label=\"Left\""),
        "{text}"
    );
    assert!(text.contains("bmd=\"0.742\""), "{text}");
    assert!(text.contains("row 5 (136 = Difference)"), "{text}");
    assert!(text.contains("carriers hologic_results_document"), "{text}");
}

/// `inspect` of one file says it shows that document alone; `inspect --visit` (any file of
/// the visit) shows the visit's classification and why, as `scan` decides it: the seed
/// visit's spine image shows the left hip deciding, from the other image.
#[test]
fn inspect_one_document_and_its_visit() {
    let spine = "fixtures/sample/hologic/2024/HOL000123_DOE_JANE/RPT_SPINE.dcm";
    let run = |args: &[&str]| {
        let output = crate::util::dxa()
            .current_dir(crate::util::repo())
            .args(args)
            .output()
            .expect("run");
        assert_eq!(
            crate::util::code(&output),
            0,
            "{}",
            crate::util::stderr(&output)
        );
        String::from_utf8(output.stdout).expect("UTF-8")
    };
    let one = run(&["inspect", spine]);
    assert!(one.contains("this document alone"), "{one}");
    assert!(
        one.contains("classification osteopenia, basis spine_L1-L4"),
        "{one}"
    );
    let visit = run(&["inspect", "--visit", spine]);
    assert!(visit.contains("visit of 2 documents"), "{visit}");
    assert!(visit.contains("RPT_LHIP.dcm: used"), "{visit}");
    assert!(visit.contains("classification = osteopenia"), "{visit}");
    assert!(visit.contains("basis_site = femoral_neck/left"), "{visit}");
    assert!(
        visit.contains("femoral_neck left 0.585 -2.4 used_for_diagnosis"),
        "{visit}"
    );
    assert!(
        visit.contains("spine_L1 - 0.851 -1.4 not used: single vertebra: not a diagnostic site"),
        "{visit}"
    );
    // The same as the studies.csv row of a scan.
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    crate::util::scan_sample_into(&out, &[]);
    let studies = crate::util::read_csv(&out.join("studies.csv"));
    let row = studies
        .iter()
        .find(|r| r["patient_id"] == "HOL000123" && r["study_date"] == "2024-04-15")
        .expect("seed visit");
    for column in ["classification", "basis_site", "min_t_score", "flags"] {
        assert!(
            visit.contains(&format!("{column} = {}\n", row[column])),
            "{column}: {visit}"
        );
    }
}
