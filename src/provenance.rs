//! What a run says about itself: the profiles it used (name and SHA-256), the options that
//! change what one file gives, and `run.json`, the record of a run (docs/columns.md,
//! "run.json"). The partial header (`partial::Header`) is built from the first two, so that
//! partials made with other profiles or limits are never merged.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use serde::Serialize;

use sha2::{Digest, Sha256};

use crate::config::{FollowupMode, Inputs, OutputOptions};
use crate::date::rfc3339;
use crate::path_text::path_text;
use crate::profile::{BUILTIN, ProfileError};
use crate::sr::Limits;

/// Bytes read from input files by the current scan (for run.json: a scan reads the header
/// region of images, not their pixel data). One scan runs at a time in a process; `listen`
/// runs one after another, each starting from zero (`start_counting_bytes_read`).
static BYTES_READ: AtomicU64 = AtomicU64::new(0);

/// Starts a scan's count of bytes read from zero.
pub fn start_counting_bytes_read() {
    BYTES_READ.store(0, Ordering::Relaxed);
}

/// Counts `n` bytes read from an input file.
pub fn count_bytes_read(n: u64) {
    BYTES_READ.fetch_add(n, Ordering::Relaxed);
}

/// The bytes counted since the scan started.
pub fn bytes_read() -> u64 {
    BYTES_READ.load(Ordering::Relaxed)
}

/// `run.json`: what was run, on what, with which options and profiles, when, and what it
/// wrote. Written into the output folder with the other outputs, as part of the same set.
#[derive(Debug, Serialize)]
pub struct RunRecord {
    /// `dxa-ingest`.
    pub tool: &'static str,
    /// Its version.
    pub version: &'static str,
    /// `scan` or `merge`.
    pub command: &'static str,
    /// Inputs as given: folders and files, a list, a tar stream, or partials.
    pub inputs: Vec<String>,
    /// How the inputs were given: `paths`, `files_from`, `tar`, `partials`.
    pub input_kind: &'static str,
    /// Every option, as (name, value).
    pub options: Vec<(String, String)>,
    /// Profiles in the order consulted, with their SHA-256.
    pub profiles: Vec<Profile>,
    /// When the run started and ended (UTC, RFC 3339).
    pub started: String,
    /// When the outputs were complete (before the commit).
    pub finished: String,
    /// The summary counts.
    pub counts: Counts,
    /// Bytes read from input files (partials for `merge`).
    pub bytes_read: u64,
    /// Every other output file, with its size.
    pub outputs: Vec<OutputFile>,
    /// Under --pseudonymize: the documents' texts left out, by vocabulary (docs/privacy.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_text_withheld: Option<std::collections::BTreeMap<&'static str, u64>>,
}

/// A profile in run.json.
#[derive(Debug, Serialize)]
pub struct Profile {
    /// File path, or `built-in NAME`.
    pub name: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

impl RunRecord {
    /// The record of a run as it starts: what only its end knows (finished, counts, bytes
    /// read, outputs) is filled in by `scan::write_outputs`.
    pub fn new(
        command: &'static str,
        input_kind: &'static str,
        inputs: Vec<String>,
        options: Vec<(String, String)>,
        profiles: &[(String, String)],
        started: SystemTime,
    ) -> RunRecord {
        RunRecord {
            tool: "dxa-ingest",
            version: env!("CARGO_PKG_VERSION"),
            command,
            inputs,
            input_kind,
            options,
            profiles: profiles
                .iter()
                .map(|(name, sha256)| Profile {
                    name: name.clone(),
                    sha256: sha256.clone(),
                })
                .collect(),
            free_text_withheld: None,
            started: rfc3339(started),
            finished: String::new(),
            counts: Counts::default(),
            bytes_read: 0,
            outputs: Vec::new(),
        }
    }
}

/// The summary counts in run.json.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    /// Entries accounted for.
    pub files_seen: usize,
    /// documents.csv rows.
    pub documents: usize,
    /// studies.csv rows (visits).
    pub visits: usize,
    /// files.csv rows with status skipped.
    pub skipped: usize,
    /// files.csv rows with status error.
    pub errors: usize,
}

