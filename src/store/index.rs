//! A hash index over log positions: 32-bit hashes paired with 32-bit positions, packed in a
//! u64 (hash in the high half), kept in a `SortedU64s` (8 bytes per entry, no hash-table
//! slack). A hash
//! hit is a candidate only: the caller confirms it against the entry in the log, so a
//! collision costs a read, never a wrong answer.

use super::SortedU64s;

/// Sorted (hash, position) pairs.
#[derive(Debug, Default)]
pub struct HashIndex {
    entries: SortedU64s,
}

impl HashIndex {
    /// Adds an entry.
    pub fn insert(&mut self, hash: u32, position: u32) {
        self.entries
            .insert(u64::from(hash) << 32 | u64::from(position));
    }

    /// Positions of the entries with this hash, in insertion order within each half.
    pub fn positions(&self, hash: u32) -> impl Iterator<Item = u32> + '_ {
        let low = u64::from(hash) << 32;
        self.entries
            .range(low, low | u64::from(u32::MAX))
            .map(|e| e as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_across_merges() {
        let mut index = HashIndex::default();
        for i in 0..10_000u32 {
            index.insert(i.wrapping_mul(2_654_435_761), i);
        }
        index.insert(7, 1);
        index.insert(7, 2);
        for i in [0u32, 4095, 4096, 9999] {
            let found: Vec<u32> = index.positions(i.wrapping_mul(2_654_435_761)).collect();
            assert!(found.contains(&i), "{i}: {found:?}");
        }
        let sevens: Vec<u32> = index.positions(7).collect();
        assert!(sevens.contains(&1) && sevens.contains(&2));
        assert_eq!(index.positions(0xDEAD_BEEF).count(), 0);
    }
}
