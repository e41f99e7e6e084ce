//! Documents of the same study and region set: a re-analysis (the technologist moved a ROI
//! and re-exported) or the same export sent twice under new SOP Instance UIDs. Both are
//! ingested; the flags say which one to use (issue #4):
//! - identical values: the later one in path order gets `duplicate_of=<sop uid>`;
//! - otherwise the newest ContentDate/ContentTime wins and every older one gets
//!   `superseded_by=<sop uid>`;
//! - when the order cannot be told (a tie, or a document without a content date), nobody is
//!   superseded and all get `reanalysis_order_unknown` (fail closed: no guess).
//!
//! Only a small record per document is kept, so memory stays a few dozen bytes per study.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashMap};

use crate::document::Document;

#[derive(Debug)]
struct Member {
    row: usize,
    sop_instance_uid: String,
    content_datetime: String,
    values: u64,
}

/// Collects documents as they are written, then says which rows need which flags.
#[derive(Debug, Default)]
pub struct Reanalyses {
    groups: HashMap<(String, u64), Vec<Member>>,
    /// Fingerprints are compared within one run only, so a per-run seed is fine.
    hasher: DefaultHashBuilder,
}

impl Reanalyses {
    /// Records the document written as studies.csv row `row` (0-based, in path order).
    pub fn add(&mut self, row: usize, doc: &Document) {
        if doc.study_instance_uid.is_empty() {
            return;
        }
        let regions = self.hasher.hash_one(
            doc.measurements
                .iter()
                .map(|m| (m.region, m.laterality))
                .collect::<Vec<_>>(),
        );
        let values = self.hasher.hash_one((
            doc.measurements
                .iter()
                .map(|m| {
                    [
                        m.bmd,
                        m.bmc,
                        m.area,
                        m.t_score,
                        m.z_score,
                        m.pct_young_adult,
                        m.pct_age_matched,
                    ]
                })
                .collect::<Vec<_>>(),
            [doc.frax_major, doc.frax_hip, doc.tbs],
        ));
        self.groups
            .entry((doc.study_instance_uid.clone(), regions))
            .or_default()
            .push(Member {
                row,
                sop_instance_uid: doc.sop_instance_uid.clone(),
                content_datetime: doc.content_datetime.clone(),
                values,
            });
    }

    /// Flags to add, by studies.csv row.
    pub fn flags(self) -> BTreeMap<usize, Vec<String>> {
        let mut flags: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        // Groups in any order: each row's flags come from its own group only.
        for members in self.groups.into_values() {
            if members.len() < 2 {
                continue;
            }
            // Identical values: a copy, not a re-analysis. The first in path order stays.
            let mut distinct: Vec<&Member> = Vec::new();
            for member in &members {
                match distinct.iter().find(|d| d.values == member.values) {
                    Some(first) => flags
                        .entry(member.row)
                        .or_default()
                        .push(format!("duplicate_of={}", first.sop_instance_uid)),
                    None => distinct.push(member),
                }
            }
            if distinct.len() < 2 {
                continue;
            }
            let newest = distinct
                .iter()
                .max_by(|a, b| a.content_datetime.cmp(&b.content_datetime))
                .expect("at least two members");
            let knowable = distinct.iter().all(|m| !m.content_datetime.is_empty())
                && distinct
                    .iter()
                    .filter(|m| m.content_datetime == newest.content_datetime)
                    .count()
                    == 1;
            for member in &distinct {
                if !knowable {
                    flags
                        .entry(member.row)
                        .or_default()
                        .push("reanalysis_order_unknown".to_string());
                } else if member.row != newest.row {
                    flags
                        .entry(member.row)
                        .or_default()
                        .push(format!("superseded_by={}", newest.sop_instance_uid));
                }
            }
        }
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Decimal;
    use crate::document::Measurement;
    use crate::vocabulary::{Laterality, Region};

    fn doc(sop: &str, study: &str, datetime: &str, neck_bmd: &str) -> Document {
        let mut m = Measurement::new(Region::FemoralNeck, Laterality::Left, "Neck");
        m.bmd = Decimal::parse(neck_bmd);
        Document {
            sop_instance_uid: sop.into(),
            study_instance_uid: study.into(),
            content_datetime: datetime.into(),
            measurements: vec![m],
            ..Document::default()
        }
    }

    #[test]
    fn newest_supersedes_older() {
        let mut r = Reanalyses::default();
        r.add(0, &doc("1.1", "S", "20240101100000", "0.600"));
        r.add(1, &doc("1.2", "S", "20240101120000", "0.610"));
        r.add(2, &doc("1.3", "OTHER", "20240101090000", "0.600"));
        let flags = r.flags();
        assert_eq!(flags.get(&0), Some(&vec!["superseded_by=1.2".to_string()]));
        assert_eq!(flags.get(&1), None);
        assert_eq!(flags.get(&2), None);
    }

    #[test]
    fn identical_values_are_a_copy() {
        let mut r = Reanalyses::default();
        r.add(0, &doc("1.1", "S", "20240101100000", "0.600"));
        r.add(1, &doc("1.2", "S", "20240101120000", "0.600"));
        let flags = r.flags();
        assert_eq!(flags.get(&1), Some(&vec!["duplicate_of=1.1".to_string()]));
        assert_eq!(flags.get(&0), None);
    }

    #[test]
    fn unknown_order_supersedes_nobody() {
        let mut r = Reanalyses::default();
        r.add(0, &doc("1.1", "S", "20240101100000", "0.600"));
        r.add(1, &doc("1.2", "S", "20240101100000", "0.610"));
        let flags = r.flags();
        assert_eq!(
            flags.get(&0),
            Some(&vec!["reanalysis_order_unknown".to_string()])
        );
        assert_eq!(
            flags.get(&1),
            Some(&vec!["reanalysis_order_unknown".to_string()])
        );
        let mut r = Reanalyses::default();
        r.add(0, &doc("1.1", "S", "", "0.600"));
        r.add(1, &doc("1.2", "S", "20240101100000", "0.610"));
        assert_eq!(r.flags().len(), 2);
    }

    #[test]
    fn different_region_sets_are_different_scans() {
        let mut r = Reanalyses::default();
        r.add(0, &doc("1.1", "S", "20240101100000", "0.600"));
        let mut other = doc("1.2", "S", "20240101120000", "0.610");
        other.measurements[0].region = Region::TotalHip;
        r.add(1, &other);
        assert!(r.flags().is_empty());
    }
}
