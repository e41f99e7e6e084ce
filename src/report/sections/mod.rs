//! The page's sections, one module each, and the orders and colours they share.

pub mod attention;
pub mod body;
pub mod categories;
pub mod files;
pub mod followup;
pub mod scanned;
pub mod scanners;
pub mod tscores;

use std::collections::BTreeMap;

use plotters::style::RGBColor;

use super::chart::{BLUE, GREEN, GREY, LIGHT_GREY, ORANGE, PURPLE, SKY, VERMILION};

/// Categories in clinical order; unknown keys follow in map order.
pub const CLASSIFICATION_ORDER: [&str; 6] = [
    "normal",
    "osteopenia",
    "osteoporosis",
    "below_expected_range_for_age",
    "within_expected_range_for_age",
    "indeterminate",
];

/// Follow-up outcomes in display order; unknown keys follow in map order.
pub const OUTCOME_ORDER: [&str; 4] = [
    "significant_loss",
    "stable",
    "significant_gain",
    "not_comparable",
];

/// Site families in anatomical/clinical order; unknown sites follow in map order.
pub const SITE_ORDER: [&str; 5] = [
    "spine",
    "total_hip",
    "femoral_neck",
    "radius_33",
    "total_body_less_head",
];

/// Largest count first; ties by label, so the order is stable.
pub fn sort_by_count(entries: &mut [(String, u64)]) {
    entries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

/// The known keys in their fixed order (zero when absent), then the unknown keys.
pub fn ordered(map: &BTreeMap<String, u64>, order: &[&str]) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = order
        .iter()
        .map(|k| (k.to_string(), map.get(*k).copied().unwrap_or(0)))
        .collect();
    out.extend(
        map.iter()
            .filter(|(k, _)| !order.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), *v)),
    );
    out
}

/// Site keys, known families first in clinical order, then the others.
pub fn site_order<'a>(keys: impl Iterator<Item = &'a String>) -> Vec<String> {
    let keys: Vec<&String> = keys.collect();
    let mut out: Vec<String> = SITE_ORDER
        .iter()
        .filter(|s| keys.iter().any(|k| k.as_str() == **s))
        .map(|s| s.to_string())
        .collect();
    out.extend(
        keys.iter()
            .filter(|k| !SITE_ORDER.contains(&k.as_str()))
            .map(|k| k.to_string()),
    );
    out
}

/// A category's colour (the band colours for the WHO categories).
pub fn classification_colour(category: &str) -> RGBColor {
    match category {
        "normal" => GREEN,
        "osteopenia" => ORANGE,
        "osteoporosis" => VERMILION,
        "below_expected_range_for_age" => PURPLE,
        "within_expected_range_for_age" => SKY,
        "indeterminate" => GREY,
        _ => BLUE,
    }
}

/// A follow-up outcome's colour.
pub fn outcome_colour(outcome: &str, index: usize) -> RGBColor {
    match outcome {
        "significant_loss" => VERMILION,
        "stable" => SKY,
        "significant_gain" => GREEN,
        "not_comparable" => GREY,
        _ => [PURPLE, ORANGE, BLUE, LIGHT_GREY][index % 4],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders() {
        let map: BTreeMap<String, u64> = [("zeta".to_string(), 1), ("osteopenia".to_string(), 2)]
            .into_iter()
            .collect();
        let out = ordered(&map, &CLASSIFICATION_ORDER);
        assert_eq!(out[0], ("normal".to_string(), 0));
        assert_eq!(out[1], ("osteopenia".to_string(), 2));
        assert_eq!(out.last(), Some(&("zeta".to_string(), 1)));
        let keys = [
            "x".to_string(),
            "femoral_neck".to_string(),
            "spine".to_string(),
        ];
        assert_eq!(site_order(keys.iter()), ["spine", "femoral_neck", "x"]);
        let mut entries = vec![
            ("b".to_string(), 2),
            ("a".to_string(), 2),
            ("c".to_string(), 5),
        ];
        sort_by_count(&mut entries);
        assert_eq!(entries[0].0, "c");
        assert_eq!(entries[1].0, "a");
    }
}
