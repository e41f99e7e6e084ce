//! The scan of the archive into `--out`, exactly as `dxa-ingest scan ARCHIVE --out DIR`
//! would run it: the one place where `pull` and `listen` call the scan library. The whole
//! archive is scanned each time (docs/network.md: `listen` rescans after a quiet period
//! and at shutdown); incremental scans are a later change, made here.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::config::{Inputs, ScanConfig};
use crate::pipeline::Summary;
use crate::profile::Mapper;
use crate::scan;

/// Scans `archive` with the options of `config` (its `inputs` are replaced by the archive).
pub fn rescan(archive: &Path, config: &ScanConfig, mapper: &Mapper) -> Result<(Summary, Duration)> {
    let config = ScanConfig {
        inputs: Inputs::Paths(vec![archive.to_path_buf()]),
        ..config.clone()
    };
    scan::run(&config, mapper)
}

/// Creates the output folder and checks that it can be written, before any network work:
/// a `pull` that retrieved for an hour, or a `listen` that stored all day, must not find
/// only then that its outputs cannot be written.
pub fn check_output(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let probe = out.join(format!(".dxa-ingest-probe-{}", std::process::id()));
    std::fs::File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .with_context(|| format!("cannot write in the output folder {}", out.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_folder_under_a_file_is_refused_early() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), b"x").unwrap();
        assert!(check_output(&dir.path().join("file/out")).is_err());
        let fine = dir.path().join("out");
        check_output(&fine).unwrap();
        assert_eq!(
            std::fs::read_dir(&fine).unwrap().count(),
            0,
            "the probe is removed"
        );
    }
}
