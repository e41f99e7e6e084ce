//! One patient's series at one site and side, study by study against the prior study and
//! against the baseline (the first): a pure function (clinical.md, "Follow-up").
//!
//! Change is in BMD g/cm², never T-score; significant when |change| >= LSC. Comparable only
//! on the same device (serial) and manufacturer and the same region (vertebral set);
//! otherwise `not_comparable` with the reason. Superseded re-analyses and copies never get
//! here: the visit step left them out. Across devices
//! the sBMD change is shown for information: sBMD keeps a 4-7 % error (Fan 2010), so it never
//! decides one patient's change.

use super::lsc::{Family, Lsc, LscTable};
use crate::decimal::Decimal;
use crate::document::{Date, Timestamp};
use crate::vocabulary::{Laterality, Region};

/// One monitored measurement of one visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    /// As in studies.csv (the pseudonym under --pseudonymize).
    pub patient_id: String,
    /// Spine, femoral neck or total hip.
    pub family: Family,
    /// Side.
    pub laterality: Laterality,
    /// The exact region (spine: its vertebral set).
    pub region: Region,
    /// The visit's date (as written: shifted under --shift-dates).
    pub study_date: Option<Date>,
    /// The newest content date/time of the document that gave the value.
    pub content_time: Option<Timestamp>,
    /// The visit's place in path order (its first document's).
    pub seq: u64,
    /// The SOP Instance UID of the document that gave the value (as written).
    pub sop_instance_uid: String,
    /// BMD, g/cm².
    pub bmd: Decimal,
    /// Standardised BMD, mg/cm².
    pub sbmd: Option<Decimal>,
    /// Normalised manufacturer.
    pub manufacturer: String,
    /// Device serial number (as written).
    pub device_serial: String,
    /// The serial as in the file: what the facility's `--lsc` rows name (never written).
    pub serial_raw: String,
    /// A scanned visit, or an earlier exam as a scanner reported it (history.csv).
    pub source: Source,
    /// A scanner's history reported another BMD for this visit's date (a disagreement).
    pub history_disagrees: Option<Decimal>,
}

/// Where a follow-up point comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A visit among the scanned files.
    Scanned,
    /// An earlier exam reported by a later visit's scanner (GE trend, Hologic history),
    /// used when that exam is not among the scanned files.
    History,
}

impl Source {
    /// followup.csv `prior_source`, `baseline_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Scanned => "scanned",
            Source::History => "scanner_history",
        }
    }
}

/// followup.csv
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupRow {
    patient_id: String,
    region: &'static str,
    laterality: &'static str,
    sop_instance_uid: String,
    prior_sop_instance_uid: String,
    study_date: String,
    prior_study_date: String,
    baseline_study_date: String,
    prior_source: &'static str,
    baseline_source: &'static str,
    bmd_g_cm2: String,
    prior_bmd_g_cm2: String,
    baseline_bmd_g_cm2: String,
    change_g_cm2: String,
    change_pct: String,
    change_vs_baseline_g_cm2: String,
    change_vs_baseline_pct: String,
    lsc_g_cm2: String,
    lsc_pct: String,
    lsc_source: &'static str,
    /// `significant_loss`, `significant_gain`, `stable`, `not_comparable`.
    pub vs_prior: &'static str,
    vs_baseline: &'static str,
    sbmd_mg_cm2: String,
    prior_sbmd_mg_cm2: String,
    sbmd_change_pct: String,
    note: String,
}

/// followup.csv columns, in order (the header row).
pub const FOLLOWUP_COLUMNS: &[&str] = &[
    "patient_id",
    "region",
    "laterality",
    "sop_instance_uid",
    "prior_sop_instance_uid",
    "study_date",
    "prior_study_date",
    "baseline_study_date",
    "prior_source",
    "baseline_source",
    "bmd_g_cm2",
    "prior_bmd_g_cm2",
    "baseline_bmd_g_cm2",
    "change_g_cm2",
    "change_pct",
    "change_vs_baseline_g_cm2",
    "change_vs_baseline_pct",
    "lsc_g_cm2",
    "lsc_pct",
    "lsc_source",
    "vs_prior",
    "vs_baseline",
    "sbmd_mg_cm2",
    "prior_sbmd_mg_cm2",
    "sbmd_change_pct",
    "note",
];

