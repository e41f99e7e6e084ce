//! A hash index over log positions: 32-bit hashes paired with 32-bit positions, packed in a
//! u64 (hash in the high half). A hash hit is a candidate only: the caller confirms it
//! against the entry in the log, so a collision costs a read, never a wrong answer.
//!
//! Memory does not grow with the entries (docs/performance.md, "The ledger's indexes"):
//! - the newest entries are in a `HashedU64s` placed by the hash, of at most the slots
//!   given to `new` (the entries of one hash found together, in a few slots);
//! - when it is 7/8 full, its entries go to disk, sorted, as an immutable table
//!   (`Sealed`), and the same slots are filled again (no allocation, no doubling);
//! - two tables on disk are merged into one while the older is less than twice the
//!   newer (a binary counter: O(log n) tables, each entry rewritten O(log n) times; at
//!   10^8 entries, at most 10 tables and as many open files per index);
//! - each table on disk keeps in memory a Bloom filter of its hashes (12 bits per entry)
//!   and the first hash of each 4 KiB block: a hash no table holds, the common case (a
//!   new SOP Instance UID, a new study), is answered from memory; one a table holds, or
//!   about 1 % of those it does not, costs one read of a block.
//!
//! The tables on disk are unlinked temporary files in the folder given to `new` (the
//! run's staging folder, where the log is): an error writing them (the disk full, the
//! folder gone) is the caller's, as the log's is.

use std::io;
use std::path::{Path, PathBuf};

use super::HashedU64s;
use super::sealed::{Sealed, Writer};

/// (hash, position) pairs, found by hash.
#[derive(Debug)]
pub struct HashIndex {
    /// The newest entries.
    entries: HashedU64s<32>,
    /// Entries held in `entries` before they go to disk: 7/8 of its slots, so that it
    /// never doubles past them.
    limit: usize,
    /// The older entries, oldest first.
    sealed: Vec<Sealed>,
    dir: PathBuf,
}

impl HashIndex {
    /// An empty index whose table in memory holds at most `slots` slots (a power of two,
    /// at least 16), its tables on disk in `dir`.
    pub fn new(dir: &Path, slots: usize) -> HashIndex {
        HashIndex {
            entries: HashedU64s::default(),
            limit: slots.max(16) / 8 * 7,
            sealed: Vec::new(),
            dir: dir.to_path_buf(),
        }
    }

    /// Adds an entry.
    pub fn insert(&mut self, hash: u32, position: u32) -> io::Result<()> {
        if self.entries.len() >= self.limit {
            self.spill()?;
        }
        self.entries
            .insert(u64::from(hash) << 32 | u64::from(position));
        Ok(())
    }

    /// Positions of the entries with this hash, in no particular order, into `out`
    /// (emptied first).
    pub fn positions(&mut self, hash: u32, out: &mut Vec<u32>) -> io::Result<()> {
        out.clear();
        out.extend(self.entries.with_key(u64::from(hash)).map(|e| e as u32));
        for table in &self.sealed {
            table.positions(hash, out)?;
        }
        Ok(())
    }

    /// Bytes of memory the index holds: its table, and its tables' filters and fences.
    #[cfg(test)]
    pub fn memory_bytes(&self) -> usize {
        self.entries.table_bytes()
            + self.sealed.capacity() * std::mem::size_of::<Sealed>()
            + self.sealed.iter().map(Sealed::memory_bytes).sum::<usize>()
    }

    /// The table in memory to disk, then merges while the older of the last two tables
    /// is less than twice the newer. On an error, every entry is still where it was.
    fn spill(&mut self) -> io::Result<()> {
        let mut table = Writer::new(&self.dir, self.entries.len())?;
        self.entries.drain_sorted(|entry| table.push(entry))?;
        self.sealed.push(table.finish()?);
        while let [.., older, newer] = self.sealed.as_slice() {
            if older.len() >= 2 * newer.len() {
                break;
            }
            let merged = Sealed::merge(&self.dir, older, newer)?;
            self.sealed.truncate(self.sealed.len() - 2);
            self.sealed.push(merged);
        }
        Ok(())
    }

