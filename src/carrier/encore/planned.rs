//! A data line of a Total Body Comp export read by its header's plan (`plan::Plan`): each
//! cell cut and read as it is found (`cells::scan_at`), into the slot the plan resolved for
//! its column, the file's proof (the decimal mark's evidence, the dates' order) gathered on
//! the way; no row of cut cells, no match of the column's role and the file's kind per
//! cell, no search for a value's region. A plain cell in the unit its column's last value
//! was written in (nearly every cell) is read in one pass and compared with that unit
//! (`cells::known_unit_at`), its reading made from the unit and conversion the plan kept.
//! The record is `record::build`'s for the same line
//! (`encore::tests::planned::a_planned_line_is_read_as_record_build_reads_it`), which reads
//! every line the plan does not (a file read with a decimal comma, a header without a
//! plan).

use std::sync::Arc;

use super::cells::{self, MarkEvidence, Scan};
use super::column::{Column, KeptUnit};
use super::dates::{self, Ambiguous};
use super::diff;
use super::header::IDENTITY_COLUMNS;
use super::plan::{Plan, Units};
use super::record::{Context, Line, Record};
use super::run::{self, DiffReading};
use crate::bodycomp::check::Check;
use crate::bodycomp::encore_flag::EncoreFlag;
use crate::bodycomp::{BodyValue, Dimension, Field, Reading, RegionComposition};
use crate::decimal::{Decimal, trim};
use crate::flag::flag_once;
use crate::short_bytes::same_bytes;

/// What the lines prove of their file, gathered as they are read.
pub(super) struct Proof<'p> {
    /// The values' decimal mark.
    pub(super) evidence: &'p mut MarkEvidence,
    /// What the measure dates say of the file's date order (day-first, month-first).
    pub(super) date_order: &'p mut (bool, bool),
}

