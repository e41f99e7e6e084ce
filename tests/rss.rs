//! Peak memory of a child process, measured with wait4, without the test process's own
//! memory in it.
//!
//! Linux starts a new program's peak RSS (`ru_maxrss`) at the peak of the process it
//! replaced (exec_mmap: `setmax_mm_hiwater_rss`), and std spawns children with vfork, whose
//! "process it replaced" is the spawning process's memory: a scan spawned by this test
//! binary, after some test held 600 MB, reports 600 MB whatever it used. So the scan is
//! spawned by a trampoline: this test binary started afresh (a few MB), which runs the
//! command, waits for it with wait4 and writes the exit code, the peak RSS and stderr to a
//! file. The `trampoline` test is that mode, and a check that it measures honestly.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set to `program\x1Farg\x1F...` to run the `trampoline` test as one.
const COMMAND: &str = "DXA_TEST_TRAMPOLINE_COMMAND";
/// Where the trampoline writes its result.
const RESULT: &str = "DXA_TEST_TRAMPOLINE_RESULT";

/// A finished child.
#[derive(Debug)]
pub struct Measured {
    /// Its exit code.
    pub code: i32,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Its peak resident set, in KiB.
    pub max_rss_kib: i64,
}

/// Runs `program args` in `dir` through the trampoline; fails the test if it runs longer
/// than `timeout` or is killed by a signal.
pub fn measure(dir: &Path, program: &Path, args: &[&str], timeout: Duration) -> Measured {
    let result = tempfile::NamedTempFile::new().expect("result file");
    let mut command = vec![program.to_string_lossy().into_owned()];
    command.extend(args.iter().map(|a| a.to_string()));
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "rss::trampoline", "--test-threads=1", "--quiet"])
        .env(COMMAND, command.join("\x1F"))
        .env(RESULT, result.path())
        .env("DXA_TEST_TRAMPOLINE_TIMEOUT", timeout.as_secs().to_string())
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()
        .expect("trampoline");
    assert!(status.success(), "trampoline failed: {status}");
    let text = std::fs::read_to_string(result.path()).expect("trampoline result");
    let mut lines = text.splitn(4, '\n');
    let mut number = || {
        lines
            .next()
            .and_then(|l| l.parse::<i64>().ok())
            .expect("number")
    };
    let code = number() as i32;
    let max_rss_kib = number();
    let stdout_len = number() as usize;
    let rest = lines.next().unwrap_or("");
    Measured {
        code,
        stdout: rest[..stdout_len].to_string(),
        stderr: rest[stdout_len..].to_string(),
        max_rss_kib,
    }
}

/// The trampoline's side: run, wait4, write the result.
// The child is reaped by wait4 below, which std's `wait` cannot do with its rusage.
#[allow(clippy::zombie_processes)]
fn run_as_trampoline(command: &str, result: &str) {
    let mut parts = command.split('\x1F');
    let program = parts.next().expect("program");
    let timeout: u64 = std::env::var("DXA_TEST_TRAMPOLINE_TIMEOUT")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(60);
    let mut child = Command::new(program)
        .args(parts)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Drain both as they come, so a chatty child never blocks on a full pipe.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let pid = child.id() as libc::pid_t;
    let started = Instant::now();
    let mut status = 0;
    // SAFETY: a zeroed rusage, filled by wait4 on our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let done = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if done == pid {
            break;
        }
        assert_eq!(done, 0, "wait4 failed");
        if started.elapsed() > Duration::from_secs(timeout) {
            let _ = child.kill();
            panic!("{command:?} did not finish in {timeout} s (a hang?)");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = std::process::ExitStatus::from_raw(status);
    let code = status
        .code()
        .unwrap_or_else(|| panic!("{command:?} killed by signal {:?}", status.signal()));
    let stdout = stdout.join().expect("stdout reader");
    let stderr = stderr.join().expect("stderr reader");
    let out = format!(
        "{code}\n{}\n{}\n{stdout}{stderr}",
        usage.ru_maxrss,
        stdout.len()
    );
    std::fs::write(result, out).expect("write result");
}

#[test]
fn trampoline() {
    if let (Ok(command), Ok(result)) = (std::env::var(COMMAND), std::env::var(RESULT)) {
        run_as_trampoline(&command, &result);
        return;
    }
    // As a test: with 64 MB held here, a shell that holds almost nothing measures as little.
    let held: Vec<u8> = vec![1; 64 << 20];
    let dir = tempfile::tempdir().unwrap();
    let shell = measure(
        dir.path(),
        Path::new("/bin/sh"),
        &["-c", "echo out; echo to stderr >&2; exit 7"],
        Duration::from_secs(30),
    );
    assert_eq!(shell.code, 7);
    assert_eq!(shell.stdout, "out\n");
    assert_eq!(shell.stderr, "to stderr\n");
    assert!(shell.max_rss_kib > 0);
    assert!(
        shell.max_rss_kib < 16 * 1024,
        "{} KiB for sh: the measure includes this process",
        shell.max_rss_kib
    );
    assert_eq!(held.iter().map(|b| *b as usize).sum::<usize>(), 64 << 20);
}
