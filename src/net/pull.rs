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

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use indicatif::HumanBytes;

use super::archive::Archive;
use super::association::result_classes;
use super::dimse::status;
use super::find::{Finder, InstanceMatch};
use super::progress::PullProgress;
use super::rescan::{check_output, rescan};
use super::retrieve::{Finished, Getter, Mover, Target};
use super::server::Server;
use super::{PullConfig, RetrieveMethod};
use crate::exit::ExitCode;
use crate::profile::Mapper;

/// Status of a C-MOVE the PACS cannot send anywhere: it does not know our AE title
/// (PS3.4 C.4.2.1.5).
const MOVE_DESTINATION_UNKNOWN: u16 = 0xA801;
/// Objects not retrieved that are named on stderr; the rest are counted.
const LISTED_FAILURES: usize = 10;

/// Whether a series of this modality can carry results: SR, or OT (secondary capture).
/// A series whose modality the PACS did not return is kept (its instances' classes decide).
pub fn series_carries_results(modality: Option<&str>) -> bool {
    modality.is_none_or(|m| {
        let m = m.trim();
        m.eq_ignore_ascii_case("SR") || m.eq_ignore_ascii_case("OT")
    })
}

/// Whether a study can hold results, by its Modalities in Study: any SR or OT series, or
/// unknown (a PACS need not return that key). Image-only studies are not queried further:
/// in a PACS they are nearly all the studies of a date range.
pub fn study_carries_results(modalities: &[String]) -> bool {
    modalities.is_empty() || modalities.iter().any(|m| series_carries_results(Some(m)))
}

/// Whether an instance of this SOP class can carry results (unknown: kept).
fn instance_carries_results(sop_class: Option<&str>) -> bool {
    sop_class.is_none_or(|class| result_classes().any(|c| c == class))
}

/// What one series needs.
#[derive(Debug)]
struct SeriesPlan {
    study_uid: String,
    series_uid: String,
    /// Every instance of the series is a result object and missing: one series-level
    /// retrieve is enough.
    whole: bool,
    missing: Vec<InstanceMatch>,
}

#[derive(Debug, Default)]
struct Plan {
    studies: usize,
    series: Vec<SeriesPlan>,
    /// Result objects the PACS listed.
    listed: usize,
    /// Of which already archived.
    archived: usize,
    /// Series with results of which everything is archived (not in `series`).
    fully_archived: usize,
}

impl Plan {
    fn missing(&self) -> usize {
        self.series.iter().map(|s| s.missing.len()).sum()
    }

    fn classes(&self) -> Vec<String> {
        let mut classes = BTreeSet::new();
        for instance in self.series.iter().flat_map(|s| &s.missing) {
            match &instance.sop_class {
                Some(class) => classes.insert(class.clone()),
                None => {
                    classes.extend(result_classes().map(String::from));
                    false
                }
            };
        }
        classes.into_iter().collect()
    }

