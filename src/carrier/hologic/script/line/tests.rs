use super::*;

#[test]
fn starts_with_is_the_slices() {
    // Lengths below, at and beyond one and two words, differing in any word.
    let texts: [&[u8]; 12] = [
        b"ResultsTable1[ 1][ 2] = x",
        b"ResultsTable1[ 9][ 2] = x",
        b"TableColumnTypes12[ 3]",
        b"",
        b"R",
        b"ResultsTable",
        b"ResultsTable1",
        b"ResultsTable1[ 1]",
        b"ResultsTable12",
        b"ResultsTablf1",
        b"PatientSex",
        b"ResultsTable1\xe9",
    ];
    for text in texts {
        for prefix in texts {
            for cut in 0..=prefix.len() {
                let prefix = &prefix[..cut];
                assert_eq!(
                    starts_with(text, prefix),
                    text.starts_with(prefix),
                    "{text:?} {prefix:?}"
                );
            }
        }
    }
}

#[test]
fn a_name_matched_as_the_last_is_the_name_read() {
    let lines = [
        "ResultsTable1[ 1][ 2] = \"x\";",
        "ResultsTable12[ 1][ 2] = \"x\";",
        "ResultsTable1_[ 1][ 2] = \"x\";",
        "  ResultsTable1 [ 1][ 2] = \"x\";",
        "ResultsTable1= \"x\";",
        "ResultsTable",
        "ResultsTable1",
        "PatientSex = \"F\";",
    ];
    for text in lines {
        let read = one_statement(text, 0, "").map(|(s, end, same)| {
            assert!(!same);
            (s.name, s.indexes().to_vec(), s.value, end)
        });
        for last in ["ResultsTable1", "ResultsTable", "PatientSex", "R", "x"] {
            let with_last = one_statement(text, 0, last).map(|(s, end, same)| {
                assert_eq!(same, s.name == last, "{text:?} {last:?}");
                (s.name, s.indexes().to_vec(), s.value, end)
            });
            assert_eq!(with_last, read, "{text:?} {last:?}");
        }
    }
    assert!(one_statement(lines[0], 0, "ResultsTable1").is_some_and(|(_, _, same)| same));
}

/// A quoted value's endings in the generated cell lines: as APEX writes them and just off
/// it (`a_cell_line_is_what_one_statement_reads`, `an_apex_cell_is_what_cell_line_reads`).
const VALUE_ENDS: [&str; 8] = [
    "\";\r\n",
    "\";\n",
    "\" ;\r\n",
    "\";",
    "\"",
    "\";\r",
    "\";\r\r\n",
    "\"; x\n",
];

/// `cell_line` over generated lines is what `one_statement` reads of them with the same
/// name before: a statement of that name with two indexes and a quoted value. The lines
/// are made of a name, two indexes, an `=`, a value and an end, each as APEX writes it
/// or just off it.
#[test]
fn a_cell_line_is_what_one_statement_reads() {
    const PARTS: [&[&str]; 7] = [
        &[
            "ResultsTable1",
            "ResultsTable12",
            " ResultsTable1",
            "\tResultsTable1",
            "Results",
        ],
        &[
            "[ 1]", "[ 12]", "[ 123]", "[ 512]", "[ 513]", "[1]", "[ 007]", "[  3 ]", "[",
        ],
        &["[ 2]", "[ 10]", "[\t4]", "[ 9][ 1]", "[ 99", "", "[ 0]"],
        &[
            " = \"", " =\"", "=\"", " = ", "  =  \"", "=", "\t= \"", " = \"\"",
        ],
        &[
            "0.585", "", "a b", "\\", "é", "x\"y", "\r", "\n", "true", "1;2",
        ],
        &VALUE_ENDS,
        &["", "Next = 1;", "\r\n", "\n"],
    ];
    let mut next = crate::test_rng::splitmix(0x00CE_771E);
    let mut cells = 0;
    for case in 0..40_000 {
        let mut text = String::new();
        for part in PARTS {
            text.push_str(part[(next() % part.len() as u64) as usize]);
        }
        let name = "ResultsTable1";
        let expected = one_statement(&text, 0, name).and_then(|(statement, end, same)| {
            let start = statement.value.as_ptr() as usize - text.as_ptr() as usize;
            let quoted = start > 0 && text.as_bytes()[start - 1] == b'"';
            (same && statement.count == 2 && quoted).then(|| CellLine {
                row: statement.indexes[0],
                column: statement.indexes[1],
                value: (start, start + statement.value.len()),
                end,
            })
        });
        let found = cell_line(text.as_bytes(), 0, name.as_bytes());
        assert_eq!(found, expected, "case {case}: {text:?}");
        cells += usize::from(found.is_some());
    }
    assert!(cells > 1_000, "{cells}");
}

