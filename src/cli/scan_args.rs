//! The arguments of `scan`, `merge` and `inspect`, and the `ScanConfig` and `MergeConfig`
//! they become (the options `pull` and `listen` share with `scan` included).

use std::path::PathBuf;

use clap::{ArgGroup, Args};

use crate::classify::ClassifyOptions;
use crate::config::{
    FollowupMode, Inputs, MergeConfig, OutputOptions, ScanConfig, Target, UsageError,
    check_out_apart_from_inputs, check_partial_apart_from_inputs,
};
use crate::followup::LscTable;
use crate::pseudonym::Pseudonymizer;
use crate::sr::Limits;

use super::ConfigError;

/// Where `scan` reads files from.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("input").required(true).args(["paths", "files_from", "tar"])))]
pub struct InputArgs {
    /// Folders to walk and files to read.
    pub paths: Vec<PathBuf>,
    /// Read paths from FILE, one per line (`-` for standard input), instead of walking;
    /// blank lines and lines starting with `#` are ignored.
    #[arg(long, value_name = "FILE|-")]
    pub files_from: Option<PathBuf>,
    /// Read files from an archive: a tar stream (`-` for standard input), a gzip-compressed
    /// tar, or a ZIP file (not from a pipe); each member's name is its source path.
    #[arg(long, value_name = "FILE|-")]
    pub tar: Option<PathBuf>,
}

/// Where a run writes.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["out", "partial"])))]
pub struct TargetArgs {
    /// Output folder (created if missing): every output of the run, replaced as one set.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write a partial scan into FILE instead, for `dxa-ingest merge`.
    #[arg(long, value_name = "FILE")]
    pub partial: Option<PathBuf>,
}

impl TargetArgs {
    fn target(self) -> Target {
        match (self.out, self.partial) {
            (Some(out), _) => Target::Outputs(out),
            (None, Some(partial)) => Target::Partial(partial),
            (None, None) => unreachable!("clap requires --out or --partial"),
        }
    }
}

/// Options that act after extraction: `scan` and `merge` share them.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Always use the 33% radius as a diagnostic site, not only when hip and spine are
    /// unavailable (ISCD: hyperparathyroidism, very obese patients).
    #[arg(long)]
    pub radius_diagnostic: bool,
    /// The facility's least significant changes (CSV: site, lsc_g_cm2 or lsc_pct, optional
    /// device_serial) for followup.csv [default: ISCD minimum precision x 2.77].
    #[arg(long, value_name = "FILE")]
    pub lsc: Option<PathBuf>,
    /// When to write followup.csv (`never`: no body_followup.csv either).
    #[arg(long, value_enum, default_value_t = FollowupArg::Auto)]
    pub followup: FollowupArg,
    /// Replace patient IDs, UIDs, accession numbers, paths, institutions and device serials
    /// by keyed pseudonyms (HMAC-SHA256 with the key in KEYFILE, every byte of it, at least
    /// 16; same key, same pseudonyms) and write ages over 89 as 90.
    #[arg(long, value_name = "KEYFILE")]
    pub pseudonymize: Option<PathBuf>,
    /// With --pseudonymize: move every date of a patient by the same key-derived number of
    /// days (1 to 365, earlier or later), so that intervals are kept and dates are not.
    #[arg(long, requires = "pseudonymize")]
    pub shift_dates: bool,
    /// Output format: `csv`, or `parquet` for Parquet files beside the CSV files.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Also write fhir/bundles.ndjson: one FHIR R4 transaction Bundle per visit (Patient,
    /// DiagnosticReport, one Observation per value; LOINC, UCUM, SNOMED CT: docs/interop.md).
    #[arg(long)]
    pub fhir: bool,
    /// Also write omop/: the OMOP CDM v5.4 person, observation_period, visit_occurrence and
    /// measurement tables (docs/interop.md).
    #[arg(long)]
    pub omop: bool,
    /// Start every CSV file with a UTF-8 byte order mark, so that Excel reads accented
    /// names right (numbers keep their decimal point).
    #[arg(long)]
    pub excel: bool,
}

/// `scan` options.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// What to read.
    #[command(flatten)]
    pub input: InputArgs,
    /// What to write.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Skip the files recorded in these partial scans (repeatable): an incremental scan.
    /// Not with --tar: a tar stream comes in any order, so stream only the new files.
    #[arg(long, value_name = "PART", conflicts_with = "tar")]
    pub known: Vec<PathBuf>,
    /// How files are read and classified.
    #[command(flatten)]
    pub options: ScanOptions,
}

