use super::*;

#[test]
fn ordered_keys_sort_like_the_numbers() {
    let mut values = [-800_000i64, -1, 0, 1, 19_000, i64::MIN, i64::MAX];
    let mut keys: Vec<[u8; 8]> = values.iter().map(|&v| ordered(v)).collect();
    values.sort_unstable();
    keys.sort_unstable();
    let back: Vec<[u8; 8]> = values.iter().map(|&v| ordered(v)).collect();
    assert_eq!(keys, back);
}

#[test]
fn a_borrowed_record_is_written_as_the_record() {
    let date = Date::parse_da("20240229").unwrap();
    let person = Person {
        source_value: "HOL,\"1".into(),
        gender_source_value: "F".into(),
        gender_concept_id: 8532,
        year_of_birth: -3,
        period_start: date,
        period_end: date,
    };
    let measurement = Measurement {
        concept_id: 3_000_000,
        value: Some(Decimal::parse("-2.10").unwrap()),
        unit_concept_id: None,
        source_value: "femoral_neck/left t_score".into(),
        unit_source_value: String::new(),
        value_source_value: "-2.10".into(),
    };
    let pairs = [
        (RecordRef::Person(&person), Record::Person(person.clone())),
        (
            RecordRef::Visit {
                visit_id: "V1",
                date,
            },
            Record::Visit {
                visit_id: "V1".into(),
                date,
            },
        ),
        (
            RecordRef::Measurement(&measurement),
            Record::Measurement(measurement.clone()),
        ),
    ];
    for (borrowed, owned) in pairs {
        let bytes = postcard::to_allocvec(&borrowed).unwrap();
        assert_eq!(bytes, postcard::to_allocvec(&owned).unwrap());
        assert_eq!(postcard::from_bytes::<Record>(&bytes).unwrap(), owned);
    }
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
        write::text_field(&mut ours, field);
        let mut theirs = crate::output::csv_rows_writer(Vec::new());
        theirs.write_record([field, "x"]).unwrap();
        let theirs = theirs.into_inner().unwrap();
        assert_eq!([ours.as_slice(), b",x\n"].concat(), theirs, "{field:?}");
    }
}
