//! A visit classified, and every row of every member assessed: rows the visit kept get what
//! the classifier said of them; rows left out (copies, superseded re-analyses, analyses of
//! unknown order) get their cross-manufacturer values and why they were left out.

use super::exam::exam_of;
use super::model::{Ingested, LeftOut, Visit};
use crate::classify::{
    ClassifyOptions, Exam, RowAssessment, VisitAssessment, classify_visit, cross_calibrated,
};
use crate::vocabulary::Classification;

/// One row of one member, assessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessedRow {
    /// What the classifier (or the cross-calibration alone) says of it.
    pub assessment: RowAssessment,
    /// Why it is not part of the visit, if it is not.
    pub left_out: Option<LeftOut>,
}

/// A visit with its classification.
#[derive(Debug, Clone)]
pub struct Assessed<'a> {
    /// What the classifier read (borrowing the visit's documents).
    pub exam: Exam<'a>,
    /// What it said.
    pub assessment: VisitAssessment,
    /// Where each exam row came from (same order as `exam.measurements`).
    pub origins: Vec<super::ExamRow>,
    /// Per member, per measurement row.
    pub rows: Vec<Vec<AssessedRow>>,
    /// The scanner's own verdict of the visit, when its documents state one.
    pub vendor: Option<super::VendorVerdict>,
}

/// Classifies a visit and assesses every row of its members.
pub fn assess<'a>(docs: &'a [Ingested], visit: &Visit, options: &ClassifyOptions) -> Assessed<'a> {
    let (exam, map) = exam_of(docs, visit);
    let mut assessment = classify_visit(&exam, options);
    let fail_closed = visit.order_unknown_on_a_site();
    if fail_closed {
        // A site was analysed twice and which analysis counts cannot be told: no category
        // (docs/clinical.md: a wrong category is worse than none).
        assessment.classification = Classification::Indeterminate;
        assessment.basis_site = None;
        for row in &mut assessment.rows {
            if row.used_for_diagnosis {
                row.used_for_diagnosis = false;
                row.notes
                    .push("visit not classified: re-analysis order unknown".to_string());
            }
        }
    }
    // Each member row's exam row, if the visit kept it: one flat table (members' rows
    // one after the other), not a vector of `Option<AssessedRow>` per member filled and
    // then unwrapped.
    let mut offsets = Vec::with_capacity(visit.members.len());
    let mut total = 0;
    for &i in &visit.members {
        offsets.push(total);
        total += docs[i].doc.measurements.len();
    }
    let mut exam_row = vec![usize::MAX; total];
    for (k, origin) in map.iter().enumerate() {
        exam_row[offsets[origin.member] + origin.row] = k;
    }
    let rows = visit
        .members
        .iter()
        .zip(&offsets)
        .enumerate()
        .map(|(member, (&i, &offset))| {
            let doc = &docs[i].doc;
            doc.measurements
                .iter()
                .zip(&exam_row[offset..])
                .map(|(m, &k)| match assessment.rows.get(k) {
                    Some(kept) => AssessedRow {
                        assessment: kept.clone(),
                        left_out: None,
                    },
                    None => AssessedRow {
                        assessment: cross_calibrated(m, doc.calibration),
                        left_out: visit.row_left_out(member, m),
                    },
                })
                .collect()
        })
        .collect();
    let vendor = super::vendor_verdict(docs, visit, &exam, &assessment, &map);
    Assessed {
        exam,
        assessment,
        origins: map,
        rows,
        vendor,
    }
}
