//! The document read into statements, gathered into the script's tables and values: a
//! results document's some 300 statements are nearly all cells of a few tables, written
//! one after another (docs/performance.md, "Body composition files").

use std::borrow::Cow;

use super::line::{self, MAX_CELL, MAX_INDEX, Statement};
use super::text::trim;
use super::{
    MAX_CELLS, MAX_TABLE, Part, Script, Table, find_byte, index_number, plain_text, table_name,
};
use crate::document::DocFlag;

/// The tables while the statements are read: each number's table found through its slot
/// (no tree search per statement: a document's cells are most of its statements, docs/
/// performance.md, "Body composition files"), put in the script's tree once at the end.
struct Tables<'t> {
    /// Per table number, its place in `list` plus one (0: no table yet).
    slot: [u8; MAX_TABLE as usize + 1],
    list: Vec<(u32, Table<'t>)>,
}

impl<'t> Tables<'t> {
    fn new() -> Self {
        Tables {
            slot: [0; MAX_TABLE as usize + 1],
            list: Vec::new(),
        }
    }

    /// Into `script`, each table's cells in order.
    fn finish(self, script: &mut Script<'t>) {
        for (number, mut table) in self.list {
            table.cells.finish();
            script.tables.insert(number, table);
        }
    }

    /// The table `number` (at most `MAX_TABLE`), made when it is new.
    #[inline(always)]
    fn get(&mut self, number: u32) -> &mut Table<'t> {
        let slot = &mut self.slot[number as usize];
        if *slot == 0 {
            self.list.push((number, Table::default()));
            // At most 64 tables: the place fits a byte.
            *slot = self.list.len() as u8;
        }
        &mut self.list[usize::from(*slot) - 1].1
    }
}

/// The last statement's name and what `table_name` made of it: APEX writes a table's cells
/// one after another (`ResultsTable1[ 1][ 0]`, `ResultsTable1[ 1][ 1]`...), so a name is
/// nearly always the one before, matched by its bytes and not read again.
#[derive(Clone, Copy)]
struct LastName<'t> {
    name: &'t str,
    table: Option<(Part, u32)>,
}

impl<'t> LastName<'t> {
    fn new(name: &'t str) -> Self {
        LastName {
            name,
            table: table_name(name),
        }
    }
}

/// Stores a statement; `table` is what its name names (`LastName::new`).
fn store<'t>(
    script: &mut Script<'t>,
    tables: &mut Tables<'t>,
    table: Option<(Part, u32)>,
    statement: Statement<'t>,
    cells: &mut usize,
) {
    let Some((prefix, number)) = table else {
        if statement.count == 0 {
            script.values.push(statement.name, statement.value);
        }
        return;
    };
    if number == 0 || number > MAX_TABLE {
        script.flag(DocFlag::HologicIndexOutOfRange);
        return;
    }
    *cells += 1;
    if *cells > MAX_CELLS {
        script.flag(DocFlag::HologicTooManyCells);
        return;
    }
    let table = tables.get(number);
    let code = || statement.value.trim().parse::<u32>().ok();
    match (prefix, statement.indexes()) {
        (Part::Cell, &[row, column]) => table.cells.push((row, column), statement.value),
        (Part::ColumnType, &[column]) => {
            if let Some(code) = code() {
                table.column_types.entry(column).or_insert(code);
            }
        }
        (Part::RowType, &[row]) => {
            if let Some(code) = code() {
                table.row_types.entry(row).or_insert(code);
            }
        }
        (Part::Type, []) => table.table_type = table.table_type.or(code()),
        (Part::Title, []) if table.title.is_empty() => table.title = plain_text(&statement.value),
        _ => {}
    }
}

