//! `--config FILE` of `listen` and `pull` (docs/service.md): a TOML file whose keys are the
//! long options (`archive = "/srv/dxa"`, `allow = ["HOLOGIC1", "LUNAR2"]`,
//! `max-associations = 8`, `quiet = true`). Options given on the command line win: the
//! file's options are added as if typed before them, only for those the command line does
//! not give, and then the command line is parsed as usual, so the file's values are checked
//! exactly as typed ones are.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgMatches, Command};

/// The commands that read `--config`.
const WITH_CONFIG: [&str; 2] = ["listen", "pull"];

/// The command line `args` (program name first) with the options of the `--config` file
/// of `listen` or `pull` added, or `args` unchanged. An unreadable file, an unknown key or
/// a value of the wrong kind is a usage error, with the file named.
pub fn with_config_file(command: &Command, args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let Some(name) = args.get(1).and_then(|a| a.to_str()).map(str::to_string) else {
        return Ok(args);
    };
    if !WITH_CONFIG.contains(&name.as_str()) {
        return Ok(args);
    }
    let Some(sub) = command.find_subcommand(&name) else {
        return Ok(args);
    };
    // Required options may be in the file: parse leniently to see what was typed.
    let lenient = sub
        .clone()
        .mut_args(|arg| arg.required(false))
        .no_binary_name(true);
    let Ok(typed) = lenient.try_get_matches_from(&args[2..]) else {
        // Let the real parse report it.
        return Ok(args);
    };
    let Some(file) = typed.get_one::<PathBuf>("config").cloned() else {
        return Ok(args);
    };
    let added = file_options(sub, &typed, &file)?;
    let mut merged = args[..2].to_vec();
    merged.extend(added);
    merged.extend_from_slice(&args[2..]);
    Ok(merged)
}

/// The options of `file` not given in `typed`, as command-line arguments.
fn file_options(sub: &Command, typed: &ArgMatches, file: &Path) -> Result<Vec<OsString>, String> {
    let shown = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("cannot read --config {shown}: {e}"))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("--config {shown} is not TOML: {e}"))?;
    let mut added = Vec::new();
    for (key, value) in &table {
        let arg = sub
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()) && key != "config" && key != "help")
            .ok_or_else(|| {
                format!(
                    "--config {shown}: `{key}` is not an option of `{}` (keys are the long \
                     options, e.g. `max-file-size`)",
                    sub.get_name()
                )
            })?;
        if typed.value_source(arg.get_id().as_str()) == Some(ValueSource::CommandLine) {
            continue;
        }
        let takes_values = arg.get_action().takes_values();
        let wrong = |what: &str| format!("--config {shown}: `{key}` {what}");
        match value {
            toml::Value::Boolean(set) if !takes_values => {
                if *set {
                    added.push(OsString::from(format!("--{key}")));
                }
            }
            _ if !takes_values => return Err(wrong("is a switch: true or false")),
            toml::Value::String(text) => added.push(format!("--{key}={text}").into()),
            toml::Value::Integer(n) => added.push(format!("--{key}={n}").into()),
            toml::Value::Array(items) => {
                for item in items {
                    match item {
                        toml::Value::String(text) => added.push(format!("--{key}={text}").into()),
                        toml::Value::Integer(n) => added.push(format!("--{key}={n}").into()),
                        _ => return Err(wrong("takes strings or integers")),
                    }
                }
            }
            _ => return Err(wrong("takes a string, an integer or a list of them")),
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::{CommandFactory, Parser};

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn merged(file_text: &str, typed: &[&str]) -> Result<Vec<String>, String> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("listen.toml");
        std::fs::write(&file, file_text).unwrap();
        let mut line = vec!["dxa-ingest", "listen", "--config", file.to_str().unwrap()];
        line.extend_from_slice(typed);
        // The file is read now: the folder may go.
        with_config_file(&Cli::command(), args(&line)).map(|all| {
            all.iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect()
        })
    }

    #[test]
    fn the_file_fills_in_what_the_command_line_does_not_give() {
        let file = "port = 11112\narchive = \"/srv/dxa\"\nallow = [\"HOLOGIC1\", \"LUNAR2\"]\n\
                    max-associations = 4\nquiet = true\n";
        let all = merged(file, &["--port", "104"]).unwrap();
        assert!(all.contains(&"--archive=/srv/dxa".to_string()), "{all:?}");
        assert!(all.contains(&"--allow=HOLOGIC1".to_string()));
        assert!(all.contains(&"--allow=LUNAR2".to_string()));
        assert!(all.contains(&"--max-associations=4".to_string()));
        assert!(all.contains(&"--quiet".to_string()));
        // The typed --port wins: the file's is not added.
        assert!(!all.iter().any(|a| a == "--port=11112"), "{all:?}");
        let cli = Cli::try_parse_from(&all).unwrap();
        match cli.command {
            crate::cli::Command::Listen(listen) => {
                assert_eq!(listen.port, 104);
                assert_eq!(listen.allow, vec!["HOLOGIC1", "LUNAR2"]);
                assert_eq!(listen.max_associations, 4);
            }
            other => panic!("{other:?}"),
        }
        // A typed --allow replaces the file's list.
        let all = merged(file, &["--allow", "ONLY"]).unwrap();
        assert!(!all.iter().any(|a| a.starts_with("--allow=")), "{all:?}");
    }

    #[test]
    fn unknown_keys_and_wrong_kinds_are_usage_errors() {
        let unknown = merged("archive = \"a\"\nmax-assocations = 3\n", &[]).unwrap_err();
        assert!(
            unknown.contains("`max-assocations` is not an option of `listen`"),
            "{unknown}"
        );
        let switch = merged("quiet = \"yes\"\n", &[]).unwrap_err();
        assert!(switch.contains("is a switch"), "{switch}");
        let table = merged("archive = { path = \"a\" }\n", &[]).unwrap_err();
        assert!(table.contains("takes a string"), "{table}");
        assert!(
            merged("not toml [", &[])
                .unwrap_err()
                .contains("is not TOML")
        );
        let nested = merged("config = \"other.toml\"\n", &[]).unwrap_err();
        assert!(nested.contains("not an option"), "{nested}");
    }

    #[test]
    fn other_commands_and_lines_without_config_are_unchanged() {
        let line = args(&["dxa-ingest", "scan", "x", "--out", "o"]);
        assert_eq!(
            with_config_file(&Cli::command(), line.clone()).unwrap(),
            line
        );
        let line = args(&["dxa-ingest", "listen", "--port", "1", "--archive", "a"]);
        assert_eq!(
            with_config_file(&Cli::command(), line.clone()).unwrap(),
            line
        );
    }
}
