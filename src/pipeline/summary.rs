//! The counts of a run, its exit code, and its summary line (docs/columns.md, "Exit codes").

use std::path::Path;
use std::time::Duration;

use crate::exit::ExitCode;

/// Counts for the summary line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Entries accounted for.
    pub files_seen: usize,
    /// Results documents ingested (documents.csv rows).
    pub ingested: usize,
    /// Visits (studies.csv rows).
    pub visits: usize,
    /// files.csv rows with status skipped.
    pub skipped: usize,
    /// files.csv rows with status error.
    pub errors: usize,
}

/// `n thing` or `n things`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Summary {
    /// The exit code of a run that wrote outputs: 4 when no document was ingested, 3 when
    /// any file is an error.
    pub fn exit_code(&self) -> ExitCode {
        if self.ingested == 0 {
            ExitCode::NothingIngested
        } else {
            self.partial_exit_code()
        }
    }

    /// The exit code of a partial scan: 3 when any file is an error (a piece of an archive
    /// may hold no document: only the merge knows whether the whole does).
    pub fn partial_exit_code(&self) -> ExitCode {
        if self.errors > 0 {
            ExitCode::FilesFailed
        } else {
            ExitCode::Success
        }
    }

    /// Why a run that wrote outputs ingested nothing (exit 4); None when it ingested a
    /// document.
    pub fn nothing_ingested(&self) -> Option<String> {
        (self.ingested == 0).then(|| {
            if self.files_seen == 0 {
                "nothing to read: the inputs hold no files (exit 4)".to_string()
            } else {
                format!(
                    "nothing ingested: not one of the {} is a results document (files.csv \
                     says what each is; exit 4)",
                    count(self.files_seen, "file", "files")
                )
            }
        })
    }

    /// The last line on stderr of a partial scan.
    pub fn partial_line(&self, partial: &Path, elapsed: Duration) -> String {
        format!(
            "dxa-ingest: {} seen, {} read, {} skipped, {}, recorded in {} in {:.2} s",
            count(self.files_seen, "file", "files"),
            count(self.ingested, "document", "documents"),
            self.skipped,
            count(self.errors, "error", "errors"),
            crate::path_text::path_text(partial),
            elapsed.as_secs_f64()
        )
    }

    /// The last line on stderr (docs/columns.md), ending with the reason of exit 4 when
    /// nothing was ingested (one line: `pull` and `listen` log it as one event).
    pub fn line(&self, elapsed: Duration) -> String {
        let reason = self
            .nothing_ingested()
            .map(|reason| format!("; {reason}"))
            .unwrap_or_default();
        format!(
            "dxa-ingest: {} seen, {} ingested, {}, {} skipped, {} in {:.2} s{reason}",
            count(self.files_seen, "file", "files"),
            count(self.ingested, "document", "documents"),
            count(self.visits, "visit", "visits"),
            self.skipped,
            count(self.errors, "error", "errors"),
            elapsed.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_words_agree_with_their_numbers() {
        let one = Summary {
            files_seen: 1,
            ingested: 1,
            visits: 1,
            skipped: 0,
            errors: 1,
        };
        let line = one.line(Duration::from_millis(50));
        assert_eq!(
            line,
            "dxa-ingest: 1 file seen, 1 document ingested, 1 visit, 0 skipped, 1 error in 0.05 s"
        );
        let many = Summary {
            files_seen: 20,
            ingested: 10,
            visits: 7,
            skipped: 10,
            errors: 0,
        };
        assert!(many.line(Duration::ZERO).starts_with(
            "dxa-ingest: 20 files seen, 10 documents ingested, 7 visits, 10 skipped, 0 errors"
        ));
    }
}
