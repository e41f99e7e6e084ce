use super::*;

/// The runs merged: how many payloads, and the payloads (UTF-8) one after another.
fn merged_text(runs: Runs) -> (u64, String) {
    let mut text = String::new();
    let n = runs
        .merge(|payload| {
            text.push_str(std::str::from_utf8(payload).unwrap());
            Ok(())
        })
        .unwrap();
    (n, text)
}

#[test]
fn runs_from_several_threads_merge_in_key_order() {
    // In memory, in the file, and some in each.
    for limit in [usize::MAX, 0, 3000] {
        several_threads(&Budget::new(limit));
    }
}

fn several_threads(budget: &Budget) {
    let dir = tempfile::tempdir().unwrap();
    let runs = Runs::with_budget(dir.path(), budget);
    std::thread::scope(|scope| {
        for part in 0..4u64 {
            let runs = &runs;
            scope.spawn(move || {
                let mut run = RunBuf::default();
                // Keys part, part + 4, ... pushed in reverse: the run sorts them.
                for k in (0..50u64).rev() {
                    let key = k * 4 + part;
                    run.push(key.to_be_bytes().to_vec(), format!("{key}\n").as_bytes());
                }
                runs.append(run).unwrap();
            });
        }
    });
    let mut text = Vec::new();
    let n = runs
        .merge(|payload| {
            text.extend_from_slice(payload);
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 200);
    let expected: String = (0..200).map(|k| format!("{k}\n")).collect();
    assert_eq!(String::from_utf8(text).unwrap(), expected);
}

#[test]
fn more_runs_than_one_merge_reads_merge_in_passes() {
    // Held in memory, and spilled.
    for limit in [usize::MAX, 0] {
        merge_in_passes(&Budget::new(limit));
    }
}

fn merge_in_passes(budget: &Budget) {
    let dir = tempfile::tempdir().unwrap();
    let runs = Runs::with_budget(dir.path(), budget);
    // 3 * MAX_FAN_IN + 5 runs: a first pass of four groups (the last a short one).
    let count = 3 * MAX_FAN_IN as u64 + 5;
    for part in 0..count {
        let mut run = RunBuf::default();
        for k in 0..3u64 {
            let key = k * count + part;
            run.push(key.to_be_bytes().to_vec(), format!("{key}\n").as_bytes());
        }
        // The same key in every run: equal keys stay in run order.
        run.push(
            u64::MAX.to_be_bytes().to_vec(),
            format!("last {part}\n").as_bytes(),
        );
        runs.append(run).unwrap();
    }
    let (n, text) = merged_text(runs);
    assert_eq!(n, 4 * count);
    let expected: String = (0..3 * count)
        .map(|k| format!("{k}\n"))
        .chain((0..count).map(|p| format!("last {p}\n")))
        .collect();
    assert_eq!(text, expected);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "unlinked"
    );
}

/// A run pushed in key order is written as pushed; one out of order is sorted (equal
/// keys in push order); a payload that fails leaves the run as it was.
#[test]
fn a_run_is_sorted_only_when_pushed_out_of_order() {
    let frames = |run: RunBuf| {
        let bytes = run.finish();
        let mut records = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let mut frame = || {
                let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
                let frame = bytes[at + 4..at + 4 + len].to_vec();
                at += 4 + len;
                frame
            };
            let key = frame();
            records.push((key, frame()));
        }
        records
    };
    let record = |k: u8, p: &str| (vec![k], p.as_bytes().to_vec());
    let mut run = RunBuf::default();
    run.push(vec![1], b"a");
    run.push(vec![1], b"b");
    run.push_with(&[2], |out| {
        out.extend_from_slice(b"c");
        Ok(())
    })
    .unwrap();
    let error = run.push_with(&[0], |out| {
        out.extend_from_slice(b"never");
        Err(io::Error::other("failed"))
    });
    assert!(error.is_err());
    assert!(run.sorted);
    assert_eq!(
        frames(run),
        [record(1, "a"), record(1, "b"), record(2, "c")]
    );
    let mut run = RunBuf::default();
    for (k, p) in [(3, "a"), (1, "b"), (3, "c"), (1, "d"), (2, "")] {
        run.push(vec![k], p.as_bytes());
    }
    assert!(!run.sorted);
    assert_eq!(
        frames(run),
        [
            record(1, "b"),
            record(1, "d"),
            record(2, ""),
            record(3, "a"),
            record(3, "c")
        ]
    );
}

