//! body_followup.csv: a whole-body exam's composition against the same patient's previous
//! whole-body exam on the same device (docs/clinical.md, "Body composition", follow-up):
//! total fat and total lean without bone mineral (g and %), ALMI (kg/m²) and total %fat
//! (points). A pure function of the visits' points, as `rows` is for BMD.
//!
//! No verdict: no least significant change is established for body composition here
//! (docs/clinical.md), so a change is written, never judged.
//!
//! The device is the one of the document that gave the composition, never the visit's: a
//! GE enCORE export line joined to an SR visit still comes from an export whose device is
//! unknown. Such a line is compared only with lines of the same export file (one export of
//! one enCORE database); a results document without a serial is compared with nothing.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::bodycomp::{BodyRegion, BodySource, Field, IndexKind};
use crate::date::{Date, Timestamp};
use crate::decimal::{Decimal, dec};
use crate::visit::VisitBody;
use crate::visit::{DocStatus, Ingested, VisitRows};
use crate::vocabulary::Manufacturer;

/// What "the same device" means for a composition (its texts borrowed from the partition's
/// documents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyDevice<'d> {
    /// A scanner: its manufacturer and its serial as in the file.
    Scanner(Option<Manufacturer>, &'d str),
    /// A device no file names (a GE enCORE export): the export file's path as in the run.
    ExportFile(&'d str),
    /// A scanner without a serial: compared with nothing.
    Unknown,
}

/// The four values followed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyValues {
    /// The Total region's fat, g.
    pub total_fat_g: Option<Decimal>,
    /// The Total region's lean without bone mineral, g.
    pub total_lean_g: Option<Decimal>,
    /// Appendicular lean mass index, kg/m² (reported, else computed: studies.csv's).
    pub almi_kg_m2: Option<Decimal>,
    /// Total %fat (reported, else computed: studies.csv's).
    pub total_fat_pct: Option<Decimal>,
}

impl BodyValues {
    /// The values of a visit's body composition.
    pub fn of(body: &VisitBody<'_>) -> Self {
        let total = body.composition.region(BodyRegion::Total);
        let index = |kind| body.assessment.get(kind).map(|i| i.value);
        BodyValues {
            total_fat_g: total.and_then(|t| t.value(Field::Fat)),
            total_lean_g: total.and_then(|t| t.lean_without_bmc()),
            almi_kg_m2: index(IndexKind::Almi),
            total_fat_pct: index(IndexKind::TotalFatPct),
        }
    }
}

/// One visit's whole-body exam. Its texts are borrowed from the partition's documents and
/// visit ids, or made only when pseudonymised: a partition's points are kept until
/// `body_rows` compares them, and most have no earlier point to be compared with
/// (docs/performance.md, "The end of a run").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyPoint<'d> {
    /// The visit's key (studies.csv `visit_id`).
    pub visit_id: &'d str,
    /// As in studies.csv (the pseudonym under --pseudonymize).
    pub patient_id: Cow<'d, str>,
    /// The visit's date as written.
    pub study_date: Option<Date>,
    /// The newest content date/time of the document that gave the composition.
    pub content_time: Option<Timestamp>,
    /// The visit's place in path order (its first document's).
    pub seq: u64,
    /// Where the composition was read.
    pub source: BodySource,
    /// The device compared on (never written: a raw serial, a raw path).
    pub device: BodyDevice<'d>,
    /// The serial as written (empty for an export).
    pub device_serial: Cow<'d, str>,
    /// The values.
    pub values: BodyValues,
}

/// The document that gave a visit's composition: the first (path order, copies left out)
/// whose composition has the Total region, else the first with one.
fn composition_document(view: &VisitRows<'_>) -> Option<usize> {
    let with = (0..view.visit.members.len()).filter(|&p| {
        !matches!(view.visit.status[p], DocStatus::DuplicateOf(_))
            && view.member(p).doc.body_composition.is_some()
    });
    let total = |p: &usize| {
        let comp = view.member(*p).doc.body_composition.as_ref();
        comp.is_some_and(|c| c.region(BodyRegion::Total).is_some())
    };
    with.clone().find(total).or_else(|| with.clone().next())
}

/// The whole-body point of a visit (none without a body composition, a patient ID or a
/// date: such a visit has no place in a patient's series). It borrows from `docs` and
/// `visit_id` (the partition's documents and this visit's id, which the view borrows too),
/// as `followup::push_points`' points do.
pub fn body_point<'d>(
    view: &VisitRows<'_>,
    docs: &'d [Ingested],
    visit_id: &'d str,
) -> Option<BodyPoint<'d>> {
    debug_assert!(std::ptr::eq(docs, view.docs) && visit_id == view.visit_id);
    let body = view.body?;
    let member = |position: usize| -> &'d Ingested { &docs[view.visit.members[position]] };
    let patient_raw: &'d str = &member(0).doc.patient_id;
    if patient_raw.trim().is_empty() {
        return None;
    }
    let study_date = view.date(Some(view.visit.date?));
    let position = composition_document(view)?;
    let member = member(position);
    let doc = &member.doc;
    let serial = doc.device_serial.trim();
    let device = match body.composition.source {
        BodySource::EncoreExport => BodyDevice::ExportFile(&member.path),
        BodySource::HologicResultsDocument if serial.is_empty() => BodyDevice::Unknown,
        BodySource::HologicResultsDocument => BodyDevice::Scanner(doc.manufacturer, serial),
    };
    let device_serial = match device {
        BodyDevice::Scanner(..) => view.ids.serial(serial),
        _ => Cow::Borrowed(""),
    };
    Some(BodyPoint {
        visit_id,
        patient_id: view.ids.patient(patient_raw),
        study_date,
        content_time: doc.content_time,
        seq: view.member(0).seq,
        source: body.composition.source,
        device,
        device_serial,
        values: BodyValues::of(body),
    })
}

