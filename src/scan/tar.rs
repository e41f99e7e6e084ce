//! `scan --tar FILE|-`: files streamed as a tar archive (docs/scale.md, "Object storage"):
//! a task streams objects from S3 or HDFS to the tool without local copies. Each member is
//! a file whose source path is the member's name.
//!
//! A tar stream comes in any order, and records must reach the recorder in path order: the
//! outcomes are sorted on the way, in bounded memory (sorted runs spilled to one temporary
//! file, merged at the end: `store::Runs`).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::{Outcome, Recorder, process_bytes};
use crate::config::ScanConfig;
use crate::error::{FileError, Reason};
use crate::partial::Record;
use crate::path_text::path_text;
use crate::profile::Mapper;
use crate::store::{RunBuf, Runs, codec, path_key};

/// Bytes of encoded outcomes held before a sorted run is spilled.
const RUN_BYTES: usize = 32 * 1024 * 1024;

/// One member, read or not.
enum Member {
    Bytes(Vec<u8>),
    NotRead(FileError),
}

/// Reads the tar stream `source` (`-` = standard input) and records every member.
pub fn read(
    source: &Path,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut impl Recorder,
) -> Result<()> {
    let input: Box<dyn Read> = if source.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(source)
                .with_context(|| format!("cannot read --tar {}", path_text(source)))?,
        )
    };
    let scratch = tempfile::tempdir().context("cannot create a temporary folder")?;
    let runs = Runs::new(scratch.path()).context("cannot create a temporary file")?;
    let mut run = RunBuf::default();
    let mut run_bytes = 0;
    let mut archive = tar::Archive::new(input);
    let cap = config.limits.max_file_bytes;
    let chunk_size = 64 * config.jobs.max(1);
    let mut chunk: Vec<(PathBuf, Member)> = Vec::with_capacity(chunk_size);
    let process = |chunk: &mut Vec<(PathBuf, Member)>, run: &mut RunBuf| -> Result<usize> {
        let outcomes: Vec<Outcome> = pool.install(|| {
            chunk
                .par_iter()
                .map(|(_, member)| match member {
                    Member::Bytes(bytes) => process_bytes(bytes, mapper, &config.limits),
                    Member::NotRead(error) => Outcome::NotIngested(error.clone()),
                })
                .collect()
        });
        let mut added = 0;
        for ((path, _), outcome) in chunk.drain(..).zip(outcomes) {
            use std::os::unix::ffi::OsStrExt;
            let record = Record {
                path: path.as_os_str().as_bytes().to_vec(),
                outcome,
            };
            let mut bytes = Vec::new();
            codec::encode_frame(&record, &mut bytes)?;
            added += bytes.len();
            run.push(path_key(&path), &bytes);
        }
        Ok(added)
    };
    let entries = archive
        .entries()
        .with_context(|| format!("cannot read --tar {}", path_text(source)))?;
    for entry in entries {
        let mut entry = entry.with_context(|| {
            format!(
                "--tar {}: the stream is not a tar archive, or is cut short",
                path_text(source)
            )
        })?;
        let path = entry
            .path()
            .with_context(|| format!("--tar {}: a member name cannot be read", path_text(source)))?
            .into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        let member = if !kind.is_file() {
            Member::NotRead(FileError::new(
                Reason::NotRegularFile,
                format!("tar member of type {kind:?}, not a regular file"),
            ))
        } else if entry.size() > cap {
            Member::NotRead(FileError::new(
                Reason::TooLarge,
                format!(
                    "{} bytes exceeds the {cap}-byte cap (--max-file-size)",
                    entry.size()
                ),
            ))
        } else {
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            entry
                .read_to_end(&mut bytes)
                .with_context(|| format!("--tar {}: the stream is cut short", path_text(source)))?;
            crate::provenance::count_bytes_read(bytes.len() as u64);
            Member::Bytes(bytes)
        };
        chunk.push((path, member));
        if chunk.len() == chunk_size {
            run_bytes += process(&mut chunk, &mut run)?;
            if run_bytes > RUN_BYTES {
                runs.append(std::mem::take(&mut run))?;
                run_bytes = 0;
            }
        }
    }
    process(&mut chunk, &mut run)?;
    runs.append(run)?;
    let mut last: Option<Vec<u8>> = None;
    let mut failure: Option<anyhow::Error> = None;
    runs.merge(|payload| {
        let mut frames = codec::Frames::new(payload);
        let frame = frames.next().expect("one frame per record")?;
        let record: Record = codec::decode(frame)?;
        // A name given twice in one stream is one file: the first member stays.
        let key = path_key(record.path());
        if last.as_ref() == Some(&key) {
            return Ok(());
        }
        last = Some(key);
        let Record { path, outcome } = record;
        if failure.is_none()
            && let Err(error) = recorder.record(
                Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&path)),
                outcome,
            )
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
