//! CSV lines written by hand against the csv writer's.

use super::*;

/// A row of given text cells.
struct Texts(Vec<String>);

impl Row for Texts {
    const COLUMNS: &'static [Column] = &[];
    fn cells(&self, each: &mut dyn FnMut(Cell<'_>)) {
        for text in &self.0 {
            each(Cell::Text(Cow::Borrowed(text)));
        }
    }
}

/// `append_csv_line` against the csv writer it replaced, on seeded random rows of 0 to
/// 5 cells made of the bytes that matter (delimiters, quotes, line ends, spaces,
/// non-ASCII) and empty cells.
#[test]
fn lines_are_the_csv_writers() {
    let mut next = crate::test_rng::splitmix(5);
    let alphabet = [
        "a", "Z", "1", "b", "c", "0", ".", "-", "x", "y", ",", "\"", "\r", "\n", " ", "'", "é",
        "\t", "=", "\u{ff}",
    ];
    let mut quoted = 0;
    for _ in 0..20_000 {
        let cells: Vec<String> = (0..next() % 6)
            .map(|_| {
                // Half the cells from the first ten (plain) characters only.
                let choices = if next() % 2 == 0 { 10 } else { alphabet.len() } as u64;
                (0..next() % 21)
                    .map(|_| alphabet[(next() % choices) as usize])
                    .collect()
            })
            .collect();
        let row = Texts(cells);
        let mut writer = crate::output::csv_rows_writer(Vec::new());
        write_csv(&mut writer, &row).unwrap();
        let expected = writer.into_inner().unwrap();
        let mut line = b"before".to_vec();
        append_csv_line(&mut line, &row);
        assert_eq!(
            String::from_utf8_lossy(&line[6..]),
            String::from_utf8_lossy(&expected),
            "{:?}",
            row.0
        );
        quoted += usize::from(expected.contains(&b'"'));
    }
    assert!(
        quoted > 5_000 && quoted < 18_000,
        "{quoted} lines of 20 000 with quotes"
    );
}

use crate::output::cell::{DateCell, Plain, Text};

row_struct! {
    /// A row of every cell type `row_struct!` writes by hand.
    pub struct Every<'a> {
        text: Text<'a>,
        word: &'static str,
        owned: String,
        date: DateCell,
        number: Plain,
        count: usize,
        flag: bool,
    }
}

row_struct! {
    /// A row of one column (an empty line is `""`).
    pub struct One<'a> {
        text: Text<'a>,
    }
}

/// The lines `row_struct!` appends field by field against the csv writer's, on seeded
/// random rows of every cell type (texts with delimiters, quotes, formulas, controls;
/// numbers of every sign and scale, absent ones; dates, absent ones).
#[test]
fn row_struct_lines_are_the_csv_writers() {
    let mut next = crate::test_rng::splitmix(11);
    let alphabet = [
        "a", "1", ".", ",", "\"", "\n", "=", "-", "\u{0}", "é", " ", "+",
    ];
    let words = ["", "total_hip", "a,b", "x\"y"];
    let text = |next: &mut dyn FnMut() -> u64| -> String {
        (0..next() % 8)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect()
    };
    let reference = |row: &dyn Fn(&mut csv::Writer<Vec<u8>>)| {
        let mut writer = crate::output::csv_rows_writer(Vec::new());
        row(&mut writer);
        writer.into_inner().unwrap()
    };
    for _ in 0..20_000 {
        let (t, o) = (text(&mut next), text(&mut next));
        let number = match next() % 4 {
            0 => None,
            _ => {
                let digits = (next() % 2_000_000) as i64 - 1_000_000;
                let scale = next() % 6;
                Decimal::parse(&format!("{}e-{scale}", digits))
                    .or_else(|| Decimal::parse(&digits.to_string()))
            }
        };
        let row = Every {
            text: Text::from(t.as_str()),
            word: words[(next() % 4) as usize],
            owned: o.clone(),
            date: DateCell(
                (next() % 3 != 0)
                    .then(|| Date::new((next() % 12_000) as u16, 1 + (next() % 12) as u8, 1))
                    .flatten(),
            ),
            number: Plain(number, (next() % 4) as u32),
            count: next() as usize % 100_000,
            flag: next() % 2 == 0,
        };
        let expected = reference(&|w| write_csv(w, &row).unwrap());
        let mut line = b"before".to_vec();
        append_csv_line(&mut line, &row);
        assert_eq!(
            String::from_utf8_lossy(&line[6..]),
            String::from_utf8_lossy(&expected)
        );
        let one = One {
            text: Text::from(t.as_str()),
        };
        let expected = reference(&|w| write_csv(w, &one).unwrap());
        let mut line = Vec::new();
        append_csv_line(&mut line, &one);
        assert_eq!(
            String::from_utf8_lossy(&line),
            String::from_utf8_lossy(&expected)
        );
    }
    let mut line = Vec::new();
    append_csv_line(
        &mut line,
        &One {
            text: Text::from(""),
        },
    );
    assert_eq!(line, b"\"\"\n");
}

/// The word-at-a-time quote search against `position`, on seeded random bytes of every
/// length up to 40 (quotes, bytes one off a quote, high bytes, at every place of a word).
#[test]
fn find_quote_is_position() {
    let mut next = crate::test_rng::splitmix(11);
    let alphabet = [b'"', b'!', b'#', 0x00, 0x7F, 0x80, 0xA2, 0xFF, b'a', b','];
    let mut found = 0;
    for _ in 0..50_000 {
        let len = (next() % 41) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| match next() % (3 * alphabet.len() as u64) {
                i if i < alphabet.len() as u64 => alphabet[i as usize],
                _ => b'x',
            })
            .collect();
        let expected = bytes.iter().position(|&b| b == b'"');
        found += usize::from(expected.is_some());
        assert_eq!(find_quote(&bytes), expected, "{bytes:?}");
    }
    assert!(found > 10_000, "{found}");
}
