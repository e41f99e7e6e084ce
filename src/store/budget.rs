//! How many bytes of a run's temporary data may wait in memory rather than in temporary
//! files: one budget for the run, shared by everything that waits (the partitions, their
//! pieces, the sorted runs). While a run is small all of it stays in memory and no
//! temporary file is created at all; beyond the budget, what no longer fits goes to
//! unlinked temporary files as before, so that memory stays bounded at any size
//! (docs/performance.md, "The end of a run", "2026-12-07, temporary data in memory").

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::pages::{self, Pages};

/// The bytes of temporary data a run holds in memory at most. The benchmark corpus of
/// 20 000 files waits as about 10 MB of partitions, then (as they are read and freed)
/// 49 MB of sorted runs: held exactly, they fitted whole, just (at 56 MiB its last runs
/// went to files); held in their own buffers with the room left over (`Held::keep`), the
/// last runs of a few kinds, under 1 MB, go to files. A
/// run whose partitions must be cut (10^6 files, giant groups) gives the budget up at the
/// end (`close`): the memory goes to its pieces, as before (docs/performance.md has the
/// measurements).
pub const MEMORY_BUDGET: usize = 64 * 1024 * 1024;

/// A run's budget of memory for temporary data (cheap to clone: clones share it), and the
/// count of temporary files created under it.
#[derive(Clone, Debug)]
pub struct Budget(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    limit: AtomicUsize,
    used: AtomicUsize,
    files: AtomicUsize,
}

impl Budget {
    /// The budget of a run whose temporary files go to `dir`: `MEMORY_BUDGET` (in tests,
    /// what `test_hook::limit_under` set for a folder above `dir`, if any).
    pub fn for_run(dir: &Path) -> Budget {
        #[cfg(test)]
        if let Some(limit) = test_hook::limit_for(dir) {
            return Budget::new(limit);
        }
        let _ = dir;
        Budget::new(MEMORY_BUDGET)
    }

    /// A budget of `limit` bytes (0: everything goes to temporary files).
    pub fn new(limit: usize) -> Budget {
        Budget(Arc::new(Inner {
            limit: AtomicUsize::new(limit),
            used: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
        }))
    }

    /// From now on nothing more is held in memory (what is held stays until it is read):
    /// the memory is needed elsewhere.
    pub fn close(&self) {
        self.0.limit.store(0, Ordering::Relaxed);
    }

    /// Takes `n` bytes of the budget, if that many are left.
    fn take(&self, n: usize) -> bool {
        self.take_up_to(n, self.0.limit.load(Ordering::Relaxed))
    }

    /// Takes `n` bytes of the budget, if at least half of it is still left after.
    fn take_leaving_half(&self, n: usize) -> bool {
        self.take_up_to(n, self.0.limit.load(Ordering::Relaxed) / 2)
    }

    /// Takes `n` bytes of the budget, if then at most `bound` are used.
    fn take_up_to(&self, n: usize, bound: usize) -> bool {
        self.0
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(n).filter(|&total| total <= bound)
            })
            .is_ok()
    }

    /// Gives back `n` bytes taken.
    fn give(&self, n: usize) {
        self.0.used.fetch_sub(n, Ordering::Relaxed);
    }

    /// The bytes held in memory under it now.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.0.used.load(Ordering::Relaxed)
    }

    /// How many temporary files were created under it.
    #[cfg(test)]
    pub fn files_created(&self) -> usize {
        self.0.files.load(Ordering::Relaxed)
    }

    /// A new unlinked temporary file in `dir`, counted.
    pub(super) fn tempfile(&self, dir: &Path) -> io::Result<File> {
        let file = tempfile::tempfile_in(dir)?;
        self.0.files.fetch_add(1, Ordering::Relaxed);
        #[cfg(test)]
        test_hook::created(dir);
        Ok(file)
    }
}

/// What a test of a whole run sets and sees of its budgets, by folder (tests run in
/// parallel in one process: each names its own folder).
#[cfg(test)]
pub mod test_hook {
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;

    static LIMITS: Mutex<Vec<(PathBuf, usize)>> = Mutex::new(Vec::new());
    static CREATED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    /// Runs whose temporary files go under `root` get a budget of `limit` bytes.
    pub fn limit_under(root: &Path, limit: usize) {
        LIMITS.lock().unwrap().push((root.to_path_buf(), limit));
    }

    pub(super) fn limit_for(dir: &Path) -> Option<usize> {
        let limits = LIMITS.lock().unwrap();
        limits
            .iter()
            .rev()
            .find(|(root, _)| dir.starts_with(root))
            .map(|&(_, limit)| limit)
    }

    pub(super) fn created(dir: &Path) {
        CREATED.lock().unwrap().push(dir.to_path_buf());
    }

    /// How many temporary files budgets created under `root`.
    pub fn files_created_under(root: &Path) -> usize {
        let created = CREATED.lock().unwrap();
        created.iter().filter(|dir| dir.starts_with(root)).count()
    }
}

/// Bytes held in memory under a budget, given back when dropped: up to `HEAP_BYTES` in a
/// block of the allocator, beyond in pages of their own (`pages`).
#[derive(Debug)]
pub struct Held {
    bytes: Storage,
    budget: Budget,
}

