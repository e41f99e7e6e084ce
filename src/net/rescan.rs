//! The scan of the archive into `--out`, exactly as `dxa-ingest scan ARCHIVE --out DIR`
//! would run it: the one place where `pull` and `listen` call the scan library. The whole
//! archive is scanned each time (docs/network.md: `listen` rescans after a quiet period
//! and at shutdown); incremental scans are a later change, made here.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::config::{Inputs, ScanConfig};
use crate::profile::Mapper;
use crate::scan::{self, Summary};

/// Scans `archive` with the options of `config` (its `inputs` are replaced by the archive).
pub fn rescan(archive: &Path, config: &ScanConfig, mapper: &Mapper) -> Result<(Summary, Duration)> {
    let config = ScanConfig {
        inputs: Inputs::Paths(vec![archive.to_path_buf()]),
        ..config.clone()
    };
    scan::run(&config, mapper)
}