    /// Studies with something to retrieve.
    fn studies_to_retrieve(&self) -> usize {
        self.series
            .iter()
            .map(|s| &s.study_uid)
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// What to ask for, in order, each with the (1-based) number of its study.
    fn targets(&self) -> Vec<(usize, Target)> {
        let mut targets = Vec::new();
        let mut study = 0;
        let mut previous: Option<&str> = None;
        for series in &self.series {
            if previous != Some(series.study_uid.as_str()) {
                study += 1;
                previous = Some(&series.study_uid);
            }
            let target = |sop_instance| Target {
                study_uid: series.study_uid.clone(),
                series_uid: series.series_uid.clone(),
                sop_instance,
            };
            if series.whole {
                targets.push((study, target(None)));
            } else {
                for instance in &series.missing {
                    targets.push((study, target(Some(instance.sop_instance.clone()))));
                }
            }
        }
        targets
    }
}

/// Runs `pull`. Exit 1 (an error) when the PACS cannot be reached or refuses; 3 when some
/// objects could not be retrieved or the scan has `error` rows; else 0.
pub fn run(config: &PullConfig, mapper: &Mapper) -> Result<ExitCode> {
    let started = Instant::now();
    if let Some(crate::config::Target::Outputs(out)) = config.scan.as_ref().map(|s| &s.target) {
        check_output(out)?;
    }
    let archive = Archive::open(&config.archive, config.net.max_object_bytes)
        .with_context(|| format!("cannot write the archive {}", config.archive.display()))?;
    let progress = PullProgress::new(config.quiet);
    let plan = query(config, &archive, &progress)?;
    let missing = plan.missing();
    progress.retrieving(missing, plan.studies_to_retrieve());
    let mut refusals = Vec::new();
    if missing > 0 {
        let finished = match config.method {
            RetrieveMethod::Get => get_all(config, &archive, &plan, &progress)?,
            RetrieveMethod::Move { port } => move_all(config, &archive, &plan, &progress, port)?,
        };
        refusals = finished
            .iter()
            .filter(|f| f.status != status::SUCCESS)
            .map(|f| {
                format!(
                    "status {:04X}H{}",
                    f.status,
                    f.comment
                        .as_deref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                )
            })
            .collect();
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
    for object in not_retrieved.iter().take(LISTED_FAILURES) {
        eprintln!("dxa-ingest: pull: not retrieved: {object}");
    }
    if not_retrieved.len() > LISTED_FAILURES {
        eprintln!(
            "dxa-ingest: pull: ... and {} more not retrieved",
            not_retrieved.len() - LISTED_FAILURES
        );
    }
    if let RetrieveMethod::Move { port } = config.method
        && missing > 0
        && not_retrieved.len() == missing
    {
        eprintln!(
            "dxa-ingest: pull: nothing arrived on port {port}: does {} know the AE title {} \
             with this host and port {port}? (docs/network.md)",
            config.peer, config.net.ae_title
        );
    }
    if let Some(first) = refusals.first() {
        eprintln!(
            "dxa-ingest: pull: {} retrieve request(s) did not fully succeed, the first with {first}",
            refusals.len()
        );
    }
    eprintln!(
        "dxa-ingest: pull from {}: {} studies, {} series with results, {} objects: {} already \
         archived, {} retrieved ({}), {} not retrieved, in {:.2} s",
        config.peer,
        plan.studies,
        plan.series.len() + plan.fully_archived,
        plan.listed,
        plan.archived,
        missing - not_retrieved.len(),
        HumanBytes(progress.bytes.load(Ordering::Relaxed)),
        not_retrieved.len(),
        started.elapsed().as_secs_f64()
    );
    let scanned = match &config.scan {
        Some(scan) => {
            let (summary, elapsed) = rescan(archive.root(), scan, mapper)?;
            eprintln!("{}", summary.line(elapsed));
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

/// Steps 1-3: what the PACS has that can carry results, and what of it is missing.
fn query(config: &PullConfig, archive: &Archive, progress: &PullProgress) -> Result<Plan> {
    progress
        .bar
        .set_message(format!("querying {}", config.peer));
    let mut finder = Finder::connect(&config.peer, &config.net)?;
    let studies = finder
        .studies(&config.query)
        .with_context(|| format!("querying {}", config.peer))?;
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
            .with_context(|| format!("querying the series of study {}", study.study_uid))?;
        for series in series
            .into_iter()
            .filter(|s| series_carries_results(s.modality.as_deref()))
        {
            let instances = finder
                .instances(&study.study_uid, &series.series_uid)
                .with_context(|| {
                    format!("querying the instances of series {}", series.series_uid)
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
) -> Result<Vec<Finished>> {
    let mut getter = Getter::connect(&config.peer, &config.net, &plan.classes())?;
    let mut finished = Vec::new();
    for (study, target) in plan.targets() {
        progress.at_study(study);
        finished.push(
            getter
                .get(&target, archive, progress)
                .with_context(|| format!("retrieving from {}", config.peer))?,
        );
    }
    getter.release();
    Ok(finished)
}

/// Step 4 with C-MOVE: a storage SCP on `port` while the moves run.
fn move_all(
    config: &PullConfig,
    archive: &Archive,
    plan: &Plan,
    progress: &PullProgress,
    port: u16,
) -> Result<Vec<Finished>> {
    let listener = TcpListener::bind(("0.0.0.0", port))
        .with_context(|| format!("cannot listen on port {port} for C-MOVE (--move-port)"))?;
    // The PACS may open several associations to us; four at once is plenty for one pull.
    let server = Server::new(archive, &config.net, &[], 4, progress, None);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let receiver = scope.spawn(|| server.run(listener, &stop));
        let moved = (|| -> Result<Vec<Finished>> {
            let mut mover = Mover::connect(&config.peer, &config.net)?;
            let mut finished = Vec::new();
            for (study, target) in plan.targets() {
                progress.at_study(study);
                let done = mover
                    .move_to_us(&target)
                    .with_context(|| format!("retrieving from {}", config.peer))?;
                if done.status == MOVE_DESTINATION_UNKNOWN {
                    bail!(
                        "{} does not know the AE title {}: add it to the PACS's modalities \
                         with this host and port {port} (docs/network.md)",
                        config.peer,
                        config.net.ae_title
                    );
                }
                finished.push(done);
            }
            mover.release();
            Ok(finished)
        })();
        stop.store(true, Ordering::SeqCst);
        let received = receiver
            .join()
            .map_err(|_| anyhow::anyhow!("the C-MOVE receiver failed"))?;
        received.context("the C-MOVE receiving port failed")?;
        moved
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_result_series_are_kept() {
        assert!(series_carries_results(Some("SR")));
        assert!(series_carries_results(Some("OT ")));
        assert!(series_carries_results(Some("sr")));
        assert!(series_carries_results(None));
        for image in ["CT", "MR", "DX", "PT", "DOC", "BMD"] {
            assert!(!series_carries_results(Some(image)), "{image}");
        }
    }

    #[test]
    fn image_only_studies_are_not_queried_further() {
        let list = |m: &[&str]| m.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(study_carries_results(&list(&["CT", "SR"])));
        assert!(study_carries_results(&list(&["OT"])));
        assert!(study_carries_results(&list(&[])), "not returned: kept");
        assert!(!study_carries_results(&list(&["CT", "MR"])));
    }

    #[test]
    fn only_result_instances_are_kept() {
        assert!(instance_carries_results(Some(
            "1.2.840.10008.5.1.4.1.1.88.22"
        )));
        assert!(instance_carries_results(Some("1.2.840.10008.5.1.4.1.1.7")));
        assert!(instance_carries_results(None));
        // Encapsulated PDF in an OT series: not read by the scan, not fetched.
        assert!(!instance_carries_results(Some(
            "1.2.840.10008.5.1.4.1.1.104.1"
        )));
    }

    #[test]
    fn a_partly_archived_series_is_retrieved_instance_by_instance() {
        let instance = |sop: &str| InstanceMatch {
            sop_instance: sop.into(),
            sop_class: Some("1.2.840.10008.5.1.4.1.1.88.22".into()),
        };
        let plan = Plan {
            studies: 1,
            series: vec![
                SeriesPlan {
                    study_uid: "1.1".into(),
                    series_uid: "1.1.1".into(),
                    whole: true,
                    missing: vec![instance("1.1.1.1"), instance("1.1.1.2")],
                },
                SeriesPlan {
                    study_uid: "1.1".into(),
                    series_uid: "1.1.2".into(),
                    whole: false,
                    missing: vec![instance("1.1.2.2")],
                },
            ],
            listed: 4,
            archived: 1,
            fully_archived: 0,
        };
        let targets = plan.targets();
        assert_eq!(targets.len(), 2);
        assert_eq!(
            targets[0],
            (
                1,
                Target {
                    study_uid: "1.1".into(),
                    series_uid: "1.1.1".into(),
                    sop_instance: None,
                }
            )
        );
        assert_eq!(targets[1].1.sop_instance.as_deref(), Some("1.1.2.2"));
        assert_eq!(targets[1].0, 1, "same study");
        assert_eq!(plan.studies_to_retrieve(), 1);
        assert_eq!(plan.missing(), 3);
        assert_eq!(
            plan.classes(),
            vec!["1.2.840.10008.5.1.4.1.1.88.22".to_string()]
        );
    }
}
