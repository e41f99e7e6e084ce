//! The steps of a run that need every file, in order:
//! 1. `visits`: each partition (every document of some patients), or each piece of a large
//!    one, is read alone, its visits found, resolved and classified, its follow-up series
//!    compared, and every row it makes rendered into sorted runs (partitions in parallel,
//!    one per worker);
//! 2. `write`: the runs of each file merged, in the contract's row order, into the staging
//!    folder (the files in parallel), each CSV file with its Parquet copy when asked for;
//! 3. `report`: report.html from the counts.
//!
//! The commit of the staging folder is the caller's (`OutputFolder::commit`), so that a run
//! that fails at any step leaves the output folder as it was.

mod partition;
mod pieces;

use partition::AllRuns;

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use super::Summary;
use super::error::{Cause, PipelineError};
use super::sink::Sink;
use crate::config::{FollowupMode, OutputOptions};
use crate::output::Rendered;
use crate::output::folder::{Committed, WritingBack};
use crate::output::parquet::{self, ParquetWriter};
use crate::output::rows;
use crate::output::table::{Column, Row, names};
use crate::path_text::path_text;
use crate::report::RunInfo;
use crate::store::Runs;

/// The output files a run writes, with their columns (the header row, the Parquet schema).
struct Table {
    name: &'static str,
    columns: &'static [Column],
}

const MEASUREMENTS: Table = Table {
    name: "measurements.csv",
    columns: rows::MeasurementRow::COLUMNS,
};
const STUDIES: Table = Table {
    name: "studies.csv",
    columns: rows::StudyRow::COLUMNS,
};
const DOCUMENTS: Table = Table {
    name: "documents.csv",
    columns: rows::DocumentRow::COLUMNS,
};
const HISTORY: Table = Table {
    name: "history.csv",
    columns: rows::HistoryRow::COLUMNS,
};
const FOLLOWUP: Table = Table {
    name: "followup.csv",
    columns: rows::FollowupLine::COLUMNS,
};
const BODY_COMPOSITION: Table = Table {
    name: "body_composition.csv",
    columns: rows::BodyCompositionRow::COLUMNS,
};
const BODY_FOLLOWUP: Table = Table {
    name: "body_followup.csv",
    columns: rows::BodyFollowupLine::COLUMNS,
};
const WIDE: Table = Table {
    name: "visits_wide.csv",
    columns: crate::export::wide::WideRow::COLUMNS,
};

/// report.html's name.
pub const REPORT_HTML: &str = "report.html";

