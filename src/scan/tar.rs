//! `scan --tar FILE|-`: files streamed as an archive (docs/scale.md, "Object storage"): a
//! task streams objects from S3 or HDFS to the tool without local copies. Each member is a
//! file whose source path is the member's name. The archive is told by its content: a tar,
//! a gzip-compressed tar, or (from a file, not a pipe) a ZIP (`archive`); its members are
//! bounded like files, and come in path order whatever their order in it (`members`).

use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::archive::{self, Kind};
use super::members::Collector;
use crate::config::ScanConfig;
use crate::path_text::path_text;
use crate::pipeline::Recorder;
use crate::profile::Mapper;

/// Reads the archive `source` (`-` = standard input) and records every member.
pub fn read(
    source: &Path,
    config: &ScanConfig,
    mapper: &Mapper,
    pool: &rayon::ThreadPool,
    recorder: &mut impl Recorder,
) -> Result<()> {
    let stdin = source.as_os_str() == "-";
    let cannot = || format!("cannot read --tar {}", path_text(source));
    let mut input: Box<dyn BufRead> = if stdin {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(
            std::fs::File::open(source).with_context(cannot)?,
        ))
    };
    let head = archive::peek(&mut input, 4096).with_context(cannot)?;
    let kind = Kind::of(&head);
    let mut collector = Collector::new(config, mapper, pool, None)?;
    let cap = config.limits.max_file_bytes;
    let read = match kind {
        Some(Kind::Zip) if stdin => bail!(
            "--tar -: a ZIP archive cannot be read from a stream (its directory is at its end): \
             give --tar the file"
        ),
        Some(Kind::Zip) => {
            drop(input);
            let file = std::fs::File::open(source).with_context(cannot)?;
            archive::zip_members(file, cap, |name, m| collector.add(name, m))?
        }
        _ => archive::tar_members(
            archive::with_head(head, input),
            kind == Some(Kind::GzipTar),
            cap,
            |name, m| collector.add(name, m),
        )?,
    };
    if let Err(stopped) = read {
        bail!(
            "--tar {}: {} (a tar, a gzip-compressed tar or a ZIP file is read)",
            path_text(source),
            stopped.error.message
        );
    }
    collector.finish(None, recorder)
}
