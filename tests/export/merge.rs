//! Partial scans and merge carry the research exports: the merge of any split writes the
//! bytes one scan writes (visit_id, visits_wide.csv, fhir/, omop/), with and without
//! --pseudonymize.

use crate::scale::{assert_same_outputs, scan_parts, split_lists};
use crate::util::{code, dxa, repo, stderr};

#[test]
fn a_merge_writes_the_exports_one_scan_writes() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let parts = scan_parts(dir.path(), &split_lists(dir.path(), 3));
    let key = key.to_str().unwrap();
    for (k, extra) in [
        vec!["--fhir", "--omop"],
        vec!["--fhir", "--omop", "--pseudonymize", key, "--shift-dates"],
        vec![
            "--omop",
            "--pseudonymize",
            key,
            "--format",
            "parquet",
            "--excel",
        ],
    ]
    .into_iter()
    .enumerate()
    {
        let single = dir.path().join(format!("single{k}"));
        let merged = dir.path().join(format!("merged{k}"));
        let run = |args: Vec<&str>| {
            let output = dxa()
                .current_dir(repo())
                .args(args)
                .args(&extra)
                .arg("--quiet")
                .output()
                .unwrap();
            assert_eq!(code(&output), 0, "{}", stderr(&output));
        };
        run(vec![
            "scan",
            "fixtures/sample",
            "--out",
            single.to_str().unwrap(),
        ]);
        run(vec![
            "merge",
            &parts[1],
            &parts[2],
            &parts[0],
            "--out",
            merged.to_str().unwrap(),
        ]);
        assert!(single.join("omop/measurement.csv").exists());
        assert!(single.join("visits_wide.csv").exists());
        assert_same_outputs(&single, &merged);
    }
}
