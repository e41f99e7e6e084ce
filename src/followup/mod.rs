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
use crate::document::Document;
use crate::visit::{DocStatus, Ingested, VisitRows};
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

/// Appends the monitored points of a visit to `points` (a partition's points gathered in
/// one list, not a list made per visit and moved: docs/performance.md). They borrow from
/// `docs` and `visit_id` (the partition's documents and this visit's id, which the view
/// borrows too): the points of a partition outlive each visit's view until `rows`
/// compares them.
pub fn push_points<'d>(
    view: &VisitRows<'_>,
    docs: &'d [Ingested],
    visit_id: &'d str,
    points: &mut Vec<Point<'d>>,
) {
    debug_assert!(std::ptr::eq(docs, view.docs) && visit_id == view.visit_id);
    let member = |position: usize| -> &'d Ingested { &docs[view.visit.members[position]] };
    let patient_raw: &'d str = &member(0).doc.patient_id;
    if patient_raw.trim().is_empty() {
        return;
    }
    let assessed = view.assessed;
    let exam = &assessed.exam;
    let spine = crate::classify::pa_spine(&exam.measurements);
    let patient = view.ids.patient(patient_raw);
    let date = view.date(view.visit.date);
    let seq = member(0).seq;
    points.extend(
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
                let member = member(origin.member);
                let doc: &'d Document = &member.doc;
                Some(Point {
                    visit_id,
                    patient_id: patient.clone(),
                    family,
                    laterality: m.laterality,
                    region: m.region,
                    study_date: date,
                    content_time: doc.content_time,
                    seq,
                    sop_instance_uid: view.ids.uid(member.sop_instance_uid()),
                    bmd: m.bmd?,
                    sbmd: row.sbmd_mg_cm2,
                    manufacturer: doc.manufacturer,
                    device_serial: view.ids.serial(doc.device_serial.trim()),
                    serial_raw: doc.device_serial.trim(),
                    source: Source::Scanned,
                    history_disagrees: None,
                })
            }),
    );
    // The earlier exams the visit's documents report, dated without guessing, as points on
    // the reporting device (a scanner's history is its own database).
    for p in (0..view.visit.members.len()).filter(|&p| view.visit.status[p] == DocStatus::Used) {
        let member = member(p);
        let doc: &'d Document = &member.doc;
        for h in &doc.history {
            let Some(date) = h.exam_date.filter(|d| Some(*d) < view.visit.date) else {
                continue;
            };
            let (Some(family), Some(bmd)) = (family_of(h.region), h.bmd) else {
                continue;
            };
            points.push(Point {
                visit_id,
                patient_id: patient.clone(),
                family,
                laterality: h.laterality,
                region: h.region,
                study_date: view.date(Some(date)),
                content_time: None,
                seq,
                sop_instance_uid: view.ids.uid(member.sop_instance_uid()),
                bmd,
                sbmd: None,
                manufacturer: doc.manufacturer,
                device_serial: view.ids.serial(doc.device_serial.trim()),
                serial_raw: doc.device_serial.trim(),
                source: Source::History,
                history_disagrees: None,
            });
        }
    }
}

