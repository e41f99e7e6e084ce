//! The whole-body tables of a results document (docs/profiles.md, "Body composition"): the
//! whole-body BMD table into measurement rows (the whole body, the whole body less the
//! head, and its parts as `other`: none is a diagnostic site in adults), the composition
//! tables and the "Adipose Indices" and "Lean Indices" into the document's body composition.
//!
//! No public source shows the type codes of these tables (docs/evidence.md, "Whole body"):
//! they are read by their header and row labels (profile `body_composition_*`, flagged
//! `body_composition_read_by_label`), by a code only where a site's profile gives one. A
//! table is whole-body by what it holds, whatever its TableType: a composition column (fat,
//! lean, %fat...) with a region row, an index row, or a bone column with a row only a whole
//! body has (an arm, the ribs, the head). The tables read here are not read again as
//! results, history or FRAX tables.

mod known;
mod plan;

use plan::{Column, IndexRow, Kind, RowCells, in_row};

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::script::{Script, Table, shown};
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, BodyValue, Field, PART_NOTE, Reading, UnitId, units,
};
use crate::decimal::reported_number;
use crate::document::{DocFlag, Document, RowTable, set_value};
use crate::flag::flag_once;
use crate::profile::{BodyField, Mapper};
use crate::vocabulary::{Measure, Region};

/// Reads the whole-body tables into `doc` (measurement rows into `rows`); returns the
/// numbers of the tables read.
// Not inlined into the reader: measured by itself (docs/performance.md, "Body composition
// files").
#[inline(never)]
pub(super) fn read(
    script: &Script,
    mapper: &Mapper,
    doc: &mut Document,
    rows: &mut RowTable,
) -> BTreeSet<u32> {
    let mut comp = BodyComposition::new(BodySource::HologicResultsDocument);
    let mut claimed = BTreeSet::new();
    for (&number, table) in &script.tables {
        let rows_of_table = rows_with_cells(table);
        // What the header and row labels decide, kept per thread (`plan::make` else).
        let plan = plan::of(number, table, &rows_of_table, mapper);
        let Some(kind) = plan.kind else {
            continue;
        };
        claimed.insert(number);
        match kind {
            Kind::Bone => bone(&rows_of_table, &plan.columns, &plan.regions, doc, rows),
            Kind::Composition => {
                composition(&rows_of_table, &plan.columns, &plan.regions, &mut comp, doc)
            }
            Kind::Indices => {
                index_rows(&rows_of_table, &plan.columns, &plan.indices, &mut comp, doc)
            }
        }
        if plan.by_label {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionReadByLabel);
        }
        if plan.unknown_column {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionColumnUnknown);
        }
        if plan.unknown_row {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionRowUnknown);
        }
    }
    if !comp.is_empty() {
        doc.body_composition = Some(comp);
    }
    claimed
}

/// The table's rows (`Table::rows`), each with its cells (`Cells::row`): cut from the cells
/// in one pass (they are in order), not a search per row and cell; only a table with row
/// types (which may name rows without cells) takes `Table::rows`.
fn rows_with_cells<'a, 't>(table: &'a Table<'t>) -> Vec<(u32, RowCells<'a, 't>)> {
    if !table.row_types.is_empty() {
        return table
            .rows()
            .into_iter()
            .map(|row| (row, table.cells.row(row)))
            .collect();
    }
    let cells = table.cells.as_slice();
    let mut out = Vec::with_capacity(16);
    let mut start = cells.partition_point(|((row, _), _)| *row == 0);
    while start < cells.len() {
        let row = cells[start].0.0;
        let end = cells[start..]
            .iter()
            .position(|((r, _), _)| *r != row)
            .map_or(cells.len(), |n| start + n);
        out.push((row, &cells[start..end]));
        start = end;
    }
    out
}

/// A row's cells read by columns in ascending order (a table's columns are: `columns`),
/// each found from where the one before was, not by a search of the row per cell. A
/// column's cell is what `in_row` gives.
struct RowCursor<'a, 't> {
    cells: RowCells<'a, 't>,
    at: usize,
}

impl<'a, 't> RowCursor<'a, 't> {
    fn new(cells: RowCells<'a, 't>) -> Self {
        RowCursor { cells, at: 0 }
    }

    /// The cell of `column` (at or after the column asked for before), as `in_row` gives it.
    fn get(&mut self, column: u32) -> Cow<'a, str> {
        while self
            .cells
            .get(self.at)
            .is_some_and(|((_, c), _)| *c < column)
        {
            self.at += 1;
        }
        let cells = self.cells;
        shown(
            cells
                .get(self.at)
                .filter(|((_, c), _)| *c == column)
                .map(|(_, raw)| raw),
        )
    }
}

