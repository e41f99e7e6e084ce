//! `pull` and `listen` against real peers (docs/network.md): Orthanc as the PACS, dcmtk's
//! storescu and echoscu as scanners. Every test has its own folders and ports.

mod checks;
mod fake_pacs;
mod listen_guard;
mod objects;
mod peers;
mod pull_guard;
mod service;
mod startup_log;
mod tls;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use checks::{
    assert_outputs_equal_a_scan, assert_pulled, assert_same_data_sets, count_before,
    kill_mid_transfer, mtimes, results, run_in, wait_until,
};
use objects::{Identity, archive_objects, big_secondary_capture, fixture_objects, pixel_data};
use peers::{
    Listener, Orthanc, bytes_written, free_port, refusing_port, signal, storescu, storescu_command,
};

use crate::util::{code, stderr};

#[test]
fn pull_fetches_the_result_objects_once_with_c_get() {
    let dir = tempfile::tempdir().expect("temp dir");
    let orthanc = Orthanc::start(&dir.path().join("orthanc"), None);
    let stored = orthanc.store_fixtures();
    let expected = results(&stored);
    // The fixture tree holds SRs, secondary captures, a CT and a PDF: only the first two.
    assert!(expected.len() >= 10, "{expected:?}");
    assert!(stored.len() > expected.len());

    let from = format!("ORTHANC@127.0.0.1:{}", orthanc.port);
    let pull = run_in(
        dir.path(),
        &[
            "pull",
            "--from",
            &from,
            "--archive",
            "archive",
            "--out",
            "out",
            "--quiet",
        ],
    );
    let archived = assert_pulled(dir.path(), &pull, &expected, &stored);
    let last = stderr(&pull);
    assert!(
        last.trim_end()
            .lines()
            .last()
            .unwrap_or("")
            .contains("documents ingested"),
        "the scan's summary line ends stderr: {last}"
    );

    // A second pull lists the same objects and fetches none of them.
    let before = mtimes(&archived);
    let again = run_in(
        dir.path(),
        &["pull", "--from", &from, "--archive", "archive", "--quiet"],
    );
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    let summary = stderr(&again);
    assert!(
        summary.contains(&format!("{} already archived, 0 retrieved", expected.len())),
        "{summary}"
    );
    let after = archive_objects(&dir.path().join("archive"));
    assert_eq!(after.len(), archived.len());
    assert_eq!(mtimes(&after), before, "archived files were rewritten");

    // A called AE title the PACS does not answer to: refused, exit 1, said so.
    let wrong = format!("NOTORTHANC@127.0.0.1:{}", orthanc.port);
    let refused = run_in(
        dir.path(),
        &["pull", "--from", &wrong, "--archive", "archive"],
    );
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("refused the association"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn pull_with_move_port_fetches_the_date_range() {
    // Orthanc must be told the move port before pull binds it: if another process takes it
    // in between, pull says so, and the whole is tried again on another port.
    for _ in 0..3 {
        let dir = tempfile::tempdir().expect("temp dir");
        let move_port = free_port();
        let orthanc = Orthanc::start(&dir.path().join("orthanc"), Some(("DXA-MOVE", move_port)));
        let in_2024: BTreeMap<String, (PathBuf, Identity)> = orthanc
            .store_fixtures()
            .into_iter()
            .filter(|(_, (_, id))| id.study_date.starts_with("2024"))
            .collect();
        let expected = results(&in_2024);
        assert!(expected.len() >= 3, "{expected:?}");
        let pull = pull_by_move(dir.path(), orthanc.port, move_port);
        if stderr(&pull).contains("cannot listen on port") {
            continue;
        }
        assert_pulled(dir.path(), &pull, &expected, &in_2024);
        return;
    }
    panic!("the move port was taken three times");
}

fn pull_by_move(dir: &Path, orthanc_port: u16, move_port: u16) -> std::process::Output {
    let from = format!("ORTHANC@127.0.0.1:{orthanc_port}");
    run_in(
        dir,
        &[
            "pull",
            "--from",
            &from,
            "--ae-title",
            "DXA-MOVE",
            "--move-port",
            &move_port.to_string(),
            "--since",
            "20240101",
            "--until",
            "20241231",
            "--archive",
            "archive",
            "--out",
            "out",
            "--quiet",
        ],
    )
}

#[test]
fn pull_from_an_unreachable_pacs_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_closed, port) = refusing_port();
    let from = format!("PACS@127.0.0.1:{port}");
    let pull = run_in(
        dir.path(),
        &["pull", "--from", &from, "--archive", "archive"],
    );
    assert_eq!(code(&pull), 1);
    let message = stderr(&pull);
    assert!(message.contains("cannot reach PACS@127.0.0.1"), "{message}");
    assert_eq!(
        message.matches("refused").count(),
        1,
        "said once: {message}"
    );
}

