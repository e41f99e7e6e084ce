//! followup.csv: change since the prior visit and since the baseline, per patient, site and
//! side (docs/clinical.md, "Follow-up"). What is followed in a visit: the PA spine the
//! classifier chose, and the femoral neck and total hip of each side (and the dual-femur
//! mean, which ISCD recommends for monitoring), from the rows the visit kept.
//!
//! Every visit of a patient is in one partition of the run (the visit step's), so a
//! partition's points are all that a patient's series needs: `rows` sorts and compares
//! them, and the partitions' sorted rows are merged into one file ordered by patient, site,
//! side and date.

mod compare;
pub mod lsc;

pub use compare::{FOLLOWUP_COLUMNS, FollowupRow, Point, compare_series};
pub use lsc::{Family, LscTable};

use crate::output::rows::VisitRows;
use crate::vocabulary::Region;

/// The monitored points of a visit.
pub fn points_of(view: &VisitRows<'_>) -> Vec<Point> {
    if view.patient_raw().trim().is_empty() {
        return Vec::new();
    }
    let assessed = view.assessed;
    let exam = &assessed.exam;
    let spine = crate::classify::pa_spine(&exam.measurements);
    let patient = view.patient().into_owned();
    let date = view.date(view.visit.date);
    let seq = view.member(0).seq;
    exam.measurements
        .iter()
        .zip(&assessed.assessment.rows)
        .zip(&assessed.origins)
        .enumerate()
        .filter_map(|(i, ((m, row), origin))| {
            let family = match m.region {
                Region::FemoralNeck => Family::FemoralNeck,
                Region::TotalHip => Family::TotalHip,
                _ if Some(i) == spine => Family::Spine,
                _ => return None,
            };
            let doc = &view.member(origin.member).doc;
            Some(Point {
                patient_id: patient.clone(),
                family,
                laterality: m.laterality,
                region: m.region,
                study_date: date,
                content_time: doc.content_time,
                seq,
                sop_instance_uid: view.ids.uid(&doc.sop_instance_uid).into_owned(),
                bmd: m.bmd?,
                sbmd: row.sbmd_mg_cm2,
                manufacturer: doc.manufacturer.map_or("", |x| x.as_str()).to_string(),
                device_serial: view.ids.serial(doc.device_serial.trim()).into_owned(),
            })
        })
        .collect()
}

/// Bytes that sort like (patient, site family, side, date, content time, visit order): the
/// order of followup.csv.
pub fn sort_key(point: &Point) -> Vec<u8> {
    let mut key = Vec::with_capacity(point.patient_id.len() + 32);
    key.extend_from_slice(point.patient_id.as_bytes());
    key.push(0);
    key.push(point.family as u8);
    key.push(point.laterality as u8);
    let date = point.study_date.map_or(0u32, |d| {
        u32::from(d.year) << 16 | u32::from(d.month) << 8 | u32::from(d.day)
    });
    key.extend_from_slice(&date.to_be_bytes());
    let time = point.content_time.map_or(0u64, |t| {
        (t.date.days_since_epoch() + 1_000_000) as u64 * 86_400_000_000 + t.micros
    });
    key.extend_from_slice(&time.to_be_bytes());
    key.extend_from_slice(&point.seq.to_be_bytes());
    key
}

/// The follow-up rows of some patients' points (in any order), each with its sort key.
pub fn rows(mut points: Vec<Point>, table: &LscTable) -> Vec<(Vec<u8>, FollowupRow, Family)> {
    let mut keyed: Vec<(Vec<u8>, Point)> = points.drain(..).map(|p| (sort_key(&p), p)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let (keys, points): (Vec<Vec<u8>>, Vec<Point>) = keyed.into_iter().unzip();
    let mut out = Vec::new();
    let mut start = 0;
    for series in points.chunk_by(|a, b| {
        a.patient_id == b.patient_id && a.family == b.family && a.laterality == b.laterality
    }) {
        for (i, row) in compare_series(series, table).into_iter().enumerate() {
            let current = start + i + 1;
            out.push((keys[current].clone(), row, points[current].family));
        }
        start += series.len();
    }
    out
}
