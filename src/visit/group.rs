//! Which documents make one visit (docs/clinical.md, "The unit is the visit"):
//! - all documents of one StudyInstanceUID belong together, whatever else they say;
//! - documents of one patient, one study date and one device belong together, whatever
//!   their StudyInstanceUIDs (GE sends FRAX and LVA as studies of their own at some sites),
//!   when their birth date and sex agree where both state them: a constant or reused ID
//!   (`ANONYMOUS`, `0000`) never merges two people; the visits kept apart are flagged;
//! - the patient of a study is its first document's PatientID (in path order): a document
//!   that says otherwise is kept in its study, and the visit is flagged;
//! - without a patient ID, a study date or a device, a document joins only its own study.

use hashbrown::HashMap;

use super::flag::VisitFlag;
use super::model::{Ingested, SHARED_LISTED, Visit};
use super::part::has_parts;
use crate::document::{Document, Sex};

/// The device a document came from: its serial number, else manufacturer and model; None
/// when the file says neither.
pub fn device_key(doc: &Document) -> Option<String> {
    // Concatenated, not `format!`: a key per document, each visit's (docs/performance.md).
    device_parts(doc).map(|parts| match parts {
        DeviceParts::Serial(serial) => ["serial:", serial].concat(),
        DeviceParts::Model(maker, model) => ["model:", maker, "|", model].concat(),
    })
}

/// Appends `device_key(doc)` to `text` when the document names a device (no key of its
/// own made: a visit's identity, `export::visit_id`); whether it did.
pub fn push_device_key(text: &mut String, doc: &Document) -> bool {
    match device_parts(doc) {
        Some(DeviceParts::Serial(serial)) => {
            text.push_str("serial:");
            text.push_str(serial);
            true
        }
        Some(DeviceParts::Model(maker, model)) => {
            for part in ["model:", maker, "|", model] {
                text.push_str(part);
            }
            true
        }
        None => false,
    }
}

/// Whether a document names its device (`device_key` is some).
pub fn names_device(doc: &Document) -> bool {
    device_parts(doc).is_some()
}

/// What `device_key` is made of, borrowed: the serial, or the manufacturer and model.
#[derive(Clone, Copy)]
enum DeviceParts<'a> {
    Serial(&'a str),
    Model(&'a str, &'a str),
}

/// `device_key`'s parts, without making the key.
fn device_parts(doc: &Document) -> Option<DeviceParts<'_>> {
    let serial = doc.device_serial.trim();
    if !serial.is_empty() {
        return Some(DeviceParts::Serial(serial));
    }
    let (maker, model) = (doc.manufacturer_raw.trim(), doc.model.trim());
    (!maker.is_empty() || !model.is_empty()).then_some(DeviceParts::Model(maker, model))
}

