//! Writing the outputs: the rows of each file as typed cells (`table`, `rows`), cells safe
//! for spreadsheets (`cell`), how flags are spelled (`flags`), rows rendered for the sorted
//! runs (`render`), the Parquet copies (`parquet`), and the output folder that holds one
//! complete run or the previous one (`folder`). The CSV dialect is set once here (RFC 4180, UTF-8,
//! comma, `\n`, header row; docs/columns.md).

pub mod cell;
pub mod flags;
pub mod folder;
pub mod parquet;
mod render;
pub mod rows;
pub mod table;

pub use render::{Rendered, RowRenderer};

use std::io::Write;

/// The UTF-8 byte order mark `--excel` starts every CSV file with (Excel reads a CSV without
/// one in the system's code page, so `é` shows as `Ã©`; docs/columns.md).
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV writer in the contract's dialect over any byte sink (tests pass a `Vec<u8>`),
/// with its header row already written: a file without rows still has its columns.
pub fn csv_writer<W: Write>(sink: W, columns: &[&str]) -> csv::Result<csv::Writer<W>> {
    let mut writer = csv_rows_writer(sink);
    writer.write_record(columns)?;
    Ok(writer)
}

/// A CSV writer in the contract's dialect that writes no header. Flexible: one renderer
/// writes the rows of several files, each with its own number of columns (a test checks
/// each file's rows against its header).
pub fn csv_rows_writer<W: Write>(sink: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(sink)
}
