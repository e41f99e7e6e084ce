//! Each row struct gives one cell per column, of its column's type; docs/columns.md lists
//! every file's columns, in order.

use super::*;
use crate::classify::ClassifyOptions;
use crate::document::{Document, Measurement};
use crate::error::{FileError, Reason};
use crate::output::table::{Cell, Column, Row};
use crate::visit::{Ingested, VisitRows};
use crate::vocabulary::{Laterality, Region};

/// The kinds of a row's cells, checked against its columns; its CSV line written field by
/// field is the one written from its cells.
fn check<R: Row>(row: &R) {
    let mut cells: Vec<Cell<'_>> = Vec::new();
    row.cells(&mut |cell| cells.push(cell.clone().into_owned()));
    assert_eq!(cells.len(), R::COLUMNS.len());
    for (cell, column) in cells.iter().zip(R::COLUMNS) {
        assert_eq!(cell.kind(), column.kind, "{}", column.name);
    }
    let (mut direct, mut from_cells) = (Vec::new(), Vec::new());
    crate::output::table::append_csv_line(&mut direct, row);
    crate::output::table::append_cells_line(&mut from_cells, row);
    assert_eq!(
        String::from_utf8_lossy(&direct),
        String::from_utf8_lossy(&from_cells)
    );
}

/// `f` of the rows of the first visit of `docs`, classified with the default options.
fn with_first_visit<T>(
    docs: &[Ingested],
    ids: crate::pseudonym::Ids<'_>,
    visit_id: &str,
    f: impl FnOnce(&VisitRows) -> T,
) -> T {
    let visits = crate::visit::visits(docs);
    let assessed = crate::visit::assess(docs, &visits[0], &ClassifyOptions::default());
    let keys = crate::visit::VisitKeys::new(docs, &visits[0], ids, visit_id);
    f(&VisitRows {
        docs,
        visit: &visits[0],
        assessed: &assessed,
        ids,
        visit_id,
        body: None,
        keys: &keys,
    })
}

#[test]
fn cells_fit_their_columns() {
    let mut doc = Document {
        patient_id: "P1".into(),
        ..Document::default()
    };
    doc.measurements.push(Measurement::new(
        Region::TotalHip,
        Laterality::Left,
        "Total",
    ));
    doc.history.push(crate::document::HistoryEntry {
        date_ambiguous: true,
        ..crate::document::HistoryEntry::placed(
            Region::TotalHip,
            Laterality::Left,
            "Total".into(),
            "03/04/2021".into(),
            crate::document::HistorySource::GeTrendTree,
        )
    });
    let docs = vec![Ingested::new(0, "p".into(), doc)];
    with_first_visit(&docs, crate::pseudonym::Ids::default(), "V0", |view| {
        let keys = measurement_keys(view, 0);
        check(&measurement_rows(view, 0, &keys).next().unwrap());
        check(&study_row(view));
        check(&document_row(view, 0));
        check(&history_rows(view, 0).next().unwrap());
        check(&crate::export::wide::wide_row(view));
    });
    let error = FileError::new(Reason::NotDicom, "x");
    check(&file_row("p", &error));
}

/// A body composition row written from its parts (the visit's keys copied) is the line
/// its cells make, plain and pseudonymised, for a region with lean computed and one with
/// %fat reported.
#[test]
fn body_composition_rows_fit_their_columns() {
    use crate::bodycomp::index::{Patient, assess};
    use crate::bodycomp::{BodyRegion, BodySource, Dimension, Field};
    let reading = crate::bodycomp::test_reading;
    let mut comp = crate::bodycomp::test_composition(BodySource::HologicResultsDocument);
    let g = |w| reading(w, "g", Dimension::Mass);
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::Fat, g("1201")));
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::LeanBmc, g("2375")));
    assert!(comp.set(BodyRegion::ArmLeft, "L Arm", Field::Bmc, g("150")));
    assert!(comp.set(BodyRegion::Total, "=Total, all", Field::Fat, g("20655")));
    assert!(comp.set(
        BodyRegion::Total,
        "=Total, all",
        Field::FatPct,
        reading("31.8", "%", Dimension::Percent)
    ));
    let assessment = assess(&comp, &Patient::default());
    let body = VisitBody {
        composition: std::borrow::Cow::Owned(comp),
        assessment,
    };
    let doc = Document {
        patient_id: "P,1".into(),
        study_date: crate::date::Date::parse_da("20210304"),
        ..Document::default()
    };
    let docs = vec![Ingested::new(0, "p".into(), doc)];
    let pseudonymizer = crate::pseudonym::Pseudonymizer::new(b"0123456789abcdef0123").unwrap();
    let pseudonymised = crate::pseudonym::Ids {
        pseudonymizer: Some(&pseudonymizer),
        shift_dates: true,
    };
    for ids in [crate::pseudonym::Ids::default(), pseudonymised] {
        with_first_visit(&docs, ids, "V0", |view| {
            let keys = body_keys(view);
            let rows: Vec<_> = body_composition_rows(view, &body, &keys).collect();
            assert_eq!(rows.len(), 2);
            for row in &rows {
                check(row);
            }
        });
    }
}