/// One value now, then, and its change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyChange {
    /// This visit's value.
    pub value: Option<Decimal>,
    /// The prior visit's.
    pub prior: Option<Decimal>,
    /// The exact difference (this less the prior).
    pub change: Option<Decimal>,
    /// The change in % of the prior value, two decimals.
    pub change_pct: Option<Decimal>,
}

const HUNDRED: Decimal = dec!("100");

impl BodyChange {
    fn new(value: Option<Decimal>, prior: Option<Decimal>) -> Self {
        let change = value.zip(prior).and_then(|(v, p)| v.checked_sub(p));
        let change_pct = change
            .zip(prior)
            .and_then(|(c, p)| c.checked_mul(HUNDRED)?.div_rounded(p, 2));
        BodyChange {
            value,
            prior,
            change,
            change_pct,
        }
    }
}

/// body_followup.csv: one whole-body visit against the patient's previous one on its device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFollowupRow {
    /// This visit's key.
    pub visit_id: String,
    /// As in studies.csv.
    pub patient_id: String,
    /// This visit's date.
    pub study_date: Option<Date>,
    /// The prior visit's key.
    pub prior_visit_id: String,
    /// The prior visit's date.
    pub prior_study_date: Option<Date>,
    /// Where both compositions were read.
    pub source: BodySource,
    /// The serial as written (empty for an export).
    pub device_serial: String,
    /// Total fat, g.
    pub total_fat: BodyChange,
    /// Total lean without bone mineral, g.
    pub total_lean: BodyChange,
    /// ALMI, kg/m².
    pub almi: BodyChange,
    /// Total %fat; its change in points (`change`).
    pub total_fat_pct: BodyChange,
}

/// Bytes that sort like (patient, date, content time, visit order): the order of
/// body_followup.csv.
pub fn body_sort_key(point: &BodyPoint<'_>) -> Vec<u8> {
    let mut key = Vec::with_capacity(point.patient_id.len() + 1 + KEY_TAIL);
    key.extend_from_slice(point.patient_id.as_bytes());
    key.push(0);
    key.extend_from_slice(&key_tail(point));
    key
}

/// The bytes of a sort key after the patient and its 0: date, content time, visit order.
const KEY_TAIL: usize = 4 + 8 + 8;

/// `body_sort_key`'s bytes after the patient and its 0.
fn key_tail(point: &BodyPoint<'_>) -> [u8; KEY_TAIL] {
    let date = point.study_date.map_or(0u32, |d| {
        u32::from(d.year) << 16 | u32::from(d.month) << 8 | u32::from(d.day)
    });
    let time = point.content_time.map_or(0u64, |t| {
        (t.date.days_since_epoch() + 1_000_000) as u64 * 86_400_000_000 + t.micros
    });
    let mut tail = [0u8; KEY_TAIL];
    tail[..4].copy_from_slice(&date.to_be_bytes());
    tail[4..12].copy_from_slice(&time.to_be_bytes());
    tail[12..].copy_from_slice(&point.seq.to_be_bytes());
    tail
}

/// The order of two points' `body_sort_key`s, without the keys made: the patients' bytes
/// compared up to the shorter's end, then (of equal patients) the tails. A patient that is
/// the start of the other's text (which holds a 0 byte only if the other holds one there)
/// is compared as the keys' bytes.
fn key_order(a: &BodyPoint<'_>, b: &BodyPoint<'_>) -> Ordering {
    let (pa, pb) = (a.patient_id.as_bytes(), b.patient_id.as_bytes());
    let shorter = pa.len().min(pb.len());
    match pa[..shorter].cmp(&pb[..shorter]) {
        Ordering::Equal if pa.len() == pb.len() => key_tail(a).cmp(&key_tail(b)),
        Ordering::Equal => body_sort_key(a).cmp(&body_sort_key(b)),
        unequal => unequal,
    }
}

/// The rows of some patients' whole-body points (in any order), each with its sort key:
/// every point after the first of its patient on its device, against the latest earlier
/// one on that device. A visit on another device is skipped over, never compared.
/// The points are sorted in place by `key_order` (the order of their `body_sort_key`s, a
/// stable sort as before), and a key is made only for a row written: most points are a
/// patient's only one (docs/performance.md, "The end of a run").
pub fn body_rows(mut points: Vec<BodyPoint<'_>>) -> Vec<(Vec<u8>, BodyFollowupRow)> {
    let mut out = Vec::new();
    if points.len() < 2 {
        return out;
    }
    points.sort_by(key_order);
    for series in points.chunk_by(|a, b| a.patient_id == b.patient_id) {
        for (at, current) in series.iter().enumerate() {
            if current.device == BodyDevice::Unknown {
                continue;
            }
            let Some(prior) = series[..at]
                .iter()
                .rev()
                .find(|p| p.device == current.device && p.source == current.source)
            else {
                continue;
            };
            let (now, then) = (&current.values, &prior.values);
            out.push((
                body_sort_key(current),
                BodyFollowupRow {
                    visit_id: current.visit_id.to_string(),
                    patient_id: current.patient_id.to_string(),
                    study_date: current.study_date,
                    prior_visit_id: prior.visit_id.to_string(),
                    prior_study_date: prior.study_date,
                    source: current.source,
                    device_serial: current.device_serial.to_string(),
                    total_fat: BodyChange::new(now.total_fat_g, then.total_fat_g),
                    total_lean: BodyChange::new(now.total_lean_g, then.total_lean_g),
                    almi: BodyChange::new(now.almi_kg_m2, then.almi_kg_m2),
                    total_fat_pct: BodyChange::new(now.total_fat_pct, then.total_fat_pct),
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
