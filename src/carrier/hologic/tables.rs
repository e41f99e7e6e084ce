//! The tables of a results document, read by their type codes (profile `hologic_tables`,
//! `hologic_columns`, `hologic_rows`; docs/evidence.md lists them): the results summary
//! into rows, the history table into history entries (never rows: `history`), the FRAX
//! table into the study's FRAX values. An unknown type code is flagged and its row or table left out: a
//! label is read only when the document gives no row type at all. The whole-body tables
//! (`whole_body`, read by their labels first) are not read here.

use std::collections::BTreeSet;

use super::script::{Script, Table};
use crate::decimal::Decimal;
use crate::decimal::reported_number;
use crate::document::{Bound, DocFlag, Document, RowTable, set_value};
use crate::flag::flag_once;
use crate::profile::{ColumnField, Mapper, Placed, RowRole, TableKind};
use crate::vocabulary::{Laterality, Measure, Region, Site};

/// Reads every table but the whole-body ones into `doc`, its rows after the whole-body
/// tables' `rows`.
pub(super) fn read(
    script: &Script,
    scans: &[String],
    mapper: &Mapper,
    doc: &mut Document,
    whole_body: &BTreeSet<u32>,
    mut rows: RowTable,
) {
    for (_, table) in script
        .tables
        .iter()
        .filter(|(n, _)| !whole_body.contains(n))
    {
        let Some(code) = table.table_type else {
            if !table.cells.is_empty() {
                flag_once(&mut doc.flags, DocFlag::HologicTableWithoutType);
            }
            continue;
        };
        let columns = columns(table, mapper, doc);
        match mapper.hologic_table(code) {
            Some(TableKind::Results) => results(table, &columns, scans, mapper, doc, &mut rows),
            Some(TableKind::History) => super::history::read(table, &columns, scans, mapper, doc),
            Some(TableKind::Frax) => frax(table, &columns, mapper, doc),
            None => flag_once(&mut doc.flags, DocFlag::HologicTableTypeUnknown(code)),
        }
    }
    doc.measurements = rows.into_sorted();
}

/// The table's columns whose type code a profile knows.
fn columns(table: &Table, mapper: &Mapper, doc: &mut Document) -> Vec<(u32, ColumnField)> {
    let mut out = Vec::new();
    for (&column, &code) in &table.column_types {
        match mapper.hologic_column(code) {
            Some(field) => out.push((column, field)),
            None => flag_once(&mut doc.flags, DocFlag::HologicColumnTypeUnknown(code)),
        }
    }
    out
}

pub(super) fn column_of(columns: &[(u32, ColumnField)], field: ColumnField) -> Option<u32> {
    columns.iter().find(|(_, f)| *f == field).map(|(c, _)| *c)
}

/// What a row is: by its type code; by its label only when the document gives no type.
fn role(
    table: &Table,
    row: u32,
    label: &str,
    mapper: &Mapper,
    doc: &mut Document,
) -> Option<RowRole> {
    match table.row_types.get(&row) {
        Some(code) => match mapper.hologic_row(*code) {
            Some(role) => Some(role.clone()),
            None => {
                flag_once(&mut doc.flags, DocFlag::HologicRowTypeUnknown(*code));
                None
            }
        },
        None if !label.is_empty() => {
            flag_once(&mut doc.flags, DocFlag::HologicRowReadByLabel);
            Some(RowRole::Region(label.to_string()))
        }
        None => None,
    }
}

pub(super) fn place<'m>(mapper: &'m Mapper, label: &str, scans: &[String]) -> Placed<'m> {
    let mut labels: Vec<&str> = vec![label];
    labels.extend(scans.iter().map(String::as_str));
    mapper.place(&labels)
}

/// One row to write: region, side, label, note, values.
type Written = (
    Region,
    Laterality,
    String,
    Option<String>,
    Vec<(Measure, String)>,
);

