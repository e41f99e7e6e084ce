//! The `scan` command: discover, then per file read + extract + classify in parallel
//! (rayon), then write the rows in path order. Candidates are processed in bounded chunks:
//! each chunk is mapped in parallel and collected in order (`par_iter().map().collect()`
//! keeps order), then written before the next chunk starts. Output order and bytes never
//! depend on `--jobs`, and memory does not grow with the size of the archive.

mod ledger;
mod reanalysis;

use std::fs;
use std::io::{BufWriter, IsTerminal, Read, Seek, SeekFrom};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::classify::{ClassifyOptions, StudyAssessment, classify_study};
use crate::config::{Inputs, ScanConfig};
use crate::discover::{self, Candidate, CandidateKind, Candidates, path_text};
use crate::document::Document;
use crate::error::{FileError, Reason, Status};
use crate::exit::ExitCode;
use crate::extract::extract;
use crate::output::{self, AtomicFile, atomic, rows};
use crate::profile::Mapper;
use crate::sr::Limits;
use ledger::{Admission, Ledger};

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

/// The CSV files being written, and what the batch remembers across files.
struct Batch {
    out_dir: PathBuf,
    measurements: csv::Writer<AtomicFile>,
    /// studies.csv rows go to an anonymous scratch file first: re-analysis flags can only
    /// be known once every document is seen, and are added when it is copied to its place.
    studies: csv::Writer<BufWriter<fs::File>>,
    studies_written: u32,
    files: csv::Writer<AtomicFile>,
    /// Duplicates, re-analyses and the study count, in a few bytes per file.
    ledger: Ledger,
    summary: Summary,
}

