//! Renders `ReportData` as one HTML page with inline SVG charts (being written).

use super::ReportData;

/// The page.
pub fn render(data: &ReportData) -> String {
    format!("<!doctype html><title>dxa-ingest report</title><p>{}</p>", data.files_seen)
}
