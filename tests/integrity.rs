//! Output integrity (docs/columns.md, "The output folder"): an output folder holds one complete run or the previous one;
//! a reused folder keeps nothing stale; signals and killed runs leave nothing behind; one
//! run writes a folder at a time; cells are safe to open in a spreadsheet.

use std::path::Path;

use dxa_fixtures::{DxaStudy, Encoding, Group, Header, Row, hologic_style, sr_bytes};

use crate::research::{identifiers, output_texts};
use crate::util::{TestEnv, code, dxa, read_csv, scan_sample_into, stderr};

/// Every file in a folder, by name, with its bytes.
pub(crate) fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = if p.is_dir() {
                Vec::new()
            } else {
                std::fs::read(&p).unwrap()
            };
            (name, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Nothing of a run is left beside the output folder.
pub(crate) fn no_staging_beside(out: &Path) {
    let parent = out.parent().unwrap();
    let left: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("dxa-staging"))
        .collect();
    assert!(left.is_empty(), "left beside {}: {left:?}", out.display());
}

#[test]
fn a_reused_folder_keeps_nothing_of_the_earlier_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("share");
    let output = scan_sample_into(&out, &["--format", "parquet"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(out.join("studies.parquet").exists() && out.join("followup.csv").exists());
    std::fs::write(out.join("notes.txt"), b"the analyst's own notes").unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, b"a research key of 32 bytes!!!!!!").unwrap();
    let output = scan_sample_into(
        &out,
        &[
            "--pseudonymize",
            key.to_str().unwrap(),
            "--followup",
            "never",
        ],
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // No Parquet and no follow-up from the earlier run; the analyst's file stays, named.
    let names: Vec<String> = snapshot(&out).into_iter().map(|f| f.0).collect();
    assert!(!names.iter().any(|n| n.ends_with(".parquet")), "{names:?}");
    assert!(!names.contains(&"followup.csv".to_string()), "{names:?}");
    assert!(names.contains(&"notes.txt".to_string()));
    assert!(stderr(&output).contains("notes.txt"), "{}", stderr(&output));
    // No identifier anywhere in the folder (CSV, HTML; the notes are the analyst's).
    let ids = identifiers();
    for (path, text) in output_texts(&out) {
        if path.ends_with("notes.txt") {
            continue;
        }
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{id:?} in {}", path.display());
        }
    }
    no_staging_beside(&out);
}

#[test]
fn a_failed_commit_leaves_the_previous_set_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = scan_sample_into(&out, &[]);
    assert_eq!(code(&output), 0);
    // Something that is not ours where this run writes a file: a folder named studies.csv
    // cannot be carried over beside the new studies.csv.
    std::fs::rename(out.join("studies.csv"), dir.path().join("studies.keep")).unwrap();
    std::fs::create_dir(out.join("studies.csv")).unwrap();
    std::fs::write(out.join("studies.csv/inside.txt"), b"x").unwrap();
    let before = snapshot(&out);
    let output = scan_sample_into(&out, &["--format", "parquet"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("studies.csv"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(&out), before, "byte for byte as before");
    assert_eq!(
        std::fs::read(out.join("studies.csv/inside.txt")).unwrap(),
        b"x"
    );
    no_staging_beside(&out);
}

fn first_run(env: &TestEnv) -> Vec<(String, Vec<u8>)> {
    env.write("a/readme.txt", b"hello");
    let output = env.scan(&[]);
    assert_eq!(code(&output), 4, "no document: {}", stderr(&output));
    snapshot(&env.out())
}

#[test]
fn sigterm_and_sigint_stop_cleanly_and_leave_the_previous_outputs() {
    for (signal, exit) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        let env = TestEnv::new();
        let before = first_run(&env);
        let (child, _) = env.waiting_scan();
        let output = TestEnv::interrupt(child, signal);
        assert_eq!(output.status.code(), Some(exit), "{}", stderr(&output));
        let err = stderr(&output);
        assert_eq!(err.trim().lines().count(), 1, "one message: {err}");
        assert!(
            err.contains("nothing in") && err.contains("was replaced"),
            "{err}"
        );
        assert_eq!(snapshot(&env.out()), before);
        no_staging_beside(&env.out());
    }
}

#[test]
fn a_killed_run_is_cleaned_up_by_the_next() {
    let env = TestEnv::new();
    let before = first_run(&env);
    let (mut child, staging) = env.waiting_scan();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staging.exists(), "kill -9 leaves the staging folder");
    assert_eq!(snapshot(&env.out()), before, "and the outputs as they were");
    let output = env.scan(&[]);
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(!staging.exists(), "the next run removed it");
    no_staging_beside(&env.out());
}

#[test]
fn a_second_run_into_the_same_folder_is_refused_naming_the_first() {
    let env = TestEnv::new();
    first_run(&env);
    let (mut first, _) = env.waiting_scan();
    let output = env.scan(&[]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains(&format!("process {}", first.id())), "{err}");
    assert!(
        err.contains("being written by another dxa-ingest run"),
        "{err}"
    );
    // The first run finishes normally once its list ends (nothing listed: exit 4).
    drop(first.stdin.take());
    let status = first.wait().unwrap();
    assert_eq!(status.code(), Some(4));
    no_staging_beside(&env.out());
}

