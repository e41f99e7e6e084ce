//! A cell's or a title's text as shown: HTML tags removed and entities decoded
//! (`<sup>`, `&nbsp;`), trimmed; a cell without markup borrowed as written, as nearly
//! every cell of a whole-body table (docs/performance.md, "Body composition files").

use std::borrow::Cow;

/// Text without HTML tags and with `&nbsp;`, `&lt;`, `&gt;`, `&amp;` decoded. A `<` that
/// does not open a tag (not followed by a letter, `/` or `!`) is text: a censored FRAX
/// value is written `< 1.0%` (docs/evidence.md, "Round two").
pub fn plain_text(raw: &str) -> String {
    // Without `<` and `&` there is nothing to remove or decode: the text trimmed.
    if !raw.bytes().any(|b| b == b'<' || b == b'&') {
        return raw.trim().to_string();
    }
    // The text between tags copied a run at a time: the bytes looked at (`<`, `>`, what
    // follows a `<`) are ASCII, which no byte of a longer character equals, so each run
    // is whole characters.
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let (mut in_tag, mut run) = (false, 0);
    for (at, &byte) in bytes.iter().enumerate() {
        if in_tag {
            if byte == b'>' {
                in_tag = false;
                run = at + 1;
            }
        } else if byte == b'<'
            && bytes
                .get(at + 1)
                .is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, b'/' | b'!'))
        {
            out.push_str(&raw[run..at]);
            in_tag = true;
        }
    }
    if !in_tag {
        out.push_str(&raw[run..]);
    }
    entities_decoded(out)
}

/// A cell's text as `Table::cell` gives it (HTML removed, trimmed; empty when there is
/// no cell), borrowed when it holds no HTML (no `<` or `&`), as nearly every cell.
#[inline]
pub(crate) fn shown<'a>(raw: Option<&'a Cow<'_, str>>) -> Cow<'a, str> {
    let Some(raw) = raw else {
        return Cow::Borrowed("");
    };
    let raw: &'a str = raw;
    if has_markup(raw.as_bytes()) {
        return Cow::Owned(plain_text(raw));
    }
    // A number (`190.45`) has nothing to trim: both ends ASCII above the space, given
    // back without the call (`trim` tests the same first).
    let kept = |b: &u8| *b > b' ' && *b < 0x80;
    match raw.as_bytes() {
        [first, .., last] if kept(first) && kept(last) => Cow::Borrowed(raw),
        _ => Cow::Borrowed(trim(raw)),
    }
}

/// Whether `bytes` hold a `<` or a `&` (what `plain_text` removes or decodes), tested a
/// word at a time: a whole-body cell is some six bytes (`190.45`), which a byte loop
/// with two comparisons per byte cost more than (docs/performance.md, "Body composition
/// files").
#[inline]
fn has_markup(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte equal to `<` or `&` sets its high bit in this (a byte above one may, wrongly:
    // only whether any is set is used).
    let either = |word: u64| {
        let lt = word ^ (ONES * u64::from(b'<'));
        let amp = word ^ (ONES * u64::from(b'&'));
        ((lt.wrapping_sub(ONES) & !lt) | (amp.wrapping_sub(ONES) & !amp)) & HIGHS != 0
    };
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight"));
    let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("four"));
    let len = bytes.len();
    if len >= 8 {
        // The words from the start, the last one overlapping the one before.
        let mut at = 0;
        while at + 8 < len {
            if either(word(at)) {
                return true;
            }
            at += 8;
        }
        either(word(len - 8))
    } else if len >= 4 {
        // The first and the last four bytes (overlapping below eight) as one word.
        either(u64::from(half(0)) | u64::from(half(len - 4)) << 32)
    } else {
        bytes.iter().any(|b| *b == b'<' || *b == b'&')
    }
}

/// `text` with `&nbsp;`, `&lt;`, `&gt;`, `&amp;` decoded, trimmed.
fn entities_decoded(text: String) -> String {
    // Without `&` there is no entity to decode (a header's `<sup>` only).
    if !text.contains('&') {
        return trimmed(text);
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_string()
}

/// `text.trim().to_string()`, without a copy when there is nothing to trim.
fn trimmed(text: String) -> String {
    let cut = text.trim();
    if cut.len() == text.len() {
        text
    } else {
        cut.to_string()
    }
}

/// `str::trim`, the ASCII whitespace cut byte by byte (nearly every line, name and value
/// of a document is ASCII); `str::trim` only where a byte of a longer character is at an
/// end (it may be whitespace: U+00A0, a Latin-1 document's 0xA0).
pub(super) fn trim(text: &str) -> &str {
    // The ASCII characters `char::is_whitespace` holds (`u8::is_ascii_whitespace` leaves
    // out U+000B).
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let bytes = text.as_bytes();
    // Nothing to cut when both ends are ASCII above the space (no whitespace is): nearly
    // every cell of a table (`190.45`), given back without the two scans.
    let kept = |b: &u8| *b > b' ' && *b < 0x80;
    if bytes.first().is_some_and(kept) && bytes.last().is_some_and(kept) {
        return text;
    }
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |p| p + 1);
    let cut = &text[start..end];
    match cut.as_bytes() {
        [first, ..] if !first.is_ascii() => cut.trim(),
        [.., last] if !last.is_ascii() => cut.trim(),
        _ => cut,
    }
}

#[cfg(test)]
mod tests;