/// Whether two devices' `device_key`s are equal (a model key joins its parts with `|`, so
/// they are compared joined, as the keys are).
fn same_device(a: DeviceParts<'_>, b: DeviceParts<'_>) -> bool {
    match (a, b) {
        (DeviceParts::Serial(a), DeviceParts::Serial(b)) => a == b,
        (DeviceParts::Model(maker_a, model_a), DeviceParts::Model(maker_b, model_b)) => {
            maker_a.len() + model_a.len() == maker_b.len() + model_b.len()
                && maker_a
                    .bytes()
                    .chain(*b"|")
                    .chain(model_a.bytes())
                    .eq(maker_b.bytes().chain(*b"|").chain(model_b.bytes()))
        }
        _ => false,
    }
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
pub fn group(docs: &[Ingested]) -> Grouping {
    let mut sets = Sets {
        parent: (0..docs.len()).collect(),
    };
    // A study's first document decides its patient.
    // Sized for the partition at once: grown from empty, the maps of a partition of a few
    // documents were rehashed several times (docs/performance.md, "The end of a run").
    let mut study_first: HashMap<&str, usize> = HashMap::with_capacity(docs.len());
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
    // Studies of one patient ID, day and device combine when birth date and sex agree
    // where both state them: a constant or reused ID (`ANONYMOUS`, `0000`) never merges
    // different people (docs/columns.md, "Visits").
    let mut days: HashMap<(&str, crate::date::Date, String), Vec<DayGroup>> =
        HashMap::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let patient = patient_of(i);
        let (Some(date), Some(device)) = (d.doc.study_date, device_key(&d.doc)) else {
            continue;
        };
        if patient.trim().is_empty() {
            continue;
        }
        let groups = days.entry((patient, date, device)).or_default();
        let identity = Identity::of(&d.doc);
        let root = sets.find(i);
        if let Some(group) = groups.iter_mut().find(|g| sets.find(g.first) == root) {
            group.identity.fill(identity);
            continue;
        }
        match groups.iter_mut().find(|g| g.identity.agrees(identity)) {
            Some(group) => {
                sets.union(group.first, i);
                group.identity.fill(identity);
            }
            None => groups.push(DayGroup { first: i, identity }),
        }
    }
    join_exports(docs, &mut sets, &days, &patient_of);
    // A set's root is its first document (`Sets::union`), so walking the documents in
    // path order meets each visit's root before its other members: the visits come out
    // ordered by their first document, each in path order, with no map of roots to sort.
    let mut visit_of_root: Vec<usize> = vec![usize::MAX; docs.len()];
    let mut visits: Vec<Vec<usize>> = Vec::new();
    for i in 0..docs.len() {
        let root = sets.find(i);
        if root == i {
            visit_of_root[i] = visits.len();
            visits.push(vec![i]);
        } else {
            visits[visit_of_root[root]].push(i);
        }
    }
    // The days whose ID stayed apart: each visit's first document, with the first
    // `SHARED_LISTED` others' and a count of the rest (a constant ID on a busy day can
    // stand for thousands of people: naming them all would take the square of their number).
    let mut shared: Vec<Shared> = Vec::new();
    for groups in days.into_values() {
        let mut firsts: Vec<usize> = groups.iter().map(|g| sets.find(g.first)).collect();
        firsts.sort_unstable();
        firsts.dedup();
        if firsts.len() > 1 {
            for &first in &firsts {
                let listed: Vec<usize> = firsts
                    .iter()
                    .copied()
                    .filter(|&o| o != first)
                    .take(SHARED_LISTED)
                    .collect();
                let more = firsts.len() - 1 - listed.len();
                shared.push(Shared {
                    first,
                    listed,
                    more,
                });
            }
        }
    }
    shared.sort_unstable();
    Grouping { visits, shared }
}

/// The documents of an export file (`carrier::encore`: no device, no study) join the
/// visit of their patient and day when one device of the same maker has exactly one there,
/// else the other export documents of that patient and day (a visit of their own); each
/// says `device_unknown` (docs/columns.md, "Visits").
fn join_exports<'d>(
    docs: &'d [Ingested],
    sets: &mut Sets,
    days: &HashMap<(&'d str, crate::date::Date, String), Vec<DayGroup>>,
    patient_of: &dyn Fn(usize) -> &'d str,
) {
    let mut visits_of_day: HashMap<(&str, crate::date::Date), Vec<usize>> =
        HashMap::with_capacity(days.len());
    for ((patient, date, _), groups) in days {
        visits_of_day
            .entry((patient, *date))
            .or_default()
            .extend(groups.iter().map(|g| g.first));
    }
    let mut export_of_day: HashMap<(&str, crate::date::Date), usize> =
        HashMap::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        let patient = patient_of(i);
        let Some(date) = d.doc.study_date else {
            continue;
        };
        if !crate::carrier::encore::from_export(&d.doc) || patient.trim().is_empty() {
            continue;
        }
        let mut roots: Vec<usize> = visits_of_day
            .get(&(patient, date))
            .into_iter()
            .flatten()
            .filter(|&&first| docs[first].doc.manufacturer == d.doc.manufacturer)
            .map(|&first| sets.find(first))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        match roots[..] {
            [root] => sets.union(root, i),
            _ => {
                let first = *export_of_day.entry((patient, date)).or_insert(i);
                sets.union(first, i);
            }
        }
    }
}

/// The visits of a partition, and the visits that share a patient ID on one day and device
/// but are other people.
pub struct Grouping {
    /// Each visit's members, in path order; visits ordered by their first document.
    pub visits: Vec<Vec<usize>>,
    /// Visits kept apart under one patient ID, ordered by their first document.
    pub shared: Vec<Shared>,
}

/// A visit kept apart from others under its patient ID, day and device.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shared {
    /// The visit's first document.
    pub first: usize,
    /// The others' first documents, the first `SHARED_LISTED` of them in path order.
    pub listed: Vec<usize>,
    /// How many others there are beyond those listed.
    pub more: usize,
}

/// Who a document says the patient is, beyond the ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Identity {
    sex: Option<Sex>,
    birth_date: Option<crate::date::Date>,
}

impl Identity {
    /// The sex and birth date a document states.
    pub fn of(doc: &Document) -> Identity {
        Identity {
            sex: doc.patient_sex,
            birth_date: doc.birth_date,
        }
    }

