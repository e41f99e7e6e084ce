//! The files not ingested, by name: the first `FILES_CAP` errors and the first `FILES_CAP`
//! skipped files in path order (files.csv has them all), and what to do about each reason
//! (docs/report.md, "Files not ingested").

use crate::error::{FileError, Reason, Status};

/// Files of each status listed by name in the page; the rest are counted, and files.csv
/// holds them all. Errors are listed first.
pub const FILES_CAP: usize = 100;
/// Longest message kept for the page (files.csv has the whole message).
const MESSAGE_MAX_CHARS: usize = 160;

/// One file not ingested, as files.csv names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// The path as written in files.csv (a pseudonym under --pseudonymize).
    pub path: String,
    /// Why it was not ingested.
    pub reason: Reason,
    /// files.csv `message`, shortened.
    pub message: String,
}

/// The files listed by name, in path order per status, each list capped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotIngested {
    /// Files with status `error`.
    pub errors: Vec<FileEntry>,
    /// Files with status `skipped`.
    pub skipped: Vec<FileEntry>,
}

impl NotIngested {
    /// Records one file (files arrive in path order) while its list has room.
    pub fn add(&mut self, path: &str, error: &FileError) {
        let list = match error.reason.status() {
            Status::Error => &mut self.errors,
            Status::Skipped => &mut self.skipped,
        };
        if list.len() >= FILES_CAP {
            return;
        }
        list.push(FileEntry {
            path: path.to_string(),
            reason: error.reason,
            message: shorten(&error.message, MESSAGE_MAX_CHARS),
        });
    }

    /// Appends `other`'s files (a later part of the path order), keeping the caps.
    pub fn merge(&mut self, other: NotIngested) {
        for (into, from) in [
            (&mut self.errors, other.errors),
            (&mut self.skipped, other.skipped),
        ] {
            into.extend(from);
            into.truncate(FILES_CAP);
        }
    }
}

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The reason whose files.csv code this is.
pub fn reason_of(code: &str) -> Option<Reason> {
    Reason::ALL.into_iter().find(|r| r.code() == code)
}

/// What to do about the files of one reason (docs/columns.md lists the reasons; the
/// commands are the ones README.md documents). Every reason has an answer: the match is
/// exhaustive, so a new reason cannot be added without one.
pub fn next_step(reason: Reason) -> &'static str {
    match reason {
        Reason::Archive => {
            "Nothing to do: an archive whose members were read; each member has its own row."
        }
        Reason::NotDicom => {
            "Nothing to do: not a DICOM file. If it should be one, export it again from the scanner."
        }
        Reason::NotSr => {
            "Nothing to do: an image, PDF or DICOMDIR; the results are in the scanner's SR."
        }
        Reason::NotDxa => {
            "If it is a densitometry report: run `dxa-ingest inspect FILE` to see its content tree, \
             then write a profile (docs/profiles.md) and scan again with `--profile`."
        }
        Reason::NotRegularFile => {
            "A link, FIFO or device: if it is a link to an export, scan again with `--follow-symlinks`."
        }
        Reason::Truncated => {
            "The file ends early (an interrupted copy): copy it again from the archive or the \
             scanner, then scan again."
        }
        Reason::Malformed => {
            "The file's structure is broken: check it with `dxa-ingest inspect FILE` (or dcmdump) \
             and export it again."
        }
        Reason::TooLarge => {
            "Larger than the size cap: if it is a results document, scan again with a higher \
             `--max-file-size`."
        }
        Reason::NoMeasurements => {
            "A DXA SR whose measurements are not mapped: run `dxa-ingest inspect FILE` to see the \
             unmapped items, write a profile (docs/profiles.md) and scan again with `--profile`."
        }
        Reason::IoError => {
            "The system refused to read it: check permissions and the disk, then scan again."
        }
        Reason::Duplicate => "Nothing to do: a copy of a file already ingested.",
        Reason::InternalError => {
            "A bug in dxa-ingest: report it with the message (no patient data); the other files \
             were read."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(reason: Reason) -> FileError {
        FileError::new(reason, "x".repeat(500))
    }

    #[test]
    fn lists_keep_the_first_files_of_each_status() {
        let mut files = NotIngested::default();
        for i in 0..FILES_CAP + 10 {
            files.add(&format!("skip{i:04}"), &error(Reason::NotSr));
        }
        files.add("err0000", &error(Reason::Truncated));
        assert_eq!(files.skipped.len(), FILES_CAP);
        assert_eq!(files.skipped[0].path, "skip0000");
        assert_eq!(
            files.skipped[FILES_CAP - 1].path,
            format!("skip{:04}", FILES_CAP - 1)
        );
        assert_eq!(files.errors.len(), 1, "errors have their own room");
        assert_eq!(files.errors[0].message.chars().count(), MESSAGE_MAX_CHARS);
        assert!(files.errors[0].message.ends_with('…'));

        let mut later = NotIngested::default();
        later.add("err0001", &error(Reason::Malformed));
        later.add("zzz", &error(Reason::NotDicom));
        files.merge(later);
        assert_eq!(files.errors.len(), 2);
        assert_eq!(files.errors[1].path, "err0001");
        assert_eq!(files.skipped.len(), FILES_CAP, "still capped after a merge");
    }

    #[test]
    fn every_reason_has_a_next_step_and_a_code() {
        for reason in Reason::ALL {
            assert!(next_step(reason).len() > 20, "{reason:?}");
            assert_eq!(reason_of(reason.code()), Some(reason));
        }
        assert!(next_step(Reason::NotDxa).contains("dxa-ingest inspect FILE"));
        assert!(next_step(Reason::NoMeasurements).contains("profile"));
        assert_eq!(reason_of("nonsense"), None);
    }
}
