use super::*;

/// The word-at-a-time check against the byte loop it replaced, on seeded random bytes
/// of every length up to 40 (each byte value at every position of a word among them).
#[test]
fn printable_ascii_agrees_with_a_byte_loop() {
    let mut next = crate::test_rng::splitmix(3);
    let slow = |bytes: &[u8]| bytes.iter().all(|b| (0x20..0x7F).contains(b));
    let (mut plain, mut not) = (0, 0);
    for _ in 0..50_000 {
        let len = (next() % 41) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| b'a' + (next() % 26) as u8).collect();
        if len > 0 && next() % 2 == 0 {
            let at = (next() as usize) % len;
            bytes[at] = next() as u8;
        }
        let fast = super::printable_ascii(&bytes);
        assert_eq!(fast, slow(&bytes), "{bytes:?}");
        if fast { plain += 1 } else { not += 1 }
    }
    for byte in 0..=255u8 {
        for at in 0..16 {
            let mut bytes = vec![b'x'; 16];
            bytes[at] = byte;
            assert_eq!(
                super::printable_ascii(&bytes),
                slow(&bytes),
                "{byte} at {at}"
            );
        }
    }
    assert!(plain > 10_000 && not > 10_000, "{plain} {not}");
}

/// The one-pass test against what it stands for (the cell as `safe_text` makes it is
/// the text itself, and the CSV writer would not quote it), on seeded random texts of
/// the bytes that matter at every position of a word.
#[test]
fn plain_field_is_safe_and_unquoted() {
    let mut next = crate::test_rng::splitmix(17);
    let special = [
        ",", "\"", "\r", "\n", "=", "+", "-", "@", "'", "\u{0}", "\u{7f}", "\t", "é", "\u{202E}",
        "\u{1f}", " ", "~", "!",
    ];
    let (mut plain, mut not) = (0, 0);
    for _ in 0..50_000 {
        let len = (next() % 30) as usize;
        let mut text: String = (0..len)
            .map(|_| char::from(b'a' + (next() % 26) as u8))
            .collect();
        if next() % 2 == 0 {
            let at = (next() as usize) % (len + 1);
            text.insert_str(at, special[(next() % special.len() as u64) as usize]);
        }
        let expected = safe_text(&text) == text.as_str()
            && !text
                .bytes()
                .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
            && text.is_ascii()
            && !text.bytes().any(|b| b == 0x7F || b < 0x20);
        let fast = plain_field(text.as_bytes());
        assert_eq!(fast, expected, "{text:?}");
        if fast { plain += 1 } else { not += 1 }
    }
    assert!(plain > 10_000 && not > 10_000, "{plain} {not}");
}

