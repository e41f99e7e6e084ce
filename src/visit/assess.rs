//! A visit classified, and every row of every member assessed: rows the visit kept get what
//! the classifier said of them; rows left out (copies, superseded re-analyses, analyses of
//! unknown order) get their cross-manufacturer values and why they were left out.

use super::exam::exam_of;
use super::model::{Ingested, LeftOut, Visit};
use crate::classify::{
    ClassifyOptions, Exam, RowAssessment, VisitAssessment, classify_visit, cross_calibrated,
};
use crate::vocabulary::Classification;

/// One row of one member, assessed: a row the visit kept is the classifier's row of the
/// exam (`Assessed::assessment`'s, by its index), not a copy of it with its notes; a row
/// left out has an assessment of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AssessedRow {
    /// The exam row, an index into `VisitAssessment::rows`.
    Kept(usize),
    /// A row not in the exam: its cross-manufacturer values, and why it is left out.
    Own(RowAssessment, Option<LeftOut>),
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
    /// Every member's rows, one member after the other (`member_rows`).
    rows: Vec<AssessedRow>,
    /// Where each member's rows start in `rows`.
    offsets: Vec<usize>,
    /// The scanner's own verdict of the visit, when its documents state one.
    pub vendor: Option<super::VendorVerdict>,
}

impl Assessed<'_> {
    /// The rows of the member at `position`, in its document's order: what the classifier
    /// (or the cross-calibration alone) says of each, and why it is not part of the visit
    /// when it is not.
    pub fn member_rows(
        &self,
        position: usize,
    ) -> impl ExactSizeIterator<Item = (&RowAssessment, Option<LeftOut>)> + '_ {
        let start = self.offsets[position];
        let end = self
            .offsets
            .get(position + 1)
            .copied()
            .unwrap_or(self.rows.len());
        self.rows[start..end].iter().map(|row| match row {
            AssessedRow::Kept(k) => (&self.assessment.rows[*k], None),
            AssessedRow::Own(assessment, left_out) => (assessment, *left_out),
        })
    }
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
                    .push("visit not classified: re-analysis order unknown".into());
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
    // Kept rows name their exam row: the classifier's answers (their notes) are not
    // cloned per row, nor a vector made per member (docs/performance.md, "The end of a
    // run").
    let mut rows = Vec::with_capacity(total);
    for (member, (&i, &offset)) in visit.members.iter().zip(&offsets).enumerate() {
        let doc = &docs[i].doc;
        for (m, &k) in doc.measurements.iter().zip(&exam_row[offset..]) {
            rows.push(if k < assessment.rows.len() {
                AssessedRow::Kept(k)
            } else {
                AssessedRow::Own(
                    cross_calibrated(m, doc.calibration),
                    visit.row_left_out(member, m),
                )
            });
        }
    }
    let vendor = super::vendor_verdict(docs, visit, &exam, &assessment, &map);
    Assessed {
        exam,
        assessment,
        origins: map,
        rows,
        offsets,
        vendor,
    }
}
