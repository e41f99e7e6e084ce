use super::*;

fn number(text: &str, mark: DecimalMark) -> Option<(String, String)> {
    match read(text, mark) {
        Cell::Number(value, unit) => Some((value.to_string(), unit.to_string())),
        _ => None,
    }
}

/// Cells read digit by digit as `Decimal::parse` read them copied into one text:
/// signs, digits, points, commas and units in every order, up to 40 characters
/// (beyond 18 digits and 18 decimals), with either mark.
#[test]
fn cells_read_as_decimal_parse_reads_them() {
    let mut next = crate::test_rng::splitmix(0x00DE_C1A1);
    let marks = b"-+.,  ";
    let units = ["", " lbs", "%", " in\u{b3}", "x", " 9"];
    for case in 0..200_000 {
        let len = [0, 1, 2, 3, 5, 8, 12, 19, 25, 40][(next() % 10) as usize];
        let mut text: String = (0..len)
            .map(|_| match next() % 3 {
                0 => char::from(marks[(next() % marks.len() as u64) as usize]),
                _ => char::from(b'0' + (next() % 10) as u8),
            })
            .collect();
        text.push_str(units[(next() % units.len() as u64) as usize]);
        for mark in [DecimalMark::Point, DecimalMark::Comma] {
            assert_eq!(
                read_scan(&scan(&text), mark),
                read_scan_by_parse(&scan(&text), mark),
                "case {case}: {text:?} {mark:?}"
            );
        }
    }
}

/// The shape nearly every cell has (`-`, digits, one mark between digits: `plain_number`)
/// read as `Decimal::parse` reads it, up to 20 digits (beyond the 18 that shape takes), and
/// every byte of it changed to a sign or either mark (just off the shape).
#[test]
fn plain_numbers_read_as_decimal_parse_reads_them() {
    let mut next = crate::test_rng::splitmix(0x0091_A1E5);
    let mut plain = 0;
    for case in 0..100_000 {
        let digits = 1 + (next() % 20) as usize;
        let mut text: Vec<u8> = (0..digits).map(|_| b'0' + (next() % 10) as u8).collect();
        if next() % 4 != 0 {
            let at = (next() % (digits as u64 + 1)) as usize;
            text.insert(at, [b'.', b','][(next() % 2) as usize]);
        }
        if next() % 3 == 0 {
            text.insert(0, b'-');
        }
        if next() % 5 == 0 {
            let at = (next() % text.len() as u64) as usize;
            text[at] = b"-+.,"[(next() % 4) as usize];
        }
        let mut text = String::from_utf8(text).expect("ASCII");
        text.push_str([" lbs", "%", ""][(next() % 3) as usize]);
        for mark in [DecimalMark::Point, DecimalMark::Comma] {
            let cell = scan(&text);
            plain += usize::from(plain_number(cell.number.as_bytes(), mark).is_some());
            assert_eq!(
                read_scan(&cell, mark),
                read_scan_by_parse(&cell, mark),
                "case {case}: {text:?} {mark:?}"
            );
        }
    }
    assert!(plain > 50_000, "{plain}");
}

/// Cells cut (`decimal::trim`) as `str::trim` cuts them: ASCII and other whitespace
/// (U+00A0, U+2003, U+000B), and DEL, a control that is not whitespace, on either side
/// of a number and of its unit.
/// `MarkEvidence::add_scan` before it skipped the cells that cannot change it.
fn add_every_cell(evidence: &mut MarkEvidence, cell: &Scan<'_>) {
    let number = cell.number.as_bytes();
    let unsigned = &number[sign_length(number)..];
    let last = |mark: u8| unsigned.iter().rposition(|b| *b == mark);
    match (last(b'.'), last(b',')) {
        (Some(point), Some(comma)) => {
            if point > comma {
                evidence.point = true;
            } else {
                evidence.comma = true;
            }
        }
        (Some(_), None) => evidence.point |= !grouped(unsigned, b'.'),
        (None, Some(_)) => evidence.comma |= !grouped(unsigned, b','),
        (None, None) => {}
    }
}

