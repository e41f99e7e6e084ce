//! `listen` and `pull` as a service (docs/service.md): options from a TOML file, JSON log
//! lines, the systemd units of packaging/, and the archive's working folder left out of a
//! scan.

use std::fs;
use std::process::Command;

use super::checks::{results, run_in};
use super::objects::{archive_objects, fixture_objects};
use super::peers::{Listener, storescu};
use crate::util::{code, read_csv, repo, stderr};

#[test]
fn listen_reads_a_config_file_and_logs_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("listen.toml"),
        "port = 1\narchive = \"archive\"\nae-title = \"DXA\"\nallow = [\"SCANNER\"]\n\
         log-format = \"json\"\nmax-associations = 3\n",
    )
    .expect("config");
    // The command line's --port 0 (from Listener::start) wins over the file's 1.
    let listener = Listener::start(dir.path(), &["--config", "listen.toml"]);
    let fixtures = fixture_objects();
    let (file, id) = fixtures.values().next().expect("a fixture").clone();
    let sent = storescu("SCANNER", "DXA", listener.port, &[file.as_path()]);
    assert!(sent.status.success(), "{}", stderr(&sent));
    let refused = storescu("OTHER", "DXA", listener.port, &[file.as_path()]);
    assert!(!refused.status.success(), "--allow comes from the file");
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    assert!(archive_objects(&dir.path().join("archive")).contains_key(&id.sop_instance));
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    for event in &events {
        assert!(
            event["time"].as_str().is_some_and(|t| t.ends_with('Z')),
            "{event}"
        );
        assert!(
            event["level"].is_string() && event["event"].is_string(),
            "{event}"
        );
    }
    assert!(
        events[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("at most 3 associations")),
        "{}",
        events[0]
    );
    let stored = events
        .iter()
        .find(|e| e["event"] == "association" && e["peer"]["ae_title"] == "SCANNER")
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(stored["counts"]["stored"], 1, "{stored}");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "refused" && e["peer"]["ae_title"] == "OTHER"),
        "{log}"
    );
}

#[test]
fn a_config_file_with_an_unknown_key_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("pull.toml"),
        "from = \"P@h:1\"\nacrhive = \"a\"\n",
    )
    .expect("config");
    let pull = run_in(
        dir.path(),
        &["pull", "--config", "pull.toml", "--archive", "a"],
    );
    assert_eq!(code(&pull), 2, "{}", stderr(&pull));
    assert!(
        stderr(&pull).contains("`acrhive` is not an option of `pull`"),
        "{}",
        stderr(&pull)
    );
}

/// The units of packaging/ pass `systemd-analyze verify` (their ExecStart pointed at the
/// binary under test), and keep their hardening.
#[test]
fn the_systemd_units_verify() {
    let units = [
        "dxa-ingest-listen.service",
        "dxa-ingest-pull.service",
        "dxa-ingest-pull.timer",
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    let binary = env!("CARGO_BIN_EXE_dxa-ingest");
    for unit in units {
        let text = fs::read_to_string(repo().join("packaging").join(unit)).expect("a unit");
        if unit.ends_with(".service") {
            for setting in [
                "DynamicUser=yes",
                "ProtectSystem=strict",
                "ReadWritePaths=/var/lib/dxa-ingest",
                "NoNewPrivileges=yes",
                "ProtectHome=yes",
                "PrivateTmp=yes",
                "RestrictAddressFamilies=",
                "SystemCallFilter=@system-service",
            ] {
                assert!(text.contains(setting), "{unit} lacks {setting}");
            }
        }
        fs::write(
            dir.path().join(unit),
            text.replace("/usr/local/bin/dxa-ingest", binary),
        )
        .expect("copy");
    }
    let Ok(verify) = Command::new("systemd-analyze")
        .arg("verify")
        .args(units.iter().map(|u| dir.path().join(u)))
        .output()
    else {
        // scripts/test.sh installs systemd; only a system without it at all gets here.
        eprintln!("SKIPPED: systemd-analyze is not installed (Debian package `systemd`)");
        return;
    };
    assert!(verify.status.success(), "{}", stderr(&verify));
    let said = stderr(&verify);
    assert!(
        !said
            .lines()
            .any(|l| l.contains(".service") || l.contains(".timer")),
        "warnings about the units: {said}"
    );
}

/// listen's working folder (`.incoming`, objects half-written or left by a crash) is not
/// read by a scan of the archive: no document, no "empty file" row from it.
#[test]
fn scan_skips_the_archives_working_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let archive = dir.path().join("archive");
    let fixtures = fixture_objects();
    let sr = results(&fixtures);
    let sop = sr.iter().next().expect("a result object");
    let (original, id) = &fixtures[sop];
    let study = archive.join(&id.study);
    fs::create_dir_all(&study).expect("study folder");
    fs::copy(original, study.join(format!("{sop}.dcm"))).expect("archived");
    let incoming = archive.join(".incoming");
    fs::create_dir_all(&incoming).expect(".incoming");
    // A whole object under a temporary name (renamed next), and one cut short by a crash.
    fs::copy(original, incoming.join(format!("{sop}.4242-0.partial"))).expect("temp");
    fs::write(incoming.join("1.2.3.4242-1.partial"), b"").expect("empty temp");
    let scan = run_in(dir.path(), &["scan", "archive", "--out", "out", "--quiet"]);
    assert!(code(&scan) == 0 || code(&scan) == 3, "{}", stderr(&scan));
    assert!(stderr(&scan).contains("1 file seen"), "{}", stderr(&scan));
    let everything = [
        read_csv(&dir.path().join("out/files.csv")),
        read_csv(&dir.path().join("out/documents.csv")),
    ];
    for row in everything.iter().flatten() {
        assert!(!row["source_path"].contains(".incoming"), "{row:?}");
    }
}

/// With `--log-format json`, the warnings of listen's scan of its archive (an `--lsc`
/// serial that matches no scanner) are JSON lines of its log like every other line.
#[test]
fn a_rescan_warning_is_a_json_line_of_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("lsc.csv"),
        "site,lsc_g_cm2,device_serial\ntotal_hip,0.020,NOPE-42\n",
    )
    .expect("lsc");
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--out",
            "out",
            "--ae-title",
            "DXA",
            "--allow",
            "SCANNER",
            "--log-format",
            "json",
            "--lsc",
            "lsc.csv",
        ],
    );
    let fixtures = fixture_objects();
    let (file, _) = fixtures.values().next().expect("a fixture").clone();
    let sent = storescu("SCANNER", "DXA", listener.port, &[file.as_path()]);
    assert!(sent.status.success(), "{}", stderr(&sent));
    // The archive is scanned at shutdown.
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    assert!(dir.path().join("out/run.json").is_file(), "{log}");
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let warning = events
        .iter()
        .find(|e| {
            e["level"] == "warn"
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("\"NOPE-42\" matches no scanner"))
        })
        .unwrap_or_else(|| panic!("{log}"));
    assert_eq!(warning["command"], "listen", "{warning}");
}