#[test]
fn listen_stores_every_object_once_from_several_senders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big_path = dir.path().join("big.dcm");
    let big_sop = big_secondary_capture(&big_path, 48 << 20, 1);
    let fixtures = fixture_objects();
    let files: Vec<&Path> = fixtures.values().map(|(p, _)| p.as_path()).collect();
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--out",
            "out",
            "--rescan-after",
            "1",
            "--ae-title",
            "DXA",
            "--allow",
            "SENDER1",
            "--allow",
            "SENDER2",
            "--allow",
            "SENDER3",
            "--allow",
            "ECHO",
            "--max-pdu",
            "16384",
        ],
    );
    let port = listener.port;

    let echo = Command::new("echoscu")
        .args([
            "-aet",
            "ECHO",
            "-aec",
            "DXA",
            "127.0.0.1",
            &port.to_string(),
        ])
        .output()
        .expect("run echoscu");
    assert!(echo.status.success(), "{}", stderr(&echo));
    let intruder = storescu("INTRUDER", "DXA", port, &files[..1]);
    assert!(!intruder.status.success(), "a refused AE title must fail");

    // Three senders at once: one plain, one sending everything twice, one killed in the
    // middle of a large object.
    let twice: Vec<&Path> = files.iter().chain(files.iter()).copied().collect();
    let first = storescu_command("SENDER1", "DXA", port, &files)
        .spawn()
        .expect("storescu");
    let second = storescu_command("SENDER2", "DXA", port, &twice)
        .spawn()
        .expect("storescu");
    let doomed = storescu_command("SENDER3", "DXA", port, &[big_path.as_path()])
        .spawn()
        .expect("storescu");
    kill_mid_transfer(doomed, 8 << 20);
    for sender in [first, second] {
        let output = sender.wait_with_output().expect("storescu");
        assert!(output.status.success(), "{}", stderr(&output));
    }
    // Nothing of the killed transfer was kept; a full resend is stored whole.
    assert!(!archive_objects(&dir.path().join("archive")).contains_key(&big_sop));
    let resend = storescu("SENDER3", "DXA", port, &[big_path.as_path()]);
    assert!(resend.status.success(), "{}", stderr(&resend));

    // The quiet period passes: the outputs catch up with the archive before any signal.
    let archive = dir.path().join("archive");
    let count = archive_objects(&archive).len();
    wait_until("the quiet-period scan", Duration::from_secs(60), || {
        listener
            .log()
            .lines()
            .rev()
            .find(|l| l.contains(" files seen,"))
            .is_some_and(|l| l.contains(&format!("listen: scan: {count} files seen,")))
    });
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");

    let archived = archive_objects(&archive);
    let mut expected: BTreeSet<String> = fixtures.keys().cloned().collect();
    expected.insert(big_sop.clone());
    assert_eq!(archived.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let mut small = archived.clone();
    let big_copy = small.remove(&big_sop).expect("the big object");
    assert_same_data_sets(&small, &fixtures);
    assert_eq!(pixel_data(&big_copy), pixel_data(&big_path));
    assert_outputs_equal_a_scan(dir.path(), "archive", "out");

    let line = |who: &str| -> Vec<&str> {
        log.lines()
            .filter(|l| l.contains(&format!("{who}@127.0.0.1")))
            .collect()
    };
    assert!(line("ECHO")[0].contains("1 echo"), "{log}");
    // Each of SENDER2's objects came twice: the second copy was never written again.
    let second_line = line("SENDER2")[0];
    let stored = count_before(second_line, " stored");
    let already = count_before(second_line, " already archived");
    assert_eq!(stored + already, 2 * files.len() as u64, "{second_line}");
    assert!(already >= files.len() as u64, "{second_line}");
    let third = line("SENDER3");
    assert_eq!(third.len(), 2, "{log}");
    assert!(
        third[0].contains("0 stored") && third[0].contains("broken"),
        "{log}"
    );
    assert!(third[1].contains("1 stored"), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("association refused: calling AE title not recognized")),
        "{log}"
    );
}

