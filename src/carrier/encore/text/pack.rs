//! A text of UTF-16LE code units packed into its ASCII bytes (`Decoded::ascii`), a step of
//! `PACKED_STEP` units at a time, and the tests of words of ASCII lanes the line-by-line
//! reading shares (`Lines::ascii_run`).

/// A word of four UTF-16LE code units: each unit's bits that are zero when it is ASCII,
/// a 1 in each unit, and each unit's top bit.
pub(super) const UTF16_NOT_ASCII: u64 = 0xFF80_FF80_FF80_FF80;
pub(super) const UTF16_ONES: u64 = 0x0001_0001_0001_0001;
pub(super) const UTF16_TOPS: u64 = 0x8000_8000_8000_8000;
/// The same for eight UTF-8 bytes.
pub(super) const UTF8_NOT_ASCII: u64 = 0x8080_8080_8080_8080;
pub(super) const UTF8_ONES: u64 = 0x0101_0101_0101_0101;

/// Whether a word of ASCII lanes (16 or 8 bits each: `ones` has a 1 in each, `tops` each
/// one's top bit) holds a line feed. A lane of `x = word ^ LF` is zero only for a line
/// feed, and, every lane being below 0x80, taking 1 from each sets a lane's top bit only
/// in a zero lane or above one (by its borrow): never without a zero lane.
#[inline]
pub(super) fn has_line_feed(word: u64, ones: u64, tops: u64) -> bool {
    let x = word ^ ones.wrapping_mul(u64::from(b'\n'));
    x.wrapping_sub(ones) & !x & tops != 0
}

/// The low bytes of four UTF-16LE code units whose high bytes are zero (a word
/// `a 0 b 0 c 0 d 0`), as the four bytes `a b c d` of the result's low half.
#[inline]
pub(super) fn low_bytes(units: u64) -> u64 {
    let pairs = (units | units >> 8) & 0x0000_FFFF_0000_FFFF;
    (pairs | pairs >> 16) & 0xFFFF_FFFF
}

/// How many characters `pack_ascii_units` takes at a step.
pub(super) const PACKED_STEP: usize = 32;

/// Appends to `text` the low bytes of `units` (UTF-16LE code units) by steps of
/// `PACKED_STEP` units, and to `feeds` where each step that holds a line feed starts in
/// `text`; gives back the units left (fewer than a step), or None when a unit is beyond
/// ASCII (then `text` is not the text). SSE2's saturating pack on x86-64 (every such
/// processor has it), two words of four units at once elsewhere.
#[cfg(target_arch = "x86_64")]
pub(super) fn pack_ascii_units<'u>(
    units: &'u [u8],
    text: &mut Vec<u8>,
    feeds: &mut Vec<usize>,
) -> Option<&'u [u8]> {
    // SAFETY: SSE2 is part of the x86-64 baseline: every processor this runs on has it.
    unsafe { pack_sse2(units, text, feeds) }
}

/// `pack_ascii_units` by SSE2's saturating pack: each step's four quarters loaded, packed
/// by two, and its 32 bytes stored into the room reserved for all the steps, then the
/// text's length set once (a `Vec::extend_from_slice` per step of 16 tested the room each
/// time, docs/performance.md).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn pack_sse2<'u>(units: &'u [u8], text: &mut Vec<u8>, feeds: &mut Vec<usize>) -> Option<&'u [u8]> {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cvtsi128_si64, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_packus_epi16, _mm_set1_epi8, _mm_set1_epi16,
        _mm_setzero_si128, _mm_storeu_si128, _mm_unpackhi_epi64,
    };
    let steps = units.chunks_exact(2 * PACKED_STEP);
    let rest = steps.remainder();
    let start = text.len();
    let packed_len = steps.len() * PACKED_STEP;
    text.reserve(packed_len);
    let room = &mut text.spare_capacity_mut()[..packed_len];
    let mut beyond: __m128i = _mm_setzero_si128();
    let line_feed = _mm_set1_epi8(b'\n' as i8);
    for (i, (step, out)) in steps.zip(room.chunks_exact_mut(PACKED_STEP)).enumerate() {
        // SAFETY: a step is 64 bytes, `out` 32: each load and store stays within them
        // (unaligned loads and stores).
        let [a, b, c, d] = unsafe {
            let at = step.as_ptr();
            [
                _mm_loadu_si128(at.cast()),
                _mm_loadu_si128(at.add(16).cast()),
                _mm_loadu_si128(at.add(32).cast()),
                _mm_loadu_si128(at.add(48).cast()),
            ]
        };
        beyond = _mm_or_si128(beyond, _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)));
        // Exact for units below 0x80 (else the text is not read here).
        let (low, high) = (_mm_packus_epi16(a, b), _mm_packus_epi16(c, d));
        let feed = _mm_or_si128(
            _mm_cmpeq_epi8(low, line_feed),
            _mm_cmpeq_epi8(high, line_feed),
        );
        if _mm_movemask_epi8(feed) != 0 {
            feeds.push(start + i * PACKED_STEP);
        }
        // SAFETY: as above.
        unsafe {
            _mm_storeu_si128(out.as_mut_ptr().cast(), low);
            _mm_storeu_si128(out.as_mut_ptr().add(16).cast(), high);
        }
    }
    // SAFETY: the loop stored every byte of the `packed_len` reserved after `start`.
    unsafe { text.set_len(start + packed_len) };
    // A unit beyond ASCII has a bit of 0xFF80 set.
    let beyond = _mm_and_si128(beyond, _mm_set1_epi16(0xFF80_u16 as i16));
    let beyond = _mm_cvtsi128_si64(beyond) | _mm_cvtsi128_si64(_mm_unpackhi_epi64(beyond, beyond));
    (beyond == 0).then_some(rest)
}

/// `pack_ascii_units` without SSE2.
#[cfg(not(target_arch = "x86_64"))]
pub(super) fn pack_ascii_units<'u>(
    units: &'u [u8],
    text: &mut Vec<u8>,
    feeds: &mut Vec<usize>,
) -> Option<&'u [u8]> {
    pack_by_words(units, text, feeds)
}

/// `pack_ascii_units` by words of four units, packed by shifts (what SSE2's pack gives:
/// `text::tests::sse2_packs_as_words_do`).
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(super) fn pack_by_words<'u>(
    units: &'u [u8],
    text: &mut Vec<u8>,
    feeds: &mut Vec<usize>,
) -> Option<&'u [u8]> {
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
    let steps = units.chunks_exact(2 * PACKED_STEP);
    let rest = steps.remainder();
    let mut not_ascii = 0u64;
    for step in steps {
        let start = text.len();
        let mut feed = false;
        for units in step.chunks_exact(16) {
            let (low, high) = (word(&units[..8]), word(&units[8..]));
            not_ascii |= low | high;
            let eight = low_bytes(low) | low_bytes(high) << 32;
            // Exact when the units are ASCII (else the text is not read here).
            feed |= has_line_feed(eight, UTF8_ONES, UTF8_NOT_ASCII);
            text.extend_from_slice(&eight.to_le_bytes());
        }
        if feed {
            feeds.push(start);
        }
    }
    (not_ascii & UTF16_NOT_ASCII == 0).then_some(rest)
}
