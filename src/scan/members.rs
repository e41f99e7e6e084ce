//! An archive's members as records, in path order: read as they come (an archive comes in
//! any order), processed in parallel chunks, sorted on the way in bounded memory (sorted
//! runs spilled to one temporary file, merged at the end: `store::Runs`), then recorded.
//! `--tar` gives the whole input this way; a walk gives each archive it finds, whose
//! members are named `ARCHIVE/MEMBER` and recorded right after the archive's own row.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::archive::{self, Kind, Member};
use super::process::process_bytes;
use crate::config::ScanConfig;
use crate::error::{FileError, Reason};
use crate::outcome::Outcome;
use crate::partial::Record;
use crate::path_text::path_text;
use crate::pipeline::{PipelineError, Recorder};
use crate::profile::Mapper;
use crate::store::{RunBuf, Runs, codec, path_key};

/// Bytes of encoded outcomes held before a sorted run is spilled.
const RUN_BYTES: usize = 32 * 1024 * 1024;

/// Bytes of members held at once before they are processed (each is at most the cap).
const CHUNK_BYTES: usize = 256 * 1024 * 1024;

/// Members on their way to the recorder.
pub struct Collector<'a> {
    config: &'a ScanConfig,
    mapper: &'a Mapper,
    pool: &'a rayon::ThreadPool,
    /// Where the members' rows are named: `PREFIX/MEMBER` (a walked archive), or the
    /// member's name alone (`--tar`).
    prefix: Option<PathBuf>,
    _scratch: tempfile::TempDir,
    runs: Runs,
    run: RunBuf,
    run_bytes: usize,
    chunk: Vec<(PathBuf, Member)>,
    chunk_bytes: usize,
}

impl<'a> Collector<'a> {
    /// A collector of members named after `prefix` (None: by their names alone).
    pub fn new(
        config: &'a ScanConfig,
        mapper: &'a Mapper,
        pool: &'a rayon::ThreadPool,
        prefix: Option<PathBuf>,
    ) -> Result<Collector<'a>, PipelineError> {
        let scratch = tempfile::tempdir()
            .map_err(|e| PipelineError::doing("cannot create a temporary folder", e))?;
        let runs = Runs::new(scratch.path())
            .map_err(|e| PipelineError::doing("cannot create a temporary file", e))?;
        Ok(Collector {
            config,
            mapper,
            pool,
            prefix,
            _scratch: scratch,
            runs,
            run: RunBuf::default(),
            run_bytes: 0,
            chunk: Vec::new(),
            chunk_bytes: 0,
        })
    }

    /// Takes one member (processed with its chunk).
    pub fn add(&mut self, name: PathBuf, member: Member) -> Result<(), PipelineError> {
        let path = match &self.prefix {
            Some(prefix) => prefix.join(name),
            None => name,
        };
        if let Member::Bytes(bytes) = &member {
            self.chunk_bytes += bytes.len();
        }
        self.chunk.push((path, member));
        if self.chunk.len() >= 64 * self.config.jobs.max(1) || self.chunk_bytes > CHUNK_BYTES {
            self.process()?;
        }
        Ok(())
    }

    /// Processes the chunk in parallel, and keeps its records in the sorted run.
    fn process(&mut self) -> Result<(), PipelineError> {
        let (config, mapper) = (self.config, self.mapper);
        let outcomes: Vec<Outcome> = self.pool.install(|| {
            self.chunk
                .par_iter()
                .map(|(_, member)| match member {
                    Member::Bytes(bytes) => process_bytes(bytes, mapper, &config.limits),
                    Member::NotRead(error) => Outcome::NotIngested(error.clone()),
                })
                .collect()
        });
        let chunk = std::mem::take(&mut self.chunk);
        for ((path, _), outcome) in chunk.into_iter().zip(outcomes) {
            self.keep(path, outcome)?;
        }
        self.chunk_bytes = 0;
        Ok(())
    }

    fn keep(&mut self, path: PathBuf, outcome: Outcome) -> Result<(), PipelineError> {
        use std::os::unix::ffi::OsStrExt;
        let key = path_key(&path);
        let record = Record {
            path: path.as_os_str().as_bytes().to_vec(),
            outcome,
        };
        let mut bytes = Vec::new();
        codec::encode_frame(&record, &mut bytes)?;
        self.run_bytes += bytes.len();
        self.run.push(key, &bytes);
        if self.run_bytes > RUN_BYTES {
            self.runs.append(std::mem::take(&mut self.run))?;
            self.run_bytes = 0;
        }
        Ok(())
    }

    /// Records every member in path order (a name given twice is one file: the first
    /// member stays), after `first` (the archive's own row, which sorts before its members).
    pub fn finish(
        mut self,
        first: Option<(&Path, Outcome)>,
        recorder: &mut impl Recorder,
    ) -> Result<(), PipelineError> {
        self.process()?;
        if let Some((path, outcome)) = first {
            self.keep(path.to_path_buf(), outcome)?;
        }
        let Collector { runs, run, .. } = self;
        runs.append(run)?;
        let mut last: Option<Vec<u8>> = None;
        let mut failure: Option<PipelineError> = None;
        runs.merge(|payload| {
            let mut frames = codec::Frames::new(payload);
            let frame = frames.next().expect("one frame per record")?;
            let record: Record = codec::decode(frame)?;
            let key = path_key(record.path());
            if last.as_ref() == Some(&key) {
                return Ok(());
            }
            last = Some(key);
            let Record { path, outcome } = record;
            let path =
                Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&path));
            if failure.is_none()
                && let Err(error) = recorder.record(path, outcome)
            {
                failure = Some(error);
            }
            Ok(())
        })?;
        match failure {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// Records an archive found in a walk (`path`, of `kind`): its own row (`skipped,
/// archive`, or the error that stopped its reading) and a row per member, `PATH/MEMBER`.
pub fn record_archive_file(
    path: &Path,
    kind: Kind,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut impl Recorder,
) -> Result<(), PipelineError> {
    let mut collector = Collector::new(config, mapper, pool, Some(path.to_path_buf()))?;
    let cap = config.limits.max_file_bytes;
    let read = match std::fs::File::open(path) {
        Err(e) => Ok(Err(archive::Stopped {
            error: FileError::new(Reason::IoError, e.to_string()),
        })),
        Ok(file) => match kind {
            Kind::Zip => archive::zip_members(file, cap, |name, m| collector.add(name, m)),
            Kind::Tar | Kind::GzipTar => archive::tar_members(
                std::io::BufReader::new(file),
                kind == Kind::GzipTar,
                cap,
                |name, m| collector.add(name, m),
            ),
        },
    }?;
    let row = match read {
        Ok(members) => FileError::new(
            Reason::Archive,
            format!(
                "{}: {} read, each a row {}/MEMBER",
                kind.name(),
                if members == 1 {
                    "its one member".to_string()
                } else {
                    format!("its {members} members")
                },
                path_text(path)
            ),
        ),
        Err(stopped) => FileError::new(
            stopped.error.reason,
            format!("{}: {}", kind.name(), stopped.error.message),
        ),
    };
    collector.finish(Some((path, Outcome::NotIngested(row))), recorder)
}