/// Bytes that sort like (patient, site family, side, date, content time, visit order): the
/// order of followup.csv.
pub fn sort_key(point: &Point<'_>) -> Vec<u8> {
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
pub fn rows<'a>(
    points: Vec<Point<'a>>,
    table: &LscTable,
) -> Vec<(Vec<u8>, FollowupRow<'a>, Family)> {
    // The points' keys are sorted by index (stable: equal keys keep their order), and each
    // point is moved once, into its series: a point is ~200 bytes (docs/performance.md).
    let mut keys: Vec<Vec<u8>> = points.iter().map(sort_key).collect();
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut points: Vec<Option<Point<'a>>> = points.into_iter().map(Some).collect();
    let mut out = Vec::new();
    let same_series = |a: &Point<'_>, b: &Point<'_>| {
        a.patient_id == b.patient_id && a.family == b.family && a.laterality == b.laterality
    };
    let mut series: Vec<Point<'a>> = Vec::new();
    let mut series_keys: Vec<usize> = Vec::new();
    // A series' lists, kept for the next series (a few allocations per series were a
    // tenth of the follow-up's cost: docs/performance.md).
    let mut kept = Vec::new();
    let mut kept_keys: Vec<usize> = Vec::new();
    let mut scratch = Scratch::default();
    for (at, &i) in order.iter().enumerate() {
        series.push(points[i].take().expect("each point once"));
        series_keys.push(i);
        let last = order.get(at + 1).and_then(|&next| points[next].as_ref());
        if last.is_some_and(|next| same_series(&series[0], next)) {
            continue;
        }
        one_point_per_date(&mut series, &mut kept, &mut scratch);
        let family = series[0].family;
        kept_keys.clear();
        kept_keys.extend(kept.iter().map(|&k| series_keys[k]));
        // Every point kept (most series): compared where they are.
        let compared = if kept.len() == series.len() {
            compare_series(&series, table)
        } else {
            let mut all: Vec<Option<Point<'a>>> = series.drain(..).map(Some).collect();
            let kept_points: Vec<Point<'a>> = kept
                .iter()
                .map(|&k| all[k].take().expect("kept once"))
                .collect();
            compare_series(&kept_points, table)
        };
        for (current, row) in compared {
            out.push((std::mem::take(&mut keys[kept_keys[current]]), row, family));
        }
        series.clear();
        series_keys.clear();
    }
    out
}

/// The lists `one_point_per_date` works in, kept from one series to the next.
#[derive(Default)]
struct Scratch {
    kept_history: Vec<usize>,
    disagrees: Vec<Option<Decimal>>,
}

/// Which points of a series (in sort order) stay, one per date: a scanned visit wins over
/// a history point of its date (and a different BMD is recorded as a disagreement, on the
/// scanned point), and of several history points of one date (each later visit's trend
/// repeats the earlier exams) the first stays. `keep` becomes the kept points' indices,
/// in order.
fn one_point_per_date(series: &mut [Point<'_>], keep: &mut Vec<usize>, scratch: &mut Scratch) {
    let scanned_on = |series: &[Point<'_>], date| {
        series
            .iter()
            .position(|p| p.source == Source::Scanned && p.study_date == date)
    };
    keep.clear();
    let Scratch {
        kept_history,
        disagrees,
    } = scratch;
    kept_history.clear();
    // Per point, the first BMD a history point of its date reported, when they differ.
    disagrees.clear();
    disagrees.resize(series.len(), None);
    for (i, point) in series.iter().enumerate() {
        if point.source == Source::History {
            if let Some(scanned) = scanned_on(series, point.study_date) {
                if series[scanned].bmd != point.bmd {
                    disagrees[scanned].get_or_insert(point.bmd);
                }
                continue;
            }
            if kept_history
                .iter()
                .any(|&k| series[k].study_date == point.study_date)
            {
                continue;
            }
            kept_history.push(i);
        }
        keep.push(i);
    }
    for (point, reported) in series.iter_mut().zip(disagrees.iter()) {
        if let Some(reported) = *reported {
            point.history_disagrees.get_or_insert(reported);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::vocabulary::Laterality;

    fn point(date: &str, bmd: &str, source: Source, seq: u64) -> Point<'static> {
        Point {
            visit_id: "V1",
            patient_id: "P1".into(),
            family: Family::TotalHip,
            laterality: Laterality::Left,
            region: Region::TotalHip,
            study_date: Date::parse_da(date),
            content_time: None,
            seq,
            sop_instance_uid: format!("1.{seq}").into(),
            bmd: Decimal::parse(bmd).unwrap(),
            sbmd: None,
            manufacturer: Some(crate::vocabulary::Manufacturer::GeLunar),
            device_serial: "A".into(),
            serial_raw: "A",
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
