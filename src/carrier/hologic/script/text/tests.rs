use super::*;

/// `plain_text` as it was written before it copied runs of bytes (a `char` at a time).
fn plain_text_by_chars(raw: &str) -> String {
    if !raw.bytes().any(|b| b == b'<' || b == b'&') {
        return raw.trim().to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut in_tag = false;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if !in_tag
                && chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!')) =>
            {
                in_tag = true
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    // The entities as `plain_text` decodes them: what changed is the tags' removal.
    entities_decoded(out)
}

/// Generated texts of tags, bounds, entities, spaces and longer characters: the text
/// without HTML is the one the `char` at a time reading gave.
#[test]
fn plain_text_is_the_char_reading() {
    const PIECES: &[&str] = &[
        "<",
        ">",
        "<sup>",
        "</sup>",
        "<small>",
        "<br>",
        "<!-- x -->",
        "<é",
        "<1",
        "< 1.0%",
        "<<b>",
        "&nbsp;",
        "&amp;",
        "&lt;",
        "&gt;",
        "&",
        ";",
        "é",
        "\u{a0}",
        " ",
        "\t",
        "a",
        "Fat",
        "2",
        "(kg/m",
        ")",
        "/",
    ];
    let mut next = crate::test_rng::splitmix(0x0091_A1E7);
    for case in 0..20_000 {
        let mut text = String::new();
        for _ in 0..next() % 12 {
            text.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
        }
        assert_eq!(
            plain_text(&text),
            plain_text_by_chars(&text),
            "case {case}: {text:?}"
        );
    }
}

/// `shown` (a cell's markup found a word at a time, a number given back untrimmed) is
/// what it was as written before (`<` or `&` found byte by byte, then `plain_text` or
/// `trim`), over generated cells of numbers, blanks, markup bytes, tags, entities and
/// characters beyond ASCII, of every length up to three words.
#[test]
fn a_cell_shown_is_the_bytewise_reading() {
    fn reference(raw: Option<&Cow<'_, str>>) -> String {
        match raw {
            None => String::new(),
            Some(raw) if !raw.bytes().any(|b| b == b'<' || b == b'&') => trim(raw).to_string(),
            Some(raw) => plain_text(raw),
        }
    }
    const PIECES: &[&str] = &[
        "0", "7", "190.45", "-", ".", " ", "\t", "\r", "<", "&", "<sup>", "</sup>", "&nbsp;",
        "&amp;", "< 1.0%", ">", "a", "\u{a0}", "é", "\u{2003}", "\u{b}",
    ];
    let mut next = crate::test_rng::splitmix(0x0005_40E1);
    let mut markup = 0;
    for case in 0..40_000 {
        let mut raw = String::new();
        let target = (next() % 25) as usize;
        while raw.len() < target {
            if next() % 3 == 0 {
                raw.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            } else {
                raw.push(char::from(b'0' + (next() % 10) as u8));
            }
        }
        let raw = Cow::Borrowed(raw.as_str());
        markup += usize::from(raw.contains(['<', '&']));
        assert_eq!(
            has_markup(raw.as_bytes()),
            raw.bytes().any(|b| b == b'<' || b == b'&'),
            "case {case}: {raw:?}"
        );
        assert_eq!(
            shown(Some(&raw)),
            reference(Some(&raw)),
            "case {case}: {raw:?}"
        );
    }
    assert_eq!(shown(None), reference(None));
    assert!((5_000..35_000).contains(&markup), "{markup}");
}
