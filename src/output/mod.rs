//! The CSV files: their rows (`rows`), written atomically (`atomic`). The CSV dialect is set
//! once here (RFC 4180, UTF-8, comma, `\n`, header row; contract.md).

pub mod atomic;
pub mod parquet;
pub mod rows;

use std::io::Write;

pub use atomic::AtomicFile;

/// A CSV writer in the contract's dialect over any byte sink (tests pass a `Vec<u8>`),
/// with its header row already written: a file without rows still has its columns.
pub fn csv_writer<W: Write>(sink: W, columns: &[&str]) -> csv::Result<csv::Writer<W>> {
    let mut writer = csv_rows_writer(sink);
    writer.write_record(columns)?;
    Ok(writer)
}

/// A CSV writer in the contract's dialect that writes no header: for rows rendered apart
/// and copied into a file whose header `csv_writer` wrote.
pub fn csv_rows_writer<W: Write>(sink: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(sink)
}
