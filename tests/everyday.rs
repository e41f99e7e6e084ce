//! Everyday use (README.md, docs/columns.md): the record of a run, help, messages, the progress bar at 80
//! columns (in a real terminal, tmux), the facility LSC file checked against the scanners;
//! archives (a ZIP export, a .tar.gz) read member by member, in a walk and with --tar
//! (`archives`).

mod archives;

use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{TestEnv, code, dxa, repo, scan_sample_into, stderr};

#[test]
fn run_json_records_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = scan_sample_into(&out, &["--jobs", "2"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["tool"], "dxa-ingest");
    assert_eq!(run["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["command"], "scan");
    assert_eq!(run["inputs"][0], "fixtures/sample");
    assert_eq!(run["counts"]["files_seen"], 37);
    let options: Vec<(String, String)> = serde_json::from_value(run["options"].clone()).unwrap();
    assert!(
        options.contains(&("jobs".into(), "2".into())),
        "{options:?}"
    );
    let profiles = run["profiles"].as_array().unwrap();
    assert!(
        profiles
            .iter()
            .all(|p| p["sha256"].as_str().unwrap().len() == 64)
    );
    assert!(profiles.iter().any(|p| p["name"] == "built-in hologic"));
    // Every other output is listed with its size; times are RFC 3339 UTC.
    for entry in run["outputs"].as_array().unwrap() {
        let name = entry["name"].as_str().unwrap();
        let size = std::fs::metadata(out.join(name)).unwrap().len();
        assert_eq!(entry["bytes"], size, "{name}");
    }
    // The five CSV files, followup.csv, body_composition.csv (the sample has a whole-body
    // exam) and visits_wide.csv, report.html.
    assert_eq!(run["outputs"].as_array().unwrap().len(), 9);
    for key in ["started", "finished"] {
        let time = run[key].as_str().unwrap();
        assert!(
            time.len() == 20 && time.ends_with('Z') && time.contains('T'),
            "{time}"
        );
    }
    assert!(run["bytes_read"].as_u64().unwrap() > 0);
}

#[test]
fn help_has_examples_and_exit_codes() {
    for command in [
        vec!["--help"],
        vec!["scan", "--help"],
        vec!["merge", "--help"],
    ] {
        let output = dxa().args(&command).output().unwrap();
        assert_eq!(code(&output), 0);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("Exit codes:"), "{command:?}: {text}");
        assert!(text.contains("130, 143"), "{command:?}");
    }
    let output = dxa().args(["scan", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Examples:") && text.contains("--pseudonymize key --shift-dates"));
    assert!(
        text.contains("documents.csv") && text.contains("run.json"),
        "{text}"
    );
}

#[test]
fn an_lsc_serial_that_matches_no_scanner_is_warned_about() {
    let env = TestEnv::new();
    let lsc = env.dir.path().join("lsc.csv");
    std::fs::write(
        &lsc,
        "site,lsc_g_cm2,device_serial\nspine,0.030,300123\ntotal_hip,0.020,NOPE-42\n",
    )
    .unwrap();
    let lsc_arg = lsc.to_str().expect("UTF-8 path");
    let output = scan_sample_into(&env.out(), &["--lsc", lsc_arg]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("\"NOPE-42\" matches no scanner"), "{err}");
    assert!(
        !err.contains("\"300123\""),
        "a real serial is not warned about: {err}"
    );
    // An unknown site is refused before any work.
    std::fs::write(&lsc, "site,lsc_pct\nwrist,2.0\n").unwrap();
    let output = scan_sample_into(&env.out(), &["--lsc", lsc_arg]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("wrist"), "{}", stderr(&output));
}

/// The progress bar in an 80-column terminal: one line, never wrapped, the rate a whole
/// number; then the "writing outputs" step.
#[test]
fn the_progress_bar_fits_80_columns() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is needed (scripts/test.sh installs it)");
    }
    let env = TestEnv::new();
    // Enough files that the bar is on screen for a while.
    let study =
        std::fs::read(repo().join("fixtures/sample/gateway/ACME000042/DXA_SR.dcm")).unwrap();
    for i in 0..6000 {
        env.write(&format!("d{}/f{i:05}.dcm", i % 50), &study);
    }
    let session = format!("dxa-test-{}", std::process::id());
    let binary = env!("CARGO_BIN_EXE_dxa-ingest");
    // The pane stays open after the run (for its summary line) until the session is killed:
    // `tmux wait-for` on a channel nobody signals.
    let script = format!(
        "cd {} && {binary} scan in --jobs 1 --out out; tmux wait-for {session}-never",
        env.dir.path().display()
    );
    let started = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "80",
            "-y",
            "24",
            &script,
        ])
        .status()
        .unwrap();
    assert!(started.success());
    let capture = || {
        let output = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let begin = Instant::now();
    let mut bar_line = None;
    let mut summary = None;
    while begin.elapsed() < Duration::from_secs(120) && summary.is_none() {
        let screen = capture();
        if bar_line.is_none() {
            bar_line = screen
                .lines()
                .find(|l| l.contains("/6000") && l.contains("/s"))
                .map(str::to_string);
        }
        summary = screen
            .lines()
            .find(|l| l.starts_with("dxa-ingest: 6000 files seen"))
            .map(str::to_string);
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    let bar = bar_line.expect("the bar was on screen");
    assert!(bar.chars().count() <= 80, "{bar:?}");
    assert!(bar.starts_with("00:00:"), "one line, not wrapped: {bar:?}");
    let rate = bar.split_whitespace().find(|w| w.ends_with("/s")).unwrap();
    let number = rate.trim_end_matches("/s");
    assert!(
        number.bytes().all(|b| b.is_ascii_digit()),
        "a whole number: {rate}"
    );
    assert!(summary.is_some(), "the run ended");
    std::fs::write(env.dir.path().join("bar.txt"), &bar).unwrap();
}
