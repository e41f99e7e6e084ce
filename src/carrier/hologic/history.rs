//! History tables (TableType 2; docs/evidence.md, "Round two"): one entry per earlier exam
//! and region, never a row of this exam's results.
//!
//! Which region a row is: a Region column (column type 1) names it on the first row of a
//! group (`Total`, then blank-labelled rows, then `Neck`, then blank rows: each group is
//! that region); else the title (`Results History: L1-L3`, a dual hip's `... Total
//! (Mean):`); else the region the scanned site trends (profile `hologic_history`: the 1/3
//! radius of a forearm; any other site its Total).
//!
//! Change cells are `-0.031 (-4.0%)` (g/cm², then %), `-1.2%`, or a number whose unit the
//! header gives; `*` after a value marks a significant change (beyond the LSC at 95 %
//! confidence), `#` a change between dissimilar scans (TableNote2's legend).

use super::columns::{column_of, place};
use super::script::Table;
use crate::decimal::{Decimal, reported_number};
use crate::document::{DocFlag, Document, HistoryEntry, HistorySource, Marked};
use crate::flag::flag_once;
use crate::profile::{ColumnField, Mapper, Placed, RowRole};
use crate::vocabulary::{Measure, Region};

/// One change cell, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Change {
    grams: Option<Decimal>,
    percent: Option<Decimal>,
    significant: bool,
    dissimilar: bool,
}

/// Reads a change cell; `header` gives the unit of a bare number. Err: a bare number under
/// a header that states no unit.
fn change(cell: &str, header: &str) -> Result<Option<Change>, ()> {
    let mut text = cell.trim();
    let mut out = Change::default();
    while let Some(last) = text.chars().last() {
        match last {
            '*' => out.significant = true,
            '#' => out.dissimilar = true,
            c if c.is_whitespace() => {}
            _ => break,
        }
        text = &text[..text.len() - last.len_utf8()];
    }
    if text.is_empty() {
        return Ok(None);
    }
    let percent = |t: &str| {
        t.trim()
            .strip_suffix('%')
            .and_then(|n| Decimal::parse_reported(n.trim()))
    };
    if let Some((grams, rest)) = text.split_once('(') {
        // "-0.031 (-4.0%)": g/cm², then % in brackets.
        out.grams = Decimal::parse_reported(grams.trim());
        out.percent = rest.split_once(')').and_then(|(inner, _)| percent(inner));
    } else if text.ends_with('%') {
        out.percent = percent(text);
    } else {
        let number = Decimal::parse_reported(text);
        if header.contains('%') {
            out.percent = number;
        } else if header.contains("g/cm") {
            out.grams = number;
        } else if number.is_some() {
            return Err(());
        }
    }
    Ok((out.grams.is_some() || out.percent.is_some()).then_some(out))
}

/// The region of rows a table names none for: the title's, else the site's trended one.
fn default_placement<'m>(table: &Table, scans: &[String], mapper: &'m Mapper) -> Placed<'m> {
    // "Results History: L1-L3" names the range after the colon; "DualFemur Total (Mean):"
    // before it.
    let (before, after) = table.title.split_once(':').unwrap_or((&table.title, ""));
    for named in [after, before] {
        // "(Mean)": the side word in brackets.
        let named = named.replace(['(', ')'], " ");
        if named.trim().is_empty() {
            continue;
        }
        let placed = place(mapper, named.trim(), scans);
        if placed.region != Region::Other {
            return placed;
        }
    }
    let site = place(mapper, "Total", scans).site;
    place(mapper, mapper.hologic_history_label(site), scans)
}

