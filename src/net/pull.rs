//! `pull`: query a PACS, retrieve what can carry results and is not archived yet, then scan
//! the archive (docs/network.md).
//!
//! 1. C-FIND, study level: the date range, the patient when given.
//! 2. C-FIND, series level: only series that can carry results are kept (Modality SR, or OT
//!    for secondary capture report images: Hologic's results, docs/profiles.md); images
//!    (CT, MR, DX, ...) are never fetched.
//! 3. C-FIND, instance level: each SOP Instance UID is looked up in the archive, so only what
//!    is missing is retrieved, and a second `pull` retrieves nothing.
//! 4. C-GET (or C-MOVE with `--move-port`): a whole series when all of it is missing, else
//!    instance by instance.
//! 5. Every listed object is checked in the archive; then the scan of the archive.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::HumanBytes;

use super::archive::{Admission, Archive};
use super::client::OperationDeadline;
use super::deadline::Watchdog;
use super::dimse::status;
use super::find::{FindError, Finder, InstanceMatch};
use super::log::{self, Level};
use super::options::{NetOptions, PeerAddress, RetrieveMethod, StudyQuery};
use super::plan::{
    Plan, SeriesPlan, instance_carries_results, series_carries_results, study_carries_results,
};
use super::progress::PullProgress;
pub use super::pull_error::PullError;
use super::rescan::{check_output, rescan};
use super::retrieve::{Finished, Getter, Mover};
use super::server::{Server, ServerLimits};
use crate::config::ScanConfig;
use crate::exit::ExitCode;
use crate::profile::Mapper;

/// Everything `pull` needs.
#[derive(Debug, Clone)]
pub struct PullConfig {
    /// The PACS.
    pub peer: PeerAddress,
    /// The archive folder (created if missing).
    pub archive: PathBuf,
    /// Limits and our AE title.
    pub net: NetOptions,
    /// Date range and patient.
    pub query: StudyQuery,
    /// C-GET or C-MOVE.
    pub method: RetrieveMethod,
    /// No progress bar.
    pub quiet: bool,
    /// The scan of the archive into `--out`, when asked for.
    pub scan: Option<ScanConfig>,
    /// DICOM TLS to the PACS (`--tls-ca`, and our certificate when given).
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// Studies kept from the study-level C-FIND; more: `pull` stops before retrieving.
    pub max_studies: usize,
    /// How long one operation (a C-FIND, a C-GET, a C-MOVE) may take, to its final response.
    pub deadline: Duration,
}

/// Studies `pull` keeps from one query unless `--max-studies` says otherwise.
pub const DEFAULT_MAX_STUDIES: usize = 100_000;

/// Status of a C-MOVE the PACS cannot send anywhere: it does not know our AE title
/// (PS3.4 C.4.2.1.5).
const MOVE_DESTINATION_UNKNOWN: u16 = 0xA801;
/// Objects not retrieved that are named on stderr; the rest are counted.
const LISTED_FAILURES: usize = 10;

/// How often the watchdog of `pull` looks at the deadlines.
const WATCH_EVERY: Duration = Duration::from_millis(50);

/// Runs `pull`. Exit 1 (an error) when the PACS cannot be reached, refuses, or does not
/// finish an operation within `--deadline`; 3 when some objects could not be retrieved or
/// the scan has `error` rows; else 0.
pub fn run(config: &PullConfig, mapper: &Mapper) -> Result<ExitCode, PullError> {
    let deadline = OperationDeadline {
        watchdog: Watchdog::new(),
        limit: config.deadline,
    };
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                deadline.watchdog.check();
                std::thread::sleep(WATCH_EVERY);
            }
        });
        let result = pull(config, mapper, &deadline);
        done.store(true, Ordering::SeqCst);
        result
    })
}

fn say(level: Level, event: &'static str, message: &str) {
    log::emit("pull", level, event, message);
}

