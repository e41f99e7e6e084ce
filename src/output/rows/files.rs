//! files.csv: one row per file looked at and not ingested, in path order.

use serde::Serialize;

use crate::error::FileError;
use crate::output::cell::Text;

/// files.csv columns, in order.
pub const FILE_COLUMNS: &[&str] = &["source_path", "status", "reason", "message"];

/// files.csv
#[derive(Debug, Serialize)]
pub struct FileRow<'a> {
    source_path: Text<'a>,
    status: &'static str,
    reason: &'static str,
    message: Text<'a>,
}

/// The row of a file not ingested; `source_path` as written (pseudonymised or not).
pub fn file_row<'a>(source_path: &'a str, error: &'a FileError) -> FileRow<'a> {
    FileRow {
        source_path: Text::from(source_path),
        status: error.reason.status().as_str(),
        reason: error.reason.code(),
        message: Text::from(error.message.as_str()),
    }
}
