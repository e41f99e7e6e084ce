//! `ReportData`: everything the page shows, as counts and short capped lists, filled while
//! the run writes its rows (constant memory whatever the archive size) and summed over the
//! partitions by `merge`, in any order, to the same value (the files not ingested, one list
//! in path order, come from the run's one files.csv stream, never from a partition).

use std::collections::BTreeMap;

use super::attention::Attention;
use super::bands;
use super::files::NotIngested;
use crate::bodycomp::index::BodyFlag;
use crate::date::Date;
use crate::decimal::Decimal;
use crate::error::FileError;

/// Everything the report shows. All maps are ordered and all lists sorted or in path
/// order, so the page is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportData {
    /// Regular files and other entries accounted for.
    pub files_seen: u64,
    /// Results documents ingested.
    pub ingested: u64,
    /// Visits (studies.csv rows).
    pub studies: u64,
    /// files.csv rows with status skipped.
    pub skipped: u64,
    /// files.csv rows with status error.
    pub errors: u64,
    /// The first and last visit dates as written (shifted under --shift-dates).
    pub visit_dates: Option<(Date, Date)>,
    /// Visits without a date.
    pub visits_without_date: u64,
    /// Visits per normalised manufacturer (`hologic`, `ge_lunar`, `other`).
    pub by_manufacturer: BTreeMap<String, u64>,
    /// Visits per (manufacturer as written, model).
    pub by_model: BTreeMap<(String, String), u64>,
    /// Visits per year (no date: not counted).
    pub by_year: BTreeMap<u16, u64>,
    /// Visits per classification (`osteopenia`, ...).
    pub by_classification: BTreeMap<String, u64>,
    /// Visits of the T-score population classified on a T-score: the deciding (lowest)
    /// T in tenths (`bands::tenths`) -> visits. Its bands are studies.csv's counts of
    /// normal, osteopenia and osteoporosis.
    pub deciding_t: BTreeMap<i32, u64>,
    /// Per diagnostic site family (`spine`, `femoral_neck`, `total_hip`, `radius_33`):
    /// the T-scores of the rows used for diagnosis, T-score population only, in tenths.
    pub t_score_histograms: BTreeMap<String, BTreeMap<i32, u64>>,
    /// files.csv rows per (status, reason).
    pub files_by_reason: BTreeMap<(String, String), u64>,
    /// The first files not ingested, by name.
    pub not_ingested: NotIngested,
    /// Follow-up rows per site family and `vs_prior` outcome (`significant_loss`, ...).
    pub followup: BTreeMap<String, BTreeMap<String, u64>>,
    /// The visits that need attention.
    pub attention: Attention,
    /// The visits with a body composition.
    pub body: BodyCounts,
}

/// The visits with a whole-body exam's body composition and their findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyCounts {
    /// Visits with a body composition.
    pub visits: u64,
    /// Visits per FMI class (`normal`, ...).
    pub fmi_class: BTreeMap<String, u64>,
    /// Visits flagged `low_muscle_mass_ewgsop2`.
    pub low_muscle_mass: u64,
    /// Visits flagged `low_lean_mass_fnih`.
    pub low_lean_mass: u64,
    /// Visits flagged `height_unknown`.
    pub height_unknown: u64,
    /// Visits flagged `body_composition_inconsistent=...`.
    pub inconsistent: u64,
}

impl BodyCounts {
    /// Counts one visit's findings.
    pub fn add(&mut self, flags: &[BodyFlag]) {
        self.visits += 1;
        for flag in flags {
            match flag {
                BodyFlag::FmiClass(class) => {
                    *self
                        .fmi_class
                        .entry(class.as_str().to_string())
                        .or_default() += 1
                }
                BodyFlag::LowMuscleMassEwgsop2 => self.low_muscle_mass += 1,
                BodyFlag::LowLeanMassFnih => self.low_lean_mass += 1,
                BodyFlag::HeightUnknown => self.height_unknown += 1,
                BodyFlag::WeightUnknown | BodyFlag::Inconsistent(_) => {}
            }
        }
        if flags.iter().any(|f| matches!(f, BodyFlag::Inconsistent(_))) {
            self.inconsistent += 1;
        }
    }

    fn merge(&mut self, other: BodyCounts) {
        self.visits += other.visits;
        for (class, n) in other.fmi_class {
            *self.fmi_class.entry(class).or_default() += n;
        }
        self.low_muscle_mass += other.low_muscle_mass;
        self.low_lean_mass += other.low_lean_mass;
        self.height_unknown += other.height_unknown;
        self.inconsistent += other.inconsistent;
    }
}

impl ReportData {
    /// Adds one T-score of a row used for diagnosis at a site family.
    pub fn add_t_score(&mut self, site: &str, t: Decimal) {
        let bins = match self.t_score_histograms.get_mut(site) {
            Some(bins) => bins,
            None => self.t_score_histograms.entry(site.to_string()).or_default(),
        };
        *bins.entry(bands::tenths(t)).or_default() += 1;
    }

