//! A file swapped between the walk and the read (docs/columns.md, "What is read"), and `--files-from`
//! lists that are not lists. The swap is made deterministic: the scan reads a list whose
//! first files are slow to process (deflate bombs, inflated to the cap), so every entry is
//! classified before the first is opened; the test waits for that open (inotify), stops the
//! scan with SIGSTOP, checks that the last file was not opened yet, swaps it, and lets the
//! scan go on. It must not hang, and must not follow what was swapped in.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use dxa_fixtures::{Encoding, hologic_style, sample, sr_bytes};

use crate::bombs::deflated_bomb;
use crate::util::{Deadline, Row, TestEnv, code, dxa, stderr};

/// A deflated SR holding a 1 GiB OB of zeros: inflating it to the cap takes a while.
fn slow_file() -> Vec<u8> {
    let mut ds = Vec::new();
    ds.extend_from_slice(&[0x08, 0x00, 0x16, 0x00, b'U', b'I', 30, 0]);
    ds.extend_from_slice(b"1.2.840.10008.5.1.4.1.1.88.22\0");
    ds.extend_from_slice(&[0x09, 0x00, 0x00, 0x10, b'O', b'B', 0, 0]);
    ds.extend_from_slice(&(1u32 << 30).to_le_bytes());
    // 80 MiB of zeros, past the 64 MiB cap: the rest of the declared GiB is never reached.
    deflated_bomb(&ds, &[0], 80, &[])
}

/// inotify on one folder, for IN_OPEN events.
struct OpenWatch {
    fd: i32,
}

impl OpenWatch {
    fn new(dir: &Path) -> OpenWatch {
        // SAFETY: plain syscalls on a descriptor this struct owns.
        let fd = unsafe { libc::inotify_init1(libc::IN_CLOEXEC | libc::IN_NONBLOCK) };
        assert!(fd >= 0, "inotify_init1");
        let path = CString::new(dir.as_os_str().as_bytes()).unwrap();
        let wd = unsafe { libc::inotify_add_watch(fd, path.as_ptr(), libc::IN_OPEN) };
        assert!(wd >= 0, "inotify_add_watch");
        OpenWatch { fd }
    }

    /// Names opened since the last call (waiting up to `wait` for the first).
    fn opened(&self, wait: Duration) -> Vec<String> {
        let mut poll = libc::pollfd {
            fd: self.fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; a buffer as large as the read asks for.
        unsafe { libc::poll(&mut poll, 1, wait.as_millis() as i32) };
        let mut names = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = unsafe { libc::read(self.fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return names;
            }
            let mut at = 0;
            while at + 16 <= n as usize {
                let len = u32::from_ne_bytes(buf[at + 12..at + 16].try_into().unwrap()) as usize;
                let name = &buf[at + 16..at + 16 + len];
                let end = name.iter().position(|b| *b == 0).unwrap_or(len);
                names.push(String::from_utf8_lossy(&name[..end]).into_owned());
                at += 16 + len;
            }
        }
    }
}

impl Drop for OpenWatch {
    fn drop(&mut self) {
        // SAFETY: closing the descriptor this struct owns.
        unsafe { libc::close(self.fd) };
    }
}

/// Scans a list of three slow files and `in/x.dcm` (a good SR); swaps `x.dcm` with `swap`
/// once the scan has opened the first file and before it opens x.dcm. Returns files.csv.
/// The slow files read before the one swapped. Each takes the scan only a few ms (2-3 ms
/// measured: inflating zeros is fast), and the test must stop the scan before it opens the
/// last: three files left a margin of some 7 ms, which a loaded machine took twice (two
/// test suites at once). Two hundred leave about half a second (16 MB of bombs).
const SLOW_FILES: usize = 200;

fn swap_mid_scan(swap: impl FnOnce(&Path)) -> Vec<Row> {
    let env = TestEnv::new();
    let slow = slow_file();
    let mut list = String::new();
    for i in 1..=SLOW_FILES {
        let name = format!("a{i}.dcm");
        env.write(&name, &slow);
        list.push_str(&format!("in/{name}\n"));
    }
    let good = sr_bytes(&hologic_style(&sample::seed_study()), Encoding::default());
    let x = env.write("x.dcm", &good);
    list.push_str("in/x.dcm\n");
    std::fs::write(env.dir.path().join("list.txt"), list).unwrap();

    let watch = OpenWatch::new(&env.input());
    let child = dxa()
        .current_dir(env.dir.path())
        .args([
            "scan",
            "--files-from",
            "list.txt",
            "--out",
            "out",
            "--quiet",
        ])
        .args(["--jobs", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let started = Instant::now();
    while !watch
        .opened(Duration::from_millis(100))
        .contains(&"a1.dcm".to_string())
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "a1.dcm never opened"
        );
    }
    let deadline = Deadline::new(pid, Duration::from_secs(120));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGSTOP) };
    // Waits until the child has stopped (WUNTRACED reports a stop; the exit is still for
    // `wait_with_output` to collect).
    let mut status = 0;
    // SAFETY: waiting on our own child, whose status std has not collected.
    let waited = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WUNTRACED) };
    assert!(
        waited == pid as libc::pid_t && libc::WIFSTOPPED(status),
        "the scan did not stop: {status:#x}"
    );
    let opened = watch.opened(Duration::ZERO);
    assert!(
        !opened.contains(&"x.dcm".to_string()),
        "x.dcm was opened before the swap: the first files were not slow enough"
    );
    swap(&x);
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGCONT) };
    let output = child.wait_with_output().unwrap();
    assert!(!deadline.ended(), "the scan hangs after the swap");
    // Error rows, and no document in the run: exit 4.
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let files = env.csv("files.csv");
    assert_eq!(files.len(), SLOW_FILES + 1, "{files:?}");
    for row in &files[..SLOW_FILES] {
        assert_eq!(row["reason"], "too_large", "{row:?}");
    }
    files
}

