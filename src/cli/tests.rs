use super::*;
use crate::config::Inputs;
use crate::net;
use clap::CommandFactory;
use std::path::PathBuf;

#[test]
fn cli_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn inputs_and_a_target_are_required() {
    let parse = |args: &[&str]| Cli::try_parse_from([&["dxa-ingest"], args].concat());
    assert!(parse(&["scan", "--out", "o"]).is_err(), "no input");
    assert!(parse(&["scan", "d"]).is_err(), "no target");
    assert!(parse(&["scan", "d", "--out", "o"]).is_ok());
    assert!(parse(&["scan", "--files-from", "-", "--out", "o"]).is_ok());
    assert!(parse(&["scan", "--tar", "-", "--partial", "p"]).is_ok());
    assert!(
        parse(&["scan", "--tar", "-", "--partial", "p", "--known", "k"]).is_err(),
        "--known is not honoured on a tar stream: refused"
    );
    assert!(parse(&["scan", "d", "--files-from", "-", "--out", "o"]).is_err());
    assert!(parse(&["scan", "d", "--out", "o", "--partial", "p"]).is_err());
    assert!(parse(&["scan", "d", "--out", "o", "--jobs", "0"]).is_err());
    assert!(
        parse(&["scan", "d", "--out", "o", "--shift-dates"]).is_err(),
        "needs a key"
    );
    assert!(parse(&["merge", "--out", "o"]).is_err(), "no partial");
    assert!(parse(&["merge", "a.part", "b.part", "--out", "o"]).is_ok());
}

#[test]
fn help_shows_examples_and_exit_codes() {
    let mut cli = Cli::command();
    for name in ["scan", "merge", "inspect"] {
        let help = cli
            .find_subcommand_mut(name)
            .expect("subcommand")
            .render_long_help()
            .to_string();
        assert!(help.contains("Examples:"), "{name}: {help}");
        assert!(help.contains("Exit codes:"), "{name}: {help}");
        assert!(help.contains("  3  "), "{name}");
    }
}

#[test]
fn pull_and_listen_share_the_scan_options() {
    let cli = Cli::try_parse_from([
        "dxa-ingest",
        "pull",
        "--from",
        "PACS@host:104",
        "--archive",
        "a",
        "--since",
        "20240101",
        "--jobs",
        "2",
        "--max-file-size",
        "8",
        "--out",
        "o",
    ])
    .unwrap();
    let Command::Pull(args) = cli.command else {
        panic!("not pull")
    };
    let config = pull_config(args).unwrap();
    assert_eq!(config.net.max_object_bytes, 8 * 1024 * 1024);
    assert_eq!(config.net.ae_title, "DXA-INGEST");
    assert_eq!(config.method, net::RetrieveMethod::Get);
    let scan = config.scan.unwrap();
    assert_eq!(scan.jobs, 2);
    assert_eq!(scan.inputs, Inputs::Paths(vec![PathBuf::from("a")]));
    for bad in [
        vec!["pull", "--from", "PACS@host", "--archive", "a"],
        vec![
            "pull",
            "--from",
            "PACS@host:104",
            "--archive",
            "a",
            "--since",
            "20241301",
        ],
        vec!["listen", "--port", "70000", "--archive", "a"],
        vec![
            "listen",
            "--port",
            "104",
            "--archive",
            "a",
            "--allow",
            "WAY-TOO-LONG-AE-TITLE",
        ],
    ] {
        let args = [&["dxa-ingest"][..], &bad[..]].concat();
        assert!(Cli::try_parse_from(args).is_err(), "{bad:?}");
    }
    let reversed = Cli::try_parse_from([
        "dxa-ingest",
        "pull",
        "--from",
        "PACS@host:104",
        "--archive",
        "a",
        "--since",
        "20240201",
        "--until",
        "20240101",
    ])
    .unwrap();
    let Command::Pull(args) = reversed.command else {
        panic!("not pull")
    };
    assert!(pull_config(args).is_err());
}

/// A configuration that cannot be made says why in a typed error, whose exit code the
/// binary uses: 2 for options that do not go together, 1 for a file that cannot be used.
#[test]
fn configuration_errors_are_typed_with_their_exit_codes() {
    let command = |args: &[&str]| {
        Cli::try_parse_from([&["dxa-ingest"], args].concat())
            .expect("parsed")
            .command
    };
    let pull = |args: &[&str]| match command(args) {
        Command::Pull(args) => pull_config(args).map(|_| ()),
        _ => panic!("not pull"),
    };
    let scan = |args: &[&str]| match command(args) {
        Command::Scan(args) => scan_config(args).map(|_| ()),
        _ => panic!("not scan"),
    };
    let base = ["pull", "--from", "PACS@host:104", "--archive", "a"];
    let error =
        pull(&[&base[..], &["--since", "20240102", "--until", "20240101"]].concat()).unwrap_err();
    assert!(
        matches!(&error, ConfigError::SinceAfterUntil { since, until }
            if since == "20240102" && until == "20240101"),
        "{error:?}"
    );
    assert_eq!(error.exit_code(), crate::ExitCode::Fatal);
    let error =
        pull(&[&base[..], &["--tls-ca", "ca.pem", "--move-port", "4006"]].concat()).unwrap_err();
    assert!(matches!(error, ConfigError::MoveWithTls), "{error:?}");
    let error = pull(&[&base[..], &["--tls-ca", "/nonexistent/ca.pem"]].concat()).unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::Tls(net::tls::TlsError::Certificates { .. })
        ),
        "{error:?}"
    );
    let error = scan(&["scan", "d", "--out", "d"]).unwrap_err();
    assert!(matches!(error, ConfigError::Usage(_)), "{error:?}");
    assert_eq!(error.exit_code(), crate::ExitCode::Usage);
    let error = scan(&["scan", "d", "--out", "o", "--lsc", "/nonexistent/lsc.csv"]).unwrap_err();
    assert!(matches!(error, ConfigError::Lsc(_)), "{error:?}");
    assert_eq!(error.exit_code(), crate::ExitCode::Fatal);
    let error = scan(&[
        "scan",
        "d",
        "--out",
        "o",
        "--pseudonymize",
        "/nonexistent/key",
    ])
    .unwrap_err();
    assert!(matches!(error, ConfigError::Key(_)), "{error:?}");
}
