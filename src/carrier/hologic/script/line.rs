//! A line of one statement in the shape APEX writes it, read in one pass: nearly every
//! line of a results document (docs/performance.md, "Body composition files"). Any other
//! line is left to the general path (`super::read`), which reads this shape the same way.
//! The statement both paths give, and the bounds of an index and of a value, are defined
//! here: the general path imports them (no import back from this module).

use std::borrow::Cow;

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
/// without `"`, `\\` or a line feed. It is the statement, and where the line ends (its
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
    // Byte loops over a table, not iterator adapters: the lines are short, and the
    // adapters' set-up cost more than the bytes.
    let blank = |mut at: usize| {
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t') {
            at += 1;
        }
        at
    };
    let name_start = blank(from);
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
        while at < bytes.len() && NAME[usize::from(bytes[at])] {
            at += 1;
        }
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
    while bytes[at] == b'[' {
        let digits = blank(at + 1);
        let mut index = 0u32;
        let mut end = digits;
        while end < bytes.len() && bytes[end].is_ascii_digit() && end - digits < 3 {
            index = index * 10 + u32::from(bytes[end] - b'0');
            end += 1;
        }
        if end == digits || index > MAX_INDEX {
            return None;
        }
        let close = blank(end);
        if bytes.get(close) != Some(&b']') {
            return None;
        }
        *statement.indexes.get_mut(statement.count)? = index;
        statement.count += 1;
        at = close + 1;
        if at == bytes.len() {
            return None;
        }
    }
    let equals = blank(at);
    if bytes.get(equals) != Some(&b'=') {
        return None;
    }
    let open = blank(equals + 1);
    if bytes.get(open) != Some(&b'"') {
        return None;
    }
    let body = open + 1;
    let limit = bytes.len().min(body + MAX_CELL + 1);
    let mut close = body;
    while close < limit && !VALUE_STOPS[usize::from(bytes[close])] {
        close += 1;
    }
    if close == limit || bytes[close] != b'"' {
        return None;
    }
    let semicolon = blank(close + 1);
    if bytes.get(semicolon) != Some(&b';') {
        return None;
    }
    let mut end = semicolon + 1;
    while end < bytes.len() && matches!(bytes[end], b' ' | b'\t' | b'\r') {
        end += 1;
    }
    if end < bytes.len() && bytes[end] != b'\n' {
        return None;
    }
    statement.value = Cow::Borrowed(&text[body..close]);
    Some((statement, end, same_name))
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
    (0..last)
        .step_by(8)
        .all(|at| word(text, at) == word(prefix, at))
        && word(text, last) == word(prefix, last)
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

/// The bytes that end a quoted value on the one-statement path (`"`), or send the line to
/// the general path (`\\`, a line feed).
const VALUE_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    stops[b'"' as usize] = true;
    stops[b'\\' as usize] = true;
    stops[b'\n' as usize] = true;
    stops
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_is_the_slices() {
        // Lengths below, at and beyond one and two words, differing in any word.
        let texts: [&[u8]; 12] = [
            b"ResultsTable1[ 1][ 2] = x",
            b"ResultsTable1[ 9][ 2] = x",
            b"TableColumnTypes12[ 3]",
            b"",
            b"R",
            b"ResultsTable",
            b"ResultsTable1",
            b"ResultsTable1[ 1]",
            b"ResultsTable12",
            b"ResultsTablf1",
            b"PatientSex",
            b"ResultsTable1\xe9",
        ];
        for text in texts {
            for prefix in texts {
                for cut in 0..=prefix.len() {
                    let prefix = &prefix[..cut];
                    assert_eq!(
                        starts_with(text, prefix),
                        text.starts_with(prefix),
                        "{text:?} {prefix:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_name_matched_as_the_last_is_the_name_read() {
        let lines = [
            "ResultsTable1[ 1][ 2] = \"x\";",
            "ResultsTable12[ 1][ 2] = \"x\";",
            "ResultsTable1_[ 1][ 2] = \"x\";",
            "  ResultsTable1 [ 1][ 2] = \"x\";",
            "ResultsTable1= \"x\";",
            "ResultsTable",
            "ResultsTable1",
            "PatientSex = \"F\";",
        ];
        for text in lines {
            let read = one_statement(text, 0, "").map(|(s, end, same)| {
                assert!(!same);
                (s.name, s.indexes().to_vec(), s.value, end)
            });
            for last in ["ResultsTable1", "ResultsTable", "PatientSex", "R", "x"] {
                let with_last = one_statement(text, 0, last).map(|(s, end, same)| {
                    assert_eq!(same, s.name == last, "{text:?} {last:?}");
                    (s.name, s.indexes().to_vec(), s.value, end)
                });
                assert_eq!(with_last, read, "{text:?} {last:?}");
            }
        }
        assert!(one_statement(lines[0], 0, "ResultsTable1").is_some_and(|(_, _, same)| same));
    }
}
