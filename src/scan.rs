//! The `scan` command: discover, then per file read + extract + classify in parallel
//! (rayon), then write the rows in path order. Candidates are processed in bounded chunks:
//! each chunk is mapped in parallel and collected in order (`par_iter().map().collect()`
//! keeps order), then written before the next chunk starts. Output order and bytes never
//! depend on `--jobs`, and memory does not grow with the size of the archive.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{IsTerminal, Read};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::classify::{ClassifyOptions, StudyAssessment, classify_study};
use crate::config::{Inputs, ScanConfig};
use crate::discover::{self, Candidate, CandidateKind, path_text};
use crate::document::Document;
use crate::error::{FileError, Reason, Status};
use crate::exit::ExitCode;
use crate::extract::extract;
use crate::output::{self, AtomicFile, rows};
use crate::profile::Mapper;
use crate::sr::Limits;

/// Files per chunk: enough to keep every worker busy, few enough to bound memory.
const CHUNK: usize = 512;

/// The output file names (contract.md).
pub const MEASUREMENTS_CSV: &str = "measurements.csv";
/// studies.csv
pub const STUDIES_CSV: &str = "studies.csv";
/// files.csv
pub const FILES_CSV: &str = "files.csv";

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
pub fn process_file(
    path: &Path,
    mapper: &Mapper,
    limits: &Limits,
    options: &ClassifyOptions,
) -> Outcome {
    let bytes = match read_capped(path, limits.max_file_bytes) {
        Ok(bytes) => bytes,
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
    let work = panic::catch_unwind(AssertUnwindSafe(|| {
        extract(bytes, mapper, limits).map(|doc| {
            let assessment = classify_study(&doc, options);
            (doc, assessment)
        })
    }));
    match work {
        Ok(Ok(pair)) => Outcome::Ingested(Box::new(pair)),
        Ok(Err(error)) => Outcome::NotIngested(error),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Outcome::NotIngested(FileError::new(
                Reason::InternalError,
                format!("dxa-ingest bug while reading this file (please report): {what}"),
            ))
        }
    }
}

