//! The visits that need attention (docs/report.md): what makes a visit one, the table's rows in a
//! fixed order, capped, and each listed patient's BMD series for the trend chart.
//!
//! A visit needs attention when (docs/report.md, "Visits that need attention"; the rules are
//! docs/clinical.md's):
//! - it is classified `osteoporosis`;
//! - a Z-score is at or below -2.0: the flag `z_score_le_-2` (adults) or the
//!   classification `below_expected_range_for_age`;
//! - a follow-up comparison of it with the prior visit is a `significant_loss`, or, when the
//!   prior visit is not comparable (another device), the one with the baseline is;
//! - its vertebrae are discordant: the flag `spine_vertebra_discordant`;
//! - it is osteopenia with FRAX above the treatment threshold: the flag
//!   `frax_above_treatment_threshold` (BHOF 2022).
//!
//! Partitions find their visits in any order; each keeps its first `ATTENTION_CAP` rows in
//! `row_order`, and `Attention::merge` keeps the first `ATTENTION_CAP` of the union in the
//! same order: the kept rows are the first of the whole run whatever the partitions and
//! `--jobs`, so the page is the same bytes.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::classify::{AssessmentFlag, AssessmentFlagKind};
use crate::date::Date;
use crate::decimal::Decimal;
use crate::followup::lsc::{Lsc, LscSource};
use crate::followup::{Family, Verdict};
use crate::output::flags::assessment_patterns;
use crate::output::rows::verdict_word;
use crate::vocabulary::{Classification, Laterality, Region};

/// Visits listed in the page's table; the CSVs hold the others (the page says how many and
/// how to find them). With their trend data this keeps the page far below 5 MB.
pub const ATTENTION_CAP: usize = 250;

/// Why a visit needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Concern {
    /// Classified osteoporosis.
    Osteoporosis,
    /// A Z-score at or below -2.0.
    LowZ,
    /// A significant loss since the prior visit.
    SignificantLoss,
    /// Discordant vertebrae.
    DiscordantVertebrae,
    /// Osteopenia with FRAX above the treatment threshold.
    FraxAboveThreshold,
}

impl Concern {
    /// Every concern, in the order the page lists them.
    pub const ALL: [Concern; 5] = [
        Concern::Osteoporosis,
        Concern::LowZ,
        Concern::SignificantLoss,
        Concern::DiscordantVertebrae,
        Concern::FraxAboveThreshold,
    ];

    /// A stable code, for the page's markup.
    pub fn code(self) -> &'static str {
        match self {
            Concern::Osteoporosis => "osteoporosis",
            Concern::LowZ => "low_z",
            Concern::SignificantLoss => "significant_loss",
            Concern::DiscordantVertebrae => "discordant_vertebrae",
            Concern::FraxAboveThreshold => "frax_above_threshold",
        }
    }

    /// The short text the table shows.
    pub fn label(self) -> &'static str {
        match self {
            Concern::Osteoporosis => "osteoporosis",
            Concern::LowZ => "Z ≤ −2.0",
            Concern::SignificantLoss => "significant loss",
            Concern::DiscordantVertebrae => "discordant vertebrae",
            Concern::FraxAboveThreshold => "osteopenia, FRAX above treatment threshold",
        }
    }

    /// Where the CSVs hold every visit with this concern (in the CSVs' own words).
    pub fn csv_filter(self) -> String {
        let flag = |kind| assessment_patterns(kind)[0];
        let outcome = verdict_word;
        match self {
            Concern::Osteoporosis => format!(
                "studies.csv: classification = {}",
                Classification::Osteoporosis
            ),
            Concern::LowZ => format!(
                "studies.csv: flags contains {}, or classification = {}",
                flag(AssessmentFlagKind::ZScoreAtOrBelowMinus2),
                Classification::BelowExpectedRangeForAge
            ),
            Concern::SignificantLoss => format!(
                "followup.csv: vs_prior = {loss}, or vs_prior = {} and vs_baseline = {loss}",
                outcome(Verdict::NotComparable),
                loss = outcome(Verdict::SignificantLoss)
            ),
            Concern::DiscordantVertebrae => format!(
                "studies.csv: flags contains {}",
                flag(AssessmentFlagKind::SpineVertebraDiscordant)
            ),
            Concern::FraxAboveThreshold => format!(
                "studies.csv: flags contains {}",
                flag(AssessmentFlagKind::FraxAboveTreatmentThreshold)
            ),
        }
    }
}

