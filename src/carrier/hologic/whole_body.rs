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

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::script::{Script, Table, shown};
use crate::bodycomp::shared::shared;
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, BodyValue, Field, IndexKind, PART_NOTE, Places,
    Reading, units,
};
use crate::decimal::reported_number;
use crate::document::{DocFlag, Document, RowTable, set_value};
use crate::flag::flag_once;
use crate::profile::{BodyField, Mapper};
use crate::vocabulary::{Measure, Region};

/// One column: its index, what it holds and the unit as written.
struct Column {
    index: u32,
    field: BodyField,
    unit: Arc<str>,
}

/// What a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bone,
    Composition,
    Indices,
}

/// What was found while reading one table (flags are written only for tables read).
#[derive(Default)]
struct Found {
    by_label: bool,
    unknown_column: bool,
}

/// Reads the whole-body tables into `doc` (measurement rows into `rows`); returns the
/// numbers of the tables read.
pub(super) fn read(
    script: &Script,
    mapper: &Mapper,
    doc: &mut Document,
    rows: &mut RowTable,
) -> BTreeSet<u32> {
    let labels = mapper.body_labels();
    let label_of = |label: &str| known::named(label, mapper);
    let mut comp = BodyComposition::new(BodySource::HologicResultsDocument);
    let mut claimed = BTreeSet::new();
    for (&number, table) in &script.tables {
        let mut found = Found::default();
        let columns = columns(table, mapper, &mut found);
        let label_column = columns
            .iter()
            .find(|c| c.field == BodyField::Label)
            .map_or(0, |c| c.index);
        let rows_of_table = rows_with_cells(table);
        let row_labels: Vec<(u32, Cow<str>)> = rows_of_table
            .iter()
            .map(|&(row, cells)| (row, in_row(cells, label_column)))
            .collect();
        // What each row's label names, looked up once for both the regions and the indices
        // (when a row's type code does not decide).
        let row_named: Vec<OnceCell<known::Named>> =
            row_labels.iter().map(|_| OnceCell::new()).collect();
        let named_row = |at: usize, label: &str| *row_named[at].get_or_init(|| label_of(label));
        let regions = named_rows(
            table,
            &row_labels,
            &mut found,
            |code| labels.row_code(code),
            |at, label| named_row(at, label).row,
        );
        // An index's label carries its unit: `Est. VAT Mass (g)`.
        let indices = named_rows(
            table,
            &row_labels,
            &mut found,
            |code| labels.index_code(code),
            |at, label| named_row(at, label).index,
        );
        let Some(kind) = kind(&columns, &regions, &indices) else {
            continue;
        };
        claimed.insert(number);
        match kind {
            Kind::Bone => bone(&rows_of_table, &columns, &regions, doc, rows),
            Kind::Composition => composition(&rows_of_table, &columns, &regions, &mut comp, doc),
            Kind::Indices => index_rows(&rows_of_table, &columns, &indices, mapper, &mut comp, doc),
        }
        if found.by_label {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionReadByLabel);
        }
        if found.unknown_column {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionColumnUnknown);
        }
        let rows_read = regions.len() + indices.len();
        if rows_of_table.len() > rows_read {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionRowUnknown);
        }
    }
    if !comp.is_empty() {
        doc.body_composition = Some(comp);
    }
    claimed
}

/// One row's cells (`Cells::row`).
type RowCells<'a, 't> = &'a [((u32, u32), Cow<'t, str>)];

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

