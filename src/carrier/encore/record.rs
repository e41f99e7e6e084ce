//! One data line of an export into a record: the patient ID, the measure date, and the
//! values its header names, every unit converted (docs/clinical.md, "Body composition").
//! The two name columns are skipped, never read. `Diff` columns are checked against the
//! halves they are the difference of (Right - Left), then dropped.

use std::cell::RefCell;
use std::sync::Arc;

use super::cells::{self, Cell, DecimalMark, Scan};
use super::dates::{Ambiguous, measure_date};
use super::header::{MEASURE_DATE, PATIENT_ID, Role};
use crate::bodycomp::BodyValue;
use crate::bodycomp::check::Check;
use crate::bodycomp::encore_flag::EncoreFlag;
use crate::bodycomp::units::{Conversion, bone_unit_known, conversion};
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, Dimension, Field, PART_NOTE, Places, Reading,
};
use crate::date::Date;
use crate::date::text::DateOrder;
use crate::decimal::Decimal;
use crate::document::{DocFlag, Measurement, RowTable, set_value};
use crate::flag::flag_once;
use crate::profile::BodyField;
use crate::short_bytes::same_bytes;
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

/// The file's kind, from what its columns hold.
pub(super) fn kind(roles: &[Role]) -> Option<ExportKind> {
    let any = |test: &dyn Fn(&Role) -> bool| roles.iter().any(test);
    if any(&|r| matches!(r, Role::Value { field: BodyField::Value(f), .. } if *f != Field::Bmc)) {
        Some(ExportKind::Composition)
    } else if any(&|r| {
        matches!(
            r,
            Role::Value {
                field: BodyField::Bone(_),
                ..
            }
        )
    }) {
        Some(ExportKind::Bone)
    } else if any(&|r| matches!(r, Role::Index(_))) {
        Some(ExportKind::CoreScan)
    } else {
        None
    }
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
    /// Whether an ambiguous date is left for `resolve_date` (the order not yet proven).
    pub(super) defer_dates: bool,
    /// The units written so far, each kept once (`unit`).
    pub(super) units: RefCell<Vec<Arc<str>>>,
    /// Per column (one slot each, made with the context), the unit its last value was
    /// written in, shared, and how it converts (`column_unit`): a column's values repeat
    /// one unit, found and looked up once.
    pub(super) columns: RefCell<Vec<Option<ColumnUnit>>>,
    /// The unit a column's first value was last found in, its dimension and conversion.
    last_unit: RefCell<Option<LastUnit>>,
}

/// The unit a column's first value was last found in (`Context::column_unit`), the
/// dimension it was looked up for, and its conversion.
struct LastUnit {
    unit: Arc<str>,
    dimension: Dimension,
    conversion: Option<Conversion>,
}

/// A column's last unit: as written (shared), and its conversion (None: not one the
/// column's dimension knows).
pub(super) struct ColumnUnit {
    unit: Arc<str>,
    conversion: Option<Conversion>,
}

/// Most distinct units kept for sharing (a file writes a handful: lbs, %, in³).
const SHARED_UNITS: usize = 16;

impl<'a> Context<'a> {
    /// The context of a file's lines, no unit seen yet.
    pub(super) fn new(
        roles: &'a [Role],
        kind: ExportKind,
        mark: DecimalMark,
        order: Option<DateOrder>,
        defer_dates: bool,
    ) -> Self {
        Context {
            roles,
            kind,
            mark,
            order,
            defer_dates,
            units: Default::default(),
            columns: RefCell::new(roles.iter().map(|_| None).collect()),
            last_unit: RefCell::new(None),
        }
    }

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
    pub(super) fn column_unit(
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
            && same_bytes(last.unit.as_bytes(), written.as_bytes())
        {
            return (Arc::clone(&last.unit), last.conversion);
        }
        // A column's first value: most often in the unit of the column before it (a file
        // writes `lbs` in dozens of columns, then `%`), found and looked up once for them.
        let mut last = self.last_unit.borrow_mut();
        let (unit, conversion) = match &*last {
            Some(last)
                if last.dimension == dimension
                    && same_bytes(last.unit.as_bytes(), written.as_bytes()) =>
            {
                (Arc::clone(&last.unit), last.conversion)
            }
            _ => {
                let found = (self.unit(written), conversion(written, dimension));
                *last = Some(LastUnit {
                    unit: Arc::clone(&found.0),
                    dimension,
                    conversion: found.1,
                });
                found
            }
        };
        *slot = Some(ColumnUnit {
            unit: Arc::clone(&unit),
            conversion,
        });
        (unit, conversion)
    }
}

