//! A line of one statement in the shape APEX writes it, read in one pass: nearly every
//! line of a results document (docs/performance.md, "Body composition files"). Any other
//! line is left to the general path (`super::read`), which reads this shape the same way.
//! The statement both paths give, and the bounds of an index and of a value, are defined
//! here: the general path imports them (no import back from this module).

use std::borrow::Cow;

mod step;

pub(super) use step::line_feed;
use step::{STEP, first_stop, value_stop};

/// Highest row or column index.
pub const MAX_INDEX: u32 = 512;
/// Longest cell or value.
pub const MAX_CELL: usize = 1024;

/// One assignment: its name, its indexes (at most two) and its value.
pub(super) struct Statement<'t> {
    pub(super) name: &'t str,
    pub(super) indexes: [u32; 2],
    pub(super) count: usize,
    pub(super) value: Cow<'t, str>,
}

impl Statement<'_> {
    pub(super) fn indexes(&self) -> &[u32] {
        &self.indexes[..self.count]
    }
}

/// The line from `from` when it is exactly one statement of the shape APEX writes,
/// `Name[ i][ j] = "value";`: ASCII spaces or tabs around the parts (and a `\r` at the
/// end), a name of ASCII letters, digits and `_` followed at once by at most two indexes
/// of one to three digits within `MAX_INDEX`, a quoted value of at most `MAX_CELL` bytes
/// without `"`, `\\` or a line feed, or a bare one of ASCII letters, digits, `_`, `.`, `-`
/// and `+` (`MAXROWS1 = 13;`). It is the statement, and where the line ends (its
/// `\n` or the end of the text), as the general path reads such a line (and with no flag
/// to raise), and whether its name is `last` (the name before, which is then matched by
/// its bytes, not read again); None for any other line, which the general path reads.
/// `last` is a name as this reads one (or empty).
pub(super) fn one_statement<'t>(
    text: &'t str,
    from: usize,
    last: &str,
) -> Option<(Statement<'t>, usize, bool)> {
    let bytes = text.as_bytes();
    let name_start = blank(bytes, from);
    let mut at = name_start;
    // The name before, followed by a byte no name has: the name the loop below would find.
    let same_name = !last.is_empty()
        && starts_with(&bytes[name_start..], last.as_bytes())
        && bytes
            .get(name_start + last.len())
            .is_some_and(|b| !NAME[usize::from(*b)]);
    if same_name {
        at += last.len();
    } else {
        at += bytes[at..]
            .iter()
            .position(|b| !NAME[usize::from(*b)])
            .unwrap_or(bytes.len() - at);
        if at == name_start || at == bytes.len() {
            return None;
        }
    }
    let mut statement = Statement {
        name: &text[name_start..at],
        indexes: [0; 2],
        count: 0,
        value: Cow::Borrowed(""),
    };
    // `at` is within the text here and after each index.
    while bytes[at] == b'[' {
        let digits = blank(bytes, at + 1);
        let (index, end) = index_at(bytes, digits)?;
        let close = blank(bytes, end);
        if bytes.get(close) != Some(&b']') || statement.count == 2 {
            return None;
        }
        statement.indexes[statement.count] = index;
        statement.count += 1;
        at = close + 1;
        if at == bytes.len() {
            return None;
        }
    }
    let equals = blank(bytes, at);
    if bytes.get(equals) != Some(&b'=') {
        return None;
    }
    let open = blank(bytes, equals + 1);
    let (body, close, after) = if bytes.get(open) == Some(&b'"') {
        let body = open + 1;
        let close = value_stop(bytes, body, bytes.len().min(body + MAX_CELL + 1))?;
        if bytes[close] != b'"' {
            return None;
        }
        (open + 1, close, close + 1)
    } else {
        // A bare value (`IncludeTable1 = true;`, `MAXROWS1 = 13;`): the general path
        // gives the text up to the `;`, trimmed, which is this run when only blanks follow.
        let limit = bytes.len().min(open + MAX_CELL + 1);
        let close = open
            + bytes[open..limit]
                .iter()
                .position(|b| !BARE[usize::from(*b)])?;
        if close == open {
            return None;
        }
        (open, close, close)
    };
    let semicolon = blank(bytes, after);
    if bytes.get(semicolon) != Some(&b';') {
        return None;
    }
    let end = line_end(bytes, semicolon + 1)?;
    statement.value = Cow::Borrowed(&text[body..close]);
    Some((statement, end, same_name))
}

/// A cell of a table (`ResultsTable1[ 3][ 4] = "33.2";`) whose name is `name`, the name of
/// the statement before: nearly every line of a document. It is what `one_statement`
/// gives for such a line with `name` as the last name (the same name, two indexes, a
/// quoted value), without making the statement: the indexes, where the value is and where
/// the line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CellLine {
    pub(super) row: u32,
    pub(super) column: u32,
    /// The value's bytes (between its quotes).
    pub(super) value: (usize, usize),
    /// Where the line ends (its `\n`, or the end of the text).
    pub(super) end: usize,
}

