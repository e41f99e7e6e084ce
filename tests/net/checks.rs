//! Checks shared by the network tests: what an archive must hold, outputs equal to a scan,
//! log parsing, and waiting on processes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant, SystemTime};

use super::peers::{Identity, assert_same_csv_outputs, bytes_written, dataset_dump, signal};
use crate::util::{code, dxa, stderr};

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    dxa()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run dxa-ingest")
}

/// The fixtures that can carry results (SR, OT), as pull should fetch them.
pub fn results(objects: &BTreeMap<String, (PathBuf, Identity)>) -> BTreeSet<String> {
    objects
        .iter()
        .filter(|(_, (_, id))| id.modality == "SR" || id.modality == "OT")
        .map(|(sop, _)| sop.clone())
        .collect()
}

/// Each archived object holds the data set of the file it came from.
pub fn assert_same_data_sets(
    archived: &BTreeMap<String, PathBuf>,
    originals: &BTreeMap<String, (PathBuf, Identity)>,
) {
    for (sop, path) in archived {
        let (original, _) = &originals[sop];
        assert_eq!(
            dataset_dump(path),
            dataset_dump(original),
            "{} differs from {}",
            path.display(),
            original.display()
        );
    }
}

/// A pull in `dir` that succeeded: the archive holds exactly the `expected` objects, each
/// with its original's data set, and `out` is what a scan of the archive writes. Returns
/// the archived objects.
pub fn assert_pulled(
    dir: &Path,
    pull: &Output,
    expected: &BTreeSet<String>,
    originals: &BTreeMap<String, (PathBuf, Identity)>,
) -> BTreeMap<String, PathBuf> {
    assert_eq!(code(pull), 0, "{}", stderr(pull));
    let archived = super::peers::archive_objects(&dir.join("archive"));
    assert_eq!(&archived.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert_same_data_sets(&archived, originals);
    assert_outputs_equal_a_scan(dir, "archive", "out");
    archived
}

/// `scan ARCHIVE --out scanned` from `dir` and its outputs compared with `out`.
pub fn assert_outputs_equal_a_scan(dir: &Path, archive: &str, out: &str) {
    let scanned = run_in(dir, &["scan", archive, "--out", "scanned", "--quiet"]);
    assert!(
        code(&scanned) == 0 || code(&scanned) == 3,
        "{}",
        stderr(&scanned)
    );
    assert_same_csv_outputs(&dir.join(out), &dir.join("scanned"));
}

pub fn mtimes(objects: &BTreeMap<String, PathBuf>) -> Vec<SystemTime> {
    objects
        .values()
        .map(|p| fs::metadata(p).and_then(|m| m.modified()).expect("mtime"))
        .collect()
}

/// Kills `child` once it has written `after` bytes (into its association): mid-transfer.
pub fn kill_mid_transfer(mut child: std::process::Child, after: u64) {
    let started = Instant::now();
    while bytes_written(child.id()) < after {
        assert!(
            child.try_wait().expect("poll storescu").is_none(),
            "storescu ended before it was killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "storescu never sent"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    signal(child.id(), libc::SIGKILL);
    let _ = child.wait();
}

/// The number just before `what` in a log line ("12 stored" -> 12).
pub fn count_before(line: &str, what: &str) -> u64 {
    let head = &line[..line
        .find(what)
        .unwrap_or_else(|| panic!("{what} in {line}"))];
    head.rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count before {what} in {line}"))
}

pub fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
