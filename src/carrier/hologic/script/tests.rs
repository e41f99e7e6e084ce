use super::text::trim;
use super::*;

const DOC: &str = "<HologicHeader1> <Institution>X</Institution> </HologicHeader1>
<JavaScriptFile, filetype=1, filename=\"C:\\QDR\\PatInfo.js\">
PatientSex = \"Female\"; MenopauseAge = \"44\";
Height = \" \";
</JavaScriptFile>
<JavaScriptFile, filetype=3, filename=\"C:\\QDR\\Results.js\">
TableType1 = 1;
TableTitle1 = \"Results Summary:\";
TableColumnTypes1[ 3] = 3;  ResultsTable1[ 0][ 3] = \"BMD[g/cm<sup><small>2</small></sup>]\";
TableRowTypes1[ 1] = 10;    ResultsTable1[ 1][ 0] = \"Neck\";   ResultsTable1[ 1][ 3] = \"0.585\";
</JavaScriptFile>
";

#[test]
fn statements_and_tables() {
    let script = read(DOC);
    assert_eq!(script.value("MenopauseAge"), Some("44"));
    assert_eq!(script.value("PatientSex"), Some("Female"));
    assert_eq!(script.value("Height"), None, "a blank value is absent");
    let table = &script.tables[&1];
    assert_eq!(table.table_type, Some(1));
    assert_eq!(table.title, "Results Summary:");
    assert_eq!(table.cell(0, 3), "BMD[g/cm2]");
    assert_eq!(plain_text("< 1.0%"), "< 1.0%", "a bound is not a tag");
    assert_eq!(plain_text("<0.1%<br>x"), "<0.1%x");
    assert_eq!(plain_text(" a&nbsp;&amp; <b>b</b>&lt;&gt; "), "a & b<>");
    assert_eq!(table.cell(1, 3), "0.585");
    assert_eq!(table.row_types[&1], 10);
    assert_eq!(table.rows(), [1]);
    assert!(script.flags.is_empty(), "{:?}", script.flags);
}

#[test]
fn comment_lines_are_skipped() {
    let with_comments = DOC.replace(
        "PatInfo.js\">\n",
        "PatInfo.js\">\n/ Filename = C:\\QDR\\PatInfo.js\n// Written By HologicDICOMControl\n",
    );
    assert_ne!(with_comments, DOC);
    let script = read(&with_comments);
    assert!(script.flags.is_empty(), "{:?}", script.flags);
    assert_eq!(script.value("MenopauseAge"), Some("44"));
}

#[test]
fn bounds_and_damage_are_flagged() {
    let cut = &DOC[..DOC.find("0.585").unwrap() + 3];
    let script = read(cut);
    assert!(script.flags.contains(&DocFlag::HologicDocumentCutShort));
    assert_eq!(
        script.tables[&1].cell(1, 3),
        "",
        "the cut value is not taken"
    );

    let huge = "ResultsTable1[ 2147483648][ 0] = \"x\";\nResultsTable1[ 1][ 0] = \"Neck\";";
    let script = read(huge);
    assert!(script.flags.contains(&DocFlag::HologicIndexOutOfRange));
    assert_eq!(script.tables[&1].cell(1, 0), "Neck");

    let long = format!("ResultsTable1[ 1][ 3] = \"{}\";", "9".repeat(10_000));
    let script = read(&long);
    assert!(script.flags.contains(&DocFlag::HologicCellTooLong));
    assert!(script.tables.is_empty());

    let mut flags = Vec::new();
    assert_eq!(decode(b"Sm\xf6rg\xe5s\0", &mut flags), "Smörgås");
    assert!(flags.is_empty());
    decode(b"bad \x85 byte", &mut flags);
    assert_eq!(flags, [DocFlag::HologicDocumentNotLatin1]);
}

/// The statement reader of c29aa58 (lines cut by `str::lines`, statements by a second
/// pass, owned names and values): the one-pass reader must read every text as it did.
mod reference {
    use super::super::{MAX_CELL, MAX_INDEX, Part, table_name};
    use crate::document::DocFlag;
    use std::collections::BTreeMap;

