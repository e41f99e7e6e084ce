use super::*;

#[test]
fn the_folder_is_replaced_whole_and_foreign_files_stay() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("followup.csv"), b"stale").unwrap();
    fs::write(out.join("studies.parquet"), b"stale").unwrap();
    fs::write(out.join("notes.txt"), b"mine").unwrap();
    fs::write(out.join(".studies.csv.partial-999999999"), b"dead run").unwrap();
    let folder = OutputFolder::open(&out).unwrap();
    assert!(
        !out.join(".studies.csv.partial-999999999").exists(),
        "a dead run's file is removed"
    );
    fs::write(folder.staging().join("studies.csv"), b"new").unwrap();
    let committed = folder.commit().unwrap();
    assert_eq!(committed.foreign, ["notes.txt"]);
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["notes.txt", "studies.csv"]);
    assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
    // Nothing left beside it.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_second_run_is_refused_and_an_abandoned_run_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = OutputFolder::open(&out).unwrap();
    let error = OutputFolder::open(&out).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::WouldBlock);
    assert!(
        error
            .to_string()
            .contains(&format!("process {}", std::process::id())),
        "{error}"
    );
    fs::write(first.staging().join("studies.csv"), b"half").unwrap();
    drop(first);
    assert_eq!(fs::read_dir(&out).unwrap().count(), 0);
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "staging removed"
    );
    // A dead run's staging folder is removed by the next run.
    fs::create_dir(dir.path().join(".out.dxa-staging-999999999")).unwrap();
    let next = OutputFolder::open(&out).unwrap();
    assert!(!dir.path().join(".out.dxa-staging-999999999").exists());
    drop(next);
}

#[test]
fn an_output_path_that_is_a_file_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::write(&out, b"x").unwrap();
    let error = OutputFolder::open(&out).unwrap_err();
    assert!(
        error.to_string().contains("is a file, not a folder"),
        "{error}"
    );
}

#[test]
fn a_process_is_alive_while_it_exists() {
    assert!(process_alive(std::process::id()));
    // Beyond Linux's largest PID (2^22): never a process.
    assert!(!process_alive(5_000_000));
    // pid 1 exists; as another user signal 0 gives EPERM, which counts as alive.
    assert!(process_alive(1));
}
