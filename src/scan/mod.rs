//! The `scan` command: discover, then per file read + extract in parallel (rayon,
//! `process`), then record each outcome in path order, then the steps that need the whole
//! run and the commit of the output folder (both `pipeline`'s).
//!
//! Candidates are processed as the walk finds them, each a task on the pool, and recorded
//! in the walk's order through a bounded reorder buffer (`stream`): output order and bytes
//! never depend on `--jobs`, and memory does not grow with the size of the input.

mod archive;
mod error;
mod known;
mod members;
mod process;
mod progress;
mod stream;
mod tar;

use std::panic;
use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::config::{Inputs, ScanConfig, Target};
use crate::discover::{self, Candidate, CandidateKind, Candidates};
use crate::error::{FileError, Reason};
use crate::outcome::Outcome;
use crate::output::folder::OutputFolder;
use crate::pipeline::{PartialRecorder, Recorder, Sink, Summary, worker_pool, write_outputs};
use crate::profile::Mapper;

pub use error::ScanError;
pub use process::{process_bytes, process_file};

/// Runs `scan`. Fatal problems (inputs, output folder) are errors; per-file problems are
/// rows.
pub fn run(config: &ScanConfig, mapper: &Mapper) -> Result<(Summary, Duration), ScanError> {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    crate::provenance::start_counting_bytes_read();
    crate::pseudonym::start_counting_withheld();
    let pool = worker_pool(config.jobs)?;
    // Inputs that cannot be read are named first (a cheap check of the roots; the walk
    // itself starts later, once the folders it must skip exist).
    if let Inputs::Paths(paths) = &config.inputs {
        drop(discover::walk(paths, &walk_options(config, &[]))?);
    }
    // What the outputs (run.json, the report, a partial's header) say of the reading: the
    // profiles hashed once, before the files are read, as close as can be to their loading.
    let digests = crate::provenance::profile_digests(&config.profiles)?;
    let extraction = crate::provenance::extraction_options(&config.limits, config.follow_symlinks);
    match &config.target {
        Target::Outputs(out) => {
            // The output folder is checked, locked and staged before any work is done.
            let folder = OutputFolder::open(out).map_err(ScanError::OutputFolder)?;
            let mut sink = Sink::new(&config.output, folder.staging())?;
            let skip = [
                folder.target().to_path_buf(),
                folder.staging().to_path_buf(),
            ];
            read_inputs(config, mapper, &pool, &mut sink, &skip)?;
            let record = run_record(config, started_at, &digests);
            let run = crate::report::RunInfo::new(&config.output, &extraction, digests);
            let summary = write_outputs(
                sink,
                &config.output,
                folder,
                &pool,
                record,
                &run,
                config.quiet,
            )?;
            Ok((summary, started.elapsed()))
        }
        Target::Partial(file) => {
            let header = crate::partial::Header::new(&extraction, &digests);
            let mut recorder = PartialRecorder::create(file, header)?;
            read_inputs(config, mapper, &pool, &mut recorder, &[])?;
            Ok((recorder.finish(file)?, started.elapsed()))
        }
    }
}

