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

fn flags(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn points_are_small_and_round_like_the_csvs() {
    assert!(std::mem::size_of::<TrendPoint>() <= 12);
    let milli = |t: &str| TrendPoint::milli(Decimal::parse(t).expect("decimal"));
    assert_eq!(milli("0.8"), 800);
    assert_eq!(milli("0.8765"), 877);
    assert_eq!(milli("0.8764"), 876);
    assert_eq!(milli("1.0005"), 1001);
    for word in [
        "",
        "stable",
        "significant_loss",
        "significant_gain",
        "not_comparable",
    ] {
        assert_eq!(Outcome::of(word).as_str(), word);
    }
    assert_eq!(Outcome::of("new_word"), Outcome::NotComparable);
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
    assert_eq!(concerns_of("osteoporosis", &[]), [Concern::Osteoporosis]);
    assert_eq!(concerns_of("osteopenia", &[]), []);
    assert_eq!(
        concerns_of("normal", &flags(&["t_near_osteoporosis_threshold"])),
        []
    );
    assert_eq!(
        concerns_of("osteopenia", &flags(&["z_score_le_-2"])),
        [Concern::LowZ]
    );
    assert_eq!(
        concerns_of("below_expected_range_for_age", &[]),
        [Concern::LowZ]
    );
    assert_eq!(concerns_of("within_expected_range_for_age", &[]), []);
    assert_eq!(
        concerns_of(
            "osteoporosis",
            &flags(&["spine_vertebra_discordant", "z_score_le_-2"])
        ),
        [
            Concern::Osteoporosis,
            Concern::LowZ,
            Concern::DiscordantVertebrae
        ]
    );
    // A flag only counts when it is the whole flag, not a prefix of another.
    assert_eq!(concerns_of("normal", &flags(&["z_score_le_-2x"])), []);
    assert_eq!(
        concerns_of("osteopenia", &flags(&["frax_above_treatment_threshold"])),
        [Concern::FraxAboveThreshold]
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
