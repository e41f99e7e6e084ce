//! What the classifier reads of a visit (`classify::Exam`): the patient on the day, and
//! every measurement row of the visit's documents that resolution kept, in region order.

use super::model::{Ingested, Visit};
use super::part::{Part, carries};
use crate::classify::Exam;

/// Where an exam row came from: (member position in the visit, row in that document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExamRow {
    /// Position of the document among the visit's members.
    pub member: usize,
    /// Index of the row in the document's measurements.
    pub row: usize,
}

/// The exam of a visit, and where each of its rows came from.
pub fn exam_of<'a>(docs: &'a [Ingested], visit: &Visit) -> (Exam<'a>, Vec<ExamRow>) {
    let members: Vec<&crate::document::Document> =
        visit.members.iter().map(|&i| &*docs[i].doc).collect();
    let first =
        |pick: &dyn Fn(&crate::document::Document) -> bool| members.iter().position(|d| pick(d));
    // Room for every row at once (grown by doubling, a visit's list was reallocated two
    // or three times: docs/performance.md).
    let mut rows: Vec<ExamRow> =
        Vec::with_capacity(members.iter().map(|d| d.measurements.len()).sum());
    for (member, doc) in members.iter().enumerate() {
        for (row, m) in doc.measurements.iter().enumerate() {
            if visit.row_left_out(member, m).is_none() {
                rows.push(ExamRow { member, row });
            }
        }
    }
    // Region order, as in one document; rows of the same region keep member order.
    rows.sort_by_key(|r| {
        let m = &members[r.member].measurements[r.row];
        (m.region, m.laterality)
    });
    // The first document that carries a part and kept it (a re-analysed FRAX: the newest).
    let carrier = |part: Part| {
        (0..members.len())
            .find(|&m| carries(members[m], part) && visit.part_left_out(m, part).is_none())
    };
    let (frax, tbs) = (carrier(Part::Frax), carrier(Part::Tbs));
    let exam = Exam {
        patient_sex: first(&|d| d.patient_sex.is_some()).and_then(|m| members[m].patient_sex),
        birth_date: first(&|d| d.birth_date.is_some()).and_then(|m| members[m].birth_date),
        patient_age: first(&|d| d.patient_age.is_some())
            .and_then(|m| members[m].patient_age.as_deref()),
        menopause_age: first(&|d| d.menopause_age.is_some()).and_then(|m| members[m].menopause_age),
        study_date: visit.date,
        measurements: rows
            .iter()
            .map(|r| &members[r.member].measurements[r.row])
            .collect(),
        calibrations: rows.iter().map(|r| members[r.member].calibration).collect(),
        frax_major: frax.and_then(|m| members[m].frax_major),
        frax_hip: frax.and_then(|m| members[m].frax_hip),
        tbs: tbs.and_then(|m| members[m].tbs),
        reference_database: first(&|d| d.reference_database.is_some())
            .and_then(|m| members[m].reference_database.as_deref()),
        references: rows
            .iter()
            .map(|r| {
                let doc = members[r.member];
                crate::classify::RowReference::of(doc, &doc.measurements[r.row])
            })
            .collect(),
    };
    (exam, rows)
}