    /// Adds the deciding T-score of a visit classified on it.
    pub fn add_deciding_t(&mut self, t: Decimal) {
        *self.deciding_t.entry(bands::tenths(t)).or_default() += 1;
    }

    /// Adds a visit's date to the range (or counts it as undated).
    pub fn add_visit_date(&mut self, date: Option<Date>) {
        match date {
            None => self.visits_without_date += 1,
            Some(date) => {
                self.visit_dates = Some(match self.visit_dates {
                    None => (date, date),
                    Some((first, last)) => (first.min(date), last.max(date)),
                });
            }
        }
    }

    /// Records a files.csv row (files arrive in path order): its count and, while the list
    /// has room, its name.
    pub fn add_file(&mut self, shown_path: &str, error: &FileError) {
        *self
            .files_by_reason
            .entry((
                error.reason.status().as_str().to_string(),
                error.reason.code().to_string(),
            ))
            .or_default() += 1;
        self.not_ingested.add(shown_path, error);
    }

    /// Adds the counts of `other` (a partition's) to these.
    pub fn merge(&mut self, other: ReportData) {
        fn add<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
            // A count the other side does not have yet is taken whole.
            if into.is_empty() {
                *into = from;
                return;
            }
            for (k, n) in from {
                let slot = into.entry(k).or_default();
                *slot = slot.saturating_add(n);
            }
        }
        self.files_seen += other.files_seen;
        self.ingested += other.ingested;
        self.studies += other.studies;
        self.skipped += other.skipped;
        self.errors += other.errors;
        self.visit_dates = match (self.visit_dates, other.visit_dates) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (one, other) => one.or(other),
        };
        self.visits_without_date += other.visits_without_date;
        add(&mut self.by_manufacturer, other.by_manufacturer);
        add(&mut self.by_model, other.by_model);
        add(&mut self.by_year, other.by_year);
        add(&mut self.by_classification, other.by_classification);
        add(&mut self.deciding_t, other.deciding_t);
        for (site, bins) in other.t_score_histograms {
            add(self.t_score_histograms.entry(site).or_default(), bins);
        }
        add(&mut self.files_by_reason, other.files_by_reason);
        self.not_ingested.merge(other.not_ingested);
        for (family, outcomes) in other.followup {
            add(self.followup.entry(family).or_default(), outcomes);
        }
        self.attention.merge(other.attention);
        self.body.merge(other.body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Reason;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).expect("decimal")
    }

    fn date(year: u16, month: u8, day: u8) -> Option<Date> {
        Some(Date { year, month, day })
    }

    fn part(seed: u64) -> ReportData {
        let mut data = ReportData {
            studies: seed + 1,
            ..ReportData::default()
        };
        data.add_t_score("femoral_neck", d(&format!("-{}.{}", seed % 4, seed % 10)));
        data.add_deciding_t(d("-2.5"));
        data.add_visit_date(date(2000 + seed as u16, 1, 1));
        data.add_visit_date(None);
        *data
            .by_model
            .entry(("HOLOGIC".into(), "Horizon A".into()))
            .or_default() += seed;
        data.add_file(
            &format!("f{seed}"),
            &FileError::new(Reason::NotSr, "an image"),
        );
        data
    }

    #[test]
    fn merge_sums_in_any_order() {
        let parts: Vec<ReportData> = (0..6).map(part).collect();
        let mut forward = ReportData::default();
        for p in parts.iter().cloned() {
            forward.merge(p);
        }
        let mut backward = ReportData::default();
        for p in parts.iter().rev().cloned() {
            backward.merge(p);
        }
        // Lists of files are in path order: only the counts are order-free.
        backward.not_ingested = forward.not_ingested.clone();
        assert_eq!(forward, backward);
        assert_eq!(forward.studies, 21);
        assert_eq!(
            forward.visit_dates,
            Some((date(2000, 1, 1).unwrap(), date(2005, 1, 1).unwrap()))
        );
        assert_eq!(forward.visits_without_date, 6);
        assert_eq!(forward.deciding_t[&-25], 6);
        assert_eq!(
            forward.by_model[&("HOLOGIC".into(), "Horizon A".into())],
            15
        );
        assert_eq!(
            forward.files_by_reason[&("skipped".into(), "not_sr".into())],
            6
        );
        assert_eq!(forward.not_ingested.skipped.len(), 6);
        assert_eq!(
            forward.t_score_histograms["femoral_neck"]
                .values()
                .sum::<u64>(),
            6
        );
    }

    #[test]
    fn t_scores_are_counted_in_reported_tenths() {
        let mut data = ReportData::default();
        for t in ["-2.5", "-2.45", "-2.4", "-1.0", "-1.04", "-1.1"] {
            data.add_t_score("spine", d(t));
        }
        let spine = &data.t_score_histograms["spine"];
        assert_eq!(spine[&-25], 2, "-2.45 is reported as -2.5");
        assert_eq!(spine[&-24], 1);
        assert_eq!(spine[&-10], 2, "-1.04 is reported as -1.0");
        assert_eq!(spine[&-11], 1);
        assert_eq!(bands::per_band(spine), [2, 2, 2]);
    }
}
