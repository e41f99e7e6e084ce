//! The writing side of a scan: outcomes arrive in path order and become rows of the output
//! files; what must be known across files (duplicates, re-analyses, follow-up series,
//! report counters) is kept in a few bytes per file or on disk. At the end, everything that
//! needs the whole run (flags of re-analyses, followup.csv, report.html, Parquet copies)
//! is produced and the files are renamed into place together.

use std::fs;
use std::io::{BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::ledger::{Admission, Ledger, pack_datetime};
use super::{Outcome, Summary};
use crate::classify::StudyAssessment;
use crate::config::{FollowupMode, ScanConfig};
use crate::document::Document;
use crate::error::{FileError, Reason, Status};
use crate::followup::{self, FOLLOWUP_COLUMNS, Spill};
use crate::output::{self, AtomicFile, LineRenderer, atomic, parquet, rows};
use crate::path_text::path_text;
use crate::pseudonym::Pseudonymizer;
use crate::report::ReportData;
use crate::scratch;
use crate::vocabulary::Region;

/// The output file names (contract.md).
pub const MEASUREMENTS_CSV: &str = "measurements.csv";
/// studies.csv
pub const STUDIES_CSV: &str = "studies.csv";
/// files.csv
pub const FILES_CSV: &str = "files.csv";
/// followup.csv
pub const FOLLOWUP_CSV: &str = "followup.csv";
/// report.html
pub const REPORT_HTML: &str = "report.html";

/// The files being written, and what the batch remembers across files.
pub struct Batch<'c> {
    config: &'c ScanConfig,
    out_dir: PathBuf,
    measurements: csv::Writer<AtomicFile>,
    /// studies.csv lines go to an anonymous scratch file first, one frame each
    /// (`scratch::write_frame`): re-analysis flags can only be known once every document is
    /// seen, and are added when the lines are copied to their place. Only flagged lines are
    /// parsed again.
    studies: BufWriter<fs::File>,
    study_lines: LineRenderer,
    studies_written: u32,
    files: csv::Writer<AtomicFile>,
    ledger: Ledger,
    followup: Spill,
    report: ReportData,
    summary: Summary,
}

