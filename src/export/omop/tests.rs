use super::*;
use crate::decimal::Decimal;
use crate::store::Runs;

#[test]
fn ordered_keys_sort_like_the_numbers() {
    let mut values = [-800_000i64, -1, 0, 1, 19_000, i64::MIN, i64::MAX];
    let mut keys: Vec<[u8; 8]> = values.iter().map(|&v| ordered(v)).collect();
    values.sort_unstable();
    keys.sort_unstable();
    let back: Vec<[u8; 8]> = values.iter().map(|&v| ordered(v)).collect();
    assert_eq!(keys, back);
}

/// The rows the records make, as the contract's csv writer writes their fields one by one.
#[test]
fn records_make_the_rows_the_csv_writer_writes_field_by_field() {
    let date = Date::parse_da("20240229").unwrap();
    let person = Person {
        source_value: "HOL,\"1".into(),
        gender_source_value: "F".into(),
        gender_concept_id: 8532,
        year_of_birth: -3,
        period_start: date,
        period_end: Date::parse_da("20250301").unwrap(),
    };
    let measurements = [
        Measurement {
            concept_id: 3_000_000,
            value: Some(Decimal::parse("-2.10").unwrap()),
            unit_concept_id: None,
            source_value: "femoral_neck/left t_score".into(),
            unit_source_value: String::new(),
            value_source_value: "-2.10".into(),
        },
        Measurement {
            concept_id: 0,
            value: None,
            unit_concept_id: Some(8554),
            source_value: "a \"quoted\", text".into(),
            unit_source_value: "%".into(),
            value_source_value: "<1.0".into(),
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    let runs = Runs::new(dir.path()).unwrap();
    let mut run = RunBuf::default();
    let mut record = Vec::new();
    let mut push = |run: &mut RunBuf, key: u8, fill: &dyn Fn(&mut Vec<u8>)| {
        record.clear();
        fill(&mut record);
        run.push(vec![key], &record);
    };
    push(&mut run, 0, &|r| record::person_record(r, &person));
    push(&mut run, 1, &|r| record::visit_record(r, "V,1", date));
    for (i, m) in measurements.iter().enumerate() {
        push(&mut run, 2 + i as u8, &|r| {
            record::measurement_record(r, date, m)
        });
    }
    push(&mut run, 9, &|r| record::visit_record(r, "V2", date));
    runs.append(run).unwrap();
    let out = dir.path().join("omop");
    let counts = write_omop(runs, &out, false).unwrap();
    assert_eq!(
        (counts.persons, counts.visits, counts.measurements),
        (1, 2, 2)
    );
    let csv = |rows: &[Vec<&str>]| {
        let mut writer = crate::output::csv_rows_writer(Vec::new());
        for row in rows {
            writer.write_record(row).unwrap();
        }
        String::from_utf8(writer.into_inner().unwrap()).unwrap()
    };
    let file = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let header = |columns: &[&'static str]| columns.to_vec();
    let e = "";
    let expected_person = csv(&[
        header(write::PERSON_COLUMNS),
        vec![
            "1", "8532", "-3", e, e, e, "0", "0", e, e, e, "HOL,\"1", "F", e, e, e, e, e,
        ],
    ]);
    assert_eq!(file("person.csv"), expected_person);
    let expected_period = csv(&[
        header(write::OBSERVATION_PERIOD_COLUMNS),
        vec!["1", "1", "2024-02-29", "2025-03-01", "32882"],
    ]);
    assert_eq!(file("observation_period.csv"), expected_period);
    let visit = |id, source| {
        vec![
            id,
            "1",
            "9202",
            "2024-02-29",
            e,
            "2024-02-29",
            e,
            "32827",
            e,
            e,
            source,
            e,
            e,
            e,
            e,
            e,
            e,
        ]
    };
    let expected_visits = csv(&[
        header(write::VISIT_OCCURRENCE_COLUMNS),
        visit("1", "V,1"),
        visit("2", "V2"),
    ]);
    assert_eq!(file("visit_occurrence.csv"), expected_visits);
    let expected_measurements = csv(&[
        header(write::MEASUREMENT_COLUMNS),
        vec![
            "1",
            "1",
            "3000000",
            "2024-02-29",
            e,
            e,
            "32827",
            e,
            "-2.10",
            e,
            e,
            e,
            e,
            e,
            "1",
            e,
            "femoral_neck/left t_score",
            "3000000",
            e,
            e,
            "-2.10",
            e,
            e,
        ],
        vec![
            "2",
            "1",
            "0",
            "2024-02-29",
            e,
            e,
            "32827",
            e,
            e,
            e,
            "8554",
            e,
            e,
            e,
            "1",
            e,
            "a \"quoted\", text",
            "0",
            "%",
            e,
            "<1.0",
            e,
            e,
        ],
    ]);
    assert_eq!(file("measurement.csv"), expected_measurements);
}

#[test]
fn text_fields_are_quoted_as_the_csv_writer_quotes_them() {
    let fields = [
        "",
        "plain",
        "a,b",
        "say \"hi\"",
        "cr\rhere",
        "lf\nhere",
        "é ü",
        "#1",
        " x ",
    ];
    let mut ours = Vec::new();
    for field in fields {
        ours.clear();
        crate::output::table::append_field(&mut ours, field.as_bytes());
        let mut theirs = crate::output::csv_rows_writer(Vec::new());
        theirs.write_record([field, "x"]).unwrap();
        let theirs = theirs.into_inner().unwrap();
        assert_eq!([ours.as_slice(), b",x\n"].concat(), theirs, "{field:?}");
    }
}

#[test]
fn person_keys_sort_as_the_ids_hex_did_and_none_begins_another() {
    let hex_key = |id: &str| {
        let mut key = hex::encode(id.as_bytes()).into_bytes();
        key.push(0);
        key
    };
    let pieces = [
        "", "\0", "\u{1}", "\u{2}", "a", "C001", "\u{7f}", "é", "\u{ffff}",
    ];
    let mut ids = Vec::new();
    for a in pieces {
        for b in pieces {
            for c in pieces {
                ids.push(format!("{a}{b}{c}"));
            }
        }
    }
    for a in &ids {
        for b in &ids {
            let (ka, kb) = (person_key(a), person_key(b));
            assert_eq!(ka.cmp(&kb), hex_key(a).cmp(&hex_key(b)), "{a:?} {b:?}");
            if a != b {
                assert!(!kb.starts_with(&ka), "{a:?} begins {b:?}");
            }
        }
    }
}
