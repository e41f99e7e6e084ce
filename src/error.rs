//! Per-file outcomes that are not an ingested SR: the `status` and `reason` columns of
//! files.csv. The reason codes are part of the user contract (docs/columns.md): scripts
//! filter on them, so a variant's `code()` never changes once released.

use std::fmt;

/// files.csv `status`: `skipped` is "not for us", `error` is "meant to be read, could not be".
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Status {
    /// Not DICOM, or DICOM but not a DXA SR; not a problem with the file.
    Skipped,
    /// A file that should have been read and could not be.
    Error,
}

impl Status {
    /// The value written in files.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Skipped => "skipped",
            Status::Error => "error",
        }
    }
}

/// files.csv `reason`: a stable code.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Reason {
    /// Not a DICOM file (no DICM magic, no recognisable data set).
    NotDicom,
    /// DICOM, but not a Structured Report (images, DICOMDIR, PDF, raw data).
    NotSr,
    /// An SR with nothing that looks like bone densitometry.
    NotDxa,
    /// A directory entry that is not a regular file (FIFO, socket, device, symlink not followed).
    NotRegularFile,
    /// The file ends before its declared structure does.
    Truncated,
    /// The structure is invalid (lying lengths, nesting beyond the cap, undecodable values).
    Malformed,
    /// Larger than the configured size cap.
    TooLarge,
    /// A DXA SR from which no measurement could be mapped.
    NoMeasurements,
    /// The operating system refused to read the file or the folder.
    IoError,
    /// Same SOP Instance UID as a file already ingested.
    Duplicate,
    /// The per-file work panicked: a bug in dxa-ingest, reported instead of killing the batch.
    InternalError,
    /// An archive (ZIP, tar, gzip-compressed tar) whose members are read, each a row of its
    /// own named `ARCHIVE/MEMBER`.
    Archive,
}

impl Reason {
    /// Every reason, in the order docs/columns.md lists them.
    pub const ALL: [Reason; 12] = [
        Reason::NotDicom,
        Reason::NotSr,
        Reason::NotDxa,
        Reason::NotRegularFile,
        Reason::Truncated,
        Reason::Malformed,
        Reason::TooLarge,
        Reason::NoMeasurements,
        Reason::IoError,
        Reason::Duplicate,
        Reason::InternalError,
        Reason::Archive,
    ];

    /// The stable code written in files.csv.
    pub fn code(self) -> &'static str {
        match self {
            Reason::NotDicom => "not_dicom",
            Reason::NotSr => "not_sr",
            Reason::NotDxa => "not_dxa",
            Reason::NotRegularFile => "not_regular_file",
            Reason::Truncated => "truncated",
            Reason::Malformed => "malformed",
            Reason::TooLarge => "too_large",
            Reason::NoMeasurements => "no_measurements",
            Reason::IoError => "io_error",
            Reason::Duplicate => "duplicate",
            Reason::InternalError => "internal_error",
            Reason::Archive => "archive",
        }
    }

    /// The status a reason implies: the "not for us" reasons are skips, the rest errors.
    pub fn status(self) -> Status {
        match self {
            Reason::NotDicom
            | Reason::NotSr
            | Reason::NotDxa
            | Reason::NotRegularFile
            | Reason::Duplicate
            | Reason::Archive => Status::Skipped,
            Reason::Truncated
            | Reason::Malformed
            | Reason::TooLarge
            | Reason::NoMeasurements
            | Reason::IoError
            | Reason::InternalError => Status::Error,
        }
    }
}

/// Why one file was not ingested: a reason code and a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileError {
    /// The stable reason code.
    pub reason: Reason,
    /// Detail for a person: what was found, where.
    pub message: String,
}

impl FileError {
    /// A file error with a reason and a message.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        FileError {
            reason,
            message: message.into(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason.code(), self.message)
    }
}

impl std::error::Error for FileError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_snake_case() {
        let mut codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Reason::ALL.len());
    }

    #[test]
    fn skips_are_the_not_for_us_reasons() {
        assert_eq!(Reason::NotDicom.status(), Status::Skipped);
        assert_eq!(Reason::Duplicate.status(), Status::Skipped);
        assert_eq!(Reason::Truncated.status(), Status::Error);
        assert_eq!(Reason::NoMeasurements.status(), Status::Error);
    }
}
