//! followup.csv: one row per patient, site, side and later visit (`followup::rows`), in the
//! order of `followup::sort_key`. The words of its columns and its notes are spelled here.

use crate::followup::lsc::{Lsc, LscSource};
use crate::followup::{Comparison, FollowupNote, FollowupRow, NotComparable, Source, Verdict};
use crate::output::cell::{DateCell, Plain, Text};
use crate::output::table::row_struct;

row_struct! {
    /// followup.csv
    #[derive(Debug)]
    pub struct FollowupLine<'a> {
        visit_id: Text<'a>,
        patient_id: Text<'a>,
        region: &'static str,
        laterality: &'static str,
        sop_instance_uid: Text<'a>,
        prior_sop_instance_uid: Text<'a>,
        study_date: DateCell,
        prior_study_date: DateCell,
        baseline_study_date: DateCell,
        prior_source: &'static str,
        baseline_source: &'static str,
        bmd_g_cm2: Plain,
        prior_bmd_g_cm2: Plain,
        baseline_bmd_g_cm2: Plain,
        change_g_cm2: Plain,
        change_pct: Plain,
        change_vs_baseline_g_cm2: Plain,
        change_vs_baseline_pct: Plain,
        lsc_g_cm2: Plain,
        lsc_pct: Plain,
        lsc_source: &'static str,
        vs_prior: &'static str,
        vs_baseline: &'static str,
        sbmd_mg_cm2: Plain,
        prior_sbmd_mg_cm2: Plain,
        sbmd_change_pct: Plain,
        note: Text<'a>,
    }
}

/// `vs_prior`, `vs_baseline`.
pub fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::SignificantLoss => "significant_loss",
        Verdict::SignificantGain => "significant_gain",
        Verdict::Stable => "stable",
        Verdict::NotComparable => "not_comparable",
    }
}

/// `prior_source`, `baseline_source`.
pub fn source_word(source: Source) -> &'static str {
    match source {
        Source::Scanned => "scanned",
        Source::History => "scanner_history",
    }
}

/// `lsc_source`.
pub fn lsc_source_word(source: LscSource) -> &'static str {
    match source {
        LscSource::Default => "default",
        LscSource::File => "file",
    }
}

/// Why two points are not comparable, as the note says it.
fn not_comparable_text(why: &NotComparable) -> String {
    let manufacturer = |m: &Option<crate::vocabulary::Manufacturer>| m.map_or("", |m| m.as_str());
    match why {
        NotComparable::Manufacturer(from, to) => format!(
            "manufacturer differs ({} -> {}): BMD not comparable, sBMD change shown for information",
            manufacturer(from),
            manufacturer(to)
        ),
        NotComparable::Device(from, to) => format!(
            "device differs ({from} -> {to}): BMD not comparable, sBMD change shown for information"
        ),
        NotComparable::Region(from, to) => format!("region differs ({from} -> {to})"),
        NotComparable::BmdOutOfRange => "BMD out of range".to_string(),
    }
}

/// One part of the note.
fn note_text(note: &FollowupNote) -> String {
    match note {
        FollowupNote::VsPrior(why) => format!("vs prior: {}", not_comparable_text(why)),
        FollowupNote::VsBaseline(why) => format!("vs baseline: {}", not_comparable_text(why)),
        FollowupNote::LscDefault => "lsc_default".to_string(),
        FollowupNote::HistoryDisagrees {
            reported,
            date,
            visit,
        } => format!(
            "a scanner's history reports {} g/cm2 for {}, the visit {}",
            reported.to_plain(3),
            date.map(|d| d.to_string()).unwrap_or_default(),
            visit.to_plain(3)
        ),
    }
}

/// The line of a follow-up row.
pub fn followup_line(row: &FollowupRow) -> FollowupLine<'_> {
    let (lsc_g, lsc_pct) = match row.lsc {
        Lsc::Grams(g) => (Some(g), None),
        Lsc::Percent(p) => (None, Some(p)),
    };
    let change = |c: &Comparison, decimals| Plain(c.change, decimals);
    let pct = |c: &Comparison| Plain(c.change_pct, 2);
    let notes: Vec<String> = row.notes.iter().map(note_text).collect();
    FollowupLine {
        visit_id: Text::from(row.visit_id.as_str()),
        patient_id: Text::from(row.patient_id.as_str()),
        region: row.region.as_str(),
        laterality: row.laterality.as_str(),
        sop_instance_uid: Text::from(row.sop_instance_uid.as_str()),
        prior_sop_instance_uid: Text::from(row.prior_sop_instance_uid.as_str()),
        study_date: DateCell(row.study_date),
        prior_study_date: DateCell(row.prior_study_date),
        baseline_study_date: DateCell(row.baseline_study_date),
        prior_source: source_word(row.prior_source),
        baseline_source: source_word(row.baseline_source),
        bmd_g_cm2: Plain(Some(row.bmd), 3),
        prior_bmd_g_cm2: Plain(Some(row.prior_bmd), 3),
        baseline_bmd_g_cm2: Plain(Some(row.baseline_bmd), 3),
        change_g_cm2: change(&row.vs_prior, 3),
        change_pct: pct(&row.vs_prior),
        change_vs_baseline_g_cm2: change(&row.vs_baseline, 3),
        change_vs_baseline_pct: pct(&row.vs_baseline),
        lsc_g_cm2: Plain(lsc_g, 3),
        lsc_pct: Plain(lsc_pct, 1),
        lsc_source: lsc_source_word(row.lsc_source),
        vs_prior: verdict_word(row.vs_prior.verdict),
        vs_baseline: verdict_word(row.vs_baseline.verdict),
        sbmd_mg_cm2: Plain(row.sbmd, 0),
        prior_sbmd_mg_cm2: Plain(row.prior_sbmd, 0),
        sbmd_change_pct: Plain(row.sbmd_change_pct, 1),
        note: Text::from(notes.join("; ")),
    }
}