/// A cell of a row's cells (`Cells::row`), as `shown` gives it.
fn in_row<'a>(row: &'a [((u32, u32), Cow<'_, str>)], column: u32) -> Cow<'a, str> {
    shown(
        row.iter()
            .find(|((_, c), _)| *c == column)
            .map(|(_, raw)| raw),
    )
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

/// The table's columns a profile knows: by type code, else by header label (`label_of`:
/// what a header names).
fn columns(table: &Table, mapper: &Mapper, found: &mut Found) -> Vec<Column> {
    let labels = mapper.body_labels();
    // The header's cells (row 0) come first: the cells are in order.
    let mut indexes: Vec<u32> = table
        .cells
        .keys()
        .take_while(|(r, _)| *r == 0)
        .map(|(_, c)| *c)
        .chain(table.column_types.keys().copied())
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    let header_cells = table.cells.row(0);
    // Room for every column at once, not grown from four.
    let mut out = Vec::with_capacity(indexes.len());
    for index in indexes {
        let raw = header_cells
            .iter()
            .find(|((_, c), _)| *c == index)
            .map_or("", |(_, raw)| raw);
        // The header's unit and what it names, found together (kept per thread by the
        // header as written).
        let header = known::header(raw, mapper);
        let by_code = table
            .column_types
            .get(&index)
            .and_then(|code| labels.column_code(*code));
        let field = by_code.or_else(|| {
            let field = header.column;
            found.by_label |= field.is_some();
            field
        });
        match field {
            Some(field) => out.push(Column {
                index,
                field,
                unit: header.unit,
            }),
            None => found.unknown_column |= !header.blank,
        }
    }
    out
}

/// The rows that name what `by_code` or `by_label` knows (a region, an index): by the
/// row's type code, else by its label (`by_label` of the row's place in `row_labels` and
/// its label; `found.by_label` says a label decided). Each is given by its place in
/// `row_labels`.
fn named_rows<'l, T>(
    table: &Table,
    row_labels: &'l [(u32, Cow<str>)],
    found: &mut Found,
    by_code: impl Fn(u32) -> Option<T>,
    by_label: impl Fn(usize, &str) -> Option<T>,
) -> Vec<(usize, T, &'l str)> {
    // Room for every row at once, not grown from four.
    let mut out = Vec::with_capacity(row_labels.len());
    let typed = !table.row_types.is_empty();
    for (at, (row, label)) in row_labels.iter().enumerate() {
        let label = label.as_ref();
        let named = if typed {
            table.row_types.get(row).and_then(|code| by_code(*code))
        } else {
            None
        };
        let named = named.or_else(|| {
            let named = by_label(at, label);
            found.by_label |= named.is_some();
            named
        });
        if let Some(named) = named {
            out.push((at, named, label));
        }
    }
    out
}

/// What the table holds, if it is a whole-body table.
fn kind(
    columns: &[Column],
    regions: &[(usize, BodyRegion, &str)],
    indices: &[(usize, IndexKind, &str)],
) -> Option<Kind> {
    let composition = columns
        .iter()
        .any(|c| matches!(c.field, BodyField::Value(f) if f != Field::Bmc));
    let bone = columns
        .iter()
        .any(|c| matches!(c.field, BodyField::Bone(_) | BodyField::Value(Field::Bmc)));
    let whole_body_rows = regions.iter().any(|(_, r, _)| r.is_whole_body_only());
    if composition && !regions.is_empty() {
        Some(Kind::Composition)
    } else if !indices.is_empty() {
        Some(Kind::Indices)
    } else if bone && whole_body_rows {
        Some(Kind::Bone)
    } else {
        None
    }
}

/// The whole-body BMD table: a measurement row per region.
fn bone(
    table_rows: &[(u32, RowCells)],
    columns: &[Column],
    regions: &[(usize, BodyRegion, &str)],
    doc: &mut Document,
    rows: &mut RowTable,
) {
    for (at, region, label) in regions {
        let measurement_region = region.measurement_region();
        let cells = table_rows[*at].1;
        // The region's measurement row, found once when it gets a value, not per value
        // (`RowTable::row` gives the same row again for the same region, side and label).
        let mut row = RowCursor::new(cells);
        let has_value = columns.iter().any(|column| {
            bone_measure(column).is_some_and(|measure| {
                !row.get(column.index).is_empty() && units::bone_unit_known(measure, &column.unit)
            })
        });
        let mut row = RowCursor::new(cells);
        let mut found = if has_value {
            rows.row(measurement_region, region.laterality(), label)
        } else {
            None
        };
        for column in columns {
            let Some(measure) = bone_measure(column) else {
                continue;
            };
            let text = row.get(column.index);
            if text.is_empty() {
                continue;
            }
            if !units::bone_unit_known(measure, &column.unit) {
                let what = BodyValue::Bone(measure);
                flag_once(&mut doc.flags, DocFlag::BodyCompositionUnitUnknown(what));
                continue;
            }
            let Some(out) = found.as_deref_mut() else {
                continue;
            };
            if measurement_region == Region::Other && !out.notes.iter().any(|n| n == PART_NOTE) {
                out.notes.push(PART_NOTE.to_string());
            }
            match reported_number(&text) {
                Some(value) => set_value(out, measure, value, &mut doc.flags),
                None => out
                    .notes
                    .push(format!("{measure} value {text:?} is not a number")),
            }
        }
    }
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
    unit: &Arc<str>,
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
        unit: Arc::clone(unit),
    })
}

/// A composition table: each region's values.
fn composition(
    table_rows: &[(u32, RowCells)],
    columns: &[Column],
    regions: &[(usize, BodyRegion, &str)],
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
    let mut places = Places::default();
    for (at, region, label) in regions {
        if !region.is_composition() {
            continue;
        }
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
            let Some(value) = reading(&text, &column.unit, *conversion, what, &mut doc.flags)
            else {
                continue;
            };
            if !comp.set_placed(&mut places, *region, label, field, value) {
                flag_once(&mut doc.flags, DocFlag::BodyCompositionGivenTwice(what));
            }
        }
    }
}

/// An indices table: each index row's `Result`.
fn index_rows(
    table_rows: &[(u32, RowCells)],
    columns: &[Column],
    indices: &[(usize, IndexKind, &str)],
    mapper: &Mapper,
    comp: &mut BodyComposition,
    doc: &mut Document,
) {
    let Some(result) = columns.iter().find(|c| c.field == BodyField::Result) else {
        flag_once(&mut doc.flags, DocFlag::BodyCompositionResultColumnMissing);
        return;
    };
    for (at, kind, label) in indices {
        let text = in_row(table_rows[*at].1, result.index);
        if text.is_empty() {
            continue;
        }
        // `split_unit`'s unit, as the label's lookup (kept per thread) found it.
        let unit = shared(known::named(label, mapper).unit(label));
        let what = BodyValue::Index(*kind);
        let conversion = units::conversion(&unit, kind.dimension());
        let Some(value) = reading(&text, &unit, conversion, what, &mut doc.flags) else {
            continue;
        };
        if !comp.set_index(*kind, value) {
            flag_once(&mut doc.flags, DocFlag::BodyCompositionGivenTwice(what));
        }
    }
}

#[cfg(test)]
mod tests;
