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

/// A disk that records what is asked of it, and fails the flush of one name.
#[derive(Default)]
struct Watched {
    calls: std::sync::Mutex<Vec<(&'static str, PathBuf)>>,
    failing: Option<&'static str>,
}

impl sync::Disk for Watched {
    fn start(&self, path: &Path, _file: &File) {
        self.calls
            .lock()
            .unwrap()
            .push(("start", path.to_path_buf()));
    }

    fn sync(&self, path: &Path, _file: &File) -> io::Result<()> {
        self.calls
            .lock()
            .unwrap()
            .push(("sync", path.to_path_buf()));
        match self.failing {
            Some(name) if path.ends_with(name) => Err(io::Error::other("disk full")),
            _ => Ok(()),
        }
    }
}

#[test]
fn every_file_and_folder_is_flushed_its_writing_started_first() {
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging");
    let ours = OUTPUT_FOLDERS[0].0;
    fs::create_dir_all(staging.join(ours)).unwrap();
    fs::create_dir(staging.join("not-ours")).unwrap();
    for name in ["studies.csv", "files.csv", "run.json"] {
        fs::write(staging.join(name), name).unwrap();
    }
    fs::write(staging.join(ours).join("a.ndjson"), b"x").unwrap();
    fs::write(staging.join("not-ours").join("b"), b"x").unwrap();
    let disk = Watched::default();
    sync::sync_with(&staging, &disk).unwrap();
    let calls = disk.calls.into_inner().unwrap();
    let of = |what: &str| -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = calls
            .iter()
            .filter(|(call, _)| *call == what)
            .map(|(_, path)| path.clone())
            .collect();
        paths.sort();
        paths
    };
    let files = vec![
        staging.join("files.csv"),
        staging.join("run.json"),
        staging.join("studies.csv"),
        staging.join(ours).join("a.ndjson"),
    ];
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(of("start"), sorted, "every file's writing started");
    let mut flushed = files;
    flushed.extend([staging.clone(), staging.join(ours)]);
    flushed.sort();
    assert_eq!(of("sync"), flushed, "every file and folder of ours flushed");
    let first_sync = calls.iter().position(|(call, _)| *call == "sync").unwrap();
    assert!(
        calls[first_sync..].iter().all(|(call, _)| *call == "sync"),
        "every file's writing is started before any flush waits: {calls:?}"
    );
}

#[test]
fn a_failed_flush_fails_the_commit_and_nothing_is_exchanged() {
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging");
    fs::create_dir(&staging).unwrap();
    for name in ["studies.csv", "files.csv", "run.json", "report.html"] {
        fs::write(staging.join(name), name).unwrap();
    }
    let disk = Watched {
        failing: Some("files.csv"),
        ..Watched::default()
    };
    let error = sync::sync_with(&staging, &disk).unwrap_err();
    assert_eq!(error.to_string(), "disk full");
    // The commit flushes before it exchanges: a folder whose flush fails keeps what it had.
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("studies.csv"), b"old").unwrap();
    let folder = OutputFolder::open(&out).unwrap();
    fs::write(folder.staging().join("studies.csv"), b"new").unwrap();
    fs::write(folder.staging().join("files.csv"), b"new").unwrap();
    let error = folder.commit_with(&disk).unwrap_err();
    assert_eq!(error.to_string(), "disk full");
    assert_eq!(fs::read(out.join("studies.csv")).unwrap(), b"old");
    assert!(!out.join("files.csv").exists());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        2,
        "staging removed"
    );
}

/// A disk that checks, at each flush, that the output folder still holds the old set.
struct BeforeTheExchange {
    out: PathBuf,
    flushed: std::sync::Mutex<Vec<PathBuf>>,
}

impl sync::Disk for BeforeTheExchange {
    fn start(&self, _path: &Path, _file: &File) {}

    fn sync(&self, path: &Path, file: &File) -> io::Result<()> {
        assert_eq!(
            fs::read(self.out.join("studies.csv")).unwrap(),
            b"old",
            "{} flushed after the exchange",
            path.display()
        );
        self.flushed.lock().unwrap().push(path.to_path_buf());
        file.sync_all()
    }
}

#[test]
fn every_output_is_flushed_before_the_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("studies.csv"), b"old").unwrap();
    let folder = OutputFolder::open(&out).unwrap();
    let staging = folder.staging().to_path_buf();
    for name in ["studies.csv", "files.csv", "run.json"] {
        fs::write(staging.join(name), b"new").unwrap();
    }
    let disk = BeforeTheExchange {
        out: out.clone(),
        flushed: Default::default(),
    };
    folder.commit_with(&disk).unwrap();
    assert_eq!(fs::read(out.join("studies.csv")).unwrap(), b"new");
    let mut flushed = disk.flushed.into_inner().unwrap();
    flushed.sort();
    let mut expected: Vec<PathBuf> = ["files.csv", "run.json", "studies.csv"]
        .iter()
        .map(|name| staging.join(name))
        .collect();
    expected.push(staging);
    expected.sort();
    assert_eq!(flushed, expected);
}

/// The old set, more files than are removed at once and a folder of ours holding a file of
/// the user's, is gone after the commit but for that file, carried into the new set.
#[test]
fn the_old_set_is_removed_whole_after_the_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(out.join("omop")).unwrap();
    for (n, name) in OUTPUT_NAMES.iter().enumerate() {
        fs::write(out.join(name), vec![b'x'; n * 1000]).unwrap();
    }
    fs::write(out.join("omop/person.csv"), b"old").unwrap();
    fs::write(out.join("omop/mine.txt"), b"mine").unwrap();
    assert!(OUTPUT_NAMES.len() > 2 * super::names::REMOVING_THREADS);
    let folder = OutputFolder::open(&out).unwrap();
    fs::write(folder.staging().join("studies.csv"), b"new").unwrap();
    let committed = folder.commit().unwrap();
    assert_eq!(committed.foreign, ["omop/mine.txt"]);
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["omop", "studies.csv"]);
    assert_eq!(fs::read(out.join("studies.csv")).unwrap(), b"new");
    let omop: Vec<_> = fs::read_dir(out.join("omop")).unwrap().collect();
    assert_eq!(omop.len(), 1);
    assert_eq!(fs::read(out.join("omop/mine.txt")).unwrap(), b"mine");
    // The old set, at the staging folder's name after the exchange, is gone.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}
