//! `pull` against a PACS that misbehaves (docs/network.md, "`pull`", "Limits"): too many
//! matches, pending responses forever, objects from strangers or of other studies on the
//! C-MOVE port.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use super::checks::run_in;
use super::fake_pacs::{FakePacs, Script};
use super::objects::{archive_objects, big_secondary_capture};
use super::peers::free_port;
use crate::util::{code, dxa, stderr};

#[test]
fn pull_stops_at_max_studies_before_retrieving() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pacs = FakePacs::start(Script::ManyStudies(50));
    let from = format!("FAKEPACS@127.0.0.1:{}", pacs.port);
    let over = run_in(
        dir.path(),
        &[
            "pull",
            "--from",
            &from,
            "--archive",
            "archive",
            "--max-studies",
            "20",
        ],
    );
    assert_eq!(code(&over), 1, "{}", stderr(&over));
    let message = stderr(&over);
    assert!(
        message.contains("more than 20 studies matching the query: nothing was retrieved")
            && message.contains("--max-studies"),
        "{message}"
    );
    let within = run_in(
        dir.path(),
        &[
            "pull",
            "--from",
            &from,
            "--archive",
            "archive",
            "--max-studies",
            "50",
        ],
    );
    assert_eq!(code(&within), 0, "{}", stderr(&within));
    assert!(
        stderr(&within).contains(": 50 studies,"),
        "{}",
        stderr(&within)
    );
}

/// Runs `pull ARGS` in `dir`, killing it (and failing) if it has not ended in `limit`.
fn pull_at_most(dir: &std::path::Path, args: &[&str], limit: Duration) -> Output {
    let mut child = dxa()
        .current_dir(dir)
        .arg("pull")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pull");
    let started = Instant::now();
    while child.try_wait().expect("poll pull").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().expect("pull output");
            panic!("pull still running after {limit:?}: {}", stderr(&output));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("pull output")
}

#[test]
fn a_pacs_dripping_pending_responses_cannot_hold_pull() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pacs = FakePacs::start(Script::Drip(Duration::from_millis(200)));
    let from = format!("FAKEPACS@127.0.0.1:{}", pacs.port);
    let pull = pull_at_most(
        dir.path(),
        &["--from", &from, "--archive", "archive", "--deadline", "2"],
        Duration::from_secs(60),
    );
    assert_eq!(code(&pull), 1, "{}", stderr(&pull));
    let message = stderr(&pull);
    assert!(
        message.contains("the PACS did not answer in time") && message.contains("--deadline"),
        "{message}"
    );
}

/// The C-MOVE port takes only the PACS's AE title, and only objects of the studies asked
/// for: a stranger who finds the port, or a PACS sending another patient's study, stores
/// nothing.
#[test]
fn the_move_receiver_takes_only_the_pacs_and_the_studies_asked_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let asked = dir.path().join("asked.dcm");
    let other = dir.path().join("other.dcm");
    let asked_sop = big_secondary_capture(&asked, 8192, 11);
    let other_sop = big_secondary_capture(&other, 8192, 12);
    // The fake PACS must know the move port before pull binds it: retried if taken.
    for _ in 0..3 {
        let port = free_port();
        let pacs = FakePacs::start(Script::Move {
            study: "2.25.800000011".into(),
            series: "2.25.700000011".into(),
            instance: asked_sop.clone(),
            port,
            sends: vec![
                ("INTRUDER".into(), asked.clone()),
                ("FAKEPACS".into(), other.clone()),
                ("FAKEPACS".into(), asked.clone()),
            ],
        });
        let from = format!("FAKEPACS@127.0.0.1:{}", pacs.port);
        let port_text = port.to_string();
        let pull = pull_at_most(
            dir.path(),
            &[
                "--from",
                &from,
                "--ae-title",
                "DXA",
                "--move-port",
                &port_text,
                "--archive",
                "archive",
            ],
            Duration::from_secs(120),
        );
        let message = stderr(&pull);
        if message.contains("cannot listen on port") {
            continue;
        }
        assert_eq!(code(&pull), 0, "{message}");
        let archived = archive_objects(&dir.path().join("archive"));
        assert_eq!(
            archived.keys().collect::<Vec<_>>(),
            vec![&asked_sop],
            "{message}"
        );
        assert!(!archived.contains_key(&other_sop));
        assert!(
            message.contains("INTRUDER@127.0.0.1")
                && message.contains("calling AE title not recognized"),
            "{message}"
        );
        assert!(message.contains("which was not asked for"), "{message}");
        return;
    }
    panic!("the move port was taken three times");
}
