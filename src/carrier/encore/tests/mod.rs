use super::*;
use crate::bodycomp::{BodyRegion, BodyValue, Field, IndexKind};

fn mapper() -> Mapper {
    crate::profile::load(&[]).expect("built-ins")
}

/// `lines` as enCORE writes them: UTF-16LE, a BOM, CRLF after each.
fn utf16(lines: &[&str]) -> Vec<u8> {
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend(unit.to_le_bytes());
    }
    out
}

const VAT_HEADER: &str = "Last Name\tFirst Name\tPatient ID\tMeasure Date\tVAT Mass\tVAT Volume";

fn reason(result: Result<Export, FileError>) -> Reason {
    result.expect_err("a reason").reason
}

#[test]
fn what_is_not_an_export_and_what_holds_nothing() {
    let m = mapper();
    assert_eq!(reason(read(b"", &m)), Reason::NotDicom);
    assert_eq!(
        reason(read(&utf16(&["Patient ID\tLast Name"]), &m)),
        Reason::NotDicom
    );
    assert_eq!(reason(read(b"DICM\x00\x01", &m)), Reason::NotDicom);
    let unknown = "Last Name\tFirst Name\tPatient ID\tMeasure Date\tShoe Size";
    assert_eq!(
        reason(read(&utf16(&[unknown, "A\tB\t1\t01/02/2024\t42"]), &m)),
        Reason::NoMeasurements
    );
    assert_eq!(
        reason(read(&utf16(&[VAT_HEADER, "", "  "]), &m)),
        Reason::NoMeasurements
    );
    assert!(is_export(&utf16(&[VAT_HEADER])));
    assert!(is_export(format!("{VAT_HEADER}\n").as_bytes()), "UTF-8 too");
    assert!(!is_export(b"<HologicHeader1>"));
}

#[test]
fn limits_are_reasons_or_flags() {
    let m = mapper();
    let huge = vec![0u8; MAX_FILE_BYTES + 1];
    assert_eq!(reason(read(&huge, &m)), Reason::TooLarge);
    let long_header = format!("{VAT_HEADER}\t{}", "x".repeat(MAX_LINE_CHARS));
    assert_eq!(reason(read(&utf16(&[&long_header]), &m)), Reason::Malformed);
    let wide = format!("{VAT_HEADER}{}", "\tx".repeat(MAX_COLUMNS));
    assert_eq!(reason(read(&utf16(&[&wide]), &m)), Reason::Malformed);
    // A data line too long is left out, the others read.
    let long_row = format!("A\tB\t1\t01/13/2024\t{}", "9".repeat(MAX_LINE_CHARS));
    let export = read(
        &utf16(&[
            VAT_HEADER,
            &long_row,
            "A\tB\t2\t01/13/2024\t1.01 lbs\t29.60 in³",
        ]),
        &m,
    )
    .expect("read");
    assert_eq!(export.records.len(), 1);
    assert_eq!(export.records[0].patient_id, "2");
    assert_eq!(export.records[0].line, 3);
    assert_eq!(export.flags, [EncoreFlag::LineTooLong]);
}

#[test]
fn rows_beyond_the_limit_are_left_out() {
    let mut lines = vec![VAT_HEADER.to_string()];
    lines.extend((0..=MAX_ROWS).map(|i| format!("\t\t{i}\t01/13/2024\t1.01 lbs\t29.60 in³")));
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut count = 0;
    let summary = read_each(&utf16(&refs), &mapper(), |_| count += 1).expect("read");
    assert_eq!((count, summary.records), (MAX_ROWS, MAX_ROWS));
    assert_eq!(summary.flags, [EncoreFlag::TooManyRows]);
}

#[test]
fn a_line_says_what_it_lacks() {
    let export = read(
        &utf16(&[
            VAT_HEADER,
            "A\tB\t\t13/01/2024\t1.01 lbs",
            "A\tB\t7\tlast week\t1.01 lbs\t29.60 in³\textra",
            "A\tB\t8\t01/13/2024\t1,01 lbs\t29.60 furlongs",
        ]),
        &mapper(),
    )
    .expect("read");
    let flags: Vec<&[EncoreFlag]> = export.records.iter().map(|r| r.flags.as_slice()).collect();
    assert_eq!(
        flags[0],
        [EncoreFlag::PatientIdMissing, EncoreFlag::RowShort]
    );
    assert_eq!(
        flags[1],
        [EncoreFlag::MeasureDateUnreadable, EncoreFlag::RowLong]
    );
    assert_eq!(
        flags[2],
        [
            EncoreFlag::ValueUnreadable(BodyValue::Index(IndexKind::VatMass)),
            EncoreFlag::UnitUnknown(BodyValue::Index(IndexKind::VatVolume))
        ]
    );
    // Day first here (13/01/2024), month first there (01/13/2024): both unambiguous.
    assert_eq!(
        export.records[0]
            .measure_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2024-01-13")
    );
    assert_eq!(export.records[2].body_composition, None, "nothing read");
}