#[test]
fn the_evidence_of_a_file_is_that_of_every_cell() {
    let mut next = crate::test_rng::splitmix(0x0EF1_DE4C);
    let cells = [
        "9.9 lbs", "1,5", "2,188", "1.234", "1,234.5", "1.234,5", "-0,3%", "12", "", "-", "+1.2",
        "0,001", "1.2.3", "x",
    ];
    let mut seen = [0usize; 3];
    for case in 0..20_000 {
        let (mut ours, mut every) = (MarkEvidence::default(), MarkEvidence::default());
        for _ in 0..next() % 12 {
            let cell = scan(cells[(next() % cells.len() as u64) as usize]);
            ours.add_scan(&cell);
            add_every_cell(&mut every, &cell);
            assert_eq!(ours, every, "case {case}");
        }
        seen[match ours.mark() {
            None => 0,
            Some(DecimalMark::Point) => 1,
            Some(DecimalMark::Comma) => 2,
        }] += 1;
    }
    assert!(seen.iter().all(|n| *n > 1_000), "{seen:?}");
}

#[test]
fn a_line_is_cut_at_its_tabs_as_split_cuts_it() {
    let pieces = ["", "\t", "\t\t", "9.9 lbs", "é", " ", "x\ty"];
    let mut next = crate::test_rng::splitmix(0x0000_7AB5);
    for _ in 0..5_000 {
        let line: String = (0..next() % 8)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let ours: Vec<&str> = tab_cells(&line).collect();
        let split: Vec<&str> = line.split('\t').collect();
        assert_eq!(ours, split, "{line:?}");
    }
}

#[test]
fn cells_are_cut_as_str_trim_cuts_them() {
    let pieces = [
        "",
        " ",
        "\t",
        "\u{a0}",
        "\u{2003}",
        "\u{b}",
        "\u{7f}",
        "9",
        "-0.3",
        "9,999",
        "1.5",
        "lbs",
        "%",
        "in³",
        "é",
        "x",
        " \u{a0}lbs ",
    ];
    let mut next = crate::test_rng::splitmix(0x000C_E115);
    for _ in 0..20_000 {
        let cell: String = (0..next() % 6)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let text = cell.trim();
        let end = text
            .bytes()
            .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+')))
            .unwrap_or(text.len());
        let cut = scan(&cell);
        assert_eq!(
            (cut.text, cut.number, cut.unit),
            (text, text[..end].trim(), text[end..].trim()),
            "{cell:?}"
        );
    }
}

/// `scan`'s one loop over a number's bytes held to what it stands for: the number part's
/// end as `split` found it (the first byte not a digit, `.`, `,`, `-` or `+`), its value
/// read with a point as `plain_number` reads it, and its marks as the search for them finds
/// them; cells of signs, marks, up to 22 digits (beyond the plain shape's 18), units and
/// spaces in every order.
#[test]
fn a_cell_is_cut_as_split_and_plain_number_cut_it() {
    let pieces = [
        "-",
        "+",
        ".",
        ",",
        "0",
        "1",
        "9",
        "42",
        "123456789",
        " ",
        " lbs",
        "%",
        " in\u{b3}",
        "x",
        "\u{a0}",
    ];
    let mut next = crate::test_rng::splitmix(0x5CA1_CE11);
    let mut plain = 0;
    for case in 0..100_000 {
        let cell: String = (0..next() % 7)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let cut = scan(&cell);
        let text = cell.trim();
        let end = text
            .bytes()
            .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+')))
            .unwrap_or(text.len());
        let number = &text[..end];
        assert_eq!(cut.text, text, "case {case}: {cell:?}");
        assert_eq!(cut.number, number, "case {case}: {cell:?}");
        assert_eq!(cut.unit, text[end..].trim(), "case {case}: {cell:?}");
        let expected = plain_number(number.as_bytes(), DecimalMark::Point);
        assert_eq!(
            cut.with_point.map(Decimal::to_parts),
            expected.map(Decimal::to_parts),
            "case {case}: {cell:?}"
        );
        plain += usize::from(expected.is_some());
        assert_eq!(cut.has_point, number.contains('.'), "case {case}: {cell:?}");
        assert_eq!(cut.has_comma, number.contains(','), "case {case}: {cell:?}");
    }
    assert!(plain > 10_000, "{plain}");
}

