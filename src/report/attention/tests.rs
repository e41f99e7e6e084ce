//! The attention list: its criteria, order, cap and merge.

use super::*;

fn row(patient: &str, date: Option<(u16, u8, u8)>, seq: u64) -> AttentionRow {
    AttentionRow {
        patient: patient.to_string(),
        date: date.map(|(year, month, day)| Date { year, month, day }),
        classification: "osteoporosis",
        min_t: Decimal::parse("-2.7"),
        min_z: Decimal::parse("-1.0"),
        concerns: vec![Concern::Osteoporosis],
        losses: Vec::new(),
        seq,
    }
}

fn series() -> Vec<TrendSeries> {
    vec![TrendSeries {
        family: Family::TotalHip,
        side: Laterality::Left,
        lsc: (
            Lsc::Percent(Decimal::parse("5.0").expect("decimal")),
            LscSource::Default,
        ),
        lsc_g_cm2: Decimal::parse("0.040"),
        points: Vec::new(),
    }]
}

#[test]
fn points_are_small_and_round_like_the_csvs() {
    assert!(std::mem::size_of::<TrendPoint>() <= 12);
    let milli = |t: &str| TrendPoint::milli(Decimal::parse(t).expect("decimal"));
    assert_eq!(milli("0.8"), 800);
    assert_eq!(milli("0.8765"), 877);
    assert_eq!(milli("0.8764"), 876);
    assert_eq!(milli("1.0005"), 1001);
}

#[test]
fn lsc_texts() {
    let mut series = series().remove(0);
    assert_eq!(series.lsc_text(), "5.0 % of the first BMD (ISCD default)");
    series.lsc = (
        Lsc::Grams(Decimal::parse("0.02").expect("decimal")),
        LscSource::File,
    );
    assert_eq!(series.lsc_text(), "0.020 g/cm² (--lsc file)");
}

#[test]
fn criteria() {
    use AssessmentFlag as F;
    use Classification as C;
    assert_eq!(concerns_of(C::Osteoporosis, &[]), [Concern::Osteoporosis]);
    assert_eq!(concerns_of(C::Osteopenia, &[]), []);
    assert_eq!(concerns_of(C::Normal, &[F::TNearOsteoporosisThreshold]), []);
    assert_eq!(
        concerns_of(C::Osteopenia, &[F::ZScoreAtOrBelowMinus2]),
        [Concern::LowZ]
    );
    assert_eq!(
        concerns_of(C::BelowExpectedRangeForAge, &[]),
        [Concern::LowZ]
    );
    assert_eq!(concerns_of(C::WithinExpectedRangeForAge, &[]), []);
    assert_eq!(
        concerns_of(
            C::Osteoporosis,
            &[F::SpineVertebraDiscordant, F::ZScoreAtOrBelowMinus2]
        ),
        [
            Concern::Osteoporosis,
            Concern::LowZ,
            Concern::DiscordantVertebrae
        ]
    );
    assert_eq!(
        concerns_of(C::Osteopenia, &[F::FraxAboveTreatmentThreshold]),
        [Concern::FraxAboveThreshold]
    );
}

/// The page's hints name the CSVs' own words: the flags as studies.csv spells them.
#[test]
fn filters_name_the_csv_words() {
    assert_eq!(
        Concern::LowZ.csv_filter(),
        "studies.csv: flags contains z_score_le_-2, or classification = \
         below_expected_range_for_age"
    );
    assert_eq!(
        Concern::SignificantLoss.csv_filter(),
        "followup.csv: vs_prior = significant_loss, or vs_prior = not_comparable and \
         vs_baseline = significant_loss"
    );
    assert_eq!(
        Concern::FraxAboveThreshold.csv_filter(),
        "studies.csv: flags contains frax_above_treatment_threshold"
    );
}

