//! The write side's error: what it was doing (with the path) and the cause, said as before
//! (`cannot write the outputs in OUT: No space left on device`), the I/O error kept in the
//! chain so that the binary finds its kind (a full disk, a closed pipe: docs/columns.md,
//! "Exit codes").

use std::error::Error;
use std::io;

/// Any cause of a write-side failure: an I/O, CSV, Parquet or encoding error.
pub type Cause = Box<dyn Error + Send + Sync + 'static>;

/// Why the write side (`Sink`, a partial, the steps after the last file) failed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// What it was doing (`cannot write the outputs in OUT`), and why it could not.
    #[error("{doing}")]
    Doing {
        /// What it was doing, with the path.
        doing: String,
        /// The cause.
        #[source]
        cause: Cause,
    },
    /// A cause said as it is (no step names it: a partial's record, the Parquet copy of
    /// files.csv being created).
    #[error("{0}")]
    Bare(Cause),
    /// The worker threads could not be started.
    #[error("cannot start worker threads")]
    Workers(#[source] rayon::ThreadPoolBuildError),
}

impl PipelineError {
    /// `cause` while doing `doing`.
    pub fn doing(doing: impl Into<String>, cause: impl Into<Cause>) -> PipelineError {
        PipelineError::Doing {
            doing: doing.into(),
            cause: cause.into(),
        }
    }

    /// The I/O error among the causes (a bare cause included, which is not in the chain:
    /// it would be said twice), for its kind.
    pub fn io_error(&self) -> Option<&io::Error> {
        let mut next: Option<&(dyn Error + 'static)> = match self {
            PipelineError::Doing { cause, .. } | PipelineError::Bare(cause) => Some(&**cause),
            PipelineError::Workers(_) => None,
        };
        while let Some(error) = next {
            if let Some(io) = error.downcast_ref::<io::Error>() {
                return Some(io);
            }
            next = error.source();
        }
        None
    }
}

/// `error` and its causes, `a: b: c`, as the binary says a fatal error (for a log line).
pub fn chain_text(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut next = error.source();
    while let Some(cause) = next {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        next = cause.source();
    }
    text
}

/// A bare cause: `?` on a cause no step names.
impl From<io::Error> for PipelineError {
    fn from(error: io::Error) -> PipelineError {
        PipelineError::Bare(error.into())
    }
}

impl From<crate::output::parquet::ParquetError> for PipelineError {
    fn from(error: crate::output::parquet::ParquetError) -> PipelineError {
        PipelineError::Bare(error.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_the_io_error_they_carry() {
        let full = io::Error::new(io::ErrorKind::StorageFull, "No space left on device");
        let error = anyhow::Error::new(PipelineError::doing(
            "cannot write the outputs in out",
            full,
        ));
        assert_eq!(
            format!("{error:#}"),
            "cannot write the outputs in out: No space left on device"
        );
        let pipeline = error.downcast_ref::<PipelineError>().unwrap();
        assert_eq!(
            pipeline.io_error().unwrap().kind(),
            io::ErrorKind::StorageFull
        );
        // In the chain too, as the binary reads it.
        assert!(error.chain().any(|e| {
            e.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::StorageFull)
        }));

        // A bare cause is said once, and its I/O error still found.
        let pipe = io::Error::new(io::ErrorKind::BrokenPipe, "Broken pipe");
        let error = anyhow::Error::new(PipelineError::from(pipe));
        assert_eq!(format!("{error:#}"), "Broken pipe");
        let pipe = io::Error::new(io::ErrorKind::BrokenPipe, "Broken pipe");
        assert_eq!(
            chain_text(&PipelineError::doing("cannot write in out", pipe)),
            "cannot write in out: Broken pipe"
        );
        let pipeline = error.downcast_ref::<PipelineError>().unwrap();
        assert_eq!(
            pipeline.io_error().unwrap().kind(),
            io::ErrorKind::BrokenPipe
        );
    }
}
