//! The visits that need attention (issue 13): what makes a visit one, the table's rows in a
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

use crate::decimal::Decimal;
use crate::document::Date;
use crate::followup::Family;
use crate::followup::lsc::{Lsc, LscSource};
use crate::vocabulary::{Laterality, Region};

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

    /// Where the CSVs hold every visit with this concern.
    pub fn csv_filter(self) -> &'static str {
        match self {
            Concern::Osteoporosis => "studies.csv: classification = osteoporosis",
            Concern::LowZ => {
                "studies.csv: flags contains z_score_le_-2, or classification = \
                 below_expected_range_for_age"
            }
            Concern::SignificantLoss => {
                "followup.csv: vs_prior = significant_loss, or vs_prior = not_comparable and \
                 vs_baseline = significant_loss"
            }
            Concern::DiscordantVertebrae => "studies.csv: flags contains spine_vertebra_discordant",
            Concern::FraxAboveThreshold => {
                "studies.csv: flags contains frax_above_treatment_threshold"
            }
        }
    }
}

/// The concerns a visit's classification and flags raise (the follow-up's significant
/// loss is added once the comparisons are made).
pub fn concerns_of(classification: &str, flags: &[String]) -> Vec<Concern> {
    let has = |flag: &str| flags.iter().any(|f| f == flag);
    let mut out = Vec::new();
    if classification == "osteoporosis" {
        out.push(Concern::Osteoporosis);
    }
    if has("z_score_le_-2") || classification == "below_expected_range_for_age" {
        out.push(Concern::LowZ);
    }
    if has("spine_vertebra_discordant") {
        out.push(Concern::DiscordantVertebrae);
    }
    if has("frax_above_treatment_threshold") {
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
    /// followup.csv `vs_prior` of this point.
    pub vs_prior: Outcome,
}

impl TrendPoint {
    /// A BMD as thousandths of a g/cm², rounded as the CSVs round (half away from zero).
    pub fn milli(bmd: Decimal) -> i32 {
        let (mantissa, scale) = bmd.round_to(3).to_parts();
        let milli = (0..3u32.saturating_sub(scale)).fold(mantissa, |m, _| m.saturating_mul(10));
        milli.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }
}

/// followup.csv `vs_prior` of a point, or none for a series' first point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The first point: nothing to compare with.
    First,
    /// `stable`.
    Stable,
    /// `significant_loss`.
    SignificantLoss,
    /// `significant_gain`.
    SignificantGain,
    /// `not_comparable`.
    NotComparable,
}

impl Outcome {
    /// The outcome followup.csv writes as `text` (an unknown word reads as not comparable:
    /// the chart then claims no change).
    pub fn of(text: &str) -> Outcome {
        match text {
            "" => Outcome::First,
            "stable" => Outcome::Stable,
            "significant_loss" => Outcome::SignificantLoss,
            "significant_gain" => Outcome::SignificantGain,
            _ => Outcome::NotComparable,
        }
    }

    /// followup.csv's word (empty for the first point).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::First => "",
            Outcome::Stable => "stable",
            Outcome::SignificantLoss => "significant_loss",
            Outcome::SignificantGain => "significant_gain",
            Outcome::NotComparable => "not_comparable",
        }
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
    pub fn merge(&mut self, mut other: Attention) {
        self.visits += other.visits;
        for (concern, n) in other.by_concern {
            *self.by_concern.entry(concern).or_default() += n;
        }
        for rows in [&mut self.rows, &mut other.rows] {
            if !rows.is_sorted_by(|a, b| row_order(a, b) != Ordering::Greater) {
                rows.sort_by(row_order);
            }
        }
        for (patient, series) in other.trends {
            // A patient's visits are all in one partition: never two entries to join.
            self.trends.entry(patient).or_insert(series);
        }
        let mine = std::mem::take(&mut self.rows);
        let (kept, dropped) = merge_sorted(mine, other.rows, ATTENTION_CAP);
        // The series of a patient whose rows were all dropped go too.
        let mut kept_patients: Option<HashSet<&str>> = None;
        for row in dropped {
            if !self.trends.contains_key(&row.patient) {
                continue;
            }
            let kept_patients = kept_patients
                .get_or_insert_with(|| kept.iter().map(|r| r.patient.as_str()).collect());
            if !kept_patients.contains(row.patient.as_str()) {
                self.trends.remove(&row.patient);
            }
        }
        self.rows = kept;
    }

    /// Visits that need attention but are not in the table.
    pub fn not_listed(&self) -> u64 {
        self.visits.saturating_sub(self.rows.len() as u64)
    }
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
mod tests {
    use super::*;

    fn row(patient: &str, date: Option<(u16, u8, u8)>, seq: u64) -> AttentionRow {
        AttentionRow {
            patient: patient.to_string(),
            date: date.map(|(year, month, day)| Date { year, month, day }),
            classification: "osteoporosis",
            min_t: Decimal::parse("-2.7"),
            min_z: Decimal::parse("-1.0"),
            concerns: vec![Concern::Osteoporosis],
            losses: Vec::new(),
            seq,
        }
    }

