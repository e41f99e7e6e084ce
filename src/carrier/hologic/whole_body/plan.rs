//! A whole-body table's plan: its columns (what each holds, its unit), the rows it reads
//! (a region, an index, each with its label) and what the table is, kept per worker thread
//! by what decides them as written (the column and row types, the header's cells, the
//! rows and their label cells): every report image repeats the same few tables, so per
//! document only the numbers are left to read (docs/performance.md, "Body composition
//! files").

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use std::sync::Arc;

use super::known;
use crate::bodycomp::shared::shared;
use crate::bodycomp::{BodyRegion, Field, IndexKind, units};
use crate::carrier::hologic::script::{MAX_TABLE, Table, shown};
use crate::profile::{BodyField, Mapper};
use crate::short_bytes::same_bytes;
use crate::vocabulary::Measure;

/// An index row: its place in the table's rows, the index, and the unit its label carries
/// (`Est. VAT Mass (g)`: `split_unit`'s) with that unit's conversion.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct IndexRow {
    pub at: usize,
    pub kind: IndexKind,
    pub unit: Arc<str>,
    pub conversion: Option<units::Conversion>,
}

/// What a table's header and row labels decide.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Plan {
    /// The columns a profile knows (`columns`).
    pub columns: Vec<Column>,
    /// The region rows: each row's place in the table's rows, its region and label.
    pub regions: Vec<(usize, BodyRegion, Box<str>)>,
    /// The index rows.
    pub indices: Vec<IndexRow>,
    /// What the table is, if whole-body.
    pub kind: Option<Kind>,
    /// A column or row was known by its label.
    pub by_label: bool,
    /// A column with a header was not known.
    pub unknown_column: bool,
    /// A row was neither a region nor an index.
    pub unknown_row: bool,
}

/// The plan of `table` (its rows with their cells: `rows_with_cells`), worked out.
pub(super) fn make(table: &Table, rows_of_table: &[(u32, RowCells)], mapper: &Mapper) -> Plan {
    let labels = mapper.body_labels();
    let label_of = |label: &str| known::named(label, mapper);
    let mut found = Found::default();
    let columns = columns(table, mapper, &mut found);
    let label_column = label_column(&columns);
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
    let kind = kind(&columns, &regions, &indices);
    let unknown_row = rows_of_table.len() > regions.len() + indices.len();
    Plan {
        regions: regions
            .into_iter()
            .map(|(at, region, label)| (at, region, label.into()))
            .collect(),
        indices: indices
            .into_iter()
            .map(|(at, kind, label)| {
                let unit = shared(named_row(at, label).unit(label));
                IndexRow {
                    at,
                    kind,
                    conversion: units::conversion(&unit, kind.dimension()),
                    unit,
                }
            })
            .collect(),
        columns,
        kind,
        by_label: found.by_label,
        unknown_column: found.unknown_column,
        unknown_row,
    }
}

/// The column of the rows' labels.
fn label_column(columns: &[Column]) -> u32 {
    columns
        .iter()
        .find(|c| c.field == BodyField::Label)
        .map_or(0, |c| c.index)
}

/// Tables kept per thread: a document's few tables, and their variants.
const MOST_KEPT: usize = 64;

/// Plans kept by the bytes that decide them (`write_header`, then `write_rows`) with the
/// label column their rows were written by, and the label column of a header (by the
/// header's bytes alone); per table number, the place of the plan it had last.
struct Kept {
    mapper: u64,
    key: Vec<u8>,
    label_columns: Vec<(Box<[u8]>, u32)>,
    plans: Vec<(Box<[u8]>, PlanRows)>,
    last: [usize; MAX_TABLE as usize + 1],
}

/// A plan, and the label column its table's rows were written into its key by.
type PlanRows = (u32, Rc<Plan>);

thread_local! {
    static KEPT: RefCell<Kept> = const {
        RefCell::new(Kept {
            mapper: 0,
            key: Vec::new(),
            label_columns: Vec::new(),
            plans: Vec::new(),
            last: [usize::MAX; MAX_TABLE as usize + 1],
        })
    };
}

/// `make`'s plan of `table` (number `number`): from this thread's plans when a table with
/// the same types, header, rows and row labels as written was planned before with the
/// same mapper. A report image's tables are nearly always those of the image before:
/// the plan this number had last is compared with the table as written first, without
/// writing the table's key (docs/performance.md, "Body composition files").
pub(super) fn of(
    number: u32,
    table: &Table,
    rows_of_table: &[(u32, RowCells)],
    mapper: &Mapper,
) -> Rc<Plan> {
    KEPT.with_borrow_mut(|kept| {
        if kept.mapper != mapper.id() {
            kept.mapper = mapper.id();
            kept.label_columns.clear();
            kept.plans.clear();
        }
        let last = kept.last.get_mut(number as usize);
        if let Some((key, (label_column, plan))) = last.and_then(|last| kept.plans.get(*last))
            && is_key_of(key, table, rows_of_table, *label_column)
        {
            return Rc::clone(plan);
        }
        let mut key = std::mem::take(&mut kept.key);
        key.clear();
        write_header(table, &mut key);
        let (_, label_column) = kept_or_made(&mut kept.label_columns, &key, || {
            label_column(&columns(table, mapper, &mut Found::default()))
        });
        write_rows(rows_of_table, label_column, &mut key);
        let (at, (_, plan)) = kept_or_made(&mut kept.plans, &key, || {
            (label_column, Rc::new(make(table, rows_of_table, mapper)))
        });
        if let Some(last) = kept.last.get_mut(number as usize) {
            *last = at;
        }
        kept.key = key;
        plan
    })
}