/// Reads a history table into `doc.history`.
pub(super) fn read(
    table: &Table,
    columns: &[(u32, ColumnField)],
    scans: &[String],
    mapper: &Mapper,
    doc: &mut Document,
) {
    let Some(date_column) = column_of(columns, ColumnField::ScanDate) else {
        flag_once(&mut doc.flags, DocFlag::HologicHistoryWithoutDates);
        return;
    };
    let default = default_placement(table, scans, mapper);
    let label_column = column_of(columns, ColumnField::Label);
    let mut group: Option<Placed<'_>> = None;
    for row in table.rows() {
        if let Some(column) = label_column {
            let label = table.cell(row, column);
            if !label.is_empty() {
                group = Some(place(mapper, &label, scans));
            }
        }
        let date = table.cell(row, date_column);
        match table
            .row_types
            .get(&row)
            .and_then(|c| mapper.hologic_row(*c))
        {
            Some(RowRole::Date) => {}
            None if !table.row_types.contains_key(&row) && !date.is_empty() => {}
            _ => continue,
        }
        if date.is_empty() {
            continue;
        }
        let placed = group.as_ref().unwrap_or(&default);
        let mut entry = HistoryEntry::placed(
            placed.region,
            placed.laterality,
            placed.source_label.clone(),
            date,
            HistorySource::HologicTable,
        );
        let (mut changes, mut significant, mut dissimilar) = (false, [false; 2], [false; 2]);
        for (column, field) in columns {
            let cell = table.cell(row, *column);
            let (which, slots) = match field {
                ColumnField::ChangeVsBaseline => (
                    0,
                    (
                        &mut entry.change_vs_baseline_g_cm2,
                        &mut entry.change_vs_baseline_pct,
                    ),
                ),
                ColumnField::ChangeVsPrevious => (
                    1,
                    (
                        &mut entry.change_vs_previous_g_cm2,
                        &mut entry.change_vs_previous_pct,
                    ),
                ),
                _ => {
                    let Some(value) = reported_number(&cell) else {
                        continue;
                    };
                    match field {
                        ColumnField::Measure(Measure::Bmd) => entry.bmd = Some(value),
                        ColumnField::Measure(Measure::TScore) => entry.t_score = Some(value),
                        ColumnField::Measure(Measure::ZScore) => entry.z_score = Some(value),
                        ColumnField::Age => entry.age_years = Some(value),
                        _ => {}
                    }
                    continue;
                }
            };
            match change(&cell, &table.cell(0, *column)) {
                Ok(Some(found)) => {
                    changes = true;
                    *slots.0 = found.grams;
                    *slots.1 = found.percent;
                    significant[which] = found.significant;
                    dissimilar[which] = found.dissimilar;
                }
                Ok(None) => {}
                Err(()) => flag_once(&mut doc.flags, DocFlag::HologicChangeUnitUnknown),
            }
        }
        if changes {
            entry.change_significant = Some(Marked::of(significant[0], significant[1]));
            entry.change_dissimilar_scans = Some(Marked::of(dissimilar[0], dissimilar[1]));
        }
        doc.history.push(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(cell: &str, header: &str) -> Option<(String, String, bool, bool)> {
        let text = |v: Option<Decimal>| v.map(|v| v.to_string()).unwrap_or_default();
        change(cell, header)
            .expect("a unit")
            .map(|c| (text(c.grams), text(c.percent), c.significant, c.dissimilar))
    }

    #[test]
    fn change_cells() {
        let s = |a: &str, b: &str, sig, dis| Some((a.to_string(), b.to_string(), sig, dis));
        assert_eq!(
            read("-0.031 (-4.0%)*", "BMD Change vs Baseline"),
            s("-0.031", "-4.0", true, false)
        );
        assert_eq!(
            read("-1.2%", "BMD Change vs Baseline"),
            s("", "-1.2", false, false)
        );
        assert_eq!(read("-0.5% #", "x"), s("", "-0.5", false, true));
        assert_eq!(
            read("0.012*#", "BMD Change (g/cm2)"),
            s("0.012", "", true, true)
        );
        assert_eq!(
            read("-2.6", "vs Baseline[(%)]"),
            s("", "-2.6", false, false)
        );
        assert_eq!(read(" ", "x"), None);
        assert_eq!(read("*", "x"), None);
        assert_eq!(change("-0.012", "BMD Change vs Previous"), Err(()));
    }
}
