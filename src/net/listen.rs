//! `listen`: a storage SCP for scanners (docs/network.md). Objects go into the archive as
//! they arrive; with `--out`, the outputs are brought up to date by a scan of the whole
//! archive once nothing has arrived for `--rescan-after` seconds, and at shutdown.
//!
//! Why a whole rescan after a quiet period: a visit is classified over all of its documents,
//! which a scanner sends in a burst (GE: one SR per exam, FRAX and LVA apart, sometimes a
//! day after the images; docs/profiles.md). Scanning during the burst would classify a
//! half-sent visit; scanning once it is over gives the same outputs as a `scan` of the
//! archive, which is what the tests check. The scan holds the archive's gate: objects
//! arriving meanwhile wait, and are stored (and answered) when it ends.
//!
//! SIGINT / SIGTERM: the port is closed, connections still negotiating are cut, associations
//! in progress get `--grace` seconds to end, the outputs are brought up to date, exit 0. A
//! second signal stops at once (exit 130), removing any half-written output as `scan` does.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::archive::{Admission, Archive, Refusal, Stored};
use super::log::{self, Event, Level};
use super::options::NetOptions;
use super::rescan::{OutputFolderError, check_output, rescan};
use super::server::{Server, ServerLimits};
use super::store::StoreObserver;
use crate::config::ScanConfig;
use crate::exit::ExitCode;
use crate::pipeline::{Cause, chain_text};
use crate::profile::Mapper;
use crate::scan::ScanError;

