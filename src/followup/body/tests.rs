use super::*;
use crate::vocabulary::Manufacturer;

fn d(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

fn point(visit: &str, date: &str, device: BodyDevice, fat: &str) -> BodyPoint {
    let source = match device {
        BodyDevice::ExportFile(_) => BodySource::EncoreExport,
        _ => BodySource::HologicResultsDocument,
    };
    BodyPoint {
        visit_id: visit.into(),
        patient_id: "P1".into(),
        study_date: Date::parse_da(date),
        content_time: None,
        seq: visit.bytes().map(u64::from).sum(),
        source,
        device_serial: match &device {
            BodyDevice::Scanner(_, serial) => serial.clone(),
            _ => String::new(),
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

fn scanner(serial: &str) -> BodyDevice {
    BodyDevice::Scanner(Some(Manufacturer::Hologic), serial.into())
}

#[test]
fn each_visit_against_the_previous_on_its_device_never_across() {
    let export = |path: &str| BodyDevice::ExportFile(path.into());
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
        point(
            "B",
            "20240101",
            BodyDevice::ExportFile("in/x.txt".into()),
            "19000",
        ),
    ]);
    assert!(rows.is_empty(), "{rows:?}");
}
