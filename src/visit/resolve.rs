//! Copies and re-analyses within a visit (docs/clinical.md, "The unit is the visit"):
//! 1. a document with the same results as an earlier one (in path order) is a copy sent
//!    under a new SOP Instance UID: `duplicate_of`, left out whole;
//! 2. a part (a site and side, FRAX, TBS, VFA) carried by several documents was analysed
//!    again: the newest content date/time wins, the others lose that part
//!    (`superseded_by`); a document that lost every part it carries is superseded;
//! 3. when the order cannot be told (a content time missing, or two equal), no analysis of
//!    that part is used, and the visit is flagged: a wrong category is worse than none;
//!    but analyses with the same values are one analysis, kept once (a dual-hip report and
//!    single-hip reports of the same scans, printed the same minute);
//! 4. FRAX is the patient's: each hip's report may carry a FRAX table; equal values are one
//!    FRAX, different values are the lower femoral neck's (docs/clinical.md), flagged.

use super::flag::VisitFlag;
use super::model::{DocStatus, Ingested, LeftOut};
use super::part::{Part, parts_of};
use crate::decimal::Decimal;
use crate::document::{Bound, Document, Measurement, VertebralFracture};
use crate::vocabulary::{Laterality, Region};

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
    // A visit of one document (most of them) has nothing to resolve: no copy of an earlier
    // document, no part carried twice. Its parts are not listed (docs/performance.md).
    if members.len() < 2 {
        return Resolution {
            status,
            lost,
            flags,
        };
    }
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
        let visit = Carriers {
            docs,
            members,
            lost: &mut lost,
            flags: &mut flags,
        };
        if part == Part::Frax {
            visit.frax(&carriers);
        } else {
            visit.part(part, &carriers);
        }
    }

    for p in 0..members.len() {
        if status[p] != DocStatus::Used || parts[p].is_empty() || lost[p].len() != parts[p].len() {
            continue;
        }
        let superseded_by = lost[p].iter().find_map(|(_, why)| match why {
            LeftOut::SupersededBy(winner) => Some(*winner),
            _ => None,
        });
        let same_as = lost[p].iter().find_map(|(_, why)| match why {
            LeftOut::SameAs(kept) => Some(*kept),
            _ => None,
        });
        if let Some(winner) = superseded_by
            && lost[p]
                .iter()
                .all(|(_, why)| matches!(why, LeftOut::SupersededBy(_)))
        {
            status[p] = DocStatus::SupersededBy(winner);
        } else if let Some(kept) = same_as
            && lost[p]
                .iter()
                .all(|(_, why)| matches!(why, LeftOut::SameAs(_)))
        {
            // Every part it carries is another document's analysis: its results are there.
            status[p] = DocStatus::DuplicateOf(kept);
        }
    }
    Resolution {
        status,
        lost,
        flags,
    }
}

/// The documents of a visit that carry one part, and what resolution records.
struct Carriers<'r, 'd> {
    docs: &'d [Ingested],
    members: &'d [usize],
    lost: &'r mut Vec<Vec<(Part, LeftOut)>>,
    flags: &'r mut Vec<VisitFlag>,
}

impl Carriers<'_, '_> {
    fn doc(&self, p: usize) -> &Document {
        &self.docs[self.members[p]].doc
    }

    /// A part carried by the member positions `carriers`: the newest content date/time
    /// wins; when the order cannot be told, analyses with the same values are one (the
    /// first in path order kept), else none is used. Returns the positions that keep it.
    fn part(self, part: Part, carriers: &[usize]) -> Vec<usize> {
        let time = |p: usize| self.doc(p).content_time;
        let newest = carriers.iter().copied().max_by_key(|&p| time(p));
        let knowable = newest.is_some_and(|n| {
            time(n).is_some() && carriers.iter().all(|&p| p == n || time(p) < time(n))
        }) && carriers.iter().all(|&p| time(p).is_some());
        if let Some(winner) = newest.filter(|_| knowable) {
            for &p in carriers.iter().filter(|&&p| p != winner) {
                self.lost[p].push((part, LeftOut::SupersededBy(self.members[winner])));
            }
            return vec![winner];
        }
        let first = carriers[0];
        let values = part_values(self.doc(first), part);
        if carriers[1..]
            .iter()
            .all(|&p| part_values(self.doc(p), part) == values)
        {
            for &p in &carriers[1..] {
                self.lost[p].push((part, LeftOut::SameAs(self.members[first])));
            }
            return vec![first];
        }
        for &p in carriers {
            self.lost[p].push((part, LeftOut::OrderUnknown));
        }
        self.flags.push(VisitFlag::ReanalysisOrderUnknown(part));
        Vec::new()
    }

