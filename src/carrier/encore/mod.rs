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
//! Two passes over the file's text, decoded once (no larger than the file's bytes): the
//! first reads what the file proves of itself (its decimal mark, the order of its slashed
//! dates: docs/profiles.md, "Dates"), the second gives the records one at a time
//! (`read_each`), so that a large export's records are never all in memory. The first pass
//! cuts each cell once (trimmed, its number part and unit) and keeps the cuts for the
//! second while they are few (`KEPT_CELLS`); the second reads the numbers. The header
//! line's roles are cached per worker thread (`header::header`): an export set and a
//! site's exports repeat a few header lines.

mod cells;
mod documents;
mod header;
mod record;
mod text;

use crate::date::text::proven_order;
use crate::error::{FileError, Reason};
use crate::flag::flag_once;
use crate::profile::{BodyField, Mapper};
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

/// The file's kind, from what its columns hold.
fn kind(roles: &[Role]) -> Option<ExportKind> {
    let any = |test: &dyn Fn(&Role) -> bool| roles.iter().any(test);
    if any(
        &|r| matches!(r, Role::Value { field: BodyField::Value(f), .. } if *f != crate::bodycomp::Field::Bmc),
    ) {
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

/// Most cells the first pass keeps cut for the second (48 bytes each: 3 MiB); a larger
/// file's cells are cut again, row by row, so that its rows are never all held.
const KEPT_CELLS: usize = 1 << 16;

/// What the first pass learns of the file.
struct Proven<'t> {
    mark: cells::DecimalMark,
    order: Option<crate::date::text::DateOrder>,
    rows: usize,
    /// The data rows' cells, cut, in row order (None when more than `KEPT_CELLS`).
    kept: Option<Kept<'t>>,
}

/// The data rows' cells as the first pass cut them.
#[derive(Default)]
struct Kept<'t> {
    cells: Vec<cells::Scan<'t>>,
    /// Where each row's cells end in `cells`.
    ends: Vec<usize>,
}

/// The first pass: the decimal mark, the date order, whether there is a row; the rows'
/// cells cut once for the second pass.
fn prove<'t>(decoded: &'t Decoded, roles: &[Role], flags: &mut Vec<EncoreFlag>) -> Proven<'t> {
    let mut evidence = cells::MarkEvidence::default();
    let mut dates = Vec::new();
    let mut rows = 0;
    // Room for every data row's cells at once (the header's count each, within
    // `KEPT_CELLS`), not grown by doubling and copying.
    let rows_written = decoded.line_count().saturating_sub(1);
    let mut kept = Some(Kept {
        cells: Vec::with_capacity(rows_written.saturating_mul(roles.len()).min(KEPT_CELLS)),
        ends: Vec::with_capacity(rows_written.min(KEPT_CELLS)),
    });
    for (_, line, text) in decoded.lines().skip(1) {
        if line != Line::Text || text.trim().is_empty() {
            continue;
        }
        rows += 1;
        if rows > MAX_ROWS {
            break;
        }
        for (i, cell) in cells::tab_cells(text).enumerate() {
            let cell = cells::scan(cell);
            match roles.get(i) {
                Some(Role::Value { .. } | Role::Diff { .. } | Role::Index(_)) => {
                    evidence.add_scan(&cell)
                }
                _ if i == header::MEASURE_DATE => dates.push(cell.text),
                _ => {}
            }
            if let Some(kept) = &mut kept {
                kept.cells.push(cell);
            }
        }
        if let Some(store) = &mut kept {
            store.ends.push(store.cells.len());
            if store.cells.len() > KEPT_CELLS {
                kept = None;
            }
        }
    }
    let mark = evidence.mark().unwrap_or_else(|| {
        flag_once(flags, EncoreFlag::DecimalMarkMixed);
        cells::DecimalMark::Point
    });
    if mark == cells::DecimalMark::Comma {
        flag_once(flags, EncoreFlag::DecimalComma);
    }
    Proven {
        mark,
        order: proven_order(dates.iter().copied()),
        rows,
        kept,
    }
}

/// Reads an export, giving each record to `each` in line order; the reason when the file
/// is not an export or holds no record (then `each` is never called).
pub fn read_each(
    bytes: &[u8],
    mapper: &Mapper,
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
    if roles.contains(&Role::Unknown) {
        flag_once(&mut flags, EncoreFlag::ColumnUnknown);
    }
    let Some(kind) = kind(roles) else {
        return Err(error(
            Reason::NoMeasurements,
            "an enCORE export whose columns hold no value this reader knows",
        ));
    };
    let proven = prove(&decoded, roles, &mut flags);
    if proven.rows == 0 {
        return Err(error(
            Reason::NoMeasurements,
            "an enCORE export without a data line",
        ));
    }
    let context = record::Context {
        roles,
        kind,
        mark: proven.mark,
        order: proven.order,
        units: Default::default(),
        columns: std::cell::RefCell::new(roles.iter().map(|_| None).collect()),
    };
    let mut records = 0;
    let mut last_read = 1;
    let mut cells = Vec::new();
    // The second pass meets the same data rows in the same order as the first (the lines
    // too long are skipped by both, the blank ones too): row `records` is `kept`'s.
    let mut kept_start = 0;
    for (number, line, text) in decoded.lines().skip(1) {
        last_read = number;
        if line == Line::TooLong {
            flag_once(&mut flags, EncoreFlag::LineTooLong);
            continue;
        }
        if text.trim().is_empty() {
            continue;
        }
        if records == MAX_ROWS {
            flag_once(&mut flags, EncoreFlag::TooManyRows);
            break;
        }
        let row = match &proven.kept {
            Some(kept) => {
                let end = kept.ends[records];
                let row = &kept.cells[kept_start..end];
                kept_start = end;
                row
            }
            None => {
                cells.clear();
                cells.extend(cells::tab_cells(text).map(cells::scan));
                &cells[..]
            }
        };
        each(record::build(number, row, &context));
        records += 1;
    }
    // Damage is said for the lines read (none beyond the rows' limit).
    if decoded.first_damaged.is_some_and(|line| line <= last_read) {
        flag_once(&mut flags, EncoreFlag::TextDamaged);
    }
    Ok(Summary {
        kind,
        records,
        flags,
    })
}

#[cfg(test)]
mod tests;