#[test]
fn order_is_newest_first_then_patient_then_path() {
    let mut rows = [
        row("B", Some((2020, 1, 1)), 5),
        row("A", None, 1),
        row("A", Some((2020, 1, 1)), 9),
        row("C", Some((2023, 6, 1)), 2),
        row("A", Some((2020, 1, 1)), 3),
    ];
    rows.sort_by(row_order);
    let order: Vec<(&str, u64)> = rows.iter().map(|r| (r.patient.as_str(), r.seq)).collect();
    assert_eq!(order, [("C", 2), ("A", 3), ("A", 9), ("B", 5), ("A", 1)]);
}

/// The capped merge keeps the first rows of the whole run in any merge order.
#[test]
fn merge_is_deterministic_and_capped() {
    let parts: Vec<Attention> = (0..4u64)
        .map(|p| {
            let mut part = Attention::default();
            for i in 0..(ATTENTION_CAP as u64) {
                let day = ((i * 7 + p * 3) % 28 + 1) as u8;
                let patient = format!("P{p}-{i:04}");
                part.trends.insert(patient.clone(), series());
                part.add(row(
                    &patient,
                    Some((2000 + (i % 20) as u16, 1, day)),
                    p * 1000 + i,
                ));
            }
            part.cap();
            part
        })
        .collect();
    let mut forward = Attention::default();
    for part in parts.iter().cloned() {
        forward.merge(part);
    }
    let mut backward = Attention::default();
    for part in parts.iter().rev().cloned() {
        backward.merge(part);
    }
    assert_eq!(forward, backward);
    assert_eq!(forward.rows.len(), ATTENTION_CAP);
    assert_eq!(forward.visits, 4 * ATTENTION_CAP as u64);
    assert_eq!(forward.not_listed(), 3 * ATTENTION_CAP as u64);
    assert_eq!(forward.by_concern[&Concern::Osteoporosis], forward.visits);
    // The kept rows are the first of all rows in the table's order.
    let mut all: Vec<AttentionRow> = parts.iter().flat_map(|p| p.rows.clone()).collect();
    all.sort_by(row_order);
    all.truncate(ATTENTION_CAP);
    assert_eq!(forward.rows, all);
    // Every listed patient has its series, and no other patient's is kept.
    let listed: BTreeSet<&str> = forward.rows.iter().map(|r| r.patient.as_str()).collect();
    assert_eq!(forward.trends.len(), listed.len());
    assert!(forward.trends.keys().all(|p| listed.contains(p.as_str())));
}

/// Parts of a few rows each (put in place one by one) give the same table, series and
/// counts as sorting all rows at once, in any merge order, ties included.
#[test]
fn merge_of_small_parts_equals_one_sort() {
    let parts: Vec<Attention> = (0..(3 * ATTENTION_CAP as u64))
        .map(|p| {
            let mut part = Attention::default();
            for i in 0..(p % 3) {
                let patient = format!("P{:04}", p % 97);
                part.trends.insert(patient.clone(), series());
                // Few distinct dates: many rows tie on the date.
                let day = ((p + i) % 5 + 1) as u8;
                part.add(row(&patient, Some((2010, 1, day)), p * 10 + i));
            }
            part.cap();
            part
        })
        .collect();
    let mut forward = Attention::default();
    for part in parts.iter().cloned() {
        forward.merge(part);
    }
    let mut backward = Attention::default();
    for part in parts.iter().rev().cloned() {
        backward.merge(part);
    }
    // As a run adds its partitions: only each part's rows checked for order.
    let mut by_parts = Attention::default();
    for part in parts.iter().cloned() {
        by_parts.merge_part(part);
    }
    assert_eq!(by_parts, forward);
    let mut all: Vec<AttentionRow> = parts.iter().flat_map(|p| p.rows.clone()).collect();
    all.sort_by(row_order);
    all.truncate(ATTENTION_CAP);
    assert_eq!(forward.rows, all);
    assert_eq!(forward, backward);
    let listed: BTreeSet<&str> = forward.rows.iter().map(|r| r.patient.as_str()).collect();
    assert_eq!(forward.trends.len(), listed.len());
    assert!(forward.trends.keys().all(|p| listed.contains(p.as_str())));
}
