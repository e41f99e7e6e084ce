//! Tests of exact decimals: DS and reported text parsed, junk missing (never zero), plain
//! text, rounding, comparison, arithmetic and hashing across scales.

use super::parse::parse_exponent;
use super::*;

/// Extremes of the mantissa and scale, beyond u64 once padded to 18 decimals, against
/// an independent rendering (i128 integer and fraction parts through `format!`).
#[test]
fn plain_text_of_extreme_values() {
    for mantissa in [i64::MIN, i64::MAX, -1, 0, 7, 10_000_000_000_000_000] {
        for scale in [0, 1, 9, 18] {
            for min_decimals in [0, 3, 18] {
                let value = Decimal::from_parts(mantissa, scale).unwrap();
                let shown = scale.max(min_decimals);
                let padded = i128::from(mantissa) * 10i128.pow(shown - scale);
                let unit = 10i128.pow(shown);
                let (int, frac) = (padded.abs() / unit, padded.abs() % unit);
                let sign = if mantissa < 0 { "-" } else { "" };
                let expected = if shown == 0 {
                    format!("{sign}{int}")
                } else {
                    format!("{sign}{int}.{frac:0width$}", width = shown as usize)
                };
                assert_eq!(value.to_plain(min_decimals), expected);
            }
        }
    }
}

/// A seeded random mantissa: 0 to 19 digits (a 19-digit one may wrap into the negatives,
/// as `as i64` makes it), either sign.
fn random_mantissa(next: &mut impl FnMut() -> u64) -> i64 {
    let digits = (next() % 20) as u32;
    let magnitude = if digits == 0 {
        0
    } else {
        next() % 10u64.pow(digits.min(19))
    };
    if next() % 2 == 0 {
        magnitude as i64
    } else {
        (magnitude as i64).wrapping_neg()
    }
}

/// `write_plain` and `append_plain` against the independent rendering above, on seeded
/// random mantissas (every digit count, both signs) and scales.
#[test]
fn plain_text_of_random_values() {
    let mut next = crate::test_rng::splitmix(7);
    let mut out = b"x".to_vec();
    for _ in 0..50_000 {
        let mantissa = random_mantissa(&mut next);
        let (scale, min_decimals) = ((next() % 19) as u32, (next() % 22) as u32);
        let value = Decimal::from_parts(mantissa, scale).unwrap();
        let shown = scale.max(min_decimals.min(18));
        let padded = i128::from(mantissa) * 10i128.pow(shown - scale);
        let unit = 10i128.pow(shown);
        let (int, frac) = (padded.abs() / unit, padded.abs() % unit);
        let sign = if mantissa < 0 { "-" } else { "" };
        let expected = if shown == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac:0width$}", width = shown as usize)
        };
        let mut buf = [0u8; PLAIN_MAX];
        assert_eq!(value.write_plain(min_decimals, &mut buf), expected);
        out.truncate(1);
        value.append_plain(min_decimals, &mut out);
        assert_eq!(&out[1..], expected.as_bytes());
    }
}

fn d(s: &str) -> Decimal {
    Decimal::parse(s).expect("test value parses")
}

#[test]
fn parses_ds_forms_scanners_write() {
    assert_eq!(d("0.930").to_plain(0), "0.930");
    assert_eq!(d(" 0.930 ").to_plain(0), "0.930");
    assert_eq!(d("+0.930").to_plain(0), "0.930");
    assert_eq!(d("9.30E-1").to_plain(0), "0.930");
    assert_eq!(d("9.30e-1").to_plain(0), "0.930");
    assert_eq!(d("1.2E3").to_plain(0), "1200");
    assert_eq!(d("-2.4").to_plain(0), "-2.4");
    assert_eq!(d(".5").to_plain(0), "0.5");
    assert_eq!(d("-.5").to_plain(0), "-0.5");
    assert_eq!(d("12.").to_plain(0), "12");
}

#[test]
fn reported_text_with_a_decimal_comma() {
    assert_eq!(Decimal::parse_reported("1,023"), Some(d("1.023")));
    assert_eq!(Decimal::parse_reported(" -2,4 "), Some(d("-2.4")));
    assert_eq!(Decimal::parse_reported("-2.4"), Some(d("-2.4")));
    assert_eq!(Decimal::parse_reported("1,023.5"), None);
    assert_eq!(Decimal::parse_reported("1,0,2"), None);
    assert_eq!(Decimal::parse_reported(""), None);
}

