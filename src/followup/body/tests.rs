use super::*;
use crate::vocabulary::Manufacturer;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

fn point<'a>(visit: &'a str, date: &str, device: BodyDevice<'a>, fat: &str) -> BodyPoint<'a> {
    let source = match device {
        BodyDevice::ExportFile(_) => BodySource::EncoreExport,
        _ => BodySource::HologicResultsDocument,
    };
    BodyPoint {
        visit_id: visit,
        patient_id: "P1".into(),
        study_date: Date::parse_da(date),
        content_time: None,
        seq: visit.bytes().map(u64::from).sum(),
        source,
        device_serial: match &device {
            BodyDevice::Scanner(_, serial) => Cow::Borrowed(*serial),
            _ => Cow::Borrowed(""),
        },
        device,
        values: BodyValues {
            total_fat_g: Some(d(fat)),
            total_lean_g: Some(d("40000.0")),
            almi_kg_m2: Some(d("6.63")),
            total_fat_pct: Some(d("32.1")),
        },
    }
}

fn scanner(serial: &str) -> BodyDevice<'_> {
    BodyDevice::Scanner(Some(Manufacturer::Hologic), serial)
}

fn export(path: &str) -> BodyDevice<'_> {
    BodyDevice::ExportFile(path)
}

#[test]
fn each_visit_against_the_previous_on_its_device_never_across() {
    // In no order: the rows sort them.
    let points = vec![
        point("C", "20240101", scanner("A1"), "21500.0"),
        point("B", "20230101", scanner("B2"), "30000"),
        point("A", "20220101", scanner("A1"), "20000.0"),
        point("E", "20260101", export("in/x.txt"), "19000"),
        point("D", "20250101", export("in/x.txt"), "19000"),
        point("F", "20270101", export("in/y.txt"), "18000"),
        point("G", "20280101", BodyDevice::Unknown, "17000"),
        point("H", "20290101", BodyDevice::Unknown, "17000"),
    ];
    let rows = body_rows(points);
    let pairs: Vec<(&str, &str)> = rows
        .iter()
        .map(|(_, r)| (r.visit_id.as_str(), r.prior_visit_id.as_str()))
        .collect();
    // B (another scanner) and F (another export file) start series of their own; G and H
    // (no serial) are compared with nothing, not even with each other.
    assert_eq!(pairs, [("C", "A"), ("E", "D")]);
    let c = &rows[0].1;
    assert_eq!(c.total_fat.change, Some(d("1500.0")), "skips B's 30000");
    assert_eq!(c.total_fat.change_pct, Some(d("7.50")));
    assert_eq!(c.total_lean.change, Some(d("0.0")));
    assert_eq!(c.total_lean.change_pct, Some(d("0.00")));
    assert_eq!(c.device_serial, "A1");
    assert_eq!(c.prior_study_date, Date::parse_da("20220101"));
    assert_eq!(rows[1].1.source, BodySource::EncoreExport);
    assert_eq!(rows[1].1.device_serial, "");
}

#[test]
fn a_value_missing_on_either_side_has_no_change() {
    let mut earlier = point("A", "20220101", scanner("A1"), "20000");
    let mut later = point("B", "20240101", scanner("A1"), "19000");
    earlier.values.almi_kg_m2 = None;
    later.values.total_fat_pct = Some(d("30.6"));
    later.values.total_lean_g = None;
    let rows = body_rows(vec![earlier, later]);
    assert_eq!(rows.len(), 1);
    let row = &rows[0].1;
    assert_eq!(row.almi.value, Some(d("6.63")));
    assert_eq!((row.almi.prior, row.almi.change), (None, None));
    assert_eq!(row.total_lean.change, None);
    assert_eq!(row.total_lean.prior, Some(d("40000.0")));
    // %fat in points: 30.6 - 32.1.
    assert_eq!(row.total_fat_pct.change, Some(d("-1.5")));
    assert_eq!(row.total_fat.change_pct, Some(d("-5.00")));
}

#[test]
fn a_scanner_and_an_export_are_never_one_device() {
    // An export file and a scanner's results document of one patient: never compared,
    // even when the export's path happened to equal a serial.
    let rows = body_rows(vec![
        point("A", "20220101", scanner("in/x.txt"), "20000"),
        point("B", "20240101", export("in/x.txt"), "19000"),
    ]);
    assert!(rows.is_empty(), "{rows:?}");
}

/// A point of a random patient among ones that share starts, hold 0 bytes or non-ASCII
/// text, with dates, content times and visit orders often equal.
fn random_point<'a>(visit: &'a str, next: &mut impl FnMut() -> u64) -> BodyPoint<'a> {
    const PATIENTS: [&str; 10] = [
        "P1", "P", "P1\0", "P1\0A", "P10", "", "\0", "Ü", "P1 ", "P2",
    ];
    let mut p = point(visit, "20240101", BodyDevice::Unknown, "1");
    p.patient_id = Cow::Borrowed(PATIENTS[(next() % PATIENTS.len() as u64) as usize]);
    p.study_date = match next() % 3 {
        0 => None,
        1 => Date::parse_da("20240101"),
        _ => Date::parse_da("20231231"),
    };
    p.content_time = match next() % 3 {
        0 => None,
        n => Some(Timestamp {
            date: Date::parse_da("20240101").unwrap(),
            micros: n * 1_000_000,
        }),
    };
    p.seq = next() % 3;
    p
}

/// `key_order` is the order of the points' `body_sort_key`s (20 000 seeded pairs), and
/// sorting by it is the stable sort by the keys that `body_rows` did (300 points, their
/// visit ids telling equal keys apart).
#[test]
fn points_are_ordered_as_their_sort_keys() {
    let mut next = crate::test_rng::splitmix(0xB0D1_50B7);
    let mut unequal = 0;
    for _ in 0..20_000 {
        let (a, b) = (random_point("A", &mut next), random_point("B", &mut next));
        let by_keys = body_sort_key(&a).cmp(&body_sort_key(&b));
        unequal += usize::from(by_keys.is_ne());
        assert_eq!(key_order(&a, &b), by_keys, "{a:?} {b:?}");
    }
    assert!(unequal > 15_000, "{unequal}");
    let names: Vec<String> = (0..300).map(|at| at.to_string()).collect();
    let mut points: Vec<BodyPoint<'_>> = names.iter().map(|n| random_point(n, &mut next)).collect();
    let mut by_keys = points.clone();
    by_keys.sort_by_key(body_sort_key);
    points.sort_by(key_order);
    assert_eq!(points, by_keys);
}
