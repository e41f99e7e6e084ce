//! The arguments of `pull` and `listen`, and their configs.

use std::path::PathBuf;

use clap::Args;

use super::ConfigError;
use super::scan_args::{ScanOptions, limits, scan_config_for};
use crate::config::{Inputs, ScanConfig, Target};
use crate::net;
use crate::net::log::LogFormat;
use crate::net::tls::{self, TlsFiles};

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
    /// Log lines on stderr: text, or one JSON object per line (time, level, event, peer,
    /// counts, message).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Read options from this TOML file (keys are the long options: `archive = "/srv/dxa"`,
    /// `allow = ["HOLOGIC1"]`, `max-associations = 8`); options given on the command line win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    /// Studies kept from the query; more: pull stops before retrieving anything, and says so.
    #[arg(long, value_name = "N", default_value_t = net::DEFAULT_MAX_STUDIES as u64, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_studies: u64,
    /// Seconds one operation (a query, a retrieve) may take to its final response: a PACS
    /// that keeps answering "pending" cannot hold pull forever.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub deadline: u64,
    /// DICOM TLS: the CA certificate(s) (PEM) that signed the PACS's certificate.
    #[arg(long, value_name = "FILE")]
    pub tls_ca: Option<PathBuf>,
    /// DICOM TLS: our certificate (PEM), for a PACS that requires one (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// DICOM TLS: the private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
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
    /// TCP port to listen on (every interface); 0: one the system picks, said in the log.
    #[arg(long, value_name = "N")]
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
    /// Connections still negotiating (TLS handshake, association request) at once; one
    /// more closes the oldest. They hold no association slot.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_negotiating: u16,
    /// Seconds a connection has for its TLS handshake and its whole association request.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout: u64,
    /// Seconds associations in progress get to end after SIGTERM/SIGINT.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub grace: u64,
    /// DICOM TLS: our certificate (PEM, ours first); with --tls-key, every connection is TLS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// DICOM TLS: the private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// DICOM TLS: require a client certificate signed by this CA (PEM): mutual TLS.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_ca: Option<PathBuf>,
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

  dxa-ingest pull --config /etc/dxa-ingest/pull.toml --since 20240101
  dxa-ingest pull --from PACS@pacs.example.org:2762 --tls-ca ca.pem --archive a   (DICOM TLS)

Only series that can carry results are retrieved (Modality SR, or OT: secondary capture
report images); an object already in the archive is never fetched again. Limits: PDUs up to
--max-pdu bytes, objects up to --max-file-size MiB (larger ones are refused), --timeout
seconds of silence end an association, --deadline seconds per operation, --max-studies.
See docs/network.md and docs/service.md.

Exit codes: 0 done; 3 some objects could not be retrieved, or files.csv has `error` rows;
1 the PACS cannot be reached or refuses, the archive or --out cannot be written; 2 usage.";

/// `listen --help`: examples, limits, signals, exit codes.
pub(super) const LISTEN_HELP: &str = "\
Examples:
  dxa-ingest listen --port 11112 --archive dxa-archive --out out
  dxa-ingest listen --port 104 --ae-title DXA --allow HOLOGIC1 --allow LUNAR2 \\
      --archive /srv/dxa --out /srv/dxa-out
  dxa-ingest listen --config /etc/dxa-ingest/listen.toml --log-format json
  dxa-ingest listen --port 2762 --tls-cert node.pem --tls-key node.key --tls-ca ca.pem \\
      --archive a                                      (DICOM TLS, client certificates)

Every standard storage SOP class is accepted, in any transfer syntax the scan reads
(uncompressed, deflated, big endian, compressed pixel data). Success is answered once the
object is on disk; an object that cannot be stored gets a failure status (the sender
retries). Limits: at most --max-associations at once (connections still negotiating take
none, and have --request-timeout seconds for it), PDUs up to --max-pdu bytes, objects up to
--max-file-size MiB, an association without a whole PDU for --timeout seconds is closed.
One log line per association on stderr. SIGINT/SIGTERM: stop accepting, close the
negotiating connections, give the transfers in progress --grace seconds, bring --out up to
date, exit 0 (a second signal stops at once). See docs/network.md and docs/service.md.

Exit codes: 0 stopped by a signal; 1 the port or the archive cannot be used; 2 usage.";

fn net_options(args: &NetArgs, scan: &ScanOptions) -> net::NetOptions {
    net::log::set_format(args.log_format);
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
) -> Result<Option<ScanConfig>, ConfigError> {
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
pub fn pull_config(args: PullArgs) -> Result<net::PullConfig, ConfigError> {
    if let (Some(since), Some(until)) = (&args.since, &args.until)
        && since > until
    {
        return Err(ConfigError::SinceAfterUntil {
            since: since.clone(),
            until: until.clone(),
        });
    }
    let files = TlsFiles {
        cert: args.tls_cert,
        key: args.tls_key,
        ca: args.tls_ca,
    };
    if files.any() && args.move_port.is_some() {
        return Err(ConfigError::MoveWithTls);
    }
    let tls = if files.any() {
        tls::server_name(&args.from.host)?;
        Some(tls::client_config(&files)?)
    } else {
        None
    };
    Ok(net::PullConfig {
        scan: archive_scan(args.out, &args.archive, &args.scan)?,
        tls,
        max_studies: usize::try_from(args.max_studies).unwrap_or(usize::MAX),
        deadline: std::time::Duration::from_secs(args.deadline),
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
pub fn listen_config(args: ListenArgs) -> Result<net::ListenConfig, ConfigError> {
    let files = TlsFiles {
        cert: args.tls_cert,
        key: args.tls_key,
        ca: args.tls_ca,
    };
    let seconds = std::time::Duration::from_secs;
    Ok(net::ListenConfig {
        scan: archive_scan(args.out, &args.archive, &args.scan)?,
        net: net_options(&args.net, &args.scan),
        port: args.port,
        archive: args.archive,
        allow: args.allow,
        limits: net::server::ServerLimits {
            max_associations: usize::from(args.max_associations),
            max_negotiating: usize::from(args.max_negotiating),
            request_timeout: seconds(args.request_timeout),
            grace: seconds(args.grace),
        },
        rescan_after: seconds(args.rescan_after),
        tls: if files.any() {
            Some(tls::server_config(&files)?)
        } else {
            None
        },
    })
}
