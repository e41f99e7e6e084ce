//! Real peers for the network tests: Orthanc (a PACS) and dcmtk's tools, started and stopped
//! by the tests on free loopback ports, each in its own temporary folder. They are installed
//! by scripts/test.sh; a missing one is a test failure, not a skip.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::objects::{Identity, fixture_objects};
use crate::util::dxa;

/// A port nobody listens on right now, for a peer that must be told its port before it
/// binds it (Orthanc's configuration, pull's --move-port): callers retry with another when
/// the peer finds it taken.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind an ephemeral port")
        .local_addr()
        .expect("local address")
        .port()
}

/// Whether process `pid` holds a socket listening on TCP `port` (/proc/net/tcp{,6}: the
/// listening sockets' inodes; /proc/PID/fd: the process's sockets).
pub fn listens_on(pid: u32, port: u16) -> bool {
    const LISTEN: &str = "0A";
    let inodes: Vec<String> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| fs::read_to_string(table).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let local_port = fields.get(1)?.rsplit(':').next()?;
                    let listening = fields.get(3) == Some(&LISTEN);
                    let inode = fields.get(9)?;
                    (listening && u16::from_str_radix(local_port, 16).ok()? == port)
                        .then(|| format!("socket:[{inode}]"))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(|fd| fs::read_link(fd.ok()?.path()).ok())
        .any(|target| {
            inodes
                .iter()
                .any(|inode| target.as_os_str() == inode.as_str())
        })
}

#[test]
fn a_listening_socket_is_found_in_its_process_only() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    assert!(listens_on(std::process::id(), port));
    // Not another process's, and not once closed.
    assert!(!listens_on(1, port));
    drop(listener);
    assert!(!listens_on(std::process::id(), port));
}

/// A port that refuses connections for as long as the socket lives: bound, never listening
/// (nobody else can take it meanwhile).
pub fn refusing_port() -> (socket2::Socket, u16) {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().expect("address");
    socket.bind(&any.into()).expect("bind");
    let port = socket
        .local_addr()
        .expect("address")
        .as_socket()
        .expect("IPv4")
        .port();
    (socket, port)
}

/// Orthanc, with its own configuration and storage folder.
pub struct Orthanc {
    child: Child,
    /// Its DICOM port (AE title ORTHANC).
    pub port: u16,
    log: PathBuf,
}

impl Orthanc {
    /// Starts Orthanc in `dir`; `move_destination` (AE title, port) is the modality C-MOVE
    /// may send to; the called AE title is checked (a wrong one is refused).
    pub fn start(dir: &Path, move_destination: Option<(&str, u16)>) -> Orthanc {
        Orthanc::start_with(dir, move_destination, "")
    }

    /// Starts Orthanc with `extra` lines in its configuration (each ending with a comma).
    /// Its port is picked free, then bound by Orthanc: if another process took it in
    /// between, Orthanc exits and is started again on another port.
    pub fn start_with(dir: &Path, move_destination: Option<(&str, u16)>, extra: &str) -> Orthanc {
        let mut failures = Vec::new();
        for _ in 0..5 {
            match Orthanc::try_start(dir, move_destination, extra) {
                Ok(orthanc) => return orthanc,
                Err(log) => failures.push(log),
            }
        }
        panic!("Orthanc did not start: {failures:#?}");
    }

