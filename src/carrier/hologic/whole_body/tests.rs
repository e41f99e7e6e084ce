use super::*;
use crate::carrier::hologic::script;

fn mapper() -> Mapper {
    crate::profile::load(&[]).expect("built-ins")
}

fn read_text(text: &str) -> (Document, RowTable, BTreeSet<u32>) {
    let mut doc = Document::default();
    let mut rows = RowTable::default();
    let claimed = read(&script::read(text), &mapper(), &mut doc, &mut rows);
    (doc, rows, claimed)
}

#[test]
fn other_sites_tables_are_not_whole_body() {
    // A hip's results summary: a BMD column, but no row only a whole body has.
    let hip = "TableType1 = 1;\n\
        TableColumnTypes1[ 0] = 1; ResultsTable1[ 0][ 0] = \"Region\";\n\
        TableColumnTypes1[ 1] = 3; ResultsTable1[ 0][ 1] = \"BMD[g/cm2]\";\n\
        TableRowTypes1[ 1] = 10; ResultsTable1[ 1][ 0] = \"Neck\"; ResultsTable1[ 1][ 1] = \"0.585\";\n\
        TableRowTypes1[ 2] = 3; ResultsTable1[ 2][ 0] = \"Total\"; ResultsTable1[ 2][ 1] = \"0.708\";\n";
    let (doc, rows, claimed) = read_text(hip);
    assert!(claimed.is_empty());
    assert!(rows.into_sorted().is_empty());
    assert_eq!(doc.body_composition, None);
    assert!(doc.flags.is_empty(), "{:?}", doc.flags);
}

#[test]
fn a_composition_column_without_a_region_row_is_not_read() {
    let text = "ResultsTable3[ 0][ 0] = \"Region\"; ResultsTable3[ 0][ 1] = \"% Fat\";\n\
        ResultsTable3[ 1][ 0] = \"Elbow\"; ResultsTable3[ 1][ 1] = \"30.0\";\n";
    let (doc, _, claimed) = read_text(text);
    assert!(claimed.is_empty());
    assert_eq!(doc.body_composition, None);
}

#[test]
fn a_composition_table_alone_is_read_whatever_its_type() {
    let text = "TableType4 = 77;\n\
        ResultsTable4[ 0][ 0] = \"Region\"; ResultsTable4[ 0][ 1] = \"Fat Mass (g)\"; \
        ResultsTable4[ 0][ 2] = \"% Fat\"; ResultsTable4[ 0][ 3] = \"Shoe size\";\n\
        ResultsTable4[ 1][ 0] = \"Head\"; ResultsTable4[ 1][ 1] = \"1002\"; \
        ResultsTable4[ 1][ 2] = \"21.7\";\n\
        ResultsTable4[ 2][ 0] = \"Elbow\"; ResultsTable4[ 2][ 1] = \"99\";\n";
    let (doc, _, claimed) = read_text(text);
    assert_eq!(claimed.into_iter().collect::<Vec<_>>(), [4]);
    let comp = doc.body_composition.expect("read");
    let head = comp.region(BodyRegion::Head).expect("head");
    assert_eq!(
        head.fat.as_ref().map(|r| r.value.to_string()).as_deref(),
        Some("1002")
    );
    assert_eq!(head.fat.as_ref().map(|r| comp.unit(r)), Some("g"));
    assert_eq!(
        head.fat_pct
            .as_ref()
            .map(|r| r.value.to_string())
            .as_deref(),
        Some("21.7")
    );
    assert_eq!(
        doc.flags,
        [
            DocFlag::BodyCompositionReadByLabel,
            DocFlag::BodyCompositionColumnUnknown,
            DocFlag::BodyCompositionRowUnknown
        ]
    );
}

#[test]
fn an_index_table_without_a_result_column_is_flagged() {
    let text = "ResultsTable5[ 0][ 0] = \"Measure\"; ResultsTable5[ 0][ 1] = \"Value\";\n\
        ResultsTable5[ 1][ 0] = \"Lean/Height² (kg/m²)\"; ResultsTable5[ 1][ 1] = \"15.2\";\n";
    let (doc, _, claimed) = read_text(text);
    assert_eq!(claimed.len(), 1);
    assert_eq!(doc.body_composition, None);
    assert!(
        doc.flags
            .contains(&DocFlag::BodyCompositionResultColumnMissing),
        "{:?}",
        doc.flags
    );
}

