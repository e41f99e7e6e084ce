//! Bad input is normal input (docs/columns.md, files.csv): a folder of hostile files beside good ones. Every
//! file gets its row, the good files are fully ingested, the exit code is 3, the run is
//! quick and stays small.

use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use std::time::Duration;

use dxa_fixtures::{Encoding, Ts, hologic_style, hostile, junk, sample, sr_bytes};

use crate::rss::measure;
use crate::util::{TestEnv, code, stderr};

/// Builds the hostile folder; returns the env and the expected files.csv rows
/// (path suffix, status, reason).
fn hostile_folder() -> (TestEnv, Vec<(String, &'static str, &'static str)>) {
    let env = TestEnv::new();
    let good = sr_bytes(&hologic_style(&sample::seed_study()), Encoding::default());
    let lunar = sr_bytes(
        &dxa_fixtures::ge_style(&sample::lunar_dual_femur_study()),
        Encoding::new(Ts::DeflatedExplicitLe, true),
    );
    env.write("good/seed.dcm", &good);
    env.write("good/lunar.dcm", &lunar);
    // The same export copied to a second folder: one study, one duplicate row.
    env.write("zcopy/seed.dcm", &good);
    // An old archive's bare data set (no preamble, no meta group) is still read.
    env.write(
        "good/raw.dcm",
        &junk::raw_dataset_sr(&hologic_style(&sample::hologic_total_body_study())),
    );

    env.write("bad/empty.dcm", b"");
    env.write(
        "bad/truncated.dcm",
        &hostile::truncated(&good, good.len() / 2),
    );
    env.write("bad/random.bin", &hostile::random_bytes(42, 4096));
    env.write("bad/notes.txt", b"Patient called, rescheduled.\n");
    env.write("bad/ct.dcm", &junk::ct_image());
    env.write("bad/text_sr.dcm", &junk::basic_text_sr());
    env.write(
        "bad/corrupt_seq.dcm",
        &hostile::corrupted_sequence_length(&hologic_style(&sample::norland_study())),
    );
    env.write("bad/huge_element.dcm", &hostile::huge_declared_element());
    env.write("bad/deep.dcm", &hostile::deep_nesting(20_000));
    // Unreadable, as root too: a symlink to nothing, followed (--follow-symlinks).
    std::os::unix::fs::symlink("gone.dcm", env.input().join("bad/dangling.dcm")).unwrap();
    // A FIFO must be skipped without being opened: opening it would block forever.
    let fifo = env.input().join("bad/pipe.dcm");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // A symlink loop, with --follow-symlinks.
    std::os::unix::fs::symlink("..", env.input().join("bad/loop")).unwrap();
    // A file name that is not UTF-8, holding a good SR.
    let mut lunar_forearm = sample::lunar_forearm_study();
    lunar_forearm.header.sop_uid.push_str(".9");
    let name = std::ffi::OsStr::from_bytes(b"good/caf\xE9.dcm");
    std::fs::write(
        env.input().join(name),
        sr_bytes(&dxa_fixtures::ge_style(&lunar_forearm), Encoding::default()),
    )
    .unwrap();

    let expected = vec![
        ("bad/corrupt_seq.dcm".to_string(), "error", "malformed"),
        ("bad/ct.dcm".to_string(), "skipped", "not_sr"),
        ("bad/dangling.dcm".to_string(), "error", "io_error"),
        ("bad/deep.dcm".to_string(), "error", "malformed"),
        ("bad/empty.dcm".to_string(), "skipped", "not_dicom"),
        ("bad/huge_element.dcm".to_string(), "error", "malformed"),
        ("bad/loop".to_string(), "skipped", "not_regular_file"),
        ("bad/notes.txt".to_string(), "skipped", "not_dicom"),
        ("bad/pipe.dcm".to_string(), "skipped", "not_regular_file"),
        ("bad/random.bin".to_string(), "skipped", "not_dicom"),
        ("bad/text_sr.dcm".to_string(), "skipped", "not_dxa"),
        ("bad/truncated.dcm".to_string(), "error", "truncated"),
        ("zcopy/seed.dcm".to_string(), "skipped", "duplicate"),
    ];
    (env, expected)
}

/// Runs the scan, failing (not hanging) if it takes more than a minute; returns the
/// output and the peak RSS of the scan in KiB (wait4, through `rss::measure`, so exactly
/// that process).
fn scan_measured(env: &TestEnv, extra: &[&str]) -> (std::process::Output, i64) {
    let mut args = vec!["scan", "in", "--out", "out", "--quiet"];
    args.extend_from_slice(extra);
    let binary = std::path::PathBuf::from(env!("CARGO_BIN_EXE_dxa-ingest"));
    let run = measure(env.dir.path(), &binary, &args, Duration::from_secs(60));
    let output = std::process::Output {
        status: std::os::unix::process::ExitStatusExt::from_raw(run.code << 8),
        stdout: run.stdout.into_bytes(),
        stderr: run.stderr.into_bytes(),
    };
    (output, run.max_rss_kib)
}

