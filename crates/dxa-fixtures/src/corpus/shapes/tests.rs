//! The shapes read back with dicom-object: what each promises about studies, patients and
//! visits holds in the files written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dicom_dictionary_std::tags;
use dicom_object::OpenFileOptions;
use dicom_object::file::ReadPreamble;

use super::*;

/// A folder of its own under the system's temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("dxa-fixtures-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir`, in path order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Patient ID, study UID, SOP Instance UID, study date, device serial, size of every file.
fn read_all(dir: &Path) -> Vec<[String; 6]> {
    files(dir)
        .iter()
        .map(|path| {
            let object = OpenFileOptions::new()
                .read_preamble(ReadPreamble::Auto)
                .open_file(path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let text = |tag| {
                object
                    .element(tag)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .trim()
                    .to_string()
            };
            [
                text(tags::PATIENT_ID),
                text(tags::STUDY_INSTANCE_UID),
                text(tags::SOP_INSTANCE_UID),
                text(tags::STUDY_DATE),
                text(tags::DEVICE_SERIAL_NUMBER),
                std::fs::metadata(path).unwrap().len().to_string(),
            ]
        })
        .collect()
}

fn options(n: usize) -> CorpusOptions {
    CorpusOptions {
        n,
        seed: 4,
        junk_pct: 0,
        image_heavy: false,
    }
}

#[test]
fn an_archive_has_a_study_per_file_and_two_per_patient() {
    let dir = Scratch::new("archive");
    let stats = write_shaped(&dir.0, &options(60), Shape::Archive).unwrap();
    assert_eq!(
        (stats.sr_files, stats.patients, stats.junk_files),
        (60, 30, 0)
    );
    let files = read_all(&dir.0);
    assert_eq!(files.len(), 60);
    let studies: BTreeSet<&str> = files.iter().map(|f| f[1].as_str()).collect();
    assert_eq!(studies.len(), 60, "every file its own study");
    let mut per_patient: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &files {
        *per_patient.entry(&f[0]).or_default() += 1;
    }
    assert!(per_patient.values().all(|&n| n == 2), "{per_patient:?}");
    // Small: one scan per file, a few KB (the mixed shape's SR files average about 9 KB,
    // 13 KB at most for one scan of all seven measures of five rows).
    let sizes: Vec<u64> = files.iter().map(|f| f[5].parse().unwrap()).collect();
    let mean = sizes.iter().sum::<u64>() / sizes.len() as u64;
    assert!(mean < 8 * 1024, "{mean} bytes on average");
    assert!(sizes.iter().all(|&s| s < 16 * 1024), "{sizes:?}");
}

#[test]
fn giant_visits_hold_the_documents_in_so_many_visits() {
    let dir = Scratch::new("giant");
    let shape = Shape::GiantVisits { visits: 4 };
    let stats = write_shaped(&dir.0, &options(402), shape).unwrap();
    assert_eq!(stats.sr_files, 402);
    let files = read_all(&dir.0);
    let sops: BTreeSet<&str> = files.iter().map(|f| f[2].as_str()).collect();
    assert_eq!(sops.len(), 402, "no document is a duplicate of another");
    // A visit: one patient ID, day and device.
    let mut visits: BTreeMap<(&str, &str, &str), Vec<&str>> = BTreeMap::new();
    for f in &files {
        visits.entry((&f[0], &f[3], &f[4])).or_default().push(&f[1]);
    }
    let mut sizes: Vec<usize> = visits.values().map(Vec::len).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [100, 100, 101, 101]);
    let (mut resent, mut anonymous) = (0, 0);
    for ((patient, _, _), studies) in &visits {
        let distinct: BTreeSet<&&str> = studies.iter().collect();
        if *patient == "ANONYMOUS" {
            assert_eq!(distinct.len(), studies.len(), "a study per document");
            anonymous += 1;
        } else {
            assert_eq!(distinct.len(), 1, "one study sent again and again");
            resent += 1;
        }
    }
    assert_eq!((resent, anonymous), (2, 2));
}

#[test]
fn shapes_are_deterministic() {
    let dir = Scratch::new("shapes");
    let shapes = [
        Shape::Mixed,
        Shape::Archive,
        Shape::GiantVisits { visits: 3 },
    ];
    for (i, shape) in shapes.into_iter().enumerate() {
        let (a, b) = (dir.0.join(format!("{i}a")), dir.0.join(format!("{i}b")));
        let opts = CorpusOptions {
            junk_pct: 30,
            ..options(40)
        };
        assert_eq!(
            write_shaped(&a, &opts, shape).unwrap(),
            write_shaped(&b, &opts, shape).unwrap()
        );
        let (x, y) = (files(&a), files(&b));
        assert!(x.len() >= 40, "{shape:?}: {} files", x.len());
        assert_eq!(x.len(), y.len());
        for (x, y) in x.iter().zip(&y) {
            assert_eq!(x.strip_prefix(&a).unwrap(), y.strip_prefix(&b).unwrap());
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
        }
    }
}
