//! The per-document step of the write side: outcomes arrive in path order (from the
//! workers of `scan`, or from the partials of `merge`) and each is recorded once:
//! - a file not ingested becomes its files.csv row at once (under --pseudonymize, its row
//!   waits in sorted runs, to be written in the order of the pseudonymised paths: the
//!   original paths' order tells folder names, which sort by surname);
//! - a document whose SOP Instance UID was seen before is a `duplicate` row;
//! - any other document gets its place in path order and waits, encoded, in the partition
//!   of its patient (`ledger`), for the visit step at the end (`finish`); an identical
//!   re-send of an earlier document waits as a few bytes that name it (`held`).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use super::Summary;
use super::error::{Cause, PipelineError};
use super::held::{self, HeldRef};
use super::ledger::{Admission, Ledger, Resent};
use crate::config::OutputOptions;
use crate::error::{FileError, Reason, Status};
use crate::outcome::Outcome;
use crate::output::parquet::{ParquetWriter, parquet_path_for};
use crate::output::rows::{self, FileRow};
use crate::output::table::{Row, names, write_csv};
use crate::path_text::path_text;
use crate::pseudonym::Ids;
use crate::report::ReportData;
use crate::store::{Partitions, RunBuf, Runs, codec};

/// Documents are spread over this many partitions by patient: at the end one partition
/// per worker is in memory, about 1/256 of the documents (10^6 files: ~4 000 each).
pub const PARTITIONS: usize = 256;

/// files.csv's name.
pub const FILES_CSV: &str = "files.csv";

/// What the run keeps as files are recorded.
pub struct Sink {
    /// Where the run's temporary files are (named in errors).
    staging: std::path::PathBuf,
    pseudonymizer: Option<crate::pseudonym::Pseudonymizer>,
    pub(super) files: FilesTable,
    pub(super) ledger: Ledger,
    pub(super) documents: Partitions,
    next_seq: u64,
    pub(super) summary: Summary,
    pub(super) report: ReportData,
    pub(super) buffer: Vec<u8>,
}

impl Sink {
    /// A sink writing files.csv and its temporary files into `staging`.
    pub fn new(options: &OutputOptions, staging: &Path) -> Result<Sink, PipelineError> {
        let cannot = |cause: Cause| {
            PipelineError::doing(format!("cannot write in {}", path_text(staging)), cause)
        };
        let file = File::create(staging.join(FILES_CSV)).map_err(|e| cannot(e.into()))?;
        let mut file = BufWriter::with_capacity(256 * 1024, file);
        if options.excel {
            std::io::Write::write_all(&mut file, crate::output::BOM)
                .map_err(|e| cannot(e.into()))?;
        }
        let writer = crate::output::csv_writer(file, &names(FileRow::COLUMNS))
            .map_err(|e| cannot(e.into()))?;
        let parquet = match options.parquet {
            true => Some(ParquetWriter::create(
                &parquet_path_for(&staging.join(FILES_CSV)),
                FileRow::COLUMNS,
            )?),
            false => None,
        };
        let documents = Partitions::new(staging, PARTITIONS);
        let sorted = options.pseudonymize.as_ref().map(|_| {
            (
                Runs::with_budget(staging, documents.budget()),
                RunBuf::default(),
                0,
            )
        });
        let files = FilesTable {
            writer,
            parquet,
            sorted,
        };
        Ok(Sink {
            staging: staging.to_path_buf(),
            pseudonymizer: options.pseudonymize.clone(),
            files,
            ledger: Ledger::new(staging, PARTITIONS).map_err(|e| cannot(e.into()))?,
            documents,
            next_seq: 0,
            summary: Summary::default(),
            report: ReportData::default(),
            buffer: Vec::with_capacity(16 * 1024),
        })
    }

