//! GE Lunar enCORE export files (docs/evidence.md, "Whole body"; docs/profiles.md, "Body
//! composition"): the tab-separated text files enCORE writes for its database's whole-body
//! exams: Total Body Comp (fat, lean, bone mineral per region), Total Body (BMD per region)
//! and CoreScan (visceral fat). One header line, then one line per exam.
//!
//! Recognised by content, whatever the file's name: its first line starts with the four
//! identity columns (`Last Name`, `First Name`, `Patient ID`, `Measure Date`). The names
//! are never read: a record holds the patient ID, the measure date, and the values. A pure
//! function: bytes in, records (or the reason there are none) out; every limit is checked
//! (the file's size, a line's length, the columns, the rows, a cell's length) and bad input
//! is a flag or a reason, never a panic.
//!
//! One pass over the file's text, decoded once (no larger than the file's bytes), cuts
//! each cell once and reads the records with a decimal point while it gathers what the
//! file proves of itself (its decimal mark, the order of its slashed dates:
//! docs/profiles.md, "Dates"); the records are held to the end of the file, where the
//! ambiguous dates are read in the proven order (`read_each`). A file that proves a
//! decimal comma is read a second time with it. The header line's roles are cached per
//! worker thread (`header::header`): an export set and a site's exports repeat a few
//! header lines. A Total Body Comp header's columns are resolved with it into a plan
//! (`plan::Plan`), by which the first reading takes each line's cells as it cuts them,
//! straight into their region and field (`planned::build`); any other line is cut into a
//! row of cells first and read by `record::build`, which the planned reading is held to
//! (`tests::planned`).

mod cells;
mod column;
mod convert;
mod dates;
mod diff;
mod documents;
mod header;
mod plan;
mod planned;
mod recent;
mod record;
mod run;
mod text;

use crate::date::text::order_of;
use crate::error::{FileError, Reason};
use crate::flag::flag_once;
use crate::profile::Mapper;
use header::Role;
use text::{Decoded, Line};

pub use crate::bodycomp::encore_flag::{EncoreFlag, EncoreFlagKind};
pub use documents::{documents, from_export};
pub use header::MAX_COLUMNS;
pub use record::{ExportKind, Record};
pub use text::{MAX_LINE_CHARS, starts_like_export};

/// Largest file read (the one public set: 85 rows, 70 KiB).
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// Most rows read; the rest are left out and flagged.
pub const MAX_ROWS: usize = 100_000;

/// What a file gave besides its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Which file.
    pub kind: ExportKind,
    /// How many records were given.
    pub records: usize,
    /// The file's flags.
    pub flags: Vec<EncoreFlag>,
}

/// A whole export read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// Which file.
    pub kind: ExportKind,
    /// Its records, in line order.
    pub records: Vec<Record>,
    /// The file's flags.
    pub flags: Vec<EncoreFlag>,
}

fn error(reason: Reason, message: &str) -> FileError {
    FileError::new(reason, message.to_string())
}

/// Whether `bytes` are an enCORE export: the first line holds the identity columns.
pub fn is_export(bytes: &[u8]) -> bool {
    starts_like_export(bytes)
}

/// Reads a whole export.
pub fn read(bytes: &[u8], mapper: &Mapper) -> Result<Export, FileError> {
    let mut records = Vec::new();
    let summary = read_each(bytes, mapper, |record| records.push(record))?;
    Ok(Export {
        kind: summary.kind,
        records,
        flags: summary.flags,
    })
}

/// What one pass over the data lines gives: the records, and what the lines prove of the
/// file (its decimal mark's evidence, its measure dates).
struct Pass {
    records: Vec<Record>,
    /// The records whose measure date waits for the file's proven order, and that date.
    deferred: Vec<(usize, dates::Ambiguous)>,
    evidence: cells::MarkEvidence,
    /// What the measure dates say of the file's date order (day-first, month-first:
    /// `date::text::order_evidence`).
    date_order: (bool, bool),
    /// The lines' flags (too long, too many rows), in the order met.
    flags: Vec<EncoreFlag>,
    /// The number of the last line read (damage is said for the lines read).
    last_read: usize,
}

