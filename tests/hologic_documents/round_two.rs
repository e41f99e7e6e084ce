//! Real exports, round two (docs/evidence.md): what 4 819 real results documents of one US site
//! showed, on synthetic documents of the same shapes (crates/dxa-fixtures,
//! `evidence::garcia_*`): comment lines, US units, the reference population, empty
//! skeletons, FRAX per hip, change values, dates the document proves, history regions, the
//! study date from the document, the scanner's own verdict.

use crate::util::flags;
use dxa_fixtures::evidence;
use dxa_fixtures::hologic_report::{
    ApexDocument, EMPTY_SKELETON, HTable, column as col, report_image_with_text, row,
};
use dxa_ingest::Document;
use dxa_ingest::document::{Bound, HistoryEntry, Marked};
use dxa_ingest::error::Reason;

use crate::carriers::{read, row as row_of};

fn image(header: dxa_fixtures::Header, text: &str) -> Vec<u8> {
    report_image_with_text(&header, "HIP", "L", Some(text), (8, 8), Default::default())
}

fn apex(document: &ApexDocument) -> Document {
    read(&image(
        evidence::garcia_header("t/round-two"),
        &document.text(),
    ))
    .expect("a results document of the real shape is read")
}

fn text(value: Option<dxa_ingest::decimal::Decimal>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// (date, region, side, BMD) of each history entry.
fn history(doc: &Document) -> Vec<(String, String, String, String)> {
    doc.history
        .iter()
        .map(|h| {
            (
                h.exam_date.map(|d| d.to_string()).unwrap_or_default(),
                h.region.to_string(),
                h.laterality.to_string(),
                text(h.bmd),
            )
        })
        .collect()
}

fn entry<'d>(doc: &'d Document, date: &str, region: &str) -> &'d HistoryEntry {
    doc.history
        .iter()
        .find(|h| {
            h.exam_date.map(|d| d.to_string()).as_deref() == Some(date)
                && h.region.as_str() == region
        })
        .unwrap_or_else(|| panic!("no {region} on {date}: {:?}", history(doc)))
}

#[test]
fn comment_lines_are_not_a_document_cut_short() {
    let doc = apex(&evidence::garcia_left_hip_document());
    assert!(
        !flags(&doc)
            .iter()
            .any(|f| f == "hologic_document_cut_short"),
        "{:?}",
        flags(&doc)
    );
    assert_eq!(text(row_of(&doc, "femoral_neck", "left").bmd), "0.546");
    // A statement really cut short (no `;`) is still caught.
    let cut = evidence::garcia_left_hip_document()
        .text()
        .replace("ScanMode = \"f Left Hip\";", "ScanMode = \"f Left Hip\"");
    let doc = read(&image(evidence::garcia_header("t/cut"), &cut)).expect("read");
    assert!(
        flags(&doc)
            .iter()
            .any(|f| f == "hologic_document_cut_short"),
        "{:?}",
        flags(&doc)
    );
}

#[test]
fn us_units_become_cm_and_kg() {
    let doc = apex(&evidence::garcia_left_hip_document());
    // 62.5 in x 2.54 = 158.75 cm; 148.0 lb x 0.45359237 = 67.13 kg (one decimal).
    assert_eq!(text(doc.height_cm), "158.8");
    assert_eq!(text(doc.weight_kg), "67.1");
    assert!(
        !flags(&doc)
            .iter()
            .any(|f| f.starts_with("hologic_height") || f.starts_with("hologic_weight")),
        "{:?}",
        flags(&doc)
    );
    // A unit word that is not a length is not guessed.
    let mut odd = evidence::garcia_left_hip_document();
    odd.results.patient[4].1 = "62.5 furlongs".into();
    let doc = apex(&odd);
    assert_eq!(doc.height_cm, None);
    assert!(flags(&doc).iter().any(|f| f == "hologic_height_not_read"));
}

#[test]
fn graph_title_gives_the_t_and_z_reference_and_frax_the_uniform_neck_t() {
    let doc = apex(&evidence::garcia_left_hip_document());
    assert_eq!(
        doc.reference_database.as_deref(),
        Some(
            "T-score vs. Hispanic Female. Source:NHANES / Z-score vs. Hispanic Female. Source:NHANES"
        )
    );
    let t = doc.t_reference.as_ref().expect("the T reference");
    assert_eq!(t.population, "Hispanic Female");
    assert_eq!(t.source, "NHANES");
    assert_eq!(text(doc.frax_neck_t_uniform), "-2.6");
}