/// Everything `listen` needs.
#[derive(Debug, Clone)]
pub struct ListenConfig {
    /// TCP port, on every interface.
    pub port: u16,
    /// The archive folder (created if missing).
    pub archive: PathBuf,
    /// Limits and our AE title.
    pub net: NetOptions,
    /// Calling AE titles accepted; empty: any.
    pub allow: Vec<String>,
    /// Associations served at once, negotiations, their deadlines, the shutdown's grace.
    pub limits: ServerLimits,
    /// With `scan`: the outputs are brought up to date once nothing arrived for this long.
    pub rescan_after: Duration,
    /// The scan of the archive into `--out`, when asked for.
    pub scan: Option<ScanConfig>,
    /// DICOM TLS (`--tls-cert`, `--tls-key`, and `--tls-ca` for client certificates).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// Why `listen` stopped with an error (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ListenError {
    /// `--out` cannot be used.
    #[error(transparent)]
    OutputFolder(#[from] OutputFolderError),
    /// The archive folder cannot be created or written in.
    #[error("cannot write the archive {path}")]
    Archive {
        /// The archive folder, as given.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The port cannot be bound.
    #[error("cannot listen on port {port}")]
    Bind {
        /// The port.
        port: u16,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Accepting connections failed.
    #[error("the listening port failed")]
    Serve(#[source] std::io::Error),
    /// The scan at shutdown failed.
    #[error(transparent)]
    Scan(#[from] ScanError),
}

impl ListenError {
    /// The error for a chain that starts at it (a scan's: its stage's own error).
    pub fn into_cause(self) -> Cause {
        match self {
            ListenError::OutputFolder(e) => Box::new(e),
            ListenError::Scan(e) => e.into_cause(),
            other => Box::new(other),
        }
    }
}

static STOP: AtomicBool = AtomicBool::new(false);

/// The flag `run` stops on (`stop_requested` sets it).
pub fn stop_flag() -> &'static AtomicBool {
    &STOP
}

/// `listen`'s answer to a SIGINT or SIGTERM: the first asks `run` to stop (no new
/// association; those in progress get --grace) and returns None; a second removes the run's
/// staging folder if a rescan is writing and returns the interruption the binary exits with
/// (130).
pub fn stop_requested() -> Option<crate::output::folder::Interruption> {
    if STOP.swap(true, Ordering::SeqCst) {
        return Some(crate::output::folder::abandon(
            "dxa-ingest: interrupted again: stopped without bringing the outputs up to date",
        ));
    }
    log::emit(
        "listen",
        Level::Info,
        "stopping",
        "stopping: no new association; negotiations cut; those in progress get \
         --grace to end (signal again to stop at once)",
    );
    None
}

/// When the last object arrived, and whether the outputs are behind the archive.
#[derive(Debug)]
struct RescanClock {
    state: Mutex<ClockState>,
}

#[derive(Debug)]
struct ClockState {
    last_arrival: Instant,
    behind: bool,
}

impl RescanClock {
    fn lock(&self) -> std::sync::MutexGuard<'_, ClockState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the quiet period is over with new objects to scan; if so, they are taken.
    fn take_due(&self, quiet: Duration) -> bool {
        let mut state = self.lock();
        let due = state.behind && state.last_arrival.elapsed() >= quiet;
        if due {
            state.behind = false;
        }
        due
    }
}

impl StoreObserver for RescanClock {
    fn object(&self, outcome: &Result<Stored, Refusal>) {
        let mut state = self.lock();
        state.last_arrival = Instant::now();
        if matches!(outcome, Ok(Stored::New { .. })) {
            state.behind = true;
        }
    }
}

/// Runs `listen` until `stop` is set. Exit 1 (an error) when the port or the archive cannot
/// be used; 0 after a clean shutdown.
pub fn run(
    config: &ListenConfig,
    mapper: &Mapper,
    stop: &AtomicBool,
) -> Result<ExitCode, ListenError> {
    if let Some(crate::config::Target::Outputs(out)) = config.scan.as_ref().map(|s| &s.target) {
        check_output(out)?;
    }
    let archive =
        Archive::open(&config.archive, config.net.max_object_bytes).map_err(|source| {
            ListenError::Archive {
                path: config.archive.display().to_string(),
                source,
            }
        })?;
    let listener =
        TcpListener::bind(("0.0.0.0", config.port)).map_err(|source| ListenError::Bind {
            port: config.port,
            source,
        })?;
    // Port 0: the system picks one, said in the first log line.
    let port = listener.local_addr().map_or(config.port, |a| a.port());
    let clock = RescanClock {
        state: Mutex::new(ClockState {
            last_arrival: Instant::now(),
            // The outputs are written once even if nothing arrives.
            behind: config.scan.is_some(),
        }),
    };
    let server = Server::new(
        &archive,
        &config.net,
        &config.allow,
        config.limits.clone(),
        Admission::any(),
        config.tls.clone(),
        &clock,
        "listen",
        true,
    );
    log::emit(
        "listen",
        Level::Info,
        "listening",
        &format!(
            "port {port}{} as {}{}, into {}; at most {} associations at once",
            if config.tls.is_some() { " (TLS)" } else { "" },
            config.net.ae_title,
            if config.allow.is_empty() {
                String::new()
            } else {
                format!(" (calling AE titles: {})", config.allow.join(", "))
            },
            config.archive.display(),
            config.limits.max_associations
        ),
    );
    let started = Instant::now();
    let serving_done = AtomicBool::new(false);
    let totals = std::thread::scope(|scope| {
        let rescanner = config.scan.as_ref().map(|scan| {
            let (archive, clock, serving_done) = (&archive, &clock, &serving_done);
            scope.spawn(move || {
                while !serving_done.load(Ordering::SeqCst) {
                    if clock.take_due(config.rescan_after) {
                        let _exclusive = archive.exclusive();
                        match rescan(archive.root(), scan, mapper) {
                            Ok((summary, elapsed)) => scanned(&summary.line(elapsed)),
                            Err(error) => log::emit(
                                "listen",
                                Level::Error,
                                "scan",
                                &format!(
                                    "the scan of the archive failed: {}",
                                    chain_text(&*error.into_cause())
                                ),
                            ),
                        }
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            })
        });
        let totals = server.run(listener, stop);
        serving_done.store(true, Ordering::SeqCst);
        if let Some(rescanner) = rescanner {
            let _ = rescanner.join();
        }
        totals
    })
    .map_err(ListenError::Serve)?;
    Event::new(
        "listen",
        Level::Info,
        "stopped",
        &format!(
            "stopped after {:.1} s: {} stored, {} already archived, {} refused",
            started.elapsed().as_secs_f64(),
            totals.stored,
            totals.already_archived,
            totals.refused
        ),
    )
    .counts(totals)
    .emit();
    if let Some(scan) = &config.scan
        && clock.take_due(Duration::ZERO)
    {
        let (summary, elapsed) = rescan(archive.root(), scan, mapper)?;
        scanned(&summary.line(elapsed));
    }
    Ok(ExitCode::Success)
}

/// Logs a scan's summary line ("dxa-ingest: 13 files seen, ...") as a `scan` event.
fn scanned(summary: &str) {
    let message = summary.strip_prefix("dxa-ingest: ").unwrap_or(summary);
    log::emit("listen", Level::Info, "scan", &format!("scan: {message}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(behind: bool) -> RescanClock {
        RescanClock {
            state: Mutex::new(ClockState {
                last_arrival: Instant::now(),
                behind,
            }),
        }
    }

    /// The outputs are brought up to date once after new objects, when the quiet period
    /// has passed; an object already archived or refused does not make them behind.
    #[test]
    fn a_rescan_is_due_once_after_new_objects_and_the_quiet_period() {
        let quiet = Duration::ZERO;
        let clock = clock(false);
        assert!(!clock.take_due(quiet), "nothing arrived");
        clock.object(&Ok(Stored::AlreadyArchived {
            path: "a.dcm".into(),
        }));
        clock.object(&Err(Refusal {
            status: 0xA700,
            message: "full".into(),
        }));
        assert!(!clock.take_due(quiet), "nothing new");
        clock.object(&Ok(Stored::New {
            path: "b.dcm".into(),
            bytes: 10,
        }));
        assert!(
            !clock.take_due(Duration::from_secs(3600)),
            "the quiet period has not passed"
        );
        assert!(clock.take_due(quiet), "new objects, quiet period over");
        assert!(!clock.take_due(quiet), "taken");
    }

    /// At start the outputs are written once, even if nothing arrives.
    #[test]
    fn the_first_scan_is_due_at_start() {
        let clock = clock(true);
        assert!(clock.take_due(Duration::ZERO));
        assert!(!clock.take_due(Duration::ZERO));
    }
}
