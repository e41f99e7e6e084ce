//! Identical re-sends (docs/performance.md, "Giant visits"): a study re-sent thousands of
//! times under new SOP Instance UIDs is one visit, held as its few documents, never read in
//! parts, and each copy's rows are the rows it has in a small visit.

use std::collections::HashSet;

use dxa_fixtures::sample::seed_study;
use dxa_fixtures::{Encoding, hologic_style, sr_bytes};

use crate::util::{TestEnv, code, read_csv};

/// One study of two documents (the second a later analysis of the same scans, which
/// supersedes the first), each re-sent `copies` times under new SOP Instance UIDs.
fn resent_study(copies: usize) -> TestEnv {
    let env = TestEnv::new();
    let first = seed_study();
    let mut second = first.clone();
    second.header.content_time = "235959".into();
    second.header.sop_uid = format!("{}.2", first.header.sop_uid);
    for (name, study) in [("a", &first), ("b", &second)] {
        env.write(
            &format!("0/{name}.dcm"),
            &sr_bytes(&hologic_style(study), Encoding::default()),
        );
        let branch = if name == "a" { 3 } else { 4 };
        for i in 0..copies {
            let mut copy = study.clone();
            copy.header.sop_uid = format!("{}.{branch}.{i}", first.header.sop_uid);
            env.write(
                &format!("r/{i:05}-{name}.dcm"),
                &sr_bytes(&hologic_style(&copy), Encoding::default()),
            );
        }
    }
    env
}

fn lines(env: &TestEnv, file: &str) -> Vec<String> {
    std::fs::read_to_string(env.out().join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .lines()
        .map(str::to_string)
        .collect()
}

/// More than the 2 000 documents a group is read in parts of, all but two of them identical
/// re-sends: one visit, not flagged `visit_read_in_parts`, its copies `duplicate_of`.
#[test]
fn thousands_of_identical_resends_are_one_visit_as_a_small_copy_is() {
    let (big, small) = (resent_study(1_100), resent_study(2));
    for env in [&big, &small] {
        let output = env.scan(&[]);
        assert_eq!(
            code(&output),
            0,
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let studies = lines(&big, "studies.csv");
    assert_eq!(studies.len(), 2, "one visit: {studies:?}");
    assert!(
        !studies[1].contains("visit_read_in_parts"),
        "{}",
        studies[1]
    );
    // The visit's row is the small visit's but its count of documents: the copies change
    // nothing else of it.
    let (big_row, small_row) = (
        &read_csv(&big.out().join("studies.csv"))[0],
        &read_csv(&small.out().join("studies.csv"))[0],
    );
    assert_eq!(big_row["documents"], "2202");
    assert_eq!(small_row["documents"], "6");
    let without_count = |row: &crate::util::Row| {
        let mut row = row.clone();
        row.remove("documents");
        row
    };
    assert_eq!(without_count(big_row), without_count(small_row));
    let documents = lines(&big, "documents.csv");
    assert_eq!(documents.len(), 1 + 2 + 2 * 1_100);
    let copies: Vec<&String> = documents.iter().filter(|l| l.contains("in/r/")).collect();
    assert_eq!(copies.len(), 2 * 1_100);
    assert!(
        copies.iter().all(|l| l.contains("duplicate_of=")),
        "every copy a duplicate_of row"
    );
    // Every row of the small run (its two documents and their first two copies each) is
    // in the big one, byte for byte, in documents.csv and measurements.csv alike.
    for file in ["documents.csv", "measurements.csv"] {
        let all: HashSet<String> = lines(&big, file).into_iter().collect();
        let small_rows = lines(&small, file);
        assert!(small_rows.len() > 5, "{file}: {small_rows:?}");
        for row in small_rows {
            assert!(all.contains(&row), "{file}: {row}");
        }
    }
    let measurements = lines(&big, "measurements.csv");
    let per_document = (lines(&small, "measurements.csv").len() - 1) / 6;
    assert_eq!(measurements.len(), 1 + per_document * (2 + 2 * 1_100));
}
