//! The input side end to end: what is read of a file (the head reader against the whole
//! file, over every fuzz corpus file and fixture), what a scan of big images reads, and
//! `inspect` on what is not a file.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use dxa_ingest::read::read_opened;
use dxa_ingest::sr::Limits;
use dxa_ingest::sr::dataset::HeadPolicy;
use dxa_ingest::{Outcome, process_bytes};

use crate::rss::measure;
use crate::util::{TestEnv, code, dxa, files_under, repo, stderr};

fn inputs() -> Vec<PathBuf> {
    let mut files = files_under(&repo().join("fuzz/corpus/extract"));
    files.extend(files_under(&repo().join("fuzz/regressions")));
    files.extend(files_under(&repo().join("fixtures/sample")));
    files.retain(|p| p.extension().is_none_or(|e| e != "py" && e != "md"));
    files
}

/// The outcome as a comparable value: the document, or the reason (and message).
fn verdict(outcome: Outcome, with_message: bool) -> String {
    match outcome {
        Outcome::Ingested(doc) => format!("{doc:?}"),
        Outcome::Records(docs) => format!("{docs:?}"),
        Outcome::NotIngested(e) if with_message => format!("{} {}", e.reason.code(), e.message),
        Outcome::NotIngested(e) => e.reason.code().to_string(),
    }
}

#[test]
fn the_head_reader_gives_the_whole_file_outcome() {
    let mapper = dxa_ingest::profile::load(&[]).expect("built-ins");
    let limits = Limits::default();
    // The real policy (nothing here is over 64 KiB: the same bytes, the same messages), and
    // one that leaves out every binary value over 16 bytes, reading 5 bytes at a time.
    let tiny = HeadPolicy {
        elide_above: 16,
        chunk: 5,
    };
    let mut elided_files = 0;
    let files = inputs();
    assert!(files.len() > 900, "{} inputs", files.len());
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let whole = process_bytes(&bytes, &mapper, &limits);
        let whole_verdict = verdict(whole, true);
        let whole_reason = whole_verdict.split(' ').next().unwrap().to_string();
        for (policy, exact) in [(HeadPolicy::default(), true), (tiny, false)] {
            let file = read_opened(Cursor::new(&bytes), bytes.len() as u64, &limits, &policy)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if file.head.elided_values > 0 {
                elided_files += 1;
            }
            let outcome = process_bytes(&file.head.bytes, &mapper, &limits);
            let got = verdict(outcome, exact);
            if exact || got.starts_with("Document") || got.starts_with("[Document") {
                assert_eq!(got, whole_verdict, "{} ({policy:?})", path.display());
            } else {
                assert_eq!(got, whole_reason, "{} ({policy:?})", path.display());
            }
        }
    }
    // The tiny policy left values out of many files: the comparison covered patching.
    assert!(
        elided_files > 100,
        "{elided_files} files with values left out"
    );
}

/// Writes at `in/<relative>` a Part 10 secondary capture with `pixels` bytes of pixel
/// data (a sparse run of zeros: the test process never holds it), `document` bytes of
/// private text and a bitmap copy of a report in private elements. Returns its size.
fn write_image(env: &TestEnv, relative: &str, uid: &str, document: usize, pixels: usize) -> u64 {
    fn header(tag: (u16, u16), vr: &[u8; 2], len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(tag.0.to_le_bytes());
        out.extend(tag.1.to_le_bytes());
        out.extend_from_slice(vr);
        if matches!(vr, b"OB" | b"OW" | b"UT") {
            out.extend([0, 0]);
            out.extend((len as u32).to_le_bytes());
        } else {
            out.extend((len as u16).to_le_bytes());
        }
        out
    }
    fn element(tag: (u16, u16), vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
        let mut out = header(tag, vr, value.len());
        out.extend_from_slice(value);
        out
    }
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(element((0x0002, 0x0010), b"UI", b"1.2.840.10008.1.2.1\0"));
    out.extend(element(
        (0x0008, 0x0016),
        b"UI",
        b"1.2.840.10008.5.1.4.1.1.7\0",
    ));
    let mut uid = uid.as_bytes().to_vec();
    if uid.len() % 2 == 1 {
        uid.push(0);
    }
    out.extend(element((0x0008, 0x0018), b"UI", &uid));
    out.extend(element((0x0008, 0x0060), b"CS", b"OT"));
    // Private text that is not a results document (a reader of those would try it).
    let mut doc = b"private notes\n".to_vec();
    doc.resize(document, b' ');
    out.extend(element((0x0019, 0x1000), b"OB", &doc));
    out.extend(element((0x0029, 0x1000), b"OB", &vec![0x42; 512 * 1024]));
    out.extend(header((0x7FE0, 0x0010), b"OW", pixels));
    let path = env.write(relative, &out);
    let size = (out.len() + pixels) as u64;
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_len(size).unwrap();
    size
}

/// Bytes the process `pid` read (read(2) and friends), from /proc while it is a zombie.
fn rchar(pid: libc::pid_t) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).expect("/proc/PID/io");
    io.lines()
        .find_map(|l| l.strip_prefix("rchar: "))
        .and_then(|v| v.parse().ok())
        .expect("rchar")
}

