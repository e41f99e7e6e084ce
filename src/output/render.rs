//! Rows rendered for the sorted runs (`store::Runs`) a partition writes and the merge reads
//! back in order: their CSV lines, and, when Parquet copies are asked for, the same rows'
//! Parquet values beside them (two `store::codec` frames: the lines, then each row's values
//! encoded one after the other), so that both files are written from one rendering of the
//! typed rows.

use std::io;

use super::parquet::Value;
use super::table::{Row, append_csv_line, end_csv_line};
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
        if R::SHARED_HEAD == 0 {
            for row in rows {
                append_csv_line(lines, &row);
                if *parquet {
                    row.cells(&mut |cell| Value::of(cell).encode(values));
                }
            }
        } else {
            // The previous row, where its line starts, and its shared head's length.
            let mut previous: Option<(R, usize, usize)> = None;
            for row in rows {
                let start = lines.len();
                let head = match &previous {
                    Some((before, at, len)) if row.same_head(before) => {
                        lines.extend_from_within(*at..*at + *len);
                        *len
                    }
                    _ => {
                        row.append_csv_fields(lines, 0, R::SHARED_HEAD);
                        lines.len() - start
                    }
                };
                row.append_csv_fields(lines, R::SHARED_HEAD, usize::MAX);
                end_csv_line(lines, start);
                if *parquet {
                    row.cells(&mut |cell| Value::of(cell).encode(values));
                }
                previous = Some((row, start, head));
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

    crate::output::table::row_struct! {
        /// A row whose first two columns consecutive rows can share.
        pub struct Keyed<'a> {
            key: crate::output::cell::Text<'a>,
            date: crate::output::cell::DateCell,
            value: crate::output::cell::Text<'a>,
            number: crate::output::cell::Plain,
        }
        shared_head = 2, same_key;
    }

    fn same_key(a: &Keyed<'_>, b: &Keyed<'_>) -> bool {
        a.key.0 == b.key.0 && a.date.0 == b.date.0
    }

    /// Rows rendered with their shared head copied are the rows rendered one by one, in
    /// payloads of runs of equal and differing heads (texts that need quotes or a formula
    /// quote among them), with and without Parquet values.
    #[test]
    fn a_shared_head_is_the_rows_own() {
        use crate::output::cell::{DateCell, Plain, Text};
        let keys = ["k", "=x", "a,b", "", "\"q\""];
        for parquet in [false, true] {
            let mut render = RowRenderer::new(parquet);
            let mut copies = 0;
            for n in 0..300usize {
                let rows: Vec<(usize, usize, String)> = (0..n % 7)
                    .map(|i| {
                        (
                            (n + i / 3) % keys.len(),
                            (n + i / 2) % 3,
                            format!("v{i},{n}"),
                        )
                    })
                    .collect();
                copies += rows
                    .windows(2)
                    .filter(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
                    .count();
                fn make<'r>(
                    (k, d, v): &'r (usize, usize, String),
                    keys: &[&'static str],
                    n: usize,
                ) -> Keyed<'r> {
                    Keyed {
                        key: Text::from(keys[*k]),
                        date: DateCell(crate::date::Date::new(2000 + *d as u16, 1, 2)),
                        value: Text::from(v.as_str()),
                        number: Plain(crate::decimal::Decimal::parse(&format!("-{n}.5")), 2),
                    }
                }
                let mut expected = Vec::new();
                for row in &rows {
                    append_csv_line(&mut expected, &make(row, &keys, n));
                }
                let payload = render
                    .render(rows.iter().map(|r| make(r, &keys, n)))
                    .unwrap()
                    .to_vec();
                let lines = Rendered::split(&payload, parquet).unwrap().lines;
                assert_eq!(
                    String::from_utf8_lossy(lines),
                    String::from_utf8_lossy(&expected),
                    "rows {rows:?}"
                );
            }
            assert!(copies > 200, "{copies} rows copied a head");
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
}
