//! `visit_id` (docs/columns.md, "visit_id"): a visit's key, the same for the same files in
//! every run, in a partial scan and its merge alike. It is derived from what makes the visit
//! one visit (docs/columns.md, "Visits"), never from row order:
//! - a visit of a known patient, day and device: the patient ID, the date and the device;
//!   when other people's visits share that ID on that day and device (`patient_id_shared`),
//!   also the sex and birth date that kept them apart;
//! - a visit of enCORE export lines alone (no device, no study): the patient ID and the date;
//! - a visit without one of those (it is its study alone): its StudyInstanceUID, or, without
//!   one, its file's path.
//!
//! Two visits of one partition whose identities are still equal (documents that disagree
//! within a visit can make it so) take, in addition, the least of their studies' UIDs (or
//! paths), which no other visit has. A patient's visits are all in one partition (the
//! ledger places a study by its patient), so the identities that can collide meet there.
//!
//! The identity text is hashed (SHA-256), and through the keyed pseudonymiser under
//! --pseudonymize: a visit_id cannot then be recomputed from a guessed patient ID and date.

use crate::date::Date;
use crate::document::Sex;
use crate::pseudonym::Ids;
use crate::visit::{Ingested, Visit, VisitFlag, names_device, push_device_key};

/// The visit_id of each visit of a partition (same order as `visits`).
pub fn visit_ids(docs: &[Ingested], visits: &[Visit], ids: Ids<'_>) -> Vec<String> {
    let mut identities: Vec<String> = visits.iter().map(|v| identity(docs, v)).collect();
    let mut order: Vec<usize> = (0..visits.len()).collect();
    order.sort_by(|&a, &b| identities[a].cmp(&identities[b]));
    let mut colliding = vec![false; visits.len()];
    for pair in order.windows(2) {
        if identities[pair[0]] == identities[pair[1]] {
            colliding[pair[0]] = true;
            colliding[pair[1]] = true;
        }
    }
    for (v, visit) in visits.iter().enumerate() {
        if colliding[v] {
            identities[v].push('\0');
            identities[v].push_str(&least_own_key(docs, visit));
        }
    }
    identities.iter().map(|text| ids.visit_id(text)).collect()
}

/// The text of a visit's identity (see the module documentation).
fn identity(docs: &[Ingested], visit: &Visit) -> String {
    let members = || visit.members.iter().map(|&i| &*docs[i].doc);
    let first = &docs[visit.members[0]].doc;
    let patient = first.patient_id.trim();
    // The first member that names a device, its key pushed into the text (no key of its
    // own made per visit: docs/performance.md, "The end of a run").
    let device = members().find(|d| names_device(d));
    match (patient.is_empty(), visit.date, device) {
        (false, Some(date), Some(device)) => {
            // Pushed, not `format!`ed: a text per visit (docs/performance.md).
            let mut text = String::with_capacity(64);
            for part in ["visit\0", patient, "\0"] {
                text.push_str(part);
            }
            push_date(&mut text, date);
            text.push('\0');
            push_device_key(&mut text, device);
            let shared = visit
                .flags
                .iter()
                .any(|f| matches!(f, VisitFlag::PatientIdShared { .. }));
            if shared {
                let sex = members().find_map(|d| d.patient_sex);
                let birth = members().find_map(|d| d.birth_date);
                text.push('\0');
                text.push_str(sex.map_or("", Sex::as_str));
                text.push('\0');
                if let Some(birth) = birth {
                    push_date(&mut text, birth);
                }
            }
            text
        }
        // Lines of enCORE exports alone (no device, no study): their patient and day are
        // what made them one visit (docs/columns.md, "Visits").
        (false, Some(date), None) if members().all(crate::carrier::encore::from_export) => {
            let mut text = String::with_capacity(patient.len() + 18);
            for part in ["export\0", patient, "\0"] {
                text.push_str(part);
            }
            push_date(&mut text, date);
            text
        }
        _ => ["own\0", &least_own_key(docs, visit)].concat(),
    }
}

/// Appends a date as its `Display` writes it.
fn push_date(text: &mut String, date: Date) {
    match date.iso_digits() {
        // ASCII digits and dashes, pushed as they are (`str::from_utf8`'s general check
        // cost three times the ten pushes).
        Some(digits) => text.extend(digits.iter().map(|&b| char::from(b))),
        None => text.push_str(&date.to_string()),
    }
}

/// The least StudyInstanceUID of the visit's documents (`study:UID`), or, when none has
/// one, the least path (`path:PATH`): a study belongs to one visit, and a path to one file.
fn least_own_key(docs: &[Ingested], visit: &Visit) -> String {
    let study = visit
        .members
        .iter()
        .map(|&i| docs[i].doc.study_instance_uid.as_str())
        .filter(|s| !s.is_empty())
        .min();
    match study {
        Some(study) => ["study:", study].concat(),
        None => {
            let path = visit
                .members
                .iter()
                .map(|&i| docs[i].path.as_str())
                .min()
                .unwrap_or("");
            ["path:", path].concat()
        }
    }
}

#[cfg(test)]
mod tests;
