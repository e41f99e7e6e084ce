//! One patient's series at one site and side, study by study against the prior study and
//! against the baseline (the first): a pure function (clinical.md, "Follow-up").
//!
//! Change is in BMD g/cm², never T-score; significant when |change| >= LSC. Comparable only
//! on the same device (serial) and manufacturer and the same region (vertebral set);
//! otherwise `not_comparable` with the reason. Superseded re-analyses and copies never get
//! here: the visit step left them out. Across devices
//! the sBMD change is shown for information: sBMD keeps a 4-7 % error (Fan 2010), so it never
//! decides one patient's change.

use std::borrow::Cow;

use super::lsc::{Family, Lsc, LscSource, LscTable};
use crate::date::{Date, Timestamp};
use crate::decimal::{Decimal, dec};
use crate::vocabulary::{Laterality, Manufacturer, Region};

/// One monitored measurement of one visit. Its texts are borrowed from the partition's
/// documents and visit ids (owned only when pseudonymised): a partition holds thousands of
/// points until its last visit is done (docs/performance.md, "The end of a run").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point<'a> {
    /// The visit's key (studies.csv `visit_id`); a history point's: the visit that reported
    /// it.
    pub visit_id: &'a str,
    /// As in studies.csv (the pseudonym under --pseudonymize).
    pub patient_id: Cow<'a, str>,
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
    pub sop_instance_uid: Cow<'a, str>,
    /// BMD, g/cm².
    pub bmd: Decimal,
    /// Standardised BMD, mg/cm².
    pub sbmd: Option<Decimal>,
    /// Normalised manufacturer.
    pub manufacturer: Option<Manufacturer>,
    /// Device serial number (as written).
    pub device_serial: Cow<'a, str>,
    /// The serial as in the file: what the facility's `--lsc` rows name (never written).
    pub serial_raw: &'a str,
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

/// How a visit's BMD compares with an earlier one's (followup.csv `vs_prior`,
/// `vs_baseline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// A loss of at least the LSC.
    SignificantLoss,
    /// A gain of at least the LSC.
    SignificantGain,
    /// Less than the LSC either way.
    Stable,
    /// Not on the same device, manufacturer or region (or out of range): no change judged.
    NotComparable,
}

/// Why two points are not comparable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotComparable {
    /// Other manufacturers (earlier, current); sBMD change shown for information.
    Manufacturer(Option<Manufacturer>, Option<Manufacturer>),
    /// Other devices (earlier, current serials as written); sBMD change shown for
    /// information.
    Device(String, String),
    /// Other regions (another vertebral set: earlier, current).
    Region(Region, Region),
    /// The difference overflows.
    BmdOutOfRange,
}

/// One comparison: the change, and the verdict on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The exact difference in BMD, g/cm² (none when not comparable).
    pub change: Option<Decimal>,
    /// The change in % of the earlier BMD, two decimals.
    pub change_pct: Option<Decimal>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why not comparable, when it is not.
    pub not_comparable: Option<NotComparable>,
}

/// What followup.csv's `note` says of a row, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowupNote {
    /// Why the prior visit is not comparable.
    VsPrior(NotComparable),
    /// Why the baseline is not comparable (when not for the prior's reason).
    VsBaseline(NotComparable),
    /// The LSC is the ISCD default.
    LscDefault,
    /// A scanner's history reported another BMD for a scanned visit's date: what it
    /// reported, that date, and the visit's BMD.
    HistoryDisagrees {
        /// The BMD the history reports, g/cm².
        reported: Decimal,
        /// The visit's date as written.
        date: Option<Date>,
        /// The scanned visit's BMD, g/cm².
        visit: Decimal,
    },
}

/// followup.csv: one visit compared with the prior one and with the baseline (its texts
/// borrowed as its points' are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupRow<'a> {
    /// This visit's key (studies.csv `visit_id`).
    pub visit_id: &'a str,
    /// As in studies.csv (the pseudonym under --pseudonymize).
    pub patient_id: Cow<'a, str>,
    /// The exact region of this visit's value.
    pub region: Region,
    /// Its side.
    pub laterality: Laterality,
    /// The document that gave this visit's value (as written).
    pub sop_instance_uid: Cow<'a, str>,
    /// The document that gave the prior's value (as written).
    pub prior_sop_instance_uid: Cow<'a, str>,
    /// This visit's date (as written).
    pub study_date: Option<Date>,
    /// The prior's date.
    pub prior_study_date: Option<Date>,
    /// The baseline's date.
    pub baseline_study_date: Option<Date>,
    /// Where the prior comes from.
    pub prior_source: Source,
    /// Where the baseline comes from.
    pub baseline_source: Source,
    /// This visit's BMD, g/cm².
    pub bmd: Decimal,
    /// The prior's BMD.
    pub prior_bmd: Decimal,
    /// The baseline's BMD.
    pub baseline_bmd: Decimal,
    /// Against the prior.
    pub vs_prior: Comparison,
    /// Against the baseline.
    pub vs_baseline: Comparison,
    /// The LSC used, for this visit's device.
    pub lsc: Lsc,
    /// Where it came from.
    pub lsc_source: LscSource,
    /// Standardised BMD of this visit, mg/cm².
    pub sbmd: Option<Decimal>,
    /// Standardised BMD of the prior.
    pub prior_sbmd: Option<Decimal>,
    /// The sBMD change in %, one decimal: for information, never a decision.
    pub sbmd_change_pct: Option<Decimal>,
    /// What the note says.
    pub notes: Vec<FollowupNote>,
}

