//! followup.csv: change since the prior visit and since the baseline, per patient, site and
//! side (docs/clinical.md, "Follow-up"). What is followed in a visit: the PA spine the
//! classifier chose, and the femoral neck and total hip of each side (and the dual-femur
//! mean, which ISCD recommends for monitoring), from the rows the visit kept.
//!
//! Every visit of a patient is in one partition of the run (the visit step's), so a
//! partition's points are all that a patient's series needs: `rows` sorts and compares
//! them, and the partitions' sorted rows are merged into one file ordered by patient, site,
//! side and date.
//!
//! Earlier exams as a scanner reported them (history.csv) are points too, used when that
//! exam is not among the scanned files (`prior_source = scanner_history`); when it is, the
//! scanned visit is used and a disagreement between the two is said in the note. History
//! points are priors only: they never get a row of their own.
//!
//! A whole-body exam's composition is followed apart (`body`: body_followup.csv), without
//! a verdict.

pub mod body;
mod compare;
pub mod lsc;

pub use compare::{
    Comparison, FollowupNote, FollowupRow, NotComparable, Point, Source, Verdict, compare_series,
};
pub use lsc::{Family, LscTable};

use crate::decimal::Decimal;
use crate::document::HistoryEntry;
use crate::visit::{DocStatus, VisitRows};
use crate::vocabulary::Region;

/// The monitored family of a region: femoral neck, total hip, or a spine range (the PA spine
/// of a history is the range the scanner followed).
fn family_of(region: Region) -> Option<Family> {
    match region {
        Region::FemoralNeck => Some(Family::FemoralNeck),
        Region::TotalHip => Some(Family::TotalHip),
        r if r.vertebrae().is_some_and(|(a, b)| b > a) => Some(Family::Spine),
        _ => None,
    }
}

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
            let member = view.member(origin.member);
            let doc = &member.doc;
            Some(Point {
                visit_id: view.visit_id.to_string(),
                patient_id: patient.clone(),
                family,
                laterality: m.laterality,
                region: m.region,
                study_date: date,
                content_time: doc.content_time,
                seq,
                sop_instance_uid: view.ids.uid(member.sop_instance_uid()).into_owned(),
                bmd: m.bmd?,
                sbmd: row.sbmd_mg_cm2,
                manufacturer: doc.manufacturer,
                device_serial: view.ids.serial(doc.device_serial.trim()).into_owned(),
                serial_raw: doc.device_serial.trim().to_string(),
                source: Source::Scanned,
                history_disagrees: None,
            })
        })
        .chain(history_points(view))
        .collect()
}

