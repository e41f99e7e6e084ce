//! The validated configuration the library runs on; clap stops at `cli.rs`.

use std::path::{Component, Path, PathBuf};

use crate::classify::ClassifyOptions;
use crate::followup::LscTable;
use crate::pseudonym::{Ids, Pseudonymizer};
use crate::sr::Limits;

/// Where the files to scan come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inputs {
    /// Folders (walked) and files.
    Paths(Vec<PathBuf>),
    /// A list file, one path per line; `-` is standard input.
    List(PathBuf),
    /// A tar stream of files (`-` is standard input): each member is a file, its name the
    /// source path.
    Tar(PathBuf),
}

/// What a run writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The output folder (created if missing).
    Outputs(PathBuf),
    /// A partial scan (`--partial FILE`), for a later `merge`.
    Partial(PathBuf),
}

/// Everything `scan` needs.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// What to read.
    pub inputs: Inputs,
    /// What to write.
    pub target: Target,
    /// Partials whose files are not read again (`--known`): an incremental scan.
    pub known: Vec<PathBuf>,
    /// Worker threads.
    pub jobs: usize,
    /// Follow symbolic links while walking.
    pub follow_symlinks: bool,
    /// Extra profile files, consulted before the built-in ones.
    pub profiles: Vec<PathBuf>,
    /// No progress bar.
    pub quiet: bool,
    /// Per-file resource caps.
    pub limits: Limits,
    /// What happens after extraction: the options `merge` takes too.
    pub output: OutputOptions,
}

/// Everything `merge` needs.
#[derive(Debug, Clone)]
pub struct MergeConfig {
    /// The partial scans, in any order.
    pub partials: Vec<PathBuf>,
    /// What to write: the outputs, or one partial holding all of them.
    pub target: Target,
    /// Worker threads.
    pub jobs: usize,
    /// No progress bar.
    pub quiet: bool,
    /// What happens after extraction, as in `scan`.
    pub output: OutputOptions,
}

/// The options that act after the per-file extraction: visits, classification, follow-up,
/// identifiers, formats. `scan` and `merge` share them, so that both write the same bytes.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Classification choices.
    pub classify: ClassifyOptions,
    /// The facility's least significant changes (defaults when empty).
    pub lsc: LscTable,
    /// The file they came from (`--lsc`), for run.json and the report.
    pub lsc_file: Option<PathBuf>,
    /// When to write followup.csv.
    pub followup: FollowupMode,
    /// Replace identifiers by keyed pseudonyms.
    pub pseudonymize: Option<Pseudonymizer>,
    /// Shift every date of a patient by a key-derived number of days (needs a key).
    pub shift_dates: bool,
    /// Also write Parquet copies of the CSV files.
    pub parquet: bool,
    /// Also write fhir/bundles.ndjson (docs/interop.md).
    pub fhir: bool,
    /// Also write the OMOP CDM tables in omop/ (docs/interop.md).
    pub omop: bool,
    /// Start every CSV file with a UTF-8 byte order mark (Excel).
    pub excel: bool,
}

impl OutputOptions {
    /// How identifiers are written.
    pub fn ids(&self) -> Ids<'_> {
        Ids {
            pseudonymizer: self.pseudonymize.as_ref(),
            shift_dates: self.shift_dates,
        }
    }
}

/// When to write followup.csv.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FollowupMode {
    /// When any patient has more than one visit.
    #[default]
    Auto,
    /// Always (only a header when nobody has two visits).
    Always,
    /// Never.
    Never,
}

/// A command line that cannot run as given: exit 2, like clap's own usage errors
/// (docs/columns.md, "Exit codes"). The message says what to do instead.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Refuses an output folder that is an input folder, or holds one (`scan in --out in`,
/// `listen --archive a --out a`, `merge out/a.part --out out`): its files would be read as
/// inputs and then replaced by the outputs (the walk never reads the output folder, so such
/// a run read nothing and said so with exit 0). Checked where every command's configuration
/// is made, before any file is read; inputs that do not exist yet (an archive `listen` will
/// create) are compared by where they would be.
pub fn check_out_apart_from_inputs(out: &Path, inputs: &[PathBuf]) -> Result<(), UsageError> {
    let out_at = resolved(out);
    for input in inputs {
        let input_at = resolved(input);
        if input_at.starts_with(&out_at) {
            return Err(out_holds_input(out, input, input_at == out_at));
        }
    }
    Ok(())
}

