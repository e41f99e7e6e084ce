//! files.csv: one row per file looked at and not ingested, in path order.

use crate::error::FileError;
use crate::output::cell::Text;
use crate::output::table::row_struct;

row_struct! {
    /// files.csv
    #[derive(Debug)]
    pub struct FileRow<'a> {
        source_path: Text<'a>,
        status: &'static str,
        reason: &'static str,
        message: Text<'a>,
    }
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
