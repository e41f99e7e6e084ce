//! Copies and re-analyses within a visit (docs/clinical.md, "The unit is the visit"):
//! 1. a document with the same results as an earlier one (in path order) is a copy sent
//!    under a new SOP Instance UID: `duplicate_of`, left out whole;
//! 2. a part (a site and side, FRAX, TBS, VFA) carried by several documents was analysed
//!    again: the newest content date/time wins, the others lose that part
//!    (`superseded_by`); a document that lost every part it carries is superseded;
//! 3. when the order cannot be told (a content time missing, or two equal), no analysis of
//!    that part is used, and the visit is flagged: a wrong category is worse than none.

use super::{DocStatus, Ingested, LeftOut, Part, VisitFlag, parts_of};
use crate::document::{Document, Measurement};

/// What resolution decided: per member, its status and the parts it lost; and findings.
pub struct Resolution {
    /// Per member.
    pub status: Vec<DocStatus>,
    /// Per member: parts left out, and why.
    pub lost: Vec<Vec<(Part, LeftOut)>>,
    /// Findings about the visit.
    pub flags: Vec<VisitFlag>,
}

/// Resolves the members of one visit (indices into `docs`, in path order).
pub fn resolve(docs: &[Ingested], members: &[usize]) -> Resolution {
    let mut status = vec![DocStatus::Used; members.len()];
    let mut lost: Vec<Vec<(Part, LeftOut)>> = vec![Vec::new(); members.len()];
    let mut flags = Vec::new();
    let parts: Vec<Vec<Part>> = members.iter().map(|&i| parts_of(&docs[i].doc)).collect();

    for (p, &i) in members.iter().enumerate() {
        if parts[p].is_empty() {
            continue;
        }
        let copy_of = (0..p).find(|&q| {
            status[q] == DocStatus::Used
                && !parts[q].is_empty()
                && same_results(&docs[members[q]].doc, &docs[i].doc)
        });
        if let Some(q) = copy_of {
            status[p] = DocStatus::DuplicateOf(members[q]);
        }
    }

    let mut all_parts: Vec<Part> = parts.iter().flatten().copied().collect();
    all_parts.sort_unstable();
    all_parts.dedup();
    for part in all_parts {
        let carriers: Vec<usize> = (0..members.len())
            .filter(|&p| status[p] == DocStatus::Used && parts[p].contains(&part))
            .collect();
        if carriers.len() < 2 {
            continue;
        }
        let time = |p: usize| docs[members[p]].doc.content_time;
        let newest = carriers.iter().copied().max_by_key(|&p| time(p));
        let knowable = newest.is_some_and(|n| {
            time(n).is_some() && carriers.iter().all(|&p| p == n || time(p) < time(n))
        }) && carriers.iter().all(|&p| time(p).is_some());
        match newest.filter(|_| knowable) {
            Some(winner) => {
                for &p in carriers.iter().filter(|&&p| p != winner) {
                    lost[p].push((part, LeftOut::SupersededBy(members[winner])));
                }
            }
            None => {
                for &p in &carriers {
                    lost[p].push((part, LeftOut::OrderUnknown));
                }
                flags.push(VisitFlag::ReanalysisOrderUnknown(part));
            }
        }
    }

    for p in 0..members.len() {
        if status[p] != DocStatus::Used || parts[p].is_empty() {
            continue;
        }
        let superseded_by = lost[p].iter().find_map(|(_, why)| match why {
            LeftOut::SupersededBy(winner) => Some(*winner),
            _ => None,
        });
        if lost[p].len() == parts[p].len()
            && let Some(winner) = superseded_by
            && lost[p]
                .iter()
                .all(|(_, why)| matches!(why, LeftOut::SupersededBy(_)))
        {
            status[p] = DocStatus::SupersededBy(winner);
        }
    }
    Resolution {
        status,
        lost,
        flags,
    }
}

/// The same results: every region row's values, FRAX, TBS and fracture grades equal.
/// Labels and notes do not count (a re-send may be relabelled).
pub fn same_results(a: &Document, b: &Document) -> bool {
    let values = |m: &Measurement| {
        (
            m.region,
            m.laterality,
            [
                m.bmd,
                m.bmc,
                m.area,
                m.t_score,
                m.z_score,
                m.pct_young_adult,
                m.pct_age_matched,
            ],
        )
    };
    a.measurements.len() == b.measurements.len()
        && a.measurements
            .iter()
            .zip(&b.measurements)
            .all(|(x, y)| values(x) == values(y))
        && (
            a.frax_major,
            a.frax_hip,
            a.frax_major_prior,
            a.frax_hip_prior,
            a.tbs,
        ) == (
            b.frax_major,
            b.frax_hip,
            b.frax_major_prior,
            b.frax_hip_prior,
            b.tbs,
        )
        && a.vertebral_fractures == b.vertebral_fractures
}
