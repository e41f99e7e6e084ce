//! Which texts a CSV file holds as they are, decided on their bytes eight at a time: the
//! text cells' fast paths (`output::cell`, docs/columns.md "Text cells") and the body
//! composition labels kept as plain fields (`bodycomp::RegionLabel`) ask the one rule,
//! below both.

/// Whether every byte is printable ASCII (0x20 to 0x7E), eight bytes at a time (a byte
/// loop was 1 % of a scan's instructions: docs/performance.md).
#[inline]
pub fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    const SPACES: u64 = u64::from_le_bytes([0x20; 8]);
    const DELS: u64 = u64::from_le_bytes([0x7F; 8]);
    // Some byte of `word` is 0x80 or more, below 0x20 (a borrow out of a byte under 0x20
    // can only flag bytes above one that is), or 0x7F (a zero byte of `word ^ DELS`).
    let bad = |word: u64| {
        let del = word ^ DELS;
        (word | (word.wrapping_sub(SPACES) & !word) | (del.wrapping_sub(ONES) & !del)) & HIGH != 0
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        if bad(u64::from_le_bytes(chunk.try_into().expect("8 bytes"))) {
            return false;
        }
    }
    chunks.remainder().iter().all(|b| (0x20..0x7F).contains(b))
}

/// Whether `bytes` can be written as a CSV field as they are: printable ASCII (0x20 to
/// 0x7E: no control character, nothing a reader would not see), with no comma or quote
/// (and so no CR or LF), and not starting as a formula does. One pass, eight bytes at a
/// time: `safe_text` then the CSV quoting test read a field twice (docs/performance.md).
#[inline]
pub fn plain_field(bytes: &[u8]) -> bool {
    printable_unquoted::<false>(bytes)
}

/// Whether `bytes` are printable ASCII with no quote, a comma only where `COMMA_ALLOWED`,
/// and not starting as a formula does: `plain_field`, and `quoted_as_it_is` (the same test
/// with commas allowed).
#[inline]
fn printable_unquoted<const COMMA_ALLOWED: bool>(bytes: &[u8]) -> bool {
    const fn splat(b: u8) -> u64 {
        u64::from_le_bytes([b; 8])
    }
    const ONES: u64 = splat(0x01);
    const HIGH: u64 = splat(0x80);
    // A zero byte in `x` (exact as a yes or no: a borrow only flags bytes above a zero one).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    // As in `printable_ascii`, with the quote (and the comma) found as zero bytes of XORs.
    let bad = |word: u64| {
        let mut flags = word
            | (word.wrapping_sub(splat(0x20)) & !word)
            | zero(word ^ splat(0x7F))
            | zero(word ^ splat(b'"'));
        if !COMMA_ALLOWED {
            flags |= zero(word ^ splat(b','));
        }
        flags & HIGH != 0
    };
    if matches!(bytes.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\'')) {
        return false;
    }
    all_words(bytes, bad)
        || (bytes.len() < 8
            && bytes
                .iter()
                .all(|&b| (0x20..0x7F).contains(&b) && b != b'"' && (COMMA_ALLOWED || b != b',')))
}

/// Whether no word of `bytes` is `bad`: eight bytes at a time, the last word the last
/// eight bytes (overlapping the one before), where a loop over the last 0-7 bytes cost
/// about a fifth of a cell's check (docs/performance.md, "The end of a run"). False for
/// fewer than eight bytes (the caller's byte loop answers).
#[inline]
fn all_words(bytes: &[u8], bad: impl Fn(u64) -> bool) -> bool {
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let len = bytes.len();
    if len < 8 {
        return false;
    }
    let mut at = 0;
    while at + 8 <= len {
        if bad(word(at)) {
            return false;
        }
        at += 8;
    }
    at == len || !bad(word(len - 8))
}

/// Whether a text that is not `plain_field` is written as itself in quotes: printable
/// ASCII with no quote, not starting as a formula, so that only a comma made it not plain
/// (a follow-up or measurement note of several parts). One pass, where `safe_text` and
/// then the quoting read it twice more (docs/performance.md, "The end of a run").
#[inline]
pub fn quoted_as_it_is(bytes: &[u8]) -> bool {
    printable_unquoted::<true>(bytes)
}
