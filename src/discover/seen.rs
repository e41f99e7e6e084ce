//! The files and folders already reached, by identity (device, inode), for
//! `--follow-symlinks`: a link can lead to a file or a folder that the walk reaches by
//! another path too, and each is read once, under the first path in path order
//! (docs/columns.md, "Paths").
//!
//! Kept only when links are followed (without it, each entry has one path). Memory: a
//! `SortedU64s` per device, 8 bytes per entry (8 MB at 10^6 files, up to as much again in
//! the vector's spare capacity), where a hash set of (device, inode) pairs would take about
//! 34 MB (16-byte keys, a power-of-two table).

use std::collections::BTreeMap;

use crate::store::SortedU64s;

/// A device and an inode number: what a path leads to.
pub(crate) type FileId = (u64, u64);

/// The identities reached so far: the inodes of each device.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    devices: BTreeMap<u64, SortedU64s>,
}

impl Seen {
    /// Records `id`; false when it was already there.
    pub(crate) fn insert(&mut self, (device, inode): FileId) -> bool {
        let inodes = self.devices.entry(device).or_default();
        if inodes.contains(inode) {
            return false;
        }
        inodes.insert(inode);
        true
    }

    /// Entries recorded.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.devices.values().map(SortedU64s::len).sum()
    }
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
