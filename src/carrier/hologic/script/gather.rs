//! The statements gathered into the script's tables and values while the document is
//! read (`super::read`): a results document's some 300 statements are nearly all cells of
//! a few tables, written one after another (docs/performance.md, "Body composition files").

use super::line::Statement;
use super::{MAX_CELLS, MAX_TABLE, Script, Table, plain_text, table_name};
use crate::document::DocFlag;

/// The tables while the statements are read: each number's table found through its slot
/// (no tree search per statement: a document's cells are most of its statements, docs/
/// performance.md, "Body composition files"), put in the script's tree once at the end.
pub(super) struct Tables<'t> {
    /// Per table number, its place in `list` plus one (0: no table yet).
    slot: [u8; MAX_TABLE as usize + 1],
    list: Vec<(u32, Table<'t>)>,
}

impl<'t> Tables<'t> {
    pub(super) fn new() -> Self {
        Tables {
            slot: [0; MAX_TABLE as usize + 1],
            list: Vec::new(),
        }
    }

    /// Into `script`, each table's cells in order.
    pub(super) fn finish(self, script: &mut Script<'t>) {
        for (number, mut table) in self.list {
            table.cells.finish();
            script.tables.insert(number, table);
        }
    }

    /// The table `number` (at most `MAX_TABLE`), made when it is new.
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
pub(super) struct LastName<'t> {
    pub(super) name: &'t str,
    pub(super) table: Option<(Part, u32)>,
}

impl<'t> LastName<'t> {
    pub(super) fn new(name: &'t str) -> Self {
        let table = table_name(name).map(|(prefix, number)| {
            let part = match prefix {
                "ResultsTable" => Part::Cell,
                "TableColumnTypes" => Part::ColumnType,
                "TableRowTypes" => Part::RowType,
                "TableType" => Part::Type,
                _ => Part::Title,
            };
            (part, number)
        });
        LastName { name, table }
    }
}

/// What a table statement gives, by its name's prefix (`table_name`), matched once per
/// name and not as text per statement.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// `ResultsTable`.
    Cell,
    /// `TableColumnTypes`.
    ColumnType,
    /// `TableRowTypes`.
    RowType,
    /// `TableType`.
    Type,
    /// `TableTitle`.
    Title,
}

/// Stores a statement; `table` is what its name names (`LastName::new`).
pub(super) fn store<'t>(
    script: &mut Script<'t>,
    tables: &mut Tables<'t>,
    table: Option<(Part, u32)>,
    statement: Statement<'t>,
    cells: &mut usize,
) {
    let Some((prefix, number)) = table else {
        if statement.count == 0 {
            script
                .values
                .entry(statement.name)
                .or_insert(statement.value);
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
        (Part::Cell, &[row, column]) => {
            if table.cells.sorted.is_empty() {
                // A whole-body table has some 100 cells: fewer copies as the list grows.
                table.cells.sorted.reserve(64);
            }
            table.cells.sorted.push(((row, column), statement.value));
        }
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