/// Reads a file whole, refusing one larger than `cap` before reading it.
fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let io_error = |e: std::io::Error| FileError::new(Reason::IoError, e.to_string());
    let mut file = fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > cap {
        return Err(FileError::new(
            Reason::TooLarge,
            format!("{size} bytes exceeds the {cap}-byte cap (--max-file-size)"),
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // `take` guards against a file that grows while being read.
    file.by_ref()
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > cap {
        return Err(FileError::new(
            Reason::TooLarge,
            format!("more than {cap} bytes (--max-file-size)"),
        ));
    }
    Ok(bytes)
}

/// The three CSV files being written, and what the batch remembers across files.
struct Batch {
    measurements: csv::Writer<AtomicFile>,
    studies: csv::Writer<AtomicFile>,
    files: csv::Writer<AtomicFile>,
    /// SOP Instance UID -> path of the file kept, for duplicate copies.
    seen_sops: HashMap<String, String>,
    study_uids: HashSet<String>,
    summary: Summary,
}

impl Batch {
    fn create(out_dir: &Path) -> Result<Batch> {
        fs::create_dir_all(out_dir)
            .with_context(|| format!("cannot create output folder {}", path_text(out_dir)))?;
        let open = |name: &str| -> Result<csv::Writer<AtomicFile>> {
            let file = AtomicFile::create(&out_dir.join(name))
                .with_context(|| format!("cannot write to output folder {}", path_text(out_dir)))?;
            Ok(output::csv_writer(file))
        };
        Ok(Batch {
            measurements: open(MEASUREMENTS_CSV)?,
            studies: open(STUDIES_CSV)?,
            files: open(FILES_CSV)?,
            seen_sops: HashMap::new(),
            study_uids: HashSet::new(),
            summary: Summary::default(),
        })
    }

    fn not_ingested(&mut self, path: &str, error: &FileError) -> Result<()> {
        match error.reason.status() {
            Status::Skipped => self.summary.skipped += 1,
            Status::Error => self.summary.errors += 1,
        }
        self.files.serialize(rows::file_row(path, error))?;
        Ok(())
    }

    fn record(&mut self, path: &str, outcome: &Outcome) -> Result<()> {
        self.summary.files_seen += 1;
        let (doc, assessment) = match outcome {
            Outcome::NotIngested(error) => return self.not_ingested(path, error),
            Outcome::Ingested(pair) => (&pair.0, &pair.1),
        };
        if !doc.sop_instance_uid.is_empty() {
            if let Some(kept) = self.seen_sops.get(&doc.sop_instance_uid) {
                let error = FileError::new(
                    Reason::Duplicate,
                    format!(
                        "same SOP Instance UID {} as {kept}, which is kept",
                        doc.sop_instance_uid
                    ),
                );
                return self.not_ingested(path, &error);
            }
            self.seen_sops
                .insert(doc.sop_instance_uid.clone(), path.to_string());
        }
        self.summary.ingested += 1;
        if self.study_uids.insert(doc.study_instance_uid.clone()) {
            self.summary.studies += 1;
        }
        for row in rows::measurement_rows(path, doc, assessment) {
            self.measurements.serialize(row)?;
        }
        self.studies
            .serialize(rows::study_row(path, doc, assessment, &[]))?;
        Ok(())
    }

    fn finish(self) -> Result<Summary> {
        for writer in [self.measurements, self.studies, self.files] {
            let file = writer
                .into_inner()
                .map_err(|e| anyhow::anyhow!("cannot write output: {}", e.error()))?;
            file.commit().context("cannot write output")?;
        }
        Ok(self.summary)
    }
}

/// Runs `scan`. Fatal problems (inputs, output folder) are errors; per-file problems are
/// rows.
pub fn run(config: &ScanConfig, mapper: &Mapper) -> Result<(Summary, Duration)> {
    let started = Instant::now();
    // The output is checked (created) before any work is done.
    let mut batch = Batch::create(&config.out_dir)?;
    let candidates = match &config.inputs {
        Inputs::Paths(paths) => discover::walk(paths, config.follow_symlinks)?,
        Inputs::List(list) => discover::from_list(list, config.follow_symlinks)?,
    };
    let candidates = without_own_outputs(candidates, &config.out_dir);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        // Generous stacks: the pre-scan caps nesting, this is the second line of defence.
        .stack_size(16 * 1024 * 1024)
        .build()
        .context("cannot start worker threads")?;
    let progress = progress_bar(candidates.len() as u64, config.quiet);

    for chunk in candidates.chunks(CHUNK) {
        let outcomes: Vec<Outcome> = pool.install(|| {
            chunk
                .par_iter()
                .map(|candidate| match &candidate.kind {
                    CandidateKind::File => {
                        process_file(&candidate.path, mapper, &config.limits, &config.classify)
                    }
                    CandidateKind::NotRead(error) => Outcome::NotIngested(error.clone()),
                })
                .collect()
        });
        for (candidate, outcome) in chunk.iter().zip(&outcomes) {
            batch.record(&path_text(&candidate.path), outcome)?;
        }
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    let summary = batch.finish()?;
    Ok((summary, started.elapsed()))
}

/// Our own temporary output files, when the output folder is inside an input folder.
fn without_own_outputs(candidates: Vec<Candidate>, out_dir: &Path) -> Vec<Candidate> {
    let suffix = format!(".partial-{}", std::process::id());
    let Ok(out_dir) = out_dir.canonicalize() else {
        return candidates;
    };
    candidates
        .into_iter()
        .filter(|c| {
            let ours = c
                .path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(&suffix))
                && c.path
                    .parent()
                    .and_then(|p| p.canonicalize().ok())
                    .is_some_and(|p| p == out_dir);
            !ours
        })
        .collect()
}

fn progress_bar(total: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} files ({per_sec}, ETA {eta})",
        )
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