/// The whole-body BMD table: a measurement row per region.
fn bone(
    table_rows: &[(u32, RowCells)],
    columns: &[Column],
    regions: &[(usize, BodyRegion, Box<str>)],
    doc: &mut Document,
    rows: &mut RowTable,
) {
    for (at, region, label) in regions {
        let measurement_region = region.measurement_region();
        let mut row = RowCursor::new(table_rows[*at].1);
        let mut columns = columns.iter();
        let mut next_value = |columns: &mut std::slice::Iter<'_, Column>,
                              flags: &mut Vec<DocFlag>| {
            columns.find_map(|column| bone_value(column, &mut row, flags))
        };
        // The region's measurement row, found at its first value and only then (a row
        // without one gets none), once, not per value (`RowTable::row` gives the same row
        // again for the same region, side and label); the cells are read once.
        let Some(mut value) = next_value(&mut columns, &mut doc.flags) else {
            continue;
        };
        let mut found = rows.row(measurement_region, region.laterality(), label);
        // An `other` row's part note, looked for in its notes once per row, not per value.
        let mut part_noted = measurement_region != Region::Other;
        loop {
            let (measure, text) = value;
            if let Some(out) = found.as_deref_mut() {
                if !part_noted {
                    if !out.notes.iter().any(|n| n == PART_NOTE) {
                        out.notes.push(PART_NOTE.to_string());
                    }
                    part_noted = true;
                }
                match reported_number(&text) {
                    Some(value) => set_value(out, measure, value, &mut doc.flags),
                    None => out
                        .notes
                        .push(format!("{measure} value {text:?} is not a number")),
                }
            }
            match next_value(&mut columns, &mut doc.flags) {
                Some(next) => value = next,
                None => break,
            }
        }
    }
}

/// A bone column's measure and its cell in `row` when the cell holds text and the unit is
/// known; an unknown unit of a cell with text flagged (`flags`), and None.
fn bone_value<'a>(
    column: &Column,
    row: &mut RowCursor<'a, '_>,
    flags: &mut Vec<DocFlag>,
) -> Option<(Measure, Cow<'a, str>)> {
    let measure = bone_measure(column)?;
    let text = row.get(column.index);
    if text.is_empty() {
        return None;
    }
    if !column.bone_unit_known {
        flag_once(
            flags,
            DocFlag::BodyCompositionUnitUnknown(BodyValue::Bone(measure)),
        );
        return None;
    }
    Some((measure, text))
}

/// What a bone table's column measures.
fn bone_measure(column: &Column) -> Option<Measure> {
    match column.field {
        BodyField::Bone(measure) => Some(measure),
        BodyField::Value(Field::Bmc) => Some(Measure::Bmc),
        _ => None,
    }
}

/// A number in a cell, converted from the unit written to the dimension's; flagged when
/// it is not a number or the unit is unknown.
fn reading(
    text: &str,
    unit: UnitId,
    conversion: Option<units::Conversion>,
    what: BodyValue,
    flags: &mut Vec<DocFlag>,
) -> Option<Reading> {
    let Some(written) = reported_number(text) else {
        flag_once(flags, DocFlag::BodyCompositionValueUnreadable(what));
        return None;
    };
    // `units::convert`, the unit's conversion found once per column.
    let Some(value) = conversion.and_then(|c| c.apply(written)) else {
        flag_once(flags, DocFlag::BodyCompositionUnitUnknown(what));
        return None;
    };
    Some(Reading {
        value,
        written,
        unit,
    })
}

/// A composition table: each region's values.
fn composition(
    table_rows: &[(u32, RowCells)],
    columns: &[Column],
    regions: &[(usize, BodyRegion, Box<str>)],
    comp: &mut BodyComposition,
    doc: &mut Document,
) {
    // Each column's unit's conversion, found once (`units::convert` per value).
    let conversions: Vec<Option<units::Conversion>> = columns
        .iter()
        .map(|column| match column.field {
            BodyField::Value(field) => units::conversion(&column.unit, field.dimension()),
            _ => None,
        })
        .collect();
    for (at, region, label) in regions {
        if !region.is_composition() {
            continue;
        }
        // The region's place, found at the row's first value read (a row of none adds no
        // region), each value then written into its slot (`BodyComposition::set_at`).
        let mut place = None;
        let mut row = RowCursor::new(table_rows[*at].1);
        for (column, conversion) in columns.iter().zip(&conversions) {
            let BodyField::Value(field) = column.field else {
                continue;
            };
            let text = row.get(column.index);
            if text.is_empty() {
                continue;
            }
            let what = BodyValue::Region(*region, field);
            let unit = comp.unit_id(&column.unit);
            let Some(value) = reading(&text, unit, *conversion, what, &mut doc.flags) else {
                continue;
            };
            let place = *place.get_or_insert_with(|| comp.region_at(*region, label));
            if !comp.set_at(place, field, value, *conversion) {
                flag_once(&mut doc.flags, DocFlag::BodyCompositionGivenTwice(what));
            }
        }
    }
}

/// An indices table: each index row's `Result`.
fn index_rows(
    table_rows: &[(u32, RowCells)],
    columns: &[Column],
    indices: &[IndexRow],
    comp: &mut BodyComposition,
    doc: &mut Document,
) {
    let Some(result) = columns.iter().find(|c| c.field == BodyField::Result) else {
        flag_once(&mut doc.flags, DocFlag::BodyCompositionResultColumnMissing);
        return;
    };
    for index in indices {
        let text = in_row(table_rows[index.at].1, result.index);
        if text.is_empty() {
            continue;
        }
        let what = BodyValue::Index(index.kind);
        let unit = comp.unit_id(&index.unit);
        let Some(value) = reading(&text, unit, index.conversion, what, &mut doc.flags) else {
            continue;
        };
        if !comp.set_index(index.kind, value) {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionGivenTwice(what));
        }
    }
}

#[cfg(test)]
mod tests;
