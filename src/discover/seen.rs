//! The files and folders already reached, by identity (device, inode), for
//! `--follow-symlinks`: a link can lead to a file or a folder that the walk reaches by
//! another path too, and each is read once, under the first path in path order
//! (docs/columns.md, "Paths").
//!
//! Kept only when links are followed (without it, each entry has one path). Memory: a
//! `U64Set` of inodes per device, 9 to 18 bytes per entry (about 13 MB at 10^6 files),
//! where a hash set of (device, inode) pairs would take about 34 MB (16-byte keys, a
//! power-of-two table).

use std::collections::BTreeMap;

use crate::store::U64Set;

/// A device and an inode number: what a path leads to.
pub(crate) type FileId = (u64, u64);

/// The identities reached so far: the inodes of each device.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    devices: BTreeMap<u64, U64Set>,
}

impl Seen {
    /// Records `id`; false when it was already there.
    pub(crate) fn insert(&mut self, (device, inode): FileId) -> bool {
        self.devices.entry(device).or_default().insert(inode)
    }

    /// Entries recorded.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.devices.values().map(U64Set::len).sum()
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
