//! Equality of short byte strings, compared in line: a concept's scheme, code and meaning,
//! a results table's header or row label, a body region's label are a few to a few dozen
//! bytes, where a call of `memcmp` (`==` on slices) per comparison cost more than the
//! comparison itself (docs/performance.md: the mapper, the Hologic plan, the labels).

/// `a == b`, in line: slices of different lengths differ; from eight bytes on they are
/// compared a word at a time (the last word overlapping the one before), from four as two
/// overlapping halves, below that byte by byte.
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let word = |t: &[u8], at: usize| u64::from_le_bytes(t[at..at + 8].try_into().expect("8"));
    let half = |t: &[u8], at: usize| u32::from_le_bytes(t[at..at + 4].try_into().expect("4"));
    match len {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4),
        // Most labels and codes: two loads each.
        8..=16 => word(a, 0) == word(b, 0) && word(a, len - 8) == word(b, len - 8),
        _ => {
            let mut at = 0;
            while at + 8 <= len {
                if word(a, at) != word(b, at) {
                    return false;
                }
                at += 8;
            }
            at == len || word(a, len - 8) == word(b, len - 8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same_bytes` is `==` on slices, for every length to 40 and a difference at every
    /// position.
    #[test]
    fn same_bytes_is_slice_equality() {
        let a: Vec<u8> = (0..40u8).map(|b| b.wrapping_mul(37)).collect();
        for len in 0..=40 {
            let x = &a[..len];
            assert!(same_bytes(x, x), "{len}");
            assert!(!same_bytes(x, &a[..len.saturating_sub(1)]) || len == 0);
            for at in 0..len {
                let mut y = x.to_vec();
                y[at] ^= 0x20;
                assert!(!same_bytes(x, &y), "{len} at {at}");
            }
        }
    }

    /// `same_bytes` is `==`, for seeded random texts of every length to 40, equal, one bit
    /// off at any byte, or one byte longer.
    #[test]
    fn same_bytes_is_equality_on_random_texts() {
        let mut next = crate::test_rng::splitmix(0x1ABE1);
        for _ in 0..20_000 {
            let len = (next() % 41) as usize;
            let a: Vec<u8> = (0..len).map(|_| b'a' + (next() % 3) as u8).collect();
            let mut b = a.clone();
            match next() % 3 {
                0 if len > 0 => b[(next() as usize) % len] ^= 1,
                1 => b.push(b'a'),
                _ => {}
            }
            assert_eq!(same_bytes(&a, &b), a == b, "{a:?} {b:?}");
        }
    }

    /// The units an enCORE export writes (and near misses, non-ASCII among them): equal
    /// exactly when `==` says so.
    #[test]
    fn units_are_the_same_bytes_as_str_eq_says() {
        let texts = [
            "",
            "%",
            "g",
            "lbs",
            "lb",
            "lbt",
            "in³",
            "in3",
            "cm³",
            "kg/m²",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(
                    same_bytes(a.as_bytes(), b.as_bytes()),
                    a == b,
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
