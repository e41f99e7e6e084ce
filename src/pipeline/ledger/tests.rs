//! The ledger's answers, and its memory, against plain models.

use super::*;

use crate::document::with_ids as doc;

#[test]
fn duplicates_are_confirmed_against_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::new(dir.path(), 16).unwrap();
    let mut admit = |sop: &str, path| ledger.admit(&doc(sop, "S", "P"), path).unwrap();
    assert!(matches!(admit("1.2.3", "a.dcm"), Admission::New { .. }));
    assert!(matches!(admit("1.2.4", "b.dcm"), Admission::New { .. }));
    assert_eq!(
        admit("1.2.3", "c.dcm"),
        Admission::Duplicate("a.dcm".into())
    );
    // Documents without a UID are never duplicates of each other.
    assert!(matches!(admit("", "d.dcm"), Admission::New { .. }));
    assert!(matches!(admit("", "e.dcm"), Admission::New { .. }));
    // A hash collision is told apart by the UID itself: index "1.2.3"'s entry under
    // the hash of "9.9.9" too.
    let hash = ledger.hasher.hash_one("9.9.9") as u32;
    ledger.sops.insert(hash, 0).unwrap();
    assert!(matches!(
        ledger.admit(&doc("9.9.9", "S", "P"), "f.dcm").unwrap(),
        Admission::New { .. }
    ));
    assert_eq!(
        ledger.admit(&doc("9.9.9", "S", "P"), "g.dcm").unwrap(),
        Admission::Duplicate("f.dcm".into())
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A re-send is found by the hash of its encoding and confirmed against the bytes in
/// the partition: a colliding hash, another length or another partition is no re-send.
#[test]
fn resends_are_confirmed_against_the_partition() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::new(dir.path(), 16).unwrap();
    let mut partitions = Partitions::new(dir.path(), 16);
    let keep =
        |ledger: &mut Ledger, partitions: &mut Partitions, p: usize, body: &[u8], seq| match ledger
            .resent(p, body, partitions)
            .unwrap()
        {
            Resent::Of(kept) => Some(kept),
            Resent::No(hash) => {
                let at = partitions.append(p, b"frame head ").unwrap() + 11;
                partitions.append(p, body).unwrap();
                ledger.keep(hash, p, at, body.len(), seq).unwrap();
                None
            }
        };
    assert_eq!(keep(&mut ledger, &mut partitions, 3, b"results A", 0), None);
    assert_eq!(keep(&mut ledger, &mut partitions, 3, b"results B", 1), None);
    assert_eq!(
        keep(&mut ledger, &mut partitions, 3, b"results A", 2),
        Some(0)
    );
    assert_eq!(keep(&mut ledger, &mut partitions, 4, b"results A", 3), None);
    assert_eq!(
        keep(&mut ledger, &mut partitions, 4, b"results A", 4),
        Some(3)
    );
    assert_eq!(
        ledger.resent(3, b"results B", &mut partitions).unwrap(),
        Resent::Of(1)
    );
    // B's entry indexed under the hash of "results C" too (a collision, same length,
    // same partition): only the bytes tell them apart.
    let hash_of = |ledger: &Ledger, body: &[u8]| ledger.hasher.hash_one(body) as u32;
    let mut found = Vec::new();
    let hash_b = hash_of(&ledger, b"results B");
    ledger.bodies.positions(hash_b, &mut found).unwrap();
    let b_entry = found[0];
    let hash = hash_of(&ledger, b"results C");
    ledger.bodies.insert(hash, b_entry).unwrap();
    assert_eq!(keep(&mut ledger, &mut partitions, 3, b"results C", 5), None);
    assert_eq!(
        keep(&mut ledger, &mut partitions, 3, b"results C", 6),
        Some(5)
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_study_follows_its_first_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::new(dir.path(), 64).unwrap();
    let partition = |a: Admission| match a {
        Admission::New { partition } => partition,
        Admission::Duplicate(_) => panic!("not a duplicate"),
    };
    let first = partition(ledger.admit(&doc("1", "S1", "ALICE"), "a").unwrap());
    // Another patient ID in the same study: the study's partition, not its own.
    let odd = partition(ledger.admit(&doc("2", "S1", "BOB"), "b").unwrap());
    assert_eq!(odd, first);
    // Alice's other studies and studyless documents: her partition.
    assert_eq!(
        partition(ledger.admit(&doc("3", "S2", "ALICE"), "c").unwrap()),
        first
    );
    assert_eq!(
        partition(ledger.admit(&doc("4", "", "ALICE"), " d").unwrap()),
        first
    );
    // Bob's own study goes to Bob's partition, which (for these names) differs.
    let bob = partition(ledger.admit(&doc("5", "S3", "BOB"), "e").unwrap());
    assert_eq!(bob, (fnv1a(b"BOB") % 64) as usize);
    assert_ne!(bob, first, "pick names that hash apart");
}

/// The most memory the ledger may hold, whatever the archive: flat from 10^5 to 10^6
/// documents (docs/performance.md, "The ledger's indexes").
const MEMORY_BOUND: usize = 16 << 20;

/// A UID as scanners write them: a root and digits.
fn uid(n: u64) -> String {
    format!("1.2.826.0.1.3680043.{n}")
}

/// 10^6 documents shaped like an archive (each its own study, a few sharing one, some
/// studies coming back later), each with results: the ledger's memory stays under the
/// bound, and the earliest documents are still found as duplicates.
#[test]
fn memory_stays_bounded_past_a_million_documents() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::new(dir.path(), 256).unwrap();
    let mut next = crate::test_rng::splitmix(21);
    let count = 1_000_000u64;
    let mut sops = Vec::with_capacity(count as usize);
    let mut studies = Vec::with_capacity(count as usize);
    let mut most = 0;
    for i in 0..count {
        let sop = next();
        let study = match next() % 8 {
            0 if i > 0 => studies[(next() % i) as usize],
            1 if i > 0 => studies[i as usize - 1],
            _ => next(),
        };
        sops.push(sop);
        studies.push(study);
        let path = format!("d/{i}.dcm");
        let admitted = ledger.admit(&doc(&uid(sop), &uid(study), "P"), &path);
        let Admission::New { partition } = admitted.unwrap() else {
            panic!("document {i} is no duplicate");
        };
        ledger
            .keep(next() as u32, partition, i * 100, 100, i)
            .unwrap();
        if i % 10_000 == 0 {
            most = most.max(ledger.memory_bytes());
        }
    }
    most = most.max(ledger.memory_bytes());
    assert!(most <= MEMORY_BOUND, "{most} bytes at most");
    for _ in 0..2_000 {
        let i = next() % count;
        assert_eq!(
            ledger
                .admit(&doc(&uid(sops[i as usize]), "S", "P"), "again")
                .unwrap(),
            Admission::Duplicate(format!("d/{i}.dcm"))
        );
    }
}