impl<'c> Batch<'c> {
    /// Creates the output folder and every temporary file: an output that cannot be
    /// written fails here, before any work.
    pub fn create(config: &'c ScanConfig) -> Result<Batch<'c>> {
        let out_dir = &config.out_dir;
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
            config,
            out_dir: out_dir.clone(),
            measurements: open(MEASUREMENTS_CSV, rows::MEASUREMENT_COLUMNS)?,
            studies: BufWriter::with_capacity(256 * 1024, scratch),
            study_lines: LineRenderer::default(),
            studies_written: 0,
            files: open(FILES_CSV, rows::FILE_COLUMNS)?,
            ledger: Ledger::new(out_dir).with_context(cannot)?,
            followup: Spill::new(out_dir),
            report: ReportData {
                generated_by: format!("dxa-ingest {}", env!("CARGO_PKG_VERSION")),
                ..ReportData::default()
            },
            summary: Summary::default(),
        })
    }

    fn pseudonymizer(&self) -> Option<&Pseudonymizer> {
        self.config.pseudonymize.as_ref()
    }

    fn not_ingested(&mut self, path: &str, error: &FileError) -> Result<()> {
        match error.reason.status() {
            Status::Skipped => self.summary.skipped += 1,
            Status::Error => self.summary.errors += 1,
        }
        *self
            .report
            .files_by_reason
            .entry((
                error.reason.status().as_str().to_string(),
                error.reason.code().to_string(),
            ))
            .or_default() += 1;
        self.files.serialize(rows::file_row(path, error))?;
        Ok(())
    }

    /// Writes one file's outcome (files arrive in path order).
    pub fn record(&mut self, path: &Path, outcome: Outcome) -> Result<()> {
        self.summary.files_seen += 1;
        let path = match self.pseudonymizer() {
            Some(p) => p.path(&path_text(path)),
            None => path_text(path),
        };
        let (mut doc, assessment) = match outcome {
            Outcome::NotIngested(error) => return self.not_ingested(&path, &error),
            Outcome::Ingested(pair) => *pair,
        };
        if let Some(p) = self.pseudonymizer() {
            p.document(&mut doc);
        }
        let sop_offset =
            match self
                .ledger
                .admit(&doc.sop_instance_uid, &path, &doc.study_instance_uid)?
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
                    return self.not_ingested(&path, &error);
                }
            };
        self.summary.ingested += 1;
        for row in rows::measurement_rows(&path, &doc, &assessment) {
            self.measurements.serialize(row)?;
        }
        let line = self
            .study_lines
            .line(|w| w.serialize(rows::study_row(&path, &doc, &assessment, &[])))?;
        scratch::write_frame(&mut self.studies, line)?;
        let row = self.studies_written;
        self.ledger.add_study(row, &doc, sop_offset)?;
        let content_time = pack_datetime(&doc.content_time);
        for visit in followup::visits_of(&doc, &assessment, row, content_time) {
            self.followup.push(&visit)?;
        }
        self.count_for_report(&doc, &assessment);
        self.studies_written += 1;
        Ok(())
    }

    fn count_for_report(&mut self, doc: &Document, assessment: &StudyAssessment) {
        let report = &mut self.report;
        let manufacturer = doc.manufacturer.map_or("", |m| m.as_str());
        *report
            .by_manufacturer
            .entry(manufacturer.to_string())
            .or_default() += 1;
        let model = format!("{} {}", doc.manufacturer_raw, doc.model);
        *report.by_model.entry(model.trim().to_string()).or_default() += 1;
        if let Some(date) = doc.study_date {
            *report.by_year.entry(date.year).or_default() += 1;
        }
        *report
            .by_classification
            .entry(assessment.classification.as_str().to_string())
            .or_default() += 1;
        for (m, row) in doc.measurements.iter().zip(&assessment.rows) {
            let Some(t) = m.t_score.filter(|_| row.used_for_diagnosis) else {
                continue;
            };
            let site = match m.region {
                r if r.vertebrae().is_some() => "spine",
                Region::FemoralNeck => "femoral_neck",
                Region::TotalHip => "total_hip",
                Region::Radius33 => "radius_33",
                other => other.as_str(),
            };
            report.add_t_score(site, t.to_f64());
        }
    }

    /// Produces what needs the whole run and renames every output into place.
    pub fn finish(self) -> Result<Summary> {
        let out_dir = self.out_dir.clone();
        let write_error = || format!("cannot write output in {}", path_text(&out_dir));
        let into_file = |writer: csv::Writer<AtomicFile>| {
            writer
                .into_inner()
                .map_err(|e| anyhow::anyhow!("{}", e.error()))
                .with_context(write_error)
        };
        // measurements.csv and files.csv are complete: on disk while the rest is computed
        // (their sync was a twentieth of a 20 000-file scan, all of it waiting).
        let (mut measurements, mut files_csv) =
            (into_file(self.measurements)?, into_file(self.files)?);
        // Scoped: on an error below, the sync thread is joined, and the two files dropped
        // (their temporary names removed), before this returns.
        std::thread::scope(|scope| {
            let synced = scope.spawn(move || -> std::io::Result<_> {
                measurements.sync()?;
                files_csv.sync()?;
                Ok((measurements, files_csv))
            });
            let (flags, study_count) = self.ledger.finish().with_context(write_error)?;

            // followup.csv, in patient order; a superseded study is compared as such.
            let mut report = self.report;
            let superseded = |row: u32| {
                flags.get(&(row as usize)).is_some_and(|f| {
                    f.iter().any(|flag| {
                        flag.starts_with("superseded_by=") || flag.starts_with("duplicate_of=")
                    })
                })
            };
            // The rows come as ready-made CSV lines from the follow-up.
            let mut followup_csv =
                AtomicFile::create(&out_dir.join(FOLLOWUP_CSV)).with_context(write_error)?;
            output::write_header(&mut followup_csv, FOLLOWUP_COLUMNS).with_context(write_error)?;
            let (followup, config, scratch) = (self.followup, self.config, self.studies);
            // The studies copy is serial and the follow-up comparison is parallel: side by side,
            // the copy takes no wall time of its own (it was a twentieth of a scan).
            let (studies, compared) = rayon::join(
                || copy_studies(scratch, &out_dir, &flags).with_context(write_error),
                || match config.followup {
                    FollowupMode::Never => Ok((0, Default::default())),
                    _ => followup
                        .finish(&mut followup_csv, &config.lsc, superseded)
                        .with_context(write_error),
                },
            );
            let studies = studies?;
            let (followup_rows, outcomes) = compared?;
            for ((family, outcome), n) in outcomes {
                *report
                    .followup
                    .entry(family.as_str().to_string())
                    .or_default()
                    .entry(outcome.to_string())
                    .or_default() += n;
            }

            let summary = Summary {
                studies: study_count,
                ..self.summary
            };
            report.files_seen = summary.files_seen as u64;
            report.ingested = summary.ingested as u64;
            report.studies = summary.studies as u64;
            report.skipped = summary.skipped as u64;
            report.errors = summary.errors as u64;
            let mut html =
                AtomicFile::create(&out_dir.join(REPORT_HTML)).with_context(write_error)?;
            std::io::Write::write_all(&mut html, crate::report::render(&report).as_bytes())
                .with_context(write_error)?;

            let (measurements, files_csv) = synced
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                .with_context(write_error)?;
            let mut files = vec![measurements, studies, files_csv, html];
            let with_followup = match config.followup {
                FollowupMode::Auto => followup_rows > 0,
                FollowupMode::Always => true,
                FollowupMode::Never => false,
            };
            if with_followup {
                files.push(followup_csv);
            }
            atomic::commit_all(files).with_context(write_error)?;

            if config.parquet {
                let mut tables = vec![
                    (MEASUREMENTS_CSV, parquet::MEASUREMENTS),
                    (STUDIES_CSV, parquet::STUDIES),
                    (FILES_CSV, parquet::FILES),
                ];
                if with_followup {
                    tables.push((FOLLOWUP_CSV, parquet::FOLLOWUP));
                }
                for (csv_name, schema) in tables {
                    let csv_path = out_dir.join(csv_name);
                    parquet::csv_to_parquet(&csv_path, &csv_path.with_extension("parquet"), schema)
                        .with_context(write_error)?;
                }
            }
            Ok(summary)
        })
    }
}

