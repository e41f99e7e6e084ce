//! One file's work: read it, extract its document, and never let a panic out (the file's
//! `error/internal_error` row instead).

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

use super::archive;
use crate::carrier::encore;
use crate::error::{FileError, Reason};
use crate::extract::extract;
use crate::outcome::Outcome;
use crate::profile::Mapper;
use crate::sr::Limits;

/// Reads and extracts one file. Never panics: a panic inside the per-file work is caught
/// here and becomes this file's `error/internal_error` row, and the batch goes on.
/// `follow_last_link`: see `discover::Candidate::follow_last_link`.
pub fn process_file(
    path: &Path,
    follow_last_link: bool,
    mapper: &Mapper,
    limits: &Limits,
) -> Outcome {
    let bytes = match crate::read::read_file(path, follow_last_link, limits) {
        Ok(file) => {
            crate::provenance::count_bytes_read(file.bytes_read);
            file.head.bytes
        }
        Err(error) => return Outcome::NotIngested(error),
    };
    match process_bytes(&bytes, mapper, limits) {
        // An archive, told by its content: its members are read when it is recorded.
        Outcome::NotIngested(error) if error.reason == Reason::NotDicom => {
            match archive::kind_of_file(path) {
                Some(kind) => Outcome::NotIngested(FileError::new(Reason::Archive, kind.name())),
                None => Outcome::NotIngested(error),
            }
        }
        outcome => outcome,
    }
}

/// The pure part of `process_file`: bytes in, outcome out (the fuzz target's entry point).
/// A file that is not DICOM may be a GE enCORE export, told by its first line whatever its
/// name: its records are its documents.
pub fn process_bytes(bytes: &[u8], mapper: &Mapper, limits: &Limits) -> Outcome {
    match isolate(|| extract(bytes, mapper, limits)) {
        Ok(doc) => Outcome::Ingested(Box::new(doc)),
        Err(error) if error.reason == Reason::NotDicom && encore::is_export(bytes) => {
            match isolate(|| encore::documents(bytes, mapper)) {
                Ok(docs) => Outcome::Records(docs),
                Err(error) => Outcome::NotIngested(error),
            }
        }
        Err(error) => Outcome::NotIngested(error),
    }
}

/// Runs one file's work; a panic becomes that file's `error/internal_error` instead of
/// unwinding through the batch. Aborts (stack overflow, allocation failure) cannot be
/// caught: the pre-scan exists so that they cannot happen.
fn isolate<T>(work: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
    panic::catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(FileError::new(
            Reason::InternalError,
            format!("dxa-ingest bug while reading this file (please report): {what}"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_row() {
        let hook = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        let outcome: Result<(), FileError> = isolate(|| panic!("boom at byte 12"));
        panic::set_hook(hook);
        let error = outcome.unwrap_err();
        assert_eq!(error.reason, Reason::InternalError);
        assert_eq!(error.reason.status(), crate::error::Status::Error);
        assert!(
            error.message.contains("boom at byte 12"),
            "{}",
            error.message
        );
        assert_eq!(isolate(|| Ok::<_, FileError>(7)), Ok(7));
    }
}
