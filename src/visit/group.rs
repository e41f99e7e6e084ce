//! Which documents make one visit (docs/clinical.md, "The unit is the visit"):
//! - all documents of one StudyInstanceUID belong together, whatever else they say;
//! - documents of one patient, one study date and one device belong together, whatever
//!   their StudyInstanceUIDs (GE sends FRAX and LVA as studies of their own at some sites);
//! - the patient of a study is its first document's PatientID (in path order): a document
//!   that says otherwise is kept in its study, and the visit is flagged;
//! - without a patient ID, a study date or a device, a document joins only its own study.

use hashbrown::HashMap;

use super::{Ingested, Visit, VisitFlag};
use crate::document::Document;

/// The device a document came from: its serial number, else manufacturer and model; None
/// when the file says neither.
pub fn device_key(doc: &Document) -> Option<String> {
    let serial = doc.device_serial.trim();
    if !serial.is_empty() {
        return Some(format!("serial:{serial}"));
    }
    let (maker, model) = (doc.manufacturer_raw.trim(), doc.model.trim());
    (!maker.is_empty() || !model.is_empty()).then(|| format!("model:{maker}|{model}"))
}

/// Union-find over document indices.
struct Sets {
    parent: Vec<usize>,
}

impl Sets {
    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// Joins two sets; the smaller index stays the root, so a set's root is its first
    /// document in path order.
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        let (low, high) = (a.min(b), a.max(b));
        self.parent[high] = low;
    }
}

/// The visits' members (indices into `docs`, which is in path order), each visit in path
/// order, visits ordered by their first document.
pub fn group(docs: &[Ingested]) -> Vec<Vec<usize>> {
    let mut sets = Sets {
        parent: (0..docs.len()).collect(),
    };
    // A study's first document decides its patient.
    let mut study_first: HashMap<&str, usize> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        let study = d.doc.study_instance_uid.as_str();
        if !study.is_empty() {
            let first = *study_first.entry(study).or_insert(i);
            sets.union(first, i);
        }
    }
    let patient_of = |i: usize| -> &str {
        let study = docs[i].doc.study_instance_uid.as_str();
        let first = if study.is_empty() {
            i
        } else {
            study_first[study]
        };
        docs[first].doc.patient_id.as_str()
    };
    let mut day_first: HashMap<(&str, crate::document::Date, String), usize> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        let patient = patient_of(i);
        let (Some(date), Some(device)) = (d.doc.study_date, device_key(&d.doc)) else {
            continue;
        };
        if patient.trim().is_empty() {
            continue;
        }
        let first = *day_first.entry((patient, date, device)).or_insert(i);
        sets.union(first, i);
    }
    let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..docs.len() {
        let root = sets.find(i);
        by_root.entry(root).or_default().push(i);
    }
    let mut visits: Vec<Vec<usize>> = by_root.into_values().collect();
    visits.sort_unstable_by_key(|members| members[0]);
    visits
}

/// What the members of one visit disagree on, or lack.
pub fn findings(docs: &[Ingested], members: &[usize]) -> Vec<VisitFlag> {
    let mut flags = Vec::new();
    let first = &docs[members[0]].doc;
    for &i in &members[1..] {
        let doc = &docs[i].doc;
        if doc.patient_id.trim() != first.patient_id.trim() {
            flags.push(VisitFlag::PatientIdDisagrees(i));
        }
        if let (Some(a), Some(b)) = (first.patient_sex, doc.patient_sex)
            && a != b
        {
            flags.push(VisitFlag::SexDisagrees(i));
        }
        if let (Some(a), Some(b)) = (first.birth_date, doc.birth_date)
            && a != b
        {
            flags.push(VisitFlag::BirthDateDisagrees(i));
        }
    }
    if first.patient_id.trim().is_empty() {
        flags.push(VisitFlag::PatientIdMissing);
    }
    let mut dates = members.iter().filter_map(|&i| docs[i].doc.study_date);
    match dates.next() {
        None => flags.push(VisitFlag::DateUnknown),
        Some(date) => {
            if dates.any(|d| d != date) {
                flags.push(VisitFlag::StudyDatesDiffer);
            }
        }
    }
    if members
        .iter()
        .all(|&i| super::parts_of(&docs[i].doc).is_empty())
    {
        flags.push(VisitFlag::NoResults);
    }
    let mut devices = members.iter().filter_map(|&i| device_key(&docs[i].doc));
    if let Some(device) = devices.next()
        && devices.any(|d| d != device)
    {
        flags.push(VisitFlag::SeveralDevices);
    }
    flags
}

/// Flags the visits of one patient on one day on different devices (a cross-calibration
/// pair): each names the other visit's first document.
pub fn flag_same_day_devices(docs: &[Ingested], visits: &mut [Visit]) {
    let mut by_day: HashMap<(&str, crate::document::Date), Vec<usize>> = HashMap::new();
    for (v, visit) in visits.iter().enumerate() {
        let first = &docs[visit.members[0]].doc;
        if let Some(date) = visit.date
            && !first.patient_id.trim().is_empty()
        {
            by_day
                .entry((first.patient_id.as_str(), date))
                .or_default()
                .push(v);
        }
    }
    let mut days: Vec<Vec<usize>> = by_day.into_values().filter(|v| v.len() > 1).collect();
    days.sort_unstable();
    for same_day in days {
        for &v in &same_day {
            let own = device_key(&docs[visits[v].members[0]].doc);
            for &other in &same_day {
                let first = visits[other].members[0];
                if other != v && device_key(&docs[first].doc) != own {
                    visits[v].flags.push(VisitFlag::SameDayOtherDevice(first));
                }
            }
        }
    }
}