/// `apex_cell` over generated lines gives what `cell_line` gives, or nothing (then
/// `cell_line` reads the line): lines of a name, two indexes, an `=`, a value and an end,
/// each as APEX writes it or just off it, at any place in a text and near its end; names
/// of 8 to 16 bytes and names of other lengths (no `CellName`).
#[test]
fn an_apex_cell_is_what_cell_line_reads() {
    const PARTS: [&[&str]; 6] = [
        &[
            "[ 1]", "[ 12]", "[ 123]", "[1]", "[ 0]", "[  3]", "[ 3 ]", "[ 9", "[ x]", "(",
        ],
        &[
            "[ 2]", "[ 10]", "[ 99]", "[\t4]", "[ 9][ 1]", "", "[ 0]", "[ 1 ]",
        ],
        &[" = \"", " =\"", "=\"", " = ", "  = \"", "\t= \""],
        &[
            "0.585",
            "",
            "a b",
            "\\",
            "é",
            "x\"y",
            "\r",
            "\n",
            "190.45",
            "12345678901",
        ],
        &VALUE_ENDS,
        &["", "ResultsTable1[ 2][ 1] = \"1\";\r\n", "\r\n", "x"],
    ];
    const NAMES: [&str; 5] = [
        "ResultsTable1",
        "ResultsTable12",
        "Results1",
        "ResultsTableNumber16",
        "Table1",
    ];
    let mut next = crate::test_rng::splitmix(0x00A9_E8CE);
    let (mut apex, mut cells) = (0, 0);
    for case in 0..80_000 {
        let name = NAMES[(next() % NAMES.len() as u64) as usize];
        let mut text = String::new();
        for _ in 0..next() % 3 {
            text.push_str("x = \"1\";\r\n");
        }
        let from = text.len();
        // The line's name: the table's, or one just off it.
        text.push_str(match next() % 8 {
            0 => " ResultsTable1",
            1 => "ResultsTable2",
            _ => name,
        });
        // Each part as APEX writes it (its first) half the time.
        for part in PARTS {
            let pick = if next() % 2 == 0 {
                0
            } else {
                next() % part.len() as u64
            };
            text.push_str(part[pick as usize]);
        }
        // Two lines after it, or none (an eighth of the time): the line near the text's end
        // or not (`apex_cell` reads a line's first `WINDOW` bytes at once).
        for _ in 0..if next() % 8 == 0 { 0 } else { 2 } {
            text.push_str("ResultsTable1[ 3][ 1] = \"Trunk\";\r\n");
        }
        let expected = cell_line(text.as_bytes(), from, name.as_bytes());
        cells += usize::from(expected.is_some());
        let Some(prepared) = CellName::new(name.as_bytes()) else {
            assert!(!(8..=16).contains(&name.len()));
            continue;
        };
        if let Some(found) = apex_cell(text.as_bytes(), from, &prepared) {
            assert_eq!(Some(found), expected, "case {case}: {text:?} {name:?}");
            apex += 1;
        }
    }
    assert!(apex > 3_000 && cells > apex, "{apex} {cells}");
}

