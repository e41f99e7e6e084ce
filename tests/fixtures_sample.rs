//! `scan` on the committed `fixtures/sample` tree, file by file: every measurement's region,
//! side and values against the study definitions the fixture writer rendered, and every
//! junk file's status and reason. The modelled and GE studies against their definitions:
//! `definitions`; the US site's visit: `us_site`.

use std::sync::OnceLock;

use dxa_fixtures::sample;

use crate::util::{Row, code, files_under, read_csv, repo, rows_where};

mod definitions;
mod us_site;

/// The scan of fixtures/sample, run once for all tests of this module.
struct SampleRun {
    _dir: tempfile::TempDir,
    measurements: Vec<Row>,
    studies: Vec<Row>,
    documents: Vec<Row>,
    files: Vec<Row>,
    /// The run's last stderr line: `dxa-ingest: N files seen, ...`.
    summary: String,
}

fn sample_run() -> &'static SampleRun {
    static RUN: OnceLock<SampleRun> = OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("out");
        let output = crate::util::dxa()
            .current_dir(repo())
            .args(["scan", "fixtures/sample", "--quiet", "--out"])
            .arg(&out)
            .output()
            .expect("run");
        assert_eq!(code(&output), 0, "{}", crate::util::stderr(&output));
        let summary = crate::util::stderr(&output)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string();
        SampleRun {
            summary,
            measurements: read_csv(&out.join("measurements.csv")),
            studies: read_csv(&out.join("studies.csv")),
            documents: read_csv(&out.join("documents.csv")),
            files: read_csv(&out.join("files.csv")),
            _dir: dir,
        }
    })
}

/// README.md shows the summary line of its first command; the counts in it must be today's.
#[test]
fn readme_shows_the_sample_run_as_it_is() {
    let counts = |line: &str| line.split(" in ").next().unwrap_or_default().to_string();
    let actual = counts(&sample_run().summary);
    assert!(actual.starts_with("dxa-ingest: "), "summary line: {actual}");
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let shown: Vec<String> = readme
        .lines()
        .filter(|line| line.starts_with("dxa-ingest: ") && line.contains(" files seen"))
        .map(counts)
        .collect();
    assert_eq!(shown, vec![actual], "README.md's sample summary is stale");
}

#[test]
fn junk_files_are_listed_with_their_reason() {
    let run = sample_run();
    let expected = [
        ("DICOMDIR", "skipped", "not_sr"),
        ("ct/2024/CT000001/IM000001.dcm", "skipped", "not_sr"),
        ("gateway/ACME000042/REPORT_PDF.dcm", "skipped", "not_sr"),
        ("gateway/ACME000042/report.pdf", "skipped", "not_dicom"),
        (
            "hologic/2024/HOL000123_DOE_JANE/RAW00001.dcm",
            "skipped",
            "not_sr",
        ),
        (
            "hologic/2024/HOL000123_DOE_JANE/SC000001.dcm",
            "skipped",
            "not_sr",
        ),
        (
            "hologic/2024/HOL000777_GARCIA_ROSA/RPT_EMPTY.dcm",
            "skipped",
            "not_sr",
        ),
        ("lunar/2024/LUN004412/thumb.jpg", "skipped", "not_dicom"),
        ("other/NOR000311/empty.dcm", "skipped", "not_dicom"),
        ("radiology/2024/RIS004711/SR_TEXT.dcm", "skipped", "not_dxa"),
        ("readme.txt", "skipped", "not_dicom"),
    ];
    let got: Vec<(String, &str, &str)> = run
        .files
        .iter()
        .map(|r| {
            (
                r["source_path"]
                    .trim_start_matches("fixtures/sample/")
                    .to_string(),
                r["status"].as_str(),
                r["reason"].as_str(),
            )
        })
        .collect();
    let expected: Vec<(String, &str, &str)> = expected
        .iter()
        .map(|(p, s, r)| (p.to_string(), *s, *r))
        .collect();
    assert_eq!(got, expected);
    // Messages say what the file is.
    let message = |suffix| rows_where(&run.files, "source_path", suffix)[0]["message"].clone();
    assert!(message("IM000001.dcm").contains("CT Image Storage"));
    assert!(message("DICOMDIR").contains("Directory"));
    assert!(message("report.pdf").contains("PDF"));
    assert!(message("empty.dcm").contains("empty"));
    // An empty skeleton is no results document.
    assert!(message("RPT_EMPTY.dcm").contains("empty results document"));
    // A report image without a results document says so.
    let sc = message("SC000001.dcm");
    assert!(
        sc.contains("Secondary Capture") && sc.contains("an image without a results document"),
        "{sc}"
    );
}

