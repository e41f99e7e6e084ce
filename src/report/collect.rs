//! A partition's part of the report, gathered while the partition renders its rows: the
//! counts of each visit, the visits that need attention, and the BMD series of the
//! patients it lists. `finish` caps what it keeps (`Attention::cap`), so a partition holds
//! at most `ATTENTION_CAP` rows and their series until the partitions are merged.

use std::collections::BTreeMap;

// hashbrown's (foldhash): the maps of `finish` are only looked up, never iterated, so
// their order does not matter, and std's SipHash cost more than the rest of `finish`.
use hashbrown::{HashMap, HashSet};

use super::attention::{Attention, AttentionRow, Concern, TrendPoint, TrendSeries, concerns_of};
use super::data::ReportData;
use crate::date::Date;
use crate::decimal::{Decimal, dec};
use crate::followup::lsc::Lsc;
use crate::followup::{Family, FollowupRow, LscTable, Point, Source, Verdict};
use crate::output::rows::verdict_word;
use crate::pseudonym::Ids;
use crate::visit::{Ingested, VisitRows};
use crate::vocabulary::{Classification, Laterality, Population, Region};

/// What the collector remembers of a visit until the follow-up rows are known.
struct VisitNote {
    /// The visit's first document's place in path order (followup keys end with it).
    seq: u64,
    /// Its first document: an index into the partition's documents.
    first: usize,
    date: Option<Date>,
    classification: &'static str,
    min_t: Option<Decimal>,
    min_z: Option<Decimal>,
    concerns: Vec<Concern>,
    losses: Vec<String>,
}

/// A follow-up point, kept in case its patient is listed.
struct Trace<'o> {
    seq: u64,
    /// A scanned visit, or an earlier exam a visit's scanner reported.
    source: Source,
    family: Family,
    laterality: Laterality,
    region: Region,
    date: Option<Date>,
    bmd: Decimal,
    /// The serial as in the file (borrowed from the partition's documents).
    device: &'o str,
}

/// A series: patient ID as written, site family, side.
type SeriesKey = (String, Family, Laterality);

/// Gathers one partition's part of the report: its counts straight into the counts of the
/// partitions before it (`data`: sums, in any order), its visits that need attention apart
/// (`finish` caps them and gives them to be merged).
pub struct Collector<'o> {
    data: &'o mut ReportData,
    attention: Attention,
    lsc: &'o LscTable,
    ids: Ids<'o>,
    visits: Vec<VisitNote>,
    sorted: bool,
    traces: Vec<Trace<'o>>,
    outcomes: Vec<(u64, Family, Laterality, Verdict)>,
    /// The last visit's `by_model` key (its strings reused).
    model_key: (String, String),
}

impl<'o> Collector<'o> {
    /// A collector judging trends with `lsc`, writing identifiers as `ids` does.
    pub fn new(lsc: &'o LscTable, ids: Ids<'o>, data: &'o mut ReportData) -> Self {
        Collector {
            data,
            attention: Attention::default(),
            lsc,
            ids,
            visits: Vec::new(),
            sorted: true,
            traces: Vec::new(),
            outcomes: Vec::new(),
            model_key: (String::new(), String::new()),
        }
    }

