//! Hologic report images (docs/evidence.md, 2): the results document found in any DICOM object by its
//! text, read by type codes: rows, sides, history, FRAX, MenopauseAge; damaged documents.

use crate::util::flags;
use dxa_fixtures::evidence;
use dxa_fixtures::hologic_report::{ResultsDocument, report_image};
use dxa_ingest::Document;
use dxa_ingest::document::{Carrier, HistorySource};
use dxa_ingest::error::Reason;
use dxa_ingest::sr::Limits;

use crate::carriers::{mapper, read, row, rows, t};

mod round_two;

pub(crate) fn hologic(header: dxa_fixtures::Header, document: &ResultsDocument) -> Document {
    read(&report_image(
        &header,
        "HIP",
        "L",
        Some(document),
        (16, 16),
        Default::default(),
    ))
    .expect("a report image with a results document is read")
}

#[test]
fn hologic_left_hip_with_frax() {
    let doc = hologic(
        evidence::doe_header("t/left-hip"),
        &evidence::hologic_left_hip_document(),
    );
    assert_eq!(
        rows(&doc),
        [
            (
                "femoral_neck".into(),
                "left".into(),
                "0.585".into(),
                "-2.4".into()
            ),
            (
                "total_hip".into(),
                "left".into(),
                "0.708".into(),
                "-1.9".into()
            ),
        ]
    );
    let text = |v: Option<dxa_ingest::decimal::Decimal>| v.map(|v| v.to_string());
    assert_eq!(text(doc.frax_major).as_deref(), Some("18"));
    assert_eq!(text(doc.frax_major_prior).as_deref(), Some("24"));
    assert_eq!(text(doc.frax_hip).as_deref(), Some("2.9"));
    assert_eq!(text(doc.frax_hip_prior).as_deref(), Some("4.1"));
    assert_eq!(doc.frax_not_reported, None);
    assert_eq!(doc.carriers, [Carrier::HologicResultsDocument]);
    assert_eq!(
        doc.device_serial, "300123",
        "from Model (S/N...) when the header lacks it"
    );
    assert_eq!(doc.manufacturer_raw, "HOLOGIC");
    assert_eq!(
        row(&doc, "femoral_neck", "left")
            .pct_young_adult
            .unwrap()
            .to_string(),
        "68"
    );
    assert!(flags(&doc).is_empty(), "{:?}", flags(&doc));
}

