//! A line's bytes looked at sixteen at a time: where a quoted value stops, where a line
//! ends. Nearly every line of a results document goes through these (docs/performance.md,
//! "Body composition files"), so a step is one SSE2 comparison on x86-64, and plain word
//! arithmetic elsewhere (the two held to each other by the tests).

/// The first of `"`, `\\` and a line feed in `bytes[from..limit]`, sixteen bytes at a
/// step (a value and the `";` after it are nearly always within one), then byte by byte.
#[inline(always)]
pub(super) fn value_stop(bytes: &[u8], from: usize, limit: usize) -> Option<usize> {
    let mut at = from;
    while at + STEP <= limit {
        let step: &[u8; STEP] = bytes[at..at + STEP].try_into().expect("a whole step");
        if let Some(found) = first_stop(step) {
            return Some(at + found);
        }
        at += STEP;
    }
    (at..limit).find(|&at| VALUE_STOPS[usize::from(bytes[at])])
}

/// The first line feed at or after `from` (a section's tag or a comment line's end),
/// sixteen bytes at a step as `value_stop` looks, then byte by byte: `str::find` of a
/// character cost some 230 instructions a line.
pub(in super::super) fn line_feed(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at + STEP <= bytes.len() {
        let step: &[u8; STEP] = bytes[at..at + STEP].try_into().expect("a whole step");
        if let Some(found) = first_of(step, b"\n") {
            return Some(at + found);
        }
        at += STEP;
    }
    bytes[at..].iter().position(|b| *b == b'\n').map(|p| at + p)
}

/// How many bytes `value_stop` and `line_feed` look at in a step.
pub(super) const STEP: usize = 16;

/// The bytes that stop a quoted value (`VALUE_STOPS`).
pub(super) const STOP_BYTES: [u8; 3] = [b'"', b'\\', b'\n'];

/// The place of the first of `"`, `\\` and a line feed in `step`.
#[inline(always)]
pub(super) fn first_stop(step: &[u8; STEP]) -> Option<usize> {
    first_of(step, &STOP_BYTES)
}

/// The place of the first of `wanted` in `step`: by SSE2's byte comparison on x86-64
/// (every such processor has it: a mask of the bytes found, its lowest bit), which costs
/// fewer instructions than two words compared by their bits (the cost of nearly every
/// line of a results document, docs/performance.md, "Body composition files").
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn first_of(step: &[u8; STEP], wanted: &[u8]) -> Option<usize> {
    // SAFETY: SSE2 is part of the x86-64 baseline: every processor this runs on has it.
    unsafe { first_of_sse2(step, wanted) }
}

/// `first_of` by SSE2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn first_of_sse2(step: &[u8; STEP], wanted: &[u8]) -> Option<usize> {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
        _mm_setzero_si128,
    };
    let word = |at: usize| i64::from_le_bytes(step[at..at + 8].try_into().expect("eight bytes"));
    let bytes = _mm_set_epi64x(word(8), word(0));
    let found = wanted.iter().fold(_mm_setzero_si128(), |found, byte| {
        _mm_or_si128(found, _mm_cmpeq_epi8(bytes, _mm_set1_epi8(*byte as i8)))
    });
    let mask = _mm_movemask_epi8(found) as u32;
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

/// `first_of` without SSE2: two words, each byte's equality found by its bits.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(super) fn first_of_by_words(step: &[u8; STEP], wanted: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A word's bytes equal to `byte` have their high bit set in this (and bytes above the
    // first such byte may, wrongly: only the lowest is used).
    let equal = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    [0, 8].into_iter().find_map(|at| {
        let word = u64::from_le_bytes(step[at..at + 8].try_into().expect("eight bytes"));
        let found = wanted
            .iter()
            .fold(0, |found, byte| found | equal(word, *byte));
        (found != 0).then(|| at + (found.trailing_zeros() / 8) as usize)
    })
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(super) fn first_of(step: &[u8; STEP], wanted: &[u8]) -> Option<usize> {
    first_of_by_words(step, wanted)
}

/// The bytes that end a quoted value on the one-statement path (`"`), or send the line to
/// the general path (`\\`, a line feed).
pub(super) const VALUE_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    stops[b'"' as usize] = true;
    stops[b'\\' as usize] = true;
    stops[b'\n' as usize] = true;
    stops
};

#[cfg(test)]
mod tests;