/// The options of a scan, shared by `scan`, `pull` and `listen` (everything but the inputs
/// and what is written).
#[derive(Debug, Clone, Args)]
pub struct ScanOptions {
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
    /// Most MiB read of one file (up to its pixel data, large binary values skipped);
    /// a file that needs more is `too_large`, refused before the bytes are read.
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_file_size: u64,
    /// What happens after extraction.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `merge` options.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial scans, in any order, however the files were split between them.
    #[arg(required = true, value_name = "PART")]
    pub partials: Vec<PathBuf>,
    /// What to write.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// What happens after extraction.
    #[command(flatten)]
    pub output: OutputArgs,
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
    /// The file to print.
    pub file: PathBuf,
    /// Extra vendor mapping (TOML); repeatable.
    #[arg(long, value_name = "FILE")]
    pub profile: Vec<PathBuf>,
    /// See `scan --radius-diagnostic`.
    #[arg(long)]
    pub radius_diagnostic: bool,
    /// Show the visit FILE belongs to (the files of its folder, grouped and classified as
    /// `scan` does) instead of FILE alone.
    #[arg(long)]
    pub visit: bool,
}

/// The limits every command applies.
pub fn limits(max_file_size_mib: u64) -> Limits {
    Limits {
        max_file_bytes: max_file_size_mib * 1024 * 1024,
        ..Limits::default()
    }
}

fn jobs(jobs: Option<u16>) -> usize {
    jobs.map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The validated output options; reads the LSC and key files.
fn output_options(args: &OutputArgs) -> Result<OutputOptions, ConfigError> {
    let lsc = match &args.lsc {
        Some(path) => LscTable::load(path)?,
        None => LscTable::default(),
    };
    let pseudonymize = match args.pseudonymize.as_deref() {
        Some(path) => {
            let (pseudonymizer, warning) = Pseudonymizer::from_key_file(path)?;
            if let Some(warning) = warning {
                eprintln!("{}", crate::net::log::warning_line(&warning));
            }
            Some(pseudonymizer)
        }
        None => None,
    };
    Ok(OutputOptions {
        classify: ClassifyOptions {
            radius_diagnostic: args.radius_diagnostic,
        },
        lsc,
        lsc_file: args.lsc.clone(),
        followup: args.followup.into(),
        pseudonymize,
        shift_dates: args.shift_dates,
        parquet: args.format == Format::Parquet,
        fhir: args.fhir,
        omop: args.omop,
        excel: args.excel,
    })
}

/// `--pseudonymize` with `--partial`: refused, since partials keep raw identifiers for the
/// merge, which pseudonymises (docs/privacy.md).
fn refuse_pseudonymized_partial(target: &Target, output: &OutputArgs) -> Result<(), UsageError> {
    match (target, &output.pseudonymize) {
        (Target::Partial(_), Some(_)) => Err(UsageError(
            "--pseudonymize does not apply to --partial: a partial keeps the identifiers that \
             merge needs to group visits and follow patients; pseudonymise in the merge \
             (dxa-ingest merge PART... --out DIR --pseudonymize KEYFILE)"
                .to_string(),
        )),
        _ => Ok(()),
    }
}

/// Refuses an output folder that is, or holds, one of the folders or partials read, and a
/// partial written inside one of them.
fn check_target(target: &Target, inputs: &[PathBuf]) -> Result<(), UsageError> {
    match target {
        Target::Outputs(out) => check_out_apart_from_inputs(out, inputs),
        Target::Partial(partial) => check_partial_apart_from_inputs(partial, inputs),
    }
}

/// Validated configuration from the parsed `scan` arguments.
pub fn scan_config(args: ScanArgs) -> Result<ScanConfig, ConfigError> {
    let inputs = match (args.input.files_from, args.input.tar) {
        (Some(list), _) => Inputs::List(list),
        (None, Some(tar)) => Inputs::Tar(tar),
        (None, None) => Inputs::Paths(args.input.paths),
    };
    let mut config = scan_config_for(&args.options, inputs, args.target.target())?;
    config.known = args.known;
    Ok(config)
}

/// The configuration of a scan of `inputs` into `target` with `options` (`scan`, and the
/// scan of the archive by `pull` and `listen`).
pub fn scan_config_for(
    options: &ScanOptions,
    inputs: Inputs,
    target: Target,
) -> Result<ScanConfig, ConfigError> {
    refuse_pseudonymized_partial(&target, &options.output)?;
    if let Inputs::Paths(paths) = &inputs {
        check_target(&target, paths)?;
    }
    Ok(ScanConfig {
        inputs,
        target,
        known: Vec::new(),
        jobs: jobs(options.jobs),
        follow_symlinks: options.follow_symlinks,
        profiles: options.profile.clone(),
        quiet: options.quiet,
        limits: limits(options.max_file_size),
        output: output_options(&options.output)?,
    })
}

/// Validated configuration from the parsed `merge` arguments.
pub fn merge_config(args: MergeArgs) -> Result<MergeConfig, ConfigError> {
    let target = args.target.target();
    refuse_pseudonymized_partial(&target, &args.output)?;
    check_target(&target, &args.partials)?;
    Ok(MergeConfig {
        partials: args.partials,
        target,
        jobs: jobs(args.jobs),
        quiet: args.quiet,
        output: output_options(&args.output)?,
    })
}
