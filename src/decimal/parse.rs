//! Decimal text read into a `Decimal`: DICOM DS (a sign, digits, a point, an exponent,
//! padding), plain text in one short loop first (nearly every value), and the forms
//! scanners write in other text (a decimal comma, a trailing `%`).

use super::{Decimal, MAX_DIGITS};

/// A number as a scanner reports it in text: DS, a decimal comma, a trailing `%` on a
/// percentage (`Decimal::parse_reported`).
pub fn reported_number(text: &str) -> Option<Decimal> {
    if let Some(plain) = Decimal::parse_plain(text.as_bytes()) {
        return Some(plain);
    }
    reported_number_not_plain(text)
}

/// `reported_number` of text that is not plain: apart, so that the plain read does not
/// pay for saving the registers this one uses (callgrind, docs/performance.md).
#[cold]
#[inline(never)]
fn reported_number_not_plain(text: &str) -> Option<Decimal> {
    let text = trim(text);
    Decimal::parse_reported(text).or_else(|| {
        text.strip_suffix('%')
            .and_then(|t| Decimal::parse_reported(trim(t)))
    })
}

/// `str::trim`, without decoding characters when `text` neither starts nor ends with a
/// space, a control or a non-ASCII byte (a value or code read from a file, its DICOM padding
/// already gone): the common case of the per-file path's lookups and numbers.
#[inline]
pub fn trim(text: &str) -> &str {
    let plain = |b: &u8| *b > b' ' && *b < 0x80;
    let bytes = text.as_bytes();
    if bytes.first().is_some_and(plain) && bytes.last().is_some_and(plain) {
        text
    } else {
        text.trim()
    }
}

impl Decimal {
    /// Parses DICOM DS text: surrounding spaces, a leading `+` or `-`, digits with an optional
    /// point, an optional exponent (`9.30E-1`). Returns None for empty or junk text, which the
    /// caller treats as "missing", never as zero (docs/dicom.md).
    pub fn parse(text: &str) -> Option<Decimal> {
        if let Some(plain) = Decimal::parse_plain(text.as_bytes()) {
            return Some(plain);
        }
        // One pass over the bytes (the point, the exponent's letter and the digits found
        // together): a value per NUM item comes through here (callgrind,
        // docs/performance.md). Every byte sought is ASCII, so byte positions are character
        // boundaries.
        let s = trim_padding(text);
        let (negative, s) = match s.as_bytes().first()? {
            b'+' => (false, &s[1..]),
            b'-' => (true, &s[1..]),
            _ => (false, s),
        };
        let bytes = s.as_bytes();
        // Text of at most MAX_DIGITS bytes cannot hold more digits than the cap, so the
        // digits are counted only in longer text (nearly every value is a few bytes).
        let (mut mantissa, point, end) = if bytes.len() <= MAX_DIGITS as usize {
            digits::<false>(bytes)?
        } else {
            digits::<true>(bytes)?
        };
        let exponent = if end < bytes.len() {
            parse_exponent(&s[end + 1..])?
        } else {
            0
        };
        let frac_len = point.map_or(0, |p| end - p - 1);
        if end == usize::from(point.is_some()) {
            // No digit before or after the point.
            return None;
        }
        let mut scale = frac_len as i64 - exponent;
        while scale < 0 {
            mantissa = mantissa.checked_mul(10)?;
            scale += 1;
        }
        if scale > i64::from(MAX_DIGITS) {
            return None;
        }
        Some(Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale: scale as u32,
        })
    }

    /// Plain text (an optional sign, digits, at most one point, at most MAX_DIGITS bytes,
    /// nothing around them): the form of nearly every value, read in one short loop. None
    /// for anything else, which the full parse then reads; on plain text both give the same
    /// decimal (a test compares them on random texts).
    #[inline]
    fn parse_plain(bytes: &[u8]) -> Option<Decimal> {
        if bytes.len() > MAX_DIGITS as usize {
            return None;
        }
        let (negative, digits) = match bytes.first()? {
            b'-' => (true, &bytes[1..]),
            b'+' => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        let mut mantissa: i64 = 0;
        let mut point = None;
        for (at, &b) in digits.iter().enumerate() {
            let digit = b.wrapping_sub(b'0');
            if digit < 10 {
                mantissa = mantissa * 10 + i64::from(digit);
            } else if b == b'.' && point.is_none() {
                point = Some(at);
            } else {
                return None;
            }
        }
        if digits.len() == usize::from(point.is_some()) {
            // No digit before or after the point.
            return None;
        }
        let scale = point.map_or(0, |p| digits.len() - p - 1) as u32;
        Some(Decimal {
            mantissa: if negative { -mantissa } else { mantissa },
            scale,
        })
    }

    /// Parses a value as a scanner reports it in text (a TEXT item, an XML element, a
    /// results document cell): DS forms, and a decimal comma ("1,023" is 1.023: GE exports
    /// from comma locales, docs/evidence.md) when the text has exactly one comma and no
    /// point. None for anything else (a thousands separator is not guessed at).
    pub fn parse_reported(text: &str) -> Option<Decimal> {
        let text = trim(text);
        if text.len() > 64 {
            return None;
        }
        // Nearly every value is DS text already: parsed as it is first. A comma is not a
        // DS character, so text with a decimal comma fails that parse, and only then is
        // the comma looked at (counting commas and points in every value cost a third of
        // the parse, docs/performance.md).
        Decimal::parse(text).or_else(|| Decimal::parse_decimal_comma(text))
    }

    /// `parse_reported` of text that did not parse as DS: a decimal comma.
    #[cold]
    fn parse_decimal_comma(text: &str) -> Option<Decimal> {
        let (mut commas, mut points) = (0, 0);
        for b in text.bytes() {
            commas += usize::from(b == b',');
            points += usize::from(b == b'.');
        }
        if commas == 1 && points == 0 {
            return Decimal::parse(&text.replace(',', "."));
        }
        None
    }
}

/// The digits of DS text without its sign, up to an exponent's letter: the mantissa, where
/// the point is and where the digits end. With `COUNT`, None past MAX_DIGITS significant
/// digits (leading zeros cost nothing); without, the caller knows the text is shorter.
#[inline(always)]
fn digits<const COUNT: bool>(bytes: &[u8]) -> Option<(i64, Option<usize>, usize)> {
    let mut mantissa: i64 = 0;
    let mut digits = 0u32;
    let mut point = None;
    for (at, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if COUNT {
                    if mantissa != 0 || b != b'0' {
                        digits += 1;
                    }
                    if digits > MAX_DIGITS {
                        return None;
                    }
                }
                mantissa = mantissa * 10 + i64::from(b - b'0');
            }
            b'.' if point.is_none() => point = Some(at),
            b'e' | b'E' => return Some((mantissa, point, at)),
            _ => return None,
        }
    }
    Some((mantissa, point, bytes.len()))
}

/// `text` without the spaces and NULs around it (DS padding). Both are ASCII, so cutting
/// bytes keeps `text` whole UTF-8, and gives what `trim_matches` on the characters gives
/// without decoding them.
fn trim_padding(text: &str) -> &str {
    let padding = |b: &u8| *b == b' ' || *b == 0;
    let bytes = text.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !padding(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !padding(b))
        .map_or(start, |p| p + 1);
    &text[start..end]
}

/// An exponent after its `E`: a sign, then one to three digits (DS allows no more).
pub(super) fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = digits.parse().ok()?;
    Some(if negative { -value } else { value })
}