#[test]
fn an_empty_skeleton_is_no_results_document() {
    let error = read(&image(
        evidence::garcia_header("t/skeleton"),
        EMPTY_SKELETON,
    ))
    .expect_err("an empty skeleton is not a document");
    assert_eq!(error.reason, Reason::NotSr);
    assert!(
        error.message.contains("empty results document"),
        "{}",
        error.message
    );
}

#[test]
fn censored_frax_is_kept_as_written() {
    let mut document = evidence::garcia_left_hip_document();
    let frax = &mut document.results.tables[2];
    frax.rows[1].1[1] = "< 1.0%".into();
    frax.rows[2].1[1] = "<0.1%".into();
    let doc = apex(&document);
    assert_eq!(text(doc.frax_major), "1.0");
    assert_eq!(doc.frax_major_censored, Some(Bound::Below));
    assert_eq!(text(doc.frax_hip), "0.1");
    assert_eq!(doc.frax_hip_censored, Some(Bound::Below));
    let plain = apex(&evidence::garcia_left_hip_document());
    assert_eq!(text(plain.frax_major), "17");
    assert_eq!(plain.frax_major_censored, None);
}

#[test]
fn change_values_and_their_marks_are_kept() {
    let doc = apex(&evidence::garcia_left_hip_document());
    let total = entry(&doc, "2022-02-11", "total_hip");
    assert_eq!(text(total.change_vs_baseline_g_cm2), "-0.019");
    assert_eq!(text(total.change_vs_baseline_pct), "-2.5");
    assert_eq!(text(total.change_vs_previous_g_cm2), "-0.019");
    assert_eq!(text(total.change_vs_previous_pct), "-2.5");
    assert_eq!(total.change_significant, Some(Marked::No));
    assert_eq!(total.change_dissimilar_scans, Some(Marked::VsPrevious));
    let neck = entry(&doc, "2022-02-11", "femoral_neck");
    assert_eq!(neck.change_significant, Some(Marked::Both));
    assert_eq!(neck.change_dissimilar_scans, Some(Marked::No));
    let baseline = entry(&doc, "2020-01-08", "femoral_neck");
    assert_eq!(baseline.change_significant, None, "no change reported");
    // Percentages only, under headers without a unit: the unit comes from the value.
    let right = apex(&evidence::garcia_right_hip_document());
    let total = entry(&right, "2022-02-11", "total_hip");
    assert_eq!(text(total.change_vs_baseline_pct), "-0.5");
    assert_eq!(total.change_vs_baseline_g_cm2, None);
    assert!(
        !flags(&right)
            .iter()
            .any(|f| f == "hologic_change_unit_unknown"),
        "{:?}",
        flags(&right)
    );
}

#[test]
fn dates_the_document_proves_and_never_the_current_exam() {
    // Left hip: ReportDate 03/19/2024 (a day above 12) proves month-first.
    let doc = apex(&evidence::garcia_left_hip_document());
    let dates: Vec<String> = history(&doc).into_iter().map(|h| h.0).collect();
    assert_eq!(
        dates,
        ["2022-02-11", "2020-01-08", "2022-02-11", "2020-01-08"],
        "every date read, the current exam (03/05/2024 = Scan) never history"
    );
    assert!(doc.history.iter().all(|h| !h.date_ambiguous));
    // Right hip: ReportDate 03/05/2024 proves nothing; the row equal to Scan does.
    let doc = apex(&evidence::garcia_right_hip_document());
    let dates: Vec<String> = history(&doc).into_iter().map(|h| h.0).collect();
    assert_eq!(
        dates,
        ["2022-02-11", "2020-01-08", "2022-02-11", "2020-01-08"]
    );
    assert!(
        !flags(&doc).iter().any(|f| f == "history_date_ambiguous"),
        "{:?}",
        flags(&doc)
    );
    // Without Scan, the image's StudyDate is the exam's date: its row proves the order too.
    let mut no_scan = evidence::garcia_right_hip_document();
    no_scan.results.scan.retain(|(name, _)| name != "Scan");
    let doc = apex(&no_scan);
    assert_eq!(doc.history.len(), 4, "{:?}", history(&doc));
    assert!(doc.history.iter().all(|h| h.exam_date.is_some()));
    // Without any proof (no Scan, no date in the header, AnalDate and ReportDate
    // ambiguous) the dates stay unread: flagged, never guessed.
    let mut header = evidence::garcia_header("t/unproved");
    header.study_date = String::new();
    header.content_date = String::new();
    let mut unproved = evidence::garcia_right_hip_document();
    unproved
        .results
        .scan
        .retain(|(name, _)| name != "Scan" && name != "AnalDate");
    let doc = read(&image(header, &unproved.text())).expect("read");
    assert!(!doc.history.is_empty());
    assert!(
        doc.history
            .iter()
            .all(|h| h.exam_date.is_none() && h.date_ambiguous)
    );
    assert!(flags(&doc).iter().any(|f| f == "history_date_ambiguous"));
}