/// Runs `scan in --out out` to its exit and returns the bytes it read (the process is
/// waited for without being reaped, so that /proc still holds its counters).
fn scan_reading(env: &TestEnv, extra: &[&str]) -> (i32, u64) {
    let mut child = dxa()
        .current_dir(env.dir.path())
        .args(["scan", "in", "--out", "out", "--quiet"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    // SAFETY: waitid on our own child with a zeroed siginfo; WNOWAIT leaves it unreaped.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let done = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    assert_eq!(done, 0, "waitid");
    let read = rchar(pid);
    let status = child.wait().expect("reap");
    (status.code().expect("exited"), read)
}

#[test]
fn a_scan_of_big_images_reads_their_headers() {
    let env = TestEnv::new();
    // A 100 MB CT-sized image, and twenty 1-3 MB report images.
    let mut total = write_image(&env, "ct/big.dcm", "1.2.3.1", 1000, 100 << 20);
    for i in 0..20usize {
        let pixels = (1 << 20) + i * 100_000;
        let uid = format!("1.2.3.{}", i + 2);
        total += write_image(&env, &format!("reports/{i:02}.dcm"), &uid, 20_000, pixels);
    }
    let (exit, read) = scan_reading(&env, &["--jobs", "2"]);
    // Images only, no results document: exit 4.
    assert_eq!(exit, 4);
    let files = env.csv("files.csv");
    assert_eq!(files.len(), 21);
    assert!(
        files
            .iter()
            .all(|r| r["status"] == "skipped" && r["reason"] == "not_sr"),
        "{files:?}"
    );
    // Each file: its header, its document, 64 KiB into the bitmap and 4 KiB after it (and
    // what the process reads besides: profiles, /proc); never the pixel data. Measured:
    // 1.5 MB for 156 MB of images.
    eprintln!("read {read} bytes for {total} bytes of images");
    assert!(read < 5 << 20, "read {read} bytes");
}

#[test]
fn a_100_mb_image_is_skipped_under_a_small_cap() {
    let env = TestEnv::new();
    write_image(&env, "ct.dcm", "1.2.3.4", 1000, 100 << 20);
    let output = env.scan(&["--max-file-size", "1"]);
    // Skipped for what it is; no document in the run: exit 4.
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let files = env.csv("files.csv");
    assert_eq!(
        (files[0]["status"].as_str(), files[0]["reason"].as_str()),
        ("skipped", "not_sr")
    );
}

/// `inspect ARG` in `dir`, failing (not hanging) after 30 s: the exit code, stdout and
/// stderr, and the peak RSS in KiB.
fn inspect(dir: &Path, arg: &str) -> (i32, String, i64) {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_dxa-ingest"));
    let run = measure(dir, &binary, &["inspect", arg], Duration::from_secs(30));
    (run.code, run.stdout + &run.stderr, run.max_rss_kib)
}

#[test]
fn inspect_refuses_what_is_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.dcm");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (exit, text, _) = inspect(dir.path(), "pipe.dcm");
    assert_eq!(exit, 1, "{text}");
    assert!(text.contains("cannot inspect pipe.dcm: FIFO"), "{text}");

    std::fs::create_dir(dir.path().join("folder")).unwrap();
    let (exit, text, _) = inspect(dir.path(), "folder");
    assert_eq!(exit, 1, "{text}");
    assert!(text.contains("a folder") && text.contains("scan"), "{text}");
    assert!(!text.contains("os error"), "{text}");

    let (exit, text, rss) = inspect(dir.path(), "/dev/zero");
    assert_eq!(exit, 1, "{text}");
    assert!(text.contains("character device"), "{text}");
    assert!(rss < 50 * 1024, "{rss} KiB");

    // A 2 GiB sparse file: its first chunk says it is not DICOM.
    let sparse = std::fs::File::create(dir.path().join("sparse.dcm")).unwrap();
    sparse.set_len(2 << 30).unwrap();
    let (exit, text, rss) = inspect(dir.path(), "sparse.dcm");
    assert_eq!(exit, 3, "{text}");
    assert!(text.contains("not_dicom"), "{text}");
    assert!(rss < 50 * 1024, "{rss} KiB");
    // The same with a DICOM header claiming 2 GiB of text: too large, unread.
    let mut header = vec![0u8; 128];
    header.extend_from_slice(b"DICM\x02\x00\x10\x00UI\x14\x001.2.840.10008.1.2.1\0");
    header.extend_from_slice(b"\x40\x00\x60\xA1UT\x00\x00\x00\x00\x00\x80");
    std::fs::write(dir.path().join("claims.dcm"), &header).unwrap();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("claims.dcm"))
        .unwrap();
    file.set_len(2 << 30).unwrap();
    let (exit, text, rss) = inspect(dir.path(), "claims.dcm");
    assert_eq!(exit, 3, "{text}");
    assert!(text.contains("too_large"), "{text}");
    assert!(rss < 50 * 1024, "{rss} KiB");
    assert!(
        !Path::new(&dir.path().join("out")).exists(),
        "inspect writes nothing"
    );
}