/// Every file is in exactly one of documents.csv (a results document; an enCORE export's
/// every line) and files.csv.
#[test]
fn every_file_is_accounted_for_once() {
    let run = sample_run();
    let sample_dir = repo().join("fixtures/sample");
    let mut on_disk: Vec<String> = files_under(&sample_dir)
        .iter()
        .map(|p| {
            let relative = p.strip_prefix(&sample_dir).expect("under sample");
            relative.display().to_string()
        })
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = run
        .documents
        .iter()
        .chain(&run.files)
        .map(|r| {
            r["source_path"]
                .trim_start_matches("fixtures/sample/")
                .to_string()
        })
        .collect();
    listed.sort();
    // The export files' lines: each a document naming its file (the sample's set: three
    // exams, two with a CoreScan line).
    for (file, lines) in [
        ("lunar/enc2024/Total_Body.txt", 3),
        ("lunar/enc2024/Total_Body_Comp.txt", 3),
        ("lunar/enc2024/Total_Body_CoreScan.txt", 2),
    ] {
        assert_eq!(
            listed.iter().filter(|p| *p == file).count(),
            lines,
            "{file}"
        );
    }
    listed.dedup();
    assert_eq!(listed, on_disk);
}

/// The seed example (docs/clinical.md), as the seed visit's two Hologic report images.
#[test]
fn seed_visit_gives_exactly_its_rows() {
    let run = sample_run();
    let rows: Vec<&Row> = run
        .measurements
        .iter()
        .filter(|r| r["source_path"].contains("2024/HOL000123_DOE_JANE/RPT_"))
        .collect();
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["region"].as_str(),
                r["laterality"].as_str(),
                r["bmd_g_cm2"].as_str(),
                r["t_score"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("femoral_neck", "left", "0.585", "-2.4"),
            ("total_hip", "left", "0.708", "-1.9"),
            ("spine_L1", "", "0.851", "-1.4"),
            ("spine_L2", "", "0.925", "-1.2"),
            ("spine_L3", "", "0.963", "-1.0"),
            ("spine_L4", "", "0.958", "-1.1"),
            ("spine_L1-L4", "", "0.930", "-1.1"),
        ]
    );
    let hip = rows_where(
        &run.studies,
        "source_path",
        "2024/HOL000123_DOE_JANE/RPT_LHIP.dcm",
    )[0];
    assert_eq!(hip["frax_major_pct"], "18");
    assert_eq!(hip["frax_hip_pct"], "2.9");
    assert_eq!(hip["manufacturer"], "hologic");
    assert_eq!(hip["device_serial"], "300123", "from the document's Model");
    assert_eq!(hip["patient_age_years"], "66.0");
    assert_eq!(hip["study_date"], "2024-04-15");
    // The visit (both images) is classified once: osteopenia on the left neck (-2.4), not
    // on the spine (-1.1) or anything lower that is not diagnostic.
    assert_eq!(hip["documents"], "2");
    assert_eq!(hip["classification"], "osteopenia");
    assert_eq!(hip["basis_site"], "femoral_neck/left");
    assert_eq!(hip["min_t_score"], "-2.4");
    assert!(
        rows_where(
            &run.studies,
            "source_path",
            "2024/HOL000123_DOE_JANE/RPT_SPINE.dcm"
        )
        .is_empty(),
        "the spine image is not a visit of its own"
    );
    let spine = rows_where(
        &run.documents,
        "source_path",
        "2024/HOL000123_DOE_JANE/RPT_SPINE.dcm",
    );
    assert_eq!(spine[0]["visit_sop_instance_uid"], hip["sop_instance_uid"]);
    assert_eq!(spine[0]["status"], "used");
}

