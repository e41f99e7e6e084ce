//! One struct per output file (`row_struct!`), fields in the column order of
//! docs/columns.md: the struct is the header row and the Parquet schema (`Row::COLUMNS`).
//! Empty cell = value absent; numbers in plain decimal; text made safe for spreadsheets
//! (`cell`).

mod body;
mod body_followup;
mod documents;
mod files;
mod followup;
mod history;
mod measurements;
mod studies;

pub use body::{
    BodyCompositionRow, INDEX_COLUMNS, VisitBody, body_composition_rows, index_cells, visit_body,
};
pub use body_followup::{BodyFollowupLine, body_followup_line};
pub use documents::{DocumentRow, document_row};
pub use files::{FileRow, file_row};
pub use followup::{FollowupLine, followup_line, lsc_source_word, source_word, verdict_word};
pub use history::{HistoryRow, history_rows};
pub use measurements::{MeasurementRow, measurement_rows};
pub use studies::{StudyRow, study_row};

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