    fn series() -> Vec<TrendSeries> {
        vec![TrendSeries {
            family: Family::TotalHip,
            side: Laterality::Left,
            lsc: (
                Lsc::Percent(Decimal::parse("5.0").expect("decimal")),
                LscSource::Default,
            ),
            lsc_g_cm2: Decimal::parse("0.040"),
            points: Vec::new(),
        }]
    }

    fn flags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn points_are_small_and_round_like_the_csvs() {
        assert!(std::mem::size_of::<TrendPoint>() <= 12);
        let milli = |t: &str| TrendPoint::milli(Decimal::parse(t).expect("decimal"));
        assert_eq!(milli("0.8"), 800);
        assert_eq!(milli("0.8765"), 877);
        assert_eq!(milli("0.8764"), 876);
        assert_eq!(milli("1.0005"), 1001);
        for word in [
            "",
            "stable",
            "significant_loss",
            "significant_gain",
            "not_comparable",
        ] {
            assert_eq!(Outcome::of(word).as_str(), word);
        }
        assert_eq!(Outcome::of("new_word"), Outcome::NotComparable);
    }

    #[test]
    fn lsc_texts() {
        let mut series = series().remove(0);
        assert_eq!(series.lsc_text(), "5.0 % of the first BMD (ISCD default)");
        series.lsc = (
            Lsc::Grams(Decimal::parse("0.02").expect("decimal")),
            LscSource::File,
        );
        assert_eq!(series.lsc_text(), "0.020 g/cm² (--lsc file)");
    }

    #[test]
    fn criteria() {
        assert_eq!(concerns_of("osteoporosis", &[]), [Concern::Osteoporosis]);
        assert_eq!(concerns_of("osteopenia", &[]), []);
        assert_eq!(
            concerns_of("normal", &flags(&["t_near_osteoporosis_threshold"])),
            []
        );
        assert_eq!(
            concerns_of("osteopenia", &flags(&["z_score_le_-2"])),
            [Concern::LowZ]
        );
        assert_eq!(
            concerns_of("below_expected_range_for_age", &[]),
            [Concern::LowZ]
        );
        assert_eq!(concerns_of("within_expected_range_for_age", &[]), []);
        assert_eq!(
            concerns_of(
                "osteoporosis",
                &flags(&["spine_vertebra_discordant", "z_score_le_-2"])
            ),
            [
                Concern::Osteoporosis,
                Concern::LowZ,
                Concern::DiscordantVertebrae
            ]
        );
        // A flag only counts when it is the whole flag, not a prefix of another.
        assert_eq!(concerns_of("normal", &flags(&["z_score_le_-2x"])), []);
        assert_eq!(
            concerns_of("osteopenia", &flags(&["frax_above_treatment_threshold"])),
            [Concern::FraxAboveThreshold]
        );
    }

    #[test]
    fn order_is_newest_first_then_patient_then_path() {
        let mut rows = [
            row("B", Some((2020, 1, 1)), 5),
            row("A", None, 1),
            row("A", Some((2020, 1, 1)), 9),
            row("C", Some((2023, 6, 1)), 2),
            row("A", Some((2020, 1, 1)), 3),
        ];
        rows.sort_by(row_order);
        let order: Vec<(&str, u64)> = rows.iter().map(|r| (r.patient.as_str(), r.seq)).collect();
        assert_eq!(order, [("C", 2), ("A", 3), ("A", 9), ("B", 5), ("A", 1)]);
    }

    /// The capped merge keeps the first rows of the whole run in any merge order.
    #[test]
    fn merge_is_deterministic_and_capped() {
        let parts: Vec<Attention> = (0..4u64)
            .map(|p| {
                let mut part = Attention::default();
                for i in 0..(ATTENTION_CAP as u64) {
                    let day = ((i * 7 + p * 3) % 28 + 1) as u8;
                    let patient = format!("P{p}-{i:04}");
                    part.trends.insert(patient.clone(), series());
                    part.add(row(
                        &patient,
                        Some((2000 + (i % 20) as u16, 1, day)),
                        p * 1000 + i,
                    ));
                }
                part.cap();
                part
            })
            .collect();
        let mut forward = Attention::default();
        for part in parts.iter().cloned() {
            forward.merge(part);
        }
        let mut backward = Attention::default();
        for part in parts.iter().rev().cloned() {
            backward.merge(part);
        }
        assert_eq!(forward, backward);
        assert_eq!(forward.rows.len(), ATTENTION_CAP);
        assert_eq!(forward.visits, 4 * ATTENTION_CAP as u64);
        assert_eq!(forward.not_listed(), 3 * ATTENTION_CAP as u64);
        assert_eq!(forward.by_concern[&Concern::Osteoporosis], forward.visits);
        // The kept rows are the first of all rows in the table's order.
        let mut all: Vec<AttentionRow> = parts.iter().flat_map(|p| p.rows.clone()).collect();
        all.sort_by(row_order);
        all.truncate(ATTENTION_CAP);
        assert_eq!(forward.rows, all);
        // Every listed patient has its series, and no other patient's is kept.
        let listed: BTreeSet<&str> = forward.rows.iter().map(|r| r.patient.as_str()).collect();
        assert_eq!(forward.trends.len(), listed.len());
        assert!(forward.trends.keys().all(|p| listed.contains(p.as_str())));
    }
}