/// Reads every data line of `decoded` with `context` (at most `MAX_ROWS` records), cutting
/// each cell once, and gathers the file's proof as it goes: the values' decimal mark
/// evidence and the measure dates.
///
/// With a `plan` (the header's, and `context` reading with a decimal point and deferring
/// ambiguous dates: the first reading), each line is read by it (`planned::build`), else
/// by `record::build` from the line's cut cells.
fn pass(decoded: &Decoded, context: &record::Context<'_>, plan: Option<&plan::Plan>) -> Pass {
    let roles = context.roles;
    let mut out = Pass {
        // Room for every data line's record at once, not grown by doubling and copying.
        records: Vec::with_capacity(decoded.line_count().saturating_sub(1).min(MAX_ROWS)),
        deferred: Vec::new(),
        evidence: cells::MarkEvidence::default(),
        date_order: (false, false),
        flags: Vec::new(),
        last_read: 1,
    };
    let mut row = Vec::with_capacity(roles.len());
    for (number, line, text) in decoded.lines().skip(1) {
        out.last_read = number;
        if line == Line::TooLong {
            flag_once(&mut out.flags, EncoreFlag::LineTooLong);
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        if out.records.len() == MAX_ROWS {
            flag_once(&mut out.flags, EncoreFlag::TooManyRows);
            break;
        }
        if let Some(plan) = plan {
            let proof = planned::Proof {
                evidence: &mut out.evidence,
                date_order: &mut out.date_order,
            };
            let (record, ambiguous) = planned::build(number, text, plan, context, proof);
            if let Some(ambiguous) = ambiguous {
                out.deferred.push((out.records.len(), ambiguous));
            }
            out.records.push(record);
            continue;
        }
        row.clear();
        for (i, cell) in cells::tab_cells(text).enumerate() {
            let cell = cells::scan(cell);
            match roles.get(i) {
                Some(Role::Value { .. } | Role::Diff { .. } | Role::Index(_)) => {
                    out.evidence.add_scan(&cell)
                }
                _ if i == header::MEASURE_DATE => {
                    let (day_first, month_first) = dates::date_order_evidence(cell.text);
                    out.date_order.0 |= day_first;
                    out.date_order.1 |= month_first;
                }
                _ => {}
            }
            row.push(cell);
        }
        let (record, ambiguous) = record::build(number, &row, context);
        if let Some(ambiguous) = ambiguous {
            out.deferred.push((out.records.len(), ambiguous));
        }
        out.records.push(record);
    }
    out
}

/// Reads an export, giving each record to `each` in line order; the reason when the file
/// is not an export or holds no record (then `each` is never called).
///
/// One pass over the data lines reads the records with a decimal point (the public form,
/// and what a file without a comma's evidence is read with) while it gathers what the file
/// proves of itself (docs/profiles.md, "Dates"): the records wait until the last line, then
/// their ambiguous measure dates are read in the order the file proves
/// (`dates::resolve_date`). A file that proves a decimal comma is read again with it.
pub fn read_each(
    bytes: &[u8],
    mapper: &Mapper,
    each: impl FnMut(Record),
) -> Result<Summary, FileError> {
    read_each_planned(bytes, mapper, true, each)
}

/// `read_each`, its lines read by the header's plan when it has one and `planned` (else, as
/// the tests' reference, by `record::build` from cut cells).
fn read_each_planned(
    bytes: &[u8],
    mapper: &Mapper,
    planned: bool,
    mut each: impl FnMut(Record),
) -> Result<Summary, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::new(
            Reason::TooLarge,
            format!(
                "enCORE export of {} bytes: more than the {MAX_FILE_BYTES} accepted",
                bytes.len()
            ),
        ));
    }
    let decoded = Decoded::new(bytes);
    let not_export = "not a GE enCORE export: its first line is not Last Name, First Name, \
                      Patient ID, Measure Date";
    let header = match decoded.lines().next() {
        Some((_, Line::Text, text)) => header::header(text, mapper),
        Some((_, Line::TooLong, _)) => {
            return Err(error(
                Reason::Malformed,
                "enCORE export header line too long",
            ));
        }
        None => return Err(error(Reason::NotDicom, not_export)),
    };
    if !header.identity {
        return Err(error(Reason::NotDicom, not_export));
    }
    if header.columns > MAX_COLUMNS {
        return Err(FileError::new(
            Reason::Malformed,
            format!(
                "enCORE export of {} columns: more than {MAX_COLUMNS}",
                header.columns
            ),
        ));
    }
    let mut flags = Vec::new();
    let roles = &header.roles;
    if header.duplicate {
        flag_once(&mut flags, EncoreFlag::ColumnDuplicate);
    }
    if header.unknown {
        flag_once(&mut flags, EncoreFlag::ColumnUnknown);
    }
    let Some(kind) = record::kind(roles) else {
        return Err(error(
            Reason::NoMeasurements,
            "an enCORE export whose columns hold no value this reader knows",
        ));
    };
    let mut context = record::Context::new(roles, kind, cells::DecimalMark::Point, None, true);
    let plan = if planned { plan::of(&header) } else { None };
    let first = pass(&decoded, &context, plan.as_deref());
    if first.records.is_empty() {
        return Err(error(
            Reason::NoMeasurements,
            "an enCORE export without a data line",
        ));
    }
    let mark = first.evidence.mark().unwrap_or_else(|| {
        flag_once(&mut flags, EncoreFlag::DecimalMarkMixed);
        cells::DecimalMark::Point
    });
    let order = order_of(first.date_order);
    let mut records = first.records;
    if mark == cells::DecimalMark::Comma {
        flag_once(&mut flags, EncoreFlag::DecimalComma);
        // Read with a point, the values are not the file's: read again, the proof known.
        context = record::Context::new(roles, kind, mark, order, false);
        records = pass(&decoded, &context, None).records;
    } else {
        for &(at, ambiguous) in &first.deferred {
            let record = &mut records[at];
            dates::resolve_date(
                &mut record.measure_date,
                &mut record.flags,
                ambiguous,
                order,
            );
        }
    }
    for flag in first.flags {
        flag_once(&mut flags, flag);
    }
    // Damage is said for the lines read (none beyond the rows' limit).
    if decoded
        .first_damaged
        .is_some_and(|line| line <= first.last_read)
    {
        flag_once(&mut flags, EncoreFlag::TextDamaged);
    }
    let count = records.len();
    records.into_iter().for_each(&mut each);
    Ok(Summary {
        kind,
        records: count,
        flags,
    })
}

#[cfg(test)]
mod tests;
