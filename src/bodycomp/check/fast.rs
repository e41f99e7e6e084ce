//! The checks' shortcut for the common composition (docs/performance.md, "The end of a
//! run"): its masses read once into a table of mantissas of one scale, and each check
//! passed when every sum is within 1 g and every %fat within 0.199999 of the masses',
//! exactly. A check passed here is passed by the check's own steps too (within 1 g a sum
//! agrees whatever the rounding, and the %fat range holds what is within 0.199999: the
//! comments of `check`); anything else, or a composition the table cannot hold, is
//! checked the full way. `tests` holds each check with the table to the check without it
//! on generated compositions: consistent, near the tolerances, of mixed scales, missing
//! values, and mantissas near the ends of their range.

use crate::bodycomp::{BodyComposition, BodyRegion, Reading, RegionComposition};
use crate::decimal::POW10;

/// A mantissa within +-2^59 is below 2^60 when 2^59 is added (as u64): six such values
/// sum within the mantissa's range.
const SMALL: u64 = 1 << 59;

/// The regions with right and left halves (`BodyRegion::halves`; `tests` holds it to
/// every region's).
pub(super) const SIDED: [BodyRegion; 4] = [
    BodyRegion::Arms,
    BodyRegion::Legs,
    BodyRegion::Trunk,
    BodyRegion::Total,
];

/// The regions a `MassTable` holds (a composition with more is checked the full way; a
/// whole-body exam has some 20 rows).
const ROWS: usize = 32;

/// The masses of a composition's regions as mantissas of one scale (those of several
/// scales put at the largest), each within +-2^59 (six such values sum within the
/// mantissa's range), read once: the sums `subtotal`, `total`, `sides` and `total_mass`
/// check are then a few additions each, and `fat_pct`'s products a few multiplications.
/// A sum whose values are all present and within 1 g exactly is one `sum_differs` passes
/// (whichever way it works it out), and a sum lacking a value is not made.
pub(super) struct MassTable {
    /// By row (the composition's regions in order, then an empty row), the six masses in
    /// `MASSES` order; 0 where missing.
    mantissas: [[i64; 6]; ROWS + 1],
    /// By row, a bit per mass present (bit `i` for `MASSES[i]`).
    present: [u8; ROWS + 1],
    /// The row of each `BodyRegion`'s first region (`Indexed`'s), `ROWS` when none.
    row_of: [u8; BodyRegion::ALL.len()],
    /// The regions' count.
    rows: usize,
    /// 1 g at the masses' scale.
    one: i64,
}

impl MassTable {
    /// A table of no regions, for `fill`.
    pub(super) fn empty() -> MassTable {
        MassTable {
            mantissas: [[0; 6]; ROWS + 1],
            present: [0; ROWS + 1],
            row_of: [ROWS as u8; BodyRegion::ALL.len()],
            rows: 0,
            one: 0,
        }
    }

    /// Fills an `empty` table with `comp`'s masses (in place: the table is some 1.6 kB);
    /// None when they cannot be made of one scale and small, or there are more than `ROWS`
    /// regions.
    pub(super) fn fill(&mut self, comp: &BodyComposition) -> Option<()> {
        let table = self;
        let rows = comp.regions.len();
        if rows > ROWS {
            return None;
        }
        table.rows = rows;
        // The scales are one when their OR and AND over the values present are the same;
        // the mantissas are small when none has a bit from 2^60 up once 2^59 is added.
        let (mut scales_or, mut scales_and) = (0u32, u32::MAX);
        let mut magnitudes = 0u64;
        for (row, region) in comp.regions.iter().enumerate() {
            let first = &mut table.row_of[region.region as usize];
            if *first == ROWS as u8 {
                *first = row as u8;
            }
            let mut bits = 0u8;
            for (column, reading) in masses(region).into_iter().enumerate() {
                if let Some(reading) = reading {
                    let (mantissa, scale) = reading.value.to_parts();
                    scales_or |= scale;
                    scales_and &= scale;
                    magnitudes |= (mantissa as u64).wrapping_add(SMALL);
                    table.mantissas[row][column] = mantissa;
                    bits |= 1 << column;
                }
            }
            table.present[row] = bits;
        }
        // One scale: their OR.
        let mut largest = scales_or;
        if scales_or != scales_and {
            // Masses of several scales (a site's kg beside its g): each at the largest,
            // exactly, where that stays small.
            largest = comp
                .regions
                .iter()
                .flat_map(|region| masses(region).into_iter().flatten())
                .map(|reading| reading.value.scale())
                .max()
                .unwrap_or(0);
            magnitudes = 0;
            for (row, region) in comp.regions.iter().enumerate() {
                for (column, reading) in masses(region).into_iter().enumerate() {
                    if let Some(reading) = reading {
                        let (mantissa, scale) = reading.value.to_parts();
                        let mantissa =
                            mantissa.checked_mul(*POW10.get((largest - scale) as usize)?)?;
                        magnitudes |= (mantissa as u64).wrapping_add(SMALL);
                        table.mantissas[row][column] = mantissa;
                    }
                }
            }
        }
        if magnitudes >= 2 * SMALL {
            return None;
        }
        table.one = *POW10.get(largest as usize)?;
        Some(())
    }