/// A text cell written by its fast paths (and a visit's key text, `KeyText`) is what the
/// safety rules and the CSV quoting write, on seeded random texts of the bytes that matter at every position.
#[test]
fn text_cells_write_what_the_rules_write() {
    let mut next = crate::test_rng::splitmix(29);
    let special = [
        ",", "\"", "\r", "\n", "=", "+", "-", "@", "'", "\u{0}", "\u{7f}", "\t", "é", "\u{202E}",
        " ", "~", ";",
    ];
    let mut quoted = 0;
    for _ in 0..50_000 {
        let len = (next() % 30) as usize;
        let mut text: String = (0..len)
            .map(|_| char::from(b'a' + (next() % 26) as u8))
            .collect();
        for _ in 0..(next() % 3) {
            let at = (next() as usize) % (text.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text.insert_str(at, special[(next() % special.len() as u64) as usize]);
        }
        let mut fast = Vec::new();
        Text::from(text.as_str()).append_csv(&mut fast);
        let mut slow = Vec::new();
        append_field(&mut slow, safe_text(&text).as_bytes());
        assert_eq!(fast, slow, "{text:?}");
        // A visit's key text, checked once (`KeyText`), writes the same field and cell.
        let key = KeyText::new(Cow::Borrowed(text.as_str()));
        let mut checked = Vec::new();
        key.borrowed().append_csv(&mut checked);
        assert_eq!(checked, slow, "{text:?}");
        assert_eq!(key.cell(), Text::from(text.as_str()).cell(), "{text:?}");
        quoted += usize::from(quoted_as_it_is(text.as_bytes()) && !plain_field(text.as_bytes()));
    }
    assert!(quoted > 1_000, "{quoted}");
}

/// A time cell's digits by hand (`Timestamp::iso_digits`, which `Timestamp`'s text
/// uses too) are what the padded `format!` writes, on seeded random dates and times of
/// every width (a day's last microsecond, hours past a day, years past 9999).
#[test]
fn time_cells_write_the_timestamps_text() {
    use crate::date::{Date, Timestamp};
    let mut next = crate::test_rng::splitmix(23);
    let mut cases = vec![None];
    for _ in 0..20_000 {
        let date = Date {
            year: (next() % 11_000) as u16,
            month: 1 + (next() % 12) as u8,
            day: 1 + (next() % 28) as u8,
        };
        let micros = match next() % 4 {
            0 => 86_399_999_999,
            1 => next() % 1_000_000_000_000,
            _ => next() % 86_400_000_000,
        };
        cases.push(Some(Timestamp { date, micros }));
    }
    for time in cases {
        let mut line = Vec::new();
        TimeCell(time).append_csv(&mut line);
        let text = time.map(|t| t.to_string()).unwrap_or_default();
        let padded = time.map_or(String::new(), |t| {
            let (d, seconds) = (t.date, t.micros / 1_000_000);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
                d.year,
                d.month,
                d.day,
                seconds / 3600,
                seconds / 60 % 60,
                seconds % 60,
                t.micros % 1_000_000
            )
        });
        assert_eq!(text, padded, "{time:?}");
        assert_eq!(String::from_utf8_lossy(&line), text, "{time:?}");
        assert_eq!(TimeCell(time).cell(), Cell::Text(Cow::Owned(text)));
    }
}

#[test]
fn formulas_get_a_quote_and_numbers_do_not_exist_here() {
    for (text, cell) in [
        ("=2+2", "'=2+2"),
        ("+3+3", "'+3+3"),
        ("-1", "'-1"),
        ("@SUM(1,1)", "'@SUM(1,1)"),
        ("=cmd|\"/C calc\"!A0", "'=cmd|\"/C calc\"!A0"),
        ("'quoted", "''quoted"),
        ("HOLOGIC", "HOLOGIC"),
        ("a=b", "a=b"),
        ("", ""),
    ] {
        assert_eq!(safe_text(text), cell, "{text:?}");
    }
}

#[test]
fn hidden_characters_are_visible() {
    assert_eq!(safe_text("a\u{0}b"), "a\\u{0}b");
    assert_eq!(safe_text("\u{1B}[31mred"), "\\u{1B}[31mred");
    assert_eq!(safe_text("line\r\nnext"), "line\\u{D}\\u{A}next");
    assert_eq!(safe_text("\tx"), "\\u{9}x");
    assert_eq!(safe_text("abc\u{202E}fdp.exe"), "abc\\u{202E}fdp.exe");
    assert_eq!(safe_text("café"), "café");
    // A formula hidden behind a control character is still not a formula.
    assert_eq!(safe_text("\u{0}=1"), "\\u{0}=1");
}

#[test]
fn a_cell_hides_nothing_a_path_would_show() {
    // One list of hidden characters (crate::visible) for text cells and paths: the
    // Arabic letter mark and the line and paragraph separators included.
    for c in [
        '\u{61C}', '\u{200B}', '\u{200E}', '\u{2028}', '\u{2029}', '\u{FEFF}',
    ] {
        let cell = safe_text(&format!("a{c}b")).into_owned();
        assert_eq!(cell, format!("a\\u{{{:X}}}b", u32::from(c)));
        let path = crate::path_text::path_text(std::path::Path::new(&format!("a{c}b")));
        assert!(path.starts_with("a\\x") && !path.contains(c), "{path:?}");
    }
}

#[test]
fn one_leading_quote_undoes_the_rule() {
    for text in ["=x", "'=x", "''", "plain", "-", "@"] {
        let cell = safe_text(text);
        let undone = if matches!(text.chars().next(), Some('=' | '+' | '-' | '@' | '\'')) {
            cell.strip_prefix('\'').unwrap().to_string()
        } else {
            cell.to_string()
        };
        assert_eq!(undone, text);
    }
}