/// The line from `from` as a `CellLine` of the table named `name`; None for any other line
/// (which `one_statement` reads).
#[inline(always)]
pub(super) fn cell_line(bytes: &[u8], from: usize, name: &[u8]) -> Option<CellLine> {
    let start = blank(bytes, from);
    if !starts_with(&bytes[start..], name) {
        return None;
    }
    // A `[` (no byte of a name) follows the name: the name is `name`.
    let (row, after) = bracket_index(bytes, start + name.len())?;
    let (column, after) = bracket_index(bytes, after)?;
    // ` = "` as APEX writes it, compared at once; else blanks around the `=`. A third `[`
    // is neither blank nor `=`: no cell line.
    let body = if bytes.get(after..after + 4) == Some(b" = \"") {
        after + 4
    } else {
        let equals = blank(bytes, after);
        if bytes.get(equals) != Some(&b'=') {
            return None;
        }
        let open = blank(bytes, equals + 1);
        if bytes.get(open) != Some(&b'"') {
            return None;
        }
        open + 1
    };
    let close = value_stop(bytes, body, bytes.len().min(body + MAX_CELL + 1))?;
    if bytes[close] != b'"' {
        return None;
    }
    // The line's end as APEX writes it (`";\r\n`), else `line_end`'s reading.
    let end = if bytes.get(close..close + 4) == Some(b"\";\r\n") {
        close + 3
    } else {
        let semicolon = blank(bytes, close + 1);
        if bytes.get(semicolon) != Some(&b';') {
            return None;
        }
        line_end(bytes, semicolon + 1)?
    };
    Some(CellLine {
        row,
        column,
        value: (body, close),
        end,
    })
}

/// A table's name as `apex_cell` compares it: its first and its last eight bytes as words
/// (a name of 8 to 16 bytes: `ResultsTable1`).
#[derive(Clone, Copy)]
pub(super) struct CellName {
    len: usize,
    first: u64,
    last: u64,
}

impl CellName {
    /// `name` prepared, when it is 8 to 16 bytes long.
    pub(super) fn new(name: &[u8]) -> Option<CellName> {
        (8..=16).contains(&name.len()).then(|| CellName {
            len: name.len(),
            first: word(name, 0),
            last: word(name, name.len() - 8),
        })
    }
}

/// Eight bytes at `at` as a word.
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("eight bytes"))
}

/// How many bytes `apex_cell` reads at once from a line's start: a name of at most 16
/// bytes, the indexes and ` = "` (at most 14), a value's first step (`STEP`) and `";\r\n`
/// take at most 50.
const WINDOW: usize = 64;

/// The line from `from` as `cell_line` reads it when it is a cell exactly as APEX writes
/// one: the name at once, `[ d]` or `[ dd]` twice, ` = "`, the value, `";\r\n`; None for
/// any other line, and for a line within `WINDOW` bytes of the text's end, which
/// `cell_line` reads. The line's first `WINDOW` bytes are taken as one array, its parts
/// then read at places within it (a bound checked once, not per part as slices of the
/// whole text): the cost of nearly every line of a document (docs/performance.md, "Body
/// composition files").
#[inline(always)]
pub(super) fn apex_cell(bytes: &[u8], from: usize, name: &CellName) -> Option<CellLine> {
    let window: &[u8; WINDOW] = bytes.get(from..)?.first_chunk()?;
    // A `CellName` is 8 to 16 bytes long (`min` shows it to the bounds below).
    let after = name.len.min(16);
    if window_word(window, 0) != name.first || window_word(window, after - 8) != name.last {
        return None;
    }
    let head: &[u8; 16] = window[after..].first_chunk()?;
    let (row, at) = short_index(head, 0)?;
    let (column, at) = short_index(head, at)?;
    if head[at..at + 4] != *b" = \"" {
        return None;
    }
    // Within the window: `after` at most 16 and `at` at most 10.
    let body = after + at + 4;
    let step: &[u8; STEP] = window[body..].first_chunk()?;
    // The value's end, and whether `";\r\n` follows it: within the window for a value
    // ending in its first step (nearly every cell: `190.45`), else in the text.
    let (close, apex_end) = match first_stop(step) {
        Some(found) => {
            let close = body + found;
            (
                from + close,
                window.get(close..close + 4) == Some(b"\";\r\n"),
            )
        }
        None => {
            let limit = bytes.len().min(from + body + MAX_CELL + 1);
            let close = value_stop(bytes, from + body + STEP, limit)?;
            (close, bytes.get(close..close + 4) == Some(b"\";\r\n"))
        }
    };
    apex_end.then_some(CellLine {
        row,
        column,
        value: (from + body, close),
        end: close + 3,
    })
}

/// Eight bytes at `at` of `window` as a word.
#[inline(always)]
fn window_word(window: &[u8; WINDOW], at: usize) -> u64 {
    u64::from_le_bytes(window[at..at + 8].try_into().expect("eight bytes"))
}

