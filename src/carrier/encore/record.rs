//! One data line of an export into a record: the patient ID, the measure date, and the
//! values its header names, every unit converted (docs/clinical.md, "Body composition").
//! The two name columns are skipped, never read. `Diff` columns are checked against the
//! halves they are the difference of (Right - Left), then dropped.

use std::cell::RefCell;
use std::sync::Arc;

use super::cells::{self, Cell, DecimalMark, Scan};
use super::header::{MEASURE_DATE, PATIENT_ID, Role};
use crate::bodycomp::BodyValue;
use crate::bodycomp::check::Check;
use crate::bodycomp::encore_flag::EncoreFlag;
use crate::bodycomp::units::{Conversion, bone_unit_known, conversion};
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, Dimension, Field, PART_NOTE, Reading,
};
use crate::date::Date;
use crate::date::text::{DateOrder, DateText, read_date, read_in_order};
use crate::decimal::Decimal;
use crate::document::{DocFlag, Measurement, RowTable, set_value};
use crate::flag::flag_once;
use crate::profile::BodyField;
use crate::vocabulary::{Measure, Region};

/// Which of the three files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Total Body Comp: regions' fat, lean, bone mineral, masses, %fat.
    Composition,
    /// Total Body: regions' BMD, BMC, area, T- and Z-scores.
    Bone,
    /// CoreScan: visceral adipose tissue mass and volume.
    CoreScan,
}

impl ExportKind {
    /// The text of the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Composition => "encore_total_body_comp",
            ExportKind::Bone => "encore_total_body",
            ExportKind::CoreScan => "encore_core_scan",
        }
    }
}

/// One exam of an export: one data line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The line it was read from (the header is line 1).
    pub line: usize,
    /// Patient ID as written (trimmed).
    pub patient_id: String,
    /// The measure date (`MM/DD/YYYY`, read in the order the file proves when day and
    /// month are both 12 or less; never guessed).
    pub measure_date: Option<Date>,
    /// The measure date as written.
    pub measure_date_text: String,
    /// The composition (Total Body Comp, CoreScan).
    pub body_composition: Option<BodyComposition>,
    /// The BMD rows (Total Body): the whole body, the whole body less the head (TBLH), the
    /// parts as `other`.
    pub measurements: Vec<Measurement>,
    /// What was left out or disagreed, and why.
    pub flags: Vec<EncoreFlag>,
}

/// What every line of a file is read with.
pub(super) struct Context<'a> {
    /// The columns' roles.
    pub(super) roles: &'a [Role],
    /// Which file.
    pub(super) kind: ExportKind,
    /// The file's decimal mark.
    pub(super) mark: DecimalMark,
    /// The order the file's slashed dates prove.
    pub(super) order: Option<DateOrder>,
    /// The units written so far, each kept once (`unit`).
    pub(super) units: RefCell<Vec<Arc<str>>>,
    /// Per column (one slot each, made with the context), the unit its last value was
    /// written in, shared, and how it converts (`column_unit`): a column's values repeat
    /// one unit, found and looked up once.
    pub(super) columns: RefCell<Vec<Option<ColumnUnit>>>,
}

/// A column's last unit: as written (shared), and its conversion (None: not one the
/// column's dimension knows).
pub(super) struct ColumnUnit {
    unit: Arc<str>,
    conversion: Option<Conversion>,
}

/// Most distinct units kept for sharing (a file writes a handful: lbs, %, in³).
const SHARED_UNITS: usize = 16;

impl Context<'_> {
    /// The unit as written, one copy per file shared by its values.
    fn unit(&self, written: &str) -> Arc<str> {
        let mut units = self.units.borrow_mut();
        if let Some(unit) = units.iter().find(|u| ***u == *written) {
            return Arc::clone(unit);
        }
        let unit: Arc<str> = written.into();
        if units.len() < SHARED_UNITS {
            units.push(Arc::clone(&unit));
        }
        unit
    }

    /// The unit `written` in `column` (whose values are of `dimension`), shared, and its
    /// conversion: the column's last one when it is the same text, else found and kept.
    fn column_unit(
        &self,
        column: usize,
        written: &str,
        dimension: Dimension,
    ) -> (Arc<str>, Option<Conversion>) {
        let mut columns = self.columns.borrow_mut();
        // One slot per column (made with the context); a column beyond them is not shared.
        let Some(slot) = columns.get_mut(column) else {
            drop(columns);
            return (self.unit(written), conversion(written, dimension));
        };
        if let Some(last) = slot
            && *last.unit == *written
        {
            return (Arc::clone(&last.unit), last.conversion);
        }
        let unit = self.unit(written);
        let conversion = conversion(written, dimension);
        *slot = Some(ColumnUnit {
            unit: Arc::clone(&unit),
            conversion,
        });
        (unit, conversion)
    }
}

