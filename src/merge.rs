//! The `merge` command (docs/scale.md): the records of any number of partial scans, merged
//! in path order (a path recorded twice is one file), fed to the write side `scan` uses
//! (`pipeline::Sink`, then `pipeline::write_outputs`): the outputs are those of one scan of
//! all the files by construction, not by a second implementation. Memory: one record per
//! partial, plus what the write side keeps.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

use crate::config::{MergeConfig, Target};
use crate::output::folder::OutputFolder;
use crate::partial::{PartialError, Reader, Record};
use crate::path_text::path_text;
use crate::pipeline::{
    Cause, PartialRecorder, PipelineError, Recorder, Sink, Summary, worker_pool, write_outputs,
};
use crate::store::{codec, path_key};

/// Why `merge` stopped: each variant is its stage's error, shown as it is; `into_cause`
/// gives the binary that error itself, so that its causes (an I/O error's kind) are found in
/// its chain (docs/columns.md, "Exit codes").
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The partials cannot be merged.
    #[error(transparent)]
    Refusal(#[from] MergeRefusal),
    /// A partial cannot be read.
    #[error(transparent)]
    Partial(#[from] PartialError),
    /// The output folder cannot be opened, or a record encoded to be compared.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The write side failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

impl MergeError {
    /// The stage's own error, for a chain that starts at it.
    pub fn into_cause(self) -> Cause {
        match self {
            MergeError::Refusal(e) => Box::new(e),
            MergeError::Partial(e) => Box::new(e),
            MergeError::Io(e) => Box::new(e),
            MergeError::Pipeline(e) => Box::new(e),
        }
    }
}

/// Partials that cannot be merged into one scan's outputs: each says which and what to do.
#[derive(Debug, thiserror::Error)]
pub enum MergeRefusal {
    /// Written by two versions of dxa-ingest.
    #[error(
        "partial {partial} was written by dxa-ingest {version}, partial {first} by \
         {first_version}: scan them again with one version"
    )]
    Versions {
        /// The partial that differs, as path text.
        partial: String,
        /// Its version.
        version: String,
        /// The first partial given.
        first: String,
        /// The first partial's version.
        first_version: String,
    },
    /// Scanned with other profiles or limits.
    #[error(
        "partial {partial} was scanned with other profiles or limits than partial {first} \
         (--profile, --max-file-size, --follow-symlinks must agree): scan them again alike"
    )]
    Options {
        /// The partial that differs, as path text.
        partial: String,
        /// The first partial given.
        first: String,
    },
    /// Records out of path order: not written by `scan --partial`.
    #[error(
        "partial {partial} is not in path order at {at}: it was not written by `scan --partial`"
    )]
    NotInPathOrder {
        /// The partial, as path text.
        partial: String,
        /// The record's path, as path text.
        at: String,
    },
}

/// Runs `merge`.
pub fn run(config: &MergeConfig) -> Result<(Summary, Duration), MergeError> {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    crate::pseudonym::start_counting_withheld();
    let mut readers = Vec::with_capacity(config.partials.len());
    for path in &config.partials {
        readers.push(Reader::open(path)?);
    }
    let header = readers[0].header.clone();
    for (reader, path) in readers.iter().zip(&config.partials).skip(1) {
        let first = || path_text(&config.partials[0]);
        if reader.header.version != header.version {
            return Err(MergeRefusal::Versions {
                partial: path_text(path),
                version: reader.header.version.clone(),
                first: first(),
                first_version: header.version.clone(),
            }
            .into());
        }
        if reader.header.options_sha256 != header.options_sha256 {
            return Err(MergeRefusal::Options {
                partial: path_text(path),
                first: first(),
            }
            .into());
        }
    }
    let pool = worker_pool(config.jobs)?;
    let progress = if config.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::hidden()
    } else {
        ProgressBar::new_spinner()
    };
    match &config.target {
        Target::Outputs(out) => {
            let folder = OutputFolder::open(out)?;
            let mut sink = Sink::new(&config.output, folder.staging())?;
            feed(readers, &mut sink, &progress)?;
            progress.finish_and_clear();
            let record = run_record(config, &header, started_at);
            let run = crate::report::RunInfo::new(
                &config.output,
                &header.extraction,
                header.profiles.clone(),
            );
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
            let mut recorder = PartialRecorder::create(file, header)?;
            feed(readers, &mut recorder, &progress)?;
            progress.finish_and_clear();
            Ok((recorder.finish(file)?, started.elapsed()))
        }
    }
}

