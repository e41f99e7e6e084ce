//! Writing the outputs: the rows of each CSV file (`rows`), cells safe for spreadsheets
//! (`cell`), the Parquet copies (`parquet`), and the output folder that holds one complete
//! run or the previous one (`folder`). The CSV dialect is set once here (RFC 4180, UTF-8,
//! comma, `\n`, header row; docs/columns.md).

pub mod cell;
pub mod flags;
pub mod folder;
pub mod parquet;
pub mod rows;

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

/// Renders rows into CSV lines one record at a time, for rows that are stored apart and
/// merged later (`store::Runs`). One writer serves many records: building a CSV writer per
/// record cost more than rendering it.
pub struct LineRenderer {
    writer: csv::Writer<Vec<u8>>,
    /// Where the next record starts in the writer's buffer.
    start: usize,
}

impl Default for LineRenderer {
    fn default() -> Self {
        LineRenderer {
            writer: csv_rows_writer(Vec::with_capacity(Self::KEEP)),
            start: 0,
        }
    }
}

impl LineRenderer {
    /// Bytes of finished lines kept before the buffer is emptied.
    const KEEP: usize = 64 * 1024;

    /// The lines (each with its `\n`) of what `write` writes: any number of `serialize`,
    /// `write_record` or `write_byte_record` calls.
    pub fn lines(
        &mut self,
        write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
    ) -> csv::Result<&[u8]> {
        if self.start > Self::KEEP {
            let mut buffer = std::mem::replace(&mut self.writer, csv_rows_writer(Vec::new()))
                .into_inner()
                .map_err(|e| csv::Error::from(e.into_error()))?;
            buffer.clear();
            self.writer = csv_rows_writer(buffer);
            self.start = 0;
        }
        write(&mut self.writer)?;
        self.writer.flush()?;
        let start = std::mem::replace(&mut self.start, self.writer.get_ref().len());
        Ok(&self.writer.get_ref()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_one_at_a_time_across_buffer_resets() {
        let mut lines = LineRenderer::default();
        let long = "x".repeat(1000);
        let mut seen = Vec::new();
        for i in 0..200 {
            let value = format!("{i},\"{long}");
            let line = lines
                .lines(|w| w.write_record(["a", value.as_str()]))
                .unwrap()
                .to_vec();
            seen.push(line);
        }
        for (i, line) in seen.iter().enumerate() {
            let expected = format!("a,\"{i},\"\"{long}\"\n");
            assert_eq!(String::from_utf8_lossy(line), expected, "line {i}");
        }
        // 200 lines of ~1 KB went through a buffer emptied past 64 KiB.
        assert!(lines.writer.get_ref().len() < 2 * LineRenderer::KEEP);
    }
}