/// `apex_cell` over generated lines gives what it gave when it read each part as a slice of
/// the whole text (`apex_cell_by_slices`): the same cell, or nothing only for a line within
/// `WINDOW` bytes of the text's end. The lines are APEX's cell lines and ones just off
/// them, with values shorter and longer than a step, followed by a few bytes or many.
#[test]
fn an_apex_cell_is_what_it_read_by_slices() {
    const PARTS: [&[&str]; 5] = [
        &["[ 1]", "[ 12]", "[ 123]", "[1]", "[ 0]", "[ 3 ]", "[ x]"],
        &["[ 2]", "[ 10]", "[ 99]", "[\t4]", "[ 9][ 1]", "", "[ 1 ]"],
        &[" = \"", " =\"", " = ", "  = \""],
        &[
            "0.585",
            "",
            "\\",
            "é",
            "x\"y",
            "\n",
            "190.45",
            "123456789012345",
            "1234567890123456",
            "12345678901234567",
            "Area[cm<sup><small>2</small></sup>]",
            "a value longer than two steps of sixteen bytes",
        ],
        &VALUE_ENDS,
    ];
    const NAMES: [&str; 4] = [
        "ResultsTable1",
        "ResultsTable12",
        "Results1",
        "ResultsTableNo16",
    ];
    let mut next = crate::test_rng::splitmix(0x0057_1CE5);
    let (mut same, mut near_end) = (0, 0);
    for case in 0..60_000 {
        let name = NAMES[(next() % NAMES.len() as u64) as usize];
        let mut text = String::new();
        for _ in 0..next() % 3 {
            text.push_str("x = \"1\";\r\n");
        }
        let from = text.len();
        text.push_str(if next() % 8 == 0 {
            "ResultsTable2"
        } else {
            name
        });
        for part in PARTS {
            let pick = if next() % 2 == 0 {
                0
            } else {
                next() % part.len() as u64
            };
            text.push_str(part[pick as usize]);
        }
        // From no byte after the line to more than a window's.
        for _ in 0..next() % 70 {
            text.push('x');
        }
        let prepared = CellName::new(name.as_bytes()).expect("8 to 16 bytes");
        let by_slices = apex_cell_by_slices(text.as_bytes(), from, &prepared);
        let found = apex_cell(text.as_bytes(), from, &prepared);
        if text.len() - from >= WINDOW {
            assert_eq!(found, by_slices, "case {case}: {text:?} {name:?}");
            same += usize::from(found.is_some());
        } else {
            assert!(found.is_none(), "case {case}: {text:?} {name:?}");
            near_end += usize::from(by_slices.is_some());
        }
    }
    assert!(same > 3_000 && near_end > 500, "{same} {near_end}");
}

/// `apex_cell` as it was before it read a line's first `WINDOW` bytes at once (each part
/// a slice of the whole text, a line near the text's end read too): the reference its
/// window is held to (`an_apex_cell_is_what_it_read_by_slices`).
fn apex_cell_by_slices(bytes: &[u8], from: usize, name: &CellName) -> Option<CellLine> {
    let after = from + name.len;
    let head: [u8; 16] = bytes.get(after..after + 16)?.try_into().ok()?;
    if word(bytes, from) != name.first || word(bytes, after - 8) != name.last {
        return None;
    }
    let (row, at) = short_index(&head, 0)?;
    let (column, at) = short_index(&head, at)?;
    if head[at..at + 4] != *b" = \"" {
        return None;
    }
    let body = after + at + 4;
    let close = value_stop(bytes, body, bytes.len().min(body + MAX_CELL + 1))?;
    (bytes.get(close..close + 4) == Some(b"\";\r\n")).then_some(CellLine {
        row,
        column,
        value: (body, close),
        end: close + 3,
    })
}