#[test]
fn a_run_knows_its_size() {
    let mut run = RunBuf::default();
    assert_eq!(run.bytes(), 0);
    run.push(vec![1; 8], &[2; 100]);
    let one = run.bytes();
    assert!(one >= 108, "{one}");
    run.push(vec![3; 8], &[4; 1000]);
    assert!(run.bytes() >= one + 1008);
    assert_eq!(RunBuf::default().bytes(), 0);
}

#[test]
fn equal_keys_keep_their_order_and_empty_runs_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    let runs = Runs::new(dir.path()).unwrap();
    let mut run = RunBuf::default();
    run.push(b"k".to_vec(), b"first");
    run.push(b"k".to_vec(), b"second");
    runs.append(run).unwrap();
    runs.append(RunBuf::default()).unwrap();
    let mut seen = Vec::new();
    runs.merge(|p| {
        seen.push(p.to_vec());
        Ok(())
    })
    .unwrap();
    assert_eq!(seen, [b"first".to_vec(), b"second".to_vec()]);
}

/// Records larger than a segment's read budget, and many small ones after them, come
/// back whole and in order from every segment (a record read across several refills).
#[test]
fn records_larger_than_the_read_budget() {
    let dir = tempfile::tempdir().unwrap();
    // In the file: read through buffers smaller than some records.
    let runs = Runs::with_budget(dir.path(), &Budget::new(0));
    let payload = |k: u64| -> Vec<u8> {
        let len = match k % 5 {
            0 => 40_000 + k as usize,
            1 => 16 * 1024 - 3,
            _ => (k % 97) as usize,
        };
        (0..len).map(|i| (i as u64 * 31 + k) as u8).collect()
    };
    for part in 0..3u64 {
        let mut run = RunBuf::default();
        for k in (0..120u64).filter(|k| k % 3 == part) {
            run.push(
                vec![b'k'; (k % 7) as usize]
                    .into_iter()
                    .chain(k.to_be_bytes())
                    .collect(),
                &payload(k),
            );
        }
        runs.append(run).unwrap();
    }
    let mut seen = Vec::new();
    runs.merge(|p| {
        seen.push(p.to_vec());
        Ok(())
    })
    .unwrap();
    let mut keys: Vec<(Vec<u8>, u64)> = (0..120u64)
        .map(|k| {
            (
                vec![b'k'; (k % 7) as usize]
                    .into_iter()
                    .chain(k.to_be_bytes())
                    .collect(),
                k,
            )
        })
        .collect();
    keys.sort();
    let expected: Vec<Vec<u8>> = keys.iter().map(|&(_, k)| payload(k)).collect();
    assert_eq!(seen.len(), expected.len());
    assert!(seen == expected, "payloads differ");
}

/// A segment that ends inside a record is an error, not a shorter merge.
#[test]
fn a_segment_cut_short_is_an_error() {
    let file = tempfile::tempfile().unwrap();
    let mut bytes = Vec::new();
    write_frame(&mut bytes, b"key").unwrap();
    write_frame(&mut bytes, &[7; 100]).unwrap();
    file.write_all_at(&bytes, 0).unwrap();
    for cut in [1, 5, 10, 50, bytes.len() - 1] {
        let mut reader = SegmentReader::new(&file, 0, cut as u64, 4096);
        let error = reader.advance().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}");
        let error = SegmentReader::memory(&bytes[..cut]).advance().unwrap_err();
        assert_eq!(
            error.kind(),
            io::ErrorKind::UnexpectedEof,
            "in memory, cut at {cut}"
        );
    }
    let mut reader = SegmentReader::memory(&bytes);
    assert!(reader.advance().unwrap());
    assert_eq!(
        (reader.key(), reader.payload()),
        (&b"key"[..], &[7; 100][..])
    );
    assert!(!reader.advance().unwrap());
    let mut reader = SegmentReader::new(&file, 0, bytes.len() as u64, 4096);
    assert!(reader.advance().unwrap());
    assert_eq!(
        (reader.key(), reader.payload()),
        (&b"key"[..], &[7; 100][..])
    );
    assert!(!reader.advance().unwrap());
}

