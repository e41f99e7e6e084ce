//! One partition of the run: every document of some patients, read back alone, grouped
//! into visits, classified, compared over time, and rendered into sorted runs of rows:
//! measurements, documents and history by document (path order), studies by visit (its
//! first document), follow-up by patient, site, side and date.

use std::fs::File;
use std::io::{self, Read};

use super::AllRuns;
use crate::config::OutputOptions;
use crate::followup;
use crate::output::LineRenderer;
use crate::output::rows::{self, VisitRows};
use crate::report::ReportData;
use crate::store::RunBuf;
use crate::visit::{self, Ingested};
use crate::vocabulary::{Population, Region};

/// What a partition counted.
pub struct PartitionCounts {
    /// Its visits.
    pub visits: usize,
    /// Its part of the report.
    pub report: ReportData,
    /// The device serials of its documents (to check `--lsc` serials against).
    pub serials: std::collections::BTreeSet<String>,
}

fn csv_error(error: csv::Error) -> io::Error {
    io::Error::other(error)
}

/// Renders one partition's rows into `runs`.
pub fn render(
    mut file: File,
    options: &OutputOptions,
    runs: &AllRuns,
) -> io::Result<PartitionCounts> {
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    drop(file);
    let docs: Vec<Ingested> = super::read_documents(&bytes)?;
    drop(bytes);
    let visits = visit::visits(&docs);
    let ids = options.ids();
    let mut lines = LineRenderer::default();
    let (mut measurements, mut documents, mut history, mut studies) = (
        RunBuf::default(),
        RunBuf::default(),
        RunBuf::default(),
        RunBuf::default(),
    );
    let mut points = Vec::new();
    let mut report = ReportData::default();
    for visit in &visits {
        let assessed = visit::assess(&docs, visit, &options.classify);
        let view = VisitRows {
            docs: &docs,
            visit,
            assessed: &assessed,
            ids,
        };
        for position in 0..visit.members.len() {
            let key = view.member(position).seq.to_be_bytes().to_vec();
            let line = lines.lines(|w| {
                for row in rows::measurement_rows(&view, position) {
                    w.serialize(row)?;
                }
                Ok(())
            });
            measurements.push(key.clone(), line.map_err(csv_error)?);
            let line = lines.lines(|w| w.serialize(rows::document_row(&view, position)));
            documents.push(key.clone(), line.map_err(csv_error)?);
            if !view.member(position).doc.history.is_empty() {
                let line = lines.lines(|w| {
                    for row in rows::history_rows(&view, position) {
                        w.serialize(row)?;
                    }
                    Ok(())
                });
                history.push(key, line.map_err(csv_error)?);
            }
        }
        let key = view.member(0).seq.to_be_bytes().to_vec();
        let line = lines.lines(|w| w.serialize(rows::study_row(&view)));
        studies.push(key, line.map_err(csv_error)?);
        points.extend(followup::points_of(&view));
        count_visit(&view, &mut report);
    }
    let mut followups = RunBuf::default();
    for (key, row, family) in followup::rows(points, &options.lsc) {
        *report
            .followup
            .entry(family.as_str().to_string())
            .or_default()
            .entry(row.vs_prior.to_string())
            .or_default() += 1;
        let cells = row.cells();
        let line = lines.lines(|w| w.write_record(cells.iter().map(|c| c.as_bytes())));
        followups.push(key, line.map_err(csv_error)?);
    }
    runs.measurements.append(measurements)?;
    runs.documents.append(documents)?;
    runs.history.append(history)?;
    runs.studies.append(studies)?;
    runs.followup.append(followups)?;
    let serials = docs
        .iter()
        .map(|d| d.doc.device_serial.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(PartitionCounts {
        visits: visits.len(),
        report,
        serials,
    })
}

/// A visit's counts for report.html.
fn count_visit(view: &VisitRows<'_>, report: &mut ReportData) {
    let first = view.first_with(|d| d.manufacturer.is_some());
    let manufacturer = first.manufacturer.map_or("", |m| m.as_str());
    *report
        .by_manufacturer
        .entry(manufacturer.to_string())
        .or_default() += 1;
    let model = view.first_with(|d| !d.model.trim().is_empty());
    let name = format!("{} {}", model.manufacturer_raw.trim(), model.model.trim());
    *report.by_model.entry(name.trim().to_string()).or_default() += 1;
    if let Some(date) = view.date(view.visit.date) {
        *report.by_year.entry(date.year).or_default() += 1;
    }
    let assessment = &view.assessed.assessment;
    *report
        .by_classification
        .entry(assessment.classification.as_str().to_string())
        .or_default() += 1;
    // T-score histograms: the T-score population only (Z-score patients are not on it).
    if assessment.population != Population::AdultTScore {
        return;
    }
    let exam = &view.assessed.exam;
    for (m, row) in exam.measurements.iter().zip(&assessment.rows) {
        let Some(t) = m.t_score.filter(|_| row.used_for_diagnosis) else {
            continue;
        };
        let site = match m.region {
            r if r.vertebrae().is_some() => "spine",
            Region::FemoralNeck => "femoral_neck",
            Region::TotalHip => "total_hip",
            Region::Radius33 => "radius_33",
            other => other.as_str(),
        };
        report.add_t_score(site, t.round_to(1).to_f64());
    }
}
