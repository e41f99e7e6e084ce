//! Every fuzzing finding (fuzz/regressions) and the whole fuzz corpus (fuzz/corpus/extract)
//! go through the per-file entry point on every `cargo test`: no panic, no abort, and the
//! findings end as the rows they should.

use std::path::{Path, PathBuf};

use dxa_ingest::sr::Limits;
use dxa_ingest::{Outcome, Reason, process_bytes};

use crate::util::repo;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "py" && e != "md"))
        .collect();
    out.sort();
    out
}

fn mapper() -> dxa_ingest::Mapper {
    dxa_ingest::profile::load(&[]).expect("built-ins")
}

/// Runs one input through the per-file entry point.
fn run(mapper: &dxa_ingest::Mapper, bytes: &[u8], name: &str) -> Outcome {
    let limits = Limits::default();
    let outcome = process_bytes(bytes, mapper, &limits);
    if let Outcome::NotIngested(error) = &outcome {
        assert_ne!(
            error.reason,
            Reason::InternalError,
            "{name}: {}",
            error.message
        );
    }
    outcome
}

#[test]
fn fuzz_findings_are_fixed() {
    let mapper = mapper();
    let expected = [
        // A non-ASCII byte in ContentTime split a string slice inside a character.
        ("content-time-non-ascii-fraction-slice.bin", None),
        ("content-time-non-ascii-whole-slice.bin", None),
        // An unknown VR: dicom-rs read it as UN with another length (2 GiB allocation) or
        // another nesting (stack overflow); the walk now refuses unknown VRs.
        (
            "unknown-vr-hidden-nesting-stack-overflow.bin",
            Some(Reason::Malformed),
        ),
        (
            "unknown-vr-lying-length-alloc-default-charset.bin",
            Some(Reason::Malformed),
        ),
        ("unknown-vr-lying-length-alloc.bin", Some(Reason::Malformed)),
        // Whatever follows top-level pixel data was not walked, but dicom-object parsed it.
        // Now nothing after top-level pixel data is read by anyone (the head reader and the
        // walk stop there): these SRs end before it, with no DXA content.
        (
            "pixel-data-then-deep-nesting-stack-overflow.bin",
            Some(Reason::NotDxa),
        ),
        (
            "pixel-data-then-lying-length-alloc.bin",
            Some(Reason::NotDxa),
        ),
    ];
    let dir = repo().join("fuzz/regressions");
    let found: Vec<String> = files(&dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for (name, reason) in expected {
        assert!(
            found.iter().any(|f| f == name),
            "{name} is not in fuzz/regressions"
        );
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let outcome = run(&mapper, &bytes, name);
        match (reason, &outcome) {
            (Some(reason), Outcome::NotIngested(error)) => {
                assert_eq!(error.reason, reason, "{name}: {}", error.message)
            }
            (Some(reason), Outcome::Ingested(_) | Outcome::Records(_)) => {
                panic!("{name}: ingested, expected {reason:?}")
            }
            (None, _) => {}
        }
    }
    // Every other finding in the folder passes too.
    for path in files(&dir) {
        run(
            &mapper,
            &std::fs::read(&path).unwrap(),
            &path.display().to_string(),
        );
    }
}

#[test]
fn fuzz_corpus_never_crashes() {
    let mapper = mapper();
    let corpus = files(&repo().join("fuzz/corpus/extract"));
    assert!(corpus.len() >= 20, "{} corpus files", corpus.len());
    for path in corpus {
        run(
            &mapper,
            &std::fs::read(&path).unwrap(),
            &path.display().to_string(),
        );
    }
}
