//! One struct per CSV file, fields in the column order of docs/columns.md; `*_COLUMNS` are
//! the header rows, checked against the structs by a test. Empty cell = value absent;
//! numbers in plain decimal; text made safe for spreadsheets (`cell`).

mod documents;
mod files;
mod followup;
mod history;
mod measurements;
mod studies;

pub use documents::{DOCUMENT_COLUMNS, document_row};
pub use files::{FILE_COLUMNS, file_row};
pub use followup::{FOLLOWUP_COLUMNS, followup_line, lsc_source_word, source_word, verdict_word};
pub use history::{HISTORY_COLUMNS, history_rows};
pub use measurements::{MEASUREMENT_COLUMNS, measurement_rows};
pub use studies::{STUDY_COLUMNS, study_row};

/// `;`-joined cell text.
pub fn joined<'s>(parts: impl IntoIterator<Item = &'s str>, separator: &str) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests;