    type Cells = BTreeMap<(u32, u32), String>;
    pub type Read = (
        BTreeMap<String, String>,
        BTreeMap<u32, (Option<u32>, String, Vec<(u32, u32)>, Vec<(u32, u32)>, Cells)>,
        Vec<DocFlag>,
    );

    pub fn read(text: &str) -> Read {
        let mut out: Read = Default::default();
        let mut open_files = 0i32;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("<JavaScriptFile") {
                open_files += 1;
                continue;
            }
            if line.starts_with("</JavaScriptFile") {
                open_files -= 1;
                continue;
            }
            if line.starts_with('<') || line.starts_with('/') || line.is_empty() {
                continue;
            }
            let mut statements = Vec::new();
            let (mut start, mut quoted, mut escaped) = (0usize, false, false);
            for (at, c) in line.bytes().enumerate() {
                match c {
                    _ if escaped => escaped = false,
                    b'\\' if quoted => escaped = true,
                    b'"' => quoted = !quoted,
                    b';' if !quoted => {
                        statements.push(&line[start..at]);
                        start = at + 1;
                    }
                    _ => {}
                }
            }
            if quoted || !line[start..].trim().is_empty() {
                crate::flag::flag_once(&mut out.2, DocFlag::HologicDocumentCutShort);
            }
            for statement in statements {
                if let Some((name, indexes, value)) = parse(statement, &mut out.2) {
                    if value.len() > MAX_CELL && value.chars().count() > MAX_CELL {
                        crate::flag::flag_once(&mut out.2, DocFlag::HologicCellTooLong);
                        continue;
                    }
                    store(&mut out, &name, &indexes, value);
                }
            }
        }
        if open_files != 0 {
            crate::flag::flag_once(&mut out.2, DocFlag::HologicDocumentCutShort);
        }
        out
    }

    fn parse(statement: &str, flags: &mut Vec<DocFlag>) -> Option<(String, Vec<u32>, String)> {
        let (left, right) = statement.split_once('=')?;
        let left = left.trim();
        let name_end = left.find('[').unwrap_or(left.len());
        let name = left[..name_end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        let mut indexes = Vec::new();
        let mut rest = &left[name_end..];
        while let Some(open) = rest.find('[') {
            let close = rest[open..].find(']')? + open;
            match rest[open + 1..close].trim().parse::<u64>() {
                Ok(n) if n <= u64::from(MAX_INDEX) => indexes.push(n as u32),
                _ => {
                    crate::flag::flag_once(flags, DocFlag::HologicIndexOutOfRange);
                    return None;
                }
            }
            rest = &rest[close + 1..];
            if indexes.len() > 2 {
                return None;
            }
        }
        let right = right.trim();
        let value = match right.strip_prefix('"') {
            Some(quoted) => quoted
                .strip_suffix('"')?
                .replace("\\\"", "\"")
                .replace("\\\\", "\\"),
            None => right.to_string(),
        };
        Some((name.to_string(), indexes, value))
    }

    fn store(out: &mut Read, name: &str, indexes: &[u32], value: String) {
        let Some((prefix, number)) = table_name(name) else {
            if indexes.is_empty() {
                out.0.entry(name.to_string()).or_insert(value);
            }
            return;
        };
        if number == 0 || number > super::super::MAX_TABLE {
            crate::flag::flag_once(&mut out.2, DocFlag::HologicIndexOutOfRange);
            return;
        }
        let table = out.1.entry(number).or_default();
        let code = || value.trim().parse::<u32>().ok();
        let first = |pairs: &mut Vec<(u32, u32)>, key: u32, code: Option<u32>| {
            if let Some(code) = code
                && !pairs.iter().any(|(k, _)| *k == key)
            {
                pairs.push((key, code));
                pairs.sort_unstable();
            }
        };
        match (prefix, indexes) {
            (Part::Cell, [row, column]) => {
                table.4.entry((*row, *column)).or_insert(value);
            }
            (Part::ColumnType, [column]) => first(&mut table.2, *column, code()),
            (Part::RowType, [row]) => first(&mut table.3, *row, code()),
            (Part::Type, []) => table.0 = table.0.or(code()),
            (Part::Title, []) if table.1.is_empty() => table.1 = super::super::plain_text(&value),
            _ => {}
        }
    }
}

