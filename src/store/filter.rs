//! A Bloom filter of 32-bit hashes, blocked: the probes of one hash all fall in one 64-bit
//! word, so that a lookup reads one word. An index's table on disk keeps one in memory, so
//! that a key it does not hold (a new SOP Instance UID, a new study: the common case) is
//! answered without reading the disk.
//!
//! 12 bits per entry and 5 probes: about 1 % false positives (checked by
//! `false_positives_stay_near_one_percent`), each costing one read of 4 KiB from the table
//! on disk, never a wrong answer.

/// Bits of filter per entry.
const BITS_PER_ENTRY: usize = 12;

/// Bits set per hash, each taken from 6 bits of the spread hash.
const PROBES: u32 = 5;

/// A blocked Bloom filter sized for a count of entries given up front.
#[derive(Debug)]
pub struct Filter {
    words: Box<[u64]>,
}

impl Filter {
    /// An empty filter for `entries` entries.
    pub fn with_capacity(entries: usize) -> Filter {
        let words = (entries * BITS_PER_ENTRY).div_ceil(64).max(1);
        Filter {
            words: vec![0; words].into_boxed_slice(),
        }
    }

    /// The word of a hash and the bits it sets there: the hash spread over 64 bits
    /// (SplitMix64's finaliser, whose output bits each depend on every input bit), its high
    /// half picking the word, its low 30 bits the probes.
    fn place(&self, hash: u32) -> (usize, u64) {
        let mut z = u64::from(hash).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let word = ((z >> 32) * self.words.len() as u64) >> 32;
        let bits = (0..PROBES).fold(0u64, |bits, probe| bits | 1 << ((z >> (6 * probe)) & 63));
        (word as usize, bits)
    }

    /// Adds a hash.
    pub fn insert(&mut self, hash: u32) {
        let (word, bits) = self.place(hash);
        self.words[word] |= bits;
    }

    /// False when the hash was never added; true when it was (or, about 1 % of the
    /// time, when it was not).
    pub fn may_contain(&self, hash: u32) -> bool {
        let (word, bits) = self.place(hash);
        self.words[word] & bits == bits
    }

    /// Bytes of memory the filter holds.
    #[cfg(test)]
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn false_positives_stay_near_one_percent() {
        for entries in [1usize, 100, 114_688] {
            let mut next = crate::test_rng::splitmix(entries as u64);
            let mut filter = Filter::with_capacity(entries);
            let held: Vec<u32> = (0..entries).map(|_| next() as u32).collect();
            for &hash in &held {
                filter.insert(hash);
            }
            assert!(held.iter().all(|&h| filter.may_contain(h)), "{entries}");
            let tries = 200_000;
            let false_positives = (0..tries)
                .filter(|_| filter.may_contain(next() as u32))
                .count();
            let rate = false_positives as f64 / tries as f64;
            assert!(rate < 0.015, "{entries} entries: {rate}");
            assert!(
                filter.memory_bytes() <= (entries * BITS_PER_ENTRY).div_ceil(64) * 8 + 8,
                "{entries}"
            );
        }
    }
}
