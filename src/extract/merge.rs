//! The second carrier of a GE SR, merged into what the tree gave (docs/evidence.md: sites
//! prefer the tree's values and fill T, Z and history from the XML when the tree lacks
//! them). Where both carry a value and they differ, the tree's is kept and the
//! disagreement flagged with its site and measure: never silently picked.

use crate::carrier::ge_xml::XmlResults;
use crate::document::{DocFlag, Document, FraxValue, HistoryEntry, RowTable};
use crate::flag::flag_once;
use crate::profile::FraxItem;

/// Merges the XML's values into `doc` and `rows`; returns whether it contributed any.
pub(crate) fn merge_xml(results: XmlResults, doc: &mut Document, rows: &mut RowTable) -> bool {
    let mut contributed = false;
    for value in results.values {
        let Some(row) = rows.row(value.region, value.laterality, &value.source_label) else {
            continue;
        };
        if let Some(note) = value.note
            && !row.notes.contains(&note)
        {
            row.notes.push(note);
        }
        let value_now = match value.value {
            Ok(v) => v,
            Err(note) => {
                row.notes.push(format!("image comments XML: {note}"));
                continue;
            }
        };
        let slot = match value.measure {
            crate::vocabulary::Measure::Bmd => &mut row.bmd,
            crate::vocabulary::Measure::Bmc => &mut row.bmc,
            crate::vocabulary::Measure::Area => &mut row.area,
            crate::vocabulary::Measure::TScore => &mut row.t_score,
            crate::vocabulary::Measure::ZScore => &mut row.z_score,
            crate::vocabulary::Measure::PctYoungAdult => &mut row.pct_young_adult,
            crate::vocabulary::Measure::PctAgeMatched => &mut row.pct_age_matched,
            _ => continue,
        };
        match slot {
            None => {
                *slot = Some(value_now);
                contributed = true;
            }
            Some(kept) if *kept == value_now => {}
            Some(kept) => {
                let note = format!(
                    "image comments XML gives {} {value_now}, the tree {kept}: tree kept",
                    value.measure
                );
                row.notes.push(note);
                let flag = DocFlag::XmlDisagrees(row.site_name(), value.measure);
                flag_once(&mut doc.flags, flag);
            }
        }
    }
    for entry in results.history {
        contributed |= merge_history(entry, &mut doc.history);
    }
    for (item, value) in results.frax {
        let (slot, name) = match item {
            FraxItem::Major(false) => (&mut doc.frax_major, FraxValue::Major),
            FraxItem::Major(true) => (&mut doc.frax_major_prior, FraxValue::MajorPrior),
            FraxItem::Hip(false) => (&mut doc.frax_hip, FraxValue::Hip),
            FraxItem::Hip(true) => (&mut doc.frax_hip_prior, FraxValue::HipPrior),
            FraxItem::Classification => continue,
        };
        match slot {
            None => {
                *slot = Some(value);
                contributed = true;
            }
            Some(kept) if *kept == value => {}
            Some(_) => {
                flag_once(&mut doc.flags, DocFlag::XmlDisagreesOnFrax(name));
            }
        }
    }
    for fracture in results.vertebral_fractures {
        if !doc
            .vertebral_fractures
            .iter()
            .any(|f| f.vertebra == fracture.vertebra)
        {
            doc.vertebral_fractures.push(fracture);
            contributed = true;
        }
    }
    contributed
}

/// An earlier exam from the XML: fills what the tree's entry for the same region, side and
/// date lacks, or is added.
fn merge_history(entry: HistoryEntry, history: &mut Vec<HistoryEntry>) -> bool {
    let same = history.iter_mut().find(|h| {
        h.region == entry.region
            && h.laterality == entry.laterality
            && h.exam_date_text.trim() == entry.exam_date_text.trim()
    });
    let Some(kept) = same else {
        history.push(entry);
        return true;
    };
    let mut filled = false;
    let mut fill = |slot: &mut Option<_>, value: Option<_>| {
        if slot.is_none() && value.is_some() {
            *slot = value;
            filled = true;
        }
    };
    fill(&mut kept.bmd, entry.bmd);
    fill(&mut kept.age_years, entry.age_years);
    fill(&mut kept.t_score, entry.t_score);
    fill(&mut kept.z_score, entry.z_score);
    fill(
        &mut kept.change_vs_previous_g_cm2,
        entry.change_vs_previous_g_cm2,
    );
    fill(
        &mut kept.change_vs_previous_pct,
        entry.change_vs_previous_pct,
    );
    fill(
        &mut kept.change_vs_baseline_g_cm2,
        entry.change_vs_baseline_g_cm2,
    );
    fill(
        &mut kept.change_vs_baseline_pct,
        entry.change_vs_baseline_pct,
    );
    filled
}
