//! The folders of ours in an output folder (`--fhir`, `--omop`), the files we write in
//! each, and how a user's files in them are carried over: below the commit, its fallback
//! and the permissions that read them.

use std::fs;
use std::io;
use std::path::Path;

use crate::path_text::path_text;

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
