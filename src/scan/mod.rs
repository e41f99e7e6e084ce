//! The `scan` command: discover, then per file read + extract in parallel (rayon), then
//! record each outcome in path order (`sink`), then the steps that need the whole run
//! (`finish`), then the commit of the output folder.
//!
//! Candidates are processed in bounded chunks: each chunk is mapped in parallel and
//! collected in order (`par_iter().map().collect()` keeps order), then recorded before the
//! next chunk is; output order and bytes never depend on `--jobs`, and memory does not
//! grow with the size of the archive.

mod archive;
mod finish;
mod known;
mod ledger;
mod members;
mod progress;
mod sink;
mod summary;
mod tar;

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::config::{Inputs, OutputOptions, ScanConfig, Target};
use crate::discover::{self, Candidate, CandidateKind, Candidates};
use crate::document::Document;
use crate::error::{FileError, Reason};
use crate::extract::extract;
use crate::output::folder::OutputFolder;
use crate::profile::Mapper;
use crate::sr::Limits;

pub use sink::Sink;
pub use summary::Summary;

/// Where outcomes go, one file at a time, in path order: the write side of a scan (`Sink`)
/// or a partial scan (`partial::Writer`).
pub trait Recorder {
    /// Records one file's outcome.
    fn record(&mut self, path: &Path, outcome: Outcome) -> Result<()>;
}

impl Recorder for Sink {
    fn record(&mut self, path: &Path, outcome: Outcome) -> Result<()> {
        Sink::record(self, path, outcome)
    }
}

/// A partial scan's recorder: the records, and the counts for the summary line.
pub struct PartialRecorder {
    /// The partial being written.
    writer: crate::partial::Writer,
    /// What was recorded.
    summary: Summary,
}

impl PartialRecorder {
    /// Creates the partial `file`, headed by `header`.
    pub fn create(file: &Path, header: crate::partial::Header) -> Result<PartialRecorder> {
        let writer = crate::partial::Writer::create(file, header).with_context(|| {
            format!(
                "cannot write the partial {}",
                crate::path_text::path_text(file)
            )
        })?;
        Ok(PartialRecorder {
            writer,
            summary: Summary::default(),
        })
    }

    /// Completes the partial `file`; returns what was recorded.
    pub fn finish(self, file: &Path) -> Result<Summary> {
        self.writer.finish().with_context(|| {
            format!(
                "cannot write the partial {}",
                crate::path_text::path_text(file)
            )
        })?;
        Ok(self.summary)
    }
}

impl Recorder for PartialRecorder {
    fn record(&mut self, path: &Path, outcome: Outcome) -> Result<()> {
        use std::os::unix::ffi::OsStrExt;
        self.summary.files_seen += 1;
        match &outcome {
            Outcome::Ingested(_) => self.summary.ingested += 1,
            Outcome::NotIngested(e) => match e.reason.status() {
                crate::error::Status::Skipped => self.summary.skipped += 1,
                crate::error::Status::Error => self.summary.errors += 1,
            },
        }
        self.writer.record(crate::partial::Record {
            path: path.as_os_str().as_bytes().to_vec(),
            outcome,
        })?;
        Ok(())
    }
}

/// One file's outcome.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Outcome {
    /// A results document read.
    Ingested(Box<Document>),
    /// Anything else, with the reason.
    NotIngested(FileError),
}

/// Reads and extracts one file. Never panics: a panic inside the per-file work is caught
/// here and becomes this file's `error/internal_error` row, and the batch goes on.
/// `follow_last_link`: see `discover::Candidate::follow_last_link`.
pub fn process_file(
    path: &Path,
    follow_last_link: bool,
    mapper: &Mapper,
    limits: &Limits,
) -> Outcome {
    let bytes = match crate::read::read_file(path, follow_last_link, limits) {
        Ok(file) => {
            crate::provenance::count_bytes_read(file.bytes_read);
            file.head.bytes
        }
        Err(error) => return Outcome::NotIngested(error),
    };
    match process_bytes(&bytes, mapper, limits) {
        // An archive, told by its content: its members are read when it is recorded.
        Outcome::NotIngested(error) if error.reason == Reason::NotDicom => {
            match archive::kind_of_file(path) {
                Some(kind) => Outcome::NotIngested(FileError::new(Reason::Archive, kind.name())),
                None => Outcome::NotIngested(error),
            }
        }
        outcome => outcome,
    }
}

/// The pure part of `process_file`: bytes in, outcome out (the fuzz target's entry point).
pub fn process_bytes(bytes: &[u8], mapper: &Mapper, limits: &Limits) -> Outcome {
    match isolate(|| extract(bytes, mapper, limits)) {
        Ok(doc) => Outcome::Ingested(Box::new(doc)),
        Err(error) => Outcome::NotIngested(error),
    }
}

/// Runs one file's work; a panic becomes that file's `error/internal_error` instead of
/// unwinding through the batch. Aborts (stack overflow, allocation failure) cannot be
/// caught: the pre-scan exists so that they cannot happen.
fn isolate<T>(work: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
    panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(FileError::new(
            Reason::InternalError,
            format!("dxa-ingest bug while reading this file (please report): {what}"),
        ))
    })
}

