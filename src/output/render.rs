//! Rows rendered for the sorted runs (`store::Runs`) a partition writes and the merge reads
//! back in order: their CSV lines, and, when Parquet copies are asked for, the same rows'
//! Parquet values beside them (two `store::codec` frames: the lines, then each row's values
//! encoded one after the other), so that both files are written from one rendering of the
//! typed rows.

use std::io;

use super::csv_rows_writer;
use super::parquet::Value;
use super::table::{Row, write_csv};
use crate::store::codec;

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

/// Renders rows into run payloads: their CSV lines; with Parquet, a frame of the lines and
/// a frame of the rows' values.
pub struct RowRenderer {
    lines: LineRenderer,
    parquet: bool,
    values: Vec<u8>,
    payload: Vec<u8>,
}

impl RowRenderer {
    /// A renderer for runs that also carry Parquet values when `parquet`.
    pub fn new(parquet: bool) -> Self {
        RowRenderer {
            lines: LineRenderer::default(),
            parquet,
            values: Vec::new(),
            payload: Vec::new(),
        }
    }

    /// The payload of `rows` (any number: a document's measurement rows are one payload).
    pub fn render<R: Row>(&mut self, rows: impl IntoIterator<Item = R>) -> io::Result<&[u8]> {
        let RowRenderer {
            lines,
            parquet,
            values,
            payload,
        } = self;
        values.clear();
        let lines = lines
            .lines(|w| {
                for row in rows {
                    write_csv(w, &row)?;
                    if *parquet {
                        row.cells(&mut |cell| Value::of(cell).encode(values));
                    }
                }
                Ok(())
            })
            .map_err(io::Error::other)?;
        if !*parquet {
            return Ok(lines);
        }
        payload.clear();
        codec::write_frame(payload, lines)?;
        codec::write_frame(payload, values)?;
        Ok(payload)
    }
}

/// A payload read back: its CSV lines, and its rows' Parquet values when it carries them.
pub struct Rendered<'p> {
    /// The CSV lines.
    pub lines: &'p [u8],
    /// The rows' values, encoded one after the other (empty without Parquet).
    pub values: &'p [u8],
}

impl<'p> Rendered<'p> {
    /// Splits a payload `RowRenderer::new(parquet)` made.
    pub fn split(payload: &'p [u8], parquet: bool) -> io::Result<Rendered<'p>> {
        if !parquet {
            return Ok(Rendered {
                lines: payload,
                values: &[],
            });
        }
        let mut frames = codec::Frames::new(payload);
        let mut next = || {
            frames
                .next()
                .unwrap_or_else(|| Err(io::Error::other("a run record cut short")))
        };
        let lines = next()?;
        let values = next()?;
        Ok(Rendered { lines, values })
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