const HUNDRED: Decimal = dec!("100");
const ZERO: Decimal = dec!("0");

/// `current` against `earlier`, judged by `lsc`.
fn compare(current: &Point<'_>, earlier: &Point<'_>, lsc: Lsc) -> Comparison {
    let not_comparable = |why: NotComparable| Comparison {
        change: None,
        change_pct: None,
        verdict: Verdict::NotComparable,
        not_comparable: Some(why),
    };
    if current.manufacturer != earlier.manufacturer {
        return not_comparable(NotComparable::Manufacturer(
            earlier.manufacturer,
            current.manufacturer,
        ));
    }
    if current.device_serial != earlier.device_serial {
        return not_comparable(NotComparable::Device(
            earlier.device_serial.to_string(),
            current.device_serial.to_string(),
        ));
    }
    if current.region != earlier.region {
        return not_comparable(NotComparable::Region(earlier.region, current.region));
    }
    let Some(change) = current.bmd.checked_sub(earlier.bmd) else {
        return not_comparable(NotComparable::BmdOutOfRange);
    };
    let change_pct = change
        .checked_mul(HUNDRED)
        .and_then(|c| c.div_rounded(earlier.bmd, 2));
    let magnitude = if change < ZERO {
        ZERO.checked_sub(change)
    } else {
        Some(change)
    };
    // Exact comparisons: |change| >= LSC, or |change| x 100 >= LSC% x prior BMD.
    let significant = magnitude.is_some_and(|m| match lsc {
        Lsc::Grams(g) => m >= g,
        Lsc::Percent(p) => match (m.checked_mul(HUNDRED), p.checked_mul(earlier.bmd)) {
            (Some(lhs), Some(rhs)) => lhs >= rhs,
            _ => false,
        },
    });
    let verdict = match (significant, change < ZERO) {
        (true, true) => Verdict::SignificantLoss,
        (true, false) => Verdict::SignificantGain,
        (false, _) => Verdict::Stable,
    };
    Comparison {
        change: Some(change),
        change_pct,
        verdict,
        not_comparable: None,
    }
}

/// The rows of one series (one patient, site family and side), points in time order: one
/// per scanned visit after the first point, with the index of its point.
pub fn compare_series<'a>(series: &[Point<'a>], table: &LscTable) -> Vec<(usize, FollowupRow<'a>)> {
    let Some(baseline) = series.first() else {
        return Vec::new();
    };
    series
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| pair[1].source == Source::Scanned)
        .map(|(i, pair)| {
            let (prior, current) = (&pair[0], &pair[1]);
            let (lsc, source) = table.lookup(current.family, current.serial_raw);
            let vs_prior = compare(current, prior, lsc);
            let vs_baseline = compare(current, baseline, lsc);
            let sbmd_change_pct = current.sbmd.zip(prior.sbmd).and_then(|(now, then)| {
                now.checked_sub(then)?
                    .checked_mul(HUNDRED)?
                    .div_rounded(then, 1)
            });
            let mut notes = Vec::new();
            if let Some(why) = &vs_prior.not_comparable {
                notes.push(FollowupNote::VsPrior(why.clone()));
            }
            if let Some(why) = &vs_baseline.not_comparable
                && vs_prior.not_comparable.as_ref() != Some(why)
            {
                notes.push(FollowupNote::VsBaseline(why.clone()));
            }
            if source == LscSource::Default {
                notes.push(FollowupNote::LscDefault);
            }
            for point in [current, prior] {
                if let Some(reported) = point.history_disagrees {
                    notes.push(FollowupNote::HistoryDisagrees {
                        reported,
                        date: point.study_date,
                        visit: point.bmd,
                    });
                }
            }
            let row = FollowupRow {
                visit_id: current.visit_id,
                patient_id: current.patient_id.clone(),
                region: current.region,
                laterality: current.laterality,
                sop_instance_uid: current.sop_instance_uid.clone(),
                prior_sop_instance_uid: prior.sop_instance_uid.clone(),
                study_date: current.study_date,
                prior_study_date: prior.study_date,
                baseline_study_date: baseline.study_date,
                prior_source: prior.source,
                baseline_source: baseline.source,
                bmd: current.bmd,
                prior_bmd: prior.bmd,
                baseline_bmd: baseline.bmd,
                vs_prior,
                vs_baseline,
                lsc,
                lsc_source: source,
                sbmd: current.sbmd,
                prior_sbmd: prior.sbmd,
                sbmd_change_pct,
                notes,
            };
            (i + 1, row)
        })
        .collect()
}

#[cfg(test)]
mod tests;