/// Whether `key` is the key `table` writes (`write_header`, then `write_rows` by
/// `label_column`, the label column of the header `key` was written from): compared
/// part by part as the table is written, not written out.
pub(super) fn is_key_of(
    key: &[u8],
    table: &Table,
    rows_of_table: &[(u32, RowCells)],
    label_column: u32,
) -> bool {
    let mut same = SameKey {
        key,
        at: 0,
        same: true,
    };
    write_header(table, &mut same);
    // Another header may have another label column: the rows are compared only after
    // the same header.
    same.same && {
        write_rows(rows_of_table, label_column, &mut same);
        same.same && same.at == key.len()
    }
}

/// The key `of` writes for `table`, and the label column its rows are written by.
#[cfg(test)]
pub(super) fn key_of(
    table: &Table,
    rows_of_table: &[(u32, RowCells)],
    mapper: &Mapper,
) -> (Vec<u8>, u32) {
    let mut key = Vec::new();
    write_header(table, &mut key);
    let label_column = label_column(&columns(table, mapper, &mut Found::default()));
    write_rows(rows_of_table, label_column, &mut key);
    (key, label_column)
}

/// The value kept under `key`, else `make`'s, kept (the list emptied when it holds
/// `MOST_KEPT`); with its place in the list.
fn kept_or_made<V: Clone>(
    kept: &mut Vec<(Box<[u8]>, V)>,
    key: &[u8],
    make: impl FnOnce() -> V,
) -> (usize, V) {
    if let Some(at) = kept.iter().position(|(k, _)| **k == *key) {
        return (at, kept[at].1.clone());
    }
    let value = make();
    if kept.len() >= MOST_KEPT {
        kept.clear();
    }
    kept.push((key.into(), value.clone()));
    (kept.len() - 1, value)
}

/// One column: its index, what it holds and the unit as written.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Column {
    pub index: u32,
    pub field: BodyField,
    pub unit: Arc<str>,
    /// Whether a bone measure's unit is known (`units::bone_unit_known`), found once.
    pub bone_unit_known: bool,
}

/// What a table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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

/// One row's cells (`Cells::row`).
pub(super) type RowCells<'a, 't> = &'a [((u32, u32), Cow<'t, str>)];

/// A cell of a row's cells (`Cells::row`), as `shown` gives it.
pub(super) fn in_row<'a>(row: &'a [((u32, u32), Cow<'_, str>)], column: u32) -> Cow<'a, str> {
    shown(
        row.iter()
            .find(|((_, c), _)| *c == column)
            .map(|(_, raw)| raw),
    )
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
            Some(field) => {
                let bone_unit_known = match field {
                    BodyField::Bone(measure) => units::bone_unit_known(measure, &header.unit),
                    BodyField::Value(Field::Bmc) => {
                        units::bone_unit_known(Measure::Bmc, &header.unit)
                    }
                    _ => false,
                };
                out.push(Column {
                    index,
                    field,
                    unit: header.unit,
                    bone_unit_known,
                })
            }
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

/// Where a table's key goes: written out (`Vec<u8>`), or compared with one written
/// before (`SameKey`).
trait Key {
    /// Bytes of the key.
    fn bytes(&mut self, bytes: &[u8]);
}

impl Key for Vec<u8> {
    fn bytes(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A key compared with `key` as it is written: `same` while every byte so far is `key`'s.
struct SameKey<'k> {
    key: &'k [u8],
    at: usize,
    same: bool,
}

impl Key for SameKey<'_> {
    #[inline]
    fn bytes(&mut self, bytes: &[u8]) {
        if self.same {
            self.same = self
                .key
                .get(self.at..self.at + bytes.len())
                .is_some_and(|key| same_bytes(key, bytes));
            self.at += bytes.len();
        }
    }
}

/// A number into a key.
fn write_number(number: u32, key: &mut impl Key) {
    key.bytes(&number.to_le_bytes());
}

/// A text into a key, its length first (no two texts' keys run into each other).
fn write_text(text: &str, key: &mut impl Key) {
    write_number(text.len() as u32, key);
    key.bytes(text.as_bytes());
}

/// What decides the columns: the column and row types and the header's cells, as written.
fn write_header(table: &Table, key: &mut impl Key) {
    write_number(table.column_types.len() as u32, key);
    for (column, code) in &table.column_types {
        write_number(*column, key);
        write_number(*code, key);
    }
    write_number(table.row_types.len() as u32, key);
    for (row, code) in &table.row_types {
        write_number(*row, key);
        write_number(*code, key);
    }
    let header = table.cells.row(0);
    write_number(header.len() as u32, key);
    for ((_, column), raw) in header {
        write_number(*column, key);
        write_text(raw, key);
    }
}

/// What decides the rows read, after the header: the rows and their label cells as written.
fn write_rows(rows_of_table: &[(u32, RowCells)], label_column: u32, key: &mut impl Key) {
    write_number(rows_of_table.len() as u32, key);
    for (row, cells) in rows_of_table {
        write_number(*row, key);
        match cells.iter().find(|((_, c), _)| *c == label_column) {
            Some((_, raw)) => {
                key.bytes(&[1]);
                write_text(raw, key);
            }
            None => key.bytes(&[0]),
        }
    }
}