fn pull(
    config: &PullConfig,
    mapper: &Mapper,
    deadline: &OperationDeadline,
) -> Result<ExitCode, PullError> {
    let started = Instant::now();
    if let Some(crate::config::Target::Outputs(out)) = config.scan.as_ref().map(|s| &s.target) {
        check_output(out)?;
    }
    let archive =
        Archive::open(&config.archive, config.net.max_object_bytes).map_err(|source| {
            PullError::Archive {
                path: config.archive.display().to_string(),
                source,
            }
        })?;
    let progress = PullProgress::new(config.quiet);
    let plan = query(config, &archive, &progress, deadline)?;
    let missing = plan.missing();
    progress.retrieving(missing, plan.studies_to_retrieve());
    let mut refusals = Vec::new();
    if missing > 0 {
        let finished = match config.method {
            RetrieveMethod::Get => get_all(config, &archive, &plan, &progress, deadline)?,
            RetrieveMethod::Move { port } => {
                move_all(config, &archive, &plan, &progress, port, deadline)?
            }
        };
        refusals = finished.iter().filter_map(refusal).collect();
    }
    progress.bar.finish_and_clear();
    let not_retrieved: Vec<String> = plan
        .series
        .iter()
        .flat_map(|s| {
            s.missing
                .iter()
                .map(move |i| (&s.study_uid, &i.sop_instance))
        })
        .filter(|(study, sop)| !archive.contains(study, sop))
        .map(|(study, sop)| format!("{study}/{sop}"))
        .collect();
    for line in not_retrieved_lines(&not_retrieved) {
        say(Level::Warn, "not_retrieved", &line);
    }
    if let RetrieveMethod::Move { port } = config.method
        && missing > 0
        && not_retrieved.len() == missing
    {
        say(
            Level::Warn,
            "not_retrieved",
            &format!(
                "nothing arrived on port {port}: does {} know the AE title {} with this host \
                 and port {port}? (docs/network.md)",
                config.peer, config.net.ae_title
            ),
        );
    }
    if let Some(first) = refusals.first() {
        say(
            Level::Warn,
            "not_retrieved",
            &format!(
                "{} retrieve request(s) did not fully succeed, the first with {first}",
                refusals.len()
            ),
        );
    }
    say(
        Level::Info,
        "pull",
        &format!(
            "from {}: {} studies, {} series with results, {} objects: {} already archived, \
             {} retrieved ({}), {} not retrieved, in {:.2} s",
            config.peer,
            plan.studies,
            plan.series.len() + plan.fully_archived,
            plan.listed,
            plan.archived,
            missing - not_retrieved.len(),
            HumanBytes(progress.bytes.load(Ordering::Relaxed)),
            not_retrieved.len(),
            started.elapsed().as_secs_f64()
        ),
    );
    let scanned = match &config.scan {
        Some(scan) => {
            let (summary, elapsed) = rescan(archive.root(), scan, mapper)?;
            let line = summary.line(elapsed);
            let line = line.strip_prefix("dxa-ingest: ").unwrap_or(&line);
            say(Level::Info, "scan", &format!("scan: {line}"));
            summary.exit_code()
        }
        None => ExitCode::Success,
    };
    Ok(if not_retrieved.is_empty() {
        scanned
    } else {
        ExitCode::FilesFailed
    })
}

/// A retrieve request that did not fully succeed, named by its status and its Error
/// Comment (escaped when logged); `None` for a success.
fn refusal(finished: &Finished) -> Option<String> {
    (finished.status != status::SUCCESS).then(|| {
        format!(
            "status {:04X}H{}",
            finished.status,
            finished
                .comment
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        )
    })
}

/// The log lines of the objects not retrieved: the first `LISTED_FAILURES` named, the rest
/// counted (a PACS that sends nothing must not flood the log).
fn not_retrieved_lines(objects: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = objects
        .iter()
        .take(LISTED_FAILURES)
        .map(|object| format!("not retrieved: {object}"))
        .collect();
    if objects.len() > LISTED_FAILURES {
        lines.push(format!(
            "... and {} more not retrieved",
            objects.len() - LISTED_FAILURES
        ));
    }
    lines
}

/// Steps 1-3: what the PACS has that can carry results, and what of it is missing.
fn query(
    config: &PullConfig,
    archive: &Archive,
    progress: &PullProgress,
    deadline: &OperationDeadline,
) -> Result<Plan, PullError> {
    progress
        .bar
        .set_message(format!("querying {}", config.peer));
    let mut finder = Finder::connect(
        &config.peer,
        &config.net,
        config.tls.as_ref(),
        Some(deadline),
    )?;
    let studies = match finder.studies(&config.query, config.max_studies) {
        Err(FindError::TooMany { limit, .. }) => {
            return Err(PullError::TooManyStudies {
                peer: config.peer.to_string(),
                limit,
            });
        }
        other => other.map_err(|source| PullError::Find {
            doing: format!("querying {}", config.peer),
            source: Box::new(source),
        })?,
    };
    let mut plan = Plan {
        studies: studies.len(),
        ..Plan::default()
    };
    let candidates: Vec<_> = studies
        .iter()
        .filter(|s| study_carries_results(&s.modalities))
        .collect();
    for (n, study) in candidates.iter().enumerate() {
        progress.bar.set_message(format!(
            "querying {}: study {}/{}",
            config.peer,
            n + 1,
            candidates.len()
        ));
        let series = finder
            .series(&study.study_uid)
            .map_err(|source| PullError::Find {
                doing: format!("querying the series of study {}", study.study_uid),
                source: Box::new(source),
            })?;
        for series in series
            .into_iter()
            .filter(|s| series_carries_results(s.modality.as_deref()))
        {
            let instances = finder
                .instances(&study.study_uid, &series.series_uid)
                .map_err(|source| PullError::Find {
                    doing: format!("querying the instances of series {}", series.series_uid),
                    source: Box::new(source),
                })?;
            let all = instances.len();
            let results: Vec<InstanceMatch> = instances
                .into_iter()
                .filter(|i| instance_carries_results(i.sop_class.as_deref()))
                .collect();
            plan.listed += results.len();
            let (archived, missing): (Vec<_>, Vec<_>) = results
                .into_iter()
                .partition(|i| archive.contains(&study.study_uid, &i.sop_instance));
            plan.archived += archived.len();
            if missing.is_empty() {
                if all > 0 {
                    plan.fully_archived += 1;
                }
                continue;
            }
            plan.series.push(SeriesPlan {
                study_uid: study.study_uid.clone(),
                series_uid: series.series_uid,
                whole: missing.len() == all,
                missing,
            });
        }
    }
    finder.release();
    Ok(plan)
}

