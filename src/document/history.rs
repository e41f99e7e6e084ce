//! Earlier exams as a scanner reported them (history.csv): GE trends, Hologic history tables.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::decimal::Decimal;
use crate::vocabulary::{Laterality, Region};

/// Which part of a file a history entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HistorySource {
    /// A GE "Trend ..." container of the SR tree.
    GeTrendTree,
    /// A GE ImageComments XML `TREND` / `EXAM`.
    GeXml,
    /// A Hologic results history table (TableType 2).
    HologicTable,
}

impl HistorySource {
    /// The history.csv `source` value.
    pub fn as_str(self) -> &'static str {
        match self {
            HistorySource::GeTrendTree => "ge_trend_tree",
            HistorySource::GeXml => "ge_xml",
            HistorySource::HologicTable => "hologic_history_table",
        }
    }
}

/// One earlier exam of one region as the scanner reported it (history.csv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The earlier exam's date, when it could be read without guessing.
    pub exam_date: Option<Date>,
    /// The date as written ("15-Mar-2021", "03/04/2021").
    pub exam_date_text: String,
    /// Day and month cannot be told apart (both <= 12 and the format does not say): flagged,
    /// `exam_date` left empty, never guessed.
    pub date_ambiguous: bool,
    /// Canonical region.
    pub region: Region,
    /// Side.
    pub laterality: Laterality,
    /// The region label as written.
    pub source_label: String,
    /// BMD then, g/cm².
    pub bmd: Option<Decimal>,
    /// Age then, years.
    pub age_years: Option<Decimal>,
    /// T-score then, when reported.
    pub t_score: Option<Decimal>,
    /// Z-score then, when reported.
    pub z_score: Option<Decimal>,
    /// Change vs the previous exam, g/cm².
    pub change_vs_previous_g_cm2: Option<Decimal>,
    /// Change vs the previous exam, %.
    pub change_vs_previous_pct: Option<Decimal>,
    /// Change vs the baseline exam, g/cm².
    pub change_vs_baseline_g_cm2: Option<Decimal>,
    /// Change vs the baseline exam, %.
    pub change_vs_baseline_pct: Option<Decimal>,
    /// Which of its changes the scanner marked significant (Hologic `*`: beyond the LSC at
    /// 95 % confidence); None when it reports no change.
    pub change_significant: Option<Marked>,
    /// Which of its changes the scanner marked as between dissimilar scans (Hologic `#`).
    pub change_dissimilar_scans: Option<Marked>,
    /// Where it came from.
    pub source: HistorySource,
}

impl HistoryEntry {
    /// An entry of `region` and `laterality` dated `exam_date_text` (parsed later), its
    /// values still to be read.
    pub fn placed(
        region: Region,
        laterality: Laterality,
        source_label: String,
        exam_date_text: String,
        source: HistorySource,
    ) -> HistoryEntry {
        HistoryEntry {
            exam_date: None,
            exam_date_text,
            date_ambiguous: false,
            region,
            laterality,
            source_label,
            bmd: None,
            age_years: None,
            t_score: None,
            z_score: None,
            change_vs_previous_g_cm2: None,
            change_vs_previous_pct: None,
            change_vs_baseline_g_cm2: None,
            change_vs_baseline_pct: None,
            change_significant: None,
            change_dissimilar_scans: None,
            source,
        }
    }
}

/// Which of an earlier exam's two changes (vs baseline, vs previous) carry a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Marked {
    /// Changes reported, none marked.
    No,
    /// The change vs the baseline.
    VsBaseline,
    /// The change vs the previous exam.
    VsPrevious,
    /// Both.
    Both,
}

impl Marked {
    /// From whether each change is marked.
    pub fn of(baseline: bool, previous: bool) -> Marked {
        match (baseline, previous) {
            (false, false) => Marked::No,
            (true, false) => Marked::VsBaseline,
            (false, true) => Marked::VsPrevious,
            (true, true) => Marked::Both,
        }
    }

    /// The history.csv value.
    pub fn as_str(self) -> &'static str {
        match self {
            Marked::No => "no",
            Marked::VsBaseline => "vs_baseline",
            Marked::VsPrevious => "vs_previous",
            Marked::Both => "both",
        }
    }
}