/// Reads the document's statements.
pub fn read(text: &str) -> Script<'_> {
    let mut script = Script::default();
    let mut tables = Tables::new();
    let mut last = LastName::new("");
    let mut cells = 0usize;
    let mut open_files = 0i32;
    // One line's statement ends, the buffer kept from line to line.
    let mut ends: Vec<usize> = Vec::new();
    let mut at = 0;
    // The lines as `str::lines` cuts them (each is trimmed, which removes a `\r`), each
    // scanned once for its end and its statements' ends.
    while at < text.len() {
        let line_start = at;
        // A cell of the table of the statement before (nearly every line), stored as
        // `store` stores it.
        if let Some((Part::Cell, number)) = last.table
            && (1..=MAX_TABLE).contains(&number)
        {
            // The table's cells one line after another, its table and name found once for
            // the run, each line first as APEX writes it (`apex_cell`).
            let (bytes, name) = (text.as_bytes(), last.name.as_bytes());
            let apex = line::CellName::new(name);
            let table = tables.get(number);
            let mut read_any = false;
            while at < text.len() {
                let cell = match apex.and_then(|apex| line::apex_cell(bytes, at, &apex)) {
                    Some(cell) => cell,
                    None => match line::cell_line(bytes, at, name) {
                        Some(cell) => cell,
                        None => break,
                    },
                };
                read_any = true;
                at = cell.end + 1;
                cells += 1;
                if cells > MAX_CELLS {
                    script.flag(DocFlag::HologicTooManyCells);
                    continue;
                }
                let value = Cow::Borrowed(&text[cell.value.0..cell.value.1]);
                table.cells.push((cell.row, cell.column), value);
            }
            // The line after the last cell is read below (at the text's end: nothing left).
            if read_any {
                continue;
            }
        }
        // A section's tag or a comment line (`<JavaScriptFile ...>`, `/ Filename = ...`),
        // cut at its line feed (where `scan_line` ends a line) and taken as the general
        // path below takes it, without its scan for statements.
        if matches!(text.as_bytes()[at], b'<' | b'/') {
            let end = line::line_feed(text.as_bytes(), at).unwrap_or(text.len());
            let line = &text[at..end];
            if line.starts_with("<JavaScriptFile") {
                open_files += 1;
            } else if line.starts_with("</JavaScriptFile") {
                open_files -= 1;
            }
            at = end + 1;
            continue;
        }
        // A line of one plain statement (nearly every line of a document) read in one
        // pass; any other line by the general path below.
        if let Some((statement, end, same_name)) = line::one_statement(text, at, last.name) {
            at = end + 1;
            if !same_name {
                last = LastName::new(statement.name);
            }
            store(&mut script, &mut tables, last.table, statement, &mut cells);
            continue;
        }
        let scan = scan_line(text.as_bytes(), at, &mut ends);
        at = scan.end + 1;
        let line = trim(&text[line_start..scan.end]);
        if line.starts_with("<JavaScriptFile") {
            open_files += 1;
            continue;
        }
        if line.starts_with("</JavaScriptFile") {
            open_files -= 1;
            continue;
        }
        // Each JavaScriptFile section opens with `/ Filename = C:\QDR\...\X.js` and `//
        // Written By HologicDICOMControl` (docs/evidence.md, "Round two"): comments, not
        // statements (no name starts with `/`), never a statement cut short.
        if line.starts_with('<') || line.starts_with('/') || line.is_empty() {
            continue;
        }
        // A quote left open, or a statement without its `;` (the last line of a document
        // cut short).
        if scan.quoted || !trim(&text[scan.rest..scan.end]).is_empty() {
            script.flag(DocFlag::HologicDocumentCutShort);
        }
        let mut start = line_start;
        for &end in &ends {
            let statement = &text[start..end];
            start = end + 1;
            let Some(statement) = parse_statement(statement, &mut script) else {
                continue;
            };
            let value = &statement.value;
            if value.len() > MAX_CELL && value.chars().count() > MAX_CELL {
                script.flag(DocFlag::HologicCellTooLong);
                continue;
            }
            if statement.name != last.name {
                last = LastName::new(statement.name);
            }
            store(&mut script, &mut tables, last.table, statement, &mut cells);
        }
    }
    if open_files != 0 {
        script.flag(DocFlag::HologicDocumentCutShort);
    }
    tables.finish(&mut script);
    script
}

/// What one pass over a line found.
struct LineScan {
    /// Where the line ends (its `\n`, or the end of the text).
    end: usize,
    /// Where the text after the last statement starts.
    rest: usize,
    /// Whether a quote was left open.
    quoted: bool,
}

/// Which bytes the line scan stops at.
const STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    stops[b'\n' as usize] = true;
    stops[b'\\' as usize] = true;
    stops[b'"' as usize] = true;
    stops[b';' as usize] = true;
    stops
};

/// Scans the line from `from`: its end, and into `ends` the `;` that end its statements
/// (outside quotes, where a backslash escapes the next byte). The bytes looked for are
/// ASCII, which no byte of a longer character equals.
fn scan_line(bytes: &[u8], from: usize, ends: &mut Vec<usize>) -> LineScan {
    ends.clear();
    let (mut at, mut quoted) = (from, false);
    while at < bytes.len() {
        let byte = bytes[at];
        if !STOPS[usize::from(byte)] {
            at += 1;
            continue;
        }
        match byte {
            b'\n' => break,
            // The escaped byte is skipped, unless it ends the line.
            b'\\' if quoted && bytes.get(at + 1).is_some_and(|b| *b != b'\n') => at += 1,
            b'"' => quoted = !quoted,
            b';' if !quoted => ends.push(at),
            _ => {}
        }
        at += 1;
    }
    LineScan {
        end: at,
        rest: ends.last().map_or(from, |end| end + 1),
        quoted,
    }
}

/// `Name[ i][ j] = "value"` into its parts; None (flagged) when it is not an assignment.
fn parse_statement<'t>(statement: &'t str, script: &mut Script<'_>) -> Option<Statement<'t>> {
    let equals = find_byte(statement, b'=', 0)?;
    let (left, right) = (trim(&statement[..equals]), &statement[equals + 1..]);
    let name_end = find_byte(left, b'[', 0).unwrap_or(left.len());
    let name = trim(&left[..name_end]);
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return None;
    }
    let mut out = Statement {
        name,
        indexes: [0; 2],
        count: 0,
        value: Cow::Borrowed(""),
    };
    let mut from = name_end;
    while let Some(open) = find_byte(left, b'[', from) {
        let close = find_byte(left, b']', open)?;
        let digits = trim(&left[open + 1..close]);
        let index = match index_number(digits) {
            Some(n) if n <= u64::from(MAX_INDEX) => n as u32,
            _ => {
                script.flag(DocFlag::HologicIndexOutOfRange);
                return None;
            }
        };
        // A third index: no statement of a results document has one.
        let slot = out.indexes.get_mut(out.count)?;
        *slot = index;
        out.count += 1;
        from = close + 1;
    }
    let right = trim(right);
    out.value = match right.strip_prefix('"') {
        Some(quoted) => {
            let body = quoted.strip_suffix('"')?;
            if body.as_bytes().contains(&b'\\') {
                Cow::Owned(body.replace("\\\"", "\"").replace("\\\\", "\\"))
            } else {
                Cow::Borrowed(body)
            }
        }
        None => Cow::Borrowed(right),
    };
    Some(out)
}