/// Runs `scan`. Fatal problems (inputs, output folder) are errors; per-file problems are
/// rows.
pub fn run(config: &ScanConfig, mapper: &Mapper) -> Result<(Summary, Duration)> {
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
            let folder = OutputFolder::open(out)?;
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

/// The worker threads of a run.
pub fn worker_pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        // Generous stacks: the walk caps nesting, this is the second line of defence.
        .stack_size(16 * 1024 * 1024)
        .build()
        .context("cannot start worker threads")
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

/// The steps after the last file: visits, follow-up, report, Parquet, run.json; then the
/// commit. `merge` ends the same way.
pub fn write_outputs(
    sink: Sink,
    options: &OutputOptions,
    folder: OutputFolder,
    pool: &rayon::ThreadPool,
    mut record: crate::provenance::RunRecord,
    run: &crate::report::RunInfo,
    quiet: bool,
) -> Result<Summary> {
    let steps = progress::Steps::new(quiet);
    let summary = pool.install(|| finish::finish(sink, options, folder.staging(), &steps, run))?;
    steps.step("run.json");
    record.counts = crate::provenance::Counts {
        files_seen: summary.files_seen,
        documents: summary.ingested,
        visits: summary.visits,
        skipped: summary.skipped,
        errors: summary.errors,
    };
    if record.bytes_read == 0 {
        record.bytes_read = crate::provenance::bytes_read();
    }
    if options.pseudonymize.is_some() {
        record.free_text_withheld = Some(crate::pseudonym::withheld());
    }
    record
        .write(folder.staging())
        .with_context(|| format!("cannot write run.json in {}", folder.staging().display()))?;
    let target = folder.target().to_path_buf();
    steps.step("putting the outputs in place");
    let committed = folder.commit().with_context(|| {
        format!(
            "cannot write the outputs into {}",
            crate::path_text::path_text(&target)
        )
    })?;
    steps.done();
    finish::warn_committed(&committed, &target);
    Ok(summary)
}

/// Reads every input file and records its outcome, in path order.
fn read_inputs(
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut (impl Recorder + Send),
    skip_dirs: &[std::path::PathBuf],
) -> Result<()> {
    // A panic in one file's work is reported in its files.csv row (see `isolate`), from a
    // folder, a list or a tar stream alike; the default hook would also print it (over the
    // progress bar).
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = match &config.inputs {
        Inputs::Tar(source) => tar::read(source, config, mapper, pool, recorder),
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
) -> Result<()> {
    let walk = walk_options(config, skip_dirs);
    let candidates = match &config.inputs {
        Inputs::Paths(paths) => discover::walk(paths, &walk)?,
        Inputs::List(list) => discover::from_list(list, &walk)?,
        Inputs::Tar(_) => unreachable!("read_inputs reads a tar stream"),
    };
    let candidates = known::without_known(candidates, &config.known)?;
    let progress = progress_bar(config, skip_dirs);
    process_all(candidates, config, mapper, pool, recorder, &progress)?;
    progress.finish_and_clear();
    Ok(())
}

fn process_all<R: Recorder + Send>(
    mut candidates: Candidates,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    sink: &mut R,
    progress: &ProgressBar,
) -> Result<()> {
    let process = |chunk: &[Candidate]| -> Vec<Outcome> {
        chunk
            .par_iter()
            .map(|candidate| match &candidate.kind {
                CandidateKind::File => process_file(
                    &candidate.path,
                    candidate.follow_last_link,
                    mapper,
                    &config.limits,
                ),
                CandidateKind::NotRead(error) => Outcome::NotIngested(error.clone()),
            })
            .collect()
    };
    let record = |sink: &mut R, chunk: &[Candidate], outcomes: Vec<Outcome>| -> Result<()> {
        for (candidate, outcome) in chunk.iter().zip(outcomes) {
            match outcome {
                Outcome::NotIngested(error) if error.reason == Reason::Archive => {
                    record_archive(&candidate.path, config, mapper, pool, sink)?
                }
                outcome => sink.record(&candidate.path, outcome)?,
            }
        }
        progress.inc(chunk.len() as u64);
        Ok(())
    };
    // Enough files per chunk to keep every worker busy, few enough that memory stays flat.
    let chunk_size = 64 * config.jobs.max(1);
    std::thread::scope(|scope| {
        // The walk runs on its own thread, a couple of chunks ahead: reading directories
        // is serial work (a tenth of a scan, measured), which the workers need not wait for.
        let (chunks, next_chunk) = std::sync::mpsc::sync_channel::<Vec<Candidate>>(2);
        scope.spawn(move || {
            loop {
                let chunk: Vec<Candidate> = candidates.by_ref().take(chunk_size).collect();
                if chunk.is_empty() || chunks.send(chunk).is_err() {
                    break;
                }
            }
        });
        // Chunk k is recorded (in order, by one task) while chunk k + 1 is processed by the
        // others: recording never leaves the workers idle, and at most a few chunks are in
        // memory.
        let mut done: Option<(Vec<Candidate>, Vec<Outcome>)> = None;
        for chunk in next_chunk {
            let previous = done.take();
            let (outcomes, recorded) = pool.install(|| {
                rayon::join(
                    || process(&chunk),
                    || previous.map_or(Ok(()), |(files, outcomes)| record(sink, &files, outcomes)),
                )
            });
            recorded?;
            done = Some((chunk, outcomes));
        }
        if let Some((files, outcomes)) = done {
            record(sink, &files, outcomes)?;
        }
        Ok(())
    })
}

/// Records an archive found in a walk and its members (`members`); one that is no longer
/// an archive when it is read again is what it now is to the first bytes.
fn record_archive(
    path: &Path,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut impl Recorder,
) -> Result<()> {
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

#[cfg(test)]
mod tests;