pub(crate) fn hostile_text_study() -> Vec<u8> {
    let mut header = Header::new("formula/1");
    header.specific_character_set = "ISO_IR 192".into();
    header.patient_id = "@SUM(1,1)".into();
    header.institution = "=2+2".into();
    header.manufacturer = "HOLOGIC".into();
    header.model = "+3+3".into();
    header.software_version = "=HYPERLINK(\"http://x\",\"y\")".into();
    header.device_serial = "NUL\u{0}ESC\u{1b}[31m CR\rLF\n RLO\u{202e}gpj.exe".into();
    header.birth_date = Some("19500101".into());
    header.sex = Some("F".into());
    let study = DxaStudy::new(header).group(
        Group::new("Left Hip")
            .row(Row::new("Neck").bmd("0.600").t("-2.6").z("-1.0"))
            .row(Row::new("=cmd|\"/C calc\"!A0").bmd("0.700").t("-1.0")),
    );
    sr_bytes(&hologic_style(&study), Encoding::default())
}

#[test]
fn cells_are_safe_to_open_in_a_spreadsheet() {
    let env = TestEnv::new();
    env.write("=cmd.dcm", &hostile_text_study());
    let output = env.scan(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let studies = read_csv(&env.out().join("studies.csv"));
    let study = &studies[0];
    assert_eq!(study["patient_id"], "'@SUM(1,1)");
    assert_eq!(study["institution"], "'=2+2");
    assert_eq!(study["model"], "'+3+3");
    assert!(study["software_version"].starts_with("'=HYPERLINK"));
    assert_eq!(
        study["source_path"], "in/=cmd.dcm",
        "a relative path starts with the folder"
    );
    let serial = &study["device_serial"];
    for hidden in ['\u{0}', '\u{1b}', '\r', '\n', '\u{202e}'] {
        assert!(!serial.contains(hidden), "{serial:?}");
    }
    assert!(
        serial.contains("\\u{1B}") && serial.contains("\\u{202E}"),
        "{serial:?}"
    );
    // Numbers are never quoted: the T-score is still a number.
    assert_eq!(study["min_t_score"], "-2.6");
    let rows = read_csv(&env.out().join("measurements.csv"));
    let label = rows
        .iter()
        .find(|r| r["source_label"].contains("cmd"))
        .expect("the odd row");
    assert!(label["source_label"].starts_with("'="), "{label:?}");
    assert_eq!(label["t_score"], "-1.0");
    // A path that starts like a formula, given as it is.
    let output = dxa()
        .current_dir(env.input())
        .args(["scan", "=cmd.dcm", "--quiet", "--out", "../out2"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let studies = read_csv(&env.dir.path().join("out2/studies.csv"));
    assert_eq!(studies[0]["source_path"], "'=cmd.dcm");
}

#[test]
fn a_file_system_out_of_inodes_is_named_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let mount = dir.path().join("tiny");
    std::fs::create_dir(&mount).unwrap();
    // A file system with room for a dozen files: the staging folder runs out of inodes.
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=20m,nr_inodes=12", "tmpfs"])
        .arg(&mount)
        .status()
        .expect("mount");
    assert!(
        mounted.success(),
        "the tests run as root and mount a small tmpfs"
    );
    let output = scan_sample_into(&mount.join("out"), &[]);
    let _ = std::process::Command::new("umount").arg(&mount).status();
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("tiny/.out.dxa-staging-"), "names where: {err}");
    assert!(err.contains("df -i"), "says what to check: {err}");
}

/// Mode bits (with setgid and sticky), owner and group of a path.
fn access(path: &Path) -> (u32, u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).unwrap();
    (meta.mode() & 0o7777, meta.uid(), meta.gid())
}

