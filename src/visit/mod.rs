//! The visit step (docs/clinical.md, "The unit is the visit"): a pure function from the
//! documents of one partition (every document of some patients, in path order) to their
//! visits. A visit is every results document of one patient on one day from one device,
//! and all documents of one StudyInstanceUID always belong together: scanners send one
//! exam as several objects (GE: an SR per scan, FRAX and LVA apart; Hologic: one report
//! image per scan).
//!
//! Three steps: `group` finds the visits; `resolve` leaves out copies and superseded
//! re-analyses (the latest content date/time wins, per site and side); `exam` gathers what
//! the classifier reads: the patient at the visit and every row the visit kept.

mod assess;
mod exam;
mod flag;
mod group;
mod resolve;
mod rows;
mod vendor;

use crate::document::{Date, Document};
use crate::vocabulary::{Laterality, Site};

pub use assess::{Assessed, assess};
pub use exam::{ExamRow, exam_of};
pub use flag::{VisitFlag, VisitFlagKind};
pub use group::device_key;
pub use rows::VisitRows;
pub use vendor::{Differs, VendorVerdict, vendor_verdict};

/// One ingested document as the visit step sees it.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// Its place in path order over the whole run.
    pub seq: u64,
    /// The path as text (docs/columns.md, "Paths"), before pseudonymisation.
    pub path: String,
    /// What the file held.
    pub doc: Document,
}

/// A part of an exam that a document can carry, and a later document can analyse again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// A scanned site and side (spine, hip left, forearm right, ...).
    Site(Site, Laterality),
    /// The FRAX probabilities.
    Frax,
    /// The trabecular bone score.
    Tbs,
    /// The vertebral fracture assessment.
    Vfa,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Part::Site(site, Laterality::None) => write!(f, "{site}"),
            Part::Site(site, side) => write!(f, "{site}/{side}"),
            Part::Frax => f.write_str("frax"),
            Part::Tbs => f.write_str("tbs"),
            Part::Vfa => f.write_str("vfa"),
        }
    }
}

/// The parts a document carries, in order, each once.
pub fn parts_of(doc: &Document) -> Vec<Part> {
    let mut parts: Vec<Part> = doc
        .measurements
        .iter()
        .filter_map(|m| m.region.site().map(|site| Part::Site(site, m.laterality)))
        .collect();
    if doc.frax_major.is_some()
        || doc.frax_hip.is_some()
        || doc.frax_major_prior.is_some()
        || doc.frax_hip_prior.is_some()
    {
        parts.push(Part::Frax);
    }
    if doc.tbs.is_some() {
        parts.push(Part::Tbs);
    }
    if !doc.vertebral_fractures.is_empty() {
        parts.push(Part::Vfa);
    }
    parts.sort_unstable();
    parts.dedup();
    parts
}

/// What the visit step decided about one document (documents.csv `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocStatus {
    /// Its values (or some of them) enter the visit.
    Used,
    /// Every part it carries was analysed again later in the visit, by this document
    /// (an index into the partition's documents).
    SupersededBy(usize),
    /// The same results as this earlier document (a copy under a new SOP Instance UID).
    DuplicateOf(usize),
}

/// Why a part of a document is left out of its visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftOut {
    /// A later analysis of the same part (this document) wins.
    SupersededBy(usize),
    /// The whole document is a copy of this one.
    DuplicateOf(usize),
    /// Analysed more than once and the order cannot be told (a content time missing or
    /// tied): none is used, and the visit is not classified on it.
    OrderUnknown,
    /// The same values as this document's analysis of the part (a dual-hip report and
    /// single-hip reports of the same scans): one analysis, kept once.
    SameAs(usize),
    /// FRAX of the other hip (this document's) is the visit's: the hips' FRAX differ and
    /// that femoral neck is the lower (docs/clinical.md, "FRAX of two hips").
    FraxOfOtherHip(usize),
    /// The hips' FRAX differ and neither femoral neck is the lower: none is used.
    FraxHipUndecided,
}

/// Most documents a flag of a visit names (the flags cell never grows without bound).
pub const SHARED_LISTED: usize = 20;

/// One visit of a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// Indices into the partition's documents, in path order; the first names the visit.
    pub members: Vec<usize>,
    /// The visit's date: the first member's study date.
    pub date: Option<Date>,
    /// Per member (same order): what resolution decided.
    pub status: Vec<DocStatus>,
    /// Per member: the parts left out, and why.
    pub lost: Vec<Vec<(Part, LeftOut)>>,
    /// Findings about the visit.
    pub flags: Vec<VisitFlag>,
}

impl Visit {
    /// Why a measurement row of member `position` is left out, if it is.
    pub fn row_left_out(
        &self,
        position: usize,
        row: &crate::document::Measurement,
    ) -> Option<LeftOut> {
        if let DocStatus::DuplicateOf(first) = self.status[position] {
            return Some(LeftOut::DuplicateOf(first));
        }
        let part = Part::Site(row.region.site()?, row.laterality);
        self.part_left_out(position, part)
    }

    /// Why a part of member `position` is left out, if it is.
    pub fn part_left_out(&self, position: usize, part: Part) -> Option<LeftOut> {
        if let DocStatus::DuplicateOf(first) = self.status[position] {
            return Some(LeftOut::DuplicateOf(first));
        }
        self.lost[position]
            .iter()
            .find(|(lost, _)| *lost == part)
            .map(|(_, why)| *why)
    }

    /// Whether the visit must not be classified: a diagnostic part was analysed twice in an
    /// order that cannot be told (fail closed: no guess).
    pub fn order_unknown_on_a_site(&self) -> bool {
        self.flags
            .iter()
            .any(|f| matches!(f, VisitFlag::ReanalysisOrderUnknown(Part::Site(..))))
    }
}

/// The visits of a partition's documents (`docs` in path order), ordered by their first
/// document.
pub fn visits(docs: &[Ingested]) -> Vec<Visit> {
    let grouping = group::group(docs);
    let mut visits: Vec<Visit> = grouping
        .visits
        .into_iter()
        .map(|members| {
            let resolution = resolve::resolve(docs, &members);
            let mut flags = group::findings(docs, &members);
            flags.extend(resolution.flags);
            Visit {
                date: members.iter().find_map(|&i| docs[i].doc.study_date),
                members,
                status: resolution.status,
                lost: resolution.lost,
                flags,
            }
        })
        .collect();
    for (first, others) in grouping.shared {
        if let Ok(v) = visits.binary_search_by_key(&first, |v| v.members[0]) {
            visits[v].flags.push(VisitFlag::PatientIdShared {
                listed: others.iter().copied().take(SHARED_LISTED).collect(),
                more: others.len().saturating_sub(SHARED_LISTED),
            });
        }
    }
    group::flag_same_day_devices(docs, &mut visits);
    visits
}

#[cfg(test)]
mod tests;