/// The one-pass reader's result in the reference's shape.
fn as_reference(script: &Script<'_>) -> reference::Read {
    let values = script
        .values
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let tables = script
        .tables
        .iter()
        .map(|(number, table)| {
            let pairs = |map: &BTreeMap<u32, u32>| map.iter().map(|(k, v)| (*k, *v)).collect();
            let cells = table
                .cells
                .iter()
                .map(|(key, value)| (*key, value.to_string()))
                .collect();
            let parts = (
                table.table_type,
                table.title.clone(),
                pairs(&table.column_types),
                pairs(&table.row_types),
                cells,
            );
            (*number, parts)
        })
        .collect();
    (values, tables, script.flags.clone())
}

#[test]
fn trim_is_str_trim() {
    for text in [
        "",
        " ",
        "a",
        " a ",
        "\t a\r",
        "\u{b}x\u{c}",
        "\u{a0}x",
        "x\u{a0}",
        " \u{a0} x \u{2003}",
        "é",
        " é ",
        "\u{85}",
    ] {
        assert_eq!(trim(text), text.trim(), "{text:?}");
    }
    for digits in [
        "0",
        "7",
        "42",
        "512",
        "999",
        "+1",
        "-1",
        "",
        "1a",
        "00012",
        "18446744073709551616",
    ] {
        assert_eq!(
            index_number(digits),
            digits.parse::<u64>().ok(),
            "{digits:?}"
        );
    }
}

#[test]
fn every_text_is_read_as_the_reference_reads_it() {
    // Documents from the pieces statements are made of, and the damage they come with:
    // quotes, escapes, `;` and `=` inside quotes, brackets, huge and bare indexes, CR,
    // Latin-1 spaces, comment and section lines.
    const PIECES: &[&str] = &[
        "ResultsTable1",
        "ResultsTable2",
        "ResultsTable65",
        "TableType1",
        "TableTitle2",
        "TableRowTypes1",
        "TableColumnTypes2",
        "PatientSex",
        "Name_2",
        "[ 1]",
        "[2]",
        "[ 0]",
        "[ 999]",
        "[x]",
        "[",
        "]",
        " = ",
        "=",
        "\"",
        "\\",
        "\\\"",
        ";",
        "; ",
        "\"a;b\"",
        "\"<sup>2</sup>&amp;\"",
        " ",
        "\u{a0}",
        "\u{b}",
        "\r",
        "\n",
        "\r\n",
        "é",
        "12",
        "0.585",
        "<JavaScriptFile, filetype=1>\n",
        "</JavaScriptFile>\n",
        "/ Filename = C:\\x\n",
        "ResultsTable1[ 1][ 3] = \"0.585\";\n",
        "TableRowTypes1[ 1] = 10;\n",
        // Whole lines of one statement, as the one-pass path reads them, and lines just
        // off that shape, which the general path reads.
        "ResultsTable2[ 3][ 4] = \"33.6\";\r\n",
        " \tTableTitle1 = \"Body <sup>x</sup>\" ;\t\n",
        "ResultsTable1[512][0]=\"a;b=c\";\n",
        "ResultsTable1[ 513][ 0] = \"x\";\n",
        "ResultsTable1[0012][ 1] = \"y\";\n",
        "ResultsTable1[ 007][ 1] = \"y\";\n",
        "ResultsTable1[ ][ 1] = \"y\";\n",
        "PatientSex = \"\";\n",
        "A[ 1][ 2][ 3] = \"z\";\n",
        "Age = \"5\"; Model = \"H\";\n",
        "Height = \"1\";\u{b}\n",
        "Height = \"1\";x\n",
        "ResultsTable1[ 1] [ 2] = \"w\";\n",
        "ResultsTable1 [ 1][ 2] = \"w\";\n",
        "\u{a0}Weight = \"é\";\n",
        "Weight = \"é\u{a0}\"\u{a0};\n",
        "ResultsTable3[ 1][ 1] = \"",
        // A name the one before starts with, or that starts with the one before.
        "ResultsTable12[ 1][ 1] = \"q\";\n",
        "ResultsTable1_[ 1][ 1] = \"q\";\n",
        "ResultsTable1[ 2][ 0] = \"Trunk\";\n",
        "ResultsTable1[ 2][ 1] = \"9802\";\n",
        "TableRowTypes1[ 2] = 7;\n",
        "TableTitle1 = \"T\";\n",
        // Lines as APEX ends them (CR LF), and bare values on the one-statement path.
        "ResultsTable1[ 12][ 3] = \"7\";\r\n",
        "ResultsTable1[ 2][ 3] = \"x\" ;\r\n",
        "ResultsTable1[ 2][ 4]= \"y\";\r\r\n",
        "IncludeTable1 = true;\r\n",
        "MAXROWS1 = 13;\n",
        "TableType1 = 2 ;\n",
        "TableRowTypes1[ 3] = -4.5e+1;\n",
        "Weight = 1 2;\n",
    ];
    let long = |n: usize| format!("ResultsTable1[ 1][ 1] = \"{}\";\n", "é".repeat(n));
    let (at_bound, beyond) = (long(MAX_CELL / 2), long(MAX_CELL / 2 + 1));
    let too_long = format!(
        "ResultsTable1[ 1][ 2] = \"{}\";\n",
        "9".repeat(MAX_CELL + 1)
    );
    let mut pieces: Vec<&str> = PIECES.to_vec();
    pieces.extend([at_bound.as_str(), beyond.as_str(), too_long.as_str()]);
    let mut next = crate::test_rng::splitmix(0x5C21_9700);
    for case in 0..6000 {
        let mut text = String::new();
        for _ in 0..next() % 40 {
            text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
        }
        let script = read(&text);
        assert_eq!(
            as_reference(&script),
            reference::read(&text),
            "case {case}: {text:?}"
        );
    }
    let whole = as_reference(&read(DOC));
    assert_eq!(whole, reference::read(DOC));
    assert_eq!(whole.1[&1].4.len(), 3, "the document's cells are read");
}