/// Runs every step into `staging`; returns the run's counts. Never inlined: the profiles of
/// the end of a run collect inside it (docs/performance.md, "How to measure").
#[inline(never)]
pub fn finish(
    sink: Sink,
    options: &OutputOptions,
    staging: &Path,
    steps: &super::Steps,
    run: &RunInfo,
) -> Result<Summary, PipelineError> {
    let doing = || format!("cannot write the outputs in {}", path_text(staging));
    let cannot = |cause: Cause| PipelineError::doing(doing(), cause);
    let Sink {
        files,
        documents,
        mut summary,
        mut report,
        ledger,
        buffer,
        ..
    } = sink;
    // The ledger (up to a few MiB of tables and filters at 10^6 files) and the encoding
    // buffer are not needed past the last file: freed before the visit step, whose pieces
    // and runs make the run's peak (docs/performance.md, "Memory").
    drop((ledger, buffer));
    files.finish(&mut report).map_err(cannot)?;
    // The partitions' budget is the run's: the runs take what the partitions give back as
    // they are read (docs/performance.md, "The end of a run").
    let budget = documents.budget().clone();
    let runs = AllRuns {
        measurements: Runs::with_budget(staging, &budget),
        studies: Runs::with_budget(staging, &budget),
        documents: Runs::with_budget(staging, &budget),
        history: Runs::with_budget(staging, &budget),
        followup: Runs::with_budget(staging, &budget),
        body_composition: Runs::with_budget(staging, &budget),
        body_followup: Runs::with_budget(staging, &budget),
        wide: Runs::with_budget(staging, &budget),
        fhir: Runs::with_budget(staging, &budget),
        omop: Runs::with_budget(staging, &budget),
    };

    // 1. visits, partition by partition, in parallel (the current rayon pool).
    steps.step("visits, classification and follow-up");
    let lsc_serials = options.lsc.device_serials();
    // Counted as they come, each partition into the counts of the ones before it on its
    // worker (`try_fold`; the order of adding does not change a count), and those added up
    // at the end: a partition's report is not held until the last one is done.
    let partitions = documents.into_partitions().map_err(|e| cannot(e.into()))?;
    pieces::make_room(&partitions, &budget);
    let counts = partitions
        .into_par_iter()
        .try_fold(partition::PartitionCounts::default, |mut counts, file| {
            let cut = pieces::cut(file, staging, &budget)?;
            for (piece, later_part) in cut.pieces {
                let over = partition::Over {
                    groups: &cut.over,
                    later_part,
                };
                partition::render(piece, over, options, &runs, &lsc_serials, &mut counts)?;
            }
            Ok::<_, io::Error>(counts)
        })
        .try_reduce_with(|mut a, b| {
            a.add(b);
            Ok(a)
        })
        .transpose()
        .map_err(|e| PipelineError::doing("cannot read back the run's temporary files", e))?
        .unwrap_or_default();
    summary.visits += counts.visits;
    report.merge(counts.report);
    let serials = counts.serials;
    // A serial in the --lsc file that no scanner of this run has is likely a typo.
    if let Some(file) = &options.lsc_file {
        for serial in &lsc_serials {
            if !serials.contains(*serial) {
                crate::warning::warn(&format!(
                    "--lsc {}: device serial {serial:?} matches no scanner in this run",
                    path_text(file)
                ));
            }
        }
    }

    // 2. write: each file merged from its runs (files in parallel).
    steps.step(if options.parquet {
        "the CSV and Parquet files"
    } else {
        "the CSV files"
    });
    let AllRuns {
        measurements,
        studies,
        documents,
        history,
        followup,
        wide,
        fhir,
        omop,
        body_composition,
        body_followup,
    } = runs;
    // The exports are written beside the tables (one more worker's job).
    let (written, exported) = rayon::join(
        || {
            write_tables(
                vec![
                    (MEASUREMENTS, measurements),
                    (STUDIES, studies),
                    (DOCUMENTS, documents),
                    (HISTORY, history),
                    (FOLLOWUP, followup),
                    (WIDE, wide),
                    (BODY_COMPOSITION, body_composition),
                    (BODY_FOLLOWUP, body_followup),
                ],
                staging,
                options,
            )
        },
        || crate::export::write(fhir, omop, options, staging),
    );
    written.map_err(cannot)?;
    exported.map_err(|e| cannot(e.into()))?;

    // 3. report.html
    steps.step("report.html");
    report.files_seen = summary.files_seen as u64;
    report.ingested = summary.ingested as u64;
    report.studies = summary.visits as u64;
    report.skipped = summary.skipped as u64;
    report.errors = summary.errors as u64;
    std::fs::write(
        staging.join(REPORT_HTML),
        crate::report::render(&report, run),
    )
    .map_err(|e| cannot(e.into()))?;

    Ok(summary)
}