#[test]
fn junk_is_missing_not_zero() {
    for junk in [
        "", "   ", "abc", "1.2.3", "--1", "1e", "1e+", "e5", "+", ".", "1 2",
    ] {
        assert!(Decimal::parse(junk).is_none(), "{junk:?} must not parse");
    }
}

#[test]
fn milligrams_to_grams_is_exact() {
    assert_eq!(d("930").shift_left(3).unwrap().to_plain(3), "0.930");
    assert_eq!(d("1012").shift_left(3).unwrap().to_plain(3), "1.012");
    assert_eq!(d("585.5").shift_left(3).unwrap().to_plain(3), "0.5855");
}

#[test]
fn at_least_min_decimals() {
    assert_eq!(d("0.93").to_plain(3), "0.930");
    assert_eq!(d("1").to_plain(3), "1.000");
    assert_eq!(d("-0.0012").to_plain(3), "-0.0012");
}

#[test]
fn rounds_half_away_from_zero() {
    assert_eq!(d("-2.45").round_to(1), d("-2.5"));
    assert_eq!(d("-2.44").round_to(1), d("-2.4"));
    assert_eq!(d("2.45").round_to(1), d("2.5"));
    assert_eq!(d("-2.4").round_to(1), d("-2.4"));
}

#[test]
fn compares_across_scales() {
    assert_eq!(d("-2.50"), d("-2.5"));
    assert!(d("-2.5") < d("-2.4"));
    assert!(d("-1.0") >= d("-1"));
}

#[test]
fn exact_arithmetic() {
    assert_eq!(d("0.585").checked_sub(d("0.858")).unwrap(), d("-0.273"));
    assert_eq!(d("1.008").checked_mul(d("0.708")).unwrap(), d("0.713664"));
    assert_eq!(
        d("0.006").checked_add(d("0.713664")).unwrap(),
        d("0.719664")
    );
    // -0.273 / 0.120 = -2.275 exactly: half away from zero gives -2.28.
    assert_eq!(d("-0.273").div_rounded(d("0.120"), 2).unwrap(), d("-2.28"));
    assert_eq!(d("1").div_rounded(d("3"), 3).unwrap(), d("0.333"));
    assert_eq!(d("-2").div_rounded(d("3"), 2).unwrap(), d("-0.67"));
    assert!(d("1").div_rounded(d("0"), 2).is_none());
}

#[test]
fn equal_values_hash_alike() {
    use std::hash::{BuildHasher, RandomState};
    let state = RandomState::new();
    assert_eq!(state.hash_one(d("0.93")), state.hash_one(d("0.930")));
    assert_eq!(state.hash_one(d("0")), state.hash_one(d("0.000")));
    assert_ne!(state.hash_one(d("0.93")), state.hash_one(d("0.39")));
}

#[test]
fn from_f64_rounds() {
    assert_eq!(Decimal::from_f64(-2.276, 2).unwrap().to_plain(0), "-2.28");
    assert_eq!(Decimal::from_f64(0.5, 1).unwrap().to_plain(1), "0.5");
    assert!(Decimal::from_f64(f64::NAN, 1).is_none());
}

