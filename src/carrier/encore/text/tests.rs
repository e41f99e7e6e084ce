use super::pack::{pack_ascii_units, pack_by_words};
use super::*;

fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend(unit.to_le_bytes());
    }
    out
}

fn all(bytes: &[u8]) -> (Vec<Result<String, Line>>, bool) {
    let mut lines = Lines::new(bytes);
    let mut out = Vec::new();
    while let Some((line, text)) = lines.next_line() {
        out.push(match line {
            Line::Text => Ok(text),
            other => Err(other),
        });
    }
    (out, lines.damaged)
}

#[test]
fn utf16_and_utf8_lines() {
    let (lines, damaged) = all(&utf16("a\tb\r\n99.99 in³\r\n𝄞\r\n"));
    assert_eq!(
        lines,
        [Ok("a\tb".into()), Ok("99.99 in³".into()), Ok("𝄞".into())]
    );
    assert!(!damaged);
    let (lines, _) = all("\u{feff}x\ny\r\nlast".as_bytes());
    assert_eq!(lines, [Ok("x".into()), Ok("y".into()), Ok("last".into())]);
}

#[test]
fn decoded_once_as_read_line_by_line() {
    let mut bytes = utf16(&format!(
        "h\tx\r\n\r\n{}\r\nlast\t𝄞",
        "y".repeat(MAX_LINE_CHARS + 1)
    ));
    bytes.extend([0x00, 0xD8]);
    let decoded = Decoded::new(&bytes);
    let (expected, damaged) = all(&bytes);
    let got: Vec<(usize, Result<String, Line>)> = decoded
        .lines()
        .map(|(n, line, text)| {
            (
                n,
                match line {
                    Line::Text => Ok(text.to_string()),
                    other => Err(other),
                },
            )
        })
        .collect();
    let expected: Vec<_> = expected
        .into_iter()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 4);
    assert!(damaged);
    assert_eq!(
        decoded.first_damaged,
        Some(4),
        "the damage is in the last line"
    );
}

#[test]
fn damage_is_replaced_and_said() {
    let mut bytes = utf16("ab");
    bytes.extend([0x00, 0xD8]); // a lone high surrogate
    bytes.extend(utf16("c\r\n")[2..].iter());
    bytes.push(0x41); // half a code unit
    let (lines, damaged) = all(&bytes);
    assert_eq!(lines, [Ok("ab\u{fffd}c".into()), Ok(String::new())]);
    assert!(damaged);
    let (lines, damaged) = all(b"a\xffb\n");
    assert_eq!(lines, [Ok("a\u{fffd}b".into())]);
    assert!(damaged);
}

/// Texts of ASCII runs, line ends (CRLF, LF, a lone CR), characters of two, three and
/// four UTF-8 bytes, damage (a lone surrogate, an odd last byte, a byte not UTF-8) and
/// lines about `MAX_LINE_CHARS` long: decoded eight characters at a step where they
/// can be, as character by character, in both encodings.
#[test]
fn ascii_runs_decode_as_character_by_character() {
    let mut next = crate::test_rng::splitmix(0x00E1_C0DE);
    for case in 0..3_000 {
        let mut text = String::new();
        let mut damage = Vec::new();
        for _ in 0..next() % 40 {
            match next() % 12 {
                0 => text.push_str("\r\n"),
                1 => text.push('\n'),
                2 => text.push('\r'),
                3 => text.push(['é', '³', '\u{20AC}', '𝄞', '\u{7F}'][(next() % 5) as usize]),
                4 if case % 50 == 0 => {
                    let around = MAX_LINE_CHARS - 10 + (next() % 20) as usize;
                    text.push_str(&"x".repeat(around));
                }
                5 => damage.push(text.chars().count()),
                _ => {
                    let len = next() % 24;
                    text.extend((0..len).map(|_| char::from(b' ' + (next() % 95) as u8)));
                }
            }
        }
        let mut units = vec![0xFF, 0xFE];
        let mut utf8 = Vec::new();
        for (at, c) in text.chars().enumerate() {
            if damage.contains(&at) {
                units.extend([0x00, 0xDC]);
                utf8.push(0xFF);
            }
            for unit in c.encode_utf16(&mut [0; 2]) {
                units.extend(unit.to_le_bytes());
            }
            utf8.extend(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
        if next() % 4 == 0 {
            units.push(b'z');
        }
        for bytes in [&units, &utf8] {
            let (bulk, reference) = (Decoded::decode(bytes, true), Decoded::decode(bytes, false));
            assert_eq!(bulk.text, reference.text, "case {case}");
            assert_eq!(bulk.lines, reference.lines, "case {case}");
            assert_eq!(bulk.first_damaged, reference.first_damaged, "case {case}");
        }
    }
}

#[test]
fn a_line_feed_is_found_in_every_lane() {
    for lane in 0..8 {
        let mut line = *b"abcdefgh";
        line[lane] = b'\n';
        let eight = u64::from_le_bytes(line);
        assert!(has_line_feed(eight, UTF8_ONES, UTF8_NOT_ASCII), "{lane}");
        let units: Vec<u8> = line.iter().flat_map(|&b| [b, 0]).collect();
        let word = u64::from_le_bytes(units[lane / 4 * 8..][..8].try_into().unwrap());
        assert!(has_line_feed(word, UTF16_ONES, UTF16_TOPS), "{lane}");
    }
    let plain = u64::from_le_bytes(*b"\x0b\x09\r\x00\x7f ab");
    assert!(!has_line_feed(plain, UTF8_ONES, UTF8_NOT_ASCII));
    assert_eq!(
        low_bytes(u64::from_le_bytes(*b"a\0b\0c\0d\0")),
        u64::from(u32::from_le_bytes(*b"abcd"))
    );
}

#[test]
fn a_line_too_long_is_skipped_to_its_end() {
    let text = format!("{}\r\nnext\r\n", "x".repeat(MAX_LINE_CHARS + 1));
    let (lines, _) = all(&utf16(&text));
    assert_eq!(lines, [Err(Line::TooLong), Ok("next".into())]);
    let exact = format!("{}\r\n", "x".repeat(MAX_LINE_CHARS));
    let (lines, _) = all(&utf16(&exact));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].is_ok());
}

