//! The known run (`run::known_run`, by its columns' steps) against the former run (a
//! column's role and kept unit tested per cell, the unit compared byte by byte after its
//! spaces), on generated lines.

use std::sync::Arc;

use crate::bodycomp::units::conversion;
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, Field, IndexKind, Reading, RegionComposition,
};
use crate::carrier::encore::cells;
use crate::carrier::encore::column::{Column, KeptUnit};
use crate::carrier::encore::plan::Units;
use crate::carrier::encore::run::{DiffReading, known_run};

/// The former run (e22f112's `planned::known_run`), the reference.
fn former_run(
    bytes: &[u8],
    mut next: Option<usize>,
    mut column: usize,
    plan: (&[Column], &[Option<KeptUnit>]),
    composition: &mut BodyComposition,
    regions: &mut [RegionComposition],
    diffs: &mut Vec<DiffReading>,
) -> (Option<usize>, usize) {
    let (columns, units) = plan;
    while let Some(start) = next
        && let Some(&role) = columns.get(column)
    {
        if role == Column::Skip {
            next = cell_after(bytes, start);
            column += 1;
            continue;
        }
        match bytes.get(start) {
            None => {
                next = None;
                column += 1;
                continue;
            }
            Some(b'\t') => {
                next = Some(start + 1);
                column += 1;
                continue;
            }
            Some(_) => {}
        }
        if !matches!(role, Column::Value { .. } | Column::Diff { .. }) {
            break;
        }
        let Some(Some(kept)) = units.get(column) else {
            break;
        };
        if !kept.matchable {
            break;
        }
        let Some((written, after)) = cells::known_unit_at(bytes, start, kept.unit.as_bytes())
        else {
            break;
        };
        let Some(value) = kept.sorted.apply(written) else {
            break;
        };
        let reading = Reading {
            value,
            written,
            unit: composition.unit_id(&kept.unit),
        };
        match role {
            Column::Value {
                slot: at, field, ..
            } => *regions[usize::from(at)].slot(field) = Some(reading),
            Column::Diff { field, halves, .. } => diffs.push((halves, field, reading)),
            _ => unreachable!("a value or a Diff, tested above"),
        }
        next = after;
        column += 1;
    }
    (next, column)
}

fn cell_after(bytes: &[u8], start: usize) -> Option<usize> {
    let mut tab = start;
    while tab < bytes.len() && bytes[tab] != b'\t' {
        tab += 1;
    }
    (tab < bytes.len()).then_some(tab + 1)
}

/// Units a column may keep: the ones a file writes, none, longer than a tail holds, with
/// no conversion, and not matchable (white space around).
const UNITS: &[&str] = &[
    "lbs", "%", "g", "kg", "in³", "", "lb", "furlongs", "cm³", " lbs", "lbs ",
];

/// Cells: the plain shape in those units, with one space, two, none, near misses of the
/// unit and of its tab, other shapes, empty ones, characters beyond ASCII.
const CELLS: &[&str] = &[
    "0.4 lbs",
    "12.0 lbs",
    "-0.1 lbs",
    "147.0 lbs",
    "33.3%",
    "-0.1%",
    "1234 g",
    "45.3 kg",
    "29.60 in³",
    "1.5 cm³",
    "12",
    "",
    "",
    "0.4  lbs",
    "0.4lbs",
    "0.4 lbsx",
    "0.4 lb",
    "0.4 lbs ",
    "0.4 Lbs",
    "33.3 %",
    "33.3%%",
    "9.9 furlongs",
    "9.9 furlong",
    "1,234 lbs",
    "1.2.3 lbs",
    "-",
    ".5 lbs",
    "5. lbs",
    "--5 lbs",
    "+1.2 lbs",
    "1234567890123456789 g",
    "123456789012345678 g",
    "1.23456789012345678 lbs",
    "99999999999.5 lbs",
    "9.9 lbs\u{a0}",
    "9.9 lb\u{e9}",
    " 4.4 lbs",
    "x",
];

/// Cells of the plain shape in `unit` (none for a unit no cell is written in).
fn plain_in(unit: &str) -> &'static [&'static str] {
    match unit {
        "lbs" => &[
            "0.4 lbs",
            "12.0 lbs",
            "-0.1 lbs",
            "147.0 lbs",
            "7 lbs",
            "0.25 lbs",
        ],
        "%" => &["33.3%", "-0.1%", "0.0%"],
        "g" => &["1234 g", "-5 g"],
        "kg" => &["45.3 kg"],
        "in³" => &["29.60 in³"],
        "cm³" => &["1.5 cm³"],
        "furlongs" => &["9.9 furlongs"],
        "" => &["12", "-0.5"],
        _ => &[],
    }
}