#[derive(Debug)]
enum Storage {
    Heap(Vec<u8>),
    Pages(Pages),
}

/// The most bytes held in a block of the allocator. Most of a small run's sorted runs and
/// partitions are a few KiB: a mapping each (16 KiB at least) cost a `mmap`, page faults
/// and, dropped, a `munmap` whose TLB shootdown interrupts every core the run uses, about
/// 1 500 times a run of 2 000 files (docs/performance.md, "The end of a run", "small held
/// bytes"). Larger bytes keep pages of their own, which the allocator's huge pages would
/// make dearer.
const HEAP_BYTES: usize = 64 * 1024;

/// The first block of a growing `Held`.
const FIRST_BYTES: usize = 16 * 1024;

/// The room a `Held` takes for `n` bytes: exactly `n` in a block, whole pages past
/// `HEAP_BYTES`.
fn sized(n: usize) -> usize {
    if n <= HEAP_BYTES {
        n
    } else {
        pages::rounded(n)
    }
}

impl Held {
    /// Nothing yet, under `budget`.
    pub fn new(budget: &Budget) -> Held {
        Held {
            bytes: Storage::Heap(Vec::new()),
            budget: budget.clone(),
        }
    }

    /// A copy of `bytes`, if the budget has room for them: room for them alone (a copy
    /// does not grow).
    pub fn copy_of(budget: &Budget, bytes: &[u8]) -> Option<Held> {
        let mut held = Held::new(budget);
        if !held.reserve(sized(bytes.len())) {
            return None;
        }
        held.append(bytes);
        Some(held)
    }

    /// `bytes` held as they are, in the block they are in, if it is one of the allocator's
    /// (`HEAP_BYTES` at most) and the budget has room for all of it (its capacity); else
    /// `bytes`, to be copied or written to a file. A block with room left over past the
    /// bytes is held only while half the budget is left after it: a run that comes near
    /// its budget holds its bytes exactly (copied), so that as much fits as before
    /// (docs/performance.md, "The end of a run").
    pub fn keep(budget: &Budget, bytes: Vec<u8>) -> Result<Held, Vec<u8>> {
        let cap = bytes.capacity();
        let taken = cap <= HEAP_BYTES
            && match cap == bytes.len() {
                true => budget.take(cap),
                false => budget.take_leaving_half(cap),
            };
        if !taken {
            return Err(bytes);
        }
        Ok(Held {
            bytes: Storage::Heap(bytes),
            budget: budget.clone(),
        })
    }

    /// Appends `more` if the budget has room for the growth it needs (and the system for
    /// the mapping); false (nothing appended) if not.
    pub fn try_extend(&mut self, more: &[u8]) -> bool {
        let need = self.bytes().len() + more.len();
        let cap = self.capacity();
        if need > cap && !self.reserve(sized(need.max(2 * cap).max(FIRST_BYTES))) {
            return false;
        }
        self.append(more);
        true
    }

    /// Makes room for `cap` bytes in all (more than now), taken from the budget; false
    /// (nothing changed) when the budget, or the system for a mapping, has no room.
    fn reserve(&mut self, cap: usize) -> bool {
        let more = cap - self.capacity();
        if !self.budget.take(more) {
            return false;
        }
        if self.grow(cap).is_err() {
            self.budget.give(more);
            return false;
        }
        true
    }

    /// Appends `more`, which fits in the room made.
    fn append(&mut self, more: &[u8]) {
        match &mut self.bytes {
            Storage::Heap(vec) => vec.extend_from_slice(more),
            Storage::Pages(pages) => pages.extend_from_slice(more),
        }
    }

    /// The bytes taken from the budget.
    fn capacity(&self) -> usize {
        match &self.bytes {
            Storage::Heap(vec) => vec.capacity(),
            Storage::Pages(pages) => pages.capacity(),
        }
    }

    /// Makes room for `cap` bytes in all (taken from the budget by the caller): a block
    /// while they fit `HEAP_BYTES`, else pages, the bytes held so far moved there.
    fn grow(&mut self, cap: usize) -> io::Result<()> {
        match &mut self.bytes {
            Storage::Heap(vec) if cap <= HEAP_BYTES => {
                // Exactly `cap`: a vector's capacity is what it asked for.
                vec.reserve_exact(cap - vec.len());
                Ok(())
            }
            Storage::Heap(vec) => {
                let mut pages = Pages::new();
                pages.grow(cap)?;
                pages.extend_from_slice(vec);
                self.bytes = Storage::Pages(pages);
                Ok(())
            }
            Storage::Pages(pages) => pages.grow(cap),
        }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        match &self.bytes {
            Storage::Heap(vec) => vec,
            Storage::Pages(pages) => pages.as_slice(),
        }
    }

