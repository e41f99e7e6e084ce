//! The command line (clap derive). Doc comments here are the `--help` text. clap stops at
//! this border: `Cli` becomes a `ScanConfig` in `scan_config`, and nothing below knows clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::classify::ClassifyOptions;
use crate::config::FollowupMode;
use crate::config::{Inputs, ScanConfig};
use crate::followup::LscTable;
use crate::net;
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
    /// Fetch results from a PACS (C-FIND, then C-GET or C-MOVE) into an archive, then scan it.
    #[command(after_long_help = PULL_HELP)]
    Pull(PullArgs),
    /// Receive objects from scanners (C-STORE, C-ECHO) into an archive; keep outputs current.
    #[command(after_long_help = LISTEN_HELP)]
    Listen(ListenArgs),
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
    /// Read paths from FILE, one per line (`-` for standard input), instead of walking.
    #[arg(long, value_name = "FILE|-")]
    pub files_from: Option<PathBuf>,
    /// How files are read and classified.
    #[command(flatten)]
    pub options: ScanOptions,
}

/// The options of a scan, shared by `scan`, `pull` and `listen` (everything but the inputs
/// and the output folder).
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
    /// Files larger than this many MiB are `too_large` without being read.
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
    let inputs = match args.files_from {
        Some(list) => Inputs::List(list),
        None => Inputs::Paths(args.paths),
    };
    scan_config_for(&args.options, inputs, args.out)
}

/// The configuration of a scan of `inputs` into `out_dir` with `options` (`scan`, and the
/// scan of the archive by `pull` and `listen`).
pub fn scan_config_for(
    options: &ScanOptions,
    inputs: Inputs,
    out_dir: PathBuf,
) -> anyhow::Result<ScanConfig> {
    let jobs = options
        .jobs
        .map(usize::from)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let lsc = match &options.lsc {
        Some(path) => LscTable::load(path)?,
        None => LscTable::default(),
    };
    let pseudonymize = options
        .pseudonymize
        .as_deref()
        .map(Pseudonymizer::from_key_file)
        .transpose()?;
    Ok(ScanConfig {
        inputs,
        out_dir,
        jobs,
        follow_symlinks: options.follow_symlinks,
        profiles: options.profile.clone(),
        quiet: options.quiet,
        limits: limits(options.max_file_size),
        classify: ClassifyOptions {
            radius_diagnostic: options.radius_diagnostic,
        },
        lsc,
        followup: options.followup.into(),
        pseudonymize,
        parquet: options.format == Format::Parquet,
    })
}

/// Limits and timeouts of `pull` and `listen`.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// Our AE title (calling AE title of `pull`, the title `listen` answers to).
    #[arg(long, value_name = "AET", default_value = net::DEFAULT_AE_TITLE, value_parser = net::check_ae_title)]
    pub ae_title: String,
    /// Largest PDU we accept, in bytes (the peer may send smaller ones). It also bounds the
    /// association request, which lists the peer's presentation contexts: hence 16 KiB at least.
    #[arg(long, value_name = "BYTES", default_value_t = net::DEFAULT_MAX_PDU, value_parser = clap::value_parser!(u32).range(16_384..=16_777_216))]
    pub max_pdu: u32,
    /// Seconds to wait for a connection, or for the peer's next message, before giving up
    /// on an association.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
}

/// `pull` options (docs/network.md).
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The PACS: its AE title, host and port.
    #[arg(long, value_name = "AET@HOST:PORT")]
    pub from: net::PeerAddress,
    /// Archive folder: one file per object, ARCHIVE/<StudyInstanceUID>/<SOPInstanceUID>.dcm.
    #[arg(long, value_name = "DIR")]
    pub archive: PathBuf,
    /// First study date (inclusive).
    #[arg(long, value_name = "YYYYMMDD", value_parser = net::check_date)]
    pub since: Option<String>,
    /// Last study date (inclusive).
    #[arg(long, value_name = "YYYYMMDD", value_parser = net::check_date)]
    pub until: Option<String>,
    /// Only the studies of this patient ID.
    #[arg(long, value_name = "ID")]
    pub patient: Option<String>,
    /// Retrieve with C-MOVE instead of C-GET: the PACS sends to our AE title on this port
    /// (the PACS must know that AE title, this host and this port).
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub move_port: Option<u16>,
    /// Scan the archive into this folder afterwards (as `scan ARCHIVE --out DIR`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Network limits.
    #[command(flatten)]
    pub net: NetArgs,
    /// Scan options (the largest object retrieved is --max-file-size).
    #[command(flatten)]
    pub scan: ScanOptions,
}

