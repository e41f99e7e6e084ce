//! The planned reader (`planned::build`, by the header's `plan::Plan`) against the reading
//! from cut cells (`record::build`), on generated files.

use super::*;

/// Header cells a Total Body Comp file could hold: values of every field of a few regions,
/// their Diffs, a region named by another label, an index, a bone column, known columns
/// not read, unknown ones.
const HEADERS: &[&str] = &[
    "Arm Right Fat Mass",
    "Arm Left Fat Mass",
    "Arms Fat Mass",
    "Arms Diff Fat Mass",
    "Arm Right Lean Mass",
    "Arm Left Lean Mass",
    "Arms Diff Lean Mass",
    "Total Total Mass",
    "Total Right Total Mass",
    "Total Left Total Mass",
    "Total Diff Total Mass",
    "Total Region %Fat",
    "Trunk Tissue %Fat",
    "TBLH Bone Mass",
    "Leg Left Fat-Free Mass",
    "Legs Diff Fat-Free Mass",
    "Leg Right Fat-Free Mass",
    "Android Tissue Mass",
    "VAT Mass",
    "VAT Volume",
    "Total BMD",
    "TBW Device",
    "Shoe Size",
    "Total Fat Mass",
    "Arm Right Fat",
    "R Arm Lean Mass",
];

/// Cells: the plain shape in the units a file writes (and some it does not), empty ones,
/// the other shapes (groups, commas, signs, marks twice, too many digits, too long), white
/// space around, characters beyond ASCII.
const CELLS: &[&str] = &[
    "0.4 lbs",
    "12.0 lbs",
    "-0.1 lbs",
    "147.0 lbs",
    "2.7 lbs",
    "33.3%",
    "-0.1%",
    "0.0%",
    "1234 g",
    "1234.5 g",
    "45.3 kg",
    "29.60 in³",
    "12",
    "",
    "-",
    " 4.4 lbs ",
    "4.4  lbs",
    "4.4\tlbs",
    "1,234 lbs",
    "1,01 lbs",
    "1.234,5 g",
    "+1.2 lbs",
    "1.2.3 lbs",
    "1-2 lbs",
    ".5 lbs",
    "5. lbs",
    "--5 lbs",
    "1234567890123456789 g",
    "123456789012345678 g",
    "1.23456789012345678 g",
    "9.9 furlongs",
    "9.9 lbs\u{a0}",
    "\u{a0}9.9 lbs",
    "9.9 lb\u{e9}",
    "x",
    "12345678901234567890123456789012345678901234567890123456789012345 g",
];

const DATES: &[&str] = &[
    "06/14/2024",
    "03/05/2024",
    "21/11/2023",
    "",
    "x",
    "13.01.2024",
];

