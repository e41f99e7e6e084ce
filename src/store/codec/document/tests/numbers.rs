//! A document's optional numbers read as postcard reads them.

use super::*;

/// An optional decimal (a measurement's numbers) read from a word or byte by byte as
/// postcard reads it: mantissas at each varint length's edges, scales 0-18 and past them,
/// bytes after it or none, every cut and altered tag and scale byte: the same value, or an
/// error where postcard has one.
#[test]
fn optional_decimals_read_as_postcard_reads_them() {
    let mut mantissas = vec![0i64, 1, -1, i64::MAX, i64::MIN];
    for bytes in 1..=9u32 {
        let top = (1u64 << (7 * bytes)) - 1;
        for zigzag in [top - 1, top, top + 1] {
            mantissas.push(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64));
        }
    }
    let ours = |bytes: &[u8]| {
        let mut reader = Reader::new(bytes);
        reader.opt_decimal().ok().map(|d| (d, reader.at))
    };
    let theirs = |bytes: &[u8]| {
        postcard::take_from_bytes::<Option<Decimal>>(bytes)
            .ok()
            .map(|(d, rest)| (d, bytes.len() - rest.len()))
    };
    let mut cases = 0;
    for &mantissa in &mantissas {
        for scale in 0..=20u32 {
            // A scale past 18 written by hand: postcard refuses it, as `Decimal` does.
            let mut bytes = vec![1u8];
            put_varint(&mut bytes, ((mantissa << 1) ^ (mantissa >> 63)) as u64);
            put_varint(&mut bytes, u64::from(scale));
            for after in 0..=9usize {
                let mut with = bytes.clone();
                with.extend((0..after).map(|i| 0x80 | i as u8));
                for cut in 0..=with.len() {
                    assert_eq!(
                        ours(&with[..cut]),
                        theirs(&with[..cut]),
                        "{with:02x?} cut {cut}"
                    );
                    cases += 1;
                }
                for (at, byte) in [
                    (0, 0u8),
                    (0, 2),
                    (bytes.len() - 1, 0x80),
                    (bytes.len() - 1, 0xff),
                ] {
                    let mut altered = with.clone();
                    altered[at] = byte;
                    assert_eq!(ours(&altered), theirs(&altered), "{altered:02x?}");
                }
            }
        }
    }
    assert!(cases > 10_000, "{cases}");
}