#[test]
fn ambiguous_dates_need_the_files_proof() {
    let m = mapper();
    let row = |date: &str| format!("A\tB\t1\t{date}\t1.01 lbs\t29.60 in³");
    let alone = read(&utf16(&[VAT_HEADER, &row("03/05/2024")]), &m).expect("read");
    assert_eq!(alone.records[0].measure_date, None, "never guessed");
    assert_eq!(alone.records[0].flags, [EncoreFlag::MeasureDateAmbiguous]);
    let proven = read(
        &utf16(&[VAT_HEADER, &row("03/05/2024"), &row("11/21/2023")]),
        &m,
    )
    .expect("read");
    let timed = read(&utf16(&[VAT_HEADER, &row("11/21/2023 10:22")]), &m).expect("read");
    assert_eq!(
        timed.records[0]
            .measure_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("2023-11-21"),
        "a time after the date"
    );
    let first = &proven.records[0];
    assert_eq!(
        first.measure_date.map(|d| d.to_string()).as_deref(),
        Some("2024-03-05")
    );
    assert_eq!(first.flags, [EncoreFlag::MeasureDateOrderInferred]);
    assert_eq!(first.measure_date_text, "03/05/2024");
}

#[test]
fn a_comma_locale_file_and_a_mixed_one() {
    let m = mapper();
    let export = read(
        &utf16(&[VAT_HEADER, "A\tB\t1\t13.01.2024\t1,01 lbs\t29,60 in³"]),
        &m,
    )
    .expect("read");
    assert_eq!(export.flags, [EncoreFlag::DecimalComma]);
    let comp = export.records[0].body_composition.as_ref().expect("read");
    let mass = comp.index(IndexKind::VatMass).expect("mass");
    assert_eq!(
        (mass.value.to_string(), mass.written.to_string()),
        ("458".into(), "1.01".into())
    );
    let mixed = read(
        &utf16(&[VAT_HEADER, "A\tB\t1\t01/13/2024\t1,01 lbs\t29.60 in³"]),
        &m,
    )
    .expect("read");
    assert_eq!(mixed.flags, [EncoreFlag::DecimalMarkMixed]);
    assert_eq!(
        mixed.records[0].flags,
        [EncoreFlag::ValueUnreadable(BodyValue::Index(
            IndexKind::VatMass
        ))],
        "read with a point: the comma is no group"
    );
}

#[test]
fn columns_unknown_or_twice() {
    let header = "Last Name\tFirst Name\tPatient ID\tMeasure Date\tArm Left Fat Mass\t\
                  Arm Left Fat Mass\tArm Left Shoe Size\tTBW";
    let export = read(
        &utf16(&[header, "A\tB\t1\t01/13/2024\t2.7 lbs\t9.9 lbs\t12\t"]),
        &mapper(),
    )
    .expect("read");
    assert_eq!(export.kind, ExportKind::Composition);
    assert_eq!(
        export.flags,
        [EncoreFlag::ColumnDuplicate, EncoreFlag::ColumnUnknown]
    );
    let comp = export.records[0].body_composition.as_ref().expect("read");
    // 2.7 lb = 1224.7 g: the first column, the repeated one ignored.
    assert_eq!(
        comp.value(BodyRegion::ArmLeft, Field::Fat)
            .map(|v| v.to_string())
            .as_deref(),
        Some("1225")
    );
    assert!(
        export.records[0].flags.is_empty(),
        "{:?}",
        export.records[0].flags
    );
}

#[test]
fn the_proof_of_a_later_row_reads_the_first_one_small_or_large() {
    let m = mapper();
    let row = |date: &str, mass: &str| format!("A\tB\t1\t{date}\t{mass}\t29 in³");
    // (the deciding row's mass and date, the first row's mass and date as read)
    let cases = [
        ("1.01 lbs", "11/21/2023", "1010", "2024-03-05"),
        ("1.01 lbs", "21/11/2023", "1010", "2024-05-03"),
        ("1,01 lbs", "11/21/2023", "1.010", "2024-03-05"),
        ("1,01 lbs", "21/11/2023", "1.010", "2024-05-03"),
    ];
    // The deciding row next to the first, or thousands of rows after it.
    for padding in [0, 12_000] {
        for (mass, date, written, read_as) in cases {
            let mut lines = vec![VAT_HEADER.to_string(), row("03/05/2024", "1,010 lbs")];
            lines.extend((0..padding).map(|i| format!("\t\t{i}\t\t\t")));
            lines.push(row(date, mass));
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let export = read(&utf16(&refs), &m).expect("read");
            let first = &export.records[0];
            let comp = first.body_composition.as_ref().expect("read");
            let vat = comp.index(IndexKind::VatMass).expect("mass");
            assert_eq!(vat.written.to_string(), written, "{mass} {date} {padding}");
            assert_eq!(
                first.measure_date.map(|d| d.to_string()).as_deref(),
                Some(read_as),
                "{mass} {date} {padding}"
            );
            assert_eq!(export.records.len(), padding + 2);
        }
    }
}

