//! One pass over the data lines against reading with the file's proof known first.

use super::*;

/// The records of a file as the former reader read them: the file's proof first (its
/// values' decimal mark, its dates' order: `proven_order` of the date cells), then every
/// line read knowing it.
fn read_knowing_the_proof(bytes: &[u8], m: &Mapper) -> (Vec<Record>, cells::DecimalMark) {
    let decoded = Decoded::new(bytes);
    let (_, _, first) = decoded.lines().next().expect("a header");
    let header = header::header(first, m);
    let roles = &header.roles;
    let kind = record::kind(roles).expect("values");
    let mut evidence = cells::MarkEvidence::default();
    let mut dates = Vec::new();
    for (_, line, text) in decoded.lines().skip(1).take(MAX_ROWS) {
        if line != Line::Text || text.trim().is_empty() {
            continue;
        }
        for (i, cell) in cells::tab_cells(text).enumerate() {
            let cell = cells::scan(cell);
            match roles.get(i) {
                Some(Role::Value { .. } | Role::Diff { .. } | Role::Index(_)) => {
                    evidence.add_scan(&cell)
                }
                _ if i == header::MEASURE_DATE => dates.push(cell.text),
                _ => {}
            }
        }
    }
    let mark = evidence.mark().unwrap_or(cells::DecimalMark::Point);
    let order = crate::date::text::proven_order(dates.into_iter());
    let context = record::Context::new(roles, kind, mark, order, false);
    (pass(&decoded, &context, None).records, mark)
}

/// One pass, reading with a point and leaving ambiguous dates to the end, gives the records
/// the proof known first gives: generated files of every mark, date form and cell shape.
#[test]
fn one_pass_reads_as_the_proof_known_first() {
    let m = mapper();
    let header = "Last Name\tFirst Name\tPatient ID\tMeasure Date\tArm Right Fat Mass\t\
                  Arm Left Fat Mass\tArms Diff Fat Mass\tArms Fat Mass\tVAT Mass\tVAT Volume";
    let dates = [
        "03/05/2024",
        "11/21/2023",
        "21/11/2023",
        "12/12/2024",
        "02/30/2024",
        "13.01.2024",
        "2024-03-05",
        "03/05/2024 10:22",
        "1/2/2024",
        "",
        "x",
    ];
    let values = [
        "1.01 lbs",
        "1,010 lbs",
        "1,01 lbs",
        "-0.3 lbs",
        "2.7 lbs",
        "",
        "-",
        "12",
        "1.234 lbs",
        "x",
        "9.9 kg",
        "1.234,5 g",
        "29,60 in³",
        "29.60 in³",
        " 4.4 lbs ",
    ];
    let comma = [
        "1,01 lbs",
        "29,60 in³",
        "1.234,5 g",
        "1,010 lbs",
        "",
        "-",
        "12",
        "x",
    ];
    let mut next = crate::test_rng::splitmix(0x0DE_FE44);
    let pick = |next: &mut dyn FnMut() -> u64, from: &[&'static str]| {
        from[(next() % from.len() as u64) as usize]
    };
    let (mut marks, mut inferred) = ([0usize; 2], 0usize);
    for case in 0..3_000 {
        let mut lines = vec![header.to_string()];
        for _ in 0..1 + next() % 5 {
            let mut row = format!("A\tB\tP{}\t{}", next() % 3, pick(&mut next, &dates));
            for _ in 0..next() % 8 {
                row.push('\t');
                // Every other file without a point's evidence: most of them prove a comma.
                row.push_str(pick(
                    &mut next,
                    if case % 2 == 0 { &values } else { &comma },
                ));
            }
            lines.push(row);
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let bytes = utf16(&refs);
        let export = read(&bytes, &m).expect("read");
        let (expected, mark) = read_knowing_the_proof(&bytes, &m);
        assert_eq!(export.records, expected, "case {case}: {lines:?}");
        marks[usize::from(mark == cells::DecimalMark::Comma)] += 1;
        inferred += export
            .records
            .iter()
            .filter(|r| r.flags.contains(&EncoreFlag::MeasureDateOrderInferred))
            .count();
    }
    assert!(marks.iter().all(|n| *n > 300), "{marks:?}");
    assert!(inferred > 300, "{inferred}");
}