/// `listen` options (docs/network.md).
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// TCP port to listen on (every interface).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: u16,
    /// Archive folder: one file per object, ARCHIVE/<StudyInstanceUID>/<SOPInstanceUID>.dcm.
    #[arg(long, value_name = "DIR")]
    pub archive: PathBuf,
    /// Accept associations only from this calling AE title; repeatable [default: anyone].
    #[arg(long, value_name = "AET", value_parser = net::check_ae_title)]
    pub allow: Vec<String>,
    /// Keep this output folder up to date (a scan of the archive once nothing arrived for
    /// --rescan-after seconds, and at shutdown).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Associations served at once; more are refused (transient) and their senders retry.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_associations: u16,
    /// Seconds without a new object before --out is brought up to date.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub rescan_after: u64,
    /// Network limits.
    #[command(flatten)]
    pub net: NetArgs,
    /// Scan options (the largest object accepted is --max-file-size).
    #[command(flatten)]
    pub scan: ScanOptions,
}

/// `pull --help`: examples, limits, exit codes.
const PULL_HELP: &str = "\
Examples:
  dxa-ingest pull --from ORTHANC@pacs.example.org:4242 --archive dxa-archive --out out
  dxa-ingest pull --from PACS@10.0.0.5:104 --ae-title DXA --since 20240101 --until 20241231 \\
      --archive dxa-archive --out out
  dxa-ingest pull --from PACS@10.0.0.5:104 --ae-title DXA --move-port 11113 --archive a

Only series that can carry results are retrieved (Modality SR, or OT: secondary capture
report images); an object already in the archive is never fetched again. Limits: PDUs up to
--max-pdu bytes, objects up to --max-file-size MiB (larger ones are refused), --timeout
seconds of silence end an association. See docs/network.md.

Exit codes: 0 done; 3 some objects could not be retrieved, or files.csv has `error` rows;
1 the PACS cannot be reached or refuses, the archive or --out cannot be written; 2 usage.";

/// `listen --help`: examples, limits, signals, exit codes.
const LISTEN_HELP: &str = "\
Examples:
  dxa-ingest listen --port 11112 --archive dxa-archive --out out
  dxa-ingest listen --port 104 --ae-title DXA --allow HOLOGIC1 --allow LUNAR2 \\
      --archive /srv/dxa --out /srv/dxa-out

Every standard storage SOP class is accepted, in any transfer syntax the scan reads
(uncompressed, deflated, big endian, compressed pixel data). Success is answered once the
object is on disk; an object that cannot be stored gets a failure status (the sender
retries). Limits: at most --max-associations at once, PDUs up to --max-pdu bytes, objects up
to --max-file-size MiB, --timeout seconds of silence end an association. One log line per
association on stderr. SIGINT/SIGTERM: stop accepting, finish the transfers in progress,
bring --out up to date, exit 0 (a second signal stops at once). See docs/network.md.

Exit codes: 0 stopped by a signal; 1 the port or the archive cannot be used; 2 usage.";

fn net_options(args: &NetArgs, scan: &ScanOptions) -> net::NetOptions {
    net::NetOptions {
        ae_title: args.ae_title.clone(),
        max_pdu: args.max_pdu,
        max_object_bytes: limits(scan.max_file_size).max_file_bytes,
        timeout: std::time::Duration::from_secs(args.timeout),
    }
}

fn archive_scan(
    out: Option<PathBuf>,
    archive: &std::path::Path,
    scan: &ScanOptions,
) -> anyhow::Result<Option<ScanConfig>> {
    out.map(|out| scan_config_for(scan, Inputs::Paths(vec![archive.to_path_buf()]), out))
        .transpose()
}

/// The validated configuration of `pull`.
pub fn pull_config(args: PullArgs) -> anyhow::Result<net::PullConfig> {
    if let (Some(since), Some(until)) = (&args.since, &args.until)
        && since > until
    {
        anyhow::bail!("--since {since} is after --until {until}");
    }
    Ok(net::PullConfig {
        scan: archive_scan(args.out, &args.archive, &args.scan)?,
        net: net_options(&args.net, &args.scan),
        peer: args.from,
        archive: args.archive,
        query: net::StudyQuery {
            since: args.since,
            until: args.until,
            patient_id: args.patient,
        },
        method: match args.move_port {
            Some(port) => net::RetrieveMethod::Move { port },
            None => net::RetrieveMethod::Get,
        },
        quiet: args.scan.quiet,
    })
}

/// The validated configuration of `listen`.
pub fn listen_config(args: ListenArgs) -> anyhow::Result<net::ListenConfig> {
    Ok(net::ListenConfig {
        scan: archive_scan(args.out, &args.archive, &args.scan)?,
        net: net_options(&args.net, &args.scan),
        port: args.port,
        archive: args.archive,
        allow: args.allow,
        max_associations: usize::from(args.max_associations),
        rescan_after: std::time::Duration::from_secs(args.rescan_after),
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
            vec!["listen", "--port", "0", "--archive", "a"],
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
}
