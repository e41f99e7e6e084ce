//! The command line (clap derive). Doc comments here are the `--help` text. clap stops at
//! this border: the arguments become a `ScanConfig` or `MergeConfig` here, and nothing below
//! knows clap.

use clap::{Parser, Subcommand};

/// The exit codes, for every command's --help (docs/columns.md, "Exit codes").
const EXIT_CODES: &str = "\
Exit codes:
  0  every file ingested, or skipped for a stated reason (files.csv says which and why)
  1  fatal: an input cannot be read, the output cannot be written, a partial is refused
  2  usage error (also: --out is or holds an input; --pseudonymize with --partial)
  3  finished, but at least one file is an `error` row in files.csv
  4  finished, but not one results document was ingested (scan and merge into --out)
  130, 143  interrupted by SIGINT, SIGTERM: the output folder holds what it held before";

/// Turn DXA (bone densitometry) exports into classified, comparable tables.
///
/// Reads Hologic and GE Lunar results (DICOM SR trees, GE's XML copies, Hologic report
/// images' results documents) among images, DICOMDIRs, PDFs and junk; classifies every visit
/// by the ISCD Official Positions; writes CSV (and Parquet) tables and a report.
#[derive(Debug, Parser)]
#[command(name = "dxa-ingest", version, about, long_about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every results document under PATHs and write measurements.csv, studies.csv
    /// (one row per visit), documents.csv, history.csv, files.csv, followup.csv,
    /// report.html and run.json into --out (or a partial scan into --partial).
    #[command(after_help = SCAN_HELP)]
    Scan(ScanArgs),
    /// Combine partial scans (made with `scan --partial`) into the outputs one scan of all
    /// their files would have written, byte for byte.
    #[command(after_help = MERGE_HELP)]
    Merge(MergeArgs),
    /// Print one file's results (SR tree, XML copy or results document) with what each value
    /// maps to, then the rows and classification `scan` would write.
    #[command(after_help = INSPECT_HELP)]
    Inspect(InspectArgs),
    /// Fetch results from a PACS (C-FIND, then C-GET or C-MOVE) into an archive, then scan it.
    #[command(after_long_help = PULL_HELP)]
    Pull(PullArgs),
    /// Receive objects from scanners (C-STORE, C-ECHO) into an archive; keep outputs current.
    #[command(after_long_help = LISTEN_HELP)]
    Listen(ListenArgs),
}

const SCAN_HELP: &str = "\
Examples:
  dxa-ingest scan /archive/dxa --out results
  dxa-ingest scan /archive --out research --pseudonymize key --shift-dates --format parquet
  find /archive -name '*.dcm' | dxa-ingest scan --files-from - --out results
  dxa-ingest scan /archive/2024 --partial 2024.part       (then: dxa-ingest merge *.part --out results)
  dxa-ingest scan /archive --known archive.part --partial new.part   (only files not in archive.part)

Exit codes:
  0  every file ingested, or skipped for a stated reason (files.csv says which and why)
  1  fatal: an input cannot be read, the output cannot be written
  2  usage error; --out is or holds an input (named or listed); --partial inside an
     input folder; --pseudonymize with --partial
  3  finished, but at least one file is an `error` row in files.csv
  4  finished, but not one results document was ingested (a misconfigured export?);
     not with --partial, a piece of an archive
  130, 143  interrupted by SIGINT, SIGTERM: the output folder holds what it held before";

const MERGE_HELP: &str = "\
Examples:
  dxa-ingest merge part-*.part --out results
  dxa-ingest merge archive.part new.part --out results --pseudonymize key --shift-dates
  dxa-ingest merge archive.part new.part --partial archive2.part    (one partial from many)

Partials must come from the same dxa-ingest version, profiles and extraction options; a
path recorded in several partials is one file. Pseudonymise in merge: partials hold raw
identifiers.

Exit codes:
  0  every file ingested, or skipped for a stated reason
  1  fatal: a partial is cut short, corrupt, of another version or other options; output
     unwritable
  2  usage error; --out holds a partial; --pseudonymize with --partial
  3  finished, but at least one file is an `error` row in files.csv
  4  finished, but not one results document was ingested (not with --partial)
  130, 143  interrupted: the output folder holds what it held before";

const INSPECT_HELP: &str = "\
Examples:
  dxa-ingest inspect export/SR000001.dcm
  dxa-ingest inspect export/SR000001.dcm --profile site.toml

Exit codes:
  0  the file would be ingested
  1  the file cannot be opened (missing, a folder, not a regular file)
  2  usage error
  3  the file would not be ingested (the output says why)";

mod config_error;
mod net_args;
mod net_config;
mod scan_args;
pub use config_error::ConfigError;
use net_args::{LISTEN_HELP, PULL_HELP};
pub use net_args::{ListenArgs, NetArgs, PullArgs, listen_config, pull_config};
pub use scan_args::{
    FollowupArg, Format, InputArgs, InspectArgs, MergeArgs, OutputArgs, ScanArgs, ScanOptions,
    TargetArgs, limits, merge_config, scan_config, scan_config_for,
};

#[cfg(test)]
mod tests;

/// The command line, with the options of `listen --config FILE` and `pull --config FILE`
/// added (docs/service.md); clap's error (a usage error, or `--help` and `--version`, which
/// it prints and exits 0 for) is the caller's to print and exit with (`clap::Error::exit`).
///
/// The log of `listen` and `pull` is started first, in the `--log-format` asked for (on the
/// command line, or in a `--config` file that can be read), so that their errors, clap's
/// included, are lines of that log (docs/service.md, "The log").
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, Parser};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let merged = net_config::with_config_file(&Cli::command(), args.clone());
    start_log(merged.as_deref().unwrap_or(&args));
    match merged {
        Ok(args) => Cli::try_parse_from(args),
        Err(message) => Err(Cli::command().error(clap::error::ErrorKind::ValueValidation, message)),
    }
}

/// Starts the log of `listen` or `pull` in the format `args` ask for, read leniently (the
/// rest of the command line may be wrong: the real parse says so, in that format).
fn start_log(args: &[std::ffi::OsString]) {
    use clap::CommandFactory;
    let command = match args.get(1).and_then(|a| a.to_str()) {
        Some("listen") => "listen",
        Some("pull") => "pull",
        _ => return,
    };
    let format = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(args)
        .ok()
        .and_then(|matches| {
            let (_, sub) = matches.subcommand()?;
            sub.try_get_one::<crate::net::log::LogFormat>("log_format")
                .ok()
                .flatten()
                .copied()
        })
        .unwrap_or_default();
    crate::net::log::start(command, format);
}