/// Duplicates, studies' partitions and re-sends against plain maps, with tables of 64
/// slots so that the indexes spill to disk, and merge there, hundreds of times.
#[test]
fn agrees_with_a_model_across_many_spills() {
    use std::collections::HashMap;
    for seed in 1..=4u64 {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::with_table_slots(dir.path(), 16, 64).unwrap();
        let mut partitions = Partitions::new(dir.path(), 16);
        let mut next = crate::test_rng::splitmix(seed);
        let mut first_path: HashMap<String, String> = HashMap::new();
        let mut study_partition: HashMap<String, usize> = HashMap::new();
        let mut kept: HashMap<(usize, Vec<u8>), u64> = HashMap::new();
        for op in 0..8_000u64 {
            let sop = match next() % 50 {
                0 => String::new(),
                _ => format!("1.2.{}", next() % 5_000),
            };
            let study = match next() % 50 {
                0 => String::new(),
                _ => format!("9.{}", next() % 2_000),
            };
            let document = doc(&sop, &study, &format!("P{}", next() % 300));
            let path = format!("p/{op}");
            let admitted = ledger.admit(&document, &path).unwrap();
            if let Some(first) = first_path.get(&sop).filter(|_| !sop.is_empty()) {
                assert_eq!(admitted, Admission::Duplicate(first.clone()), "{seed} {op}");
                continue;
            }
            let expected = study_partition
                .get(&study)
                .copied()
                .unwrap_or((fnv1a(home_key(&document).as_bytes()) % 16) as usize);
            assert_eq!(
                admitted,
                Admission::New {
                    partition: expected
                },
                "{seed} {op}"
            );
            if !study.is_empty() {
                study_partition.entry(study).or_insert(expected);
            }
            if !sop.is_empty() {
                first_path.insert(sop, path);
            }
            if next() % 2 == 0 {
                continue;
            }
            let body = format!("results {}", next() % 1_500).into_bytes();
            let answer = ledger.resent(expected, &body, &mut partitions).unwrap();
            match kept.get(&(expected, body.clone())) {
                Some(&seq) => assert_eq!(answer, Resent::Of(seq), "{seed} {op}"),
                None => {
                    let Resent::No(hash) = answer else {
                        panic!("{seed} {op}: {answer:?} is no re-send");
                    };
                    let at = partitions.append(expected, &body).unwrap();
                    ledger.keep(hash, expected, at, body.len(), op).unwrap();
                    kept.insert((expected, body), op);
                }
            }
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

/// An index that cannot spill (its folder gone, like a full or unwritable disk) fails the
/// admission with the error the log gets from the same folder: the run stops as it does
/// when its log cannot be written, and the index still holds what it held.
#[test]
fn a_spill_into_a_missing_folder_is_the_logs_error() {
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging");
    std::fs::create_dir(&staging).unwrap();
    let mut ledger = Ledger::with_table_slots(&staging, 16, 16).unwrap();
    std::fs::remove_dir(&staging).unwrap();
    let log_error = Ledger::new(&staging, 16).err().expect("no folder, no log");
    let spill_error = (0..100)
        .find_map(|i| {
            let document = doc(&format!("1.{i}"), &format!("2.{i}"), "P");
            ledger.admit(&document, "a.dcm").err()
        })
        .expect("a spill into no folder fails");
    assert_eq!(spill_error.kind(), log_error.kind());
    // Nothing the index held before is lost.
    assert_eq!(
        ledger.admit(&doc("1.0", "2.0", "P"), "b.dcm").unwrap(),
        Admission::Duplicate("a.dcm".into())
    );
}