    fn try_start(
        dir: &Path,
        move_destination: Option<(&str, u16)>,
        extra: &str,
    ) -> Result<Orthanc, String> {
        fs::create_dir_all(dir.join("storage")).expect("orthanc storage folder");
        let port = free_port();
        let modalities = match move_destination {
            Some((aet, move_port)) => {
                format!(r#"{{ "dxa": ["{aet}", "127.0.0.1", {move_port}] }}"#)
            }
            None => "{}".to_string(),
        };
        let config = format!(
            r#"{{
  "Name": "dxa-ingest test",
  "StorageDirectory": "{storage}",
  "IndexDirectory": "{storage}",
  "DicomAet": "ORTHANC",
  "DicomPort": {port},
  "HttpServerEnabled": false,
  "DicomCheckCalledAet": true,
  "DicomAlwaysAllowStore": true,
  "DicomAlwaysAllowFind": true,
  "DicomAlwaysAllowGet": true,
  "DicomAlwaysAllowMove": true,
  "DicomModalities": {modalities},
  "StorageCompression": false,
  {extra}
  "Plugins": []
}}"#,
            storage = dir.join("storage").display(),
        );
        let config_path = dir.join("orthanc.json");
        fs::write(&config_path, config).expect("write orthanc.json");
        let log = dir.join("orthanc.log");
        // Debian installs it in /usr/sbin, not on a normal user's PATH.
        let binary = if Path::new("/usr/sbin/Orthanc").exists() {
            "/usr/sbin/Orthanc"
        } else {
            "Orthanc"
        };
        let child = Command::new(binary)
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).expect("orthanc log"))
            .spawn()
            .expect("start Orthanc (scripts/test.sh installs the Debian package `orthanc`)");
        let mut orthanc = Orthanc { child, port, log };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            // Orthanc's own socket: a process that took the port between free_port and
            // Orthanc's bind also answers a connection (and Orthanc then exits).
            if TcpStream::connect(("127.0.0.1", port)).is_ok()
                && listens_on(orthanc.child.id(), port)
            {
                return Ok(orthanc);
            }
            if orthanc.child.try_wait().expect("poll Orthanc").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = orthanc.child.kill();
        Err(fs::read_to_string(&orthanc.log).unwrap_or_default())
    }

    /// Stores each file with dcmtk's storescu; returns the files it accepted (storescu
    /// refuses what dcmtk cannot read: junk, the DICOMDIR, a file without preamble).
    /// Stores every fixture object Orthanc accepts; returns those, by SOP Instance UID.
    pub fn store_fixtures(&self) -> BTreeMap<String, (PathBuf, Identity)> {
        let fixtures = fixture_objects();
        let files: Vec<PathBuf> = fixtures.values().map(|(p, _)| p.clone()).collect();
        let stored = self.store(&files);
        fixtures
            .into_iter()
            .filter(|(_, (p, _))| stored.contains(p))
            .collect()
    }

    pub fn store(&self, files: &[PathBuf]) -> Vec<PathBuf> {
        files
            .iter()
            .filter(|file| {
                storescu("DXA-TEST", "ORTHANC", self.port, &[file.as_path()])
                    .status
                    .success()
            })
            .cloned()
            .collect()
    }
}

impl Drop for Orthanc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `storescu -aet CALLING -aec CALLED 127.0.0.1 PORT FILES...`.
pub fn storescu(calling: &str, called: &str, port: u16, files: &[&Path]) -> Output {
    storescu_command(calling, called, port, files)
        .output()
        .expect("run storescu (scripts/test.sh installs dcmtk)")
}

/// The storescu command, to spawn.
pub fn storescu_command(calling: &str, called: &str, port: u16, files: &[&Path]) -> Command {
    let mut command = Command::new("storescu");
    command
        .args(["-aet", calling, "-aec", called, "127.0.0.1"])
        .arg(port.to_string())
        .args(files)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// `dxa-ingest listen` running in a folder, its stderr in `listen.log`.
pub struct Listener {
    child: Child,
    /// Its port.
    pub port: u16,
    log: PathBuf,
}

impl Listener {
    /// Starts `dxa-ingest listen --port 0 <args>` in `dir`: listen binds a port the system
    /// picks and says which in its first log line (text or JSON).
    pub fn start(dir: &Path, args: &[&str]) -> Listener {
        let log = dir.join("listen.log");
        let mut child = dxa()
            .current_dir(dir)
            .args(["listen", "--port", "0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log).expect("listen log"))
            .spawn()
            .expect("start dxa-ingest listen");
        let started = Instant::now();
        loop {
            let text = fs::read_to_string(&log).unwrap_or_default();
            if let Some(port) = listening_port(&text) {
                return Listener { child, port, log };
            }
            assert!(
                child.try_wait().expect("poll listen").is_none(),
                "listen exited: {text}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "listen did not open its port: {text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What it logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits: the exit code and the whole log.
    pub fn terminate(self) -> (i32, String) {
        signal(self.child.id(), libc::SIGTERM);
        self.wait()
    }

    /// Waits for it to exit (after a signal sent by the test): the exit code and the log.
    pub fn wait(self) -> (i32, String) {
        self.wait_at_most(Duration::from_secs(120))
    }

    /// Waits at most `limit` for it to exit: the exit code and the log.
    pub fn wait_at_most(mut self, limit: Duration) -> (i32, String) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for listen") {
                return (status.code().unwrap_or(-1), self.log());
            }
            assert!(
                started.elapsed() < limit,
                "listen did not stop within {limit:?}: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of listen's first log line: `... listen: port N ...` (text) or
/// `"message":"port N ...` (JSON).
fn listening_port(log: &str) -> Option<u16> {
    let line = log.lines().next()?;
    let at = line.find("port ")? + "port ".len();
    let digits: String = line[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Sends a signal to a process.
pub fn signal(pid: u32, signal: i32) {
    // SAFETY: kill(2) on a child of this process; no memory is touched.
    let result = unsafe { libc::kill(pid as i32, signal) };
    assert_eq!(result, 0, "kill({pid}, {signal})");
}

/// Bytes a process has written so far (sockets included), from /proc/PID/io.
pub fn bytes_written(pid: u32) -> u64 {
    let mut text = String::new();
    if fs::File::open(format!("/proc/{pid}/io"))
        .and_then(|mut f| f.read_to_string(&mut text))
        .is_err()
    {
        return 0;
    }
    text.lines()
        .find_map(|line| line.strip_prefix("wchar: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}
