//! The corpus shapes beside the mixed one: an archive's export (every file its own small
//! study), which measures the cost per file where the cross-file state grows with every
//! file; and giant visits (thousands of documents in one visit), which measure memory
//! (bench/README.md).

use std::io;
use std::path::Path;

use super::{
    CorpusOptions, CorpusStats, JunkSet, make_study, new_patient, pick_style, render, write_corpus,
};
use crate::encoding::{Encoding, Ts};
use crate::header::uid_from;
use crate::rng::Rng;
use crate::styles::DxaStudy;
use crate::tree::write_file;

/// How a corpus's documents are laid out in studies, visits and folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `DIR/<site>/<year>/<patient>/<n>.dcm`: patients with 1-4 studies, a third of the
    /// studies sent as 2-5 documents ([`write_corpus`]).
    Mixed,
    /// `DIR/<site>/<patient>/<k>.dcm`: two studies per patient, each one file of one scan
    /// (one group of rows, a few KB): every file its own study, as a PACS archive exports
    /// them.
    Archive,
    /// `DIR/visit-<v>/<thousand>/<i>.dcm`: the documents dealt out over this many visits
    /// (one patient ID, day and device each). Even visits re-send one study again and again
    /// under new SOP Instance UIDs; odd ones are distinct studies of different people whose
    /// export wrote one constant patient ID ("ANONYMOUS").
    GiantVisits {
        /// Visits (at least 1).
        visits: usize,
    },
}

/// Writes `opts.n` DXA SR files under `dir` in `shape` (junk, `opts.junk_pct`, beside the
/// mixed and archive shapes; `opts.image_heavy` only for the mixed shape).
pub fn write_shaped(dir: &Path, opts: &CorpusOptions, shape: Shape) -> io::Result<CorpusStats> {
    match shape {
        Shape::Mixed => write_corpus(dir, opts),
        Shape::Archive => write_archive(dir, opts),
        Shape::GiantVisits { visits } => write_giant_visits(dir, opts, visits.max(1)),
    }
}

fn write_archive(dir: &Path, opts: &CorpusOptions) -> io::Result<CorpusStats> {
    let mut rng = Rng::new(opts.seed ^ 0x00A4_C41F_E5A4_C41F);
    let mut stats = CorpusStats::default();
    let junk_files = JunkSet::new();
    let mut p = 0usize;
    while stats.sr_files < opts.n {
        p += 1;
        let patient = new_patient(&mut rng, opts.seed, p);
        stats.patients += 1;
        let folder = dir.join(patient.site).join(&patient.id);
        let mut year = 2024 - rng.range(0, 17);
        for k in 1..=2 {
            if stats.sr_files >= opts.n {
                break;
            }
            if k > 1 {
                year = (year + rng.range(1, 3)).min(2025);
            }
            let date = (year, rng.range(1, 12), rng.range(1, 28));
            let style = pick_style(&mut rng);
            let mut study = make_study(&mut rng, &patient, style, date, opts.seed, p, k);
            rename(&mut study, &format!("corpus/{}/archive/{p}/{k}", opts.seed));
            study.groups.truncate(1);
            let enc = Encoding::new(*rng.pick(&Ts::ALL), !rng.chance(0.15));
            let bytes = render(style, &study, enc);
            stats.bytes += bytes.len() as u64;
            write_file(&folder.join(format!("{k}.dcm")), &bytes)?;
            stats.sr_files += 1;
            if rng.below(100) < u64::from(opts.junk_pct) {
                let (name, bytes) = junk_files.pick(&mut rng);
                stats.bytes += bytes.len() as u64;
                write_file(&folder.join(format!("{k}_{name}")), bytes)?;
                stats.junk_files += 1;
            }
        }
    }
    Ok(stats)
}

fn write_giant_visits(dir: &Path, opts: &CorpusOptions, visits: usize) -> io::Result<CorpusStats> {
    let mut rng = Rng::new(opts.seed ^ 0x0061_A771_5161_A771);
    let mut stats = CorpusStats::default();
    for v in 0..visits {
        let count = opts.n / visits + usize::from(v < opts.n % visits);
        let patient = new_patient(&mut rng, opts.seed, v + 1);
        stats.patients += 1;
        let style = pick_style(&mut rng);
        let date = (
            2016 + (v / 12) as i64 % 9,
            1 + (v % 12) as i64,
            1 + (v % 28) as i64,
        );
        let mut study = make_study(&mut rng, &patient, style, date, opts.seed, v + 1, 1);
        rename(&mut study, &format!("corpus/{}/giant/{v}", opts.seed));
        let enc = Encoding::new(*rng.pick(&Ts::ALL), true);
        let folder = dir.join(format!("visit-{v}"));
        let anonymous = v % 2 == 1;
        for i in 0..count {
            let mut document = if anonymous {
                // Another person's study on the visit's day and device, under the one ID.
                let p = visits + 1 + i;
                let other = new_patient(&mut rng, opts.seed, p);
                stats.patients += 1;
                let mut other = make_study(&mut rng, &other, style, date, opts.seed, p, v + 1);
                rename(&mut other, &format!("corpus/{}/giant/{v}/{i}", opts.seed));
                other.header.patient_id = "ANONYMOUS".into();
                for (field, value) in [
                    (&mut other.header.manufacturer, &study.header.manufacturer),
                    (&mut other.header.model, &study.header.model),
                    (
                        &mut other.header.software_version,
                        &study.header.software_version,
                    ),
                    (&mut other.header.device_serial, &study.header.device_serial),
                ] {
                    field.clone_from(value);
                }
                other
            } else {
                study.clone()
            };
            document.header.sop_uid = uid_from(&format!("corpus/{}/giant/{v}/{i}/sop", opts.seed));
            document.header.instance_number = (i + 1).to_string();
            let bytes = render(style, &document, enc);
            stats.bytes += bytes.len() as u64;
            let name = folder
                .join(format!("{:03}", i / 1000))
                .join(format!("{i}.dcm"));
            write_file(&name, &bytes)?;
            stats.sr_files += 1;
        }
    }
    Ok(stats)
}

/// New UIDs for a study, from `name`: the mixed shape of the same seed made the same
/// studies' UIDs from their patient and study numbers, and a scan of both corpora together
/// would take one's files for duplicates of the other's.
fn rename(study: &mut DxaStudy, name: &str) {
    study.header.study_uid = uid_from(&format!("{name}/study"));
    study.header.series_uid = uid_from(&format!("{name}/series"));
    study.header.sop_uid = uid_from(&format!("{name}/sop"));
}

#[cfg(test)]
mod tests;