/// A cell of a value column: plain (`cells::plain_at`), or cut (`cells::scan_at`).
enum Value<'t> {
    /// The number read with a point, and the unit.
    Plain(Decimal, &'t str),
    /// Any other cell.
    Cut(Scan<'t>),
}

/// A value of `column` converted to its dimension's unit, as a reading: `Line::reading`'s,
/// a cell of the plain shape (nearly every one) read without `read_scan`'s tests.
#[inline(always)]
fn reading(
    line: &mut Line<'_>,
    context: &Context<'_>,
    units: &mut Units,
    (column, role): (usize, Column),
    value: &Value<'_>,
    dimension: Dimension,
    what: BodyValue,
) -> Option<Reading> {
    let plain = match value {
        Value::Plain(written, unit) => Some((*written, *unit)),
        Value::Cut(cell) => cell.with_point(),
    };
    let Some((written, unit)) = plain else {
        let Value::Cut(cell) = value else {
            unreachable!("a plain value is read above")
        };
        return line.reading(column, cell, dimension, what);
    };
    // The column's last unit when it is the same text (nearly always), without the
    // context's cell and call; else found by the context (the same text and conversion).
    let (unit, conversion) = match &units.kept[column] {
        Some(kept) if same_bytes(kept.unit.as_bytes(), unit.as_bytes()) => {
            (Arc::clone(&kept.unit), kept.conversion)
        }
        _ => {
            let found = context.column_unit(column, unit, dimension);
            units.keep(column, role, KeptUnit::new(Arc::clone(&found.0), found.1));
            found
        }
    };
    let Some(value) = conversion.and_then(|c| c.apply(written)) else {
        flag_once(&mut line.record.flags, EncoreFlag::UnitUnknown(what));
        return None;
    };
    Some(Reading {
        value,
        written,
        unit: line.composition.unit_id(&unit),
    })
}

/// A reading of a value column put where its role says: its region's slot, the line's
/// Diffs, or the composition's indices (flagged when given twice).
#[inline(always)]
fn put(
    line: &mut Line<'_>,
    regions: &mut [RegionComposition],
    diffs: &mut Vec<DiffReading>,
    role: Column,
    reading: Reading,
) {
    match role {
        Column::Value {
            slot: at, field, ..
        } => *regions[usize::from(at)].slot(field) = Some(reading),
        Column::Diff { field, halves, .. } => diffs.push((halves, field, reading)),
        Column::Index(index) => {
            if !line.composition.set_index(index, reading) {
                let what = BodyValue::Index(index);
                flag_once(&mut line.record.flags, EncoreFlag::ValueGivenTwice(what));
            }
        }
        Column::Skip | Column::Evidence => {}
    }
}

/// The cell of `line` from `start` to the next tab (or the line's end), and where the next
/// cell starts (None: it was the last).
fn cell_at(line: &str, start: usize) -> (&str, Option<usize>) {
    let tab = cells::cell_end(line.as_bytes(), start);
    (&line[start..tab], (tab < line.len()).then_some(tab + 1))
}

/// The record of the data line `text` (`number`: its line number) read by `plan`, with its
/// measure date when it is ambiguous and left for `resolve_date` (`context` reads with a
/// decimal point and defers such dates: the one pass's first reading).
pub(super) fn build(
    number: usize,
    text: &str,
    plan: &Plan,
    context: &Context<'_>,
    proof: Proof<'_>,
) -> (Record, Option<Ambiguous>) {
    let units = &mut *plan.units.borrow_mut();
    // The identity cells: the names are never read; the patient ID and the date trimmed.
    let mut identity = [""; IDENTITY_COLUMNS];
    let mut next = Some(0);
    let mut cells = 0;
    while cells < IDENTITY_COLUMNS {
        let Some(start) = next else { break };
        let (cell, after) = cell_at(text, start);
        identity[cells] = cell;
        next = after;
        cells += 1;
    }
    let [_, _, patient_id, measure_date] = identity.map(trim);
    if cells > super::header::MEASURE_DATE {
        let (day_first, month_first) = dates::date_order_evidence(measure_date);
        proof.date_order.0 |= day_first;
        proof.date_order.1 |= month_first;
    }
    let (mut line, ambiguous) = Line::new(number, patient_id, measure_date, context);
    // Where a short or long row is said: after the date's flags, before the values'.
    let row_flag_at = line.record.flags.len();
    let mut regions: Vec<RegionComposition> = plan
        .regions
        .iter()
        .map(|(region, label)| RegionComposition::with_label(*region, label.clone()))
        .collect();
    // The Diff columns' readings, checked once the line is read (`Line::check_diffs`'s
    // check, the halves found at their places in `regions`).
    let mut diffs = Vec::with_capacity(plan.diffs);
    let bytes = text.as_bytes();
    let mut column = cells;
    loop {
        if proof.evidence.point() {
            (next, column) = run::known_run(
                bytes,
                next,
                column,
                &mut units.steps,
                &mut line.composition,
                &mut regions,
                &mut diffs,
            );
        }
        let Some(&role) = plan.columns.get(column) else {
            break;
        };
        let Some(start) = next else { break };
        column += 1;
        // The column this cell is read for (`column` is the next one's).
        let column = column - 1;
        if role == Column::Skip {
            next = cell_at(text, start).1;
            continue;
        }
        // An empty cell is no value and says nothing of the decimal mark (what `scan_at`
        // and `read_scan` make of it, found at once).
        match bytes.get(start) {
            None => {
                next = None;
                continue;
            }
            Some(b'\t') => {
                next = Some(start + 1);
                continue;
            }
            Some(_) => {}
        }
        // A plain cell in its column's last unit, once the file proved a point (nearly
        // every cell): read by one pass over its bytes, the unit compared with the kept
        // one, its reading made from the kept unit and conversion (what `reading` makes of
        // it). Such a cell holds no comma: it adds nothing to the evidence.
        if proof.evidence.point()
            && role != Column::Evidence
            && let Some(kept) = &units.kept[column]
            && kept.matchable
            && let Some((written, after)) = cells::known_unit_at(bytes, start, kept.unit.as_bytes())
            && let Some(value) = kept.sorted.apply(written)
        {
            next = after;
            let reading = Reading {
                value,
                written,
                unit: line.composition.unit_id(&kept.unit),
            };
            put(&mut line, &mut regions, &mut diffs, role, reading);
            continue;
        }
        // A plain cell once the file proved a point (nearly every one) read without its
        // cut texts; any other cut and its evidence added.
        let plain = if proof.evidence.point() {
            cells::plain_at(text, start)
        } else {
            None
        };
        let value = match plain {
            Some((written, unit, after)) => {
                next = after;
                Value::Plain(written, unit)
            }
            None => {
                let (cell, after) = cells::scan_at(text, start);
                next = after;
                proof.evidence.add_scan(&cell);
                Value::Cut(cell)
            }
        };
        let (dimension, what) = match role {
            Column::Value { region, field, .. } => {
                (field.dimension(), BodyValue::Region(region, field))
            }
            Column::Diff { region, field, .. } => {
                (field.dimension(), BodyValue::Diff(region, field))
            }
            Column::Index(index) => (index.dimension(), BodyValue::Index(index)),
            Column::Skip | Column::Evidence => continue,
        };
        if let Some(reading) = reading(
            &mut line,
            context,
            units,
            (column, role),
            &value,
            dimension,
            what,
        ) {
            put(&mut line, &mut regions, &mut diffs, role, reading);
        }
    }
    let roundings = &mut *plan.roundings.borrow_mut();
    for (halves, field, diff) in &diffs {
        let Some((right, left)) = halves else {
            continue;
        };
        let get = |at: &u8| regions[usize::from(*at)].get(*field);
        let dimension = field.dimension();
        if let (Some(right), Some(left)) = (get(right), get(left))
            && diff::disagrees_within(right, left, diff, |r| {
                roundings.of(r, &line.composition.units, dimension)
            })
        {
            flag_once(
                &mut line.record.flags,
                EncoreFlag::Inconsistent(Check::Diff),
            );
        }
    }
    let cells = column;
    let columns = plan.columns.len();
    if cells < columns {
        line.record.flags.insert(row_flag_at, EncoreFlag::RowShort);
    } else if next.is_some() {
        line.record.flags.insert(row_flag_at, EncoreFlag::RowLong);
    }
    regions.retain(|region| Field::ALL.iter().any(|f| region.get(*f).is_some()));
    line.composition.regions = regions;
    (line.finish(), ambiguous)
}