    /// FRAX is the patient's, not an analysis's (docs/clinical.md, "FRAX of two hips"): the
    /// analyses of one hip resolve as any part; then the hips' FRAX, when they differ, is
    /// the one of the lower femoral neck (ISCD-IOF FRAX positions), never the later print.
    fn frax(self, carriers: &[usize]) {
        let Carriers {
            docs,
            members,
            lost,
            flags,
        } = self;
        let doc = |p: usize| &docs[members[p]].doc;
        let mut hips: Vec<(Vec<Laterality>, Vec<usize>)> = Vec::new();
        for &p in carriers {
            let hip = hip_of(doc(p));
            match hips.iter_mut().find(|(h, _)| *h == hip) {
                Some((_, group)) => group.push(p),
                None => hips.push((hip, vec![p])),
            }
        }
        let mut kept = Vec::new();
        for (_, group) in &hips {
            if group.len() == 1 {
                kept.push(group[0]);
                continue;
            }
            let one_hip = Carriers {
                docs,
                members,
                lost: &mut *lost,
                flags: &mut *flags,
            };
            kept.extend(one_hip.part(Part::Frax, group));
        }
        kept.sort_unstable();
        if kept.len() < 2 {
            return;
        }
        let first = kept[0];
        let values = part_values(doc(first), Part::Frax);
        if kept[1..]
            .iter()
            .all(|&p| part_values(doc(p), Part::Frax) == values)
        {
            for &p in &kept[1..] {
                lost[p].push((Part::Frax, LeftOut::SameAs(members[first])));
            }
            return;
        }
        // The lower femoral neck: on one device, the lower BMD is the lower T-score on any
        // one reference.
        let neck = |p: usize| {
            doc(p)
                .measurements
                .iter()
                .filter(|m| m.region == crate::vocabulary::Region::FemoralNeck)
                .filter_map(|m| m.bmd)
                .min()
        };
        let lowest = kept.iter().copied().min_by_key(|&p| neck(p));
        let used = lowest.filter(|&low| {
            neck(low).is_some()
                && kept
                    .iter()
                    .all(|&p| p == low || neck(p).is_some_and(|b| Some(b) > neck(low)))
        });
        match used {
            Some(used) => {
                for &p in kept.iter().filter(|&&p| p != used) {
                    lost[p].push((Part::Frax, LeftOut::FraxOfOtherHip(members[used])));
                }
                flags.push(VisitFlag::FraxHipsDiffer {
                    used: Some(members[used]),
                    others: kept
                        .iter()
                        .filter(|&&p| p != used)
                        .map(|&p| members[p])
                        .collect(),
                });
            }
            None => {
                for &p in &kept {
                    lost[p].push((Part::Frax, LeftOut::FraxHipUndecided));
                }
                flags.push(VisitFlag::FraxHipsDiffer {
                    used: None,
                    others: kept.iter().map(|&p| members[p]).collect(),
                });
            }
        }
    }
}

/// The hip a document's FRAX was computed on: the sides of its femoral neck rows.
fn hip_of(doc: &Document) -> Vec<Laterality> {
    let mut sides: Vec<Laterality> = doc
        .measurements
        .iter()
        .filter(|m| m.region == crate::vocabulary::Region::FemoralNeck)
        .map(|m| m.laterality)
        .collect();
    sides.sort_unstable();
    sides.dedup();
    sides
}

/// What a document holds of one part, comparable across documents (labels and notes do
/// not count).
#[derive(PartialEq, Eq)]
enum PartValues<'d> {
    Rows(Vec<RowValues>),
    Frax([Option<Decimal>; 4], [Option<Bound>; 2]),
    Tbs(Option<Decimal>),
    Vfa(&'d [VertebralFracture]),
}

type RowValues = (Region, Laterality, [Option<Decimal>; 7]);

fn row_values(m: &Measurement) -> RowValues {
    (m.region, m.laterality, m.values())
}

fn part_values(doc: &Document, part: Part) -> PartValues<'_> {
    match part {
        Part::Site(site, side) => {
            let mut rows: Vec<RowValues> = doc
                .measurements
                .iter()
                .filter(|m| m.region.site() == Some(site) && m.laterality == side)
                .map(row_values)
                .collect();
            rows.sort_unstable();
            PartValues::Rows(rows)
        }
        Part::Frax => PartValues::Frax(
            [
                doc.frax_major,
                doc.frax_hip,
                doc.frax_major_prior,
                doc.frax_hip_prior,
            ],
            [doc.frax_major_censored, doc.frax_hip_censored],
        ),
        Part::Tbs => PartValues::Tbs(doc.tbs),
        Part::Vfa => PartValues::Vfa(&doc.vertebral_fractures),
    }
}

/// The same results: every region row's values, FRAX, TBS and fracture grades equal.
/// Labels and notes do not count (a re-send may be relabelled).
pub fn same_results(a: &Document, b: &Document) -> bool {
    a.measurements.len() == b.measurements.len()
        && a.measurements
            .iter()
            .zip(&b.measurements)
            .all(|(x, y)| row_values(x) == row_values(y))
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