/// A cell as `Table::cell` gives it (HTML removed, trimmed), found by a search of the
/// whole table: what `in_row` finds among a row's cells.
fn cell<'a>(table: &'a Table<'_>, row: u32, column: u32) -> Cow<'a, str> {
    shown(table.cells.get(&(row, column)))
}

/// A cell found among its row's cells (`in_row`) is the cell `cell` finds, over generated
/// tables with cells missing, repeated, and holding HTML.
#[test]
fn a_cell_in_its_row_is_the_cell() {
    let mut next = crate::test_rng::splitmix(0x00CE_1105);
    let values = ["1.5", " 2 ", "<sup>2</sup>x", "a&amp;b", ""];
    for case in 0..500 {
        let mut text = String::new();
        for _ in 0..next() % 40 {
            let (row, column) = (next() % 6, next() % 5);
            let value = values[(next() % values.len() as u64) as usize];
            text.push_str(&format!(
                "ResultsTable1[ {row}][ {column}] = \"{value}\";\n"
            ));
        }
        let script = script::read(&text);
        let Some(table) = script.tables.get(&1) else {
            continue;
        };
        for row in 0..7 {
            let cells = table.cells.row(row);
            // Every column, and every other: a cursor asked for ascending columns.
            let (mut every, mut other) = (RowCursor::new(cells), RowCursor::new(cells));
            for column in 0..6 {
                let found = cell(table, row, column);
                assert_eq!(
                    in_row(cells, column),
                    found,
                    "case {case} ({row}, {column}): {text}"
                );
                assert_eq!(
                    every.get(column),
                    found,
                    "case {case} ({row}, {column}): {text}"
                );
                if column % 2 == 1 {
                    assert_eq!(other.get(column), found, "case {case} ({row}, {column})");
                }
            }
        }
    }
}

/// A table's rows with their cells (`rows_with_cells`, cut in one pass) are its rows
/// (`Table::rows`) with each one's cells (`Cells::row`), over generated tables with cells
/// written in any order, repeated, and with and without row types.
#[test]
fn a_tables_rows_with_cells_are_its_rows_and_their_cells() {
    let mut next = crate::test_rng::splitmix(0x0000_20C5);
    let mut read = 0;
    for case in 0..2_000 {
        let mut text = String::new();
        for _ in 0..next() % 40 {
            let (row, column) = (next() % 7, next() % 5);
            text.push_str(&format!(
                "ResultsTable1[ {row}][ {column}] = \"v{case}\";\r\n"
            ));
        }
        if next() % 3 == 0 {
            text.push_str(&format!("TableRowTypes1[ {}] = 7;\n", next() % 9));
        }
        let script = script::read(&text);
        let Some(table) = script.tables.get(&1) else {
            continue;
        };
        let expected: Vec<_> = table
            .rows()
            .into_iter()
            .map(|row| (row, table.cells.row(row)))
            .collect();
        assert_eq!(rows_with_cells(table), expected, "case {case}: {text}");
        read += 1;
    }
    assert!(read > 1_500, "{read}");
}