    /// The budget they count against.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.give(self.capacity());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_bytes_count_against_the_budget_until_dropped() {
        let budget = Budget::new(64 * 1024);
        assert_eq!(
            Budget::for_run(Path::new("/x"))
                .0
                .limit
                .load(Ordering::Relaxed),
            MEMORY_BUDGET
        );
        let mut held = Held::new(&budget);
        assert!(held.try_extend(b"abc"));
        assert_eq!(held.bytes(), b"abc");
        assert!(budget.held() >= 3);
        // More than is left: refused, nothing appended.
        assert!(!held.try_extend(&[0; 64 * 1024]));
        assert_eq!(held.bytes(), b"abc");
        let copy = Held::copy_of(&budget, &[7; 1000]).unwrap();
        assert_eq!(copy.bytes(), &[7; 1000][..]);
        assert!(Held::copy_of(&budget, &[1; 60 * 1024]).is_none());
        drop((held, copy));
        assert_eq!(budget.held(), 0);
        assert!(Held::copy_of(&budget, &[1; 60 * 1024]).is_some());
        assert_eq!(budget.held(), 0, "dropped at once");
        assert_eq!(budget.files_created(), 0);
    }

    #[test]
    fn held_bytes_move_to_pages_past_the_heap_bound_and_are_counted_exactly() {
        let budget = Budget::new(1 << 20);
        let small = Held::copy_of(&budget, &[3; 100]).unwrap();
        assert!(matches!(small.bytes, Storage::Heap(_)));
        assert_eq!(budget.held(), 100, "a small copy takes what it holds");
        let mut growing = Held::new(&budget);
        let mut expected = Vec::new();
        for i in 0..40u32 {
            let piece: Vec<u8> = (0..3000u32).map(|j| (i * 7 + j) as u8).collect();
            assert!(growing.try_extend(&piece));
            expected.extend_from_slice(&piece);
            assert_eq!(growing.bytes(), &expected[..]);
            assert_eq!(budget.held(), 100 + growing.capacity());
            assert_eq!(
                matches!(growing.bytes, Storage::Pages(_)),
                growing.capacity() > HEAP_BYTES,
                "in pages exactly when past the bound ({} bytes)",
                growing.capacity()
            );
        }
        assert!(matches!(growing.bytes, Storage::Pages(_)));
        let large = Held::copy_of(&budget, &vec![9; HEAP_BYTES + 1]).unwrap();
        assert!(matches!(large.bytes, Storage::Pages(_)));
        assert_eq!(large.bytes().len(), HEAP_BYTES + 1);
        drop((small, growing, large));
        assert_eq!(budget.held(), 0);
    }

    /// A buffer is held as it is, its whole capacity counted; one with room left over only
    /// while half the budget is left after it, one past the heap bound never.
    #[test]
    fn kept_buffers_are_counted_by_their_capacity() {
        let budget = Budget::new(220_000);
        let full_of = |len: usize| {
            let mut bytes = Vec::with_capacity(len);
            bytes.resize(len, 1u8);
            bytes
        };
        let full = full_of(60_000);
        let at = full.as_ptr();
        let full = Held::keep(&budget, full).unwrap();
        assert_eq!(full.bytes().as_ptr(), at, "not copied");
        assert_eq!(budget.held(), 60_000);
        let roomy = |len: usize| {
            let mut bytes = Vec::with_capacity(40_000);
            bytes.resize(len, 2u8);
            bytes
        };
        let kept = Held::keep(&budget, roomy(30_000)).unwrap();
        assert_eq!(kept.bytes().len(), 30_000);
        assert_eq!(budget.held(), 100_000, "the capacity, room and all");
        // Past half the budget: refused with room left over, taken when full.
        let refused = Held::keep(&budget, roomy(30_000)).unwrap_err();
        assert_eq!(refused.len(), 30_000);
        assert_eq!(budget.held(), 100_000);
        let mut exact = refused;
        exact.shrink_to_fit();
        let cap = exact.capacity();
        let exact = Held::keep(&budget, exact).unwrap();
        assert_eq!(budget.held(), 100_000 + cap);
        // Past the whole budget, or the heap bound: refused.
        let more = Held::keep(&budget, full_of(60_000)).unwrap();
        assert_eq!(budget.held(), 160_000 + cap);
        assert!(Held::keep(&budget, full_of(60_000)).is_err());
        assert!(Held::keep(&Budget::new(usize::MAX), full_of(HEAP_BYTES + 1)).is_err());
        assert_eq!(budget.held(), 160_000 + cap);
        drop((full, kept, exact, more));
        assert_eq!(budget.held(), 0);
    }

    #[test]
    fn a_closed_budget_takes_nothing_more() {
        let budget = Budget::new(1 << 20);
        let held = Held::copy_of(&budget, &[1; 1000]).unwrap();
        budget.close();
        assert!(Held::copy_of(&budget, &[1; 10]).is_none());
        assert_eq!(held.bytes().len(), 1000, "what it holds stays");
        drop(held);
        assert_eq!(budget.held(), 0);
    }

    #[test]
    fn a_zero_budget_holds_nothing() {
        let budget = Budget::new(0);
        assert!(!Held::new(&budget).try_extend(b"x"));
        assert!(Held::copy_of(&budget, b"x").is_none());
        // Nothing costs nothing.
        assert!(Held::copy_of(&budget, b"").is_some());
    }
}
