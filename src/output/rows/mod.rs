//! One struct per output file (`row_struct!`), fields in the column order of
//! docs/columns.md: the struct is the header row and the Parquet schema (`Row::COLUMNS`).
//! Empty cell = value absent; numbers in plain decimal; text made safe for spreadsheets
//! (`cell`).

mod body;
mod body_followup;
mod body_visit;
mod documents;
mod files;
mod followup;
mod history;
mod measurements;
mod studies;

pub use body::{BodyCompositionRow, BodyKeys, VisitBody, body_composition_rows, body_keys};
pub use body_followup::{BodyFollowupLine, body_followup_line};
pub use body_visit::{INDEX_COLUMNS, index_cells, visit_body};
pub use documents::{DocumentRow, document_row};
pub use files::{FileRow, file_row};
pub use followup::{FollowupLine, followup_line, lsc_source_word, source_word, verdict_word};
pub use history::{HistoryRow, history_rows};
pub use measurements::{MeasurementKeys, MeasurementRow, measurement_keys, measurement_rows};
pub use studies::{StudyRow, study_row};

/// An age in years to one decimal as the float formats it (`format!("{:.1}")`: round half
/// to even on the binary value), held exactly. Formatting a float costs about a thousand
/// instructions, twice per visit (studies.csv, visits_wide.csv): away from a tie the
/// rounding is read off `years * 10` (its error, under 10^-9 below 10^6 years, cannot
/// cross the half), and only near one is the text made.
pub fn age_one_decimal(years: f64) -> Option<crate::decimal::Decimal> {
    use crate::decimal::Decimal;
    let tens = years * 10.0;
    let floor = tens.floor();
    let over = tens - floor;
    if (0.0..1e6).contains(&years) && (over - 0.5).abs() > 1e-6 {
        let rounded = if over > 0.5 { floor + 1.0 } else { floor };
        return Decimal::from_parts(rounded as i64, 1);
    }
    Decimal::parse(&format!("{years:.1}"))
}

/// Appends a text of ours that needs no quoting nor the spreadsheet rules (a region's,
/// side's, source's or computed columns' name: `body::tests::plain_words_are_plain_fields`),
/// as `append_field` would, without reading it for what it does not hold.
#[inline]
fn append_plain_word(out: &mut Vec<u8>, word: &'static str) {
    debug_assert!(word.is_empty() || crate::field_bytes::plain_field(word.as_bytes()));
    out.extend_from_slice(word.as_bytes());
}

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