/// The recognition of an export as `sr::dataset::looks_like_export` made it before it
/// decoded only the identity cells: the whole first line, up to `PEEK` code units.
fn starts_like_export_whole_line(first: &[u8]) -> bool {
    use crate::sr::dataset::{EXPORT_IDENTITY, PEEK};
    let line: String = match first {
        [0xFF, 0xFE, rest @ ..] => char::decode_utf16(
            rest.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take(PEEK),
        )
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .take_while(|c| *c != '\n')
        .collect(),
        _ => {
            let rest = first.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(first);
            let rest = &rest[..rest.len().min(PEEK)];
            let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..end]).into_owned()
        }
    };
    let mut cells = line.split('\t');
    EXPORT_IDENTITY.iter().all(|name| {
        cells
            .next()
            .is_some_and(|cell| cell.trim().eq_ignore_ascii_case(name))
    })
}

#[test]
fn an_export_is_recognised_as_by_its_whole_first_line() {
    // UTF-16 code units, lone surrogates included; the identity cells in any case, with
    // spaces, tabs, line ends, and headers long enough to reach `PEEK`.
    let pieces: Vec<Vec<u16>> = [
        "Last Name",
        "LAST NAME ",
        "First Name",
        "Patient ID",
        " Measure Date",
        "Measure Date\u{a0}",
        "VAT Mass",
        "\t",
        "\t\t",
        "\n",
        "\r\n",
        "é",
        "\u{1F600}",
        "x",
    ]
    .iter()
    .map(|p| p.encode_utf16().collect())
    .chain([
        vec![0xD800],
        vec![0xDC00],
        vec![0x0009; 300],
        vec![0x0041; 700],
    ])
    .collect();
    let identity = "Last Name\tFirst Name\tPatient ID\tMeasure Date";
    let mut next = crate::test_rng::splitmix(0x00E1_D0C5);
    let mut recognised = 0;
    for case in 0..20_000 {
        let mut units: Vec<u16> = Vec::new();
        if next() % 2 == 0 {
            units.extend(identity.encode_utf16());
        }
        for _ in 0..next() % 12 {
            units.extend(&pieces[(next() % pieces.len() as u64) as usize]);
        }
        let mut bytes = vec![0xFF, 0xFE];
        for unit in &units {
            bytes.extend(unit.to_le_bytes());
        }
        if next() % 4 == 0 {
            bytes.truncate((next() % (bytes.len() as u64 + 1)) as usize);
        }
        let expected = starts_like_export_whole_line(&bytes);
        recognised += usize::from(expected);
        assert_eq!(is_export(&bytes), expected, "case {case}: {units:?}");
    }
    assert!(recognised > 1_000, "{recognised} exports among the cases");
}

/// `dates::slashed` and `date::text::numeric` give what `read_date` gives for every `NN/NN/NNNN`
/// text (every day and month number, years about leap years), and nothing for texts off
/// that form; a date cell's order evidence is `order_evidence`'s of the one text.
#[test]
fn slashed_dates_read_as_read_date_reads_them() {
    use crate::date::text::{order_evidence, read_date};
    for year in ["0000", "1900", "2000", "2023", "2024", "9999"] {
        for a in 0..100 {
            for b in 0..100 {
                let text = format!("{a:02}/{b:02}/{year}");
                let (first, second, year) = dates::slashed(&text).expect("the form");
                assert_eq!(
                    crate::date::text::numeric(first, second, year),
                    read_date(&text),
                    "{text}"
                );
                for cell in [text.clone(), format!("{text} 10:22")] {
                    assert_eq!(
                        dates::date_order_evidence(&cell),
                        order_evidence(std::iter::once(cell.as_str())),
                        "{cell}"
                    );
                }
            }
        }
    }
    let off = [
        "",
        "1/2/2024",
        "01/02/24",
        "01-02-2024",
        "01/02/2024x",
        "0a/02/2024",
        "01/02/2o24",
        "13.01.2024",
        "2024-03-05",
        "01/02/２０２",
        "x",
    ];
    for text in off {
        assert_eq!(dates::slashed(text), None, "{text}");
        assert_eq!(
            dates::date_order_evidence(text),
            order_evidence(std::iter::once(text)),
            "{text}"
        );
    }
}

mod convert;
mod one_pass;
mod planned;
mod run;
