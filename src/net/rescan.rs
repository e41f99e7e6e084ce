//! The scan of the archive into `--out`, exactly as `dxa-ingest scan ARCHIVE --out DIR`
//! would run it: the one place where `pull` and `listen` call the scan library. The whole
//! archive is scanned each time (docs/network.md: `listen` rescans after a quiet period
//! and at shutdown); incremental scans are a later change, made here.

use std::path::Path;
use std::time::Duration;

use crate::config::{Inputs, ScanConfig};
use crate::pipeline::Summary;
use crate::profile::Mapper;
use crate::scan::{self, ScanError};

/// Scans `archive` with the options of `config` (its `inputs` are replaced by the archive).
pub fn rescan(
    archive: &Path,
    config: &ScanConfig,
    mapper: &Mapper,
) -> Result<(Summary, Duration), ScanError> {
    let config = ScanConfig {
        inputs: Inputs::Paths(vec![archive.to_path_buf()]),
        ..config.clone()
    };
    scan::run(&config, mapper)
}

/// Why the output folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutputFolderError {
    /// It cannot be created.
    #[error("cannot create the output folder {path}")]
    Create {
        /// The folder.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A file cannot be written in it.
    #[error("cannot write in the output folder {path}")]
    Write {
        /// The folder.
        path: String,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

/// Creates the output folder and checks that it can be written, before any network work:
/// a `pull` that retrieved for an hour, or a `listen` that stored all day, must not find
/// only then that its outputs cannot be written.
pub fn check_output(out: &Path) -> Result<(), OutputFolderError> {
    let path = || out.display().to_string();
    std::fs::create_dir_all(out).map_err(|source| OutputFolderError::Create {
        path: path(),
        source,
    })?;
    let probe = out.join(format!(".dxa-ingest-probe-{}", std::process::id()));
    std::fs::File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|source| OutputFolderError::Write {
            path: path(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_folder_under_a_file_is_refused_early() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        let under_a_file = dir.path().join("file/out");
        let error = check_output(&under_a_file).unwrap_err();
        assert!(
            matches!(error, OutputFolderError::Create { .. }),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("cannot create the output folder {}", under_a_file.display())
        );
        let fine = dir.path().join("out");
        check_output(&fine).unwrap();
        assert_eq!(
            std::fs::read_dir(&fine).unwrap().count(),
            0,
            "the probe is removed"
        );
    }
}