/// The concerns a visit's classification and flags raise (the follow-up's significant
/// loss is added once the comparisons are made).
pub fn concerns_of(classification: Classification, flags: &[AssessmentFlag]) -> Vec<Concern> {
    let has = |flag: AssessmentFlag| flags.contains(&flag);
    let mut out = Vec::new();
    if classification == Classification::Osteoporosis {
        out.push(Concern::Osteoporosis);
    }
    if has(AssessmentFlag::ZScoreAtOrBelowMinus2)
        || classification == Classification::BelowExpectedRangeForAge
    {
        out.push(Concern::LowZ);
    }
    if has(AssessmentFlag::SpineVertebraDiscordant) {
        out.push(Concern::DiscordantVertebrae);
    }
    if has(AssessmentFlag::FraxAboveTreatmentThreshold) {
        out.push(Concern::FraxAboveThreshold);
    }
    out
}

/// One row of the table: a visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionRow {
    /// studies.csv `patient_id` (the pseudonym under --pseudonymize).
    pub patient: String,
    /// studies.csv `study_date` (shifted under --shift-dates).
    pub date: Option<Date>,
    /// studies.csv `classification`.
    pub classification: &'static str,
    /// studies.csv `min_t_score`.
    pub min_t: Option<Decimal>,
    /// studies.csv `min_z_score`.
    pub min_z: Option<Decimal>,
    /// Its concerns, in `Concern` order.
    pub concerns: Vec<Concern>,
    /// The significant losses: "total_hip left −7.44 %", "femoral_neck left −7.44 % vs
    /// baseline 2020-04-20".
    pub losses: Vec<String>,
    /// The visit's place in path order (its first document's): the last tie-break.
    pub seq: u64,
}

/// The table's order, which also decides which rows the cap keeps: newest visit first
/// (visits without a date last), then patient ID, then path order.
pub fn row_order(a: &AttentionRow, b: &AttentionRow) -> Ordering {
    match (a.date, b.date) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then_with(|| a.patient.cmp(&b.patient))
    .then(a.seq.cmp(&b.seq))
}

/// One point of a BMD series: 12 bytes, no text of its own (every partition holds the
/// series of up to `ATTENTION_CAP` patients until the merge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrendPoint {
    /// The visit's date as written.
    pub date: Date,
    /// BMD in thousandths of a g/cm² (the chart's precision).
    pub bmd_milli: i32,
    /// The exact region (a spine series can change vertebral set).
    pub region: Region,
    /// followup.csv `vs_prior` of this point (none for a series' first point, and for an
    /// earlier exam a scanner reported: it has no row of its own).
    pub vs_prior: Option<Verdict>,
}

impl TrendPoint {
    /// A BMD as thousandths of a g/cm², rounded as the CSVs round (half away from zero).
    pub fn milli(bmd: Decimal) -> i32 {
        let (mantissa, scale) = bmd.round_to(3).to_parts();
        let milli = (0..3u32.saturating_sub(scale)).fold(mantissa, |m, _| m.saturating_mul(10));
        milli.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }
}

/// One patient's BMD over time at one site and side (followup.csv's series).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendSeries {
    /// The site family.
    pub family: Family,
    /// The side (none for the spine).
    pub side: Laterality,
    /// The LSC followup.csv judges the first point's device with, and where it came from.
    pub lsc: (Lsc, LscSource),
    /// That LSC around the first point, g/cm².
    pub lsc_g_cm2: Option<Decimal>,
    /// The points, oldest first.
    pub points: Vec<TrendPoint>,
}

impl TrendSeries {
    /// How the LSC was given: "5.3 % of the first BMD (ISCD default)".
    pub fn lsc_text(&self) -> String {
        let source = match self.lsc.1 {
            LscSource::Default => "ISCD default",
            LscSource::File => "--lsc file",
        };
        match self.lsc.0 {
            Lsc::Grams(g) => format!("{} g/cm² ({source})", g.to_plain(3)),
            Lsc::Percent(p) => format!("{} % of the first BMD ({source})", p.to_plain(1)),
        }
    }
}

/// The attention part of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attention {
    /// Visits that need attention, all of them.
    pub visits: u64,
    /// Visits per concern (a visit counts once per concern it has).
    pub by_concern: BTreeMap<Concern, u64>,
    /// The first `ATTENTION_CAP` visits in `row_order`.
    pub rows: Vec<AttentionRow>,
    /// The series of the listed patients, by patient ID as written.
    pub trends: BTreeMap<String, Vec<TrendSeries>>,
}

impl Attention {
    /// Counts one visit that needs attention and offers it to the table.
    pub fn add(&mut self, row: AttentionRow) {
        self.visits += 1;
        for concern in &row.concerns {
            *self.by_concern.entry(*concern).or_default() += 1;
        }
        self.rows.push(row);
    }