/// The same records merge the same whether their runs waited in memory, in the kind's
/// file, or some in each (a budget with room for the first few); the file is created only
/// when a run does not fit, and the memory is given back by the merge.
#[test]
fn runs_merge_the_same_in_memory_or_spilled() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for limit in [usize::MAX, 20 * 1024, 0] {
        let budget = Budget::new(limit);
        let runs = Runs::with_budget(dir.path(), &budget);
        for part in 0..40u64 {
            let mut run = RunBuf::default();
            for k in 0..60u64 {
                let key = k * 40 + part;
                run.push(key.to_be_bytes().to_vec(), format!("{key}\n").as_bytes());
            }
            run.push(vec![0xff; 9], format!("last {part}\n").as_bytes());
            runs.append(run).unwrap();
        }
        runs.append(RunBuf::default()).unwrap();
        assert_eq!(
            budget.files_created(),
            usize::from(limit != usize::MAX),
            "limit {limit}"
        );
        assert!((budget.held() > 0) == (limit != 0), "limit {limit}");
        let (n, text) = merged_text(runs);
        assert_eq!(n, 40 * 61);
        assert_eq!(budget.held(), 0);
        results.push(text);
    }
    let expected: String = (0..2400)
        .map(|k| format!("{k}\n"))
        .chain((0..40).map(|p| format!("last {p}\n")))
        .collect();
    assert_eq!(results[0], expected);
    assert_eq!(results[1], expected);
    assert_eq!(results[2], expected);
}

/// Runs of no rows create no file (a kind a run has none of).
#[test]
fn empty_runs_create_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let budget = Budget::new(0);
    let runs = Runs::with_budget(dir.path(), &budget);
    runs.append(RunBuf::default()).unwrap();
    assert_eq!(runs.merge(|_| Ok(())).unwrap(), 0);
    assert_eq!(budget.files_created(), 0);
}

/// A set of runs knows whether it has any, and how many bytes they hold, in memory or
/// spilled alike: the write step starts the largest file first and leaves out a file it
/// would remove for having no rows.
#[test]
fn runs_know_whether_they_are_empty_and_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for limit in [usize::MAX, 0] {
        let runs = Runs::with_budget(dir.path(), &Budget::new(limit));
        runs.append(RunBuf::default()).unwrap();
        assert!(runs.is_empty(), "limit {limit}");
        assert_eq!(runs.bytes(), 0);
        let mut run = RunBuf::default();
        run.push(vec![1; 8], &[2; 100]);
        runs.append(run).unwrap();
        assert!(!runs.is_empty());
        // Each record: the key's and the payload's lengths (4 bytes each), then them.
        assert_eq!(runs.bytes(), 4 + 8 + 4 + 100, "limit {limit}");
        let mut run = RunBuf::default();
        run.push(vec![0; 8], &[3; 1000]);
        runs.append(run).unwrap();
        assert_eq!(runs.bytes(), 116 + 4 + 8 + 4 + 1000, "limit {limit}");
        assert_eq!(merged_text_len(runs), 1100);
    }
}

/// The bytes of the payloads a merge gives.
fn merged_text_len(runs: Runs) -> usize {
    let mut len = 0;
    runs.merge(|payload| {
        len += payload.len();
        Ok(())
    })
    .unwrap();
    len
}

/// `write_merged` writes what `merge` gives, each payload's part that its function picks,
/// whether the runs waited in memory (written from there), in the file (copied), or some in
/// each, and for more runs than one merge reads: the same bytes in the same order.
#[test]
fn runs_written_merged_are_the_merge_in_memory_or_spilled() {
    let dir = tempfile::tempdir().unwrap();
    let fill = |runs: &Runs, count: u64| {
        for part in 0..count {
            let mut run = RunBuf::default();
            for k in 0..30u64 {
                let key = k * count + part;
                // A prefix the part leaves out, and payloads of every size up to 90 KiB.
                let long = "y".repeat(((key * 7919) % (90 * 1024)) as usize * usize::from(k == 3));
                run.push(
                    key.to_be_bytes().to_vec(),
                    format!("#{key}|{key}{long}\n").as_bytes(),
                );
            }
            run.push(vec![0xff; 9], format!("#|last {part}\n").as_bytes());
            runs.append(run).unwrap();
        }
    };
    for (limit, count) in [
        (usize::MAX, 40),
        (200 * 1024, 40),
        (0, 40),
        (usize::MAX, MAX_FAN_IN as u64 + 3),
    ] {
        let budget = Budget::new(limit);
        let merged = Runs::with_budget(dir.path(), &budget);
        fill(&merged, count);
        let mut expected = Vec::new();
        merged
            .merge(|payload| {
                expected.extend_from_slice(after_bar(payload));
                Ok(())
            })
            .unwrap();
        let written = Runs::with_budget(dir.path(), &budget);
        fill(&written, count);
        let out = written
            .write_merged(Vec::new(), |p| Ok(after_bar(p)))
            .unwrap();
        assert_eq!(out.len(), expected.len(), "limit {limit}, {count} runs");
        assert!(out == expected, "limit {limit}, {count} runs");
        assert!(out.ends_with(format!("last {}\n", count - 1).as_bytes()));
        assert_eq!(budget.held(), 0, "given back");
    }
}

