//! What in an output folder is ours: the names of the files a run writes (and temporary
//! files of earlier versions), the folders of ours (`--fhir`, `--omop`) with the files we
//! write in each, the staging folder's name; how a staging folder is removed without
//! deleting anything that is not ours, and how a user's files in a folder of ours are
//! carried over: below the commit, its fallback and the permissions that read them.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::path_text::path_text;

/// The names of every file a run can write; anything else in the folder is the user's.
pub const OUTPUT_NAMES: &[&str] = &[
    "measurements.csv",
    "studies.csv",
    "files.csv",
    "documents.csv",
    "history.csv",
    "followup.csv",
    "body_composition.csv",
    "body_followup.csv",
    "report.html",
    "run.json",
    "measurements.parquet",
    "studies.parquet",
    "files.parquet",
    "documents.parquet",
    "history.parquet",
    "followup.parquet",
    "body_composition.parquet",
    "body_followup.parquet",
    "visits_wide.csv",
    "visits_wide.parquet",
];

/// Whether a name in the output folder is one of ours: an output, or a temporary file of
/// an earlier version (`.studies.csv.partial-PID`).
pub(super) fn ours(name: &str) -> bool {
    OUTPUT_NAMES.contains(&name) || (name.starts_with('.') && name.contains(".partial-"))
}

/// The name of a staging folder inside the output folder (see `Placement::Inside`).
pub(super) const INSIDE_PREFIX: &str = ".dxa-staging-";

/// Removes a staging folder (or an old set moved aside) without deleting what is not ours:
/// our outputs and temporary files are removed; a second link to a file that is in the
/// output folder is removed; anything else is moved back into the output folder (or left,
/// with the folder, when a file of that name is there already).
pub(super) fn discard(staging: &Path, target: &Path) {
    let mut removed = Vec::new();
    let mut folders = Vec::new();
    discard_in(staging, target, None, &mut removed, &mut folders);
    remove_files(removed);
    for folder in folders {
        let _ = fs::remove_dir(folder);
    }
}

/// `discard` of a folder (`files`: the names we write in it when it is a folder of ours,
/// None for the staging folder itself): what is not ours moved back now; the files to
/// remove (and their sizes) added to `removed`, the folder to `folders` after its own.
fn discard_in(
    staging: &Path,
    target: &Path,
    files: Option<&[&str]>,
    removed: &mut Vec<(u64, PathBuf)>,
    folders: &mut Vec<PathBuf>,
) {
    let Ok(entries) = fs::read_dir(staging) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        let in_target = target.join(&name);
        let text = name.to_string_lossy();
        if let (None, Some(inner), true) = (files, our_folder(&text), meta.is_dir()) {
            discard_in(&path, &in_target, Some(inner), removed, folders);
            continue;
        }
        let same_file = fs::symlink_metadata(&in_target)
            .is_ok_and(|t| (t.dev(), t.ino()) == (meta.dev(), meta.ino()));
        let is_ours = match files {
            None => ours(&text),
            Some(files) => files.contains(&text.as_ref()),
        };
        if is_ours && !meta.is_dir() || same_file {
            removed.push((meta.len(), path));
        } else if in_target != staging && !in_target.exists() {
            let _ = fs::rename(&path, &in_target);
        }
    }
    folders.push(staging.to_path_buf());
}

/// At most this many files are removed at once: a run's old set is ten files or so, of
/// which the largest takes longest; each removal waiting at once is a thread.
pub(super) const REMOVING_THREADS: usize = 4;

/// Removes `files`, the largest first, on a few threads at once. Removing a file of some
/// MiB waits for the disk to free its blocks (on a file system mounted with `discard`, to
/// trim them): about 1.5 ms for a body composition run's body_composition.csv on a quiet
/// machine, tens of ms for the whole old set while other processes write, one file after
/// the other; the old set is removed after the exchange, at the end of every run
/// (docs/performance.md, "The end of a run").
fn remove_files(mut files: Vec<(u64, PathBuf)>) {
    files.sort_by_key(|(bytes, _)| std::cmp::Reverse(*bytes));
    let next = AtomicUsize::new(0);
    let remove = || {
        while let Some((_, path)) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
            let _ = fs::remove_file(path);
        }
    };
    let threads = REMOVING_THREADS.min(files.len());
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(remove);
        }
        remove();
    });
}

/// The folders a run can write (`--fhir`, `--omop`: docs/interop.md), with the names of
/// the files it writes in each; anything else in them is the user's.
pub const OUTPUT_FOLDERS: &[(&str, &[&str])] = &[
    ("fhir", &["bundles.ndjson"]),
    (
        "omop",
        &[
            "person.csv",
            "observation_period.csv",
            "visit_occurrence.csv",
            "measurement.csv",
        ],
    ),
];

/// The files we write in a folder of ours, when `name` is one.
pub fn our_folder(name: &str) -> Option<&'static [&'static str]> {
    OUTPUT_FOLDERS
        .iter()
        .find(|(folder, _)| *folder == name)
        .map(|(_, files)| *files)
}

/// Carries what a folder of ours in the output folder holds beside our files (`ours`)
/// into the new set's folder of that name (hard links, as `commit` does at the top);
/// returns their names (`folder/name`).
pub fn carry_over_folder(old: &Path, new: &Path, ours: &[&str]) -> io::Result<Vec<String>> {
    let mut carried = Vec::new();
    for entry in fs::read_dir(old)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        let is_dir = entry.file_type()?.is_dir();
        if ours.contains(&text.as_ref()) && !is_dir {
            continue;
        }
        fs::create_dir_all(new)?;
        let to = new.join(&name);
        if to.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} is not a file dxa-ingest wrote, and this run writes a file of that name: \
                     move it away, or choose another --out",
                    path_text(&entry.path())
                ),
            ));
        }
        if is_dir {
            fs::rename(entry.path(), &to)?;
        } else {
            fs::hard_link(entry.path(), &to)?;
        }
        let folder = old.file_name().unwrap_or_default().to_string_lossy();
        carried.push(path_text(&Path::new(folder.as_ref()).join(&name)));
    }
    Ok(carried)
}
