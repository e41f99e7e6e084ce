//! The files and folders already reached, by identity (device, inode), for
//! `--follow-symlinks`: a link can lead to a file or a folder that the walk reaches by
//! another path too, and each is read once, under the first path in path order
//! (docs/columns.md, "Paths").
//!
//! Kept only when links are followed (without it, each entry has one path). Memory: 8 bytes
//! per entry in a sorted vector per device, plus a hash set of at most `TAIL` recent ones
//! merged into it in linear time: 8 MB at 10^6 files (16 MB for the moment of a merge, which
//! builds the new vector beside the old), where a hash set of (device, inode) pairs would
//! take about 34 MB (16-byte keys, a power-of-two table).

use std::collections::{BTreeMap, HashSet};

/// Entries merged into the sorted vector at a time.
const TAIL: usize = 4096;

/// A device and an inode number: what a path leads to.
pub(crate) type FileId = (u64, u64);

/// The identities reached so far.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    devices: BTreeMap<u64, Inodes>,
}

#[derive(Debug, Default)]
struct Inodes {
    sorted: Vec<u64>,
    recent: HashSet<u64>,
}

impl Seen {
    /// Records `id`; false when it was already there.
    pub(crate) fn insert(&mut self, (device, inode): FileId) -> bool {
        let inodes = self.devices.entry(device).or_default();
        if inodes.sorted.binary_search(&inode).is_ok() || !inodes.recent.insert(inode) {
            return false;
        }
        if inodes.recent.len() >= TAIL {
            let mut tail: Vec<u64> = inodes.recent.drain().collect();
            tail.sort_unstable();
            inodes.sorted = merge(&inodes.sorted, &tail);
        }
        true
    }

    /// Entries recorded.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.devices
            .values()
            .map(|i| i.sorted.len() + i.recent.len())
            .sum()
    }
}

/// Two sorted, disjoint runs as one.
fn merge(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] < b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_identity_once_across_merges() {
        let mut seen = Seen::default();
        // Inodes in a scrambled order, on two devices, past several merges.
        for i in 0..20_000u64 {
            let inode = (i * 7919) % 20_011;
            assert!(seen.insert((1, inode)), "{inode} first time");
            assert!(seen.insert((2, inode)));
        }
        assert_eq!(seen.len(), 40_000);
        for i in (0..20_000u64).step_by(97) {
            let inode = (i * 7919) % 20_011;
            assert!(!seen.insert((1, inode)), "{inode} again");
        }
        assert!(seen.insert((1, 1_000_000)));
        assert!(!seen.insert((1, 1_000_000)));
        assert!(!seen.insert((2, 0)));
        assert!(seen.insert((3, 0)));
    }
}
