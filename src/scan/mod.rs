//! The `scan` command: discover, then per file read + extract + classify in parallel
//! (rayon), then write the rows in path order. Candidates are processed in bounded chunks:
//! each chunk is mapped in parallel and collected in order (`par_iter().map().collect()`
//! keeps order), then written before the next chunk starts. Output order and bytes never
//! depend on `--jobs`, and memory does not grow with the size of the archive.

mod batch;
mod ledger;
mod reanalysis;

use std::io::IsTerminal;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::classify::{ClassifyOptions, StudyAssessment, classify_study};
use crate::config::{Inputs, ScanConfig};
use crate::discover::{self, Candidate, CandidateKind, Candidates};
use crate::document::Document;
use crate::error::{FileError, Reason};
use crate::exit::ExitCode;
use crate::extract::extract;
use crate::profile::Mapper;
use crate::sr::Limits;
use batch::Batch;
pub use batch::{FILES_CSV, FOLLOWUP_CSV, MEASUREMENTS_CSV, REPORT_HTML, STUDIES_CSV};

/// One file's outcome.
#[derive(Debug)]
pub enum Outcome {
    /// An SR read and classified.
    Ingested(Box<(Document, StudyAssessment)>),
    /// Anything else, with the reason.
    NotIngested(FileError),
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Entries accounted for.
    pub files_seen: usize,
    /// SR documents ingested.
    pub ingested: usize,
    /// Distinct studies among them.
    pub studies: usize,
    /// files.csv rows with status skipped.
    pub skipped: usize,
    /// files.csv rows with status error.
    pub errors: usize,
}

impl Summary {
    /// The run's exit code: 3 when any file is an error.
    pub fn exit_code(&self) -> ExitCode {
        if self.errors > 0 {
            ExitCode::FilesFailed
        } else {
            ExitCode::Success
        }
    }

    /// The last line on stderr (contract.md).
    pub fn line(&self, elapsed: Duration) -> String {
        format!(
            "dxa-ingest: {} files seen, {} SR ingested, {} studies, {} skipped, {} errors in {:.2} s",
            self.files_seen,
            self.ingested,
            self.studies,
            self.skipped,
            self.errors,
            elapsed.as_secs_f64()
        )
    }
}

/// Reads and processes one file. Never panics: a panic inside the per-file work is caught
/// here and becomes this file's `error/internal_error` row, and the batch goes on.
/// `follow_last_link`: see `discover::Candidate::follow_last_link`.
pub fn process_file(
    path: &Path,
    follow_last_link: bool,
    mapper: &Mapper,
    limits: &Limits,
    options: &ClassifyOptions,
) -> Outcome {
    let bytes = match crate::read::read_file(path, follow_last_link, limits) {
        Ok(file) => file.head.bytes,
        Err(error) => return Outcome::NotIngested(error),
    };
    process_bytes(&bytes, mapper, limits, options)
}

/// The pure part of `process_file`: bytes in, outcome out (the fuzz target's entry point).
pub fn process_bytes(
    bytes: &[u8],
    mapper: &Mapper,
    limits: &Limits,
    options: &ClassifyOptions,
) -> Outcome {
    let work = isolate(|| {
        extract(bytes, mapper, limits).map(|doc| {
            let assessment = classify_study(&doc, options);
            (doc, assessment)
        })
    });
    match work {
        Ok(pair) => Outcome::Ingested(Box::new(pair)),
        Err(error) => Outcome::NotIngested(error),
    }
}

/// Runs one file's work; a panic becomes that file's `error/internal_error` instead of
/// unwinding through the batch (issue #4). Aborts (stack overflow, allocation failure)
/// cannot be caught: the pre-scan exists so that they cannot happen.
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
    // The output is checked (created) before any work is done.
    let mut batch = Batch::create(config)?;
    let candidates = match &config.inputs {
        Inputs::Paths(paths) => discover::walk(paths, &walk_options(config))?,
        Inputs::List(list) => discover::from_list(list, &walk_options(config))?,
    };
    let candidates = without_own_outputs(candidates, &config.out_dir);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        // Generous stacks: the walk caps nesting, this is the second line of defence.
        .stack_size(16 * 1024 * 1024)
        .build()
        .context("cannot start worker threads")?;
    let progress = progress_bar(config);

    // A panic in one file's work is reported in its files.csv row (see `isolate`); the
    // default hook would also print it over the progress bar.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = process_all(candidates, config, mapper, &pool, &mut batch, &progress);
    panic::set_hook(default_hook);
    result?;
    progress.finish_and_clear();
    // In the pool: the follow-up partitions are compared in parallel.
    let summary = pool.install(|| batch.finish())?;
    Ok((summary, started.elapsed()))
}

