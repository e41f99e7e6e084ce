//! u64s in one sorted run plus a short unsorted tail, merged into the run when full: 8 bytes
//! per entry and no hash-table slack (the run's vector may hold up to as much again in spare
//! capacity as it grows), found by binary search. The ledger's hash indexes
//! (`index.rs`) and the walk's file identities (`discover/seen.rs`) are built on it.

/// A sorted run of u64s and its unsorted tail.
#[derive(Debug, Default)]
pub struct SortedU64s {
    sorted: Vec<u64>,
    recent: Vec<u64>,
}

impl SortedU64s {
    /// Entries kept unsorted before a merge: small enough to scan, large enough that merges
    /// (a pass over the whole sorted run) are rare.
    const RECENT: usize = 4096;

    /// Adds a value (a value already there is added again).
    pub fn insert(&mut self, value: u64) {
        self.recent.push(value);
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

    /// The values in `low..=high`: the sorted run's in order, then the tail's in insertion
    /// order.
    pub fn range(&self, low: u64, high: u64) -> impl Iterator<Item = u64> + '_ {
        let start = self.sorted.partition_point(|&e| e < low);
        let within = move |e: &&u64| (low..=high).contains(*e);
        self.sorted[start..]
            .iter()
            .take_while(within)
            .chain(self.recent.iter().filter(within))
            .copied()
    }

    /// Whether `value` is there.
    pub fn contains(&self, value: u64) -> bool {
        self.range(value, value).next().is_some()
    }

    /// Values held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.sorted.len() + self.recent.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_keep_every_value_in_order() {
        let mut set = SortedU64s::default();
        for i in 0..10_000u64 {
            set.insert(i.wrapping_mul(2_654_435_761) % 1_000_003);
        }
        set.insert(7);
        set.insert(7);
        assert!(set.recent.len() < SortedU64s::RECENT);
        assert!(set.sorted.len() >= 8192, "merged at least twice");
        assert!(set.sorted.is_sorted(), "merged in order");
        assert_eq!(set.len(), 10_002);
        for i in [0u64, 4095, 4096, 9999] {
            assert!(
                set.contains(i.wrapping_mul(2_654_435_761) % 1_000_003),
                "{i}"
            );
        }
        assert!(
            set.range(7, 7).count() >= 2,
            "a value added twice is there twice"
        );
        assert!(!set.contains(1_000_003));
        let all: Vec<u64> = set.range(0, u64::MAX).collect();
        assert_eq!(all.len(), set.len());
    }
}
