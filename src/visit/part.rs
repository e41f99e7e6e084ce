//! The parts of an exam a document can carry (a site and side, FRAX, TBS, VFA), which a
//! later document can analyse again.

use crate::document::Document;
use crate::vocabulary::{Laterality, Site};

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
