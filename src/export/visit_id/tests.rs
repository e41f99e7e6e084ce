use super::*;
use crate::date::Date;
use crate::document::{Document, Sex};
use crate::pseudonym::Pseudonymizer;
use crate::visit::visits;

/// A document of patient `patient`, study `study`, day `date`, device `serial`.
fn doc(sop: &str, study: &str, patient: &str, date: &str, serial: &str) -> Document {
    Document {
        sop_instance_uid: sop.into(),
        study_instance_uid: study.into(),
        patient_id: patient.into(),
        patient_sex: Some(Sex::Female),
        birth_date: Date::parse_da("19500101"),
        study_date: Date::parse_da(date),
        manufacturer_raw: "GE Healthcare".into(),
        model: "Lunar iDXA".into(),
        device_serial: serial.into(),
        ..Document::default()
    }
}

/// The documents at paths `<prefix><n>.dcm`, with `seq` counted from `first_seq`.
fn ingested(docs: &[Document], prefix: &str, first_seq: u64) -> Vec<Ingested> {
    docs.iter()
        .enumerate()
        .map(|(i, doc)| {
            Ingested::new(
                first_seq + i as u64,
                format!("{prefix}{i}.dcm"),
                doc.clone(),
            )
        })
        .collect()
}

/// (the visit's first SOP Instance UID, its visit_id), for each visit.
fn ids_of(docs: &[Ingested], ids: Ids<'_>) -> Vec<(String, String)> {
    let visits = visits(docs);
    let keys = visit_ids(docs, &visits, ids);
    let mut out: Vec<(String, String)> = visits
        .iter()
        .zip(keys)
        .map(|(v, k)| (docs[v.members[0]].doc.sop_instance_uid.clone(), k))
        .collect();
    out.sort();
    out
}

#[test]
fn the_same_visits_get_the_same_ids_whatever_the_order_and_the_company() {
    let docs = [
        doc("A1", "S1", "P1", "20240101", "K1"),
        // FRAX as a study of its own, same patient, day and device: one visit.
        doc("A2", "S2", "P1", "20240101", "K1"),
        doc("B1", "S3", "P1", "20230101", "K1"),
        doc("C1", "S4", "P2", "20240101", "K1"),
    ];
    let first = ids_of(&ingested(&docs, "a/", 0), Ids::default());
    assert_eq!(first.len(), 3, "{first:?}");
    // Other paths, other sequence numbers, another order, another patient beside.
    let mut shuffled: Vec<Document> = docs.iter().rev().cloned().collect();
    shuffled.push(doc("D1", "S9", "P3", "20240101", "K1"));
    let second = ids_of(&ingested(&shuffled, "elsewhere/", 1000), Ids::default());
    for (sop, id) in &first {
        // The visit named by A2 in the reversed order is the one named by A1 before.
        let same = second
            .iter()
            .find(|(_, other)| other == id)
            .unwrap_or_else(|| panic!("{sop}'s visit_id {id} changed: {second:?}"));
        assert!(same.1.starts_with('V') && same.1.len() == 33, "{same:?}");
    }
    let distinct: std::collections::BTreeSet<&String> = second.iter().map(|(_, id)| id).collect();
    assert_eq!(distinct.len(), 4);
}

#[test]
fn people_sharing_an_id_on_one_day_get_ids_of_their_own() {
    let mut a = doc("A1", "S1", "ANONYMOUS", "20240101", "K1");
    let mut b = doc("B1", "S2", "ANONYMOUS", "20240101", "K1");
    a.birth_date = Date::parse_da("19400101");
    b.birth_date = Date::parse_da("19600101");
    let one = ids_of(&ingested(&[a.clone(), b.clone()], "x/", 0), Ids::default());
    let other = ids_of(&ingested(&[b, a], "x/", 0), Ids::default());
    assert_eq!(one.len(), 2);
    assert_ne!(one[0].1, one[1].1);
    assert_eq!(one, other, "each keeps its id whichever comes first");
}

