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

/// Why two points are not comparable, as the note says it, appended to `out` (pieces
/// pushed, not formatted: a note on most rows of a patient whose device changed).
fn push_not_comparable(out: &mut String, why: &NotComparable) {
    const NOT_COMPARABLE: &str = "): BMD not comparable, sBMD change shown for information";
    let manufacturer = |m: &Option<crate::vocabulary::Manufacturer>| m.map_or("", |m| m.as_str());
    let parts: [&str; 5] = match why {
        NotComparable::Manufacturer(from, to) => [
            "manufacturer differs (",
            manufacturer(from),
            " -> ",
            manufacturer(to),
            NOT_COMPARABLE,
        ],
        NotComparable::Device(from, to) => ["device differs (", from, " -> ", to, NOT_COMPARABLE],
        NotComparable::Region(from, to) => {
            ["region differs (", from.as_str(), " -> ", to.as_str(), ")"]
        }
        NotComparable::BmdOutOfRange => ["BMD out of range", "", "", "", ""],
    };
    for part in parts {
        out.push_str(part);
    }
}

/// One part of the note, appended to `out`.
fn push_note(out: &mut String, note: &FollowupNote) {
    match note {
        FollowupNote::VsPrior(why) => {
            out.push_str("vs prior: ");
            push_not_comparable(out, why);
        }
        FollowupNote::VsBaseline(why) => {
            out.push_str("vs baseline: ");
            push_not_comparable(out, why);
        }
        FollowupNote::LscDefault => out.push_str("lsc_default"),
        FollowupNote::HistoryDisagrees {
            reported,
            date,
            visit,
        } => {
            out.push_str("a scanner's history reports ");
            out.push_str(&reported.to_plain(3));
            out.push_str(" g/cm2 for ");
            if let Some(date) = date {
                out.push_str(&date.to_string());
            }
            out.push_str(", the visit ");
            out.push_str(&visit.to_plain(3));
        }
    }
}

/// The line of a follow-up row.
pub fn followup_line<'r>(row: &'r FollowupRow<'_>) -> FollowupLine<'r> {
    let (lsc_g, lsc_pct) = match row.lsc {
        Lsc::Grams(g) => (Some(g), None),
        Lsc::Percent(p) => (None, Some(p)),
    };
    let change = |c: &Comparison, decimals| Plain(c.change, decimals);
    let pct = |c: &Comparison| Plain(c.change_pct, 2);
    // Room for a note of a few parts at once (most are about 140 bytes), where pushing
    // its parts grew it three or four times (docs/performance.md, "The end of a run").
    let mut note = String::with_capacity(if row.notes.is_empty() { 0 } else { 192 });
    for (i, part) in row.notes.iter().enumerate() {
        if i > 0 {
            note.push_str("; ");
        }
        push_note(&mut note, part);
    }
    FollowupLine {
        visit_id: Text::from(row.visit_id),
        patient_id: Text::from(&*row.patient_id),
        region: row.region.as_str(),
        laterality: row.laterality.as_str(),
        sop_instance_uid: Text::from(&*row.sop_instance_uid),
        prior_sop_instance_uid: Text::from(&*row.prior_sop_instance_uid),
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
        note: Text::from(note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::decimal::Decimal;
    use crate::vocabulary::{Manufacturer, Region};

    /// Every note as the file writes it (docs/columns.md, followup.csv `note`).
    #[test]
    fn notes_are_written_as_documented() {
        let text = |note: &FollowupNote| {
            let mut out = String::new();
            push_note(&mut out, note);
            out
        };
        let why = NotComparable::Manufacturer(Some(Manufacturer::ALL[0]), None);
        assert_eq!(
            text(&FollowupNote::VsPrior(why)),
            format!(
                "vs prior: manufacturer differs ({} -> ): BMD not comparable, sBMD change \
                 shown for information",
                Manufacturer::ALL[0].as_str()
            )
        );
        let why = NotComparable::Device("S1".into(), "S2".into());
        assert_eq!(
            text(&FollowupNote::VsBaseline(why)),
            "vs baseline: device differs (S1 -> S2): BMD not comparable, sBMD change shown \
             for information"
        );
        let why = NotComparable::Region(Region::TotalHip, Region::FemoralNeck);
        assert_eq!(
            text(&FollowupNote::VsPrior(why)),
            format!(
                "vs prior: region differs ({} -> {})",
                Region::TotalHip.as_str(),
                Region::FemoralNeck.as_str()
            )
        );
        assert_eq!(
            text(&FollowupNote::VsPrior(NotComparable::BmdOutOfRange)),
            "vs prior: BMD out of range"
        );
        assert_eq!(text(&FollowupNote::LscDefault), "lsc_default");
        let disagrees = |date| FollowupNote::HistoryDisagrees {
            reported: Decimal::lit("0.8"),
            date,
            visit: Decimal::lit("0.8125"),
        };
        let date = Date {
            year: 2021,
            month: 3,
            day: 4,
        };
        assert_eq!(
            text(&disagrees(Some(date))),
            "a scanner's history reports 0.800 g/cm2 for 2021-03-04, the visit 0.8125"
        );
        assert_eq!(
            text(&disagrees(None)),
            "a scanner's history reports 0.800 g/cm2 for , the visit 0.8125"
        );
    }
}