    /// Whether two identities can be one person: equal where both state a value.
    pub fn agrees(self, other: Identity) -> bool {
        fn same<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
            a.is_none() || b.is_none() || a == b
        }
        same(self.sex, other.sex) && same(self.birth_date, other.birth_date)
    }

    /// Takes from `other` what this one does not state.
    fn fill(&mut self, other: Identity) {
        self.sex = self.sex.or(other.sex);
        self.birth_date = self.birth_date.or(other.birth_date);
    }
}

/// The documents of one patient ID, day and device that are one person so far.
struct DayGroup {
    first: usize,
    identity: Identity,
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
    if !members.iter().any(|&i| has_parts(&docs[i].doc)) {
        flags.push(VisitFlag::NoResults);
    }
    // Compared as `device_key` would make them, without making a key per member.
    let mut devices = members.iter().filter_map(|&i| device_parts(&docs[i].doc));
    if let Some(device) = devices.next()
        && devices.any(|d| !same_device(d, device))
    {
        flags.push(VisitFlag::SeveralDevices);
    }
    flags
}

/// Flags the visits of one patient on one day on different devices (a cross-calibration
/// pair): each names the other visit's first document.
pub fn flag_same_day_devices(docs: &[Ingested], visits: &mut [Visit]) {
    let identity = |visit: &Visit| {
        let mut identity = Identity::default();
        for &i in &visit.members {
            identity.fill(Identity::of(&docs[i].doc));
        }
        identity
    };
    // The visits of each patient and day: sorted by both, then by visit, so that a run of
    // equal keys is one day's visits in order (a map of a vector per key allocated one per
    // visit, where nearly every day has one: docs/performance.md, "The end of a run").
    let mut by_day: Vec<(&str, crate::date::Date, usize)> = visits
        .iter()
        .enumerate()
        .filter_map(|(v, visit)| {
            let first = &docs[visit.members[0]].doc;
            let date = visit.date?;
            (!first.patient_id.trim().is_empty()).then_some((first.patient_id.as_str(), date, v))
        })
        .collect();
    by_day.sort_unstable();
    let mut days: Vec<Vec<usize>> = by_day
        .chunk_by(|a, b| (a.0, a.1) == (b.0, b.1))
        .filter(|day| day.len() > 1)
        .map(|day| day.iter().map(|&(_, _, v)| v).collect())
        .collect();
    days.sort_unstable();
    for same_day in days {
        for &v in &same_day {
            let own = device_key(&docs[visits[v].members[0]].doc);
            let who = identity(&visits[v]);
            for &other in &same_day {
                let first = visits[other].members[0];
                // Another person under the same ID is not a cross-calibration pair.
                if other != v
                    && device_key(&docs[first].doc) != own
                    && who.agrees(identity(&visits[other]))
                {
                    visits[v].flags.push(VisitFlag::SameDayOtherDevice(first));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two devices are the same for `same_device` exactly when their keys are equal, a
    /// `|` inside a manufacturer or model included.
    #[test]
    fn devices_compare_as_their_keys() {
        let doc = |serial: &str, maker: &str, model: &str| Document {
            device_serial: serial.into(),
            manufacturer_raw: maker.into(),
            model: model.into(),
            ..Document::default()
        };
        let docs = [
            doc("", "", ""),
            doc("S1", "GE", "iDXA"),
            doc(" S1 ", "", ""),
            doc("S2", "GE", "iDXA"),
            doc("", "GE", "iDXA"),
            doc("", " GE ", "iDXA "),
            doc("", "GE|i", "DXA"),
            doc("", "GE", "i|DXA"),
            doc("", "GE|", "iDXA"),
            doc("", "GE", "|iDXA"),
            doc("", "", "GE|iDXA"),
            doc("", "GE|iDXA", ""),
            doc("", "GE", ""),
            doc("", "", "GE"),
            doc("GE|iDXA", "", ""),
        ];
        let mut equal = 0;
        for a in &docs {
            for b in &docs {
                let by_key = device_key(a).zip(device_key(b)).map(|(x, y)| x == y);
                let by_parts = device_parts(a)
                    .zip(device_parts(b))
                    .map(|(x, y)| same_device(x, y));
                assert_eq!(by_parts, by_key, "{a:?} {b:?}");
                equal += usize::from(by_key == Some(true));
            }
        }
        // Not only each with itself: keys of different parts that join the same.
        assert!(equal > docs.len(), "{equal}");
        for doc in &docs {
            let mut pushed = String::from("x");
            let named = push_device_key(&mut pushed, doc);
            assert_eq!(
                named.then(|| pushed[1..].to_string()),
                device_key(doc),
                "{doc:?}"
            );
            assert_eq!(names_device(doc), named, "{doc:?}");
        }
    }
}