#[test]
fn numbers_and_units_as_encore_writes_them() {
    let point = DecimalMark::Point;
    let cases = [
        ("9.9 lbs", Some(("9.9", "lbs"))),
        ("-0.3 lbs", Some(("-0.3", "lbs"))),
        ("33.4%", Some(("33.4", "%"))),
        ("-1.2%", Some(("-1.2", "%"))),
        ("99.99 in³", Some(("99.99", "in³"))),
        ("0.00 lbs", Some(("0.00", "lbs"))),
        ("1.123", Some(("1.123", ""))),
        ("2,188", Some(("2188", ""))),
        ("4,491 g", Some(("4491", "g"))),
        ("1,234,567.5 g", Some(("1234567.5", "g"))),
        ("1,23", None),
        ("12,3456", None),
        ("1.2.3", None),
        ("--1", None),
        ("lbs", None),
    ];
    for (text, expected) in cases {
        let expected = expected.map(|(v, u)| (v.to_string(), u.to_string()));
        assert_eq!(number(text, point), expected, "{text}");
    }
    assert_eq!(read("", point), Cell::Empty);
    assert_eq!(read("  - ", point), Cell::Empty);
    assert_eq!(read(&"9".repeat(65), point), Cell::Unreadable);
    let comma = DecimalMark::Comma;
    assert_eq!(number("9,9 lbs", comma), Some(("9.9".into(), "lbs".into())));
    assert_eq!(number("4.491 g", comma), Some(("4491".into(), "g".into())));
    assert_eq!(number("1,023", comma), Some(("1.023".into(), "".into())));
}

#[test]
fn groups_of_three_only() {
    for (digits, expected) in [
        ("1,234", true),
        ("12,345,678", true),
        ("0,123", false),
        ("1234", false),
        ("1,23", false),
        (",123", false),
        ("1,234,", false),
        ("1234,567", false),
        ("1,2a4", false),
    ] {
        assert_eq!(grouped(digits.as_bytes(), b','), expected, "{digits}");
    }
    assert!(grouped(b"1.234", b'.'));
    assert!(!grouped(b"1,234", b'.'));
}

#[test]
fn the_file_says_its_decimal_mark() {
    let mark = |cells: &[&str]| {
        let mut evidence = MarkEvidence::default();
        cells.iter().for_each(|c| evidence.add(c));
        evidence.mark()
    };
    assert_eq!(mark(&["9.9 lbs", "2,188"]), Some(DecimalMark::Point));
    assert_eq!(mark(&["9,9 lbs", "2.188"]), Some(DecimalMark::Comma));
    assert_eq!(mark(&["1,234.5"]), Some(DecimalMark::Point));
    assert_eq!(mark(&["1.234,5"]), Some(DecimalMark::Comma));
    assert_eq!(
        mark(&["2,188", "33"]),
        Some(DecimalMark::Point),
        "no evidence"
    );
    assert_eq!(
        mark(&["0,987"]),
        Some(DecimalMark::Comma),
        "no group starts with 0"
    );
    assert_eq!(mark(&["0.987"]), Some(DecimalMark::Point));
    assert_eq!(mark(&["9.9", "9,9"]), None, "both");
}

/// Lines of generated cells (digits, marks, signs, spaces and other white space, units,
/// characters beyond ASCII, cells longer than `MAX_CELL_CHARS`) cut from each cell's start
/// by `scan_at` as `tab_cells` and `scan` cut them, and a plain cell (`plain_at`) read as
/// `read_scan` reads it with a point: the same value (mantissa and scale), unit and next
/// cell, no comma, and `plain_at` refusing no cell `read_scan` reads so.
#[test]
fn a_line_is_cut_as_tab_cells_and_scan_cut_it() {
    let pieces = [
        "-",
        "+",
        ".",
        ",",
        "0",
        "1",
        "9",
        "42",
        "123456789",
        " ",
        "  ",
        " lbs",
        "%",
        " in\u{b3}",
        "x",
        "\u{a0}",
        "\u{b}",
        "\t",
        "\t",
        "\t",
        "1234567890123456789012345678901234567890",
    ];
    let mut next = crate::test_rng::splitmix(0x0005_CA17);
    let (mut plain, mut cells) = (0, 0);
    for case in 0..50_000 {
        let line: String = (0..next() % 16)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        let mut start = Some(0);
        for cell in tab_cells(&line) {
            let at = start.expect("a cell after a tab");
            let (cut, after) = scan_at(&line, at);
            assert_eq!(cut, scan(cell), "case {case}: {line:?} at {at}");
            let expected_next = Some(at + cell.len() + 1).filter(|n| *n <= line.len());
            assert_eq!(after, expected_next, "case {case}: {line:?} at {at}");
            let read = match read_scan(&cut, DecimalMark::Point) {
                Cell::Number(value, unit) => Some((value.to_parts(), unit)),
                _ => None,
            };
            let bytes = cell.as_bytes();
            let ends_plain = |b: Option<&u8>| b.is_some_and(|b| *b > b' ' && b.is_ascii());
            match plain_at(&line, at) {
                Some((value, unit, after)) => {
                    plain += 1;
                    assert_eq!(
                        Some((value.to_parts(), unit)),
                        read,
                        "case {case}: {line:?}"
                    );
                    assert_eq!(after, expected_next, "case {case}: {line:?}");
                    assert!(!cut.has_comma, "case {case}: {line:?}");
                }
                None => assert!(
                    !(ends_plain(bytes.first()) && ends_plain(bytes.last()))
                        || cut.with_point().is_none(),
                    "case {case}: {line:?} at {at}"
                ),
            }
            cells += 1;
            start = after;
        }
        assert_eq!(start, None, "case {case}: {line:?}");
    }
    assert!(
        plain > 10_000 && cells > 100_000,
        "{plain} plain of {cells}"
    );
}