    /// Sorts the rows, keeps the first `ATTENTION_CAP`, and drops the series of patients
    /// no longer listed.
    pub fn cap(&mut self) {
        self.rows.sort_by(row_order);
        self.rows.truncate(ATTENTION_CAP);
        let listed: BTreeSet<&str> = self.rows.iter().map(|r| r.patient.as_str()).collect();
        self.trends
            .retain(|patient, _| listed.contains(patient.as_str()));
    }

    /// Adds a partition's part: the same result in any merge order. Both lists of rows are
    /// in `row_order` (a partition's after `cap`), so they are merged in one pass.
    pub fn merge(&mut self, other: Attention) {
        sort_rows(&mut self.rows);
        self.merge_part(other);
    }

    /// `merge` into a table whose rows are in `row_order` already: one that only `cap`,
    /// `merge` and `merge_part` made (a run's partitions are added so). Only the part's
    /// rows are checked for order: the table's 250 checked again for every partition were
    /// most of the cost of adding one (docs/performance.md, "The end of a run").
    pub fn merge_part(&mut self, mut other: Attention) {
        debug_assert!(
            self.rows
                .is_sorted_by(|a, b| row_order(a, b) != Ordering::Greater)
        );
        self.visits += other.visits;
        for (concern, n) in other.by_concern {
            *self.by_concern.entry(concern).or_default() += n;
        }
        sort_rows(&mut other.rows);
        for (patient, series) in other.trends {
            // A patient's visits are all in one partition: never two entries to join.
            self.trends.entry(patient).or_insert(series);
        }
        let dropped = if other.rows.len() * FEW_ROWS_DIVISOR <= self.rows.len() {
            // A part with few rows (most partitions hold a few visits) goes into place,
            // so that adding it costs its own rows, not a pass over the whole table.
            insert_sorted(&mut self.rows, other.rows, ATTENTION_CAP)
        } else {
            let mine = std::mem::take(&mut self.rows);
            let (kept, dropped) = merge_sorted(mine, other.rows, ATTENTION_CAP);
            self.rows = kept;
            dropped
        };
        // The series of a patient whose rows were all dropped go too.
        let mut kept_patients: Option<HashSet<&str>> = None;
        for row in &dropped {
            if !self.trends.contains_key(&row.patient) {
                continue;
            }
            let listed = if dropped.len() <= FEW_ROWS_DIVISOR {
                self.rows.iter().any(|r| r.patient == row.patient)
            } else {
                kept_patients
                    .get_or_insert_with(|| self.rows.iter().map(|r| r.patient.as_str()).collect())
                    .contains(row.patient.as_str())
            };
            if !listed {
                self.trends.remove(&row.patient);
            }
        }
    }

    /// Visits that need attention but are not in the table.
    pub fn not_listed(&self) -> u64 {
        self.visits.saturating_sub(self.rows.len() as u64)
    }
}

/// `rows` in `row_order` (sorted only when they are not).
fn sort_rows(rows: &mut [AttentionRow]) {
    if !rows.is_sorted_by(|a, b| row_order(a, b) != Ordering::Greater) {
        rows.sort_by(row_order);
    }
}

/// A part is inserted row by row when the table has at least this many times its rows
/// (and a few dropped patients are looked up in the table rather than hashed).
const FEW_ROWS_DIVISOR: usize = 8;

/// `rows` (in `row_order`, at most `cap`) with `more` (in `row_order`) put in place, each
/// after the equal rows already there (the order `merge_sorted` gives); returns the rows
/// past `cap`.
fn insert_sorted(
    rows: &mut Vec<AttentionRow>,
    more: Vec<AttentionRow>,
    cap: usize,
) -> Vec<AttentionRow> {
    let mut dropped = Vec::new();
    // `more` is sorted: each row goes after the place of the one before.
    let mut from = 0;
    let mut more = more.into_iter();
    for row in more.by_ref() {
        let at =
            from + rows[from..].partition_point(|kept| row_order(kept, &row) != Ordering::Greater);
        if at >= cap {
            dropped.push(row);
            break;
        }
        rows.insert(at, row);
        from = at + 1;
        if rows.len() > cap {
            dropped.extend(rows.pop());
        }
    }
    dropped.extend(more);
    dropped
}

/// Two lists in `row_order` merged: the first `cap` rows, and the rest.
fn merge_sorted(
    a: Vec<AttentionRow>,
    b: Vec<AttentionRow>,
    cap: usize,
) -> (Vec<AttentionRow>, Vec<AttentionRow>) {
    let mut kept = Vec::with_capacity((a.len() + b.len()).min(cap));
    let mut dropped = Vec::new();
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if row_order(x, y) != Ordering::Greater => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => None,
        };
        match next {
            Some(row) if kept.len() < cap => kept.push(row),
            Some(row) => dropped.push(row),
            None => break,
        }
    }
    (kept, dropped)
}

#[cfg(test)]
mod tests;