#[test]
fn encodings_and_units_of_the_sample() {
    let run = sample_run();
    // Deflated GE SR.
    let lunar = rows_where(
        &run.measurements,
        "source_path",
        "2024/LUN004412/SR_SPINE_FEMUR.dcm",
    );
    assert_eq!(lunar[0]["region"], "spine_L1");
    assert_eq!(lunar[0]["bmd_g_cm2"], "1.012");
    // No preamble (file starts with DICM), old enCORE: BMD/T/Z only.
    let forearm = rows_where(&run.measurements, "source_path", "Forearm_20110322.dcm");
    assert_eq!(forearm[0]["region"], "radius_33");
    assert_eq!(forearm[0]["bmc_g"], "");
    // Implicit VR LE report image: the results document found in an OB private element.
    let astrom = rows_where(&run.measurements, "source_path", "RPT_DUALHIP.dcm");
    let bmd = |region: &str, side: &str| {
        astrom
            .iter()
            .find(|r| r["region"] == region && r["laterality"] == side)
            .map(|r| r["bmd_g_cm2"].clone())
            .expect("row present")
    };
    assert_eq!(bmd("total_hip", "left"), "0.930");
    assert_eq!(bmd("total_hip", "right"), "0.921");
    assert_eq!(bmd("femoral_neck", "mean"), "0.735");
    // Big endian, pediatric total body.
    let body = rows_where(
        &run.studies,
        "source_path",
        "HOL000789_MILLER_EMMA/SR000001.dcm",
    )[0];
    assert_eq!(body["population"], "pediatric");
    assert_eq!(body["basis_site"], "total_body_less_head");
    // PatientAge without birth date. The GE 2024 visit is five SRs; its row is named by
    // the first in path order (the forearm), its classification comes from all of them.
    let lunar_study = rows_where(&run.studies, "source_path", "2024/LUN004412/SR_FOREARM.dcm")[0];
    assert_eq!(lunar_study["patient_age_years"], "67.0");
    assert_eq!(lunar_study["manufacturer"], "ge_lunar");
    assert_eq!(lunar_study["documents"], "5");
    assert!(
        lunar_study["basis_site"].starts_with("femoral_neck/"),
        "{lunar_study:?}"
    );
    assert!(
        !lunar_study["frax_major_pct"].is_empty(),
        "FRAX from its own SR"
    );
    assert!(
        !lunar_study["vertebral_fractures"].is_empty(),
        "VFA from its own SR"
    );
    // The forearm sent beside spine and hips is not diagnostic.
    let radius = rows_where(
        &run.measurements,
        "source_path",
        "2024/LUN004412/SR_FOREARM.dcm",
    );
    assert!(
        radius.iter().all(|r| r["used_for_diagnosis"] == "false"),
        "{radius:?}"
    );
    // The metadata-only SR joined the visit with no content.
    let meta = rows_where(&run.documents, "source_path", "2024/LUN004412/SR_META.dcm");
    assert_eq!(meta[0]["content"], "none");
    assert_eq!(
        meta[0]["visit_sop_instance_uid"],
        lunar_study["sop_instance_uid"]
    );
}

#[test]
fn dsrdump_reads_every_sr_fixture() {
    // dcmtk is installed by .ci/run (scripts/test.sh); a missing dsrdump is a failure here,
    // not a skip.
    let output = std::process::Command::new("bash")
        .arg(repo().join("fixtures/check-dsrdump.sh"))
        .arg(repo().join("fixtures/sample"))
        .output()
        .expect("run check-dsrdump.sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("11 SR file(s) checked, 0 failed"),
        "{stdout}"
    );
}

#[test]
fn committed_fixtures_are_what_the_writer_makes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fresh = dir.path().join("sample");
    let files = sample::write_sample(&fresh).expect("write sample");
    for file in &files {
        let committed = std::fs::read(repo().join("fixtures/sample").join(&file.path))
            .unwrap_or_else(|e| panic!("{} not committed: {e}", file.path));
        let made = std::fs::read(fresh.join(&file.path)).expect("written");
        assert!(
            committed == made,
            "fixtures/sample/{} differs from the writer's output: run `cargo run -p dxa-fixtures -- sample fixtures/sample`",
            file.path
        );
    }
    assert_eq!(
        files_under(&repo().join("fixtures/sample")).len(),
        files.len()
    );
}