#[test]
fn listen_answers_failure_when_an_object_cannot_be_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = fixture_objects();
    let (victim, victim_id) = fixtures
        .values()
        .find(|(_, id)| id.modality == "SR")
        .expect("an SR fixture")
        .clone();
    // The study folder of the victim cannot be created: a file is in the way.
    let archive = dir.path().join("archive");
    fs::create_dir_all(&archive).expect("archive");
    fs::write(archive.join(&victim_id.study), b"in the way").expect("blocker");
    let big_path = dir.path().join("big.dcm");
    let big_sop = big_secondary_capture(&big_path, 2 << 20, 2);
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--max-file-size",
            "1",
            "--ae-title",
            "DXA",
        ],
    );
    for file in [victim.as_path(), big_path.as_path()] {
        let sent = storescu_command("SENDER", "DXA", listener.port, &[file])
            .arg("-v")
            .output()
            .expect("storescu");
        let said = stderr(&sent);
        assert!(
            said.contains("Received Store Response (Refused: OutOfResources)"),
            "storescu must be told: {said}"
        );
    }
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    assert_eq!(log.matches("1 refused").count(), 2, "{log}");
    assert!(log.contains("cannot store"), "{log}");
    assert!(log.contains("--max-file-size"), "{log}");
    // Nothing stored, nothing half-written.
    assert!(
        fs::read_dir(archive.join(".incoming"))
            .expect("incoming")
            .next()
            .is_none()
    );
    assert!(archive.join(&victim_id.study).is_file());
    let studies = fs::read_dir(&archive).expect("archive").count();
    assert_eq!(studies, 2, "only .incoming and the blocker: {big_sop}");
}

#[test]
fn sigterm_finishes_the_transfer_in_progress() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big_path = dir.path().join("big.dcm");
    let big_sop = big_secondary_capture(&big_path, 48 << 20, 3);
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--out",
            "out",
            "--max-pdu",
            "16384",
            // Enough for the rest of the transfer on a loaded machine.
            "--grace",
            "120",
        ],
    );
    let mut sender = storescu_command("SENDER", "ANY", listener.port, &[big_path.as_path()])
        .spawn()
        .expect("storescu");
    wait_until("4 MiB sent", Duration::from_secs(60), || {
        assert!(sender.try_wait().expect("poll").is_none(), "sent too fast");
        bytes_written(sender.id()) >= 4 << 20
    });
    signal(listener.pid(), libc::SIGTERM);
    // The port closes at once: a new sender is refused by the system, not left waiting.
    let port = listener.port;
    wait_until("the port to close", Duration::from_secs(10), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
    });
    // The transfer in progress is finished and answered with success.
    let output = sender.wait_with_output().expect("storescu");
    assert!(output.status.success(), "{}", stderr(&output));
    let (exit, log) = listener.wait();
    assert_eq!(exit, 0, "{log}");
    let archived = archive_objects(&dir.path().join("archive"));
    assert_eq!(pixel_data(&archived[&big_sop]), pixel_data(&big_path));
    // The outputs were brought up to date at shutdown: the image is a files.csv row.
    let files = crate::util::read_csv(&dir.path().join("out/files.csv"));
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0]["source_path"].ends_with(&format!("{big_sop}.dcm")),
        "{files:?}"
    );
}

#[test]
fn listen_refuses_associations_beyond_its_limit_then_accepts_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = fixture_objects();
    let (file, id) = fixtures.values().next().expect("a fixture").clone();
    let listener = Listener::start(
        dir.path(),
        &[
            "--archive",
            "archive",
            "--max-associations",
            "1",
            "--timeout",
            "30",
        ],
    );
    // An association that sends nothing holds the only slot (it is established once
    // the acceptance has arrived: the slot is taken by then).
    let silent = listen_guard::idle_association(listener.port, "IDLE");
    let busy = storescu("SENDER", "ANY", listener.port, &[file.as_path()]);
    let said = stderr(&busy);
    assert!(!busy.status.success(), "{said}\n{}", listener.log());
    assert!(
        said.contains("Transient"),
        "a transient rejection, to retry: {said}"
    );
    silent.release();
    wait_until("the slot to free", Duration::from_secs(10), || {
        storescu("SENDER", "ANY", listener.port, &[file.as_path()])
            .status
            .success()
    });
    let (exit, log) = listener.terminate();
    assert_eq!(exit, 0, "{log}");
    assert!(
        log.contains("local limit exceeded: 1 associations already in progress"),
        "{log}"
    );
    assert!(archive_objects(&dir.path().join("archive")).contains_key(&id.sop_instance));
}

#[test]
fn listen_on_a_port_in_use_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = std::net::TcpListener::bind("0.0.0.0:0").expect("bind");
    let port = taken.local_addr().expect("address").port().to_string();
    let listen = run_in(
        dir.path(),
        &["listen", "--port", &port, "--archive", "archive"],
    );
    assert_eq!(code(&listen), 1, "{}", stderr(&listen));
    assert!(
        stderr(&listen).contains(&format!("cannot listen on port {port}")),
        "{}",
        stderr(&listen)
    );
}