/// Every line read by the run and by the former run, from its first cell and again after
/// each cell they stop at (as `build` reads that cell by its general path and calls the
/// run again), the columns' steps kept across the lines of a case (their tails learnt
/// and used): they stop at the same cell and column, and give the same regions, Diffs
/// and composition (`Debug`: each decimal's mantissa and scale).
#[test]
fn a_run_reads_as_the_former_run_reads() {
    let mut next = crate::test_rng::splitmix(0x0052_0A11);
    let (mut read, mut stops) = (0usize, 0usize);
    for case in 0..6_000 {
        let regions_made = 1 + (next() % 4) as u8;
        let columns: Vec<Column> = (0..1 + next() % 16)
            .map(|_| {
                let region = BodyRegion::ALL[(next() % BodyRegion::ALL.len() as u64) as usize];
                let field = Field::ALL[(next() % Field::ALL.len() as u64) as usize];
                let slot = (next() % u64::from(regions_made)) as u8;
                match next() % 10 {
                    0 => Column::Skip,
                    1 => Column::Evidence,
                    2 => Column::Index(
                        IndexKind::ALL[(next() % IndexKind::ALL.len() as u64) as usize],
                    ),
                    3 | 4 => Column::Diff {
                        region,
                        field,
                        halves: (next() % 4 != 0).then(|| {
                            let r = (next() % u64::from(regions_made)) as u8;
                            (r, (r + 1) % regions_made)
                        }),
                    },
                    _ => Column::Value {
                        region,
                        slot,
                        field,
                    },
                }
            })
            .collect();
        let mut units = Units::new(&columns);
        for (at, role) in columns.iter().enumerate() {
            // A few units per case, so that most columns share one (as a file's do).
            if next() % 6 == 0 {
                continue;
            }
            let unit =
                UNITS[(next() % if case % 2 == 0 { 3 } else { UNITS.len() as u64 }) as usize];
            let dimension = match role {
                Column::Value { field, .. } | Column::Diff { field, .. } => field.dimension(),
                _ => Field::Fat.dimension(),
            };
            let kept = KeptUnit::new(Arc::from(unit), conversion(unit, dimension));
            units.keep(at, *role, kept);
        }
        let made = || -> Vec<RegionComposition> {
            (0..regions_made)
                .map(|r| RegionComposition::new(BodyRegion::ALL[usize::from(r)], "x"))
                .collect()
        };
        for line in 0..1 + next() % 6 {
            let cells: Vec<&str> = (0..next() % (columns.len() as u64 + 3))
                .map(|at| {
                    // Nearly every cell of two lines in three plain in its column's unit.
                    let kept = units.kept.get(at as usize).and_then(Option::as_ref);
                    match kept.map(|kept| plain_in(&kept.unit)) {
                        Some(plain) if line % 3 != 2 && !plain.is_empty() && next() % 6 != 0 => {
                            plain[(next() % plain.len() as u64) as usize]
                        }
                        _ => CELLS[(next() % CELLS.len() as u64) as usize],
                    }
                })
                .collect();
            let text = cells.join("\t");
            let bytes = text.as_bytes();
            let (mut composition, mut former) = (
                BodyComposition::new(BodySource::EncoreExport),
                BodyComposition::new(BodySource::EncoreExport),
            );
            let (mut regions, mut former_regions) = (made(), made());
            let (mut diffs, mut former_diffs) = (Vec::new(), Vec::new());
            let (mut at, mut column) = (Some(0), 0);
            loop {
                let got = known_run(
                    bytes,
                    at,
                    column,
                    &mut units.steps,
                    &mut composition,
                    &mut regions,
                    &mut diffs,
                );
                let want = former_run(
                    bytes,
                    at,
                    column,
                    (&columns, &units.kept),
                    &mut former,
                    &mut former_regions,
                    &mut former_diffs,
                );
                assert_eq!(got, want, "case {case} line {line}: {text:?} {columns:?}");
                read += got.1 - column;
                (at, column) = got;
                let Some(start) = at else { break };
                if column >= columns.len() {
                    break;
                }
                stops += 1;
                at = cell_after(bytes, start);
                column += 1;
            }
            assert_eq!(
                format!("{composition:?} {regions:?} {diffs:?}"),
                format!("{former:?} {former_regions:?} {former_diffs:?}"),
                "case {case} line {line}: {text:?} {columns:?}"
            );
        }
    }
    // Both paths taken often: cells read by the run, and cells it stops at.
    assert!(
        read > 20_000 && stops > 40_000,
        "read {read}, stopped {stops}"
    );
}
