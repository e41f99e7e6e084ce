//! Text values as the content tree reads them: the first of a multi-valued value, DICOM
//! padding trimmed, decoded from the data set's character set (PS3.5 6.1). Some 275 values
//! per file come through here, nearly all short and ASCII: the first value and whether it
//! is ASCII are found in one pass, eight bytes at a time, which took 4 200 to 5 700
//! instructions per file off a byte loop for the backslash and another for ASCII
//! (callgrind, docs/performance.md).

use std::borrow::Cow;

use dicom_encoding::text::{SpecificCharacterSet, TextCodec};

/// The character sets this reader decodes itself (PS3.5 6.1). Anything else (ISO 2022 code
/// extensions, GB18030, ...) is read through dicom-object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Default repertoire (ISO_IR 6). Bytes above 0x7F are read as Latin-1, the most common
    /// mislabelling.
    Default,
    /// ISO_IR 100, Latin alphabet No. 1.
    Latin1,
    /// ISO_IR 192, UTF-8.
    Utf8,
    /// Any other: decoded with dicom-encoding's codec (`DataSet::codec`).
    Other,
}

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);
const BACKSLASHES: u64 = u64::from_le_bytes([b'\\'; 8]);

/// The value at `data[start..end]` up to its first backslash (all of it when `whole`: UT,
/// ST and LT may hold backslashes), and whether those bytes are ASCII. Eight bytes at a
/// time; the last 1-7 as one more word: the last eight bytes of the value (some seen
/// twice, which changes neither answer), or for a value shorter than eight the eight bytes
/// from its start with those past its end masked off, when the data holds them (a byte
/// loop over the rest cost 20 to 30 instructions per value, about 280 values per file:
/// callgrind, docs/performance.md).
#[inline]
pub(super) fn first_value(data: &[u8], start: usize, end: usize, whole: bool) -> (&[u8], bool) {
    let bytes = &data[start..end];
    let len = bytes.len();
    let mut high = 0u64;
    let mut at = 0;
    while at + 8 <= len {
        let word = u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        if let Some(cut) = backslash(word, whole) {
            high |= word & HIGH_BITS & below(cut);
            return (&bytes[..at + cut], high == 0);
        }
        high |= word & HIGH_BITS;
        at += 8;
    }
    if at == len {
        return (bytes, high == 0);
    }
    // The last 1-7 bytes, as one word.
    let (word, from) = if len >= 8 {
        let from = len - 8;
        (
            u64::from_le_bytes(bytes[from..].try_into().expect("8 bytes")),
            from,
        )
    } else if let Some(next8) = data.get(start..start + 8) {
        let word = u64::from_le_bytes(next8.try_into().expect("8 bytes"));
        (word & below(len), 0)
    } else {
        return tail_bytes(bytes, at, high == 0, whole);
    };
    if let Some(cut) = backslash(word, whole) {
        high |= word & HIGH_BITS & below(cut);
        return (&bytes[..from + cut], high == 0);
    }
    high |= word & HIGH_BITS;
    (bytes, high == 0)
}

/// `first_value` of an ASCII value of up to sixteen bytes, in one or two words and no loop;
/// None for any other value (longer, not all ASCII, or shorter than eight bytes where the
/// data ends within eight bytes of its start). A value shorter than a word is read as the
/// eight bytes from its start with those past its end masked off; one of eight to sixteen
/// as its first and its last eight bytes (which overlap: a backslash in both is found in
/// the first).
#[inline(always)]
pub(super) fn short_ascii(data: &[u8], start: usize, len: usize, whole: bool) -> Option<&[u8]> {
    if len < 8 {
        let next8: &[u8; 8] = data.get(start..)?.first_chunk()?;
        let word = u64::from_le_bytes(*next8) & below(len);
        if word & HIGH_BITS != 0 {
            return None;
        }
        return Some(&next8[..backslash(word, whole).unwrap_or(len)]);
    }
    if len > 16 {
        return None;
    }
    let bytes = data.get(start..start + len)?;
    let (first, last) = (bytes.first_chunk::<8>()?, bytes.last_chunk::<8>()?);
    let (first, last) = (u64::from_le_bytes(*first), u64::from_le_bytes(*last));
    if (first | last) & HIGH_BITS != 0 {
        return None;
    }
    let cut = match backslash(first, whole) {
        Some(cut) => cut,
        None => backslash(last, whole).map_or(len, |cut| len - 8 + cut),
    };
    Some(&bytes[..cut])
}