impl FollowupRow {
    /// The cells as written: text from the files made safe for spreadsheets
    /// (`output::cell`), numbers and our own words as they are.
    pub fn cells(&self) -> Vec<std::borrow::Cow<'_, str>> {
        let text_columns = [
            "patient_id",
            "sop_instance_uid",
            "prior_sop_instance_uid",
            "note",
        ];
        self.fields()
            .into_iter()
            .zip(FOLLOWUP_COLUMNS)
            .map(|(cell, column)| {
                if text_columns.contains(column) {
                    crate::output::cell::safe_text(cell)
                } else {
                    std::borrow::Cow::Borrowed(cell)
                }
            })
            .collect()
    }

    /// The cell of a column by its name (a name not in `FOLLOWUP_COLUMNS` is a bug).
    pub fn cell(&self, column: &str) -> &str {
        let at = FOLLOWUP_COLUMNS
            .iter()
            .position(|c| *c == column)
            .expect("a followup.csv column");
        self.fields()[at]
    }

    /// The cells, in `FOLLOWUP_COLUMNS` order.
    pub fn fields(&self) -> [&str; 26] {
        [
            &self.patient_id,
            self.region,
            self.laterality,
            &self.sop_instance_uid,
            &self.prior_sop_instance_uid,
            &self.study_date,
            &self.prior_study_date,
            &self.baseline_study_date,
            self.prior_source,
            self.baseline_source,
            &self.bmd_g_cm2,
            &self.prior_bmd_g_cm2,
            &self.baseline_bmd_g_cm2,
            &self.change_g_cm2,
            &self.change_pct,
            &self.change_vs_baseline_g_cm2,
            &self.change_vs_baseline_pct,
            &self.lsc_g_cm2,
            &self.lsc_pct,
            self.lsc_source,
            self.vs_prior,
            self.vs_baseline,
            &self.sbmd_mg_cm2,
            &self.prior_sbmd_mg_cm2,
            &self.sbmd_change_pct,
            &self.note,
        ]
    }
}

/// One comparison's verdict.
struct Verdict {
    change: Option<Decimal>,
    change_pct: Option<Decimal>,
    outcome: &'static str,
    reason: Option<String>,
}

fn dec(text: &str) -> Decimal {
    Decimal::parse(text).expect("constant decimal")
}

/// `current` against `earlier`, judged by `lsc`.
fn compare(current: &Point, earlier: &Point, lsc: Lsc) -> Verdict {
    let not_comparable = |reason: String| Verdict {
        change: None,
        change_pct: None,
        outcome: "not_comparable",
        reason: Some(reason),
    };
    if current.manufacturer != earlier.manufacturer {
        return not_comparable(format!(
            "manufacturer differs ({} -> {}): BMD not comparable, sBMD change shown for information",
            earlier.manufacturer, current.manufacturer
        ));
    }
    if current.device_serial != earlier.device_serial {
        return not_comparable(format!(
            "device differs ({} -> {}): BMD not comparable, sBMD change shown for information",
            earlier.device_serial, current.device_serial
        ));
    }
    if current.region != earlier.region {
        return not_comparable(format!(
            "region differs ({} -> {})",
            earlier.region, current.region
        ));
    }
    let Some(change) = current.bmd.checked_sub(earlier.bmd) else {
        return not_comparable("BMD out of range".into());
    };
    let change_pct = change
        .checked_mul(dec("100"))
        .and_then(|c| c.div_rounded(earlier.bmd, 2));
    let magnitude = if change < dec("0") {
        dec("0").checked_sub(change)
    } else {
        Some(change)
    };
    // Exact comparisons: |change| >= LSC, or |change| x 100 >= LSC% x prior BMD.
    let significant = magnitude.is_some_and(|m| match lsc {
        Lsc::Grams(g) => m >= g,
        Lsc::Percent(p) => match (m.checked_mul(dec("100")), p.checked_mul(earlier.bmd)) {
            (Some(lhs), Some(rhs)) => lhs >= rhs,
            _ => false,
        },
    });
    let outcome = match (significant, change < dec("0")) {
        (true, true) => "significant_loss",
        (true, false) => "significant_gain",
        (false, _) => "stable",
    };
    Verdict {
        change: Some(change),
        change_pct,
        outcome,
        reason: None,
    }
}