impl Batch {
    fn create(out_dir: &Path) -> Result<Batch> {
        let cannot = || format!("cannot write to output folder {}", path_text(out_dir));
        fs::create_dir_all(out_dir)
            .with_context(|| format!("cannot create output folder {}", path_text(out_dir)))?;
        let open = |name: &str, columns| -> Result<csv::Writer<AtomicFile>> {
            let file = AtomicFile::create(&out_dir.join(name)).with_context(cannot)?;
            output::csv_writer(file, columns).with_context(cannot)
        };
        // Unlinked at creation: nothing to clean up, whatever happens to the process.
        let scratch = tempfile::tempfile_in(out_dir).with_context(cannot)?;
        Ok(Batch {
            out_dir: out_dir.to_path_buf(),
            measurements: open(MEASUREMENTS_CSV, rows::MEASUREMENT_COLUMNS)?,
            studies: output::csv_writer(
                BufWriter::with_capacity(256 * 1024, scratch),
                rows::STUDY_COLUMNS,
            )
            .with_context(cannot)?,
            studies_written: 0,
            files: open(FILES_CSV, rows::FILE_COLUMNS)?,
            ledger: Ledger::new(out_dir).with_context(cannot)?,
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
        let sop_offset =
            match self
                .ledger
                .admit(&doc.sop_instance_uid, path, &doc.study_instance_uid)?
            {
                Admission::New(offset) => offset,
                Admission::Duplicate(kept) => {
                    let error = FileError::new(
                        Reason::Duplicate,
                        format!(
                            "same SOP Instance UID {} as {kept}, which is kept",
                            doc.sop_instance_uid
                        ),
                    );
                    return self.not_ingested(path, &error);
                }
            };
        self.summary.ingested += 1;
        for row in rows::measurement_rows(path, doc, assessment) {
            self.measurements.serialize(row)?;
        }
        self.studies
            .serialize(rows::study_row(path, doc, assessment, &[]))?;
        self.ledger
            .add_study(self.studies_written, doc, sop_offset)?;
        self.studies_written += 1;
        Ok(())
    }

    /// Copies the studies from scratch to studies.csv, adding the re-analysis flags, then
    /// renames all three files into place.
    fn finish(self) -> Result<Summary> {
        let write_error = || format!("cannot write output in {}", path_text(&self.out_dir));
        let (flags, study_count) = self.ledger.finish().with_context(write_error)?;
        let mut scratch = self
            .studies
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{}", e.error()))
            .with_context(write_error)?
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(write_error)?;
        scratch.seek(SeekFrom::Start(0)).with_context(write_error)?;
        let mut reader = csv::Reader::from_reader(std::io::BufReader::new(scratch));
        let mut studies = output::csv_writer(
            AtomicFile::create(&self.out_dir.join(STUDIES_CSV)).with_context(write_error)?,
            rows::STUDY_COLUMNS,
        )
        .with_context(write_error)?;
        reader.headers().context("re-reading studies")?;
        let flags_column = rows::STUDY_COLUMNS
            .iter()
            .position(|h| *h == "flags")
            .expect("studies.csv has a flags column");
        let mut record = csv::StringRecord::new();
        let mut row = 0;
        while reader
            .read_record(&mut record)
            .context("re-reading studies")?
        {
            match flags.get(&(row as usize)) {
                None => studies.write_record(&record)?,
                Some(extra) => {
                    let own = &record[flags_column];
                    let joined = std::iter::once(own)
                        .filter(|f| !f.is_empty())
                        .chain(extra.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(";");
                    let patched: csv::StringRecord = record
                        .iter()
                        .enumerate()
                        .map(|(i, field)| {
                            if i == flags_column {
                                joined.as_str()
                            } else {
                                field
                            }
                        })
                        .collect();
                    studies.write_record(&patched)?;
                }
            }
            row += 1;
        }
        let into_file = |writer: csv::Writer<AtomicFile>| {
            writer
                .into_inner()
                .map_err(|e| anyhow::anyhow!("{}", e.error()))
                .with_context(write_error)
        };
        atomic::commit_all(vec![
            into_file(self.measurements)?,
            into_file(studies)?,
            into_file(self.files)?,
        ])
        .with_context(write_error)?;
        Ok(Summary {
            studies: study_count,
            ..self.summary
        })
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
    let summary = batch.finish()?;
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
                CandidateKind::File => {
                    process_file(&candidate.path, mapper, &config.limits, &config.classify)
                }
                CandidateKind::NotRead(error) => Outcome::NotIngested(error.clone()),
            })
            .collect()
    };
    let write = |batch: &mut Batch, chunk: &[Candidate], outcomes: &[Outcome]| -> Result<()> {
        for (candidate, outcome) in chunk.iter().zip(outcomes) {
            batch.record(&path_text(&candidate.path), outcome)?;
        }
        progress.inc(chunk.len() as u64);
        Ok(())
    };
    // Enough files per chunk to keep every worker busy, few enough that memory stays flat.
    let chunk_size = 64 * config.jobs.max(1);
    // Chunk k is written (in order, by one task) while chunk k + 1 is processed by the
    // others: writing never leaves the workers idle, and at most two chunks are in memory.
    let mut written: Option<(Vec<Candidate>, Vec<Outcome>)> = None;
    loop {
        let chunk: Vec<Candidate> = candidates.by_ref().take(chunk_size).collect();
        if chunk.is_empty() {
            break;
        }
        let previous = written.take();
        let (outcomes, wrote) = pool.install(|| {
            rayon::join(
                || process(&chunk),
                || previous.map_or(Ok(()), |(done, outcomes)| write(batch, &done, &outcomes)),
            )
        });
        wrote?;
        written = Some((chunk, outcomes));
    }
    if let Some((done, outcomes)) = written {
        write(batch, &done, &outcomes)?;
    }
    Ok(())
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
        Inputs::Paths(paths) => Some(discover::count(paths, config.follow_symlinks)),
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
        assert_eq!(error.reason.status(), Status::Error);
        assert!(
            error.message.contains("boom at byte 12"),
            "{}",
            error.message
        );
        assert_eq!(isolate(|| Ok::<_, FileError>(7)), Ok(7));
    }
}