fn results(
    table: &Table,
    columns: &[(u32, ColumnField)],
    scans: &[String],
    mapper: &Mapper,
    doc: &mut Document,
    rows: &mut RowTable,
) {
    let label_column = column_of(columns, ColumnField::Label);
    let mut parent: Option<(Placed<'_>, String, bool)> = None;
    let mut written: Vec<Written> = Vec::new();
    for row in table.rows() {
        let label = label_column.map_or_else(String::new, |c| table.cell(row, c));
        let Some(role) = role(table, row, &label, mapper, doc) else {
            continue;
        };
        let values: Vec<(Measure, String)> = columns
            .iter()
            .filter_map(|(column, field)| match field {
                ColumnField::Measure(measure) => Some((*measure, table.cell(row, *column))),
                _ => None,
            })
            .filter(|(_, text)| !text.is_empty())
            .collect();
        match role {
            RowRole::Region(rule_label) => {
                let placed = place(mapper, &rule_label, scans);
                let shown = if label.is_empty() {
                    rule_label.clone()
                } else {
                    label
                };
                let total = rule_label.eq_ignore_ascii_case("total");
                if !values.is_empty() {
                    let note = placed.note.map(str::to_string);
                    let (region, side) = (placed.region, placed.laterality);
                    written.push((region, side, shown.clone(), note, values));
                }
                parent = Some((placed, shown, total));
            }
            RowRole::Side(side) => {
                if let Some((placed, shown, _)) = &parent {
                    written.push((placed.region, side, shown.clone(), None, values));
                }
            }
            RowRole::Difference => {
                if let Some((_, shown, _)) = &parent {
                    let note = "left-right difference: not a side's value".to_string();
                    let label = format!("{shown} |Diff.|");
                    written.push((Region::Other, Laterality::None, label, Some(note), values));
                }
            }
            _ => {}
        }
        let vertebrae = written_vertebrae(&written);
        if let Some((placed, _, true)) = &parent
            && placed.site == Some(Site::Spine)
            && let Some(last) = written.last_mut()
            && last.0 == placed.region
        {
            last.0 = spine_total(&vertebrae, placed.region);
        }
    }
    for (region, side, label, note, values) in written {
        let Some(out) = rows.row(region, side, &label) else {
            continue;
        };
        if let Some(note) = note
            && !out.notes.contains(&note)
        {
            out.notes.push(note);
        }
        for (measure, text) in values {
            match reported_number(&text) {
                Some(value) => set_value(out, measure, value, &mut doc.flags),
                None => out
                    .notes
                    .push(format!("{measure} value {text:?} is not a number")),
            }
        }
    }
}

fn written_vertebrae(written: &[Written]) -> Vec<u8> {
    written
        .iter()
        .filter_map(|w| w.0.vertebrae())
        .filter(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect()
}

/// A spine Total covers the vertebrae listed above it (docs/evidence.md: L1-L3 when a
/// vertebra was excluded); the rule's region when they are not a contiguous range.
fn spine_total(vertebrae: &[u8], rule_region: Region) -> Region {
    let (Some(&first), Some(&last)) = (vertebrae.iter().min(), vertebrae.iter().max()) else {
        return rule_region;
    };
    let contiguous = usize::from(last - first) + 1 == vertebrae.len();
    if !contiguous || first == last {
        return rule_region;
    }
    Region::ALL
        .iter()
        .copied()
        .find(|r| r.vertebrae() == Some((first, last)))
        .unwrap_or(rule_region)
}

/// A FRAX cell: its number, and the bound when it is written as one (`< 1.0%`: kept as
/// written, never dropped).
fn frax_value(cell: &str) -> Option<(Decimal, Option<Bound>)> {
    let text = cell.trim();
    let (bound, number) = match text.chars().next() {
        Some('<') => (Some(Bound::Below), &text[1..]),
        Some('>') => (Some(Bound::Above), &text[1..]),
        _ => (None, text),
    };
    reported_number(number).map(|value| (value, bound))
}

fn frax(table: &Table, columns: &[(u32, ColumnField)], mapper: &Mapper, doc: &mut Document) {
    let without = column_of(columns, ColumnField::Frax);
    let with = column_of(columns, ColumnField::FraxPrior);
    let value = |row, column: Option<u32>| column.and_then(|c| frax_value(&table.cell(row, c)));
    for row in table.rows() {
        let Some(code) = table.row_types.get(&row) else {
            continue;
        };
        let role = mapper.hologic_row(*code);
        let (now, prior) = (value(row, without), value(row, with));
        if prior.is_some_and(|(_, bound)| bound.is_some()) {
            flag_once(&mut doc.flags, DocFlag::FraxPriorFractureCensored);
        }
        match role {
            Some(RowRole::FraxMajor) => {
                if doc.frax_major.is_none()
                    && let Some((value, bound)) = now
                {
                    doc.frax_major = Some(value);
                    doc.frax_major_censored = bound;
                }
                doc.frax_major_prior = doc.frax_major_prior.or(prior.map(|p| p.0));
            }
            Some(RowRole::FraxHip) => {
                if doc.frax_hip.is_none()
                    && let Some((value, bound)) = now
                {
                    doc.frax_hip = Some(value);
                    doc.frax_hip_censored = bound;
                }
                doc.frax_hip_prior = doc.frax_hip_prior.or(prior.map(|p| p.0));
            }
            Some(RowRole::FraxText) => {
                let text: Vec<String> = table
                    .cells
                    .keys()
                    .filter(|(r, _)| *r == row)
                    .map(|(_, c)| table.cell(row, *c))
                    .filter(|t| !t.is_empty())
                    .collect();
                let text = text.join(" ");
                if mapper.says_frax_not_reported(&text) && doc.frax_not_reported.is_none() {
                    doc.frax_not_reported = Some(text);
                } else if doc.frax_neck_t_uniform.is_none() {
                    doc.frax_neck_t_uniform = mapper.frax_uniform_t_score(&text);
                }
            }
            Some(_) => {}
            None => flag_once(&mut doc.flags, DocFlag::HologicRowTypeUnknown(*code)),
        }
    }
}