/// The two-step parse that the one-pass `Decimal::parse` replaced (find the exponent, then
/// the point, then read the digits), as the reference for the test below.
fn reference_parse(text: &str) -> Option<Decimal> {
    let s = text.trim_matches(|c: char| c == ' ' || c == '\0');
    let (negative, s) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (number, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], parse_exponent(&s[at + 1..])?),
        None => (s, 0),
    };
    let (int_part, frac_part) = match number.find('.') {
        Some(at) => (&number[..at], &number[at + 1..]),
        None => (number, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut digits = 0u32;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        if mantissa != 0 || b != b'0' {
            digits += 1;
        }
        if digits > MAX_DIGITS {
            return None;
        }
        mantissa = mantissa * 10 + i64::from(b - b'0');
    }
    let mut scale = frac_part.len() as i64 - exponent;
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

/// `Decimal::parse_reported` as first written: commas and points counted before any parse.
fn reference_reported(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.len() > 64 {
        return None;
    }
    let commas = text.bytes().filter(|b| *b == b',').count();
    let points = text.bytes().filter(|b| *b == b'.').count();
    if commas == 1 && points == 0 {
        return reference_parse(&text.replace(',', "."));
    }
    reference_parse(text)
}

/// The one-pass parse (and the reported parse) against the reference on seeded random texts of digits, points,
/// signs, exponents, padding, commas, percent signs and other characters (mantissa and
/// scale compared, not only the value), and `trim` against `str::trim`.
#[test]
fn one_pass_parse_agrees_with_reference() {
    let mut next = crate::test_rng::splitmix(11);
    let alphabet = [
        "0", "1", "5", "9", "0", "7", ".", ".", "-", "+", "e", "E", " ", "\0", ",", "%", "x", "\t",
        "\u{a0}", "é",
    ];
    let (mut parsed, mut reported) = (0, 0);
    for _ in 0..200_000 {
        let len = (next() % 12) as usize;
        let text: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        let ours = Decimal::parse(&text).map(|d| (d.mantissa, d.scale));
        let reference = reference_parse(&text).map(|d| (d.mantissa, d.scale));
        assert_eq!(ours, reference, "{text:?}");
        parsed += usize::from(ours.is_some());
        assert_eq!(trim(&text), text.trim(), "{text:?}");
        let ours = Decimal::parse_reported(&text).map(|d| (d.mantissa, d.scale));
        let reference = reference_reported(&text).map(|d| (d.mantissa, d.scale));
        assert_eq!(ours, reference, "reported {text:?}");
        reported += usize::from(ours.is_some() && text.contains(','));
    }
    assert!(reported > 100, "{reported} with a comma parsed");
    // Both answers are common among the texts.
    assert!(parsed > 1_000, "{parsed} parsed");
    for (long, digits) in [("1".repeat(18), true), ("1".repeat(19), false)] {
        assert_eq!(Decimal::parse(&long).is_some(), digits);
        assert_eq!(reference_parse(&long).is_some(), digits);
    }
}

/// `reported_number` as first written: trimmed, reported parse, else without a trailing `%`.
fn reference_reported_number(text: &str) -> Option<Decimal> {
    let text = text.trim();
    reference_reported(text).or_else(|| {
        text.strip_suffix('%')
            .and_then(|t| reference_reported(t.trim()))
    })
}

/// `reported_number` and `Decimal::parse` (whose plain texts take a short loop of their
/// own) against the references on seeded random texts, most of them plain (signs, digits,
/// points) up to past the 18 bytes of the short loop, the rest with padding, exponents,
/// commas, percent signs and other characters.
#[test]
fn plain_texts_parse_as_the_reference_does() {
    let mut next = crate::test_rng::splitmix(12);
    let plain = ["0", "1", "2", "5", "9", "0", ".", "-", "+"];
    let other = [" ", "e", "E", ",", "%", "x", "\0", "\t", "é"];
    let (mut short_plain, mut parsed) = (0, 0);
    for _ in 0..200_000 {
        let len = (next() % 22) as usize;
        let text: String = (0..len)
            .map(|_| {
                if next() % 16 == 0 {
                    other[(next() % other.len() as u64) as usize]
                } else {
                    plain[(next() % plain.len() as u64) as usize]
                }
            })
            .collect();
        let ours = reported_number(&text).map(|d| (d.mantissa, d.scale));
        let reference = reference_reported_number(&text).map(|d| (d.mantissa, d.scale));
        assert_eq!(ours, reference, "reported {text:?}");
        let ours = Decimal::parse(&text).map(|d| (d.mantissa, d.scale));
        let reference = reference_parse(&text).map(|d| (d.mantissa, d.scale));
        assert_eq!(ours, reference, "{text:?}");
        parsed += usize::from(ours.is_some());
        short_plain += usize::from(
            ours.is_some()
                && text.len() <= 18
                && text
                    .bytes()
                    .all(|b| plain.iter().any(|p| p.as_bytes()[0] == b)),
        );
    }
    // The short loop's texts and the full parse's are both common.
    assert!(
        short_plain > 5_000,
        "{short_plain} short plain texts parsed"
    );
    assert!(parsed > short_plain + 1_000, "{parsed} parsed");
}

/// `cmp_value` (one scale; a common scale in i64; i128 past it) against the compare in
/// i128 at the common scale, on seeded random mantissas of every size (i64's extremes
/// included), both signs and every scale, and on equal values written at two scales.
#[test]
fn compare_across_scales_as_in_i128() {
    let reference = |a: Decimal, b: Decimal| {
        let (a, b) = (a.to_parts(), b.to_parts());
        let scale = a.1.max(b.1);
        (i128::from(a.0) * 10i128.pow(scale - a.1))
            .cmp(&(i128::from(b.0) * 10i128.pow(scale - b.1)))
    };
    let mut next = crate::test_rng::splitmix(13);
    let mantissa = |next: &mut dyn FnMut() -> u64| -> i64 {
        let magnitude = match next() % 8 {
            0 => i64::MAX as u64,
            1 => 0,
            digits => next() % 10u64.pow((next() % 19) as u32 + u32::from(digits > 4)),
        };
        let value = magnitude.min(i64::MAX as u64) as i64;
        match next() % 3 {
            0 if magnitude == i64::MAX as u64 => i64::MIN,
            0 | 1 => -value,
            _ => value,
        }
    };
    for _ in 0..200_000 {
        let a = Decimal::from_parts(mantissa(&mut next), (next() % 19) as u32).unwrap();
        let b = if next() % 4 == 0 {
            // The same value at a larger scale, when it fits.
            let (m, s) = a.to_parts();
            let extra = (next() % 4) as u32;
            match m.checked_mul(POW10[extra as usize]) {
                Some(m) if s + extra <= 18 => Decimal::from_parts(m, s + extra).unwrap(),
                _ => a,
            }
        } else {
            Decimal::from_parts(mantissa(&mut next), (next() % 19) as u32).unwrap()
        };
        assert_eq!(a.cmp(&b), reference(a, b), "{a:?} vs {b:?}");
        assert_eq!(b.cmp(&a), reference(b, a), "{b:?} vs {a:?}");
        assert_eq!(a == b, reference(a, b) == Ordering::Equal);
    }
}

/// `abs` against `0 - x` for a negative `x` (what its callers wrote before it, the
/// overflow of the least mantissa giving `x` back), as parts: at every scale, the edges of
/// the mantissa and random ones.
#[test]
fn abs_is_zero_less_a_negative_value() {
    let zero = Decimal::from_parts(0, 0).unwrap();
    let reference = |x: Decimal| {
        if x < zero {
            zero.checked_sub(x).unwrap_or(x)
        } else {
            x
        }
    };
    let mut next = crate::test_rng::splitmix(29);
    let mut checked = 0;
    for scale in 0..=18 {
        let edges = [0, 1, -1, i64::MAX, i64::MIN, i64::MIN + 1, -123_456];
        let random = (0..200).map(|_| next() as i64 >> (next() % 64));
        for mantissa in edges.into_iter().chain(random) {
            let x = Decimal::from_parts(mantissa, scale).unwrap();
            assert_eq!(x.abs().to_parts(), reference(x).to_parts(), "{x:?}");
            assert!(x.abs() >= zero || mantissa == i64::MIN, "{x:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 19 * 207);
}

/// `put_plain` writes what `to_plain(0)` writes (the reference, itself held to an
/// independent rendering above), at any place of a buffer and nothing outside its text, on
/// seeded random values of every digit count, both signs and every scale, and the
/// extremes; `digit_count` against the text's digits.
#[test]
fn put_plain_writes_the_plain_text() {
    let mut next = crate::test_rng::splitmix(0x9_1A17);
    let mut values: Vec<Decimal> = [i64::MIN, i64::MIN + 1, i64::MAX, -1, 0, 1, 9, 10, 99, 100]
        .into_iter()
        .flat_map(|m| (0..=MAX_DIGITS).map(move |s| Decimal::from_parts(m, s).unwrap()))
        .collect();
    for _ in 0..100_000 {
        let mantissa = random_mantissa(&mut next);
        let scale = match next() % 3 {
            0 => (next() % 3) as u32,
            _ => (next() % 19) as u32,
        };
        values.push(Decimal::from_parts(mantissa, scale).unwrap());
    }
    let mut buf = [b'#'; 3 * PLAIN_MAX];
    for (i, value) in values.into_iter().enumerate() {
        let expected = value.to_plain(0);
        let at = i % PLAIN_MAX;
        buf.fill(b'#');
        let end = value.put_plain(&mut buf, at);
        assert_eq!(&buf[at..end], expected.as_bytes(), "{value:?}");
        assert!(
            buf[..at].iter().chain(&buf[end..]).all(|&b| b == b'#'),
            "{value:?}"
        );
        let magnitude = value.to_parts().0.unsigned_abs();
        assert_eq!(plain::digit_count(magnitude), magnitude.to_string().len());
    }
    for power in 0..20 {
        let p = 10u64.pow(power);
        for v in [p - 1, p, p + 1] {
            assert_eq!(plain::digit_count(v), v.to_string().len(), "{v}");
        }
    }
    assert_eq!(plain::digit_count(u64::MAX), 20);
}
