//! The arguments of `pull` and `listen`, and their configs.

use std::path::PathBuf;

use clap::Args;

use super::{ScanOptions, limits, scan_config_for};
use crate::config::{Inputs, ScanConfig, Target};
use crate::net;

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
pub(super) const PULL_HELP: &str = "\
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
pub(super) const LISTEN_HELP: &str = "\
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
    out.map(|out| {
        scan_config_for(
            scan,
            Inputs::Paths(vec![archive.to_path_buf()]),
            Target::Outputs(out),
        )
    })
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