/// Step 4 with C-GET.
fn get_all(
    config: &PullConfig,
    archive: &Archive,
    plan: &Plan,
    progress: &PullProgress,
    deadline: &OperationDeadline,
) -> Result<Vec<Finished>, PullError> {
    let mut getter = Getter::connect(
        &config.peer,
        &config.net,
        config.tls.as_ref(),
        Some(deadline),
        &plan.classes(),
    )?;
    let mut finished = Vec::new();
    for (study, target) in plan.targets() {
        progress.at_study(study);
        finished.push(getter.get(&target, archive, progress).map_err(|source| {
            PullError::Retrieve {
                peer: config.peer.to_string(),
                source: Box::new(source),
            }
        })?);
    }
    getter.release();
    Ok(finished)
}

/// Step 4 with C-MOVE: a storage SCP on `port` while the moves run. It accepts only the
/// PACS's AE title, and only objects of the studies asked for: the port is open to the
/// network, and anyone who finds it must not be able to fill the archive.
fn move_all(
    config: &PullConfig,
    archive: &Archive,
    plan: &Plan,
    progress: &PullProgress,
    port: u16,
    deadline: &OperationDeadline,
) -> Result<Vec<Finished>, PullError> {
    let listener = TcpListener::bind(("0.0.0.0", port))
        .map_err(|source| PullError::MovePort { port, source })?;
    let limits = ServerLimits {
        // The PACS may open several associations to us; four at once is plenty for one pull.
        max_associations: 4,
        max_negotiating: 8,
        request_timeout: config.net.timeout.min(Duration::from_secs(10)),
        grace: config.net.timeout,
    };
    let server = Server::new(
        archive,
        &config.net,
        std::slice::from_ref(&config.peer.ae_title),
        limits,
        Admission::only_studies(plan.study_uids()),
        None,
        progress,
        "pull",
        false,
    );
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let receiver = scope.spawn(|| server.run(listener, &stop));
        let moved = (|| -> Result<Vec<Finished>, PullError> {
            let mut mover = Mover::connect(
                &config.peer,
                &config.net,
                config.tls.as_ref(),
                Some(deadline),
            )?;
            let mut finished = Vec::new();
            for (study, target) in plan.targets() {
                progress.at_study(study);
                let done = mover
                    .move_to_us(&target)
                    .map_err(|source| PullError::Retrieve {
                        peer: config.peer.to_string(),
                        source: Box::new(source),
                    })?;
                if done.status == MOVE_DESTINATION_UNKNOWN {
                    return Err(PullError::DestinationUnknown {
                        peer: config.peer.to_string(),
                        ae_title: config.net.ae_title.to_string(),
                        port,
                    });
                }
                finished.push(done);
            }
            mover.release();
            Ok(finished)
        })();
        stop.store(true, Ordering::SeqCst);
        let received = receiver.join().map_err(|_| PullError::Receiver)?;
        received.map_err(PullError::Receiving)?;
        moved
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::dimse::SubOperations;
    use crate::net::store::StoreCounts;

    fn finished(status: u16, comment: Option<&str>) -> Finished {
        Finished {
            status,
            sub_operations: SubOperations::default(),
            comment: comment.map(str::to_string),
            counts: StoreCounts::default(),
        }
    }

    #[test]
    fn a_retrieve_that_did_not_fully_succeed_is_named_by_status_and_comment() {
        assert_eq!(refusal(&finished(status::SUCCESS, Some("fine"))), None);
        assert_eq!(
            refusal(&finished(0xB000, None)).as_deref(),
            Some("status B000H")
        );
        assert_eq!(
            refusal(&finished(MOVE_DESTINATION_UNKNOWN, Some("unknown AE"))).as_deref(),
            Some("status A801H (unknown AE)")
        );
        assert_eq!(
            refusal(&finished(0x0122, None)).as_deref(),
            Some("status 0122H"),
            "four hex digits"
        );
    }

    #[test]
    fn objects_not_retrieved_are_named_up_to_ten_then_counted() {
        let objects: Vec<String> = (0..13).map(|n| format!("1.2/1.2.{n}")).collect();
        assert!(not_retrieved_lines(&[]).is_empty());
        assert_eq!(
            not_retrieved_lines(&objects[..2]),
            ["not retrieved: 1.2/1.2.0", "not retrieved: 1.2/1.2.1"]
        );
        assert_eq!(not_retrieved_lines(&objects[..LISTED_FAILURES]).len(), 10);
        let lines = not_retrieved_lines(&objects);
        assert_eq!(lines.len(), LISTED_FAILURES + 1);
        assert_eq!(lines[9], "not retrieved: 1.2/1.2.9");
        assert_eq!(lines[10], "... and 3 more not retrieved");
    }
}
