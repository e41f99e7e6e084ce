//! `scan --tar FILE|-`: files streamed as an archive (docs/scale.md, "Object storage"): a
//! task streams objects from S3 or HDFS to the tool without local copies. Each member is a
//! file whose source path is the member's name. The archive is told by its content: a tar,
//! a gzip-compressed tar, or (from a file, not a pipe) a ZIP (`archive`); its members are
//! bounded like files, and come in path order whatever their order in it (`members`).

use std::io::{BufRead, BufReader};
use std::path::Path;

use super::archive::{self, Kind};
use super::members::Collector;
use crate::config::ScanConfig;
use crate::path_text::path_text;
use crate::pipeline::Recorder;
use crate::profile::Mapper;

/// Why an archive given to `--tar` could not be read through.
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    /// The file cannot be opened or its first bytes read.
    #[error("cannot read --tar {path}")]
    Read {
        /// The source as given (`-` for standard input).
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A ZIP archive on standard input: its directory is at its end.
    #[error(
        "--tar -: a ZIP archive cannot be read from a stream (its directory is at its end): \
         give --tar the file"
    )]
    ZipFromStream,
    /// Not an archive, or one that stops before its end.
    #[error("--tar {path}: {message} (a tar, a gzip-compressed tar or a ZIP file is read)")]
    Stopped {
        /// The source as given.
        path: String,
        /// Why it stopped.
        message: String,
    },
    /// The scan of its members failed (the write side's error, given back as is by
    /// `ScanError::into_cause`).
    #[error(transparent)]
    Members(#[from] crate::pipeline::PipelineError),
}

/// Reads the archive `source` (`-` = standard input) and records every member.
pub fn read(
    source: &Path,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut impl Recorder,
) -> Result<(), TarError> {
    let stdin = source.as_os_str() == "-";
    let path = path_text(source).to_string();
    let cannot = |error| TarError::Read {
        path: path.clone(),
        source: error,
    };
    let mut input: Box<dyn BufRead> = if stdin {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(std::fs::File::open(source).map_err(cannot)?))
    };
    let head = archive::peek(&mut input, 4096).map_err(cannot)?;
    let kind = Kind::of(&head);
    let mut collector = Collector::new(config, mapper, pool, None)?;
    let cap = config.limits.max_file_bytes;
    let read = match kind {
        Some(Kind::Zip) if stdin => return Err(TarError::ZipFromStream),
        Some(Kind::Zip) => {
            drop(input);
            let file = std::fs::File::open(source).map_err(cannot)?;
            archive::zip_members(file, cap, |name, m| collector.add(name, m))?
        }
        _ => archive::tar_members(
            archive::with_head(head, input),
            kind == Some(Kind::GzipTar),
            cap,
            |name, m| collector.add(name, m),
        )?,
    };
    if let Err(stopped) = read {
        return Err(TarError::Stopped {
            path,
            message: stopped.error.message,
        });
    }
    Ok(collector.finish(None, recorder)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_their_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
        let error = anyhow::Error::from_boxed(
            super::super::ScanError::from(TarError::Read {
                path: "x.tar".into(),
                source: io,
            })
            .into_cause(),
        );
        assert_eq!(format!("{error:#}"), "cannot read --tar x.tar: disk full");
        assert!(
            error
                .chain()
                .any(|e| e.downcast_ref::<std::io::Error>().is_some()),
            "the binary finds the I/O error's kind"
        );
        // The members' (the write side's) error comes back as it was, not wrapped: in
        // scan::error's tests.
        assert_eq!(
            TarError::ZipFromStream.to_string(),
            "--tar -: a ZIP archive cannot be read from a stream (its directory is at its \
             end): give --tar the file"
        );
        let stopped = TarError::Stopped {
            path: "a.bin".into(),
            message: "not an archive".into(),
        };
        assert_eq!(
            stopped.to_string(),
            "--tar a.bin: not an archive (a tar, a gzip-compressed tar or a ZIP file is read)"
        );
    }
}