/// run.json's record of a scan, but for what only the end of the run knows.
fn run_record(
    config: &ScanConfig,
    started: std::time::SystemTime,
    digests: &[(String, String)],
) -> crate::provenance::RunRecord {
    use crate::provenance;
    let (input_kind, inputs) = provenance::inputs_of(&config.inputs);
    // Input paths can name patients (a folder per patient): pseudonymised like the rest.
    let ids = config.output.ids();
    let inputs = inputs.iter().map(|p| ids.path(p).into_owned()).collect();
    let mut options = vec![
        ("jobs".to_string(), config.jobs.to_string()),
        ("follow_symlinks".into(), config.follow_symlinks.to_string()),
        (
            "max_file_bytes".into(),
            config.limits.max_file_bytes.to_string(),
        ),
        (
            "known".into(),
            config
                .known
                .iter()
                .map(|p| provenance::shown_path(&config.output, p))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    options.extend(provenance::output_option_pairs(
        &config.output,
        config.output.lsc_file.as_deref(),
    ));
    let profiles = provenance::shown_profiles(&config.output, digests);
    provenance::RunRecord::new("scan", input_kind, inputs, options, &profiles, started)
}

/// Reads every input file and records its outcome, in path order.
fn read_inputs(
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut (impl Recorder + Send),
    skip_dirs: &[std::path::PathBuf],
) -> Result<(), ScanError> {
    // A panic in one file's work is reported in its files.csv row (see `isolate`), from a
    // folder, a list or a tar stream alike; the default hook would also print it (over the
    // progress bar).
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = match &config.inputs {
        Inputs::Tar(source) => {
            tar::read(source, config, mapper, pool, recorder).map_err(ScanError::from)
        }
        _ => read_files(config, mapper, pool, recorder, skip_dirs),
    };
    panic::set_hook(default_hook);
    result
}

/// `read_inputs` for files in folders or in a list.
fn read_files(
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut (impl Recorder + Send),
    skip_dirs: &[std::path::PathBuf],
) -> Result<(), ScanError> {
    let walk = walk_options(config, skip_dirs);
    // The inputs are planned on the pool (a long list's checks run on its workers).
    let candidates = match &config.inputs {
        Inputs::Paths(paths) => pool.install(|| discover::walk(paths, &walk))?,
        Inputs::List(list) => pool.install(|| discover::from_list(list, &walk))?,
        Inputs::Tar(_) => unreachable!("read_inputs reads a tar stream"),
    };
    let candidates = known::without_known(candidates, &config.known)?;
    let progress = progress_bar(config, skip_dirs);
    process_all(candidates, config, mapper, pool, recorder, &progress)?;
    progress.finish_and_clear();
    Ok(())
}

/// Processes every candidate on the pool and records each outcome in the candidates'
/// order (`stream`): at most `WINDOW_PER_JOB` files per job are taken and not yet recorded.
fn process_all<R: Recorder + Send>(
    candidates: Candidates,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    sink: &mut R,
    progress: &ProgressBar,
) -> Result<(), ScanError> {
    let process = |candidate: &Candidate| -> Outcome {
        match &candidate.kind {
            CandidateKind::File => process_file(
                &candidate.path,
                candidate.follow_last_link,
                mapper,
                &config.limits,
            ),
            CandidateKind::NotRead(error) => Outcome::NotIngested(error.clone()),
        }
    };
    // Only the task recording holds it (`Ordered::put` lets one task record at a time),
    // with the files recorded and not yet shown on the bar.
    let sink = std::sync::Mutex::new((sink, 0u64));
    let record = |run: Vec<(Candidate, Outcome)>| -> Result<(), ScanError> {
        let mut guard = sink
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (sink, unshown) = &mut *guard;
        *unshown += run.len() as u64;
        for (candidate, outcome) in run {
            match outcome {
                Outcome::NotIngested(error) if error.reason == Reason::Archive => {
                    record_archive(&candidate.path, config, mapper, pool, &mut **sink)?
                }
                outcome => sink.record(&candidate.path, outcome)?,
            }
        }
        // The bar moves every 64 files (a step of the bar reads the clock).
        if *unshown >= 64 {
            progress.inc(std::mem::take(unshown));
        }
        Ok(())
    };
    let ordered = stream::Ordered::new(WINDOW_PER_JOB * config.jobs.max(1));
    // The walk runs on this thread, outside the pool: reading directories is serial work
    // (a tenth of a scan, measured), which the workers need not wait for; each file it
    // finds is a task at once.
    pool.in_place_scope(|scope| {
        let mut candidates = candidates.enumerate().peekable();
        while let Some((first, _)) = candidates.peek() {
            let first = *first;
            let run: Vec<Candidate> = candidates.by_ref().take(RUN).map(|(_, c)| c).collect();
            if !ordered.wait_for_room(first + run.len() - 1) {
                break;
            }
            let (ordered, process, record) = (&ordered, &process, &record);
            scope.spawn(move |_| {
                for (index, candidate) in (first..).zip(run) {
                    if ordered.stopped() {
                        return;
                    }
                    let outcome = ordered.guarded(|| process(&candidate));
                    ordered.put(index, (candidate, outcome), record);
                }
            });
        }
    });
    let (_, unshown) = sink
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    progress.inc(unshown);
    ordered.into_result()
}

/// Consecutive files per task. A worker's files follow one another in the walk's order, as
/// they did in chunks split between the workers: the allocator keeps a thread's freed
/// memory a while for its next file, and a file like the one before reuses it, where eight
/// workers each taking every eighth file held two kinds of deflate bomb's megabytes at once
/// (tests/bombs.rs: 95-105 MB at `--jobs 8`, a file per task; 67-89 MB in chunks).
const RUN: usize = 4;

/// Files taken and not yet recorded, per job: enough that a file slower than the others
/// (a large one, an archive being recorded) leaves the other workers files to go on with,
/// few enough that memory stays flat (at most this many candidates and outcomes held).
const WINDOW_PER_JOB: usize = 256;

/// Records an archive found in a walk and its members (`members`); one that is no longer
/// an archive when it is read again is what it now is to the first bytes.
fn record_archive(
    path: &Path,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut impl Recorder,
) -> Result<(), crate::pipeline::PipelineError> {
    match archive::kind_of_file(path) {
        Some(kind) => members::record_archive_file(path, kind, config, mapper, pool, recorder),
        None => recorder.record(
            path,
            Outcome::NotIngested(FileError::new(
                Reason::IoError,
                "an archive when first read, no longer one: changed during the run",
            )),
        ),
    }
}

/// How to walk: the output folder and the run's staging folder are never walked into,
/// when they are inside an input.
fn walk_options(config: &ScanConfig, skip_dirs: &[std::path::PathBuf]) -> discover::WalkOptions {
    discover::WalkOptions {
        follow_symlinks: config.follow_symlinks,
        skip_dirs: skip_dirs.to_vec(),
        partial: match &config.target {
            crate::config::Target::Partial(file) => Some(file.clone()),
            crate::config::Target::Outputs(_) => None,
        },
    }
}

/// A bar on a terminal (its total from a quick count of the inputs), nothing otherwise.
fn progress_bar(config: &ScanConfig, skip_dirs: &[std::path::PathBuf]) -> ProgressBar {
    if !progress::visible(config.quiet) {
        return ProgressBar::hidden();
    }
    let total = match &config.inputs {
        Inputs::Paths(paths) => Some(discover::count(paths, &walk_options(config, skip_dirs))),
        Inputs::List(_) | Inputs::Tar(_) => None,
    };
    progress::files_bar(total, config.quiet)
}