/// An output file in run.json.
#[derive(Debug, Serialize)]
pub struct OutputFile {
    /// Its name in the output folder.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// An option's path as the outputs show it: as given, or under --pseudonymize its keyed
/// pseudonym (`file-...`): a folder per patient names patients in any path.
pub fn shown_path(options: &OutputOptions, path: &Path) -> String {
    options.ids().path(&path_text(path)).into_owned()
}

/// The profiles (name, SHA-256) as the outputs show them: a profile file's path as given,
/// or its pseudonym under --pseudonymize; built-in profiles by name.
pub fn shown_profiles(
    options: &OutputOptions,
    profiles: &[(String, String)],
) -> Vec<(String, String)> {
    profiles
        .iter()
        .map(|(name, digest)| {
            let name = if name.starts_with("built-in ") {
                name.clone()
            } else {
                options.ids().path(name).into_owned()
            };
            (name, digest.clone())
        })
        .collect()
}

/// The options of `scan` or `merge` that come after extraction, as (name, value).
pub fn output_option_pairs(options: &OutputOptions, lsc: Option<&Path>) -> Vec<(String, String)> {
    let lsc = match lsc {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => format!(
                "{} (sha256 {})",
                shown_path(options, path),
                sha256_hex(&bytes)
            ),
            Err(_) => shown_path(options, path),
        },
        None => "ISCD defaults".to_string(),
    };
    vec![
        (
            "radius_diagnostic".into(),
            options.classify.radius_diagnostic.to_string(),
        ),
        ("lsc".into(), lsc),
        (
            "followup".into(),
            match options.followup {
                FollowupMode::Auto => "auto",
                FollowupMode::Always => "always",
                FollowupMode::Never => "never",
            }
            .into(),
        ),
        (
            "pseudonymize".into(),
            options.pseudonymize.is_some().to_string(),
        ),
        ("shift_dates".into(), options.shift_dates.to_string()),
        (
            "format".into(),
            if options.parquet {
                "csv+parquet"
            } else {
                "csv"
            }
            .into(),
        ),
        ("fhir".into(), options.fhir.to_string()),
        ("omop".into(), options.omop.to_string()),
        ("excel".into(), options.excel.to_string()),
    ]
}

/// The inputs as run.json lists them.
pub fn inputs_of(inputs: &Inputs) -> (&'static str, Vec<String>) {
    match inputs {
        Inputs::Paths(paths) => ("paths", paths.iter().map(|p| path_text(p)).collect()),
        Inputs::List(list) => ("files_from", vec![path_text(list)]),
        Inputs::Tar(tar) => ("tar", vec![path_text(tar)]),
    }
}

impl RunRecord {
    /// Writes run.json into `folder`, after listing the sizes of every other file there.
    pub fn write(mut self, folder: &Path) -> std::io::Result<()> {
        let mut outputs = Vec::new();
        for entry in std::fs::read_dir(folder)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_file() && name != "run.json" {
                outputs.push(OutputFile {
                    name,
                    bytes: entry.metadata()?.len(),
                });
            } else if let Some((_, files)) = crate::output::folder::OUTPUT_FOLDERS
                .iter()
                .find(|(f, _)| *f == name)
                .filter(|_| entry.path().is_dir())
            {
                // A folder of ours: its files, as `folder/name`.
                for file in *files {
                    if let Ok(meta) = std::fs::metadata(entry.path().join(file)) {
                        outputs.push(OutputFile {
                            name: format!("{name}/{file}"),
                            bytes: meta.len(),
                        });
                    }
                }
            }
        }
        outputs.sort_by(|a, b| a.name.cmp(&b.name));
        self.outputs = outputs;
        self.finished = rfc3339(SystemTime::now());
        let mut text = serde_json::to_string_pretty(&self).map_err(std::io::Error::other)?;
        text.push('\n');
        std::fs::write(folder.join("run.json"), text)
    }
}

/// SHA-256 of some bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// (name, SHA-256) of every profile in the order they are consulted: the user's
/// (`--profile`, by path), then the built-in ones (`built-in NAME`).
pub fn profile_digests(user: &[PathBuf]) -> Result<Vec<(String, String)>, ProfileError> {
    let mut digests = Vec::with_capacity(user.len() + BUILTIN.len());
    for path in user {
        let bytes = std::fs::read(path).map_err(|e| ProfileError {
            source_name: path_text(path),
            message: e.to_string(),
        })?;
        digests.push((path_text(path), sha256_hex(&bytes)));
    }
    for (name, text) in BUILTIN {
        digests.push((format!("built-in {name}"), sha256_hex(text.as_bytes())));
    }
    Ok(digests)
}

/// The options that change what one file gives, as a stable text.
pub fn extraction_options(limits: &Limits, follow_symlinks: bool) -> String {
    format!(
        "max_file_bytes={};max_depth={};max_elements={};follow_symlinks={follow_symlinks}",
        limits.max_file_bytes, limits.max_depth, limits.max_elements
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_764_366_000);
        assert_eq!(rfc3339(at), "2025-11-28T21:40:00Z");
        assert_eq!(rfc3339(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn digests_name_every_profile_and_change_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.toml");
        std::fs::write(&path, "name = \"site\"\n").unwrap();
        let first = profile_digests(std::slice::from_ref(&path)).unwrap();
        assert_eq!(first.len(), 1 + BUILTIN.len());
        assert!(first[0].0.ends_with("site.toml"));
        assert!(first[1].0.starts_with("built-in "));
        std::fs::write(&path, "name = \"site2\"\n").unwrap();
        let second = profile_digests(std::slice::from_ref(&path)).unwrap();
        assert_ne!(first[0].1, second[0].1);
        assert_eq!(first[1..], second[1..]);
        assert!(profile_digests(&[dir.path().join("missing.toml")]).is_err());
    }
}