/// Replaces `path` at once (rename) with what `make` creates at a temporary name.
fn replace(path: &Path, make: impl FnOnce(&Path)) {
    let temporary = path.with_extension("new");
    make(&temporary);
    std::fs::rename(&temporary, path).unwrap();
}

#[test]
fn a_fifo_swapped_in_after_the_walk_is_a_row_not_a_hang() {
    let files = swap_mid_scan(|x| {
        replace(x, |tmp| {
            let name = CString::new(tmp.as_os_str().as_bytes()).unwrap();
            // SAFETY: mkfifo on a path we own.
            assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        })
    });
    let x = &files[SLOW_FILES];
    assert_eq!(x["source_path"], "in/x.dcm");
    assert_eq!(
        (x["status"].as_str(), x["reason"].as_str()),
        ("skipped", "not_regular_file")
    );
    assert!(x["message"].contains("FIFO"), "{}", x["message"]);
}

#[test]
fn a_symlink_swapped_in_after_the_walk_is_not_followed() {
    let files = swap_mid_scan(|x| {
        replace(x, |tmp| {
            std::os::unix::fs::symlink("/dev/zero", tmp).unwrap()
        })
    });
    let x = &files[SLOW_FILES];
    assert_eq!(
        (x["status"].as_str(), x["reason"].as_str()),
        ("skipped", "not_regular_file")
    );
    assert!(
        x["message"].contains("symbolic link, not followed"),
        "{}",
        x["message"]
    );
}

#[test]
fn files_from_dev_zero_ends_cleanly() {
    let env = TestEnv::new();
    let output = env.scan_args(&["--files-from", "/dev/zero"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("/dev/zero") && text.contains("NUL"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    let left: Vec<_> = std::fs::read_dir(env.out())
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");

    // A line longer than PATH_MAX: the same.
    let long = format!("in/{}\n", "a".repeat(5000));
    std::fs::write(env.dir.path().join("long.txt"), long).unwrap();
    let output = env.scan_args(&["--files-from", "long.txt"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("line 1 of the list long.txt"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn files_from_skips_comments_and_blank_lines_and_trims_spaces() {
    let env = TestEnv::new();
    let good = sr_bytes(&hologic_style(&sample::seed_study()), Encoding::default());
    env.write("a b.dcm", &good);
    env.write("notes.txt", b"not DICOM\n");
    let list = "# exported by PACS query 2024-06-01\n\n   in/a b.dcm   \n\t\n  # in/notes.txt\nin/notes.txt\r\n";
    std::fs::write(env.dir.path().join("list.txt"), list).unwrap();
    let output = env.scan_args(&["--files-from", "list.txt"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let studies = env.csv("studies.csv");
    assert_eq!(studies.len(), 1);
    assert_eq!(studies[0]["source_path"], "in/a b.dcm");
    let files = env.csv("files.csv");
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["source_path"], "in/notes.txt");
}