/// Writes the tables on the pool's workers, each worker taking the largest table left
/// (the sizes of their runs): body_composition.csv, half of a body composition run's bytes,
/// is started at once on one worker while the other writes the rest, where in the
/// tables' order a worker could come to it after two others (docs/performance.md, "The end
/// of a run"). A table left out (`written`) is not written at all, where it was written
/// and then removed. The first error is returned once no table is being written.
fn write_tables(
    tables: Vec<(Table, Runs)>,
    staging: &Path,
    options: &OutputOptions,
) -> Result<(), Cause> {
    let mut order: Vec<(Table, Runs)> = tables
        .into_iter()
        .filter(|(table, runs)| written(table, !runs.is_empty(), options))
        .collect();
    // Stable: tables of equal size keep their order.
    order.sort_by_cached_key(|(_, runs)| std::cmp::Reverse(runs.bytes()));
    let workers = rayon::current_num_threads().min(order.len());
    // The tables not yet taken, largest first: each worker takes the next.
    let waiting = Mutex::new(order.into_iter());
    let next = || waiting.lock().unwrap_or_else(|e| e.into_inner()).next();
    let failed: Mutex<Option<Cause>> = Mutex::new(None);
    (0..workers).into_par_iter().for_each(|_| {
        while let Some((table, runs)) = next() {
            if let Err(error) = write_table(&table, runs, staging, options) {
                failed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get_or_insert(error);
                // The others stop at their next table.
                waiting
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .by_ref()
                    .for_each(drop);
                return;
            }
        }
    });
    match failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Whether a table is written: body_composition.csv only in a run with a whole-body exam's
/// composition; body_followup.csv only with a row, followup.csv with a row or with
/// `--followup always`, neither with `--followup never`; the others always, a header
/// without rows if need be.
fn written(table: &Table, has_rows: bool, options: &OutputOptions) -> bool {
    let followup = options.followup;
    match table.name {
        name if name == FOLLOWUP.name => {
            followup == FollowupMode::Always || (followup == FollowupMode::Auto && has_rows)
        }
        name if name == BODY_FOLLOWUP.name => followup != FollowupMode::Never && has_rows,
        name if name == BODY_COMPOSITION.name => has_rows,
        _ => true,
    }
}

/// Writes one CSV file (after a byte order mark with `--excel`), and its Parquet copy with
/// `--format parquet`: the header, then the runs merged in key order, each record's lines
/// and values (`Rendered`).
fn write_table(
    table: &Table,
    runs: Runs,
    staging: &Path,
    options: &OutputOptions,
) -> Result<(), Cause> {
    let parquet = options.parquet;
    let csv = staging.join(table.name);
    let file = File::create(&csv)?;
    // Its writing to disk started as it grows, while the rest of it and the other tables
    // are merged, not all at the commit's flush (docs/performance.md, "The end of a run").
    let mut file = WritingBack::new(file, WRITEBACK_STEP);
    let mut header = Vec::new();
    if options.excel {
        header.extend_from_slice(crate::output::BOM);
    }
    let mut names_row = crate::output::csv_writer(header, &names(table.columns))?;
    names_row.flush()?;
    file.write_all(names_row.get_ref())?;
    let mut copy = match parquet {
        true => Some(ParquetWriter::create(
            &parquet::parquet_path_for(&csv),
            table.columns,
        )?),
        false => None,
    };
    // The rows' lines written from the merged runs where they are held (no copy into a
    // buffer first: docs/performance.md, "The end of a run").
    let file = runs.write_merged(file, |payload| {
        let rendered = Rendered::split(payload, parquet)?;
        if let Some(copy) = &mut copy {
            copy.push_encoded(rendered.values)
                .map_err(io::Error::other)?;
        }
        Ok(rendered.lines)
    })?;
    // The rest of its writing to disk started now, while the other tables are written.
    file.finish();
    if let Some(copy) = copy {
        copy.finish()?;
    }
    Ok(())
}

/// How many bytes of a table are written before their writing to disk is started: at
/// 512 KiB rather than 2 MiB the commit's flush waited about 0.5-1 ms less on 6-13 MB of
/// tables, the write step the same (docs/performance.md, "The end of a run", ninth session);
/// 256 KiB made the write step slower (more calls) for no more.
const WRITEBACK_STEP: u64 = 512 * 1024;

/// Says what the commit carried over (a warning, in the form of the command's log:
/// `crate::warning`) or could not do atomically (a note, on stderr as it is).
pub fn warn_committed(committed: &Committed, out: &Path) {
    if let Some(warning) = foreign_warning(committed, out) {
        crate::warning::warn(&warning);
    }
    if let Some(why) = committed.one_by_one {
        eprintln!(
            "dxa-ingest: note: {} cannot be exchanged with a new folder in one step ({why}): \
             the outputs were replaced one file at a time, run.json last",
            path_text(out)
        );
    }
}

/// The warning for files in the output folder that dxa-ingest did not write, if any.
fn foreign_warning(committed: &Committed, out: &Path) -> Option<String> {
    (!committed.foreign.is_empty()).then(|| {
        format!(
            "{} holds files dxa-ingest did not write, left as they are: {}",
            path_text(out),
            committed.foreign.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_files_are_a_warning_naming_them() {
        let mut committed = Committed {
            foreign: Vec::new(),
            one_by_one: None,
        };
        assert_eq!(foreign_warning(&committed, Path::new("out")), None);
        committed.foreign = vec!["notes.txt".into(), "x.csv".into()];
        assert_eq!(
            foreign_warning(&committed, Path::new("out")).as_deref(),
            Some("out holds files dxa-ingest did not write, left as they are: notes.txt, x.csv")
        );
        // The plain form, as before the warning went through `crate::warning`.
        assert_eq!(
            crate::warning::line(&foreign_warning(&committed, Path::new("out")).unwrap()),
            "dxa-ingest: warning: out holds files dxa-ingest did not write, left as they are: \
             notes.txt, x.csv"
        );
    }
}