    /// Counts a visit; `points` are its follow-up points (`followup::push_points`).
    pub fn visit(&mut self, view: &VisitRows<'_>, points: &[Point<'o>]) {
        let data = &mut *self.data;
        let first = view.first_with(|d| d.manufacturer.is_some());
        let manufacturer = first.manufacturer.map_or("", |m| m.as_str());
        count(&mut data.by_manufacturer, manufacturer);
        let model = view.first_with(|d| !d.model.trim().is_empty());
        // The key made in the collector's own two strings and looked up, copied only when
        // it is new: two strings made and freed per visit (docs/performance.md).
        let key = &mut self.model_key;
        key.0.clear();
        key.0.push_str(model.manufacturer_raw.trim());
        key.1.clear();
        key.1.push_str(model.model.trim());
        match data.by_model.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                data.by_model.insert(key.clone(), 1);
            }
        }
        let date = view.date(view.visit.date);
        if let Some(date) = date {
            *data.by_year.entry(date.year).or_default() += 1;
        }
        data.add_visit_date(date);
        if let Some(body) = view.body {
            data.body.add(&body.assessment.flags);
        }
        let assessment = &view.assessed.assessment;
        let classification = assessment.classification.as_str();
        count(&mut data.by_classification, classification);

        // T-scores: the T-score population only (Z-score patients are not on them).
        if assessment.population == Population::AdultTScore {
            let on_t = matches!(
                assessment.classification,
                Classification::Normal | Classification::Osteopenia | Classification::Osteoporosis
            );
            // The lowest T among the sites used is the one that decided the category.
            if let Some(t) = assessment.min_t_score.filter(|_| on_t) {
                data.add_deciding_t(t);
            }
            let exam = &view.assessed.exam;
            for (m, row) in exam.measurements.iter().zip(&assessment.rows) {
                let Some(t) = m.t_score.filter(|_| row.used_for_diagnosis) else {
                    continue;
                };
                data.add_t_score(site_family(m.region), t);
            }
        }

        if self
            .visits
            .last()
            .is_some_and(|v| v.seq > view.member(0).seq)
        {
            self.sorted = false;
        }
        self.visits.push(VisitNote {
            seq: view.member(0).seq,
            first: view.visit.members[0],
            date,
            classification,
            min_t: assessment.min_t_score,
            min_z: assessment.min_z_score,
            concerns: concerns_of(assessment.classification, &assessment.flags),
            losses: Vec::new(),
        });
        self.traces.extend(points.iter().map(|p| Trace {
            seq: p.seq,
            source: p.source,
            family: p.family,
            laterality: p.laterality,
            region: p.region,
            date: p.study_date,
            bmd: p.bmd,
            device: p.serial_raw,
        }));
    }

    /// Counts a follow-up row (`followup::rows`: its sort key, the row, its site family);
    /// a significant loss makes its visit one that needs attention.
    pub fn followup_row(&mut self, key: &[u8], row: &FollowupRow<'_>, family: Family) {
        let verdict = row.vs_prior.verdict;
        let outcomes = match self.data.followup.get_mut(family.as_str()) {
            Some(outcomes) => outcomes,
            None => self
                .data
                .followup
                .entry(family.as_str().to_string())
                .or_default(),
        };
        count(outcomes, verdict_word(verdict));
        let Some(seq) = visit_seq(key) else {
            return;
        };
        self.outcomes.push((seq, family, row.laterality, verdict));
        // A loss since the prior visit; or, when the prior visit is not comparable (another
        // device), since the baseline.
        let vs_baseline = verdict == Verdict::NotComparable
            && row.vs_baseline.verdict == Verdict::SignificantLoss;
        if verdict != Verdict::SignificantLoss && !vs_baseline {
            return;
        }
        if !self.sorted {
            self.visits.sort_by_key(|v| v.seq);
            self.sorted = true;
        }
        if let Ok(i) = self.visits.binary_search_by_key(&seq, |v| v.seq) {
            let note = &mut self.visits[i];
            if !note.concerns.contains(&Concern::SignificantLoss) {
                note.concerns.push(Concern::SignificantLoss);
                note.concerns.sort_unstable();
            }
            let where_ = [row.region.as_str(), row.laterality.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            let (comparison, since) = if vs_baseline {
                (
                    &row.vs_baseline,
                    format!(
                        " vs baseline {}",
                        row.baseline_study_date
                            .map(|d| d.to_string())
                            .unwrap_or_default()
                    ),
                )
            } else {
                (&row.vs_prior, String::new())
            };
            let change = match (comparison.change_pct, comparison.change) {
                (Some(pct), _) => format!("{} %", pct.to_plain(2)),
                (None, grams) => {
                    format!("{} g/cm²", grams.map(|g| g.to_plain(3)).unwrap_or_default())
                }
            };
            note.losses
                .push(format!("{where_} {}{since}", change.replace('-', "−")));
        }
    }

    /// The partition's visits that need attention (capped, in `row_order`: for
    /// `Attention::merge`); `docs` are the partition's documents.
    pub fn finish(mut self, docs: &[Ingested]) -> Attention {
        let ids = self.ids;
        let raw_patient = |note: &VisitNote| docs[note.first].doc.patient_id.as_str();
        let attention = &mut self.attention;
        for note in self.visits.iter_mut().filter(|n| !n.concerns.is_empty()) {
            attention.add(AttentionRow {
                patient: ids.patient(raw_patient(note)).into_owned(),
                date: note.date,
                classification: note.classification,
                min_t: note.min_t,
                min_z: note.min_z,
                concerns: std::mem::take(&mut note.concerns),
                losses: std::mem::take(&mut note.losses),
                seq: note.seq,
            });
        }
        attention.cap();

        // The series of the listed patients: every visit of theirs, listed or not.
        if attention.rows.is_empty() {
            return self.attention;
        }
        let listed: HashSet<u64> = attention.rows.iter().map(|r| r.seq).collect();
        let listed_raw: HashSet<&str> = self
            .visits
            .iter()
            .filter(|n| listed.contains(&n.seq))
            .map(raw_patient)
            .collect();
        let mut written: HashMap<&str, String> = HashMap::new();
        let patient_of: HashMap<u64, String> = self
            .visits
            .iter()
            .filter(|n| listed_raw.contains(raw_patient(n)))
            .map(|n| {
                let raw = raw_patient(n);
                let patient = written
                    .entry(raw)
                    .or_insert_with(|| ids.patient(raw).into_owned());
                (n.seq, patient.clone())
            })
            .collect();
        let outcomes: HashMap<(u64, Family, Laterality), Verdict> = self
            .outcomes
            .iter()
            .filter(|(seq, ..)| patient_of.contains_key(seq))
            .map(|&(seq, family, side, outcome)| ((seq, family, side), outcome))
            .collect();
        let mut series: BTreeMap<SeriesKey, Vec<&Trace>> = BTreeMap::new();
        for trace in self.traces.iter().filter(|t| t.date.is_some()) {
            if let Some(patient) = patient_of.get(&trace.seq) {
                series
                    .entry((patient.clone(), trace.family, trace.laterality))
                    .or_default()
                    .push(trace);
            }
        }
        for ((patient, family, side), mut traces) in series {
            // One point per exam, as followup.csv has them (`followup::rows`): a scanned
            // visit wins over a scanner history's report of its date, and of several
            // reports of one earlier exam the first stays.
            traces.sort_by_key(|t| (t.date, t.source, t.seq));
            traces.dedup_by(|later, kept| later.date == kept.date);
            let points: Vec<TrendPoint> = traces
                .iter()
                .filter_map(|t| {
                    // An earlier exam from a history has no followup.csv row of its own.
                    let outcome = match t.source {
                        Source::Scanned => outcomes.get(&(t.seq, family, side)).copied(),
                        Source::History => None,
                    };
                    Some(TrendPoint {
                        date: t.date?,
                        bmd_milli: TrendPoint::milli(t.bmd),
                        region: t.region,
                        vs_prior: outcome,
                    })
                })
                .collect();
            // A series is a change over time: one point has nothing to show.
            let Some(first) = traces.first() else {
                continue;
            };
            if points.len() < 2 {
                continue;
            }
            // The lookup followup.csv makes for the first point's device (the device's row
            // of --lsc, else its all-devices row, else the ISCD default; docs/clinical.md).
            let lsc = self.lsc.lookup(family, first.device);
            attention
                .trends
                .entry(patient)
                .or_default()
                .push(TrendSeries {
                    family,
                    side,
                    lsc,
                    lsc_g_cm2: lsc_grams(lsc.0, first.bmd),
                    points,
                });
        }
        self.attention
    }
}

