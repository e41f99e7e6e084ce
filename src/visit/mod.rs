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
mod model;
mod part;
mod resolve;
mod rows;
mod vendor;

pub use assess::assess;
pub use exam::ExamRow;
pub use flag::{Differs, VisitFlag, VisitFlagKind};
pub use group::{names_device, push_device_key};
pub use model::{DocStatus, Ingested, LeftOut, SHARED_LISTED, Visit};
pub use part::{Part, carries, has_parts};
pub use rows::{KeyText, VisitBody, VisitKeys, VisitRows};
pub use vendor::{VendorVerdict, vendor_verdict};

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
    for shared in grouping.shared {
        if let Ok(v) = visits.binary_search_by_key(&shared.first, |v| v.members[0]) {
            visits[v].flags.push(VisitFlag::PatientIdShared {
                listed: shared.listed,
                more: shared.more,
            });
        }
    }
    group::flag_same_day_devices(docs, &mut visits);
    visits
}

#[cfg(test)]
mod tests;