#[test]
fn hologic_spine_with_history() {
    let doc = hologic(
        evidence::doe_header("t/spine"),
        &evidence::hologic_spine_document(),
    );
    let regions: Vec<_> = rows(&doc).into_iter().map(|r| (r.0, r.2)).collect();
    assert_eq!(
        regions,
        [
            ("spine_L1".into(), "0.851".into()),
            ("spine_L2".into(), "0.925".into()),
            ("spine_L3".into(), "0.963".into()),
            ("spine_L4".into(), "0.958".into()),
            ("spine_L1-L4".into(), "0.930".into()),
        ]
    );
    let history: Vec<_> = doc
        .history
        .iter()
        .map(|h| {
            (
                h.exam_date.unwrap().to_string(),
                h.bmd.unwrap().to_string(),
                h.region.to_string(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [
            ("2022-04-19".into(), "0.941".into(), "spine_L1-L4".into()),
            ("2020-04-20".into(), "0.955".into(), "spine_L1-L4".into()),
        ],
        "this exam's own row is not history"
    );
    assert_eq!(
        doc.history[0].change_vs_baseline_pct.unwrap().to_string(),
        "-1.5"
    );
    assert_eq!(doc.history[0].source, HistorySource::HologicTable);
}

#[test]
fn hologic_spine_total_covers_the_vertebrae_listed() {
    let mut document = evidence::hologic_spine_document();
    document.tables[0].rows.retain(|(code, _)| *code != 8); // L4 excluded
    let doc = hologic(evidence::doe_header("t/spine-l1l3"), &document);
    assert_eq!(
        row(&doc, "spine_L1-L3", "").bmd.unwrap().to_string(),
        "0.930"
    );
}

#[test]
fn hologic_dual_hip_sides_from_sub_rows() {
    let doc = hologic(
        evidence::astrom_header("t/dual"),
        &evidence::hologic_dual_hip_document(),
    );
    assert_eq!(t(&doc, "femoral_neck", "left"), "-1.3");
    assert_eq!(t(&doc, "femoral_neck", "right"), "-1.4");
    assert_eq!(t(&doc, "femoral_neck", "mean"), "-1.4");
    assert_eq!(
        row(&doc, "total_hip", "right").bmd.unwrap().to_string(),
        "0.921"
    );
    assert_eq!(
        row(&doc, "total_hip", "mean").bmd.unwrap().to_string(),
        "0.926"
    );
    let diffs: Vec<_> = doc
        .measurements
        .iter()
        .filter(|m| m.region.as_str() == "other")
        .collect();
    assert_eq!(diffs.len(), 2);
    assert!(
        diffs
            .iter()
            .all(|m| m.notes.iter().any(|n| n.contains("difference")))
    );
    assert!(
        doc.measurements
            .iter()
            .all(|m| m.region.as_str() == "other" || m.laterality.as_str() != "")
    );
}

#[test]
fn hologic_forearm_side_from_scan_mode() {
    let doc = hologic(
        evidence::astrom_header("t/arm"),
        &evidence::hologic_forearm_document(),
    );
    let got: Vec<_> = rows(&doc).into_iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(
        got,
        [
            ("radius_33".into(), "right".into()),
            ("radius_ud".into(), "right".into()),
            ("radius_mid".into(), "right".into()),
            ("radius_total".into(), "right".into()),
        ]
    );
}

#[test]
fn hologic_menopause_age_and_frax_not_reported() {
    let doc = hologic(
        evidence::nilsson_header("t/47"),
        &evidence::hologic_menopause_document(),
    );
    assert_eq!(doc.menopause_age.unwrap().to_string(), "44");
    assert_eq!(doc.height_cm.unwrap().to_string(), "162.0");
    assert_eq!(doc.weight_kg.unwrap().to_string(), "61.5");
    assert_eq!(doc.ethnicity.as_deref(), Some("White"));
    assert_eq!(doc.model, "Horizon Ci");
    assert_eq!(doc.device_serial, "301234M");
    assert!(doc.frax_major.is_none());
    assert!(
        doc.frax_not_reported
            .as_deref()
            .unwrap()
            .starts_with("FRAX not reported because")
    );
}

#[test]
fn a_report_image_without_a_document_is_skipped_saying_so() {
    let bytes = report_image(
        &evidence::doe_header("t/none"),
        "HIP",
        "L",
        None,
        (16, 16),
        Default::default(),
    );
    let error = read(&bytes).unwrap_err();
    assert_eq!(error.reason, Reason::NotSr);
    assert!(
        error
            .message
            .contains("an image without a results document"),
        "{}",
        error.message
    );
}

#[test]
fn damaged_results_documents_are_flagged_never_guessed() {
    let text = evidence::hologic_left_hip_document().text();
    let mapper = mapper();
    let limits = Limits::default();
    // A report image whose (0019,1000) holds exactly `document`.
    let run = |document: Vec<u8>| {
        let doc = ResultsDocument {
            patient: vec![],
            scan: vec![],
            tables: vec![],
        };
        let header = evidence::doe_header("t/bad");
        let bytes = report_image(&header, "HIP", "L", Some(&doc), (4, 4), Default::default());
        let marker = doc.text();
        let at = bytes
            .windows(marker.len())
            .position(|w| w == marker.as_bytes())
            .unwrap();
        let mut patched = bytes[..at].to_vec();
        // Explicit VR OB: the 4-byte length just before the value.
        let length_at = at - 4;
        let mut value = document;
        if value.len() % 2 == 1 {
            value.push(b' ');
        }
        patched.truncate(length_at);
        patched.extend_from_slice(&(value.len() as u32).to_le_bytes());
        patched.extend_from_slice(&value);
        let old_len = u32::from_le_bytes(bytes[length_at..at].try_into().unwrap()) as usize;
        patched.extend_from_slice(&bytes[at + old_len..]);
        dxa_ingest::extract(&patched, &mapper, &limits)
    };
    // Cut short in the middle of a value.
    let cut = text[..text.find("\"0.585").unwrap() + 4].to_string();
    let doc = run(cut.into_bytes()).expect("read what is complete");
    assert!(
        flags(&doc).contains(&"hologic_document_cut_short".to_string()),
        "{:?}",
        flags(&doc)
    );
    assert!(
        doc.measurements
            .iter()
            .all(|m| m.bmd.is_none_or(|b| b.to_string() != "0.5"))
    );
    // A table index of 2^31, a cell of 10 000 characters, an unknown row type.
    let hostile = text
        .replace("ResultsTable1[ 1][ 0]", "ResultsTable1[ 2147483648][ 0]")
        .replace("\"0.708\"", &format!("\"{}\"", "7".repeat(10_000)))
        .replace("TableRowTypes1[ 1] = 10;", "TableRowTypes1[ 1] = 999;");
    let doc = run(hostile.into_bytes()).expect("flagged, not failed");
    for flag in [
        "hologic_index_out_of_range",
        "hologic_cell_too_long",
        "hologic_row_type_unknown=999",
    ] {
        assert!(
            flags(&doc).contains(&flag.to_string()),
            "{flag}: {:?}",
            flags(&doc)
        );
    }
    assert!(
        doc.measurements
            .iter()
            .all(|m| m.region.as_str() != "femoral_neck"),
        "unknown row type not guessed"
    );
    assert!(
        row(&doc, "total_hip", "left").bmd.is_none(),
        "the long cell is left out"
    );
    // Non-Latin-1 bytes are flagged.
    let latin = text.replace("Female", "Fe?male").into_bytes();
    let latin: Vec<u8> = latin
        .iter()
        .map(|&b| if b == b'?' { 0x85 } else { b })
        .collect();
    let doc = run(latin).expect("read");
    assert!(
        flags(&doc).contains(&"hologic_document_not_latin1".to_string()),
        "{:?}",
        flags(&doc)
    );
    assert_eq!(
        row(&doc, "femoral_neck", "left").bmd.unwrap().to_string(),
        "0.585"
    );
    // Over 4 MiB: an error row.
    let big = format!("{text}{}", "x".repeat(4 << 20));
    let error = run(big.into_bytes()).unwrap_err();
    assert_eq!(error.reason, Reason::TooLarge);
}