#[test]
fn hostile_folder_every_row_and_good_files_intact() {
    let (env, expected) = hostile_folder();
    let (output, _) = scan_measured(&env, &["--follow-symlinks"]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));

    let files = env.csv("files.csv");
    let got: Vec<(String, &str, &str)> = files
        .iter()
        .map(|r| {
            (
                r["source_path"].trim_start_matches("in/").to_string(),
                r["status"].as_str(),
                r["reason"].as_str(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    let message = |path: &str| {
        files
            .iter()
            .find(|r| r["source_path"] == format!("in/{path}"))
            .map(|r| r["message"].clone())
            .unwrap()
    };
    assert!(message("bad/deep.dcm").contains("deeper than 64"));
    assert!(message("bad/huge_element.dcm").contains("4026531840"));
    assert!(message("zcopy/seed.dcm").contains("in/good/seed.dcm"));
    assert!(message("bad/loop").contains("loop"));

    // The good files beside them: fully ingested, with the non-UTF-8 name escaped.
    let studies = env.csv("studies.csv");
    let paths: Vec<&str> = studies.iter().map(|r| r["source_path"].as_str()).collect();
    assert_eq!(
        paths,
        [
            "in/good/caf\\xE9.dcm",
            "in/good/lunar.dcm",
            "in/good/raw.dcm",
            "in/good/seed.dcm"
        ]
    );
    let measurements = env.csv("measurements.csv");
    let count = |path: &str| {
        measurements
            .iter()
            .filter(|r| r["source_path"] == path)
            .count()
    };
    assert_eq!(count("in/good/seed.dcm"), 10);
    assert_eq!(count("in/good/lunar.dcm"), 23);
    assert_eq!(count("in/good/raw.dcm"), 2);
    assert_eq!(count("in/good/caf\\xE9.dcm"), 5);
    assert_eq!(studies[3]["classification"], "osteopenia");
}

#[test]
fn hostile_folder_peak_memory_under_200_mb() {
    let (env, _) = hostile_folder();
    let (output, max_rss_kib) = scan_measured(&env, &["--follow-symlinks", "--jobs", "2"]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(max_rss_kib > 0, "rusage reported");
    eprintln!("peak RSS of the hostile scan: {max_rss_kib} KiB");
    assert!(
        max_rss_kib < 200 * 1024,
        "peak RSS {} MiB on the hostile folder",
        max_rss_kib / 1024
    );
}

#[test]
fn without_follow_symlinks_links_are_skipped() {
    let (env, _) = hostile_folder();
    let (output, _) = scan_measured(&env, &[]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let files = env.csv("files.csv");
    let dangling = files
        .iter()
        .find(|r| r["source_path"] == "in/bad/dangling.dcm")
        .unwrap();
    assert_eq!(dangling["reason"], "not_regular_file");
    assert!(dangling["message"].contains("--follow-symlinks"));
}

#[test]
fn empty_input_still_writes_three_headers() {
    let env = TestEnv::new();
    let output = env.scan(&[]);
    // Nothing to ingest: exit 4, saying why.
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the inputs hold no files"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("nothing to read"),
        "{}",
        stderr(&output)
    );
    for (name, first) in [
        (
            "measurements.csv",
            "visit_id,source_path,sop_instance_uid,patient_id,",
        ),
        (
            "studies.csv",
            "visit_id,source_path,sop_instance_uid,study_instance_uid,",
        ),
        (
            "documents.csv",
            "visit_id,source_path,sop_instance_uid,sop_class_uid,",
        ),
        ("history.csv", "visit_id,patient_id,study_date,exam_date,"),
        ("files.csv", "source_path,status,reason,message\n"),
    ] {
        let text = String::from_utf8(env.bytes(name)).unwrap();
        assert!(text.starts_with(first), "{name}: {text:?}");
        assert_eq!(text.lines().count(), 1, "{name}");
    }
}

#[test]
fn reanalysis_of_a_study_supersedes_the_older() {
    let env = TestEnv::new();
    let mut first = sample::seed_study();
    first.header.content_time = "090000".into();
    let mut second = first.clone();
    second.header.sop_uid.push_str(".2");
    second.header.content_time = "100000".into();
    second.groups[1].rows[0].bmd = Some("0.590".into());
    let mut copy = second.clone();
    copy.header.sop_uid.push_str(".3");
    env.write(
        "a/first.dcm",
        &sr_bytes(&hologic_style(&first), Encoding::default()),
    );
    env.write(
        "b/second.dcm",
        &sr_bytes(&hologic_style(&second), Encoding::default()),
    );
    env.write(
        "c/resent.dcm",
        &sr_bytes(&hologic_style(&copy), Encoding::default()),
    );
    let output = env.scan(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // One visit, three documents: the re-analysis wins, the copy is a copy.
    let studies = env.csv("studies.csv");
    assert_eq!(studies.len(), 1, "one visit");
    assert_eq!(studies[0]["documents"], "3");
    let documents = env.csv("documents.csv");
    assert_eq!(documents.len(), 3, "all ingested");
    let status: Vec<&str> = documents.iter().map(|d| d["status"].as_str()).collect();
    assert_eq!(
        status,
        [
            format!("superseded_by={}", second.header.sop_uid).as_str(),
            "used",
            format!("duplicate_of={}", second.header.sop_uid).as_str(),
        ]
    );
    // Only the newer analysis is used: the older rows are kept, with why they are not.
    let measurements = env.csv("measurements.csv");
    for row in measurements
        .iter()
        .filter(|m| m["source_path"].contains("first"))
    {
        assert_eq!(row["used_for_diagnosis"], "false", "{row:?}");
        assert!(row["note"].contains("superseded_by="), "{row:?}");
    }
    let used_necks: Vec<&str> = measurements
        .iter()
        .filter(|m| m["region"] == "femoral_neck" && m["used_for_diagnosis"] == "true")
        .map(|m| m["bmd_g_cm2"].as_str())
        .collect();
    assert_eq!(used_necks, ["0.590"]);
}

#[test]
fn interrupted_run_leaves_no_csv() {
    // The list of files comes from a pipe that stays open: the scan is certainly mid-run
    // (its temporary files exist) when it is interrupted.
    let env = TestEnv::new();
    let (child, staging) = env.waiting_scan();
    let out = env.out();
    let output = TestEnv::interrupt(child, libc::SIGINT);
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("nothing in"),
        "{}",
        stderr(&output)
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(!staging.exists(), "the staging folder is removed");
}