    /// Whether column `column` of `sum`'s first region and of `parts`' surely agree (a
    /// value missing: the sum is not made).
    #[inline(always)]
    fn agrees(&self, column: usize, sum: BodyRegion, parts: &[BodyRegion]) -> bool {
        let bit = 1u8 << column;
        let row = self.row_of[sum as usize] as usize;
        if self.present[row] & bit == 0 {
            return true;
        }
        let mut difference = -self.mantissas[row][column];
        for &part in parts {
            let row = self.row_of[part as usize] as usize;
            if self.present[row] & bit == 0 {
                return true;
            }
            difference += self.mantissas[row][column];
        }
        difference.abs() <= self.one
    }

    /// `subtotal` surely passes: each mass of the five regions within 1 g of `Subtotal`'s.
    pub(super) fn subtotal_agrees(&self, parts: &[BodyRegion; 5]) -> bool {
        (0..6).all(|column| self.agrees(column, BodyRegion::Subtotal, parts))
    }

    /// `total` surely passes: `Subtotal` and `Head` within 1 g of `Total`, each mass.
    pub(super) fn total_agrees(&self) -> bool {
        let parts = [BodyRegion::Subtotal, BodyRegion::Head];
        (0..6).all(|column| self.agrees(column, BodyRegion::Total, &parts))
    }

    /// `sides` surely passes: each region with halves within 1 g of their sum, each mass.
    pub(super) fn sides_agree(&self) -> bool {
        SIDED.iter().all(|&whole| {
            let Some((right, left)) = whole.halves() else {
                return true;
            };
            (0..6).all(|column| self.agrees(column, whole, &[right, left]))
        })
    }

    /// `total_mass` surely passes: in every region total = fat + lean + BMC, lean + BMC
    /// and tissue = fat + lean within 1 g where their values are present.
    pub(super) fn total_mass_agrees(&self) -> bool {
        let one = self.one;
        (0..self.rows).all(|row| {
            let present = self.present[row];
            let [fat, lean, bmc, lean_bmc, tissue, total] = self.mantissas[row];
            // Each sum: the bits of its values (parts and sum), the difference.
            let within =
                |mask: u8, difference: i64| present & mask != mask || difference.abs() <= one;
            within(0b10_0111, fat + lean + bmc - total)
                & within(0b00_1110, lean + bmc - lean_bmc)
                & within(0b01_0011, fat + lean - tissue)
        })
    }

    /// `fat_pct` surely passes: in every region with fat, each reported %fat within 0.2
    /// of fat / whole x 100 (`pct_surely_agrees`), its whole present.
    pub(super) fn fat_pct_agrees(&self, regions: &[RegionComposition]) -> bool {
        regions.iter().enumerate().all(|(row, region)| {
            let present = self.present[row];
            let [fat, _, _, _, tissue, total] = self.mantissas[row];
            let agrees = |reported: &Option<Reading>, whole_bit: u8, whole: i64| match reported {
                Some(reported) if present & whole_bit != 0 => {
                    pct_surely_agrees(reported, fat, whole)
                }
                _ => true,
            };
            present & 1 == 0
                || agrees(&region.fat_pct, 1 << 5, total)
                    && agrees(&region.tissue_fat_pct, 1 << 4, tissue)
        })
    }
}

/// Whether `reported` is within 0.199999 of fat / whole x 100 exactly, fat and whole
/// mantissas of one scale: |reported x whole - 100 x fat| <= 0.199999 x whole, worked
/// out at the scale of `reported` and the masses and 6 more, in checked steps (an
/// overflow: not sure). What is within is what `surely_agrees` says agrees, or what the
/// range `pct_differs_by_range` works out holds (as `check::surely_agrees` says), so
/// `fat_pct` passes it either way.
#[inline(always)]
fn pct_surely_agrees(reported: &Reading, fat: i64, whole: i64) -> bool {
    if fat < 0 || whole <= 0 {
        return false;
    }
    let (rm, rs) = reported.value.to_parts();
    let Some(&shift) = POW10.get(rs as usize) else {
        return false;
    };
    let within = || -> Option<bool> {
        let difference = rm
            .checked_mul(whole)?
            .checked_sub(fat.checked_mul(100)?.checked_mul(shift)?)?;
        let scaled = difference.checked_abs()?.checked_mul(1_000_000)?;
        Some(scaled <= 199_999i64.checked_mul(whole)?.checked_mul(shift)?)
    };
    within() == Some(true)
}

/// A region's masses in `MASSES` order.
#[inline(always)]
fn masses(region: &RegionComposition) -> [&Option<Reading>; 6] {
    [
        &region.fat,
        &region.lean,
        &region.bmc,
        &region.lean_bmc,
        &region.tissue,
        &region.total_mass,
    ]
}

#[cfg(test)]
mod tests;
