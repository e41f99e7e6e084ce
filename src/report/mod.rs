//! `report.html`: a self-contained overview of a run (no network, charts as inline SVG):
//! counts per vendor, model and year, the distribution of categories, T-score histograms per
//! site, files not ingested by reason, follow-up outcomes.
//!
//! `ReportData` is filled as rows are written (counters only: constant memory whatever the
//! archive size); `render` turns it into the page.

mod render;

use std::collections::BTreeMap;

pub use render::render;

/// Histogram bins of T-scores: [-6.0, 4.0) in steps of 0.5; values outside go to the end bins.
pub const T_MIN: f64 = -6.0;
/// Width of a T-score bin.
pub const T_BIN: f64 = 0.5;
/// Number of T-score bins.
pub const T_BINS: usize = 20;

/// Everything the report shows. All maps are ordered, so the page is deterministic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportData {
    /// "dxa-ingest 0.1.0": no clock, so that the same input gives the same page.
    pub generated_by: String,
    /// Regular files and other entries accounted for.
    pub files_seen: u64,
    /// Results documents ingested.
    pub ingested: u64,
    /// Visits.
    pub studies: u64,
    /// files.csv rows with status skipped.
    pub skipped: u64,
    /// files.csv rows with status error.
    pub errors: u64,
    /// Visits per normalised manufacturer (`hologic`, `ge_lunar`, `other`).
    pub by_manufacturer: BTreeMap<String, u64>,
    /// Visits per "manufacturer_raw model" ("HOLOGIC Horizon A").
    pub by_model: BTreeMap<String, u64>,
    /// Visits per year (no date: not counted).
    pub by_year: BTreeMap<u16, u64>,
    /// Visits per classification (`osteopenia`, ...).
    pub by_classification: BTreeMap<String, u64>,
    /// Per diagnostic site family (`spine`, `femoral_neck`, `total_hip`, `radius_33`,
    /// `total_body_less_head`): counts of the rows used for diagnosis, by T-score bin
    /// (`T_BINS` bins from `T_MIN`, `T_BIN` wide).
    pub t_score_histograms: BTreeMap<String, Vec<u64>>,
    /// files.csv rows per (status, reason).
    pub files_by_reason: BTreeMap<(String, String), u64>,
    /// Follow-up rows per site family and `vs_prior` outcome (`significant_loss`, ...).
    pub followup: BTreeMap<String, BTreeMap<String, u64>>,
}

impl ReportData {
    /// Adds one T-score of a row used for diagnosis.
    pub fn add_t_score(&mut self, site: &str, t: f64) {
        let bins = self
            .t_score_histograms
            .entry(site.to_string())
            .or_insert_with(|| vec![0; T_BINS]);
        let bin = ((t - T_MIN) / T_BIN)
            .floor()
            .clamp(0.0, (T_BINS - 1) as f64) as usize;
        bins[bin] += 1;
    }

    /// Adds the counts of `other` (a partition's) to these.
    pub fn merge(&mut self, other: ReportData) {
        fn add<K: Ord>(into: &mut BTreeMap<K, u64>, from: BTreeMap<K, u64>) {
            for (k, n) in from {
                *into.entry(k).or_default() += n;
            }
        }
        self.files_seen += other.files_seen;
        self.ingested += other.ingested;
        self.studies += other.studies;
        self.skipped += other.skipped;
        self.errors += other.errors;
        add(&mut self.by_manufacturer, other.by_manufacturer);
        add(&mut self.by_model, other.by_model);
        add(&mut self.by_year, other.by_year);
        add(&mut self.by_classification, other.by_classification);
        add(&mut self.files_by_reason, other.files_by_reason);
        for (site, bins) in other.t_score_histograms {
            let into = self
                .t_score_histograms
                .entry(site)
                .or_insert_with(|| vec![0; T_BINS]);
            for (a, b) in into.iter_mut().zip(bins) {
                *a += b;
            }
        }
        for (family, outcomes) in other.followup {
            add(self.followup.entry(family).or_default(), outcomes);
        }
    }

    /// The lower edge of a T-score bin.
    pub fn bin_start(bin: usize) -> f64 {
        T_MIN + T_BIN * bin as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_scores_fall_in_half_point_bins() {
        let mut data = ReportData::default();
        data.add_t_score("femoral_neck", -2.5);
        data.add_t_score("femoral_neck", -2.4);
        data.add_t_score("femoral_neck", -9.0);
        data.add_t_score("femoral_neck", 7.0);
        let bins = &data.t_score_histograms["femoral_neck"];
        // -2.5 starts the bin [-2.5, -2.0); -2.4 is in it too.
        let bin = ((-2.5 - T_MIN) / T_BIN) as usize;
        assert_eq!(ReportData::bin_start(bin), -2.5);
        assert_eq!(bins[bin], 2);
        assert_eq!(bins[0], 1, "below the range: first bin");
        assert_eq!(bins[T_BINS - 1], 1, "above the range: last bin");
    }
}
