//! fhir/ and omop/ are folders of ours in the output folder (docs/columns.md, "The output
//! folder"): our files in them are replaced with the set (gone when a run does not write
//! them), a user's file in them stays, and they are no wider than the output folder; in
//! the folder itself (a mount point) as beside it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::util::{code, files_under, scan_sample_into, stderr};

fn names(out: &Path) -> Vec<String> {
    files_under(out)
        .iter()
        .map(|p| p.strip_prefix(out).unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Three runs into `out`: with the exports, without them, with them again; a user's files
/// in fhir/ and omop/ all along.
fn three_runs(out: &Path) {
    std::fs::create_dir_all(out.join("fhir")).unwrap();
    std::fs::write(out.join("fhir/notes.txt"), b"mine").unwrap();
    let with = scan_sample_into(out, &["--fhir", "--omop"]);
    assert_eq!(code(&with), 0, "{}", stderr(&with));
    let listed = names(out);
    for name in [
        "fhir/bundles.ndjson",
        "fhir/notes.txt",
        "omop/person.csv",
        "omop/measurement.csv",
    ] {
        assert!(listed.contains(&name.to_string()), "{name}: {listed:?}");
    }
    std::fs::write(out.join("omop/mine.sql"), b"select 1").unwrap();
    let run_json = std::fs::read_to_string(out.join("run.json")).unwrap();
    assert!(
        run_json.contains("\"fhir/bundles.ndjson\""),
        "run.json lists it"
    );
    assert!(!run_json.contains("notes.txt"), "and not the user's file");

    let without = scan_sample_into(out, &[]);
    assert_eq!(code(&without), 0, "{}", stderr(&without));
    let listed = names(out);
    assert!(
        !listed
            .iter()
            .any(|n| n == "fhir/bundles.ndjson" || n.starts_with("omop/") && n.ends_with(".csv")),
        "{listed:?}"
    );
    assert!(listed.contains(&"fhir/notes.txt".to_string()), "{listed:?}");
    assert!(listed.contains(&"omop/mine.sql".to_string()), "{listed:?}");
    assert_eq!(std::fs::read(out.join("fhir/notes.txt")).unwrap(), b"mine");

    let again = scan_sample_into(out, &["--fhir", "--omop"]);
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(out.join("fhir/bundles.ndjson").exists() && out.join("omop/mine.sql").exists());
}

#[test]
fn our_folders_are_replaced_with_the_set_and_a_users_files_stay() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o700)).unwrap();
    three_runs(&out);
    // No wider than the output folder: the folders 0700, their files 0600 at most.
    for folder in ["fhir", "omop"] {
        let mode = std::fs::metadata(out.join(folder))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o700, "{folder}");
    }
    for file in ["fhir/bundles.ndjson", "omop/person.csv"] {
        let mode = std::fs::metadata(out.join(file))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode & !0o600, 0, "{file}: {mode:o}");
    }
    // Nothing left beside the output folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn in_a_mount_point_our_folders_are_replaced_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("volume");
    std::fs::create_dir(&out).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=20m", "tmpfs"])
        .arg(&out)
        .status()
        .expect("mount");
    assert!(mounted.success(), "the tests run as root and mount a tmpfs");
    let result = std::panic::catch_unwind(|| three_runs(&out));
    let _ = std::process::Command::new("umount").arg(&out).status();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
