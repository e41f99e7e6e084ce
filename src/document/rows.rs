//! The measurement rows of one document, whichever carrier the values came from (the SR
//! tree, a GE SR's XML, a Hologic results document): `extract` and the carriers fill the
//! same table.

use super::{DocFlag, Measurement};
use crate::decimal::Decimal;
use crate::flag::flag_once;
use crate::vocabulary::{Laterality, Measure, Region};

/// The measurement rows of one document: one per (region, side); `other` rows also per
/// normalised label, so unrelated unmapped regions are not merged. A document has a few
/// dozen rows at most and its NUM items come grouped by region, so a backwards linear
/// search finds the row at once; an ordered map compared label strings on every lookup
/// (5 % of a scan's time, perf).
#[derive(Default)]
pub struct RowTable {
    rows: Vec<(RowKey, Measurement)>,
}

/// The rows a table has room for when its first row is made.
const ROWS: usize = 8;

/// Region, side, and the normalised label (empty unless the region is `other`).
type RowKey = (Region, Laterality, String);

impl RowTable {
    /// The row of a region, side (and label, for `other`), created when new.
    pub fn row(
        &mut self,
        region: Region,
        laterality: Laterality,
        source_label: &str,
    ) -> Option<&mut Measurement> {
        let label_key =
            (region == Region::Other).then(|| crate::profile::normalise_label(source_label));
        let row_region = region;
        let found = self.rows.iter().rposition(|((region, side, label), _)| {
            *region == row_region
                && *side == laterality
                && label_key.as_ref().is_none_or(|key| key == label)
        });
        let index = found.unwrap_or_else(|| {
            let key = (region, laterality, label_key.unwrap_or_default());
            let row = Measurement::new(region, laterality, source_label);
            // A document has a few rows (six on average on the benchmark corpus): room for
            // eight at once, not grown from four.
            if self.rows.capacity() == 0 {
                self.rows.reserve(ROWS);
            }
            self.rows.push((key, row));
            self.rows.len() - 1
        });
        Some(&mut self.rows[index].1)
    }

    /// The rows in (region, side, label) order: the order of measurements.csv.
    pub fn into_sorted(mut self) -> Vec<Measurement> {
        // Keys are unique, so an unstable sort gives one order.
        self.rows.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        self.rows.into_iter().map(|(_, row)| row).collect()
    }
}

/// Sets a row's value; a second, different value is kept out, noted on the row and flagged
/// on the document (a man's male- and female-referenced T-scores: never silently picked).
pub fn set_value(
    row: &mut Measurement,
    measure: Measure,
    value: Decimal,
    flags: &mut Vec<DocFlag>,
) {
    let slot = match measure {
        Measure::Bmd => &mut row.bmd,
        Measure::Bmc => &mut row.bmc,
        Measure::Area => &mut row.area,
        Measure::TScore => &mut row.t_score,
        Measure::ZScore => &mut row.z_score,
        Measure::PctYoungAdult => &mut row.pct_young_adult,
        Measure::PctAgeMatched => &mut row.pct_age_matched,
        Measure::FraxMajor | Measure::FraxHip | Measure::Tbs => {
            unreachable!("study-level measures have no row")
        }
    };
    match slot {
        None => *slot = Some(value),
        Some(kept) if *kept == value => {}
        Some(kept) => {
            let note = format!("{measure} given twice ({kept}, {value}): first kept");
            row.notes.push(note);
            flag_once(flags, DocFlag::GivenTwice(measure, row.site_name()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_per_region_and_side_other_per_label_in_region_order() {
        let mut rows = RowTable::default();
        let items = [
            (
                Measure::Bmd,
                Region::FemoralNeck,
                Laterality::Left,
                "Neck",
                "0.585",
            ),
            (
                Measure::Bmd,
                Region::Other,
                Laterality::None,
                "Zeta  zone",
                "1.1",
            ),
            (
                Measure::Bmd,
                Region::SpineL1L4,
                Laterality::None,
                "Total",
                "0.930",
            ),
            (
                Measure::TScore,
                Region::FemoralNeck,
                Laterality::Left,
                "Neck",
                "-2.4",
            ),
            (
                Measure::Bmd,
                Region::FemoralNeck,
                Laterality::Right,
                "Neck",
                "0.601",
            ),
            (
                Measure::Bmd,
                Region::Other,
                Laterality::None,
                "Alpha",
                "0.9",
            ),
            // The same unmapped label, spelled with other case and spacing: the same row.
            (
                Measure::TScore,
                Region::Other,
                Laterality::None,
                "zeta zone",
                "-1.0",
            ),
        ];
        for (measure, region, side, label, value) in items {
            let row = rows.row(region, side, label).expect("row");
            set_value(
                row,
                measure,
                Decimal::parse(value).expect("number"),
                &mut Vec::new(),
            );
        }
        let rows = rows.into_sorted();
        type Seen<'r> = (Region, Laterality, &'r str, Option<String>, Option<String>);
        let seen: Vec<Seen> = rows
            .iter()
            .map(|r| {
                (
                    r.region,
                    r.laterality,
                    r.source_label.as_str(),
                    r.bmd.map(|d| d.to_string()),
                    r.t_score.map(|d| d.to_string()),
                )
            })
            .collect();
        let text = |s: &str| Some(s.to_string());
        assert_eq!(
            seen,
            vec![
                (
                    Region::SpineL1L4,
                    Laterality::None,
                    "Total",
                    text("0.930"),
                    None
                ),
                (
                    Region::FemoralNeck,
                    Laterality::Left,
                    "Neck",
                    text("0.585"),
                    text("-2.4")
                ),
                (
                    Region::FemoralNeck,
                    Laterality::Right,
                    "Neck",
                    text("0.601"),
                    None
                ),
                (Region::Other, Laterality::None, "Alpha", text("0.9"), None),
                (
                    Region::Other,
                    Laterality::None,
                    "Zeta  zone",
                    text("1.1"),
                    text("-1.0")
                ),
            ]
        );
    }
}
