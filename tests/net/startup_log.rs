//! `--log-format json` from the start (docs/service.md, "The log"): the errors of `listen`
//! and `pull` before their log starts (an unreadable or invalid `--config`, an option
//! refused, a configuration that cannot run) are JSON lines too, when JSON was asked for on
//! the command line or in the `--config` file.

use std::process::Output;

use super::checks::run_in;
use crate::util::{code, stderr};

/// Every line of stderr a JSON object of `command`, level `error`, event `error`.
fn json_error_lines(output: &Output, command: &str, what: &str) -> Vec<serde_json::Value> {
    let err = stderr(output);
    assert!(!err.trim().is_empty(), "{what}: nothing said");
    err.lines()
        .map(|line| {
            let event: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {line}"));
            assert_eq!(event["level"], "error", "{what}: {line}");
            assert_eq!(event["event"], "error", "{what}: {line}");
            assert_eq!(event["command"], command, "{what}: {line}");
            assert!(
                event["time"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{what}: {line}"
            );
            event
        })
        .collect()
}

#[test]
fn errors_before_the_log_starts_are_json_lines_when_json_is_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("bad.toml"), "port = [\n").unwrap();
    std::fs::write(
        dir.path().join("json.toml"),
        "log-format = \"json\"\nmax-pdu = 1\n",
    )
    .unwrap();
    let listen = ["listen", "--log-format", "json"];
    let cases: [(&[&str], &str, &str, i32); 6] = [
        (
            &["--config", "missing.toml", "--archive", "a"],
            "missing.toml",
            "an unreadable --config",
            2,
        ),
        (
            &["--config", "bad.toml", "--archive", "a"],
            "not TOML",
            "a --config not TOML",
            2,
        ),
        (
            &["--port", "x", "--archive", "a"],
            "--port",
            "a refused value",
            2,
        ),
        (
            &["--port", "1", "--archive", "a", "--out", "a"],
            "outside the inputs",
            "--out the archive",
            2,
        ),
        (
            &[
                "--port",
                "1",
                "--archive",
                "a",
                "--tls-cert",
                "none.pem",
                "--tls-key",
                "none.key",
            ],
            "none.pem",
            "a TLS file missing",
            1,
        ),
        (
            &["--config", "json.toml", "--archive", "a"],
            "max-pdu",
            "json from the --config file",
            2,
        ),
    ];
    for (args, says, what, exit) in cases {
        let mut all: Vec<&str> = if what == "json from the --config file" {
            vec!["listen"]
        } else {
            listen.to_vec()
        };
        all.extend_from_slice(args);
        let output = run_in(dir.path(), &all);
        assert_eq!(code(&output), exit, "{what}: {}", stderr(&output));
        let events = json_error_lines(&output, "listen", what);
        assert!(
            events
                .iter()
                .any(|e| e["message"].as_str().is_some_and(|m| m.contains(says))),
            "{what}: {}",
            stderr(&output)
        );
    }
    let pull = run_in(
        dir.path(),
        &[
            "pull",
            "--log-format=json",
            "--from",
            "nonsense",
            "--archive",
            "a",
        ],
    );
    assert_eq!(code(&pull), 2, "{}", stderr(&pull));
    json_error_lines(&pull, "pull", "pull --from nonsense");
    // Text stays text: the plain line of every command.
    let text = run_in(
        dir.path(),
        &["listen", "--config", "missing.toml", "--archive", "a"],
    );
    assert_eq!(code(&text), 2);
    assert!(
        stderr(&text).starts_with("error:") || stderr(&text).contains("dxa-ingest: error:"),
        "{}",
        stderr(&text)
    );
    assert!(
        serde_json::from_str::<serde_json::Value>(stderr(&text).lines().next().unwrap()).is_err()
    );
}

#[test]
fn a_warning_before_the_log_starts_is_a_json_line_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A key file that ends with a newline is warned about while the options are read.
    std::fs::write(dir.path().join("key"), "a research key of 32 bytes!!!!!!\n").expect("key");
    let (_closed, port) = super::peers::refusing_port();
    let from = format!("PACS@127.0.0.1:{port}");
    let pull = run_in(
        dir.path(),
        &[
            "pull",
            "--log-format",
            "json",
            "--from",
            &from,
            "--archive",
            "a",
            "--out",
            "o",
            "--pseudonymize",
            "key",
        ],
    );
    assert_eq!(code(&pull), 1, "{}", stderr(&pull));
    let events: Vec<serde_json::Value> = stderr(&pull)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let warning = events
        .iter()
        .find(|e| e["level"] == "warn")
        .unwrap_or_else(|| panic!("{}", stderr(&pull)));
    assert_eq!(warning["command"], "pull");
    assert!(
        warning["message"]
            .as_str()
            .is_some_and(|m| m.contains("ends with a newline")),
        "{warning}"
    );
    assert_eq!(events.last().expect("an event")["level"], "error");
}
