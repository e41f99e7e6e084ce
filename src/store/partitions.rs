//! Records spread by key over a fixed number of partitions, read back one partition at a
//! time at the end of a run.
//!
//! A partition waits in memory under the run's budget (`budget`), or, once the budget has
//! no room for it, in an unlinked temporary file created then (`spool`). Creating an
//! unlinked file costs about 0.1 ms on ext4 here; creating all of them up front was a
//! serial 20-50 ms at the start of every run (docs/performance.md), and a small run
//! creates none.

use std::io;
use std::path::{Path, PathBuf};

use super::budget::Budget;
use super::spool::{Spool, Spooled};

/// Append-only partitions.
#[derive(Debug)]
pub struct Partitions {
    dir: PathBuf,
    budget: Budget,
    spools: Vec<Option<Spool>>,
}

impl Partitions {
    /// `count` empty partitions under a new run's budget (`Budget::for_run`), whose files,
    /// if any, will live (unlinked) in `dir`.
    pub fn new(dir: &Path, count: usize) -> Partitions {
        Partitions::with_budget(dir, count, &Budget::for_run(dir))
    }

    /// `count` empty partitions held under `budget`.
    pub fn with_budget(dir: &Path, count: usize, budget: &Budget) -> Partitions {
        Partitions {
            dir: dir.to_path_buf(),
            budget: budget.clone(),
            spools: (0..count).map(|_| None).collect(),
        }
    }

    /// The budget they are held under (the run's: the end's runs share it).
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Appends `bytes` to partition `index` (< `count`); returns where they start in it.
    pub fn append(&mut self, index: usize, bytes: &[u8]) -> io::Result<u64> {
        let (dir, budget) = (&self.dir, &self.budget);
        self.spools[index]
            .get_or_insert_with(|| Spool::new(dir, budget))
            .append(bytes)
    }

    /// Reads `out.len()` bytes of partition `index` from `at` (what `append` wrote there).
    pub fn read_at(&mut self, index: usize, at: u64, out: &mut [u8]) -> io::Result<()> {
        let Some(spool) = &mut self.spools[index] else {
            return Err(io::Error::other("a read from an empty partition"));
        };
        spool.read_at(at, out)
    }

    /// The partitions that received records, in partition order, to be read back.
    pub fn into_partitions(self) -> io::Result<Vec<Spooled>> {
        self.spools
            .into_iter()
            .flatten()
            .map(Spool::finish)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(spooled: Spooled) -> Vec<u8> {
        let mut bytes = Vec::new();
        spooled
            .for_each_frame(|frame| {
                bytes.extend_from_slice(frame);
                Ok(())
            })
            .unwrap();
        bytes
    }

    fn framed(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        super::super::codec::write_frame(&mut out, bytes).unwrap();
        out
    }

    #[test]
    fn only_used_partitions_in_partition_order_in_memory_or_spilled() {
        for limit in [usize::MAX, 0] {
            let dir = tempfile::tempdir().unwrap();
            let budget = Budget::new(limit);
            let mut partitions = Partitions::with_budget(dir.path(), 8, &budget);
            assert_eq!(partitions.append(5, &framed(b"five ")).unwrap(), 0);
            assert_eq!(partitions.append(2, &framed(b"two")).unwrap(), 0);
            assert_eq!(partitions.append(5, &framed(b"again")).unwrap(), 9);
            let mut back = [0u8; 4];
            partitions.read_at(5, 14, &mut back).unwrap();
            assert_eq!(&back, b"gain");
            assert!(partitions.read_at(3, 0, &mut back).is_err());
            // Files only beyond the budget (one per partition), and unlinked: nothing
            // shows in the folder.
            let files = if limit == 0 { 2 } else { 0 };
            assert_eq!(budget.files_created(), files);
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
            let parts = partitions.into_partitions().unwrap();
            assert_eq!(parts.len(), 2);
            let mut parts = parts.into_iter();
            assert_eq!(contents(parts.next().unwrap()), b"two");
            assert_eq!(contents(parts.next().unwrap()), b"five again");
            assert_eq!(budget.held(), 0);
        }
    }

    #[test]
    fn no_records_no_files() {
        let dir = tempfile::tempdir().unwrap();
        let budget = Budget::new(0);
        let partitions = Partitions::with_budget(dir.path(), 4, &budget);
        assert!(partitions.into_partitions().unwrap().is_empty());
        assert_eq!(budget.files_created(), 0);
    }
}
