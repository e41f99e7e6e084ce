use super::*;
use crate::vocabulary::Manufacturer;

fn visit<'a>(date: &str, bmd: &str, serial: &'a str) -> Point<'a> {
    Point {
        visit_id: "V1",
        patient_id: "P1".into(),
        family: Family::TotalHip,
        laterality: Laterality::Left,
        region: Region::TotalHip,
        study_date: Date::parse_da(date),
        content_time: None,
        seq: 0,
        sop_instance_uid: format!("1.{date}").into(),
        bmd: Decimal::parse(bmd).unwrap(),
        sbmd: None,
        manufacturer: Some(Manufacturer::Hologic),
        device_serial: serial.into(),
        serial_raw: serial,
        source: Source::Scanned,
        history_disagrees: None,
    }
}

fn outcomes(rows: &[FollowupRow<'_>]) -> Vec<Verdict> {
    rows.iter().map(|r| r.vs_prior.verdict).collect()
}

fn d(text: &str) -> Decimal {
    Decimal::parse(text).unwrap()
}

/// The rows of a series, without their point indices.
fn rows_of<'a>(series: &[Point<'a>], table: &LscTable) -> Vec<FollowupRow<'a>> {
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
    assert_eq!(outcomes(&rows), [Verdict::SignificantLoss]);
    assert_eq!(rows[0].vs_prior.change, Some(d("-0.040")));
    assert_eq!(rows[0].vs_prior.change_pct, Some(d("-5.00")));
    assert_eq!(rows[0].lsc, Lsc::Percent(d("5.0")));
    assert_eq!(rows[0].lsc_source, LscSource::Default);
    assert!(rows[0].notes.contains(&FollowupNote::LscDefault));
    // One thousandth less is stable; a gain of the LSC is significant.
    let series = [
        visit("20200101", "0.800", "A"),
        visit("20220101", "0.761", "A"),
    ];
    assert_eq!(
        outcomes(&rows_of(&series, &LscTable::default())),
        [Verdict::Stable]
    );
    let series = [
        visit("20200101", "0.800", "A"),
        visit("20220101", "0.840", "A"),
    ];
    assert_eq!(
        outcomes(&rows_of(&series, &LscTable::default())),
        [Verdict::SignificantGain]
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
    assert_eq!(rows[1].vs_prior.verdict, Verdict::Stable);
    assert_eq!(rows[1].vs_prior.change, Some(d("-0.025")));
    assert_eq!(rows[1].vs_prior.change_pct, Some(d("-3.21")));
    assert_eq!(rows[1].vs_baseline.verdict, Verdict::SignificantLoss);
    assert_eq!(rows[1].vs_baseline.change, Some(d("-0.045")));
    assert_eq!(rows[1].vs_baseline.change_pct, Some(d("-5.63")));
    assert_eq!(rows[1].baseline_study_date, Date::parse_da("20180101"));
    assert_eq!(rows[1].prior_study_date, Date::parse_da("20200101"));
}

#[test]
fn device_change_is_not_comparable_but_shows_sbmd() {
    let mut before = visit("20200101", "0.800", "A");
    let mut after = visit("20220101", "0.700", "B");
    before.sbmd = Decimal::parse("812");
    after.sbmd = Decimal::parse("711");
    let rows = rows_of(&[before, after], &LscTable::default());
    assert_eq!(rows[0].vs_prior.verdict, Verdict::NotComparable);
    assert_eq!(rows[0].vs_prior.change, None);
    assert_eq!(
        rows[0].notes[0],
        FollowupNote::VsPrior(NotComparable::Device("A".into(), "B".into())),
    );
    // (711 - 812) / 812 = -12.44 % -> -12.4.
    assert_eq!(rows[0].sbmd_change_pct, Some(d("-12.4")));
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
    assert_eq!(rows[0].vs_prior.verdict, Verdict::NotComparable);
    assert_eq!(
        rows[0].notes[0],
        FollowupNote::VsPrior(NotComparable::Region(Region::SpineL1L4, Region::SpineL2L4)),
    );
    b.region = Region::SpineL1L4;
    let rows = rows_of(&[a, b], &LscTable::default());
    assert_eq!(rows[0].vs_prior.verdict, Verdict::SignificantLoss);
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
    assert_eq!(row.prior_source, Source::History);
    assert_eq!(row.baseline_source, Source::History);
    assert_eq!(row.prior_bmd, d("0.800"));
    assert_eq!(row.vs_prior.change, Some(d("-0.040")));
    assert!(
        row.notes.contains(&FollowupNote::HistoryDisagrees {
            reported: d("0.765"),
            date: Date::parse_da("20230101"),
            visit: d("0.760"),
        }),
        "{:?}",
        row.notes
    );
}

#[test]
fn a_single_study_has_no_row() {
    assert!(rows_of(&[visit("20200101", "0.8", "A")], &LscTable::default()).is_empty());
}
