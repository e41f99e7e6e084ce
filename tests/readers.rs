//! The two readers agree: the in-place index (the default, fast) and dicom-object (the
//! reference) give the same content tree and the same document for every file of the sample
//! tree and of a generated corpus of all styles and transfer syntaxes.

use std::path::Path;

use dxa_ingest::extract::extract_with;
use dxa_ingest::sr::{Body, ContentTree, Limits, Reader, read_sr};

use crate::util::{files_under, repo};

/// Compares both readers on one file; returns whether it was an SR both read.
fn same_from_both_readers(path: &Path) -> bool {
    let bytes = std::fs::read(path).expect("read");
    let limits = Limits::default();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let index = read_sr(&bytes, &limits, &mut a, Reader::Index);
    let object = read_sr(&bytes, &limits, &mut b, Reader::DicomObject);
    let (index, object) = match (index, object) {
        (Ok(index), Ok(object)) => (index, object),
        (Err(x), Err(y)) => {
            assert_eq!(x, y, "{}", path.display());
            return false;
        }
        (x, y) => panic!("{}: readers disagree: {x:?} vs {y:?}", path.display()),
    };
    let tree_index = match &index.body {
        Body::Indexed(set) => ContentTree::read(set.root()),
        Body::Object(_) => panic!("{}: the index reader fell back", path.display()),
    };
    let tree_object = match &object.body {
        Body::Object(object) => ContentTree::read(object),
        Body::Indexed(_) => panic!("forced dicom-object"),
    };
    assert_eq!(tree_index, tree_object, "{}", path.display());

    let mapper = dxa_ingest::profile::load(&[]).expect("built-ins");
    assert_eq!(
        extract_with(&bytes, &mapper, &limits, Reader::Index),
        extract_with(&bytes, &mapper, &limits, Reader::DicomObject),
        "{}",
        path.display()
    );
    true
}

#[test]
fn readers_agree_on_the_sample_tree() {
    let srs = files_under(&repo().join("fixtures/sample"))
        .iter()
        .filter(|p| same_from_both_readers(p))
        .count();
    assert_eq!(
        srs, 11,
        "every SR of the sample, the text-only one included"
    );
}

#[test]
fn readers_agree_on_a_generated_corpus() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = dxa_fixtures::corpus::CorpusOptions {
        n: 300,
        seed: 11,
        junk_pct: 10,
        image_heavy: false,
    };
    dxa_fixtures::corpus::write_corpus(dir.path(), &options).expect("corpus");
    let srs = files_under(dir.path())
        .iter()
        .filter(|p| same_from_both_readers(p))
        .count();
    assert!(srs >= 300, "{srs} SRs compared");
}

/// The image-heavy corpus: half the files are 1-3 MB report images; a Hologic-style
/// study's image carries its results document and gives the same rows as its SR.
#[test]
fn image_heavy_corpus_images_carry_the_results() {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = dxa_fixtures::corpus::CorpusOptions {
        n: 12,
        seed: 3,
        junk_pct: 0,
        image_heavy: true,
    };
    let stats = dxa_fixtures::corpus::write_corpus(dir.path(), &options).expect("corpus");
    assert_eq!(stats.images, stats.sr_files);
    let mapper = mapper();
    let (mut with_document, mut compared) = (0, 0);
    for path in files_under(dir.path()) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("_report.dcm") {
            continue;
        }
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(
            (1_000_000..3_200_000).contains(&size),
            "{name}: {size} bytes"
        );
        let bytes = std::fs::read(&path).unwrap();
        let Ok(image) = dxa_ingest::extract(&bytes, &mapper, &Limits::default()) else {
            continue;
        };
        with_document += 1;
        // The SR beside it: `<k>.dcm` for part 0, `<k>_<d>.dcm` otherwise.
        let stem = name.trim_end_matches("_report.dcm");
        let sr_name = stem
            .strip_suffix("_0")
            .map_or(format!("{stem}.dcm"), |k| format!("{k}.dcm"));
        let sr = std::fs::read(path.with_file_name(sr_name)).unwrap();
        let sr = dxa_ingest::extract(&sr, &mapper, &Limits::default()).expect("the SR");
        for m in &image.measurements {
            let same = sr
                .measurements
                .iter()
                .find(|s| s.region == m.region && s.laterality == m.laterality)
                .unwrap_or_else(|| panic!("{name}: {}", m.site_name()));
            assert_eq!(same.bmd, m.bmd, "{name} {}", m.site_name());
            assert_eq!(same.t_score, m.t_score, "{name} {}", m.site_name());
            compared += 1;
        }
    }
    assert!(
        with_document > 0 && compared > 0,
        "{with_document} images, {compared} rows"
    );
}

// ---- What scanners really send (issue 11): extract on the evidence fixtures, in memory ----

use dxa_fixtures::evidence;
use dxa_fixtures::ge_report::{GeReport, ge_region, ge_report_bytes};
use dxa_fixtures::hologic_report::{ResultsDocument, report_image};
use dxa_ingest::Document;
use dxa_ingest::document::{Carrier, HistorySource};
use dxa_ingest::error::Reason;

fn mapper() -> dxa_ingest::Mapper {
    dxa_ingest::profile::load(&[]).expect("built-ins")
}

fn read(bytes: &[u8]) -> Result<Document, dxa_ingest::FileError> {
    dxa_ingest::extract(bytes, &mapper(), &Limits::default())
}

fn ge(report: &GeReport) -> Document {
    read(&ge_report_bytes(report, Default::default())).expect("a GE DXA Report is read")
}

/// (region, side, BMD, T) of every row.
fn rows(doc: &Document) -> Vec<(String, String, String, String)> {
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

fn row<'d>(doc: &'d Document, region: &str, side: &str) -> &'d dxa_ingest::Measurement {
    doc.measurements
        .iter()
        .find(|m| m.region.as_str() == region && m.laterality.as_str() == side)
        .unwrap_or_else(|| panic!("no {region}/{side} in {:?}", rows(doc)))
}

fn t(doc: &Document, region: &str, side: &str) -> String {
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
        doc.flags.iter().all(|f| !f.starts_with("xml_")),
        "{:?}",
        doc.flags
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
        doc.flags
            .contains(&"xml_disagrees=femoral_neck/left:bmd".to_string()),
        "{:?}",
        doc.flags
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
    assert!(doc.flags.contains(&"history_date_ambiguous".to_string()));
    // A day above 12 elsewhere in the document proves day-first.
    report.exams[0].trends[0].exams[1].date = "25/06/2019".into();
    let doc = ge(&report);
    assert_eq!(doc.history[0].exam_date.unwrap().to_string(), "2021-04-03");
    assert!(
        doc.flags
            .contains(&"history_date_order_inferred".to_string())
    );
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
    assert!(
        doc.flags
            .contains(&"t_score_given_twice=femoral_neck/left".to_string())
    );
}

fn hologic(header: dxa_fixtures::Header, document: &ResultsDocument) -> Document {
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
    assert!(doc.flags.is_empty(), "{:?}", doc.flags);
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
        doc.flags
            .contains(&"hologic_document_cut_short".to_string()),
        "{:?}",
        doc.flags
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
            doc.flags.contains(&flag.to_string()),
            "{flag}: {:?}",
            doc.flags
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
        doc.flags
            .contains(&"hologic_document_not_latin1".to_string()),
        "{:?}",
        doc.flags
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