/// The position of the first backslash in `word`'s bytes (none when `whole`): a zero byte
/// of `word ^ BACKSLASHES` is a backslash, and the lowest byte flagged is the first one (a
/// borrow only flags bytes above a zero byte).
#[inline(always)]
fn backslash(word: u64, whole: bool) -> Option<usize> {
    if whole {
        return None;
    }
    let x = word ^ BACKSLASHES;
    let found = x.wrapping_sub(ONES) & !x & HIGH_BITS;
    (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
}

/// The mask of a word's first `n` bytes (n < 8).
#[inline(always)]
fn below(n: usize) -> u64 {
    (1u64 << (8 * n)) - 1
}

/// `first_value`'s last bytes one by one, where the data ends within eight bytes of the
/// value's start.
#[cold]
fn tail_bytes(bytes: &[u8], at: usize, mut ascii: bool, whole: bool) -> (&[u8], bool) {
    for (i, &b) in bytes[at..].iter().enumerate() {
        if b == b'\\' && !whole {
            return (&bytes[..at + i], ascii);
        }
        ascii &= b.is_ascii();
    }
    (bytes, ascii)
}

/// Strips DICOM padding: trailing spaces and NULs, leading spaces. A value is padded to
/// an even length by one byte at most (PS3.5 6.2), so that case is decided by looking at
/// its ends, and only more padding takes the byte loops (`trim_loops`): they cost about
/// fifteen instructions for each of some 300 values per file (callgrind).
#[inline]
pub(super) fn trim(bytes: &[u8]) -> &[u8] {
    let pad = |b: u8| b == b' ' || b == 0;
    let kept = match bytes {
        [.., last] if pad(*last) => &bytes[..bytes.len() - 1],
        _ => bytes,
    };
    match kept {
        [first, .., last] if *first != b' ' && !pad(*last) => kept,
        [only] if !pad(*only) => kept,
        _ => trim_loops(kept),
    }
}

/// `trim`, byte by byte from both ends.
fn trim_loops(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| *b != b' ' && *b != 0)
        .map_or(0, |p| p + 1);
    let start = bytes[..end].iter().position(|b| *b != b' ').unwrap_or(end);
    &bytes[start..end]
}

