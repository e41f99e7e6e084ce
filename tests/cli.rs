//! The command line contract: exit codes, usage errors, fatal errors, inspect.

use crate::util::{TestEnv, code, dxa, repo, stderr};

#[test]
fn usage_error_is_exit_2() {
    let output = dxa().args(["scan", "somewhere"]).output().expect("run");
    assert_eq!(code(&output), 2, "missing --out");
    let output = dxa().args(["frobnicate"]).output().expect("run");
    assert_eq!(code(&output), 2);
}

#[test]
fn missing_input_root_is_exit_1_with_one_line() {
    let env = TestEnv::new();
    let output = dxa()
        .current_dir(env.dir.path())
        .args(["scan", "does-not-exist", "--out", "out", "--quiet"])
        .output()
        .expect("run");
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("does-not-exist"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!env.out().join("measurements.csv").exists());
}

#[test]
fn unwritable_output_is_exit_1_before_any_work() {
    let env = TestEnv::new();
    env.write("a.dcm", b"not dicom");
    // A file where the output folder should be: cannot be created, even as root.
    std::fs::write(env.dir.path().join("blocker"), b"").unwrap();
    let output = dxa()
        .current_dir(env.dir.path())
        .args(["scan", "in", "--out", "blocker/out", "--quiet"])
        .output()
        .expect("run");
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("output folder"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn summary_is_the_last_stderr_line() {
    let env = TestEnv::new();
    env.write("x/readme.txt", b"hello");
    let output = env.scan(&[]);
    let err = stderr(&output);
    let lines: Vec<&str> = err.trim_end().lines().collect();
    let last = lines.last().expect("a line");
    assert!(
        last.starts_with(
            "dxa-ingest: 1 file seen, 0 documents ingested, 0 visits, 1 skipped, 0 errors in "
        ),
        "{last}"
    );
    // Nothing ingested: exit 4, and the summary ends saying why, on the same line.
    assert_eq!(code(&output), 4, "{err}");
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        last.ends_with(
            "; nothing ingested: not one of the 1 file is a results document (files.csv says \
             what each is; exit 4)"
        ),
        "{err}"
    );
}

#[test]
fn a_run_that_ingests_nothing_exits_4_in_scan_and_merge_but_not_a_partial() {
    let env = TestEnv::new();
    env.write(
        "export/readme.txt",
        b"a misconfigured export: no DICOM at all",
    );
    let run = |args: &[&str]| {
        dxa()
            .current_dir(env.dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&["scan", "in", "--out", "out", "-q"]);
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert_eq!(
        env.csv("files.csv").len(),
        1,
        "the outputs are written all the same"
    );
    // A partial is a piece: a piece without documents is no misconfiguration.
    let output = run(&["scan", "in", "--partial", "a.part", "-q"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let output = run(&["merge", "a.part", "--out", "merged", "-q"]);
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("nothing ingested"),
        "{}",
        stderr(&output)
    );
    // With one document, 0 again.
    let sample = repo().join("fixtures/sample/gateway/ACME000042/DXA_SR.dcm");
    std::fs::copy(sample, env.input().join("export/DXA_SR.dcm")).unwrap();
    let output = run(&["scan", "in", "--out", "out", "-q"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn inspect_shows_each_num_mapping() {
    let output = dxa()
        .current_dir(repo())
        .args([
            "inspect",
            "fixtures/sample/lunar/2024/LUN004412/SR_SPINE_FEMUR.dcm",
        ])
        .output()
        .expect("run");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("deflated explicit VR little endian"),
        "{text}"
    );
    assert!(
        text.contains(
            "-> bmd femoral_neck/left (label \"Neck Left\"; by code in profile ge_lunar)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "-> t_score femoral_neck/left (label \"Neck Left\"; by meaning in profile ge_lunar)"
        ),
        "{text}"
    );
    assert!(text.contains("-> history (\"Trend Neck Left\")"), "{text}");
    // The sample's LUN004412 has no birth date, PatientAge 067Y (crates/dxa-fixtures,
    // sample/modelled.rs): a woman of 67, classified by T-score.
    assert!(
        text.contains(
            "exam: manufacturer GE Healthcare (ge_lunar), model Lunar iDXA, serial 200512, \
             study date 2024-01-22\npatient: sex F, age 67.0 years, population adult_t_score"
        ),
        "{text}"
    );
    assert!(
        text.contains("measure items: 40 mapped, 0 unmapped NUM"),
        "{text}"
    );
    assert!(
        text.contains("classification osteopenia, basis femoral_neck/right"),
        "{text}"
    );
}

#[test]
fn inspect_says_unmapped_and_why_not_ingested() {
    let env = TestEnv::new();
    let mut header = dxa_fixtures::Header::new("test/unmapped");
    header.manufacturer = "Nobody".into();
    let doc = dxa_fixtures::SrDoc {
        header,
        root: dxa_fixtures::Item::container(
            dxa_fixtures::CONTAINS,
            dxa_fixtures::code("R", "99X", "Bone Densitometry Summary"),
            vec![dxa_fixtures::Item::num(
                dxa_fixtures::CONTAINS,
                dxa_fixtures::code("Q1", "99X", "Quux"),
                "1.5",
                dxa_fixtures::code("1", "UCUM", "no units"),
            )],
        ),
    };
    let path = env.write("u.dcm", &dxa_fixtures::sr_bytes(&doc, Default::default()));
    let output = dxa().arg("inspect").arg(&path).output().expect("run");
    assert_eq!(code(&output), 3);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("-> unmapped"), "{text}");
    assert!(
        text.contains("not ingested: error no_measurements"),
        "{text}"
    );
}
