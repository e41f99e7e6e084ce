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
    /// Files those documents came from (an enCORE export: one file, a document per line).
    pub files_ingested: usize,
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
            "dxa-ingest: {} seen, {}, {} skipped, {}, recorded in {} in {:.2} s",
            count(self.files_seen, "file", "files"),
            self.documents("read"),
            self.skipped,
            count(self.errors, "error", "errors"),
            crate::path_text::path_text(partial),
            elapsed.as_secs_f64()
        )
    }

    /// `N documents`, and `from M files` when a file gave several (an export): what was
    /// ingested, in words that add up with the files seen.
    fn documents(&self, verb: &str) -> String {
        let documents = count(self.ingested, "document", "documents");
        match self.files_ingested == self.ingested {
            true => format!("{documents} {verb}"),
            false => format!(
                "{documents} {verb} from {}",
                count(self.files_ingested, "file", "files")
            ),
        }
    }

    /// The last line on stderr (docs/columns.md), ending with the reason of exit 4 when
    /// nothing was ingested (one line: `pull` and `listen` log it as one event).
    pub fn line(&self, elapsed: Duration) -> String {
        let reason = self
            .nothing_ingested()
            .map(|reason| format!("; {reason}"))
            .unwrap_or_default();
        format!(
            "dxa-ingest: {} seen, {}, {}, {} skipped, {} in {:.2} s{reason}",
            count(self.files_seen, "file", "files"),
            self.documents("ingested"),
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
            files_ingested: 1,
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
            files_ingested: 10,
            visits: 7,
            skipped: 10,
            errors: 0,
        };
        assert!(many.line(Duration::ZERO).starts_with(
            "dxa-ingest: 20 files seen, 10 documents ingested, 7 visits, 10 skipped, 0 errors"
        ));
        // An export's lines: documents from fewer files.
        let export = Summary {
            files_ingested: 8,
            ..many
        };
        assert!(export.line(Duration::ZERO).starts_with(
            "dxa-ingest: 20 files seen, 10 documents ingested from 8 files, 7 visits, 10 skipped"
        ));
    }

    /// The summary lines README.md and docs/ quote add up as a run's do: every file seen is
    /// ingested, skipped or an error.
    #[test]
    fn the_summary_lines_the_docs_quote_add_up() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut pages = vec![root.join("README.md")];
        for entry in std::fs::read_dir(root.join("docs")).expect("docs/") {
            let path = entry.expect("docs/ entry").path();
            if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
        let mut quoted = 0;
        for page in pages {
            let text = std::fs::read_to_string(&page).expect("page");
            // A line quoted across two lines of the page is one line.
            let words: Vec<&str> = text.split_whitespace().collect();
            for (at, pair) in words.windows(2).enumerate() {
                if pair != ["files", "seen,"] {
                    continue;
                }
                let number = |i: usize| -> Option<u64> {
                    let word = words.get(i)?.trim_start_matches(['`', '(']);
                    word.parse().ok()
                };
                // Prose that names the counts without numbers, or a line quoted in part,
                // is not a summary line.
                // `N documents ingested from M files`: M files were ingested.
                let from = words.get(at + 5) == Some(&"from");
                let shift = if from { 3 } else { 0 };
                let (Some(seen), Some(ingested), Some(skipped), Some(errors)) = (
                    number(at.wrapping_sub(1)),
                    number(if from { at + 6 } else { at + 2 }),
                    number(at + 7 + shift),
                    number(at + 9 + shift),
                ) else {
                    continue;
                };
                if (words.get(at + 8 + shift), words.get(at + 10 + shift))
                    != (Some(&"skipped,"), Some(&"errors"))
                {
                    continue;
                }
                assert_eq!(
                    seen,
                    ingested + skipped + errors,
                    "{}: {seen} files seen, {ingested} ingested, {skipped} skipped, {errors} errors",
                    page.display()
                );
                quoted += 1;
            }
        }
        assert!(quoted >= 5, "the docs quote five summary lines: {quoted}");
    }
}
