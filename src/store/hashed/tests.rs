//! The table against `std::collections::HashSet` as a model, on seeded random operations.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::*;

/// A seeded generator (`crate::test_rng`), so that a failure comes back with the same values.
struct Rng(Box<dyn FnMut() -> u64>);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(Box::new(crate::test_rng::splitmix(seed)))
    }

    fn next(&mut self) -> u64 {
        (self.0)()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Values drawn so that they repeat, sit side by side, and hit the edges (0, u64::MAX)
/// often.
fn draw(rng: &mut Rng) -> u64 {
    match rng.below(6) {
        0 => rng.next(),
        1 => rng.below(64),
        2 => u64::MAX - rng.below(4),
        3 => 1_000_000 + rng.below(5_000),
        _ => rng.below(200_000),
    }
}

/// (hash, position) pairs as the ledger makes them: hashes mostly apart, a few shared by
/// up to 32 positions, positions 0 and u32::MAX among them.
fn draw_pair(rng: &mut Rng) -> u64 {
    let hash = match rng.below(4) {
        0 => rng.below(8),
        1 => u64::from(u32::MAX) - rng.below(2),
        _ => rng.below(1 << 32),
    };
    let position = match rng.below(4) {
        0 => rng.below(32),
        1 => u64::from(u32::MAX) - rng.below(2),
        _ => rng.below(1 << 32),
    };
    hash << 32 | position
}

fn against_the_model<const SHIFT: u32>(seed: u64, ops: usize, draw: fn(&mut Rng) -> u64) {
    let mut rng = Rng::new(seed);
    let mut table = HashedU64s::<SHIFT>::default();
    let mut model = HashSet::new();
    for op in 0..ops {
        let value = draw(&mut rng);
        if rng.below(3) == 0 {
            assert_eq!(
                table.contains(value),
                model.contains(&value),
                "seed {seed}, op {op}: contains({value})"
            );
        } else {
            assert_eq!(
                table.insert(value),
                model.insert(value),
                "seed {seed}, op {op}: insert({value})"
            );
        }
        assert_eq!(table.len(), model.len(), "seed {seed}, op {op}");
    }
    for &value in &model {
        assert!(table.contains(value), "seed {seed}: {value} lost");
    }
    // Every key's values, exactly (keys held and keys not held).
    let mut by_key: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for &value in &model {
        by_key.entry(value >> SHIFT).or_default().insert(value);
    }
    let absent: Vec<u64> = (0..64).map(|_| draw(&mut rng) >> SHIFT).collect();
    for key in by_key.keys().copied().chain(absent) {
        let found: Vec<u64> = table.with_key(key).collect();
        let unique: BTreeSet<u64> = found.iter().copied().collect();
        assert_eq!(unique.len(), found.len(), "seed {seed}: key {key} repeats");
        let expected = by_key.get(&key).cloned().unwrap_or_default();
        assert_eq!(unique, expected, "seed {seed}: key {key}");
    }
}

#[test]
fn a_set_agrees_with_the_model() {
    for seed in 1..=8 {
        against_the_model::<0>(seed, 40_000, draw);
    }
}

#[test]
fn keyed_by_the_high_half_agrees_with_the_model() {
    for seed in 11..=18 {
        against_the_model::<32>(seed, 40_000, draw_pair);
    }
}

#[test]
fn the_edges() {
    let mut set = HashedU64s::<0>::default();
    assert!(!set.contains(0) && !set.contains(u64::MAX));
    assert_eq!(set.with_key(0).count(), 0, "an empty table finds nothing");
    assert!(set.insert(0));
    assert!(!set.insert(0));
    assert!(set.insert(u64::MAX));
    assert!(set.contains(0) && set.contains(u64::MAX) && !set.contains(1));
    assert_eq!(set.len(), 2);

    // Keyed by the high half: 0 is a value of key 0 like any other.
    let mut index = HashedU64s::<32>::default();
    for value in [0, 1, 7, 1 << 32, (1 << 32) | 9] {
        assert!(index.insert(value));
    }
    let mut zeros: Vec<u64> = index.with_key(0).collect();
    zeros.sort_unstable();
    assert_eq!(zeros, [0, 1, 7]);
    assert_eq!(index.with_key(1).count(), 2);
    assert_eq!(index.with_key(2).count(), 0);
}

/// Inserts and lookups read a few slots whatever the size: the longest run of slots any
/// lookup reads stays short at 10^6 values (a scan of the table would read a million).
#[test]
fn lookups_read_a_few_slots() {
    let mut rng = Rng::new(99);
    let mut set = HashedU64s::<0>::default();
    for _ in 0..1_000_000 {
        set.insert(rng.next() | 1);
    }
    let longest = (0..set.slots.len())
        .filter(|&slot| set.slots[slot] != EMPTY)
        .map(|slot| set.displacement(slot, set.slots[slot]))
        .max()
        .unwrap();
    assert!(longest < 64, "a value {longest} slots from its home");
}

/// Memory per value: 8/7 to 16/7 slots of 8 bytes, whatever the count.
#[test]
fn memory_per_value() {
    let mut set = HashedU64s::<32>::default();
    let mut worst: f64 = 0.0;
    let mut best = f64::MAX;
    for i in 1..=300_000u64 {
        set.insert(i.wrapping_mul(0x2545_F491_4F6C_DD1D));
        if i >= 1000 {
            let per = set.table_bytes() as f64 / set.len() as f64;
            worst = worst.max(per);
            best = best.min(per);
        }
    }
    assert!(best >= 8.0 * 8.0 / 7.0 - 0.01, "{best}");
    assert!(worst <= 8.0 * 16.0 / 7.0 + 0.01, "{worst}");
}

/// Draining gives every value once, in order, and leaves an empty table of the same slots
/// that takes values again; an error leaves every value in place.
#[test]
fn drains_in_order_and_keeps_its_slots() {
    let mut rng = Rng::new(5);
    let mut table = HashedU64s::<32>::default();
    let mut model = BTreeSet::new();
    for _ in 0..5_000 {
        let value = draw_pair(&mut rng);
        table.insert(value);
        model.insert(value);
    }
    table.insert(0);
    model.insert(0);
    let slots = table.table_bytes();
    let mut seen = 0;
    let failed: Result<(), usize> = table.drain_sorted(|_| {
        seen += 1;
        if seen == 100 { Err(seen) } else { Ok(()) }
    });
    assert_eq!(failed, Err(100));
    assert_eq!(table.len(), model.len());
    assert!(model.iter().all(|&v| table.contains(v)), "a value lost");
    let mut drained = Vec::new();
    table
        .drain_sorted(|v| {
            drained.push(v);
            Ok::<(), ()>(())
        })
        .unwrap();
    assert_eq!(drained, model.iter().copied().collect::<Vec<_>>());
    assert_eq!(table.len(), 0);
    assert_eq!(table.table_bytes(), slots);
    assert!(!table.contains(0) && !table.contains(drained[1]));
    assert!(table.insert(drained[1]));
    assert!(table.contains(drained[1]));
}
