//! A hash index over log positions: 32-bit hashes paired with 32-bit positions, packed in a
//! u64 (hash in the high half), in a `HashedU64s` placed by the hash (8 bytes per slot):
//! the entries of one hash are found together, in a few slots whatever the index's size. A
//! hash hit is a candidate only: the caller confirms it against the entry in the log, so a
//! collision costs a read, never a wrong answer.

use super::HashedU64s;

/// (hash, position) pairs, found by hash.
#[derive(Debug, Default)]
pub struct HashIndex {
    entries: HashedU64s<32>,
}

impl HashIndex {
    /// Adds an entry.
    pub fn insert(&mut self, hash: u32, position: u32) {
        self.entries
            .insert(u64::from(hash) << 32 | u64::from(position));
    }

    /// Positions of the entries with this hash, in no particular order.
    pub fn positions(&self, hash: u32) -> impl Iterator<Item = u32> + '_ {
        self.entries.with_key(u64::from(hash)).map(|e| e as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_position_of_a_hash() {
        let mut index = HashIndex::default();
        for i in 0..10_000u32 {
            index.insert(i.wrapping_mul(2_654_435_761), i);
        }
        index.insert(7, 1);
        index.insert(7, 2);
        index.insert(0, 0);
        for i in [1u32, 4095, 4096, 9999] {
            let found: Vec<u32> = index.positions(i.wrapping_mul(2_654_435_761)).collect();
            assert_eq!(found, [i]);
        }
        let mut sevens: Vec<u32> = index.positions(7).collect();
        sevens.sort_unstable();
        assert_eq!(sevens, [1, 2]);
        let mut zeros: Vec<u32> = index.positions(0).collect();
        zeros.sort_unstable();
        assert_eq!(zeros, [0], "hash 0 at position 0 is an entry like another");
        assert_eq!(index.positions(0xDEAD_BEEF).count(), 0);
    }
}
