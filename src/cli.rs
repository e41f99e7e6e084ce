//! The command line (clap derive). Doc comments here are the `--help` text. clap stops at
//! this border: `Cli` becomes a `ScanConfig` in `scan_config`, and nothing below knows clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::classify::ClassifyOptions;
use crate::config::FollowupMode;
use crate::config::{Inputs, ScanConfig};
use crate::followup::LscTable;
use crate::pseudonym::Pseudonymizer;
use crate::sr::Limits;

/// Turn folders of DXA (bone densitometry) DICOM SR exports into clean, classified CSV.
///
/// Exit codes: 0 every file ingested or skipped for a stated reason; 3 finished, but some
/// files are `error` rows in files.csv; 1 fatal (unreadable input, unwritable output);
/// 2 usage error.
#[derive(Debug, Parser)]
#[command(name = "dxa-ingest", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read every DXA SR under PATHs and write measurements.csv, studies.csv, files.csv.
    Scan(ScanArgs),
    /// Print one SR's content tree with what each NUM item maps to.
    Inspect(InspectArgs),
}

/// `scan` options (contract.md).
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Folders to walk and files to read.
    #[arg(required_unless_present = "files_from", conflicts_with = "files_from")]
    pub paths: Vec<PathBuf>,
    /// Output folder for the CSV files (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Follow symbolic links while walking (loops are detected and reported).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Extra vendor mapping (TOML, docs/profiles.md); repeatable; wins over built-ins.
    #[arg(long, value_name = "FILE")]
    pub profile: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Read paths from FILE, one per line (`-` for standard input), instead of walking.
    #[arg(long, value_name = "FILE|-")]
    pub files_from: Option<PathBuf>,
    /// Most MiB read of one file (up to its pixel data, large binary values skipped);
    /// a file that needs more is `too_large`, refused before the bytes are read.
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_file_size: u64,
    /// Always use the 33% radius as a diagnostic site, not only when hip and spine are
    /// unavailable (ISCD: hyperparathyroidism, very obese patients).
    #[arg(long)]
    pub radius_diagnostic: bool,
    /// The facility's least significant changes (CSV: site, lsc_g_cm2 or lsc_pct, optional
    /// device_serial) for followup.csv [default: ISCD minimum precision x 2.77].
    #[arg(long, value_name = "FILE")]
    pub lsc: Option<PathBuf>,
    /// When to write followup.csv.
    #[arg(long, value_enum, default_value_t = FollowupArg::Auto)]
    pub followup: FollowupArg,
    /// Replace patient IDs, UIDs and paths by keyed pseudonyms (HMAC-SHA256 with the key in
    /// KEYFILE, at least 16 bytes; same key, same pseudonyms).
    #[arg(long, value_name = "KEYFILE")]
    pub pseudonymize: Option<PathBuf>,
    /// Output format: `csv`, or `parquet` for Parquet files beside the CSV files.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
}

/// `--followup` values (the clap side of `config::FollowupMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FollowupArg {
    /// When any patient has more than one visit.
    Auto,
    /// Always (only a header when nobody has two visits).
    Always,
    /// Never.
    Never,
}

impl From<FollowupArg> for FollowupMode {
    fn from(arg: FollowupArg) -> FollowupMode {
        match arg {
            FollowupArg::Auto => FollowupMode::Auto,
            FollowupArg::Always => FollowupMode::Always,
            FollowupArg::Never => FollowupMode::Never,
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// CSV only.
    Csv,
    /// CSV and Parquet.
    Parquet,
}

/// `inspect` options.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The SR file to print.
    pub file: PathBuf,
    /// Extra vendor mapping (TOML); repeatable.
    #[arg(long, value_name = "FILE")]
    pub profile: Vec<PathBuf>,
    /// See `scan --radius-diagnostic`.
    #[arg(long)]
    pub radius_diagnostic: bool,
}

/// The limits every command applies.
pub fn limits(max_file_size_mib: u64) -> Limits {
    Limits {
        max_file_bytes: max_file_size_mib * 1024 * 1024,
        ..Limits::default()
    }
}

/// Validated configuration from the parsed arguments; reads the LSC and key files.
pub fn scan_config(args: ScanArgs) -> anyhow::Result<ScanConfig> {
    let jobs = args
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let lsc = match &args.lsc {
        Some(path) => LscTable::load(path)?,
        None => LscTable::default(),
    };
    let pseudonymize = args
        .pseudonymize
        .as_deref()
        .map(Pseudonymizer::from_key_file)
        .transpose()?;
    Ok(ScanConfig {
        inputs: match args.files_from {
            Some(list) => Inputs::List(list),
            None => Inputs::Paths(args.paths),
        },
        out_dir: args.out,
        jobs,
        follow_symlinks: args.follow_symlinks,
        profiles: args.profile,
        quiet: args.quiet,
        limits: limits(args.max_file_size),
        classify: ClassifyOptions {
            radius_diagnostic: args.radius_diagnostic,
        },
        lsc,
        followup: args.followup.into(),
        pseudonymize,
        parquet: args.format == Format::Parquet,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn paths_or_list_required() {
        assert!(Cli::try_parse_from(["dxa-ingest", "scan", "--out", "o"]).is_err());
        assert!(
            Cli::try_parse_from(["dxa-ingest", "scan", "--out", "o", "--files-from", "-"]).is_ok()
        );
        assert!(
            Cli::try_parse_from(["dxa-ingest", "scan", "d", "--out", "o", "--jobs", "0"]).is_err()
        );
    }
}
