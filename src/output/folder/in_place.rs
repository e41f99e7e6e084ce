//! The commit where two folders cannot be exchanged in one step: the output folder is a
//! mount point (a volume, a share), belongs to a user this run cannot give a folder to, or
//! its file system has no RENAME_EXCHANGE. The outputs are put into the folder itself, each
//! file whole (written beside its name on the same file system, then renamed over it), in an
//! order that keeps one promise (docs/columns.md, "The output folder"): run.json goes first
//! and comes back last, so **a folder that holds run.json holds exactly the files run.json
//! lists, all of one run**. While the files are being renamed (a few milliseconds) there is
//! no run.json.

use std::fs::{self, File};
use std::io;
use std::path::Path;

use super::names::{OUTPUT_FOLDERS, OUTPUT_NAMES, ours};

/// The file whose presence says the set is complete.
const RUN_JSON: &str = "run.json";

/// Replaces our outputs in `target` by those in `staging`, one file at a time (see the
/// module documentation). `staging` may be inside `target` or on another file system.
pub fn replace_in_place(staging: &Path, target: &Path) -> io::Result<()> {
    // 1. The old set stops claiming to be complete.
    remove_if_there(&target.join(RUN_JSON))?;
    // 2. Outputs of the old set that this run does not write.
    for name in OUTPUT_NAMES {
        if !staging.join(name).exists() {
            remove_if_there(&target.join(name))?;
        }
    }
    // 3. The folders of ours (`--fhir`, `--omop`), file by file: what else is in them stays.
    for (folder, files) in OUTPUT_FOLDERS {
        let (from, to) = (staging.join(folder), target.join(folder));
        if from.is_dir() {
            fs::create_dir_all(&to)?;
        }
        for name in *files {
            if from.join(name).exists() {
                move_file(&from.join(name), &to.join(name))?;
            } else {
                remove_if_there(&to.join(name))?;
            }
        }
        if from.is_dir() {
            File::open(&to)?.sync_all()?;
        } else {
            // Empty now unless the user keeps files there: then it stays.
            let _ = fs::remove_dir(&to);
        }
    }
    // 4. The new files, run.json last.
    let mut names: Vec<std::ffi::OsString> = fs::read_dir(staging)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<io::Result<_>>()?;
    names.retain(|n| ours(&n.to_string_lossy()) && n != RUN_JSON);
    names.sort();
    if staging.join(RUN_JSON).exists() {
        names.push(RUN_JSON.into());
    }
    for name in names {
        move_file(&staging.join(&name), &target.join(&name))?;
    }
    File::open(target)?.sync_all()
}

fn remove_if_there(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

/// Renames `from` to `to`; across file systems, copies it beside `to` first (keeping its
/// permissions), so that `to` is replaced whole either way.
fn move_file(from: &Path, to: &Path) -> io::Result<()> {
    match fs::rename(from, to) {
        Err(error) if error.raw_os_error() == Some(libc::EXDEV) => {
            let name = to.file_name().map(|n| n.to_string_lossy().into_owned());
            let temp = to.with_file_name(format!(
                ".{}.partial-{}",
                name.unwrap_or_default(),
                std::process::id()
            ));
            let copied = fs::copy(from, &temp).and_then(|_| File::open(&temp)?.sync_all());
            if let Err(error) = copied.and_then(|()| fs::rename(&temp, to)) {
                let _ = fs::remove_file(&temp);
                return Err(error);
            }
            fs::remove_file(from)
        }
        other => other,
    }
}
