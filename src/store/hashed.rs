//! A set of u64s in one open-addressing table (linear probing, Robin Hood order): a lookup
//! or an insert reads a few neighbouring slots, whatever the size; the table doubles when
//! 7/8 full, each value moved once per doubling (amortised O(1) per insert, where a sorted
//! run with a tail scanned every lookup cost `Ledger::admit` 15.7 % of a run's cycles and
//! merged in time quadratic in the archive: docs/performance.md, "The ledger's indexes").
//!
//! Memory: 8 bytes per slot, 8/7 to 16/7 slots per value (9.1 to 18.3 bytes, about 13 on
//! average over a run's growth; for a moment 27 while a doubling copies the old table into
//! the new one).
//!
//! A value's slot comes from its *key*, the value shifted right by `SHIFT` bits: with
//! `SHIFT` 0 the whole value (a plain set, the walk's inode numbers), with 32 its high half,
//! so that the ledger's (hash, position) pairs with one hash are found together
//! (`with_key`). Slots hold the values themselves; 0 marks an empty slot, and the value 0,
//! when held, is a flag beside the table.

/// The multiplier of Fibonacci hashing (2^64 / the golden ratio): spreads keys that are
/// close together (inode numbers) and keeps the high bits of hashed keys as good as they are.
const SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

/// An empty slot.
const EMPTY: u64 = 0;

/// Slots of the first table.
const FIRST: usize = 16;

/// A set of u64s placed by their high `64 - SHIFT` bits.
#[derive(Debug, Default)]
pub struct HashedU64s<const SHIFT: u32> {
    /// A power of two of slots (or none before the first insert).
    slots: Vec<u64>,
    /// Values held in `slots` (the value 0 is not among them).
    len: usize,
    /// Whether the value 0 is held.
    zero: bool,
}

impl<const SHIFT: u32> HashedU64s<SHIFT> {
    fn key(value: u64) -> u64 {
        value >> SHIFT
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The slot where a key's values start looking.
    fn home(&self, key: u64) -> usize {
        let bits = self.slots.len().trailing_zeros();
        (key.wrapping_mul(SPREAD) >> (64 - bits)) as usize
    }

    /// How far the value in `slot` sits from its home.
    fn displacement(&self, slot: usize, value: u64) -> usize {
        slot.wrapping_sub(self.home(Self::key(value))) & self.mask()
    }

    /// Adds `value`; false when it was already there.
    pub fn insert(&mut self, value: u64) -> bool {
        if value == EMPTY {
            return !std::mem::replace(&mut self.zero, true);
        }
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            self.grow();
        }
        if self.place(value) {
            self.len += 1;
            true
        } else {
            false
        }
    }

    /// Puts a value not 0 in its slot, moving richer values (nearer their home) one slot
    /// on: the slots from a home on then hold its key's values before any value whose
    /// home is further on, which is what lets a lookup stop early. False if already there.
    fn place(&mut self, mut value: u64) -> bool {
        let mask = self.mask();
        let mut slot = self.home(Self::key(value));
        let mut distance = 0;
        let mut carrying_new = true;
        loop {
            let resident = self.slots[slot];
            if resident == EMPTY {
                self.slots[slot] = value;
                return true;
            }
            if carrying_new && resident == value {
                return false;
            }
            let theirs = self.displacement(slot, resident);
            if theirs < distance {
                // From here on the value is in (a lookup stops here); what is carried
                // on is a value already counted.
                self.slots[slot] = value;
                value = resident;
                distance = theirs;
                carrying_new = false;
            }
            slot = (slot + 1) & mask;
            distance += 1;
        }
    }

    /// Twice the slots (16 at first), every value placed again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(FIRST);
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        for value in old.into_iter().filter(|&v| v != EMPTY) {
            self.place(value);
        }
    }

    /// The values whose key is `key`, in no particular order.
    pub fn with_key(&self, key: u64) -> impl Iterator<Item = u64> + '_ {
        let zero = (self.zero && key == Self::key(EMPTY)).then_some(EMPTY);
        let mut slot = if self.slots.is_empty() {
            0
        } else {
            self.home(key)
        };
        let mut distance = 0;
        let found = std::iter::from_fn(move || {
            while !self.slots.is_empty() {
                let resident = self.slots[slot];
                if resident == EMPTY || self.displacement(slot, resident) < distance {
                    // Robin Hood order: a value of this key would have taken this slot.
                    return None;
                }
                slot = (slot + 1) & self.mask();
                distance += 1;
                if Self::key(resident) == key {
                    return Some(resident);
                }
            }
            None
        });
        zero.into_iter().chain(found)
    }

    /// Calls `each` with every value in increasing order, then empties the table but
    /// keeps its slots (an index that moves its entries to disk fills the same slots
    /// again: no allocation, no doubling). On an error from `each` the table is left
    /// holding every value, as before.
    pub fn drain_sorted<E>(&mut self, mut each: impl FnMut(u64) -> Result<(), E>) -> Result<(), E> {
        self.slots.sort_unstable();
        let zero = self.zero.then_some(EMPTY);
        let held = self.slots.iter().copied().filter(|&v| v != EMPTY);
        let result = zero.into_iter().chain(held).try_for_each(&mut each);
        if result.is_ok() {
            self.slots.fill(EMPTY);
            self.len = 0;
            self.zero = false;
        } else {
            // Sorting moved the values out of their slots: place them again.
            let size = self.slots.len();
            let values = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
            for value in values.into_iter().filter(|&v| v != EMPTY) {
                self.place(value);
            }
        }
        result
    }

    /// Whether `value` is there.
    #[cfg(test)]
    pub fn contains(&self, value: u64) -> bool {
        self.with_key(Self::key(value)).any(|v| v == value)
    }

    /// Values held.
    pub fn len(&self) -> usize {
        self.len + usize::from(self.zero)
    }

    /// Bytes of the table (its slots), for the memory tests and docs/performance.md.
    #[cfg(test)]
    pub fn table_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u64>()
    }
}

#[cfg(test)]
mod tests;