/// Counts one more under `key`, making its `String` only the first time (a count per
/// visit or follow-up row: docs/performance.md).
fn count(counts: &mut BTreeMap<String, u64>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

/// An LSC in g/cm² around a BMD: as given, or its percentage of the BMD.
fn lsc_grams(lsc: Lsc, bmd: Decimal) -> Option<Decimal> {
    match lsc {
        Lsc::Grams(g) => Some(g),
        Lsc::Percent(p) => p
            .checked_mul(bmd)
            .and_then(|x| x.div_rounded(dec!("100"), 3)),
    }
}

/// The visit a follow-up row belongs to: `followup::sort_key` ends with the visit's
/// place in path order, 8 bytes big-endian (a test below holds the two together).
fn visit_seq(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// The site family a diagnostic row counts under in the per-site histograms.
fn site_family(region: Region) -> &'static str {
    match region {
        r if r.vertebrae().is_some() => "spine",
        other => other.as_str(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_followup_key_ends_with_its_visit() {
        let point = Point {
            visit_id: "V1",
            patient_id: "P1".into(),
            family: Family::TotalHip,
            laterality: Laterality::Left,
            region: Region::TotalHip,
            study_date: Date::parse_da("20200101"),
            content_time: None,
            seq: 0x0102_0304_0506_0708,
            sop_instance_uid: "1.2".into(),
            bmd: Decimal::parse("0.8").expect("decimal"),
            sbmd: None,
            manufacturer: Some(crate::vocabulary::Manufacturer::Hologic),
            device_serial: "A".into(),
            serial_raw: "A",
            source: crate::followup::Source::Scanned,
            history_disagrees: None,
        };
        let key = crate::followup::sort_key(&point);
        assert_eq!(visit_seq(&key), Some(point.seq));
        assert_eq!(visit_seq(&[1, 2]), None);
    }

    #[test]
    fn lsc_in_grams() {
        let bmd = Decimal::parse("0.800").expect("decimal");
        // Default total hip LSC 5.0 % of 0.800 = 0.040 g/cm².
        let (lsc, _) = LscTable::default().lookup(Family::TotalHip, "A");
        assert_eq!(
            lsc_grams(lsc, bmd).map(|g| g.to_plain(3)),
            Some("0.040".into())
        );
        let grams = Lsc::Grams(Decimal::parse("0.021").expect("decimal"));
        assert_eq!(
            lsc_grams(grams, bmd).map(|g| g.to_plain(3)),
            Some("0.021".into())
        );
    }

    #[test]
    fn site_families() {
        assert_eq!(site_family(Region::SpineL2L4), "spine");
        assert_eq!(site_family(Region::FemoralNeck), "femoral_neck");
        assert_eq!(site_family(Region::Radius33), "radius_33");
    }
}