#[test]
fn history_regions_from_the_region_column_the_mean_and_the_forearm() {
    let doc = apex(&evidence::garcia_left_hip_document());
    let placed: Vec<(String, String, String)> =
        history(&doc).into_iter().map(|h| (h.1, h.2, h.3)).collect();
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        placed,
        [
            s("total_hip", "left", "0.753"),
            s("total_hip", "left", "0.772"),
            s("femoral_neck", "left", "0.556"),
            s("femoral_neck", "left", "0.580"),
        ]
    );
    // A dual hip's "... Total (Mean):" history is the mean, not a side.
    let dual = crate::hologic_documents::hologic(
        evidence::astrom_header("t/dual-history"),
        &evidence::hologic_dual_hip_document(),
    );
    assert_eq!(
        history(&dual),
        [(
            "2021-09-14".to_string(),
            "total_hip".to_string(),
            "mean".to_string(),
            "0.935".to_string()
        )]
    );
    // A forearm history trends the 1/3 radius.
    let arm = apex(&evidence::garcia_forearm_document());
    assert_eq!(
        history(&arm),
        [(
            "2022-02-11".to_string(),
            "radius_33".to_string(),
            "left".to_string(),
            "0.632".to_string()
        )]
    );
}

#[test]
fn a_report_image_without_study_date_takes_the_documents_scan_date() {
    let mut header = evidence::garcia_header("t/no-date");
    header.study_date = String::new();
    // The report was printed later: its content date is not the exam's.
    header.content_date = "20240319".into();
    let doc = read(&image(
        header.clone(),
        &evidence::garcia_left_hip_document().text(),
    ))
    .expect("read");
    assert_eq!(
        doc.study_date.map(|d| d.to_string()).as_deref(),
        Some("2024-03-05")
    );
    assert!(
        flags(&doc)
            .iter()
            .any(|f| f == "study_date_from_document_scan"),
        "{:?}",
        flags(&doc)
    );
    // No Scan: AnalDate.
    let mut document = evidence::garcia_left_hip_document();
    document.results.scan.retain(|(name, _)| name != "Scan");
    let doc = read(&image(header, &document.text())).expect("read");
    assert_eq!(
        doc.study_date.map(|d| d.to_string()).as_deref(),
        Some("2024-03-05")
    );
    assert!(
        flags(&doc)
            .iter()
            .any(|f| f == "study_date_from_document_analysis_date"),
        "{:?}",
        flags(&doc)
    );
}

#[test]
fn the_scanners_own_verdict_is_read() {
    let doc = apex(&evidence::garcia_left_hip_document());
    assert_eq!(doc.scanner_classification.as_deref(), Some("Osteopenia"));
    let arm = apex(&evidence::garcia_forearm_document());
    assert_eq!(
        arm.scanner_classification.as_deref(),
        Some("Osteopenia"),
        "WHO Classification on Bolded Results"
    );
}

/// A table built in the test: a history of one region whose dates need the Scan row.
#[test]
fn a_history_table_of_one_exam_has_no_history() {
    let mut document = evidence::garcia_forearm_document();
    document.results.tables[1] = HTable::new(
        2,
        "Results History:",
        &[(col::DATE, "Scan Date"), (col::BMD, "BMD")],
    )
    .row(row::DATE, &["03/05/2024", "0.612"]);
    let doc = apex(&document);
    assert!(doc.history.is_empty(), "{:?}", history(&doc));
}
