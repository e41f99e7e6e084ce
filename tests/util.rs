//! A test environment: a temporary folder, the binary, and CSV readers that give rows as
//! column -> value maps.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// One CSV row, by column name.
pub type Row = BTreeMap<String, String>;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `dxa-ingest scan fixtures/sample --quiet --out OUT <extra>` from the repository.
pub fn scan_sample_into(out: &Path, extra: &[&str]) -> Output {
    dxa()
        .current_dir(repo())
        .args(["scan", "fixtures/sample", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("run dxa-ingest")
}

/// A temporary folder with `in/` for inputs and `out/` for results.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("in")).expect("in/");
        TestEnv { dir }
    }

    pub fn input(&self) -> PathBuf {
        self.dir.path().join("in")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Writes `bytes` at `in/<relative>`, creating folders.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> PathBuf {
        let path = self.input().join(relative);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write input");
        path
    }

    /// `dxa-ingest scan in --out out <extra>` from the temp folder (relative paths).
    pub fn scan(&self, extra: &[&str]) -> Output {
        self.scan_args(&[&["in"], extra].concat())
    }

    /// A scan that waits on its list (a pipe kept open): mid-run for as long as the test
    /// wants. Returned once its staging folder exists, with that folder.
    pub fn waiting_scan(&self) -> (Child, PathBuf) {
        let child = dxa()
            .current_dir(self.dir.path())
            .args(["scan", "--files-from", "-", "--out", "out", "--quiet"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let staging = self
            .dir
            .path()
            .join(format!(".out.dxa-staging-{}", child.id()));
        let started = Instant::now();
        while !staging.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "scan never started"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        (child, staging)
    }

    /// Sends `signal` to a `waiting_scan` and collects it, its list still open until it has
    /// exited. `wait_with_output` alone would close the list first: the run could then end
    /// on its own and commit before its signal thread ran (seen on a loaded machine), and
    /// the test would see a finished run instead of an interrupted one.
    pub fn interrupt(mut child: Child, signal: i32) -> Output {
        let list = child.stdin.take();
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let output = child.wait_with_output().expect("wait for the scan");
        drop(list);
        output
    }

    /// `dxa-ingest scan <args> --out out --quiet` from the temp folder.
    pub fn scan_args(&self, args: &[&str]) -> Output {
        dxa()
            .current_dir(self.dir.path())
            .arg("scan")
            .args(args)
            .args(["--out", "out", "--quiet"])
            .output()
            .expect("run dxa-ingest")
    }

    pub fn csv(&self, name: &str) -> Vec<Row> {
        read_csv(&self.out().join(name))
    }

    pub fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.out().join(name)).expect("output exists")
    }
}

/// The binary under test.
/// A document's flags as documents.csv spells them.
pub fn flags(doc: &dxa_ingest::Document) -> Vec<String> {
    doc.flags.iter().map(ToString::to_string).collect()
}

pub fn dxa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dxa-ingest"))
}

pub fn read_csv(path: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let headers = reader.headers().expect("header row").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("valid CSV record");
            headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

pub fn header(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).expect("csv");
    reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect()
}

/// The rows whose `column` ends with `suffix`.
pub fn rows_where<'a>(rows: &'a [Row], column: &str, suffix: &str) -> Vec<&'a Row> {
    rows.iter()
        .filter(|r| r[column].ends_with(suffix))
        .collect()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The patient and study identifiers a DICOM file states (patient ID, the UIDs, accession
/// number, institution, each part of the patient's name, the birth date as written and as
/// ISO 8601), and `extra` tags' values; nothing for a file dicom-object cannot read. The
/// privacy tests look for each in outputs that must not hold them.
pub fn dicom_identifiers(path: &Path, extra: &[dicom_core::Tag]) -> Vec<String> {
    use dicom_dictionary_std::tags;
    let Ok(object) = dicom_object::OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .open_file(path)
    else {
        return Vec::new();
    };
    let text = |tag| {
        object
            .element(tag)
            .ok()
            .and_then(|e| e.to_str().ok())
            .map(|t| t.trim().to_string())
            .unwrap_or_default()
    };
    let mut out: Vec<String> = [
        tags::PATIENT_ID,
        tags::SOP_INSTANCE_UID,
        tags::STUDY_INSTANCE_UID,
        tags::SERIES_INSTANCE_UID,
        tags::ACCESSION_NUMBER,
        tags::INSTITUTION_NAME,
    ]
    .iter()
    .chain(extra)
    .map(|tag| text(*tag))
    .collect();
    out.extend(text(tags::PATIENT_NAME).split('^').map(str::to_string));
    let birth = text(tags::PATIENT_BIRTH_DATE);
    if birth.len() == 8 {
        out.push(format!("{}-{}-{}", &birth[..4], &birth[4..6], &birth[6..]));
        out.push(birth);
    }
    out
}

/// Every regular file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A deadline for a blocking wait on a process: unless dropped (or `ended`) within
/// `timeout`, the process is killed (SIGKILL), so that the wait returns and the test can
/// say what hung.
pub struct Deadline {
    cancel: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<bool>>,
}

impl Deadline {
    /// Starts counting for process `pid`.
    pub fn new(pid: u32, timeout: Duration) -> Deadline {
        let (cancel, cancelled) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            match cancelled.recv_timeout(timeout) {
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    // SAFETY: signalling a child of this test, still unwaited for.
                    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                    true
                }
                _ => false,
            }
        });
        Deadline {
            cancel: Some(cancel),
            thread: Some(thread),
        }
    }

    /// Stops counting; whether the deadline passed (and the process was killed).
    pub fn ended(mut self) -> bool {
        self.stop()
    }

    fn stop(&mut self) -> bool {
        drop(self.cancel.take());
        self.thread
            .take()
            .is_some_and(|thread| thread.join().expect("deadline thread"))
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        self.stop();
    }
}
