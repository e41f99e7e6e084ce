//! A hash index over log positions: 32-bit hashes paired with 32-bit positions, packed in a
//! u64 (hash in the high half), 8 bytes per entry in a sorted run plus a small unsorted tail
//! merged in when full. No hash-table slack, no doubling: exactly 8 bytes per entry. A hash
//! hit is a candidate only: the caller confirms it against the entry in the log, so a
//! collision costs a read, never a wrong answer.

/// Sorted (hash, position) pairs.
#[derive(Debug, Default)]
pub struct HashIndex {
    sorted: Vec<u64>,
    recent: Vec<u64>,
}

impl HashIndex {
    /// Entries kept unsorted before a merge: small enough to scan, large enough that merges
    /// (a pass over the whole sorted run) are rare.
    const RECENT: usize = 4096;

    /// Adds an entry.
    pub fn insert(&mut self, hash: u32, position: u32) {
        self.recent
            .push(u64::from(hash) << 32 | u64::from(position));
        if self.recent.len() >= Self::RECENT {
            self.merge_recent();
        }
    }

    /// Sorts the tail and merges it into the sorted run from the back, in place: linear in
    /// the run, where sorting the whole run again made 10^6 files cost seconds of the
    /// (serial) writer's time.
    fn merge_recent(&mut self) {
        self.recent.sort_unstable();
        let (old, add) = (self.sorted.len(), self.recent.len());
        self.sorted.resize(old + add, 0);
        let (mut i, mut j) = (old, add);
        while j > 0 {
            let slot = i + j - 1;
            if i > 0 && self.sorted[i - 1] > self.recent[j - 1] {
                self.sorted[slot] = self.sorted[i - 1];
                i -= 1;
            } else {
                self.sorted[slot] = self.recent[j - 1];
                j -= 1;
            }
        }
        self.recent.clear();
    }

    /// Positions of the entries with this hash, in insertion order within each half.
    pub fn positions(&self, hash: u32) -> impl Iterator<Item = u32> + '_ {
        let low = u64::from(hash) << 32;
        let start = self.sorted.partition_point(|&e| e < low);
        let high_half = move |e: &&u64| (**e >> 32) as u32 == hash;
        self.sorted[start..]
            .iter()
            .take_while(high_half)
            .chain(self.recent.iter().filter(high_half))
            .map(|&e| e as u32)
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
        assert!(index.recent.len() < HashIndex::RECENT);
        assert!(index.sorted.len() >= 8192, "merged at least twice");
        assert!(index.sorted.is_sorted(), "merged in order");
        for i in [0u32, 4095, 4096, 9999] {
            let found: Vec<u32> = index.positions(i.wrapping_mul(2_654_435_761)).collect();
            assert!(found.contains(&i), "{i}: {found:?}");
        }
        let sevens: Vec<u32> = index.positions(7).collect();
        assert!(sevens.contains(&1) && sevens.contains(&2));
        assert_eq!(index.positions(0xDEAD_BEEF).count(), 0);
    }
}
