//! What the visit step works on and decides: one ingested document, a document's status in
//! its visit, why a part of it is left out, and the visit itself.

use std::sync::Arc;

use super::flag::VisitFlag;
use super::part::Part;
use crate::date::Date;
use crate::document::Document;

/// One ingested document as the visit step sees it.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// Its place in path order over the whole run.
    pub seq: u64,
    /// The path as text (docs/columns.md, "Paths"), before pseudonymisation.
    pub path: String,
    /// What the file held; for an identical re-send, the document it re-sends, shared
    /// (docs/performance.md, "Giant visits").
    pub doc: Arc<Document>,
    /// An identical re-send's own SOP Instance UID: the file held `doc` under this UID
    /// (`doc`'s own is the kept document's). None for any other document.
    pub resent_as: Option<String>,
}

impl Ingested {
    /// A document as the file held it.
    pub fn new(seq: u64, path: String, doc: Document) -> Ingested {
        Ingested {
            seq,
            path,
            doc: Arc::new(doc),
            resent_as: None,
        }
    }

    /// Its SOP Instance UID (a re-send's own, not the kept document's).
    pub fn sop_instance_uid(&self) -> &str {
        self.resent_as
            .as_deref()
            .unwrap_or(&self.doc.sop_instance_uid)
    }
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