/// What one line gives as it is read.
struct Line<'a> {
    record: Record,
    composition: BodyComposition,
    rows: RowTable,
    diffs: Vec<(BodyRegion, Field, Reading)>,
    context: &'a Context<'a>,
}

/// A cell's number and unit, flagged when it is not one.
fn number<'t>(
    text: Scan<'t>,
    mark: DecimalMark,
    what: BodyValue,
    flags: &mut Vec<EncoreFlag>,
) -> Option<(Decimal, &'t str)> {
    match cells::read_scan(text, mark) {
        Cell::Empty => None,
        Cell::Number(value, unit) => Some((value, unit)),
        Cell::Unreadable => {
            flag_once(flags, EncoreFlag::ValueUnreadable(what));
            None
        }
    }
}

impl Line<'_> {
    /// A value of `column` converted to its dimension's unit, as a reading.
    fn reading(
        &mut self,
        column: usize,
        text: Scan<'_>,
        dimension: Dimension,
        what: BodyValue,
    ) -> Option<Reading> {
        let flags = &mut self.record.flags;
        let (written, unit) = number(text, self.context.mark, what, flags)?;
        let (unit, conversion) = self.context.column_unit(column, unit, dimension);
        let Some(value) = conversion.and_then(|c| c.apply(written)) else {
            flag_once(flags, EncoreFlag::UnitUnknown(what));
            return None;
        };
        Some(Reading {
            value,
            written,
            unit,
        })
    }

    fn composition(
        &mut self,
        column: usize,
        text: Scan<'_>,
        region: BodyRegion,
        field: Field,
        label: &str,
    ) {
        let what = BodyValue::Region(region, field);
        if let Some(reading) = self.reading(column, text, field.dimension(), what)
            && !self.composition.set(region, label, field, reading)
        {
            flag_once(&mut self.record.flags, EncoreFlag::ValueGivenTwice(what));
        }
    }

    fn bone(&mut self, text: Scan<'_>, region: BodyRegion, measure: Measure, label: &str) {
        let what = BodyValue::Bone(measure);
        let flags = &mut self.record.flags;
        let Some((value, unit)) = number(text, self.context.mark, what, flags) else {
            return;
        };
        if !bone_unit_known(measure, unit) {
            flag_once(flags, EncoreFlag::UnitUnknown(what));
            return;
        }
        let measurement_region = region.measurement_region();
        let Some(row) = self
            .rows
            .row(measurement_region, region.laterality(), label)
        else {
            return;
        };
        if measurement_region == Region::Other && !row.notes.iter().any(|n| n == PART_NOTE) {
            row.notes.push(PART_NOTE.to_string());
        }
        let mut given_twice = Vec::new();
        set_value(row, measure, value, &mut given_twice);
        for flag in given_twice {
            if let DocFlag::GivenTwice(measure, site) = flag {
                flag_once(flags, EncoreFlag::BoneGivenTwice(measure, site));
            }
        }
    }

    fn cell(&mut self, column: usize, text: Scan<'_>) {
        let context = self.context;
        match (&context.roles[column], context.kind) {
            (
                Role::Value {
                    region,
                    field: BodyField::Value(field),
                    label,
                },
                ExportKind::Composition,
            ) => self.composition(column, text, *region, *field, label),
            (
                Role::Value {
                    region,
                    field: BodyField::Bone(measure),
                    label,
                },
                ExportKind::Bone,
            ) => self.bone(text, *region, *measure, label),
            (
                Role::Value {
                    region,
                    field: BodyField::Value(Field::Bmc),
                    label,
                },
                ExportKind::Bone,
            ) => self.bone(text, *region, Measure::Bmc, label),
            (
                Role::Diff {
                    region,
                    field: BodyField::Value(field),
                },
                ExportKind::Composition,
            ) => {
                let what = BodyValue::Diff(*region, *field);
                if let Some(reading) = self.reading(column, text, field.dimension(), what) {
                    self.diffs.push((*region, *field, reading));
                }
            }
            (Role::Index(index), _) => {
                let what = BodyValue::Index(*index);
                if let Some(reading) = self.reading(column, text, index.dimension(), what)
                    && !self.composition.set_index(*index, reading)
                {
                    flag_once(&mut self.record.flags, EncoreFlag::ValueGivenTwice(what));
                }
            }
            _ => {}
        }
    }

    /// Right - Left against each Diff, within the three values' rounding.
    fn check_diffs(&mut self) {
        for (whole, field, diff) in &self.diffs {
            let Some((right, left)) = whole.halves() else {
                continue;
            };
            let get = |region| self.composition.region(region).and_then(|r| r.get(*field));
            let (Some(right), Some(left)) = (get(right), get(left)) else {
                continue;
            };
            let Some(difference) = right
                .value
                .checked_sub(left.value)
                .and_then(|d| d.checked_sub(diff.value))
            else {
                continue;
            };
            // No difference is within any rounding: the allowance is not worked out.
            if difference.to_parts().0 == 0 {
                continue;
            }
            let dimension = field.dimension();
            let allowed = [right, left, diff]
                .iter()
                .try_fold(Decimal::from_parts(0, 0).expect("zero"), |sum, r| {
                    sum.checked_add(r.rounding(dimension))
                });
            if let Some(allowed) = allowed {
                let zero = Decimal::from_parts(0, 0).expect("zero");
                let magnitude = if difference < zero {
                    zero.checked_sub(difference).unwrap_or(difference)
                } else {
                    difference
                };
                if magnitude > allowed {
                    flag_once(
                        &mut self.record.flags,
                        EncoreFlag::Inconsistent(Check::Diff),
                    );
                }
            }
        }
    }
}