/// A visit's body rows written by `append_csv` one after another (a row's end copied from
/// the visit's last row's where they end alike: `body::RowTail`) are the lines their cells
/// make, on seeded random compositions: any fields present, each in any of units that
/// include the empty one, a text two ids share, a comma and a formula; values of any sign
/// and scale; lean and %fat reported or computed; labels kept (`RegionLabel::plain`, then
/// copied as they are) or not: plain, with a comma, a quote, a formula, empty, not ASCII,
/// long, or held as their own `String`; nothing pseudonymised, or pseudonymised (where a
/// kept label goes the `DocText` way); key fields short or long. Two compositions' rows
/// through one visit's keys, in turn, each written as its own.
#[test]
fn body_rows_written_in_turn_are_their_cells_lines() {
    use crate::bodycomp::{BodyComposition, BodyRegion, BodySource, Reading, RegionComposition};
    use crate::bodycomp::{UnitId, index::Patient};
    use crate::decimal::Decimal;
    use std::sync::Arc;
    let mut next = crate::test_rng::splitmix(0xB0D7_2075);
    // The last unit makes a row's end longer than any a scanner was seen to write.
    let long_unit = "kilograms, as a scanner's own long unit text says";
    let unit_texts = ["g", "%", "lbs", "", "g", "kg,m", "=x", "lbs;%", long_unit];
    let long = "Trunk ".repeat(8);
    let labels = [
        "Label",
        "L Arm",
        "Arm Left",
        "Trunk",
        "a,b",
        "\"q\"",
        "=1",
        "-x",
        "",
        "R\u{e9}gion",
        "\t",
        &long,
    ];
    let regions = BodyRegion::ALL;
    let composition = |next: &mut dyn FnMut() -> u64| {
        let source = if next() % 2 == 0 {
            BodySource::EncoreExport
        } else {
            BodySource::HologicResultsDocument
        };
        let mut comp = BodyComposition::new(source);
        let units = 1 + (next() % unit_texts.len() as u64) as usize;
        comp.units = unit_texts[..units].iter().map(|&u| Arc::from(u)).collect();
        // Most rows in one or two units, as a file writes them.
        let common = [0, (next() % units as u64) as usize];
        for &region in regions {
            if next() % 4 == 0 {
                continue;
            }
            let label = labels[(next() % labels.len() as u64) as usize];
            let mut row = if next() % 4 == 0 {
                RegionComposition::with_label(region, label.to_string().into())
            } else {
                RegionComposition::new(region, label)
            };
            for slot in [
                &mut row.fat,
                &mut row.lean,
                &mut row.bmc,
                &mut row.lean_bmc,
                &mut row.tissue,
                &mut row.total_mass,
                &mut row.fat_pct,
                &mut row.tissue_fat_pct,
            ] {
                if next() % 3 == 0 {
                    continue;
                }
                let mantissa =
                    (next() % 200_000) as i64 - if next() % 8 == 0 { 100_000 } else { 0 };
                let value = Decimal::from_parts(mantissa, (next() % 4) as u32).unwrap();
                let unit = if next() % 5 == 0 {
                    (next() % units as u64) as usize
                } else {
                    common[(next() % 2) as usize]
                };
                *slot = Some(Reading {
                    value,
                    written: value,
                    unit: UnitId::new(unit).unwrap(),
                });
            }
            comp.regions.push(row);
        }
        let assessment = crate::bodycomp::index::assess(&comp, &Patient::default());
        VisitBody {
            composition: std::borrow::Cow::Owned(comp),
            assessment,
        }
    };
    let doc = Document {
        patient_id: "P1".into(),
        ..Document::default()
    };
    let docs = vec![Ingested::new(0, "p".into(), doc)];
    let (mut rows_written, mut computed, mut kept, mut long_ends) = (0, 0, [0, 0], 0);
    let pseudonymizer = crate::pseudonym::Pseudonymizer::new(b"0123456789abcdef0123").unwrap();
    for case in 0..300 {
        let bodies = [composition(&mut next), composition(&mut next)];
        let ids = crate::pseudonym::Ids {
            pseudonymizer: (case % 3 == 0).then_some(&pseudonymizer),
            ..Default::default()
        };
        for region in bodies.iter().flat_map(|b| &b.composition.regions) {
            if let Some(text) = region.label.plain() {
                assert!(crate::field_bytes::plain_field(text.as_bytes()) && !text.is_empty());
                kept[usize::from(ids.pseudonymizer.is_some())] += 1;
            }
        }
        // A fifth of the visits with long key fields (a visit id of 201 bytes).
        let visit_id = if case % 5 == 0 {
            format!("V{}", "0".repeat(200))
        } else {
            "V0".to_string()
        };
        with_first_visit(&docs, ids, &visit_id, |view| {
            let keys = body_keys(view);
            for body in [&bodies[0], &bodies[1], &bodies[0]] {
                let (mut direct, mut from_cells) = (Vec::new(), Vec::new());
                for row in body_composition_rows(view, body, &keys) {
                    crate::output::table::append_csv_line(&mut direct, &row);
                    crate::output::table::append_cells_line(&mut from_cells, &row);
                    rows_written += 1;
                }
                let direct = String::from_utf8(direct).unwrap();
                computed += direct.matches(",lean_g").count();
                long_ends += direct.matches(long_unit).count();
                assert_eq!(direct, String::from_utf8(from_cells).unwrap());
            }
        });
    }
    assert!(
        rows_written > 10_000
            && computed > 1_000
            && kept[0] > 300
            && kept[1] > 100
            && long_ends > 200,
        "{rows_written} {computed} {kept:?} {long_ends}"
    );
}