/// `[ d]` or `[ dd]` at `at` (at most 5) of `head`: the index and where it ends.
#[inline(always)]
fn short_index(head: &[u8; 16], at: usize) -> Option<(u32, usize)> {
    if head[at] != b'[' || head[at + 1] != b' ' {
        return None;
    }
    let first = head[at + 2].wrapping_sub(b'0');
    if first >= 10 {
        return None;
    }
    if head[at + 3] == b']' {
        return Some((u32::from(first), at + 4));
    }
    let second = head[at + 3].wrapping_sub(b'0');
    (second < 10 && head[at + 4] == b']')
        .then(|| (u32::from(first) * 10 + u32::from(second), at + 5))
}

/// An index in brackets at `at` (`[ 12]`, as `one_statement` reads one), and where it ends.
#[inline(always)]
fn bracket_index(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    // `[ 3]` and `[ 12]`, as APEX writes nearly every index, read at once: a digit after
    // the one space, then `]` or a digit and `]` (the reading below gives the same).
    if let Some(&[b'[', b' ', first, second, third]) = bytes.get(at..at + 5) {
        let first = first.wrapping_sub(b'0');
        if first < 10 {
            if second == b']' {
                return Some((u32::from(first), at + 4));
            }
            let second = second.wrapping_sub(b'0');
            if second < 10 && third == b']' {
                return Some((u32::from(first) * 10 + u32::from(second), at + 5));
            }
        }
    }
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    let (index, end) = index_at(bytes, blank(bytes, at + 1))?;
    let close = blank(bytes, end);
    (bytes.get(close) == Some(&b']')).then_some((index, close + 1))
}

/// Past the ASCII spaces and tabs from `at` (a byte above the space is neither: the one
/// test nearly every call makes).
#[inline(always)]
fn blank(bytes: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = bytes.get(at) {
        if !BLANK[usize::from(byte)] {
            break;
        }
        at += 1;
    }
    at
}

/// The blanks around a statement's parts: ASCII space and tab.
const BLANK: [bool; 256] = {
    let mut blank = [false; 256];
    blank[b' ' as usize] = true;
    blank[b'\t' as usize] = true;
    blank
};

/// The index of one to three digits at `at` (within `MAX_INDEX`), and where its digits end.
#[inline(always)]
fn index_at(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    let digit = |at: usize| {
        bytes
            .get(at)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|d| *d < 10)
    };
    let mut index = u32::from(digit(at)?);
    let mut end = at + 1;
    while end - at < 3
        && let Some(d) = digit(end)
    {
        index = index * 10 + u32::from(d);
        end += 1;
    }
    (index <= MAX_INDEX).then_some((index, end))
}

/// Where the line ends (its `\n`, or the end of the text) when nothing but ASCII spaces,
/// tabs and `\r` is from `at` to it; None otherwise.
#[inline(always)]
fn line_end(bytes: &[u8], at: usize) -> Option<usize> {
    // Nearly every line ends at once (`";\r\n`, `";\n`).
    match bytes.get(at) {
        None | Some(b'\n') => return Some(at),
        Some(b'\r') if bytes.get(at + 1) == Some(&b'\n') => return Some(at + 1),
        _ => {}
    }
    let end = at
        + bytes[at..]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r'))
            .unwrap_or(bytes.len() - at);
    (end == bytes.len() || bytes[end] == b'\n').then_some(end)
}

/// `bytes.starts_with(prefix)`, eight bytes at a time (the last eight overlapping the ones
/// before): a name is some 13 bytes, which a call to `memcmp` costs more than.
fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    if bytes.len() < prefix.len() {
        return false;
    }
    let text = &bytes[..prefix.len()];
    if prefix.len() < 8 {
        return text.iter().zip(prefix).all(|(a, b)| a == b);
    }
    let word = |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("eight"));
    let last = prefix.len() - 8;
    if last <= 8 {
        // Two words, the first and the last (nearly every name: `ResultsTable1`).
        return word(text, 0) == word(prefix, 0) && word(text, last) == word(prefix, last);
    }
    let mut at = 0;
    while at < last {
        if word(text, at) != word(prefix, at) {
            return false;
        }
        at += 8;
    }
    word(text, last) == word(prefix, last)
}

/// The bytes of a statement's name: ASCII letters, digits and `_`.
const NAME: [bool; 256] = {
    let mut name = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        name[byte] = (byte as u8).is_ascii_alphanumeric() || byte == b'_' as usize;
        byte += 1;
    }
    name
};

/// The bytes of a bare value read on the one-statement path: ASCII letters, digits, `_`,
/// `.`, `-` and `+` (no blank, quote, backslash, `=` or `;`).
const BARE: [bool; 256] = {
    let mut bare = NAME;
    bare[b'.' as usize] = true;
    bare[b'-' as usize] = true;
    bare[b'+' as usize] = true;
    bare
};

#[cfg(test)]
mod tests;
