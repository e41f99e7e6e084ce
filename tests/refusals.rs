//! Outputs apart from the inputs (docs/columns.md, "Exit codes"): an output folder that is,
//! or holds, an input (a folder or file given on the command line or named in a
//! `--files-from` list) and a partial written inside an input folder are refused with exit
//! 2 before anything is read.

use std::io::Write;
use std::process::{Output, Stdio};

use crate::integrity::{hostile_text_study, no_staging_beside, snapshot};
use crate::util::{TestEnv, code, dxa, stderr};

/// Runs the binary in the test's folder, `stdin` as its standard input.
fn run_in(env: &TestEnv, args: &[&str], stdin: &str) -> Output {
    let mut child = dxa()
        .current_dir(env.dir.path())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Exit 2 with one line on stderr that says what to do.
fn refused(output: &Output, what: &str, says: &str) {
    let err = stderr(output);
    assert_eq!(code(output), 2, "{what}: {err}");
    assert!(err.contains(says), "{what}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "{what}: one line: {err}");
}

#[test]
fn an_output_folder_equal_to_or_above_an_input_is_refused_before_reading() {
    let env = TestEnv::new();
    env.write("hip/a.dcm", &hostile_text_study());
    let before = snapshot(&env.input().join("hip"));
    let run = |args: &[&str]| {
        dxa()
            .current_dir(env.dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let refused = |output: std::process::Output, what: &str| {
        assert_eq!(code(&output), 2, "{what}: {}", stderr(&output));
        let err = stderr(&output);
        assert!(err.contains("outside the inputs"), "{what}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{what}: one line: {err}");
    };
    refused(run(&["scan", "in", "--out", "in", "-q"]), "equal");
    refused(run(&["scan", "in/hip", "--out", "in", "-q"]), "above");
    refused(
        run(&["scan", "in/hip", "--out", "in/hip/.", "-q"]),
        "spelt otherwise",
    );
    // merge: a partial inside the output folder.
    let partial = run(&["scan", "in", "--partial", "all.part", "-q"]);
    assert_eq!(code(&partial), 0, "{}", stderr(&partial));
    std::fs::rename(
        env.dir.path().join("all.part"),
        env.input().join("hip/all.part"),
    )
    .unwrap();
    refused(
        run(&["merge", "in/hip/all.part", "--out", "in", "-q"]),
        "merge",
    );
    // The scans of pull and listen: their archive is the input.
    refused(
        run(&[
            "listen",
            "--port",
            "1",
            "--archive",
            "arch",
            "--out",
            "arch",
        ]),
        "listen",
    );
    refused(
        run(&[
            "pull",
            "--from",
            "PACS@127.0.0.1:1",
            "--archive",
            "a/b",
            "--out",
            "a",
        ]),
        "pull",
    );
    assert!(!env.dir.path().join("arch").exists() && !env.dir.path().join("a").exists());
    std::fs::remove_file(env.input().join("hip/all.part")).unwrap();
    assert_eq!(
        snapshot(&env.input().join("hip")),
        before,
        "nothing read or written"
    );
    no_staging_beside(&env.input());
    // An output folder inside the input is fine: it is never walked into.
    let output = run(&["scan", "in", "--out", "in/results", "-q"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn an_output_folder_at_or_above_a_listed_entry_is_refused_before_reading() {
    let env = TestEnv::new();
    env.write("hip/a.dcm", &hostile_text_study());
    let before = snapshot(&env.input().join("hip"));
    std::fs::write(env.dir.path().join("folders.txt"), "in/hip\n").unwrap();
    std::fs::write(
        env.dir.path().join("files.txt"),
        "# one file\nin/hip/a.dcm\n",
    )
    .unwrap();
    let out_side = "outside the inputs";
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["--files-from", "folders.txt", "--out", "in/hip"],
            "",
            "a listed folder",
        ),
        (
            &["--files-from", "folders.txt", "--out", "in"],
            "",
            "above a listed folder",
        ),
        (
            &["--files-from", "files.txt", "--out", "in/hip"],
            "",
            "above a listed file",
        ),
        (
            &["--files-from", "-", "--out", "in"],
            "in/hip/a.dcm\n",
            "a list on stdin",
        ),
        (
            &["--files-from", "-", "--out", "in/hip/../hip"],
            "in/hip\n",
            "spelt otherwise",
        ),
    ];
    for (args, stdin, what) in cases {
        let mut all = vec!["scan", "-q"];
        all.extend_from_slice(args);
        let output = run_in(&env, &all, stdin);
        refused(&output, what, out_side);
        assert!(
            stderr(&output).contains("--out"),
            "{what}: {}",
            stderr(&output)
        );
        assert_eq!(
            snapshot(&env.input().join("hip")),
            before,
            "{what}: nothing read or written"
        );
    }
    no_staging_beside(&env.input());
    no_staging_beside(&env.input().join("hip"));
    // Beside the listed entries, or inside a listed folder (never walked): fine.
    let beside = run_in(
        &env,
        &["scan", "-q", "--files-from", "files.txt", "--out", "out"],
        "",
    );
    assert_eq!(code(&beside), 0, "{}", stderr(&beside));
    let inside = run_in(
        &env,
        &[
            "scan",
            "-q",
            "--files-from",
            "folders.txt",
            "--out",
            "in/hip/results",
        ],
        "",
    );
    assert_eq!(code(&inside), 0, "{}", stderr(&inside));
}

#[test]
fn a_partial_inside_an_input_folder_is_refused_before_reading() {
    let env = TestEnv::new();
    env.write("hip/a.dcm", &hostile_text_study());
    let before = snapshot(&env.input().join("hip"));
    for (args, what) in [
        (["scan", "in", "--partial", "in/hip/all.part"], "inside"),
        (
            ["scan", "in/hip", "--partial", "in/hip/./x.part"],
            "spelt otherwise",
        ),
        (
            ["scan", "in/hip/a.dcm", "--partial", "in/hip/a.dcm"],
            "the input file itself",
        ),
    ] {
        let output = run_in(&env, &args, "");
        refused(&output, what, "--partial");
        assert!(
            stderr(&output).contains("outside the input"),
            "{what}: {}",
            stderr(&output)
        );
        assert_eq!(snapshot(&env.input().join("hip")), before, "{what}");
    }
    let beside = run_in(&env, &["scan", "in", "--partial", "all.part", "-q"], "");
    assert_eq!(code(&beside), 0, "{}", stderr(&beside));
}

#[test]
fn a_partial_inside_a_listed_folder_is_refused_before_reading() {
    let env = TestEnv::new();
    env.write("hip/a.dcm", &hostile_text_study());
    let before = snapshot(&env.input().join("hip"));
    std::fs::write(env.dir.path().join("folders.txt"), "in\n").unwrap();
    for (args, stdin, what) in [
        (
            [
                "--files-from",
                "folders.txt",
                "--partial",
                "in/hip/all.part",
            ],
            "",
            "inside a listed folder",
        ),
        (
            ["--files-from", "-", "--partial", "in/hip/../hip/x.part"],
            "in/hip\n",
            "spelt otherwise, a list on stdin",
        ),
        (
            ["--files-from", "-", "--partial", "in/hip/a.dcm"],
            "in/hip/a.dcm\n",
            "the listed file itself",
        ),
    ] {
        let mut all = vec!["scan", "-q"];
        all.extend_from_slice(&args);
        let output = run_in(&env, &all, stdin);
        refused(&output, what, "--partial");
        assert!(
            stderr(&output).contains("outside the input"),
            "{what}: {}",
            stderr(&output)
        );
        assert_eq!(
            snapshot(&env.input().join("hip")),
            before,
            "{what}: nothing read or written, no temporary partial left"
        );
    }
    let beside = run_in(
        &env,
        &[
            "scan",
            "-q",
            "--files-from",
            "folders.txt",
            "--partial",
            "all.part",
        ],
        "",
    );
    assert_eq!(code(&beside), 0, "{}", stderr(&beside));
}