#[test]
fn equal_identities_are_told_apart_by_their_studies() {
    // Study S1's first document states no device and a male sex; its second states the
    // device and a female sex. Study S2 (same patient, day, device) is male: it disagrees
    // with S1's day group (female) and stays apart, and both visits' identities read
    // "male" (their first statements): equal until the studies tell them apart.
    let mut a = doc("A1", "S1", "P1", "20240101", "");
    a.manufacturer_raw.clear();
    a.model.clear();
    a.patient_sex = Some(Sex::Male);
    a.birth_date = None;
    let mut b = doc("A2", "S1", "P1", "20240101", "K1");
    b.birth_date = None;
    let mut c = doc("C1", "S2", "P1", "20240101", "K1");
    c.patient_sex = Some(Sex::Male);
    c.birth_date = None;
    let docs = ingested(&[a, b, c], "x/", 0);
    let found = visits(&docs);
    assert_eq!(found.len(), 2, "{found:?}");
    let texts: Vec<String> = found.iter().map(|v| identity(&docs, v)).collect();
    assert_eq!(texts[0], texts[1], "the case this test is for");
    let ids = ids_of(&docs, Ids::default());
    assert_ne!(ids[0].1, ids[1].1);
}

#[test]
fn visits_without_a_patient_day_or_device_are_keyed_by_study_else_path() {
    let no_patient = doc("A1", "S1", "", "20240101", "K1");
    let no_study = doc("B1", "", "", "20240101", "K1");
    let docs = ingested(&[no_patient.clone(), no_study.clone()], "x/", 0);
    let v = visits(&docs);
    assert_eq!(identity(&docs, &v[0]), "own\0study:S1");
    assert_eq!(identity(&docs, &v[1]), "own\0path:x/1.dcm");
    // A copy of the study's document at another path: the same visit, the same id.
    let again = ingested(&[no_patient], "y/", 7);
    assert_eq!(
        ids_of(&again, Ids::default())[0].1,
        ids_of(&docs, Ids::default())[0].1
    );
}

#[test]
fn pseudonymised_ids_are_keyed() {
    let docs = ingested(&[doc("A1", "S1", "P1", "20240101", "K1")], "x/", 0);
    let key = Pseudonymizer::new(b"0123456789abcdef0123").unwrap();
    let other = Pseudonymizer::new(b"another key, 16+ bytes").unwrap();
    let keyed = |p| {
        ids_of(
            &docs,
            Ids {
                pseudonymizer: Some(p),
                shift_dates: false,
            },
        )[0]
        .1
        .clone()
    };
    let plain = ids_of(&docs, Ids::default())[0].1.clone();
    assert_ne!(
        keyed(&key),
        plain,
        "not the unkeyed hash of a guessable text"
    );
    assert_ne!(keyed(&key), keyed(&other));
    assert_eq!(keyed(&key), keyed(&key.clone()));
    // The unkeyed id is the SHA-256 of the identity: recomputable, as the plain outputs'
    // identifiers are there anyway.
    use sha2::Digest;
    let digest = sha2::Sha256::digest(b"visit\0P1\x002024-01-01\0serial:K1");
    assert_eq!(plain, format!("V{}", hex::encode(&digest[..16])));
}

/// The identity texts, spelled out (the ids of every earlier run are their hashes).
#[test]
fn identity_texts_are_spelled_out() {
    let mut a = doc("A1", "S1", "ANONYMOUS", "20240101", "K1");
    let mut b = doc("B1", "S2", "ANONYMOUS", "20240101", "K1");
    a.birth_date = Date::parse_da("19400101");
    b.birth_date = None;
    b.patient_sex = Some(Sex::Male);
    let docs = ingested(&[a, b], "x/", 0);
    let found = visits(&docs);
    let texts: Vec<String> = found.iter().map(|v| identity(&docs, v)).collect();
    assert_eq!(
        texts,
        [
            "visit\0ANONYMOUS\x002024-01-01\0serial:K1\0F\x001940-01-01",
            "visit\0ANONYMOUS\x002024-01-01\0serial:K1\0M\0",
        ]
    );
}
