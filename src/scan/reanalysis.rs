//! Documents of the same study and region set: a re-analysis (the technologist moved a ROI
//! and re-exported) or the same export sent twice under new SOP Instance UIDs. Both are
//! ingested; the flags say which one to use (issue #4):
//! - identical values: the later one in path order gets `duplicate_of=<sop uid>`;
//! - otherwise the newest ContentDate/ContentTime wins and every older one gets
//!   `superseded_by=<sop uid>`;
//! - when the order cannot be told (a tie, or a document without a content date), nobody is
//!   superseded and all get `reanalysis_order_unknown` (fail closed: no guess).
//!
//! This module is the rule, on one group; `ledger` finds the groups.

/// One document of a group (same study, same region set), in path order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// studies.csv row (0-based).
    pub row: usize,
    /// Its SOP Instance UID, for the flags that name it.
    pub sop_instance_uid: String,
    /// ContentDate/ContentTime as a number that orders like time; 0 = unknown.
    pub content_time: u64,
    /// Fingerprint of every value.
    pub values: u64,
}

/// The flags of one group's members (rows in path order), as (row, flag).
pub fn group_flags(members: &[Member]) -> Vec<(usize, String)> {
    let mut flags = Vec::new();
    if members.len() < 2 {
        return flags;
    }
    // Identical values: a copy, not a re-analysis. The first in path order stays.
    let mut distinct: Vec<&Member> = Vec::new();
    for member in members {
        match distinct.iter().find(|d| d.values == member.values) {
            Some(first) => flags.push((
                member.row,
                format!("duplicate_of={}", first.sop_instance_uid),
            )),
            None => distinct.push(member),
        }
    }
    if distinct.len() < 2 {
        return flags;
    }
    let newest = distinct
        .iter()
        .max_by_key(|m| m.content_time)
        .expect("at least two members");
    let knowable = distinct.iter().all(|m| m.content_time != 0)
        && distinct
            .iter()
            .filter(|m| m.content_time == newest.content_time)
            .count()
            == 1;
    for member in &distinct {
        if !knowable {
            flags.push((member.row, "reanalysis_order_unknown".to_string()));
        } else if member.row != newest.row {
            flags.push((
                member.row,
                format!("superseded_by={}", newest.sop_instance_uid),
            ));
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(row: usize, sop: &str, time: u64, values: u64) -> Member {
        Member {
            row,
            sop_instance_uid: sop.into(),
            content_time: time,
            values,
        }
    }

    #[test]
    fn newest_supersedes_older() {
        let flags = group_flags(&[member(0, "1.1", 100, 1), member(1, "1.2", 120, 2)]);
        assert_eq!(flags, [(0, "superseded_by=1.2".to_string())]);
    }

    #[test]
    fn identical_values_are_a_copy() {
        let flags = group_flags(&[member(0, "1.1", 100, 1), member(1, "1.2", 120, 1)]);
        assert_eq!(flags, [(1, "duplicate_of=1.1".to_string())]);
    }

    #[test]
    fn unknown_order_supersedes_nobody() {
        let tie = group_flags(&[member(0, "1.1", 100, 1), member(1, "1.2", 100, 2)]);
        assert_eq!(
            tie,
            [
                (0, "reanalysis_order_unknown".to_string()),
                (1, "reanalysis_order_unknown".to_string())
            ]
        );
        let missing = group_flags(&[member(0, "1.1", 0, 1), member(1, "1.2", 100, 2)]);
        assert_eq!(missing.len(), 2);
        assert!(group_flags(&[member(0, "1.1", 100, 1)]).is_empty());
    }
}