#[test]
fn a_tables_kept_plan_is_the_plan_made() {
    // Tables of few headers, row labels, types and values, so that many share a plan, and
    // many differ from one kept only in a label, a type or where a cell is.
    let headers = [
        "Region",
        "Fat[(g)]",
        "Lean+BMC[(g)]",
        "% Fat[(%)]",
        "BMD[g/cm<sup><small>2</small></sup>]",
        "BMC[(g)]",
        "Result",
        "T-<br>score",
        "Area[cm<sup><small>2</small></sup>]",
        "Total Mass[(kg)]",
        "BMD[mg/cm2]",
        "",
        "unknown",
    ];
    let labels = [
        "L Arm",
        "R Arm",
        "Trunk",
        "Head",
        "Total",
        "Ribs",
        "Android (A)",
        "Est. VAT Mass (g)",
        "Fat Mass/Height<sup>2</sup> (kg/m<sup>2</sup>)",
        "Elbow",
        "",
        " L Leg ",
    ];
    let values = ["1.0", "30.5", "x", "", "1 234"];
    let mapper = mapper();
    let mut next = crate::test_rng::splitmix(0x0091_A4B0);
    let mut shared = 0;
    let (mut keys, mut same_keys): (Vec<(Vec<u8>, u32)>, usize) = (Vec::new(), 0);
    let mut before = String::new();
    for _ in 0..3_000 {
        // A third of the tables are the one before with other values (as the next report
        // image writes it, unless a value was in the label column).
        if !before.is_empty() && next() % 3 == 0 {
            let text = before.replace("30.5", "1.0").replace("1 234", "x");
            assert_plans(&text, &mapper, &mut keys, &mut same_keys, &mut shared);
            continue;
        }
        let mut text = String::new();
        let columns = 1 + next() % 4;
        for column in 0..columns {
            let header = headers[(next() % headers.len() as u64) as usize];
            text.push_str(&format!("ResultsTable1[ 0][ {column}] = \"{header}\";\n"));
            if next() % 4 == 0 {
                let code = next() % 12;
                text.push_str(&format!("TableColumnTypes1[ {column}] = {code};\n"));
            }
        }
        for row in 1..1 + next() % 5 {
            if next() % 6 == 0 {
                let code = next() % 12;
                text.push_str(&format!("TableRowTypes1[ {row}] = {code};\n"));
            }
            for column in 0..columns {
                if next() % 8 == 0 {
                    continue;
                }
                let cell = if column == 0 || next() % 6 == 0 {
                    labels[(next() % labels.len() as u64) as usize]
                } else {
                    values[(next() % values.len() as u64) as usize]
                };
                text.push_str(&format!("ResultsTable1[ {row}][ {column}] = \"{cell}\";\n"));
            }
        }
        assert_plans(&text, &mapper, &mut keys, &mut same_keys, &mut shared);
        before = text;
    }
    // Whole-body tables among them: the plans compared are not all of nothing.
    assert!(shared > 100, "{shared}");
    assert!(same_keys > 100, "{same_keys}");
}

/// The plan of each table of `text` is the plan made, and kept; its key is compared with
/// the keys written before (`keys`, the last 64) as the table is written, and is one of
/// them exactly when it is written the same.
fn assert_plans(
    text: &str,
    mapper: &Mapper,
    keys: &mut Vec<(Vec<u8>, u32)>,
    same_keys: &mut usize,
    shared: &mut usize,
) {
    let script = script::read(text);
    for table in script.tables.values() {
        let rows_of_table = rows_with_cells(table);
        let kept = plan::of(1, table, &rows_of_table, mapper);
        assert_eq!(*kept, plan::make(table, &rows_of_table, mapper), "{text}");
        // A bone column's unit, known or not, as `units::bone_unit_known` finds it.
        for column in &kept.columns {
            if let Some(measure) = bone_measure(column) {
                let known = crate::bodycomp::units::bone_unit_known(measure, &column.unit);
                assert_eq!(column.bone_unit_known, known, "{text}");
            }
        }
        let again = plan::of(1, table, &rows_of_table, mapper);
        assert!(std::rc::Rc::ptr_eq(&kept, &again), "{text}");
        *shared += usize::from(kept.kind.is_some());
        // A key written before is this table's, compared as the table is written,
        // exactly when it is the key this table writes.
        let (key, label_column) = plan::key_of(table, &rows_of_table, mapper);
        for (before, before_label_column) in keys.iter() {
            let same = plan::is_key_of(before, table, &rows_of_table, *before_label_column);
            assert_eq!(same, *before == key, "{text}");
            *same_keys += usize::from(same);
        }
        assert!(plan::is_key_of(&key, table, &rows_of_table, label_column));
        if keys.len() == 64 {
            keys.remove(0);
        }
        keys.push((key, label_column));
    }
}
