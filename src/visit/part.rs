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

/// Whether a document carries `part`: `parts_of(doc).contains(&part)`, without the list
/// (the rows ask it of each part of each member: docs/performance.md).
pub fn carries(doc: &Document, part: Part) -> bool {
    match part {
        Part::Site(site, side) => doc
            .measurements
            .iter()
            .any(|m| m.laterality == side && m.region.site() == Some(site)),
        Part::Frax => carries_frax(doc),
        Part::Tbs => doc.tbs.is_some(),
        Part::Vfa => !doc.vertebral_fractures.is_empty(),
    }
}

/// The parts a document carries, in order, each once.
pub fn parts_of(doc: &Document) -> Vec<Part> {
    let mut parts: Vec<Part> = doc
        .measurements
        .iter()
        .filter_map(|m| m.region.site().map(|site| Part::Site(site, m.laterality)))
        .collect();
    if carries_frax(doc) {
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

/// Whether a document carries any part (`parts_of` is not empty), without listing them.
pub fn has_parts(doc: &Document) -> bool {
    doc.measurements.iter().any(|m| m.region.site().is_some())
        || [Part::Frax, Part::Tbs, Part::Vfa]
            .into_iter()
            .any(|part| carries(doc, part))
}

/// Whether a document carries a FRAX value (any of the four probabilities).
fn carries_frax(doc: &Document) -> bool {
    doc.frax_major.is_some()
        || doc.frax_hip.is_some()
        || doc.frax_major_prior.is_some()
        || doc.frax_hip_prior.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Decimal;
    use crate::document::{Measurement, VertebralFracture};
    use crate::vocabulary::Region;

    #[test]
    fn has_parts_is_parts_of_not_empty() {
        let row = |region| Measurement::new(region, Laterality::None, "");
        let docs = [
            Document::default(),
            Document {
                measurements: vec![row(Region::FemoralNeck)],
                ..Document::default()
            },
            Document {
                tbs: Decimal::parse("1.3"),
                ..Document::default()
            },
            Document {
                frax_hip_prior: Decimal::parse("2"),
                ..Document::default()
            },
        ];
        let regions_without_site: Vec<Region> = Region::ALL
            .iter()
            .copied()
            .filter(|r| r.site().is_none())
            .collect();
        let mut all: Vec<Document> = docs.to_vec();
        all.extend(regions_without_site.iter().map(|&r| Document {
            measurements: vec![row(r)],
            ..Document::default()
        }));
        for doc in &all {
            assert_eq!(has_parts(doc), !parts_of(doc).is_empty(), "{doc:?}");
        }
        assert!(all.iter().any(|d| !has_parts(d)) && all.iter().any(has_parts));
    }

    /// `carries` against `parts_of(..).contains`, for every part, on seeded random
    /// documents: measurements of any region and side, FRAX, TBS and VFA present or not.
    #[test]
    fn carries_is_parts_of_contains() {
        let mut next = crate::test_rng::splitmix(13);
        let mut parts: Vec<Part> = [Part::Frax, Part::Tbs, Part::Vfa].into();
        for site in Site::ALL {
            for side in Laterality::ALL {
                parts.push(Part::Site(*site, *side));
            }
        }
        let value = Decimal::parse("1.5");
        let (mut carried, mut not) = (0, 0);
        for _ in 0..5_000 {
            let mut doc = Document::default();
            for _ in 0..next() % 5 {
                let region = Region::ALL[(next() % Region::ALL.len() as u64) as usize];
                let side = Laterality::ALL[(next() % Laterality::ALL.len() as u64) as usize];
                doc.measurements.push(Measurement::new(region, side, "x"));
            }
            let mut some = || if next() % 4 == 0 { value } else { None };
            doc.frax_major = some();
            doc.frax_hip = some();
            doc.frax_major_prior = some();
            doc.frax_hip_prior = some();
            doc.tbs = some();
            if next() % 3 == 0 {
                doc.vertebral_fractures.push(VertebralFracture {
                    vertebra: "L1".into(),
                    grade: "None".into(),
                });
            }
            let listed = parts_of(&doc);
            for part in &parts {
                let yes = carries(&doc, *part);
                assert_eq!(yes, listed.contains(part), "{part} of {doc:?}");
                if yes { carried += 1 } else { not += 1 }
            }
        }
        assert!(carried > 10_000 && not > 10_000, "{carried} {not}");
    }
}
