//! The tables of a results document, read by their type codes (profile `hologic_tables`,
//! `hologic_columns`, `hologic_rows`; docs/evidence.md lists them): the results summary
//! into rows, the history table into history entries (never rows: `history`), the FRAX
//! table into the study's FRAX values. An unknown type code is flagged and its row or table left out: a
//! label is read only when the document gives no row type at all. The whole-body tables
//! (`whole_body`, read by their labels first) are not read here.

use std::collections::BTreeSet;

use super::columns::{column_of, columns, place};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::carrier::hologic::script;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).expect("decimal")
    }

    /// A row of a test table: its row type (if any) and its cells by column.
    type TestRow<'a> = (Option<u32>, &'a [(u32, &'a str)]);

    /// A table as Results.js writes it: its type, its columns' types, and rows of (row type,
    /// cells by column).
    fn table(
        number: u32,
        kind: Option<u32>,
        columns: &[(u32, u32)],
        rows: &[TestRow<'_>],
    ) -> String {
        let mut text = String::new();
        if let Some(kind) = kind {
            text.push_str(&format!("TableType{number} = {kind};\n"));
        }
        for (column, kind) in columns {
            text.push_str(&format!("TableColumnTypes{number}[ {column}] = {kind};\n"));
            text.push_str(&format!(
                "ResultsTable{number}[ 0][ {column}] = \"c{column}\";\n"
            ));
        }
        for (at, (kind, cells)) in rows.iter().enumerate() {
            let row = at + 1;
            if let Some(kind) = kind {
                text.push_str(&format!("TableRowTypes{number}[ {row}] = {kind};\n"));
            }
            for (column, cell) in *cells {
                text.push_str(&format!(
                    "ResultsTable{number}[ {row}][ {column}] = \"{cell}\";\n"
                ));
            }
        }
        text
    }

    /// Label, BMD and T-score columns (the built-in hologic_apex profile's codes).
    const RESULTS_COLUMNS: &[(u32, u32)] = &[(0, 1), (3, 3), (5, 5)];

    fn read_tables(text: &str, scans: &[&str]) -> Document {
        let mapper = crate::profile::load(&[]).expect("built-in profiles");
        let scans: Vec<String> = scans.iter().map(|s| s.to_string()).collect();
        let mut doc = Document::default();
        read(
            &script::read(text),
            &scans,
            &mapper,
            &mut doc,
            &BTreeSet::new(),
            RowTable::default(),
        );
        doc
    }

    fn row_of(doc: &Document, region: Region, side: Laterality) -> &crate::document::Measurement {
        doc.measurements
            .iter()
            .find(|m| m.region == region && m.laterality == side)
            .unwrap_or_else(|| panic!("no {region:?} {side:?} row in {:?}", doc.measurements))
    }

    #[test]
    fn a_spine_total_covers_the_vertebrae_listed_above_it() {
        assert_eq!(
            spine_total(&[1, 2, 3], Region::SpineL1L4),
            Region::SpineL1L3
        );
        assert_eq!(
            spine_total(&[2, 3, 4], Region::SpineL1L4),
            Region::SpineL2L4
        );
        assert_eq!(
            spine_total(&[1, 3], Region::SpineL1L4),
            Region::SpineL1L4,
            "a gap"
        );
        assert_eq!(
            spine_total(&[2], Region::SpineL1L4),
            Region::SpineL1L4,
            "one"
        );
        assert_eq!(spine_total(&[], Region::TotalHip), Region::TotalHip);

        let text = table(
            1,
            Some(1),
            RESULTS_COLUMNS,
            &[
                (Some(5), &[(0, "L1"), (3, "0.851"), (5, "-1.4")]),
                (Some(6), &[(0, "L2"), (3, "0.925"), (5, "-1.2")]),
                (Some(7), &[(0, "L3"), (3, "0.963"), (5, "-1.0")]),
                (Some(3), &[(0, "Total"), (3, "0.915"), (5, "-1.2")]),
            ],
        );
        let doc = read_tables(&text, &["AP Spine"]);
        assert!(doc.flags.is_empty(), "{:?}", doc.flags);
        let total = row_of(&doc, Region::SpineL1L3, Laterality::None);
        assert_eq!(total.bmd, Some(d("0.915")));
        assert_eq!(total.source_label, "Total");
        assert_eq!(
            row_of(&doc, Region::SpineL2, Laterality::None).t_score,
            Some(d("-1.2"))
        );
        assert_eq!(doc.measurements.len(), 4);
    }

    #[test]
    fn dual_hip_sides_and_the_difference_row() {
        let text = table(
            1,
            Some(1),
            RESULTS_COLUMNS,
            &[
                (Some(10), &[(0, "Neck")]),
                (Some(133), &[(3, "0.701"), (5, "-1.9")]),
                (Some(134), &[(3, "0.689"), (5, "-2.0")]),
                (Some(136), &[(3, "0.012")]),
                (Some(135), &[(3, "0.695"), (5, "abc")]),
            ],
        );
        let doc = read_tables(&text, &["DualFemur"]);
        assert_eq!(
            row_of(&doc, Region::FemoralNeck, Laterality::Left).bmd,
            Some(d("0.701"))
        );
        assert_eq!(
            row_of(&doc, Region::FemoralNeck, Laterality::Right).t_score,
            Some(d("-2.0"))
        );
        let mean = row_of(&doc, Region::FemoralNeck, Laterality::Mean);
        assert_eq!(mean.t_score, None);
        assert_eq!(mean.notes, ["t_score value \"abc\" is not a number"]);
        let difference = row_of(&doc, Region::Other, Laterality::None);
        assert_eq!(difference.source_label, "Neck |Diff.|");
        assert_eq!(difference.bmd, Some(d("0.012")));
        assert_eq!(
            difference.notes,
            ["left-right difference: not a side's value"]
        );
        assert!(
            doc.measurements
                .iter()
                .all(|m| m.region != Region::FemoralNeck || m.laterality != Laterality::None),
            "the Neck row's own cells are blank: no row"
        );
    }

    #[test]
    fn unknown_codes_are_flagged_once_and_left_out() {
        let mut text = table(
            1,
            Some(1),
            RESULTS_COLUMNS,
            &[
                (Some(999), &[(0, "L1"), (3, "0.851")]),
                (Some(999), &[(0, "L2"), (3, "0.925")]),
                (Some(10), &[(0, "Neck"), (3, "0.701")]),
            ],
        );
        text.push_str(&table(
            2,
            Some(77),
            &[(0, 1)],
            &[(Some(10), &[(0, "Neck")])],
        ));
        text.push_str(&table(3, None, &[(0, 1)], &[(Some(10), &[(0, "Neck")])]));
        let doc = read_tables(&text, &["Left Hip"]);
        assert_eq!(
            doc.flags,
            [
                DocFlag::HologicRowTypeUnknown(999),
                DocFlag::HologicTableTypeUnknown(77),
                DocFlag::HologicTableWithoutType,
            ]
        );
        assert_eq!(doc.measurements.len(), 1, "{:?}", doc.measurements);
        assert_eq!(doc.measurements[0].bmd, Some(d("0.701")));
    }

    #[test]
    fn a_row_without_a_type_is_read_by_its_label_and_flagged() {
        let text = table(
            1,
            Some(1),
            RESULTS_COLUMNS,
            &[(None, &[(0, "Neck"), (3, "0.701")]), (None, &[(3, "0.5")])],
        );
        let doc = read_tables(&text, &["Left Hip"]);
        assert_eq!(doc.flags, [DocFlag::HologicRowReadByLabel]);
        assert_eq!(doc.measurements.len(), 1, "no label, no type: no row");
        assert_eq!(doc.measurements[0].region, Region::FemoralNeck);
    }

    #[test]
    fn frax_values_bounds_and_text() {
        assert_eq!(frax_value("12"), Some((d("12"), None)));
        assert_eq!(frax_value("< 1.0%"), Some((d("1.0"), Some(Bound::Below))));
        assert_eq!(frax_value(">50"), Some((d("50"), Some(Bound::Above))));
        assert_eq!(frax_value("n/a"), None);
        assert_eq!(frax_value(""), None);

        let text = table(
            1,
            Some(8),
            &[(0, 20), (1, 32), (2, 33)],
            &[
                (Some(71), &[(0, "Major"), (1, "12"), (2, "< 1.0")]),
                (Some(72), &[(0, "Hip"), (1, "< 1.0%"), (2, "2.1")]),
                (
                    Some(73),
                    &[(0, "US (Hispanic), T-score(WHO)=-2.6, BMI=26.6")],
                ),
                (Some(71), &[(1, "13")]),
            ],
        );
        let doc = read_tables(&text, &[]);
        assert_eq!(doc.frax_major, Some(d("12")), "the first kept");
        assert_eq!(doc.frax_major_censored, None);
        assert_eq!(doc.frax_major_prior, Some(d("1.0")));
        assert_eq!(doc.frax_hip, Some(d("1.0")));
        assert_eq!(doc.frax_hip_censored, Some(Bound::Below));
        assert_eq!(doc.frax_hip_prior, Some(d("2.1")));
        assert_eq!(doc.frax_neck_t_uniform, Some(d("-2.6")));
        assert_eq!(doc.flags, [DocFlag::FraxPriorFractureCensored]);

        let text = table(
            1,
            Some(8),
            &[(0, 20)],
            &[(Some(73), &[(0, "FRAX not reported")])],
        );
        let doc = read_tables(&text, &[]);
        assert_eq!(doc.frax_not_reported.as_deref(), Some("FRAX not reported"));
    }
}