/// A payload's part after its first '|'.
fn after_bar(payload: &[u8]) -> &[u8] {
    let bar = payload.iter().position(|&b| b == b'|').unwrap();
    &payload[bar + 1..]
}

/// An error of the part's function stops the write and is returned.
#[test]
fn a_part_that_fails_stops_the_write() {
    let dir = tempfile::tempdir().unwrap();
    let runs = Runs::with_budget(dir.path(), &Budget::new(usize::MAX));
    let mut run = RunBuf::default();
    run.push(vec![1], b"a");
    run.push(vec![2], b"b");
    runs.append(run).unwrap();
    let error = runs
        .write_merged(Vec::new(), |p| match p {
            b"b" => Err(io::Error::other("no b")),
            p => Ok(p),
        })
        .unwrap_err();
    assert_eq!(error.to_string(), "no b");
}

/// A run's buffer, full enough, is held as the run's segment as it is (not copied), its
/// capacity counted; the next run made at the same place starts with room for as much, and
/// a run in a buffer with more room than bytes is copied into room of its own size.
#[test]
fn a_full_enough_run_is_held_in_its_own_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let budget = Budget::new(1 << 20);
    let runs = Runs::with_budget(dir.path(), &budget);
    let make = || RunBuf::default();
    let fill = |run: &mut RunBuf, n: u64| {
        for k in 0..n {
            run.push(k.to_be_bytes().to_vec(), &[k as u8; 100]);
        }
    };
    let mut first = make();
    fill(&mut first, 100);
    let (at, cap) = (first.frames.as_ptr(), first.frames.capacity());
    let len = first.frames.len();
    assert!(len >= cap / 2, "grown by doubling: at least half full");
    runs.append(first).unwrap();
    let held = |runs: &Runs, i: usize| match &runs.lock().0[i] {
        Segment::Memory(held) => (held.bytes().as_ptr(), held.bytes().len()),
        Segment::File(..) => panic!("in memory"),
    };
    assert_eq!(held(&runs, 0), (at, len), "the run's own buffer");
    assert_eq!(budget.held(), cap, "its capacity counted");
    // Made at the same place: room for the last run's size and more from the start.
    let mut second = make();
    fill(&mut second, 1);
    assert!(second.frames.capacity() >= len + len / 3);
    assert!(second.records.capacity() >= 133, "room for the records too");
    let (room, records) = (second.frames.capacity(), second.records.capacity());
    fill(&mut second, 99);
    assert_eq!(second.frames.capacity(), room, "never grown");
    assert_eq!(second.records.capacity(), records, "never grown");
    runs.append(second).unwrap();
    assert_eq!(budget.held(), cap + room);
    // A run of a few bytes in that much room: copied into room of its own size.
    let mut third = make();
    fill(&mut third, 1);
    let at = third.frames.as_ptr();
    runs.append(third).unwrap();
    assert_ne!(held(&runs, 2).0, at);
    assert_eq!(budget.held(), cap + room + 8 + 8 + 100);
    let (n, _) = merged_text_len_and_count(runs);
    assert_eq!(n, 201);
    assert_eq!(budget.held(), 0, "all given back");
}

/// How many payloads a merge gives, and their bytes.
fn merged_text_len_and_count(runs: Runs) -> (u64, usize) {
    let mut len = 0;
    let n = runs
        .merge(|payload| {
            len += payload.len();
            Ok(())
        })
        .unwrap();
    (n, len)
}