/// The column names of each file's table in docs/columns.md (`## NAME: ...`), in order: a
/// cell can name several (`source_path, sop_instance_uid`, `lsc_g_cm2 / lsc_pct`).
fn documented(docs: &str, file: &str) -> Vec<String> {
    let heading = format!("## {file}");
    let start = docs
        .lines()
        .position(|l| l.starts_with(&heading))
        .unwrap_or_else(|| panic!("no section {heading}"));
    docs.lines()
        .skip(start)
        .skip_while(|l| !l.starts_with("| column |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| {
            let first = l.split('|').nth(1).unwrap_or("");
            first
                .split([',', '/'])
                .map(|name| name.trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn columns_are_documented_in_order() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/columns.md");
    let docs = std::fs::read_to_string(path).expect("docs/columns.md");
    let tables: [(&str, &[Column]); 9] = [
        ("measurements.csv", MeasurementRow::COLUMNS),
        ("studies.csv", StudyRow::COLUMNS),
        ("documents.csv", DocumentRow::COLUMNS),
        ("history.csv", HistoryRow::COLUMNS),
        ("followup.csv", FollowupLine::COLUMNS),
        ("files.csv", FileRow::COLUMNS),
        ("body_composition.csv", BodyCompositionRow::COLUMNS),
        ("body_followup.csv", BodyFollowupLine::COLUMNS),
        ("visits_wide.csv", crate::export::wide::WideRow::COLUMNS),
    ];
    for (file, columns) in tables {
        let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
        assert_eq!(documented(&docs, file), names, "docs/columns.md, {file}");
    }
}

/// The age's one decimal is the float's formatting, ties (62.25 is 747 months) and values
/// a hair beside them included.
#[test]
fn ages_round_as_the_float_formats_them() {
    let by_text = |years: f64| crate::decimal::Decimal::parse(&format!("{years:.1}"));
    let mut next = crate::test_rng::splitmix(90);
    let mut cases = vec![
        0.0, 0.05, 0.15, 0.25, 62.25, 62.35, 89.95, 90.0, 1e6, 1e7, -0.04,
    ];
    for months in 0..1_500u32 {
        cases.push(f64::from(months) / 12.0);
    }
    for days in (0..40_000u32).step_by(7) {
        cases.push(f64::from(days) / 365.25);
    }
    for _ in 0..100_000 {
        let tie = (next() % 1_200) as f64 / 10.0 + 0.05;
        let beside = f64::from_bits(tie.to_bits().wrapping_add(next() % 5).wrapping_sub(2));
        cases.push(beside);
        cases.push((next() % 200_000) as f64 / 997.0);
    }
    for years in cases {
        assert_eq!(age_one_decimal(years), by_text(years), "{years:?}");
    }
    assert_eq!(age_one_decimal(62.25).unwrap().to_plain(1), "62.2");
}

/// A document's measurement rows, whose key fields are rendered once per document
/// (`measurement_keys`), write the lines their cells make, with key cells that must be
/// quoted or made safe (a comma in the path, a formula as patient ID, a quote in the
/// accession number) and notes on some rows, plain and under --pseudonymize.
#[test]
fn measurement_rows_with_shared_keys_are_their_cells_lines() {
    let mut doc = Document {
        patient_id: "=HYPERLINK(1)".into(),
        accession_number: "A\"1,2".into(),
        ..Document::default()
    };
    for (region, label) in [
        (Region::TotalHip, "Total, left"),
        (Region::FemoralNeck, "Neck"),
        (Region::SpineL1L4, "-L1-L4"),
    ] {
        let mut m = Measurement::new(region, Laterality::Left, label);
        m.bmd = crate::decimal::Decimal::parse("0.875");
        match region {
            Region::FemoralNeck => m.notes.push("a \"quoted\" note, with a comma".into()),
            // Empty parts, and a later part that would be a formula on its own.
            Region::TotalHip => m.notes.extend(["".into(), "plain".into(), "".into()]),
            _ => m.notes.extend(["=one".into(), "-two".into()]),
        }
        doc.measurements.push(m);
    }
    let docs = vec![Ingested::new(
        0,
        "dir, with comma/p\u{202E}.dcm".into(),
        doc,
    )];
    let pseudonymizer = crate::pseudonym::Pseudonymizer::new(&[7u8; 32]).expect("a key");
    for ids in [
        crate::pseudonym::Ids::default(),
        crate::pseudonym::Ids {
            pseudonymizer: Some(&pseudonymizer),
            shift_dates: true,
        },
    ] {
        with_first_visit(&docs, ids, "V,0", |view| {
            let keys = measurement_keys(view, 0);
            let rows: Vec<_> = measurement_rows(view, 0, &keys).collect();
            assert_eq!(rows.len(), 3);
            for row in &rows {
                check(row);
            }
        });
    }
}

/// Measurement rows (their region and side words written as they are) write the lines their
/// cells make: seeded random documents of every region and side, each number present or
/// not, of any sign, scale and size.
#[test]
fn measurement_rows_of_random_numbers_are_their_cells_lines() {
    use crate::decimal::Decimal;
    let mut next = crate::test_rng::splitmix(0x4D_EA5_0E5);
    let value = |next: &mut dyn FnMut() -> u64| {
        (next() % 4 != 0).then(|| {
            let digits = next() % 19;
            let mantissa = (next() % 10u64.pow(digits as u32).max(1)) as i64;
            let mantissa = if next() % 3 == 0 { -mantissa } else { mantissa };
            Decimal::from_parts(mantissa, (next() % 8) as u32).unwrap()
        })
    };
    let mut rows_written = 0;
    for case in 0..200 {
        let mut doc = Document {
            patient_id: "P1".into(),
            study_date: crate::date::Date::new(2024, 1, 2),
            ..Document::default()
        };
        for _ in 0..1 + next() % 8 {
            let region = Region::ALL[(next() % Region::ALL.len() as u64) as usize];
            let side = Laterality::ALL[(next() % Laterality::ALL.len() as u64) as usize];
            let mut m = Measurement::new(region, side, "Label");
            for slot in [
                &mut m.bmd,
                &mut m.bmc,
                &mut m.area,
                &mut m.t_score,
                &mut m.z_score,
                &mut m.pct_young_adult,
                &mut m.pct_age_matched,
            ] {
                *slot = value(&mut next);
            }
            doc.measurements.push(m);
        }
        let docs = vec![Ingested::new(case, format!("p{case}"), doc)];
        with_first_visit(&docs, crate::pseudonym::Ids::default(), "V0", |view| {
            let keys = measurement_keys(view, 0);
            for row in measurement_rows(view, 0, &keys) {
                check(&row);
                rows_written += 1;
            }
        });
    }
    assert!(rows_written > 500, "{rows_written}");
}

/// A visit's accession numbers: each distinct one once, in path order, trimmed, `;`-joined,
/// a `;` inside one written `,` (studies.csv and visits_wide.csv `accession_number`).
#[test]
fn accession_numbers_are_listed_once_each() {
    let docs: Vec<Ingested> = ["A1", " A1 ", "", "B;2;3", "C"]
        .into_iter()
        .enumerate()
        .map(|(i, number)| {
            let doc = Document {
                patient_id: "P1".into(),
                study_instance_uid: "1.2".into(),
                accession_number: number.into(),
                ..Document::default()
            };
            Ingested::new(i as u64, format!("p{i}"), doc)
        })
        .collect();
    assert_eq!(crate::visit::visits(&docs).len(), 1);
    let numbers = with_first_visit(&docs, crate::pseudonym::Ids::default(), "V0", |view| {
        view.accession_numbers()
    });
    assert_eq!(numbers, "A1;B,2,3;C");
}