/// Lines of generated cells near the plain shape (signs, digits, points, other marks,
/// spaces, units a file writes and units just off them, tabs, too many digits, cells
/// longer than `MAX_CELL_CHARS`) read from each cell's start with each unit a column may
/// have kept (`matchable`): `known_unit_at` gives what `plain_at` gives (the value's
/// mantissa and scale, the next cell) whenever it gives a reading, and whenever `plain_at`
/// reads the cell in that unit written right after the number's spaces.
#[test]
fn a_known_unit_is_read_as_plain_at_reads_it() {
    let pieces = [
        "-",
        "+",
        ".",
        ",",
        "0",
        "1",
        "7",
        "9",
        "42",
        "12.5",
        "123456789",
        " ",
        "  ",
        "lbs",
        " lbs",
        "lb",
        " lbsx",
        "%",
        " %",
        " in\u{b3}",
        "x",
        "\u{a0}",
        "\t",
        "\t",
        "\t",
        "1234567890123456789012345678901234567890",
    ];
    let units = ["lbs", "%", "", "lb", "g", "in\u{b3}", "-lbs", "lbs ", "x"];
    let mut next = crate::test_rng::splitmix(0x004B_0E17);
    let (mut known, mut cells) = (0, 0);
    for case in 0..60_000 {
        let piece = |next: &mut dyn FnMut() -> u64| pieces[(next() % pieces.len() as u64) as usize];
        let line: String = if case % 2 == 0 {
            (0..next() % 12).map(|_| piece(&mut next)).collect()
        } else {
            // Cells of the plain shape, their units and spaces varied, now and then a
            // piece off the shape.
            let cells: Vec<String> = (0..1 + next() % 8)
                .map(|_| {
                    let digits = |next: &mut dyn FnMut() -> u64, n: u64| -> String {
                        (0..n)
                            .map(|_| char::from(b'0' + (next() % 10) as u8))
                            .collect()
                    };
                    let mut cell = ["", "-"][(next() % 2) as usize].to_string();
                    let whole = 1 + next() % 10;
                    cell += &digits(&mut next, whole);
                    if next() % 3 != 0 {
                        let fraction = 1 + next() % 10;
                        cell += ".";
                        cell += &digits(&mut next, fraction);
                    }
                    cell += ["", " ", "  "][(next() % 3) as usize];
                    cell += units[(next() % units.len() as u64) as usize];
                    if next() % 6 == 0 {
                        cell += piece(&mut next);
                    }
                    cell
                })
                .collect();
            cells.join("\t")
        };
        let mut start = Some(0);
        for cell in tab_cells(&line) {
            let at = start.expect("a cell after a tab");
            for unit in units.iter().filter(|u| matchable(u)) {
                let expected = match plain_at(&line, at) {
                    Some((value, read, after)) if read == *unit => Some((value.to_parts(), after)),
                    _ => None,
                };
                let got = known_unit_at(line.as_bytes(), at, unit.as_bytes())
                    .map(|(value, after)| (value.to_parts(), after));
                // The unit as written after the number and its spaces: `plain_at` trims
                // other white space too, which `known_unit_at` leaves to it.
                // (A cell `plain_at` reads starts with its number.)
                let written = || cell[scan(cell).number.len()..].trim_start_matches(' ');
                if got.is_some() || (expected.is_some() && written() == *unit) {
                    assert_eq!(
                        got, expected,
                        "case {case}: {line:?} at {at}, unit {unit:?}"
                    );
                }
                known += usize::from(got.is_some());
            }
            cells += 1;
            start = Some(at + cell.len() + 1).filter(|n| *n <= line.len());
        }
    }
    assert!(
        known > 40_000 && cells > 150_000,
        "{known} known of {cells}"
    );
    assert!(!matchable("lbs ") && !matchable("in\u{b3}") && matchable("") && matchable("%"));
}