    /// Paths and UIDs in files.csv are written like everywhere else (no dates here).
    fn ids(&self) -> Ids<'_> {
        Ids {
            pseudonymizer: self.pseudonymizer.as_ref(),
            shift_dates: false,
        }
    }

    fn not_ingested(&mut self, path: &str, error: &FileError) -> Result<(), Cause> {
        match error.reason.status() {
            Status::Skipped => self.summary.skipped += 1,
            Status::Error => self.summary.errors += 1,
        }
        let shown = self.ids().path(path).into_owned();
        let error = FileError::new(error.reason, self.ids().message(&error.message));
        match &mut self.files.sorted {
            None => {
                self.report.add_file(&shown, &error);
                self.files.write(&rows::file_row(&shown, &error))?;
            }
            Some((runs, run, bytes)) => {
                self.buffer.clear();
                codec::encode_frame(&(&shown, &error), &mut self.buffer)?;
                run.push(shown.as_bytes().to_vec(), &self.buffer);
                *bytes += self.buffer.len() + shown.len();
                if *bytes > SORTED_FILES_BYTES {
                    runs.append(std::mem::take(run))?;
                    *bytes = 0;
                }
            }
        }
        Ok(())
    }

    /// Records one file's outcome (files arrive in path order).
    pub fn record(&mut self, path: &Path, outcome: Outcome) -> Result<(), PipelineError> {
        self.record_outcome(path, outcome).map_err(|cause| {
            PipelineError::doing(
                format!(
                    "cannot write the run's files in {}",
                    path_text(&self.staging)
                ),
                cause,
            )
        })
    }

    fn record_outcome(&mut self, path: &Path, outcome: Outcome) -> Result<(), Cause> {
        self.summary.files_seen += 1;
        let path = path_text(path);
        match outcome {
            Outcome::NotIngested(error) => self.not_ingested(&path, &error),
            Outcome::Ingested(doc) => {
                let ingested = self.summary.ingested;
                self.document(&path, &doc)?;
                // A copy of a document already ingested is a files.csv row instead.
                self.summary.files_ingested += self.summary.ingested - ingested;
                Ok(())
            }
            // An export's records: each a document of the file (documents.csv names the
            // file once per record); they have no SOP Instance UID, so no duplicates.
            Outcome::Records(docs) => {
                self.summary.files_ingested += 1;
                docs.iter().try_for_each(|doc| self.document(&path, doc))
            }
        }
    }

    /// Records one document of the file at `path`.
    fn document(&mut self, path: &str, doc: &crate::document::Document) -> Result<(), Cause> {
        let partition = match self.ledger.admit(doc, path)? {
            Admission::New { partition } => partition,
            Admission::Duplicate(kept) => {
                let ids = self.ids();
                let error = FileError::new(
                    Reason::Duplicate,
                    format!(
                        "same SOP Instance UID {} as {}, which is kept",
                        ids.uid(&doc.sop_instance_uid),
                        ids.path(&kept)
                    ),
                );
                return self.not_ingested(path, &error);
            }
        };
        self.summary.ingested += 1;
        let seq = self.next_seq;
        self.next_seq += 1;
        self.buffer.clear();
        held::encode_frame(seq, path, HeldRef::Document(doc), &mut self.buffer)?;
        if !held::may_be_resent(doc) {
            self.documents.append(partition, &self.buffer)?;
            return Ok(());
        }
        let start = held::body_start(seq, path, doc);
        let body = &self.buffer[start..];
        match self.ledger.resent(partition, body, &mut self.documents)? {
            Resent::Of(kept) => {
                self.buffer.clear();
                let resend = HeldRef::Resend {
                    sop: &doc.sop_instance_uid,
                    kept,
                };
                held::encode_frame(seq, path, resend, &mut self.buffer)?;
                self.documents.append(partition, &self.buffer)?;
            }
            Resent::No(hash) => {
                let at = self.documents.append(partition, &self.buffer)?;
                let len = self.buffer.len() - start;
                self.ledger
                    .keep(hash, partition, at + start as u64, len, seq)?;
            }
        }
        Ok(())
    }
}

/// Bytes of files.csv rows held before a sorted run is written out (under --pseudonymize).
const SORTED_FILES_BYTES: usize = 16 * 1024 * 1024;

/// files.csv (and its Parquet copy) as it is being written: rows in path order, or, under
/// --pseudonymize, sorted runs keyed by the pseudonymised path, written by `finish`.
pub struct FilesTable {
    writer: csv::Writer<BufWriter<File>>,
    parquet: Option<ParquetWriter>,
    sorted: Option<(Runs, RunBuf, usize)>,
}

impl FilesTable {
    /// Writes one row.
    fn write(&mut self, row: &FileRow<'_>) -> Result<(), Cause> {
        write_csv(&mut self.writer, row)?;
        if let Some(parquet) = &mut self.parquet {
            parquet.push(row)?;
        }
        Ok(())
    }

    /// Writes the rows still held (in pseudonymised path order, each also given to the
    /// report) and closes files.csv.
    pub fn finish(self, report: &mut ReportData) -> Result<(), Cause> {
        let mut table = self;
        if let Some((runs, run, _)) = table.sorted.take() {
            runs.append(run)?;
            runs.merge(|payload| {
                let frame = codec::Frames::new(payload)
                    .next()
                    .ok_or_else(|| std::io::Error::other("an empty files.csv record"))??;
                let (shown, error): (String, FileError) = codec::decode(frame)?;
                report.add_file(&shown, &error);
                table
                    .write(&rows::file_row(&shown, &error))
                    .map_err(std::io::Error::other)
            })?;
        }
        let file = table
            .writer
            .into_inner()
            .map_err(|e| std::io::Error::new(e.error().kind(), e.error().to_string()))?
            .into_inner()
            .map_err(|e| e.into_error())?;
        // Its writing to disk starts now, while the other tables are written: the commit's
        // flush then finds it written (output::folder::sync).
        crate::output::folder::start_writeback(&file);
        if let Some(parquet) = table.parquet {
            parquet.finish()?;
        }
        Ok(())
    }
}
