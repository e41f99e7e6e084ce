use super::*;

/// `value_stop` is the first stop byte found one byte at a time, over generated texts
/// of stops, other ASCII and bytes above 0x7F at every offset and limit (several steps
/// long, and shorter than one).
#[test]
fn a_value_stop_is_the_first_stop_byte() {
    let alphabet = [
        b'"',
        b'\\',
        b'\n',
        b'a',
        b'3',
        b';',
        0x80,
        0xFF,
        0x22 ^ 0x80,
        0x01,
        0x00,
    ];
    let mut next = crate::test_rng::splitmix(0x0057_0F5E);
    for case in 0..20_000 {
        let len = (next() % 72) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if next() % 4 == 0 {
                    alphabet[(next() % alphabet.len() as u64) as usize]
                } else {
                    b'0' + (next() % 10) as u8
                }
            })
            .collect();
        let from = (next() % (len as u64 + 1)) as usize;
        let limit = from + (next() % ((len - from) as u64 + 1)) as usize;
        let expected = (from..limit).find(|&at| VALUE_STOPS[usize::from(bytes[at])]);
        assert_eq!(
            value_stop(&bytes, from, limit),
            expected,
            "case {case}: {bytes:?} {from} {limit}"
        );
    }
}

/// `first_of` (SSE2 on x86-64) and `first_of_by_words` are the first wanted byte found
/// one byte at a time (the stops of a value, a line feed), over generated steps of those
/// bytes, other ASCII, bytes above 0x7F and bytes one bit off a stop (a byte comparison
/// that looked at fewer bits would find them); `line_feed` is the first line feed found
/// byte by byte, over texts of such steps from every offset.
#[test]
fn a_steps_first_stop_is_the_first_stop_byte() {
    let alphabet = [
        b'"',
        b'\\',
        b'\n',
        b'"' ^ 0x80,
        b'\\' ^ 0x80,
        b'\n' ^ 0x80,
        b'"' ^ 1,
        b'\\' ^ 4,
        0x0B,
        b'\r',
        0x00,
        0xFF,
        b'7',
        b'a',
        b' ',
    ];
    let mut next = crate::test_rng::splitmix(0x5EE2_F157);
    let mut found = 0;
    for case in 0..50_000 {
        // From no stop at all to a stop in nearly every byte.
        let density = 1 + next() % 16;
        let step: [u8; STEP] = std::array::from_fn(|_| {
            if next() % 16 < density {
                alphabet[(next() % alphabet.len() as u64) as usize]
            } else {
                b'0' + (next() % 10) as u8
            }
        });
        let expected = step.iter().position(|b| VALUE_STOPS[usize::from(*b)]);
        found += usize::from(expected.is_some());
        assert_eq!(first_stop(&step), expected, "case {case}: {step:?}");
        assert_eq!(
            first_of_by_words(&step, &STOP_BYTES),
            expected,
            "case {case}: {step:?}"
        );
        let feed = step.iter().position(|b| *b == b'\n');
        assert_eq!(first_of(&step, b"\n"), feed, "case {case}: {step:?}");
        assert_eq!(
            first_of_by_words(&step, b"\n"),
            feed,
            "case {case}: {step:?}"
        );
        let text: Vec<u8> = step
            .iter()
            .chain(&step[..(next() % 16) as usize])
            .copied()
            .collect();
        let from = (next() % (text.len() as u64 + 1)) as usize;
        let feed = text[from..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|p| from + p);
        assert_eq!(line_feed(&text, from), feed, "case {case}: {text:?} {from}");
    }
    assert!((10_000..45_000).contains(&found), "{found}");
}