/// The earlier exams the visit's documents report, dated without guessing, as points on the
/// reporting device (a scanner's history is its own database).
fn history_points<'a>(view: &'a VisitRows<'a>) -> impl Iterator<Item = Point> + 'a {
    let patient = view.patient().into_owned();
    let seq = view.member(0).seq;
    (0..view.visit.members.len())
        .filter(move |&p| view.visit.status[p] == DocStatus::Used)
        .flat_map(move |p| {
            let member = view.member(p);
            let doc = &member.doc;
            let patient = patient.clone();
            doc.history.iter().filter_map(move |h: &HistoryEntry| {
                let date = h.exam_date.filter(|d| Some(*d) < view.visit.date)?;
                Some(Point {
                    visit_id: view.visit_id.to_string(),
                    patient_id: patient.clone(),
                    family: family_of(h.region)?,
                    laterality: h.laterality,
                    region: h.region,
                    study_date: view.date(Some(date)),
                    content_time: None,
                    seq,
                    sop_instance_uid: view.ids.uid(member.sop_instance_uid()).into_owned(),
                    bmd: h.bmd?,
                    sbmd: None,
                    manufacturer: doc.manufacturer,
                    device_serial: view.ids.serial(doc.device_serial.trim()).into_owned(),
                    serial_raw: doc.device_serial.trim().to_string(),
                    source: Source::History,
                    history_disagrees: None,
                })
            })
        })
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
pub fn rows(points: Vec<Point>, table: &LscTable) -> Vec<(Vec<u8>, FollowupRow, Family)> {
    let mut keyed: Vec<(Vec<u8>, Point)> = points.into_iter().map(|p| (sort_key(&p), p)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let lengths: Vec<usize> = keyed
        .chunk_by(|(_, a), (_, b)| {
            a.patient_id == b.patient_id && a.family == b.family && a.laterality == b.laterality
        })
        .map(<[_]>::len)
        .collect();
    // Each series moved out of the sorted points, its keys and points never copied.
    let mut keyed = keyed.into_iter();
    let mut out = Vec::new();
    for length in lengths {
        let series: Vec<(Vec<u8>, Point)> = keyed.by_ref().take(length).collect();
        let (mut keys, points): (Vec<Vec<u8>>, Vec<Point>) =
            one_point_per_date(series).into_iter().unzip();
        for (current, row) in compare_series(&points, table) {
            out.push((
                std::mem::take(&mut keys[current]),
                row,
                points[current].family,
            ));
        }
    }
    out
}

/// A series with one point per date: a scanned visit wins over a history point of its date
/// (and a different BMD is recorded as a disagreement), and of several history points of one
/// date (each later visit's trend repeats the earlier exams) the first stays.
fn one_point_per_date(series: Vec<(Vec<u8>, Point)>) -> Vec<(Vec<u8>, Point)> {
    let scanned_on = |date| {
        series
            .iter()
            .position(|(_, p)| p.source == Source::Scanned && p.study_date == date)
    };
    let mut keep = vec![false; series.len()];
    let mut kept_history: Vec<usize> = Vec::new();
    // Per point, the first BMD a history point of its date reported, when they differ.
    let mut disagrees: Vec<Option<Decimal>> = vec![None; series.len()];
    for (i, (_, point)) in series.iter().enumerate() {
        if point.source == Source::History {
            if let Some(scanned) = scanned_on(point.study_date) {
                if series[scanned].1.bmd != point.bmd {
                    disagrees[scanned].get_or_insert(point.bmd);
                }
                continue;
            }
            if kept_history
                .iter()
                .any(|&k| series[k].1.study_date == point.study_date)
            {
                continue;
            }
            kept_history.push(i);
        }
        keep[i] = true;
    }
    series
        .into_iter()
        .zip(keep)
        .zip(disagrees)
        .filter(|((_, keep), _)| *keep)
        .map(|(((key, mut point), _), reported)| {
            if let Some(reported) = reported {
                point.history_disagrees.get_or_insert(reported);
            }
            (key, point)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::vocabulary::Laterality;

    fn point(date: &str, bmd: &str, source: Source, seq: u64) -> Point {
        Point {
            visit_id: "V1".into(),
            patient_id: "P1".into(),
            family: Family::TotalHip,
            laterality: Laterality::Left,
            region: Region::TotalHip,
            study_date: Date::parse_da(date),
            content_time: None,
            seq,
            sop_instance_uid: format!("1.{seq}"),
            bmd: Decimal::parse(bmd).unwrap(),
            sbmd: None,
            manufacturer: Some(crate::vocabulary::Manufacturer::GeLunar),
            device_serial: "A".into(),
            serial_raw: "A".into(),
            source,
            history_disagrees: None,
        }
    }

    #[test]
    fn history_fills_in_what_was_not_scanned_and_never_overrides_a_scan() {
        // Visits scanned in 2021 and 2023; the 2023 scanner's trend repeats 2019 and 2021
        // (2021 with another value), the 2021 trend repeats 2019 too.
        let points = vec![
            point("20230101", "0.700", Source::Scanned, 5),
            point("20190101", "0.800", Source::History, 5),
            point("20210101", "0.755", Source::History, 5),
            point("20210101", "0.750", Source::Scanned, 2),
            point("20190101", "0.800", Source::History, 2),
        ];
        let rows: Vec<FollowupRow> = rows(points, &LscTable::default())
            .into_iter()
            .map(|(_, row, _)| row)
            .collect();
        let d = |text: &str| Decimal::parse(text).unwrap();
        assert_eq!(rows.len(), 2, "one row per scanned visit");
        assert_eq!(rows[0].study_date, Date::parse_da("20210101"));
        assert_eq!(rows[0].prior_study_date, Date::parse_da("20190101"));
        assert_eq!(rows[0].prior_source, Source::History);
        assert_eq!(rows[0].vs_prior.change, Some(d("-0.050")));
        assert!(
            rows[0].notes.contains(&FollowupNote::HistoryDisagrees {
                reported: d("0.755"),
                date: Date::parse_da("20210101"),
                visit: d("0.750"),
            }),
            "{:?}",
            rows[0].notes
        );
        assert_eq!(rows[1].prior_study_date, Date::parse_da("20210101"));
        assert_eq!(rows[1].prior_source, Source::Scanned);
        assert_eq!(
            rows[1].prior_bmd,
            d("0.750"),
            "the scan wins over the history"
        );
        assert_eq!(rows[1].baseline_source, Source::History);
    }
}