/// A table's rows (`Table::rows`, collected from the cells in order) as they were found
/// before: every cell's row and every row type's, sorted, without repeats, row 0 left
/// out; over generated tables written in any order, with and without row types.
#[test]
fn a_tables_rows_are_its_cells_and_row_types_rows() {
    let mut next = crate::test_rng::splitmix(0x0000_B0D5);
    let mut with_types = 0;
    for case in 0..2_000 {
        let mut text = String::from("<JavaScriptFile, filetype=3, filename=\"R.js\">\n");
        for _ in 0..next() % 30 {
            let (row, column) = (next() % 6, next() % 4);
            text.push_str(&format!("ResultsTable1[ {row}][ {column}] = \"v\";\n"));
        }
        if next() % 2 == 0 {
            for _ in 0..1 + next() % 3 {
                text.push_str(&format!("TableRowTypes1[ {}] = 7;\n", next() % 8));
            }
        }
        text.push_str("</JavaScriptFile>\n");
        let script = read(&text);
        let Some(table) = script.tables.get(&1) else {
            continue;
        };
        with_types += usize::from(!table.row_types.is_empty());
        let mut expected: Vec<u32> = table
            .cells
            .keys()
            .map(|(r, _)| *r)
            .chain(table.row_types.keys().copied())
            .filter(|r| *r > 0)
            .collect();
        expected.sort_unstable();
        expected.dedup();
        assert_eq!(table.rows(), expected, "case {case}: {text}");
        // A row's cells are the table's cells of that row, in order.
        for row in 0..8 {
            let of_row: Vec<_> = table.cells.iter().filter(|((r, _), _)| *r == row).collect();
            let found: Vec<_> = table.cells.row(row).iter().map(|(k, v)| (k, v)).collect();
            assert_eq!(found, of_row, "case {case}, row {row}: {text}");
        }
    }
    assert!(with_types > 500, "{with_types}");
}
