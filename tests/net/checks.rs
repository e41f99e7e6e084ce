//! Checks shared by the network tests: what an archive must hold, outputs equal to a scan,
//! log parsing, and waiting on processes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

use super::objects::Identity;
use super::peers::{bytes_written, signal};
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
    let archived = super::objects::archive_objects(&dir.join("archive"));
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

/// dcmdump of a file's data set, without what may change in transit when the data is the
/// same: the file meta group, the transfer syntax, element lengths, defined or undefined
/// lengths of sequences and items, and their delimitation items (dcmtk's storescu rewrites
/// those; Orthanc may change the transfer syntax).
pub fn dataset_dump(path: &Path) -> String {
    let output = Command::new("dcmdump")
        .args(["-q", "+L"])
        .arg(path)
        .output()
        .expect("run dcmdump (scripts/test.sh installs dcmtk)");
    assert!(output.status.success(), "dcmdump {}", path.display());
    let text = String::from_utf8_lossy(&output.stdout);
    let data_set = text
        .split_once("# Dicom-Data-Set")
        .map_or(text.as_ref(), |(_, rest)| rest);
    data_set
        .lines()
        .filter(|line| !line.starts_with("# Used TransferSyntax"))
        .filter(|line| !line.contains("(fffe,e00d)") && !line.contains("(fffe,e0dd)"))
        .map(|line| {
            let line = strip_length_comment(line)
                .replace(" with undefined length", "")
                .replace(" with explicit length", "");
            without_private_vr(line.trim_end())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A private element's VR is what the transfer syntax says: implicit VR leaves it unknown
/// (a Hologic results document sent in implicit VR arrives as UN in explicit VR, same bytes).
/// Odd groups get `??` so that only values are compared.
fn without_private_vr(line: &str) -> String {
    let trimmed = line.trim_start();
    // "(0019,1000) UN ...": the tag, a space, the VR.
    let private = trimmed.len() >= 14
        && trimmed.starts_with('(')
        && trimmed.as_bytes()[11] == b' '
        && u16::from_str_radix(&trimmed[1..5], 16).is_ok_and(|group| group % 2 == 1);
    if private {
        let indent = &line[..line.len() - trimmed.len()];
        format!("{indent}{} ??{}", &trimmed[..11], &trimmed[14..])
    } else {
        line.to_string()
    }
}

/// Drops dcmdump's trailing `#  len, vm Keyword` (or `# u/l, vm Keyword`) comment.
fn strip_length_comment(line: &str) -> String {
    if let Some(at) = line.rfind(" #") {
        let comment = line[at + 2..].trim_start();
        let length = comment.split(',').next().unwrap_or("");
        if length == "u/l" || (!length.is_empty() && length.bytes().all(|b| b.is_ascii_digit())) {
            return line[..at].to_string();
        }
    }
    line.to_string()
}

/// Every CSV output of `a` equals the one of `b`, byte for byte.
pub fn assert_same_csv_outputs(a: &Path, b: &Path) {
    let csvs = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("output folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .collect();
        names.sort();
        names
    };
    let names = csvs(a);
    assert!(names.contains(&"studies.csv".to_string()), "{names:?}");
    assert_eq!(names, csvs(b));
    for name in names {
        assert_eq!(
            fs::read_to_string(a.join(&name)).expect("csv"),
            fs::read_to_string(b.join(&name)).expect("csv"),
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}