/// Texts of ASCII characters alone (line ends CRLF, LF and a lone CR, NULs, lines about
/// `MAX_LINE_CHARS` long, with and without a line end last, a BOM or none), and a few
/// not (a character beyond ASCII, an odd last byte): taken whole (`Decoded::ascii`) where
/// they can be, with the lines, their texts and their damage that reading line by line
/// gives.
#[test]
fn an_ascii_text_is_decoded_as_line_by_line() {
    let mut next = crate::test_rng::splitmix(0x00A5_C11A);
    let mut taken = 0;
    for case in 0..4_000 {
        let mut text = String::new();
        for _ in 0..next() % 30 {
            match next() % 10 {
                0 => text.push_str("\r\n"),
                1 => text.push('\n'),
                2 => text.push('\r'),
                3 => text.push('\0'),
                4 if case % 40 == 0 => {
                    let around = MAX_LINE_CHARS - 3 + (next() % 6) as usize;
                    text.push_str(&"y".repeat(around));
                }
                5 if case % 25 == 0 => text.push('é'),
                _ => {
                    let len = next() % 40;
                    text.extend((0..len).map(|_| char::from((next() % 128) as u8)));
                }
            }
        }
        let mut units = vec![0xFF, 0xFE];
        units.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        if case % 30 == 0 {
            units.push(b'z');
        }
        let plain = text.as_bytes().to_vec();
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend(&plain);
        for bytes in [&units, &plain, &with_bom] {
            let reference = Decoded::decode(bytes, false);
            let whole = Decoded::ascii(bytes);
            let ascii = text.is_ascii() && !(bytes == &units && case % 30 == 0);
            assert_eq!(whole.is_some(), ascii, "case {case}");
            let Some(whole) = whole else { continue };
            taken += 1;
            let lines = |d: &Decoded| {
                d.lines()
                    .map(|(n, line, text)| (n, line, text.to_string()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(lines(&whole), lines(&reference), "case {case}");
            assert_eq!(whole.line_count(), reference.line_count(), "case {case}");
            assert_eq!(whole.first_damaged, reference.first_damaged, "case {case}");
        }
    }
    assert!(taken > 10_000, "{taken}");
}

/// The UTF-16 code units of generated texts (ASCII, line feeds, units beyond ASCII of
/// every high byte, lengths about a step) packed by SSE2 and by words alike.
#[cfg(target_arch = "x86_64")]
#[test]
fn sse2_packs_as_words_do() {
    let mut next = crate::test_rng::splitmix(0x0055_E200);
    let mut refused = 0;
    for case in 0..5_000 {
        let len = (next() % 200) as usize;
        let units: Vec<u8> = (0..len)
            .flat_map(|_| {
                let unit: u16 = match next() % 20 {
                    0 => b'\n'.into(),
                    1 if case % 3 == 0 => (next() % 0x1_0000) as u16,
                    2 if case % 3 == 0 => 0x80 + (next() % 0x80) as u16,
                    _ => (next() % 0x80) as u16,
                };
                unit.to_le_bytes()
            })
            .collect();
        // Some packed after text already there (the steps' feeds count from its end), into
        // room reserved or not.
        let before = vec![b'a'; (next() % 20) as usize];
        let mut text = if case % 2 == 0 {
            before.clone()
        } else {
            let mut roomy = Vec::with_capacity(before.len() + units.len() / 2);
            roomy.extend_from_slice(&before);
            roomy
        };
        let mut feeds = Vec::new();
        let packed = pack_ascii_units(&units, &mut text, &mut feeds);
        let (mut by_words, mut word_feeds) = (before, Vec::new());
        let expected = pack_by_words(&units, &mut by_words, &mut word_feeds);
        assert_eq!(packed, expected, "case {case}");
        refused += usize::from(expected.is_none());
        if expected.is_some() {
            assert_eq!((text, feeds), (by_words, word_feeds), "case {case}");
        }
    }
    assert!(refused > 500, "{refused}");
}
