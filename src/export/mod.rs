//! The research exports, written from the same visits as the tables (docs/interop.md):
//! - `visit_id`: every visit's stable key;
//! - `wide`: visits_wide.csv, one row per visit with its sites side by side;
//! - `fhir`: `--fhir`, one FHIR R4 transaction Bundle per visit;
//! - `omop`: `--omop`, the OMOP CDM v5.4 person, observation_period, visit_occurrence and
//!   measurement tables;
//! - `codes` and `values`: the LOINC, SNOMED CT, UCUM and OMOP codes, and which values of a
//!   visit carry them; `body`: the body composition values of a whole-body exam.
//!
//! Every exporter reads the typed visit (its documents, resolution and classification),
//! never the CSV text.

pub mod body;
pub mod codes;
pub mod fhir;
pub mod omop;
pub mod values;
pub mod visit_id;
pub mod wide;

use std::io::{self, Write};
use std::path::Path;

use crate::config::OutputOptions;
use crate::store::{RunBuf, Runs};

pub(crate) use crate::visit::VisitRows;

/// The folder of the FHIR export, in the output folder, and its file.
pub const FHIR_DIR: &str = "fhir";
/// fhir/'s one file.
pub const FHIR_BUNDLES: &str = "bundles.ndjson";

/// The exports asked for of one visit, rendered with its rows: its Bundle's line of JSON
/// into `fhir` under `key` (`--fhir`), its OMOP view into `omop` (`--omop`).
pub fn render_visit(
    view: &VisitRows<'_>,
    key: &[u8],
    options: &OutputOptions,
    fhir: &mut RunBuf,
    omop: &mut Vec<omop::OmopVisit>,
) -> io::Result<()> {
    if !options.fhir && !options.omop {
        return Ok(());
    }
    let exported = values::Exported::of(view);
    if options.fhir {
        fhir.push_with(key, |out| {
            // A run of Bundles grown to half its size is given the rest at once: doubled, it
            // would hold twice what a partition writes out (docs/performance.md).
            let room = out.capacity() - out.len();
            if out.capacity() >= FHIR_RUN_CAPACITY / 2 && room < FHIR_ROOM {
                out.reserve_exact(FHIR_RUN_CAPACITY.saturating_sub(out.len()).max(FHIR_ROOM));
            }
            fhir::write_template(&fhir::fhir_visit(view, &exported), out);
            Ok(())
        })?;
    }
    if options.omop {
        omop.extend(omop::omop_visit(view, &exported));
    }
    Ok(())
}

/// The capacity of a partition's run of Bundles once it is large: the size at which a
/// partition writes its runs out (`store::RUN_BYTES`), and room for the Bundle that passes
/// it.
const FHIR_RUN_CAPACITY: usize = crate::store::RUN_BYTES + FHIR_ROOM;
/// Room for a Bundle's template (a few KB; a visit of many values more).
const FHIR_ROOM: usize = 256 * 1024;

/// Writes the exports asked for into `staging`: fhir/bundles.ndjson from the Bundles' run
/// (`--fhir`), the OMOP tables from the OMOP records' run (`--omop`); the two at once.
pub fn write(fhir: Runs, omop: Runs, options: &OutputOptions, staging: &Path) -> io::Result<()> {
    let (fhir, omop) = rayon::join(
        || options.fhir.then(|| write_fhir(fhir, staging)),
        || {
            options
                .omop
                .then(|| omop::write_omop(omop, &staging.join(omop::OMOP_DIR), options.excel))
        },
    );
    fhir.transpose()?;
    omop.transpose()?;
    Ok(())
}

/// fhir/bundles.ndjson: one line per visit, in the run's order, each expanded from its
/// template (`fhir::write_template`).
fn write_fhir(fhir: Runs, staging: &Path) -> io::Result<()> {
    let dir = staging.join(FHIR_DIR);
    std::fs::create_dir_all(&dir)?;
    let file = std::fs::File::create(dir.join(FHIR_BUNDLES))?;
    let mut out = io::BufWriter::with_capacity(256 * 1024, file);
    let (mut written, mut flushed) = (0u64, 0u64);
    let pieces = fhir::pieces();
    fhir.merge(|template| {
        fhir::expand(template, &pieces, |bytes| {
            written += bytes.len() as u64;
            out.write_all(bytes)
        })?;
        if written - flushed >= WRITEBACK_BYTES {
            out.flush()?;
            // The output folder is flushed at the end of a run: the Bundles, most of the bytes
            // of a run with `--fhir`, are sent on their way as they are written, while the
            // rest is written (docs/performance.md, "The research exports").
            crate::output::folder::start_writeback_range(out.get_ref(), flushed, written - flushed);
            flushed = written;
        }
        Ok(())
    })?;
    out.into_inner().map_err(|e| e.into_error())?;
    Ok(())
}

/// How many bytes of the Bundles' file are written before their writing to disk is started.
const WRITEBACK_BYTES: u64 = 8 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::folder::OUTPUT_FOLDERS;

    #[test]
    fn every_file_the_exports_write_is_an_output_of_the_folder() {
        let listed = |folder: &str, file: &str| {
            OUTPUT_FOLDERS
                .iter()
                .any(|(f, files)| *f == folder && files.contains(&file))
        };
        assert!(listed(FHIR_DIR, FHIR_BUNDLES));
        for (file, _) in omop::TABLES {
            assert!(listed(omop::OMOP_DIR, file), "{file}");
        }
        assert!(crate::output::folder::OUTPUT_NAMES.contains(&"visits_wide.csv"));
    }
}
