//! The write side that `scan`, `merge`, `pull` and `listen` share: outcomes arrive one file
//! at a time in path order (`Recorder`), and are recorded by the sink (`Sink`: files.csv
//! rows, documents kept in partitions) or into a partial (`PartialRecorder`); after the
//! last file, the steps that need the whole run (`finish`: visits, classification,
//! follow-up, the files, the report), run.json, and the commit of the output folder
//! (`write_outputs`). The commands read their inputs and call this.

mod error;
mod finish;
mod held;
mod ledger;
mod sink;
mod steps;
mod summary;

use std::path::Path;

use crate::config::OutputOptions;
use crate::outcome::Outcome;
use crate::output::folder::OutputFolder;

pub use error::{Cause, PipelineError, chain_text};
pub use sink::Sink;
pub use steps::{Steps, visible};
pub use summary::Summary;

/// Where outcomes go, one file at a time, in path order: the write side of a scan (`Sink`)
/// or a partial scan (`partial::Writer`).
pub trait Recorder {
    /// Records one file's outcome.
    fn record(&mut self, path: &Path, outcome: Outcome) -> Result<(), PipelineError>;
}

impl Recorder for Sink {
    fn record(&mut self, path: &Path, outcome: Outcome) -> Result<(), PipelineError> {
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
    pub fn create(
        file: &Path,
        header: crate::partial::Header,
    ) -> Result<PartialRecorder, PipelineError> {
        let writer = crate::partial::Writer::create(file, header)
            .map_err(|e| PipelineError::doing(cannot_write_partial(file), e))?;
        Ok(PartialRecorder {
            writer,
            summary: Summary::default(),
        })
    }

    /// Completes the partial `file`; returns what was recorded.
    pub fn finish(self, file: &Path) -> Result<Summary, PipelineError> {
        self.writer
            .finish()
            .map_err(|e| PipelineError::doing(cannot_write_partial(file), e))?;
        Ok(self.summary)
    }
}

fn cannot_write_partial(file: &Path) -> String {
    format!(
        "cannot write the partial {}",
        crate::path_text::path_text(file)
    )
}

impl Recorder for PartialRecorder {
    fn record(&mut self, path: &Path, outcome: Outcome) -> Result<(), PipelineError> {
        use std::os::unix::ffi::OsStrExt;
        self.summary.files_seen += 1;
        match &outcome {
            Outcome::Ingested(_) => {
                self.summary.ingested += 1;
                self.summary.files_ingested += 1;
            }
            Outcome::Records(docs) => {
                self.summary.ingested += docs.len();
                self.summary.files_ingested += 1;
            }
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

/// The worker threads of a run.
pub fn worker_pool(jobs: usize) -> Result<rayon::ThreadPool, PipelineError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        // Generous stacks: the walk caps nesting, this is the second line of defence.
        .stack_size(16 * 1024 * 1024)
        .build()
        .map_err(PipelineError::Workers)
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
) -> Result<Summary, PipelineError> {
    let steps = Steps::new(quiet);
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
    record.write(folder.staging()).map_err(|e| {
        PipelineError::doing(
            format!("cannot write run.json in {}", folder.staging().display()),
            e,
        )
    })?;
    let target = folder.target().to_path_buf();
    steps.step("putting the outputs in place");
    let committed = folder.commit().map_err(|e| {
        PipelineError::doing(
            format!(
                "cannot write the outputs into {}",
                crate::path_text::path_text(&target)
            ),
            e,
        )
    })?;
    steps.done();
    finish::warn_committed(&committed, &target);
    Ok(summary)
}