/// The refusal of an output folder `out` that is (`same`) or holds `input`.
pub fn out_holds_input(out: &Path, input: &Path, same: bool) -> UsageError {
    let what = if same {
        "is".to_string()
    } else {
        format!("holds the input {}", crate::path_text::path_text(input))
    };
    UsageError(format!(
        "--out {} {what}: the output folder is replaced by each run's outputs and never read \
         as an input; choose an output folder outside the inputs",
        crate::path_text::path_text(out)
    ))
}

/// Refuses a partial (`scan --partial FILE`) written at or inside one of the inputs: it
/// holds the patients' identifiers, and the next scan of that folder would read it back as
/// an input. Checked with the output folder's check, before any file is read.
pub fn check_partial_apart_from_inputs(
    partial: &Path,
    inputs: &[PathBuf],
) -> Result<(), UsageError> {
    let partial_at = resolved(partial);
    for input in inputs {
        let input_at = resolved(input);
        if partial_at.starts_with(&input_at) {
            let place = if partial_at == input_at {
                "is"
            } else {
                "is inside"
            };
            return Err(UsageError(format!(
                "--partial {} {place} the input {}: a partial holds identifiers and the next \
                 scan of that folder would read it as an input; write it outside the inputs",
                crate::path_text::path_text(partial),
                crate::path_text::path_text(input)
            )));
        }
    }
    Ok(())
}

/// Where a path is or would be: absolute, its longest existing part resolved (symlinks,
/// `..`), the rest normalised by its text.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let base = loop {
        if let Ok(real) = existing.canonicalize() {
            break real;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break PathBuf::from("/"),
        }
    };
    let mut out = base;
    for name in rest.iter().rev() {
        match Path::new(name).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            _ => out.push(name),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_folder_equal_to_or_above_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir_all(input.join("sub")).unwrap();
        let refused = |out: &Path, input: &Path| {
            check_out_apart_from_inputs(out, &[input.to_path_buf()]).is_err()
        };
        assert!(refused(&input, &input));
        assert!(refused(dir.path(), &input), "above");
        assert!(refused(&input, &input.join("sub")), "above a subfolder");
        assert!(refused(&input.join("sub/.."), &input), "spelt otherwise");
        assert!(!refused(&input.join("out"), &input), "inside: never walked");
        assert!(!refused(&dir.path().join("out"), &input), "beside");
        // Inputs and outputs that do not exist yet (listen's archive).
        let archive = dir.path().join("new/archive");
        assert!(refused(&archive, &archive));
        assert!(refused(&dir.path().join("new"), &archive));
        assert!(!refused(&dir.path().join("new/out"), &archive));
        // A link to the input is the input.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&input, &link).unwrap();
        assert!(refused(&link, &input));
        let error =
            check_out_apart_from_inputs(dir.path(), std::slice::from_ref(&input)).unwrap_err();
        assert!(error.to_string().contains("holds the input"), "{error}");
    }

    #[test]
    fn a_partial_at_or_inside_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in");
        std::fs::create_dir_all(input.join("sub")).unwrap();
        let refused = |partial: &Path| {
            check_partial_apart_from_inputs(partial, std::slice::from_ref(&input)).is_err()
        };
        assert!(refused(&input.join("a.part")));
        assert!(
            refused(&input.join("sub/../sub/new/a.part")),
            "spelt otherwise, not yet made"
        );
        assert!(refused(&input), "the input itself");
        assert!(!refused(&dir.path().join("a.part")), "beside");
        assert!(
            !refused(&dir.path().join("in2/a.part")),
            "a name that only starts alike"
        );
        let error =
            check_partial_apart_from_inputs(&input.join("a.part"), std::slice::from_ref(&input))
                .unwrap_err();
        assert!(error.to_string().contains("outside the inputs"), "{error}");
        assert!(error.to_string().contains("is inside the input"), "{error}");
        let error =
            check_partial_apart_from_inputs(&input, std::slice::from_ref(&input)).unwrap_err();
        assert!(error.to_string().contains("is the input"), "{error}");
    }
}
