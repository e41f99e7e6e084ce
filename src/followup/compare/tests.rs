use super::*;

fn visit(date: &str, bmd: &str, serial: &str) -> Point {
    Point {
        patient_id: "P1".into(),
        family: Family::TotalHip,
        laterality: Laterality::Left,
        region: Region::TotalHip,
        study_date: Date::parse_da(date),
        content_time: None,
        seq: 0,
        sop_instance_uid: format!("1.{date}"),
        bmd: Decimal::parse(bmd).unwrap(),
        sbmd: None,
        manufacturer: "hologic".into(),
        device_serial: serial.into(),
        serial_raw: serial.into(),
        source: Source::Scanned,
        history_disagrees: None,
    }
}

fn outcomes(rows: &[FollowupRow]) -> Vec<&'static str> {
    rows.iter().map(|r| r.vs_prior).collect()
}

/// The rows of a series, without their point indices.
fn rows_of(series: &[Point], table: &LscTable) -> Vec<FollowupRow> {
    compare_series(series, table)
        .into_iter()
        .map(|(_, row)| row)
        .collect()
}

#[test]
fn loss_at_exactly_the_lsc_is_significant() {
    // Default total hip LSC 5.0 %: from 0.800, 5.0 % is 0.040 exactly.
    let series = [
        visit("20200101", "0.800", "A"),
        visit("20220101", "0.760", "A"),
    ];
    let rows = rows_of(&series, &LscTable::default());
    assert_eq!(outcomes(&rows), ["significant_loss"]);
    assert_eq!(rows[0].change_g_cm2, "-0.040");
    assert_eq!(rows[0].change_pct, "-5.00");
    assert_eq!(rows[0].lsc_pct, "5.0");
    assert_eq!(rows[0].lsc_source, "default");
    assert!(rows[0].note.contains("lsc_default"));
    // One thousandth less is stable; a gain of the LSC is significant.
    let series = [
        visit("20200101", "0.800", "A"),
        visit("20220101", "0.761", "A"),
    ];
    assert_eq!(
        outcomes(&rows_of(&series, &LscTable::default())),
        ["stable"]
    );
    let series = [
        visit("20200101", "0.800", "A"),
        visit("20220101", "0.840", "A"),
    ];
    assert_eq!(
        outcomes(&rows_of(&series, &LscTable::default())),
        ["significant_gain"]
    );
}

#[test]
fn three_studies_against_prior_and_baseline() {
    let series = [
        visit("20180101", "0.800", "A"),
        visit("20200101", "0.780", "A"),
        visit("20220101", "0.755", "A"),
    ];
    let rows = rows_of(&series, &LscTable::default());
    assert_eq!(rows.len(), 2);
    // 0.780 -> 0.755 = -0.025 (-3.21 %): stable vs prior; vs baseline -0.045 (-5.63 %).
    assert_eq!(rows[1].vs_prior, "stable");
    assert_eq!(rows[1].change_g_cm2, "-0.025");
    assert_eq!(rows[1].change_pct, "-3.21");
    assert_eq!(rows[1].vs_baseline, "significant_loss");
    assert_eq!(rows[1].change_vs_baseline_g_cm2, "-0.045");
    assert_eq!(rows[1].change_vs_baseline_pct, "-5.63");
    assert_eq!(rows[1].baseline_study_date, "2018-01-01");
    assert_eq!(rows[1].prior_study_date, "2020-01-01");
}

#[test]
fn device_change_is_not_comparable_but_shows_sbmd() {
    let mut before = visit("20200101", "0.800", "A");
    let mut after = visit("20220101", "0.700", "B");
    before.sbmd = Decimal::parse("812");
    after.sbmd = Decimal::parse("711");
    let rows = rows_of(&[before, after], &LscTable::default());
    assert_eq!(rows[0].vs_prior, "not_comparable");
    assert_eq!(rows[0].change_g_cm2, "");
    assert!(
        rows[0].note.contains("device differs (A -> B)"),
        "{}",
        rows[0].note
    );
    // (711 - 812) / 812 = -12.44 % -> -12.4.
    assert_eq!(rows[0].sbmd_change_pct, "-12.4");
}

#[test]
fn region_change_is_not_comparable() {
    let mut a = visit("20200101", "0.900", "A");
    let mut b = visit("20220101", "0.850", "A");
    a.family = Family::Spine;
    b.family = Family::Spine;
    a.region = Region::SpineL1L4;
    b.region = Region::SpineL2L4;
    let rows = rows_of(&[a.clone(), b.clone()], &LscTable::default());
    assert_eq!(rows[0].vs_prior, "not_comparable");
    assert!(rows[0].note.contains("spine_L1-L4 -> spine_L2-L4"));
    b.region = Region::SpineL1L4;
    let rows = rows_of(&[a, b], &LscTable::default());
    assert_eq!(rows[0].vs_prior, "significant_loss");
}

#[test]
fn fields_follow_the_columns() {
    let rows = rows_of(
        &[
            visit("20200101", "0.800", "A"),
            visit("20220101", "0.760", "A"),
        ],
        &LscTable::default(),
    );
    let fields = rows[0].fields();
    assert_eq!(fields.len(), FOLLOWUP_COLUMNS.len());
    let at = |name: &str| fields[FOLLOWUP_COLUMNS.iter().position(|c| *c == name).unwrap()];
    assert_eq!(at("region"), "total_hip");
    assert_eq!(at("prior_bmd_g_cm2"), "0.800");
    assert_eq!(at("vs_prior"), "significant_loss");
    assert_eq!(at("lsc_source"), "default");
    assert_eq!(at("baseline_study_date"), "2020-01-01");
    // Numbers stay numbers when made safe; only text from the files changes.
    let cells = rows[0].cells();
    let change = FOLLOWUP_COLUMNS
        .iter()
        .position(|c| *c == "change_g_cm2")
        .unwrap();
    assert_eq!(cells[change], "-0.040");
    // Plain text: every cell as its field, in the same place.
    let plain: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
    assert_eq!(plain, fields.to_vec());
    assert_eq!(cells.len(), FOLLOWUP_COLUMNS.len());
}

#[test]
fn history_is_a_prior_never_a_row_of_its_own_and_disagreements_are_said() {
    let mut h1 = visit("20190101", "0.820", "A");
    h1.source = Source::History;
    let mut h2 = visit("20210101", "0.800", "A");
    h2.source = Source::History;
    let mut now = visit("20230101", "0.760", "A");
    now.history_disagrees = Decimal::parse("0.765");
    let rows = compare_series(&[h1, h2, now], &LscTable::default());
    assert_eq!(rows.len(), 1, "only the scanned visit gets a row");
    let (at, row) = &rows[0];
    assert_eq!(*at, 2);
    let fields = row.fields();
    let cell = |name: &str| fields[FOLLOWUP_COLUMNS.iter().position(|c| *c == name).unwrap()];
    assert_eq!(cell("prior_source"), "scanner_history");
    assert_eq!(cell("baseline_source"), "scanner_history");
    assert_eq!(cell("prior_bmd_g_cm2"), "0.800");
    assert_eq!(cell("change_g_cm2"), "-0.040");
    assert!(
        cell("note").contains("history reports 0.765"),
        "{}",
        cell("note")
    );
}

#[test]
fn a_single_study_has_no_row() {
    assert!(rows_of(&[visit("20200101", "0.8", "A")], &LscTable::default()).is_empty());
}