pub(super) fn decode<'a>(
    bytes: &'a [u8],
    charset: Charset,
    codec: Option<&SpecificCharacterSet>,
) -> Cow<'a, str> {
    if bytes.is_ascii() {
        // ASCII is the same in every supported charset, and nearly all SR text is ASCII:
        // this is the path of about a thousand values per file, where a UTF-8 validation
        // cost a tenth of the per-file time (callgrind).
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        return Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if charset == Charset::Utf8 => Cow::Borrowed(text),
        _ if charset == Charset::Utf8 => String::from_utf8_lossy(bytes),
        _ if charset == Charset::Other
            && let Some(Ok(text)) = codec.map(|c| c.decode(bytes)) =>
        {
            Cow::Owned(text)
        }
        // Latin-1 bytes are the first 256 code points.
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass scan against the two byte loops it replaced, on seeded random values
    /// of every length up to 40 (backslashes, spaces, NULs and bytes above 0x7F among them,
    /// at every position of an 8-byte word).
    #[test]
    fn first_value_agrees_with_byte_loops() {
        let mut next = crate::test_rng::splitmix(7);
        let alphabet = [
            b'A', b'7', b'.', b' ', 0, b'\\', 0x80, 0xC5, 0xFF, 0x5B, 0x5D, 0xDC,
        ];
        for _ in 0..20_000 {
            let len = (next() % 41) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let r = next();
                    if r % 4 == 0 {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    } else {
                        b'a' + (r >> 8) as u8 % 26
                    }
                })
                .collect();
            for whole in [false, true] {
                let cut = if whole {
                    bytes.len()
                } else {
                    bytes
                        .iter()
                        .position(|b| *b == b'\\')
                        .unwrap_or(bytes.len())
                };
                let expected = (&bytes[..cut], bytes[..cut].is_ascii());
                // Alone, followed by other bytes (backslashes and high bytes, which must
                // not count), and after others.
                let after = (next() % 9) as usize;
                let mut data = bytes.clone();
                data.extend(std::iter::repeat_n(b'\\', after / 2));
                data.extend(std::iter::repeat_n(0xFF, after - after / 2));
                let mut shifted = vec![b'\\'; 3];
                shifted.extend_from_slice(&data);
                for (data, start) in [(&bytes, 0), (&data, 0), (&shifted, 3)] {
                    assert_eq!(
                        first_value(data, start, start + len, whole),
                        expected,
                        "{data:?} from {start}, whole {whole}"
                    );
                    // The short path answers exactly where it can: ASCII values of up
                    // to sixteen bytes, the shorter ones with eight bytes of data from
                    // their start.
                    let short =
                        len <= 16 && (len >= 8 || start + 8 <= data.len()) && bytes.is_ascii();
                    assert_eq!(
                        short_ascii(data, start, len, whole),
                        short.then_some(expected.0),
                        "short: {data:?} from {start}, whole {whole}"
                    );
                }
            }
        }
    }

    #[test]
    fn trims_dicom_padding() {
        assert_eq!(trim(b" 0.930 "), b"0.930");
        assert_eq!(trim(b"1.2.3\0"), b"1.2.3");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(trim(b""), b"");
        assert_eq!(trim(b"\0"), b"");
        assert_eq!(trim(b"a"), b"a");
        assert_eq!(trim(b" a"), b"a");
        assert_eq!(trim(b"a\0 "), b"a");
    }

    /// The ends looked at first, against the byte loops alone, on every value of up to six
    /// bytes from spaces, NULs and two letters (a NUL is kept at the start, as padding is
    /// only trailing there).
    #[test]
    fn trim_agrees_with_byte_loops() {
        let alphabet = [b' ', 0, b'a', b'b'];
        for len in 0..=6u32 {
            for n in 0..4usize.pow(len) {
                let bytes: Vec<u8> = (0..len).map(|i| alphabet[n / 4usize.pow(i) % 4]).collect();
                assert_eq!(trim(&bytes), trim_loops(&bytes), "{bytes:?}");
            }
        }
    }

    #[test]
    fn decodes_latin1_and_utf8() {
        assert_eq!(decode(b"Astrom", Charset::Latin1, None), "Astrom");
        assert_eq!(decode(b"\xC5str\xF6m", Charset::Latin1, None), "Åström");
        assert_eq!(decode("Åström".as_bytes(), Charset::Utf8, None), "Åström");
        assert!(matches!(
            decode(b"plain", Charset::Utf8, None),
            Cow::Borrowed(_)
        ));
        // ISO_IR 144 (Cyrillic, ISO 8859-5): 0xC1 0xDE 0xDD 0xD5 is "Соне".
        let cyrillic = SpecificCharacterSet::from_code("ISO_IR 144");
        assert_eq!(
            decode(b"\xC1\xDE\xDD\xD5", Charset::Other, cyrillic.as_ref()),
            "Соне"
        );
        // An unknown term: Latin-1, never an error.
        assert_eq!(decode(b"\xE9", Charset::Other, None), "é");
    }
}