/// run.json's record of a merge: the partials are its inputs, their bytes what it read.
fn run_record(
    config: &MergeConfig,
    header: &crate::partial::Header,
    started: std::time::SystemTime,
) -> crate::provenance::RunRecord {
    use crate::provenance;
    let mut options = vec![("jobs".to_string(), config.jobs.to_string())];
    options.extend(provenance::output_option_pairs(
        &config.output,
        config.output.lsc_file.as_deref(),
    ));
    options.push((
        "extraction_options_sha256".into(),
        header.options_sha256.clone(),
    ));
    let inputs = config
        .partials
        .iter()
        .map(|p| config.output.ids().path(&path_text(p)).into_owned())
        .collect();
    let mut record = provenance::RunRecord::new(
        "merge",
        "partials",
        inputs,
        options,
        &provenance::shown_profiles(&config.output, &header.profiles),
        started,
    );
    record.bytes_read = config
        .partials
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    record
}

/// Feeds every record, in path order, to `recorder`. A path recorded in several partials
/// is one file: of records that differ, the one whose encoding sorts first is kept, so that
/// the choice never depends on the order the partials were given in.
fn feed(
    mut readers: Vec<Reader>,
    recorder: &mut impl Recorder,
    progress: &ProgressBar,
) -> Result<(), MergeError> {
    let mut heads: BinaryHeap<Reverse<(Vec<u8>, usize)>> = BinaryHeap::new();
    let mut records: Vec<Option<Record>> = Vec::with_capacity(readers.len());
    for (i, reader) in readers.iter_mut().enumerate() {
        let record = reader.next_record()?;
        if let Some(record) = &record {
            heads.push(Reverse((path_key(record.path()), i)));
        }
        records.push(record);
    }
    while let Some(Reverse((key, first))) = heads.pop() {
        let mut chosen = records[first].take().expect("a head has its record");
        advance(&mut readers, &mut records, &mut heads, first, &key)?;
        // The same path in other partials.
        while heads.peek().is_some_and(|Reverse((k, _))| *k == key) {
            let Reverse((_, other)) = heads.pop().expect("peeked");
            let candidate = records[other].take().expect("a head has its record");
            if encoding(&candidate)? < encoding(&chosen)? {
                chosen = candidate;
            }
            advance(&mut readers, &mut records, &mut heads, other, &key)?;
        }
        let path = chosen.path().to_path_buf();
        recorder.record(&path, chosen.outcome)?;
        progress.inc(1);
    }
    Ok(())
}

/// Reads partial `i`'s next record into its slot; `previous` is the key of the record it
/// just gave. A partial is written in path order: one that is not cannot be merged.
fn advance(
    readers: &mut [Reader],
    records: &mut [Option<Record>],
    heads: &mut BinaryHeap<Reverse<(Vec<u8>, usize)>>,
    i: usize,
    previous: &[u8],
) -> Result<(), MergeError> {
    let record = readers[i].next_record()?;
    if let Some(record) = &record {
        let key = path_key(record.path());
        if key.as_slice() < previous {
            return Err(MergeRefusal::NotInPathOrder {
                partial: path_text(readers[i].path()),
                at: path_text(record.path()),
            }
            .into());
        }
        heads.push(Reverse((key, i)));
    }
    records[i] = record;
    Ok(())
}

fn encoding(record: &Record) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    codec::encode_frame(record, &mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_which_partial_and_what_to_do() {
        let versions = MergeRefusal::Versions {
            partial: "b.part".into(),
            version: "0.2.0".into(),
            first: "a.part".into(),
            first_version: "0.1.0".into(),
        };
        assert_eq!(
            versions.to_string(),
            "partial b.part was written by dxa-ingest 0.2.0, partial a.part by 0.1.0: scan \
             them again with one version"
        );
        let options = MergeRefusal::Options {
            partial: "b.part".into(),
            first: "a.part".into(),
        };
        assert_eq!(
            options.to_string(),
            "partial b.part was scanned with other profiles or limits than partial a.part \
             (--profile, --max-file-size, --follow-symlinks must agree): scan them again alike"
        );
        let order = MergeRefusal::NotInPathOrder {
            partial: "b.part".into(),
            at: "x/1.dcm".into(),
        };
        assert_eq!(
            order.to_string(),
            "partial b.part is not in path order at x/1.dcm: it was not written by `scan \
             --partial`"
        );
    }
}
