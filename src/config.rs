//! The validated configuration the library runs on; clap stops at `cli.rs`.

use std::path::PathBuf;

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