/// `getfacl` of a path without its name line, or None without the acl tools.
fn acl(path: &Path) -> Option<String> {
    let output = std::process::Command::new("getfacl")
        .args(["--omit-header", "--absolute-names"])
        .arg(path)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn the_folder_keeps_its_mode_owner_group_and_acls() {
    // As root (the tests run as root), a group the runner is not in; a department's
    // 2770 root:radiology folder, and a private 700 one.
    let group = 4242;
    for (mode, widest_file) in [(0o2770, 0o660), (0o700, 0o600), (0o750, 0o640)] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::chown(&out, None, Some(group)).unwrap();
        std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
        let before = access(&out);
        // A second run replaces the first one's set: the folder keeps its looks both times.
        for run in 0..2 {
            let output = scan_sample_into(&out, &["--format", "parquet"]);
            assert_eq!(code(&output), 0, "{}", stderr(&output));
            assert_eq!(access(&out), before, "{mode:o}, run {run}");
            for file in std::fs::read_dir(&out).unwrap() {
                let path = file.unwrap().path();
                let (file_mode, _, file_group) = access(&path);
                assert_eq!(
                    file_mode & !widest_file,
                    0,
                    "{} is {file_mode:o} in a {mode:o} folder",
                    path.display()
                );
                if mode & 0o2000 != 0 {
                    assert_eq!(
                        file_group,
                        group,
                        "{}: the setgid folder's group",
                        path.display()
                    );
                }
            }
        }
        no_staging_beside(&out);
    }

    // ACLs: the folder's own and its default (which files inherit) stay as set.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let setfacl = |args: &[&str]| {
        std::process::Command::new("setfacl")
            .args(args)
            .arg(&out)
            .status()
            .expect("setfacl (scripts/test.sh installs the acl package)")
            .success()
    };
    assert!(setfacl(&["-m", "u:4243:rx"]) && setfacl(&["-d", "-m", "u:4243:r,o::-"]));
    let before = acl(&out).unwrap();
    let output = scan_sample_into(&out, &[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(acl(&out).unwrap(), before);
    let studies = acl(&out.join("studies.csv")).unwrap();
    assert!(studies.contains("user:4243:r--"), "inherited: {studies}");
    assert!(studies.contains("other::---"), "inherited: {studies}");
}

#[test]
fn an_output_folder_that_is_a_mount_point_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    assert_eq!(code(&scan_sample_into(&reference, &[])), 0);
    // A volume: a file system mounted at --out (Docker's -v, a mounted share).
    let out = dir.path().join("volume");
    std::fs::create_dir(&out).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=20m", "tmpfs"])
        .arg(&out)
        .status()
        .expect("mount");
    assert!(mounted.success(), "the tests run as root and mount a tmpfs");
    std::fs::write(out.join("notes.txt"), b"mine").unwrap();
    let first = scan_sample_into(&out, &["--format", "parquet"]);
    let second = scan_sample_into(&out, &[]);
    let listing = snapshot(&out);
    let _ = std::process::Command::new("umount").arg(&out).status();
    for output in [&first, &second] {
        assert_eq!(code(output), 0, "{}", stderr(output));
        assert!(stderr(output).contains("mount point"), "{}", stderr(output));
    }
    // The second set whole, nothing left of the first (its Parquet copies), nothing of
    // the run's own (no staging folder inside), the user's file kept; run.json lists
    // exactly the other outputs.
    let names: Vec<String> = listing.iter().map(|(n, _)| n.clone()).collect();
    let mut expected: Vec<String> = snapshot(&reference).into_iter().map(|(n, _)| n).collect();
    expected.push("notes.txt".into());
    expected.sort();
    assert_eq!(names, expected);
    for (name, bytes) in snapshot(&reference) {
        let got = &listing.iter().find(|(n, _)| *n == name).unwrap().1;
        if name == "run.json" {
            let run: serde_json::Value = serde_json::from_slice(got).unwrap();
            let mut listed: Vec<&str> = run["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].as_str().unwrap())
                .collect();
            listed.extend(["notes.txt", "run.json"]);
            listed.sort_unstable();
            assert_eq!(listed, expected);
        } else {
            assert_eq!(got, &bytes, "{name}");
        }
    }
}

#[test]
fn a_department_folder_of_another_user_keeps_its_owner() {
    // /srv/dxa-out as root:radiology 2770 in a /srv only root writes, and a runner in the
    // radiology group: no folder with that owner can be made beside it, so the files are
    // renamed into it, and it stays root's, of its group, 2770.
    use std::os::unix::fs::PermissionsExt;
    let (group, runner) = (4244, 65534);
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), PermissionsExt::from_mode(0o755)).unwrap();
    let out = dir.path().join("dxa-out");
    std::fs::create_dir(&out).unwrap();
    std::os::unix::fs::chown(&out, Some(0), Some(group)).unwrap();
    std::fs::set_permissions(&out, PermissionsExt::from_mode(0o2770)).unwrap();
    let before = access(&out);
    for run in 0..2 {
        let output = std::process::Command::new("setpriv")
            .args([
                "--reuid",
                &runner.to_string(),
                "--regid",
                &runner.to_string(),
            ])
            .args(["--groups", &group.to_string()])
            .arg(env!("CARGO_BIN_EXE_dxa-ingest"))
            .current_dir(crate::util::repo())
            .args(["scan", "fixtures/sample", "--quiet", "--out"])
            .arg(&out)
            .output()
            .expect("setpriv (util-linux)");
        assert_eq!(code(&output), 0, "run {run}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("one file at a time"),
            "{}",
            stderr(&output)
        );
        assert_eq!(access(&out), before, "run {run}");
        for file in std::fs::read_dir(&out).unwrap() {
            let path = file.unwrap().path();
            let (mode, uid, gid) = access(&path);
            assert_eq!(
                (mode & !0o660, uid, gid),
                (0, runner, group),
                "{}",
                path.display()
            );
        }
    }
    assert!(
        !std::fs::read_dir(&out).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("staging"))
    );
    no_staging_beside(&out);
}
