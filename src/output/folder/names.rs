//! What in an output folder is ours: the names of the files a run writes (and temporary
//! files of earlier versions), the staging folder's name, and how a staging folder is
//! removed without deleting anything that is not ours.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The names of every file a run can write; anything else in the folder is the user's.
pub const OUTPUT_NAMES: &[&str] = &[
    "measurements.csv",
    "studies.csv",
    "files.csv",
    "documents.csv",
    "history.csv",
    "followup.csv",
    "report.html",
    "run.json",
    "measurements.parquet",
    "studies.parquet",
    "files.parquet",
    "documents.parquet",
    "history.parquet",
    "followup.parquet",
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
        let same_file = fs::symlink_metadata(&in_target)
            .is_ok_and(|t| (t.dev(), t.ino()) == (meta.dev(), meta.ino()));
        if ours(&name.to_string_lossy()) && !meta.is_dir() || same_file {
            let _ = fs::remove_file(&path);
        } else if in_target != staging && !in_target.exists() {
            let _ = fs::rename(&path, &in_target);
        }
    }
    let _ = fs::remove_dir(staging);
}