fn plain(value: Option<Decimal>, decimals: u32) -> String {
    value.map(|v| v.to_plain(decimals)).unwrap_or_default()
}

fn date(point: &Point) -> String {
    point.study_date.map(|d| d.to_string()).unwrap_or_default()
}

/// The rows of one series (one patient, site family and side), points in time order: one
/// per scanned visit after the first point, with the index of its point.
pub fn compare_series(series: &[Point], table: &LscTable) -> Vec<(usize, FollowupRow)> {
    let Some(baseline) = series.first() else {
        return Vec::new();
    };
    series
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[1].source == Source::Scanned)
        .map(|(i, pair)| {
            let (prior, current) = (&pair[0], &pair[1]);
            let (lsc, source) = table.lookup(current.family, &current.serial_raw);
            let vs_prior = compare(current, prior, lsc);
            let vs_baseline = compare(current, baseline, lsc);
            let sbmd_change_pct = current.sbmd.zip(prior.sbmd).and_then(|(now, then)| {
                now.checked_sub(then)?
                    .checked_mul(dec("100"))?
                    .div_rounded(then, 1)
            });
            let mut notes = Vec::new();
            if let Some(reason) = &vs_prior.reason {
                notes.push(format!("vs prior: {reason}"));
            }
            if let Some(reason) = &vs_baseline.reason
                && vs_prior.reason.as_ref() != Some(reason)
            {
                notes.push(format!("vs baseline: {reason}"));
            }
            if source == super::lsc::LscSource::Default {
                notes.push("lsc_default".to_string());
            }
            for point in [current, prior] {
                if let Some(reported) = point.history_disagrees {
                    notes.push(format!(
                        "a scanner's history reports {} g/cm2 for {}, the visit {}",
                        reported.to_plain(3),
                        date(point),
                        point.bmd.to_plain(3)
                    ));
                }
            }
            let (lsc_g, lsc_pct) = match lsc {
                Lsc::Grams(g) => (Some(g), None),
                Lsc::Percent(p) => (None, Some(p)),
            };
            let row = FollowupRow {
                patient_id: current.patient_id.clone(),
                region: current.region.as_str(),
                laterality: current.laterality.as_str(),
                sop_instance_uid: current.sop_instance_uid.clone(),
                prior_sop_instance_uid: prior.sop_instance_uid.clone(),
                study_date: date(current),
                prior_study_date: date(prior),
                baseline_study_date: date(baseline),
                prior_source: prior.source.as_str(),
                baseline_source: baseline.source.as_str(),
                bmd_g_cm2: current.bmd.to_plain(3),
                prior_bmd_g_cm2: prior.bmd.to_plain(3),
                baseline_bmd_g_cm2: baseline.bmd.to_plain(3),
                change_g_cm2: plain(vs_prior.change, 3),
                change_pct: plain(vs_prior.change_pct, 2),
                change_vs_baseline_g_cm2: plain(vs_baseline.change, 3),
                change_vs_baseline_pct: plain(vs_baseline.change_pct, 2),
                lsc_g_cm2: plain(lsc_g, 3),
                lsc_pct: plain(lsc_pct, 1),
                lsc_source: source.as_str(),
                vs_prior: vs_prior.outcome,
                vs_baseline: vs_baseline.outcome,
                sbmd_mg_cm2: plain(current.sbmd, 0),
                prior_sbmd_mg_cm2: plain(prior.sbmd, 0),
                sbmd_change_pct: plain(sbmd_change_pct, 1),
                note: notes.join("; "),
            };
            (i + 1, row)
        })
        .collect()
}

#[cfg(test)]
mod tests;
