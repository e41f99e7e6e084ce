//! Rows rendered for the sorted runs (`store::Runs`) a partition writes and the merge reads
//! back in order: their CSV lines, and, when Parquet copies are asked for, the same rows'
//! Parquet values beside them (two `store::codec` frames: the lines, then each row's values
//! encoded one after the other), so that both files are written from one rendering of the
//! typed rows.

use std::io;

use super::parquet::Value;
use super::table::{Row, append_csv_line};
use crate::store::codec;

/// Renders rows into run payloads: their CSV lines; with Parquet, a frame of the lines and
/// a frame of the rows' values.
pub struct RowRenderer {
    lines: Vec<u8>,
    parquet: bool,
    values: Vec<u8>,
    payload: Vec<u8>,
}

impl RowRenderer {
    /// A renderer for runs that also carry Parquet values when `parquet`.
    pub fn new(parquet: bool) -> Self {
        RowRenderer {
            lines: Vec::with_capacity(64 * 1024),
            parquet,
            values: Vec::new(),
            payload: Vec::new(),
        }
    }

    /// Appends the payload of `rows` to `out` (as `render` gives it), with no copy of the
    /// CSV lines without Parquet.
    pub fn render_into<R: Row>(
        &mut self,
        rows: impl IntoIterator<Item = R>,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        if !self.parquet {
            for row in rows {
                append_csv_line(out, &row);
            }
            return Ok(());
        }
        let RowRenderer { lines, values, .. } = self;
        values.clear();
        lines.clear();
        for row in rows {
            append_csv_line(lines, &row);
            row.cells(&mut |cell| Value::of(cell).encode(values));
        }
        codec::write_frame(out, lines)?;
        codec::write_frame(out, values)
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
        lines.clear();
        for row in rows {
            append_csv_line(lines, &row);
            if *parquet {
                row.cells(&mut |cell| Value::of(cell).encode(values));
            }
        }
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
    use crate::output::table::{Cell, Column};

    struct Pair<'a>(&'a str, &'a str);

    impl Row for Pair<'_> {
        const COLUMNS: &'static [Column] = &[];
        fn cells(&self, each: &mut dyn FnMut(Cell<'_>)) {
            each(Cell::Text(self.0.into()));
            each(Cell::Text(self.1.into()));
        }
    }

    /// Each payload holds only its own rows' lines, however many came before.
    #[test]
    fn payloads_one_at_a_time() {
        let mut render = RowRenderer::new(false);
        let long = "x".repeat(1000);
        for i in 0..200 {
            let value = format!("{i},\"{long}");
            let payload = render
                .render([Pair("a", &value), Pair("b", "")])
                .unwrap()
                .to_vec();
            let expected = format!("a,\"{i},\"\"{long}\"\nb,\n");
            assert_eq!(String::from_utf8_lossy(&payload), expected, "payload {i}");
        }
    }

    /// A payload appended to a vector is the payload `render` gives, after what the vector
    /// held, with and without Parquet.
    #[test]
    fn rendered_into_a_vector_as_alone() {
        for parquet in [false, true] {
            let mut render = RowRenderer::new(parquet);
            let rows = || [Pair("a", "x,y"), Pair("", "\"q\"")];
            let alone = render.render(rows()).unwrap().to_vec();
            let mut out = b"before".to_vec();
            render.render_into(rows(), &mut out).unwrap();
            render.render_into(rows(), &mut out).unwrap();
            let expected = [&b"before"[..], &alone, &alone].concat();
            assert_eq!(out, expected, "parquet {parquet}");
            let lines = Rendered::split(&alone, parquet).unwrap().lines;
            assert_eq!(lines, b"a,\"x,y\"\n,\"\"\"q\"\"\"\n");
        }
    }
}