#[test]
fn a_planned_line_is_read_as_record_build_reads_it() {
    let m = mapper();
    let identity = ["Last Name", "First Name", "Patient ID", "Measure Date"];
    let mut next = crate::test_rng::splitmix(0x0091_A22E);
    let pick = |next: &mut dyn FnMut() -> u64, from: &[&'static str]| {
        from[(next() % from.len() as u64) as usize]
    };
    let (mut planned, mut read) = (0, 0);
    for case in 0..4_000 {
        let mut header: Vec<&str> = identity.to_vec();
        for _ in 0..1 + next() % 14 {
            header.push(pick(&mut next, HEADERS));
        }
        let header = header.join("\t");
        let mut lines = vec![header.clone()];
        for _ in 0..1 + next() % 4 {
            let mut row = vec![
                "A".to_string(),
                "B".into(),
                format!("P{}", next() % 3),
                pick(&mut next, DATES).into(),
            ];
            let cells = header.split('\t').count() as u64 + 2;
            // Short and long rows too; nearly every cell of a few files plain.
            let plain = case % 3 == 0;
            for _ in 4..(next() % (cells + 1)).max(if case % 2 == 0 { cells - 2 } else { 0 }) {
                let cell = if plain && next() % 8 != 0 {
                    pick(&mut next, &CELLS[..12])
                } else {
                    pick(&mut next, CELLS)
                };
                row.push(cell.into());
            }
            if next() % 10 == 0 {
                row.truncate(2 + (next() % 3) as usize);
            }
            lines.push(row.join("\t"));
            if next() % 10 == 0 {
                lines.push(String::new());
            }
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let bytes = utf16(&refs);
        let all = |planned: bool| {
            let mut records = Vec::new();
            let summary = read_each_planned(&bytes, &m, planned, |r| records.push(r));
            // Debug shows each decimal's mantissa and scale (`==` compares values only).
            format!("{summary:?} {records:?}")
        };
        assert_eq!(all(true), all(false), "case {case}: {lines:?}");
        if plan::of(&header::header(&header, &m)).is_some() {
            planned += 1;
        }
        read += usize::from(read_each(&bytes, &m, |_| {}).is_ok());
    }
    assert!(
        planned > 1_500 && read > 1_500,
        "{planned} planned, {read} read"
    );
}

/// The plan of a composition header whose region is named by two labels, or whose value
/// is named twice, is none (its lines are read by `record::build`); a header of another
/// kind has none.
#[test]
fn a_plan_only_where_its_reading_is_record_builds() {
    let m = mapper();
    let plan = |columns: &str| {
        let line = format!("Last Name\tFirst Name\tPatient ID\tMeasure Date\t{columns}");
        plan::of(&header::header(&line, &m)).is_some()
    };
    assert!(plan(
        "Arm Right Fat Mass\tArm Right Lean Mass\tArms Diff Fat Mass"
    ));
    assert!(plan("Arm Right Fat Mass\tVAT Mass\tTotal BMD\tShoe Size"));
    assert!(
        plan("Arm Right Fat Mass\tArm Right Fat Mass "),
        "a header twice: ignored"
    );
    assert!(!plan("Arm Right Fat Mass\tArm Right Fat"), "a value twice");
    assert!(
        !plan("Arm Right Fat Mass\tR Arm Lean Mass"),
        "a region by two labels"
    );
    assert!(!plan("VAT Mass\tVAT Volume"), "CoreScan");
    assert!(!plan("Total BMD\tTotal BMC"), "Total Body");
}

/// `diff::disagrees`, whose mantissas' shortcut skips the decimals' arithmetic, against
/// that arithmetic alone (`Line::check_diffs` before the shortcut) on generated readings of
/// one scale and of mixed scales, units and magnitudes (an overflow among them); and with
/// the roundings kept across the readings (`diff::Roundings`, as the planned reader keeps
/// them), not worked out for each.
#[test]
fn a_diff_disagrees_as_the_decimals_arithmetic_says() {
    use crate::bodycomp::Reading;
    use crate::decimal::Decimal;
    fn former(
        right: &Reading,
        left: &Reading,
        diff: &Reading,
        field: Field,
        units: &[std::sync::Arc<str>],
    ) -> bool {
        let Some(difference) = right
            .value
            .checked_sub(left.value)
            .and_then(|d| d.checked_sub(diff.value))
        else {
            return false;
        };
        if difference.to_parts().0 == 0 {
            return false;
        }
        let dimension = field.dimension();
        let allowed = [right, left, diff]
            .iter()
            .try_fold(Decimal::from_parts(0, 0).expect("zero"), |sum, r| {
                sum.checked_add(r.rounding(dimension, units))
            });
        let Some(allowed) = allowed else {
            return false;
        };
        let zero = Decimal::from_parts(0, 0).expect("zero");
        let magnitude = if difference < zero {
            zero.checked_sub(difference).unwrap_or(difference)
        } else {
            difference
        };
        magnitude > allowed
    }
    let mut next = crate::test_rng::splitmix(0x0D1F_F5A5);
    // Shared units, as a file's readings hold them: the kept roundings are found again.
    let units: Vec<std::sync::Arc<str>> = ["lbs", "g", "%", "kg", ""]
        .into_iter()
        .map(Into::into)
        .collect();
    let mut roundings = diff::Roundings::default();
    let (mut agreeing, mut disagreeing) = (0, 0);
    for case in 0..40_000 {
        let scale = (next() % 3) as u32;
        let big = if case % 100 < 2 { i64::MAX / 2 } else { 10_000 };
        let left = (next() % (2 * big as u64)) as i64 - big;
        let diff = (next() % 200) as i64 - 100;
        let mut right = left + diff + (next() % 5) as i64 - 2;
        if case % 100 == 1 {
            // Right - Left beyond an i64.
            right = i64::MAX - (next() % 100) as i64;
        }
        let mut reading = |mantissa: i64| {
            let scale = if case % 4 == 0 {
                (next() % 3) as u32
            } else {
                scale
            };
            // A third of the cases' three readings of one unit and written scale (a Diff's
            // are: `disagrees_within` works their rounding out once).
            let unit = if case % 3 == 0 {
                case / 3 % units.len()
            } else {
                (next() % units.len() as u64) as usize
            };
            let written_scale = if case % 3 == 0 || case % 5 != 0 {
                1
            } else {
                (next() % 3) as u32
            };
            let written = Decimal::from_parts(mantissa / 10, written_scale).expect("scale");
            Reading {
                value: Decimal::from_parts(mantissa, scale).expect("scale"),
                written,
                unit: crate::bodycomp::UnitId::new(unit).expect("a small index"),
            }
        };
        let (right, left, diff) = (reading(right), reading(left), reading(diff));
        let field = [Field::Fat, Field::FatPct][(next() % 2) as usize];
        let expected = former(&right, &left, &diff, field, &units);
        assert_eq!(
            diff::disagrees(&right, &left, &diff, field, &units),
            expected,
            "case {case}: {right:?} {left:?} {diff:?}"
        );
        let dimension = field.dimension();
        assert_eq!(
            diff::disagrees_within(&right, &left, &diff, |r| {
                roundings.of(r, &units, dimension)
            }),
            expected,
            "case {case}, the roundings kept: {right:?} {left:?} {diff:?}"
        );
        if expected {
            disagreeing += 1;
        } else {
            agreeing += 1;
        }
    }
    assert!(
        agreeing > 5_000 && disagreeing > 5_000,
        "{agreeing} {disagreeing}"
    );
}