/// What one line gives as it is read.
pub(super) struct Line<'a> {
    pub(super) record: Record,
    pub(super) composition: BodyComposition,
    /// Where the composition's regions are (`BodyComposition::set_placed`).
    places: Places,
    rows: RowTable,
    diffs: Vec<(BodyRegion, Field, Reading)>,
    context: &'a Context<'a>,
}

/// A cell's number and unit, flagged when it is not one.
fn number<'t>(
    text: &Scan<'t>,
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
    pub(super) fn reading(
        &mut self,
        column: usize,
        text: &Scan<'_>,
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
            unit: self.composition.unit_id(&unit),
        })
    }

    fn composition(
        &mut self,
        column: usize,
        text: &Scan<'_>,
        region: BodyRegion,
        field: Field,
        label: &str,
    ) {
        let what = BodyValue::Region(region, field);
        if let Some(reading) = self.reading(column, text, field.dimension(), what)
            && !self
                .composition
                .set_placed(&mut self.places, region, label, field, reading)
        {
            flag_once(&mut self.record.flags, EncoreFlag::ValueGivenTwice(what));
        }
    }

    fn bone(&mut self, text: &Scan<'_>, region: BodyRegion, measure: Measure, label: &str) {
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

    fn cell(&mut self, column: usize, text: &Scan<'_>) {
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
            // The regions are in `BodyRegion` order (`BodyComposition`): a binary search.
            let regions = &self.composition.regions;
            let get = |region| {
                let at = regions.binary_search_by(|r| r.region.cmp(&region)).ok()?;
                regions[at].get(*field)
            };
            let (Some(right), Some(left)) = (get(right), get(left)) else {
                continue;
            };
            let units = &self.composition.units;
            if super::diff::disagrees(right, left, diff, *field, units) {
                flag_once(
                    &mut self.record.flags,
                    EncoreFlag::Inconsistent(Check::Diff),
                );
            }
        }
    }
}

/// The record of one data line (`number`: its line number), and its measure date when it
/// is ambiguous and left for `resolve_date`.
pub(super) fn build(
    number: usize,
    cells: &[Scan<'_>],
    context: &Context<'_>,
) -> (Record, Option<Ambiguous>) {
    let text = |i: usize| cells.get(i).map_or("", |c| c.text);
    let (mut line, ambiguous) = Line::new(number, text(PATIENT_ID), text(MEASURE_DATE), context);
    if cells.len() < context.roles.len() {
        line.record.flags.push(EncoreFlag::RowShort);
    } else if cells.len() > context.roles.len() {
        line.record.flags.push(EncoreFlag::RowLong);
    }
    // The names (columns 0 and 1) are identity columns: never read.
    for (column, cell) in cells.iter().enumerate().take(context.roles.len()) {
        line.cell(column, cell);
    }
    (line.finish(), ambiguous)
}

impl<'a> Line<'a> {
    /// A line's reading begun: its patient ID and measure date read (the date given back
    /// when it is ambiguous and left for `resolve_date`).
    pub(super) fn new(
        number: usize,
        patient_id: &str,
        measure_date_text: &str,
        context: &'a Context<'a>,
    ) -> (Self, Option<Ambiguous>) {
        let mut flags = Vec::new();
        if patient_id.is_empty() {
            flags.push(EncoreFlag::PatientIdMissing);
        }
        let (measure_date, ambiguous) = measure_date(
            measure_date_text,
            context.order,
            context.defer_dates,
            &mut flags,
        );
        let line = Line {
            record: Record {
                line: number,
                patient_id: patient_id.to_string(),
                measure_date,
                measure_date_text: measure_date_text.to_string(),
                body_composition: None,
                measurements: Vec::new(),
                flags,
            },
            composition: BodyComposition::new(BodySource::EncoreExport),
            places: Places::default(),
            rows: RowTable::default(),
            diffs: Vec::new(),
            context,
        };
        (line, ambiguous)
    }

    /// The record, its Diff columns checked.
    pub(super) fn finish(mut self) -> Record {
        self.check_diffs();
        let mut record = self.record;
        record.measurements = self.rows.into_sorted();
        if !self.composition.is_empty() {
            record.body_composition = Some(self.composition);
        }
        record
    }
}
