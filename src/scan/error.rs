//! `scan`'s error: the stage that failed, its message as it said it (each variant is its
//! stage's error, shown as it is), and `into_cause`, which gives the binary that error
//! itself, so that its causes (an I/O error's kind: a full disk, a closed pipe; a usage
//! error) are found in its chain (docs/columns.md, "Exit codes").

use crate::discover::DiscoverError;
use crate::partial::PartialError;
use crate::pipeline::{Cause, PipelineError};

use super::tar::TarError;

/// Why `scan` stopped (per-file problems are rows, never this).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The inputs cannot be walked or listed.
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    /// The profiles cannot be read to be hashed.
    #[error(transparent)]
    Profile(#[from] crate::profile::ProfileError),
    /// A `--known` partial cannot be read.
    #[error(transparent)]
    Known(#[from] PartialError),
    /// `--tar`'s archive cannot be read.
    #[error(transparent)]
    Tar(#[from] TarError),
    /// The output folder cannot be opened (its own message names it).
    #[error(transparent)]
    OutputFolder(std::io::Error),
    /// The write side failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

impl ScanError {
    /// The stage's own error (a `--tar` archive's members: the write side's), for a chain
    /// that starts at it.
    pub fn into_cause(self) -> Cause {
        match self {
            ScanError::Discover(e) => Box::new(e),
            ScanError::Profile(e) => Box::new(e),
            ScanError::Known(e) => Box::new(e),
            ScanError::Tar(TarError::Members(e)) | ScanError::Pipeline(e) => Box::new(e),
            ScanError::Tar(e) => Box::new(e),
            ScanError::OutputFolder(e) => Box::new(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cause_is_the_stage_error_itself() {
        let pipe = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe");
        let error = ScanError::from(TarError::from(PipelineError::from(pipe)));
        assert_eq!(error.to_string(), "pipe");
        let cause = error.into_cause();
        let pipeline = cause.downcast_ref::<PipelineError>().expect("not wrapped");
        assert_eq!(
            pipeline.io_error().map(std::io::Error::kind),
            Some(std::io::ErrorKind::BrokenPipe)
        );
        let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "full");
        let cause = ScanError::OutputFolder(full).into_cause();
        assert_eq!(
            cause
                .downcast_ref::<std::io::Error>()
                .map(std::io::Error::kind),
            Some(std::io::ErrorKind::StorageFull)
        );
    }
}