/// Copies the studies from scratch to studies.csv, adding the re-analysis flags.
fn copy_studies(
    scratch: BufWriter<fs::File>,
    out_dir: &Path,
    flags: &std::collections::BTreeMap<usize, Vec<String>>,
) -> Result<AtomicFile> {
    let mut scratch = scratch.into_inner().map_err(|e| e.into_error())?;
    scratch.seek(SeekFrom::Start(0))?;
    let mut scratch = BufReader::with_capacity(256 * 1024, scratch);
    let mut studies = AtomicFile::create(&out_dir.join(STUDIES_CSV))?;
    output::write_header(&mut studies, rows::STUDY_COLUMNS)?;
    let flags_column = rows::STUDY_COLUMNS
        .iter()
        .position(|h| *h == "flags")
        .expect("studies.csv has a flags column");
    let mut lines = LineRenderer::default();
    let mut line = Vec::new();
    let mut row = 0;
    while scratch::read_frame(&mut scratch, &mut line)? {
        match flags.get(&row) {
            None => studies.write_all(&line)?,
            Some(extra) => studies.write_all(
                with_flags(&line, extra, flags_column, &mut lines)
                    .with_context(|| format!("re-reading studies row {row}"))?,
            )?,
        }
        row += 1;
    }
    // On disk while the follow-up comparison still runs beside it.
    studies.sync()?;
    Ok(studies)
}

/// A studies.csv line with re-analysis flags appended to its own flags column.
fn with_flags<'l>(
    line: &[u8],
    extra: &[String],
    flags_column: usize,
    lines: &'l mut LineRenderer,
) -> Result<&'l [u8]> {
    // Bytes, not strings: the text was valid when written, and is copied unchanged.
    let mut record = csv::ByteRecord::new();
    if !csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line)
        .read_byte_record(&mut record)?
    {
        anyhow::bail!("empty line");
    }
    let own = &record[flags_column];
    let joined = std::iter::once(own)
        .filter(|f| !f.is_empty())
        .chain(extra.iter().map(String::as_bytes))
        .collect::<Vec<_>>()
        .join(&b';');
    let patched: csv::ByteRecord = record
        .iter()
        .enumerate()
        .map(|(i, field)| {
            if i == flags_column {
                joined.as_slice()
            } else {
                field
            }
        })
        .collect();
    Ok(lines.line(|w| w.write_byte_record(&patched))?)
}