fn process_all(
    mut candidates: Candidates,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    batch: &mut Batch,
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
                    &config.classify,
                ),
                CandidateKind::NotRead(error) => Outcome::NotIngested(error.clone()),
            })
            .collect()
    };
    let write = |batch: &mut Batch, chunk: &[Candidate], outcomes: Vec<Outcome>| -> Result<()> {
        for (candidate, outcome) in chunk.iter().zip(outcomes) {
            batch.record(&candidate.path, outcome)?;
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
        // Chunk k is written (in order, by one task) while chunk k + 1 is processed by the
        // others: writing never leaves the workers idle, and at most a few chunks are in
        // memory.
        let mut written: Option<(Vec<Candidate>, Vec<Outcome>)> = None;
        for chunk in next_chunk {
            let previous = written.take();
            let (outcomes, wrote) = pool.install(|| {
                rayon::join(
                    || process(&chunk),
                    || previous.map_or(Ok(()), |(done, outcomes)| write(batch, &done, outcomes)),
                )
            });
            wrote?;
            written = Some((chunk, outcomes));
        }
        if let Some((done, outcomes)) = written {
            write(batch, &done, outcomes)?;
        }
        Ok(())
    })
}

/// How to walk: the output folder is never walked into, when it is inside an input.
fn walk_options(config: &ScanConfig) -> discover::WalkOptions {
    discover::WalkOptions {
        follow_symlinks: config.follow_symlinks,
        skip_dirs: vec![config.out_dir.clone()],
    }
}

/// Our own temporary output files, when the output folder is inside an input folder.
fn without_own_outputs(candidates: Candidates, out_dir: &Path) -> Candidates {
    let suffix = format!(".partial-{}", std::process::id());
    let Ok(out_dir) = out_dir.canonicalize() else {
        return candidates;
    };
    Box::new(candidates.filter(move |c| {
        let ours = c
            .path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(&suffix))
            && c.path
                .parent()
                .and_then(|p| p.canonicalize().ok())
                .is_some_and(|p| p == out_dir);
        !ours
    }))
}

/// A bar on a terminal (its total from a quick count of the inputs), nothing otherwise.
fn progress_bar(config: &ScanConfig) -> ProgressBar {
    if config.quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let total = match &config.inputs {
        Inputs::Paths(paths) => Some(discover::count(paths, &walk_options(config))),
        Inputs::List(_) => None,
    };
    let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
    let template = if total.is_some() {
        "{elapsed_precise} [{bar:40}] {pos}/{len} files ({per_sec}, ETA {eta})"
    } else {
        "{elapsed_precise} {spinner} {pos} files ({per_sec})"
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("static template is valid")
            .progress_chars("=> "),
    );
    bar
}

/// Paths of the three CSVs in `out_dir`.
pub fn output_paths(out_dir: &Path) -> [PathBuf; 3] {
    [
        out_dir.join(MEASUREMENTS_CSV),
        out_dir.join(STUDIES_CSV),
        out_dir.join(FILES_CSV),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_row() {
        let hook = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        let outcome: Result<(), FileError> = isolate(|| panic!("boom at byte 12"));
        panic::set_hook(hook);
        let error = outcome.unwrap_err();
        assert_eq!(error.reason, Reason::InternalError);
        assert_eq!(error.reason.status(), crate::error::Status::Error);
        assert!(
            error.message.contains("boom at byte 12"),
            "{}",
            error.message
        );
        assert_eq!(isolate(|| Ok::<_, FileError>(7)), Ok(7));
    }
}