    /// Tables on disk.
    #[cfg(test)]
    fn tables(&self) -> usize {
        self.sealed.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    fn positions(index: &mut HashIndex, hash: u32) -> Vec<u32> {
        let mut found = Vec::new();
        index.positions(hash, &mut found).unwrap();
        found.sort_unstable();
        found
    }

    #[test]
    fn finds_every_position_of_a_hash() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = HashIndex::new(dir.path(), 1 << 20);
        for i in 0..10_000u32 {
            index.insert(i.wrapping_mul(2_654_435_761), i).unwrap();
        }
        index.insert(7, 1).unwrap();
        index.insert(7, 2).unwrap();
        index.insert(0, 0).unwrap();
        for i in [1u32, 4095, 4096, 9999] {
            assert_eq!(positions(&mut index, i.wrapping_mul(2_654_435_761)), [i]);
        }
        assert_eq!(positions(&mut index, 7), [1, 2]);
        assert_eq!(
            positions(&mut index, 0),
            [0],
            "hash 0 at position 0 is an entry like another"
        );
        assert!(positions(&mut index, 0xDEAD_BEEF).is_empty());
        assert_eq!(index.tables(), 0, "no spill below the bound");
    }

    /// Against a map from hash to positions, with a table of 16 slots (14 entries) so that
    /// thousands of entries spill and merge: every position of every hash, hashes shared
    /// by many positions (straddling blocks on disk), the edges 0 and u32::MAX, and
    /// hashes never inserted; the tables on disk stay logarithmic in number.
    #[test]
    fn agrees_with_a_model_across_spills_and_merges() {
        for seed in 1..=4u64 {
            let dir = tempfile::tempdir().unwrap();
            let mut index = HashIndex::new(dir.path(), 16);
            let mut next = crate::test_rng::splitmix(seed);
            let mut model: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
            for position in 0..20_000u32 {
                let hash = match next() % 5 {
                    0 => (next() % 3) as u32,
                    1 => u32::MAX - (next() % 2) as u32,
                    _ => next() as u32,
                };
                index.insert(hash, position).unwrap();
                model.entry(hash).or_default().insert(position);
                if position % 97 == 0 {
                    let probe = match next() % 2 {
                        0 => hash,
                        _ => next() as u32,
                    };
                    let expected: Vec<u32> = model
                        .get(&probe)
                        .map(|p| p.iter().copied().collect())
                        .unwrap_or_default();
                    assert_eq!(positions(&mut index, probe), expected, "{seed} {position}");
                }
            }
            assert!(index.tables() <= 12, "{} tables", index.tables());
            for (&hash, held) in &model {
                let expected: Vec<u32> = held.iter().copied().collect();
                assert_eq!(positions(&mut index, hash), expected, "{seed}: {hash}");
            }
            assert!(
                model.get(&0).is_some_and(|p| p.len() > 1_000),
                "a hash over several blocks"
            );
            for _ in 0..1_000 {
                let hash = next() as u32;
                let expected = model.get(&hash).map_or(0, BTreeSet::len);
                assert_eq!(positions(&mut index, hash).len(), expected);
            }
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        }
    }

    /// 10^6 entries with a table of 2^17 slots: the memory stays under 3 bytes per entry
    /// beyond the table's fixed MiB (8 to 27 bytes per entry without the disk).
    #[test]
    fn memory_per_entry_beyond_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = HashIndex::new(dir.path(), 1 << 17);
        let mut next = crate::test_rng::splitmix(7);
        let count = 1_000_000u32;
        for position in 0..count {
            index.insert(next() as u32, position).unwrap();
        }
        let table = (1 << 17) * 8;
        assert_eq!(index.entries.table_bytes(), table);
        let beyond = index.memory_bytes() - table;
        assert!(
            beyond < 2 * count as usize,
            "{beyond} bytes beyond the table"
        );
        assert!(index.tables() <= 4, "{} tables", index.tables());
    }
}
