//! Paths and inputs (docs/columns.md, "Paths" and "What is read"): names that collided or
//! hid characters, overlapping inputs read once, inputs that cannot be read, the output
//! folder inside an input, and what a `not_dicom` message says.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use dxa_fixtures::{Encoding, hologic_style, sample, sr_bytes};
use dxa_ingest::path_text::text_path;

use crate::util::{TestEnv, code, dxa, stderr};

/// A good SR whose SOP Instance UID ends in `.n`.
fn sr(n: usize) -> Vec<u8> {
    let mut study = sample::seed_study();
    study.header.sop_uid.push_str(&format!(".{n}"));
    sr_bytes(&hologic_style(&study), Encoding::default())
}

#[test]
fn names_that_collided_or_hid_characters_read_back_to_their_bytes() {
    let env = TestEnv::new();
    let names: [&[u8]; 8] = [
        "café.dcm".as_bytes(),
        b"caf\xE9.dcm",
        b"caf\\xE9.dcm",
        b"back\\slash.dcm",
        b"new\nline.dcm",
        "rtl\u{202E}mcd.exe.dcm".as_bytes(),
        b"esc\x1B[31m.dcm",
        b"tab\tand space.dcm",
    ];
    for (n, name) in names.iter().enumerate() {
        std::fs::write(env.input().join(OsStr::from_bytes(name)), sr(n)).unwrap();
    }
    let output = env.scan(&[]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // One row per document (each name's file is a document; one patient's, one visit).
    let studies = env.csv("documents.csv");
    assert_eq!(studies.len(), names.len());
    let cells: BTreeSet<&str> = studies.iter().map(|r| r["source_path"].as_str()).collect();
    assert_eq!(cells.len(), names.len(), "one text per name: {cells:?}");
    let mut decoded = BTreeSet::new();
    for cell in &cells {
        assert!(
            !cell.chars().any(char::is_control),
            "{cell:?} shows a control"
        );
        assert!(!cell.contains('\u{202E}'), "{cell:?} hides an override");
        let path = text_path(cell).unwrap_or_else(|| panic!("{cell:?} does not decode"));
        assert!(
            env.dir.path().join(&path).is_file(),
            "{cell:?} is not the file"
        );
        decoded.insert(path);
    }
    let expected: BTreeSet<PathBuf> = names
        .iter()
        .map(|n| PathBuf::from("in").join(OsStr::from_bytes(n)))
        .collect();
    assert_eq!(decoded, expected);
}

#[test]
fn overlapping_inputs_are_read_once() {
    let env = TestEnv::new();
    env.write("a.dcm", &sr(1));
    env.write("sub/b.dcm", &sr(2));
    env.write("sub/c.dcm", &sr(3));
    let whole = env.scan_args(&["in"]);
    assert_eq!(code(&whole), 0, "{}", stderr(&whole));
    let reference = env.bytes("documents.csv");
    for args in [
        &["in", "in/sub"][..],
        &["in/sub", "in"],
        &["in", "in"],
        &["in", "./in"],
        &["in/sub/b.dcm", "in"],
    ] {
        let output = env.scan_args(args);
        assert_eq!(code(&output), 0, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("3 files seen"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            env.csv("files.csv").is_empty(),
            "{args:?}: no duplicate rows"
        );
        if !args.contains(&"./in") {
            assert_eq!(env.bytes("documents.csv"), reference, "{args:?}");
        }
    }

    // Through a link to a folder, with --follow-symlinks: read once, under the first path.
    std::os::unix::fs::symlink("sub", env.input().join("link")).unwrap();
    let output = env.scan_args(&["in", "--follow-symlinks"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("3 files seen"),
        "{}",
        stderr(&output)
    );
    let paths: Vec<String> = env
        .csv("documents.csv")
        .iter()
        .map(|r| r["source_path"].clone())
        .collect();
    assert_eq!(paths, ["in/a.dcm", "in/link/b.dcm", "in/link/c.dcm"]);
    assert!(env.csv("files.csv").is_empty());
}

#[test]
fn a_missing_input_is_one_message() {
    let env = TestEnv::new();
    let output = env.scan_args(&["/nonexistent/dxa"]);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stderr(&output),
        "dxa-ingest: error: input /nonexistent/dxa does not exist\n"
    );
}

#[test]
fn an_input_folder_that_cannot_be_read_is_fatal() {
    let env = TestEnv::new();
    env.write("a.dcm", &sr(1));
    let dir = env.dir.path();
    // Readable down to `in` for anyone, `in` itself mode 000; the output folder writable.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(env.input(), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::create_dir(env.out()).unwrap();
    std::fs::set_permissions(env.out(), std::fs::Permissions::from_mode(0o777)).unwrap();
    // The binary where an unprivileged user can run it.
    let binary = dir.join("dxa-ingest");
    std::fs::copy(env!("CARGO_BIN_EXE_dxa-ingest"), &binary).unwrap();
    // Tests run as root, who reads anything: the scan runs as nobody.
    let root = unsafe { libc::geteuid() } == 0;
    let mut command = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(&binary);
        c
    } else {
        std::process::Command::new(&binary)
    };
    let output = command
        .current_dir(dir)
        .args(["scan", "in", "--out", "out", "--quiet"])
        .output()
        .expect("run");
    std::fs::set_permissions(env.input(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = stderr(&output);
    assert_eq!(code(&output), 1, "{text}");
    assert!(text.contains("input in: permission denied"), "{text}");
    assert!(text.contains("chmod"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn the_output_folder_inside_an_input_is_not_walked() {
    let env = TestEnv::new();
    env.write("a.dcm", &sr(1));
    for _ in 0..2 {
        let output = dxa()
            .current_dir(env.dir.path())
            .args(["scan", "in", "--out", "in/out", "--quiet"])
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert!(
            stderr(&output).contains("1 file seen"),
            "{}",
            stderr(&output)
        );
    }
    let files = crate::util::read_csv(&env.input().join("out/files.csv"));
    assert!(files.is_empty(), "{files:?}");
}

#[test]
fn not_dicom_says_what_a_file_is() {
    let env = TestEnv::new();
    env.write("export.dcm.gz", b"\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03");
    env.write("export.zip", b"PK\x03\x04\x14\x00\x00\x00");
    env.write("scan.png", b"\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR");
    let output = env.scan(&[]);
    // The ZIP is read, and is cut short: an error row; no document at all: exit 4.
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let files = env.csv("files.csv");
    let message = |name: &str| {
        files
            .iter()
            .find(|r| r["source_path"] == format!("in/{name}"))
            .map(|r| (r["reason"].clone(), r["message"].clone()))
            .unwrap()
    };
    let (reason, text) = message("export.dcm.gz");
    assert_eq!(reason, "not_dicom");
    assert!(
        text.starts_with("gzip-compressed data: decompress it first"),
        "{text}"
    );
    // A gzip stream with no tar inside is not an archive (decompress it, as above); a ZIP
    // is read as one, and these 8 bytes of one are cut short.
    let (reason, text) = message("export.zip");
    assert_eq!(reason, "truncated", "{text}");
    assert!(text.starts_with("a ZIP archive: "), "{text}");
    assert!(message("scan.png").1.starts_with("a PNG image"));
}