/// The measure date: unambiguous, or read in the order the file proves; flagged when it
/// cannot be read. A time after the date (`03/19/2024 10:22`) is not read.
fn measure_date(text: &str, order: Option<DateOrder>, flags: &mut Vec<EncoreFlag>) -> Option<Date> {
    let text = text.split_whitespace().next().unwrap_or("");
    match read_date(text) {
        DateText::Known(date) => Some(date),
        DateText::Ambiguous { .. } => {
            let date = read_in_order(text, order);
            flags.push(if date.is_some() {
                EncoreFlag::MeasureDateOrderInferred
            } else {
                EncoreFlag::MeasureDateAmbiguous
            });
            date
        }
        DateText::Unreadable => {
            flags.push(EncoreFlag::MeasureDateUnreadable);
            None
        }
    }
}

/// The record of one data line (`number`: its line number).
pub(super) fn build(number: usize, cells: &[Scan<'_>], context: &Context<'_>) -> Record {
    let text = |i: usize| cells.get(i).map_or("", |c| c.text);
    let mut flags = Vec::new();
    let patient_id = text(PATIENT_ID).to_string();
    if patient_id.is_empty() {
        flags.push(EncoreFlag::PatientIdMissing);
    }
    let measure_date_text = text(MEASURE_DATE).to_string();
    let measure_date = measure_date(&measure_date_text, context.order, &mut flags);
    if cells.len() < context.roles.len() {
        flags.push(EncoreFlag::RowShort);
    } else if cells.len() > context.roles.len() {
        flags.push(EncoreFlag::RowLong);
    }
    let mut line = Line {
        record: Record {
            line: number,
            patient_id,
            measure_date,
            measure_date_text,
            body_composition: None,
            measurements: Vec::new(),
            flags,
        },
        composition: BodyComposition::new(BodySource::EncoreExport),
        rows: RowTable::default(),
        diffs: Vec::new(),
        context,
    };
    // The names (columns 0 and 1) are identity columns: never read.
    for (column, cell) in cells.iter().enumerate().take(context.roles.len()) {
        line.cell(column, *cell);
    }
    line.check_diffs();
    let mut record = line.record;
    record.measurements = line.rows.into_sorted();
    if !line.composition.is_empty() {
        record.body_composition = Some(line.composition);
    }
    record
}
