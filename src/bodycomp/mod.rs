//! Body composition of a whole-body exam (docs/clinical.md, "Body composition"): fat, lean
//! and bone mineral per region, and the indices research asks for. Hologic writes it into
//! the whole-body results document (tables read by their labels, `carrier::hologic`), GE
//! enCORE into tab-separated export files (`carrier::encore`). Both give one
//! `BodyComposition`: every value in grams, %, kg/m², cm³ or cm², with the number and the
//! unit as written (the column header it came from is not kept: no output names it).
//!
//! `index` computes what the scanner did not report (from a height) and applies the
//! cut-offs; `check` finds numbers that disagree with themselves. Both are pure functions.

pub mod check;
pub mod encore_flag;
pub mod index;
mod label;
mod names;
mod reading;
pub mod shared;
pub mod units;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::decimal::{Decimal, dec};

pub use label::RegionLabel;
pub use names::{BodyRegion, Dimension, Field, IndexKind};
pub use reading::{Reading, UnitId};
use reading::{keep, keep_converted};
#[cfg(test)]
pub(crate) use reading::{test_composition, test_reading, test_unit, test_units};

/// The note on the measurement row of a whole body's part (an arm, the ribs): the
/// vocabulary of measurements.csv has no region for it (`other`), and no part is a
/// diagnostic site (docs/clinical.md).
pub const PART_NOTE: &str = "whole-body part: no canonical region, not a diagnostic site";

/// A value of a body composition, as the flags that name one say it (`arm_left:fat`,
/// `arms_diff:fat`, `vat_mass`, `bmd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BodyValue {
    /// A region's value.
    Region(BodyRegion, Field),
    /// The right-left difference of a region's value (GE `Diff`).
    Diff(BodyRegion, Field),
    /// An index.
    Index(IndexKind),
    /// A measure of a whole-body BMD table.
    Bone(crate::vocabulary::Measure),
}

impl std::fmt::Display for BodyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyValue::Region(region, field) => write!(f, "{region}:{field}"),
            BodyValue::Diff(region, field) => write!(f, "{region}_diff:{field}"),
            BodyValue::Index(kind) => f.write_str(kind.as_str()),
            BodyValue::Bone(measure) => f.write_str(measure.as_str()),
        }
    }
}

/// The composition of one region. Its readings' units index its composition's units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionComposition {
    /// The region.
    pub region: BodyRegion,
    /// The region's label as written (`L Arm`, `Arm Left`).
    pub label: RegionLabel,
    /// Fat mass, g.
    pub fat: Option<Reading>,
    /// Lean mass without bone mineral, g.
    pub lean: Option<Reading>,
    /// Bone mineral content, g.
    pub bmc: Option<Reading>,
    /// Lean mass with bone mineral, g.
    pub lean_bmc: Option<Reading>,
    /// Soft tissue (fat and lean), g.
    pub tissue: Option<Reading>,
    /// Total mass (fat, lean and bone mineral), g.
    pub total_mass: Option<Reading>,
    /// Fat / total mass, %.
    pub fat_pct: Option<Reading>,
    /// Fat / soft tissue, %.
    pub tissue_fat_pct: Option<Reading>,
}

impl RegionComposition {
    /// An empty region.
    pub fn new(region: BodyRegion, label: &str) -> Self {
        Self::with_label(region, RegionLabel::new(region, label))
    }

    /// An empty region of a label already made (`new`'s; the store's reader builds each
    /// region in place in its vector, then reads into `slots`).
    #[inline(always)]
    pub fn with_label(region: BodyRegion, label: RegionLabel) -> Self {
        RegionComposition {
            region,
            label,
            fat: None,
            lean: None,
            bmc: None,
            lean_bmc: None,
            tissue: None,
            total_mass: None,
            fat_pct: None,
            tissue_fat_pct: None,
        }
    }

    /// The reading of a field.
    pub fn get(&self, field: Field) -> Option<&Reading> {
        match field {
            Field::Fat => self.fat.as_ref(),
            Field::Lean => self.lean.as_ref(),
            Field::Bmc => self.bmc.as_ref(),
            Field::LeanBmc => self.lean_bmc.as_ref(),
            Field::Tissue => self.tissue.as_ref(),
            Field::TotalMass => self.total_mass.as_ref(),
            Field::FatPct => self.fat_pct.as_ref(),
            Field::TissueFatPct => self.tissue_fat_pct.as_ref(),
        }
    }

    /// The readings in `Field::ALL` order (each what `get` gives for its field:
    /// `tests::readings_are_in_field_order`), without a `match` per field: the order of the
    /// store's presence bits and of body_composition.csv's units.
    pub fn readings(&self) -> [Option<&Reading>; Field::ALL.len()] {
        [
            self.fat.as_ref(),
            self.lean.as_ref(),
            self.bmc.as_ref(),
            self.lean_bmc.as_ref(),
            self.tissue.as_ref(),
            self.total_mass.as_ref(),
            self.fat_pct.as_ref(),
            self.tissue_fat_pct.as_ref(),
        ]
    }

    /// Where each field's reading is held, in the struct's field order (`readings`'): for
    /// the store's reader, which reads a region's readings by its presence byte's bits.
    #[inline(always)]
    pub(crate) fn slots(&mut self) -> [&mut Option<Reading>; Field::ALL.len()] {
        [
            &mut self.fat,
            &mut self.lean,
            &mut self.bmc,
            &mut self.lean_bmc,
            &mut self.tissue,
            &mut self.total_mass,
            &mut self.fat_pct,
            &mut self.tissue_fat_pct,
        ]
    }

    /// Where a field's reading is held, for a reader that places readings itself (the
    /// enCORE planned reader; `set` and `set_placed` through `keep`).
    pub(crate) fn slot(&mut self, field: Field) -> &mut Option<Reading> {
        match field {
            Field::Fat => &mut self.fat,
            Field::Lean => &mut self.lean,
            Field::Bmc => &mut self.bmc,
            Field::LeanBmc => &mut self.lean_bmc,
            Field::Tissue => &mut self.tissue,
            Field::TotalMass => &mut self.total_mass,
            Field::FatPct => &mut self.fat_pct,
            Field::TissueFatPct => &mut self.tissue_fat_pct,
        }
    }

    /// The value of a field.
    pub fn value(&self, field: Field) -> Option<Decimal> {
        self.get(field).map(|r| r.value)
    }

    /// Lean mass without bone mineral: as reported, else lean with bone mineral less the
    /// bone mineral (Hologic's composition table has only `Lean + BMC`).
    pub fn lean_without_bmc(&self) -> Option<Decimal> {
        self.value(Field::Lean).or_else(|| {
            self.value(Field::LeanBmc)?
                .checked_sub(self.value(Field::Bmc)?)
        })
    }

    /// %fat computed from the masses: fat / total mass x 100, one decimal (docs/clinical.md,
    /// "Body composition"); the tables, the indices and the exports all use this one.
    pub fn fat_pct_of_masses(&self) -> Option<Decimal> {
        self.value(Field::Fat)?
            .checked_mul(dec!("100"))?
            .div_rounded(self.value(Field::TotalMass)?, 1)
    }
}

/// Where a body composition was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BodySource {
    /// The whole-body tables of a Hologic results document.
    HologicResultsDocument,
    /// A GE enCORE export file.
    EncoreExport,
}

impl BodySource {
    /// The text of the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            BodySource::HologicResultsDocument => "hologic_results_document",
            BodySource::EncoreExport => "encore_export",
        }
    }
}

/// An index as the scanner reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedIndex {
    /// Which index.
    pub kind: IndexKind,
    /// Its value, unit and label.
    pub reading: Reading,
}

/// The body composition of one exam. Its serde encoding is a compact byte string, written
/// and read by hand (`store::codec::document::body`). Two are equal when they hold the same
/// regions, labels, numbers and unit texts, whatever the order of their units.
#[derive(Debug, Clone)]
pub struct BodyComposition {
    /// Where it was read.
    pub source: BodySource,
    /// The regions, in `BodyRegion` order.
    pub regions: Vec<RegionComposition>,
    /// The indices the scanner reported, in `IndexKind` order.
    pub indices: Vec<ReportedIndex>,
    /// The distinct unit texts its readings are in (`Reading::unit` indexes them), each
    /// once: added by `unit_id`, a carrier's file sharing one `Arc` per unit. It may hold a
    /// unit no reading is in (one whose values were refused).
    pub units: Vec<Arc<str>>,
}

impl PartialEq for BodyComposition {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: Option<&Reading>, b: Option<&Reading>| match (a, b) {
            (None, None) => true,
            (Some(a), Some(b)) => a.same_as(&self.units, b, &other.units),
            _ => false,
        };
        self.source == other.source
            && self.regions.len() == other.regions.len()
            && self.regions.iter().zip(&other.regions).all(|(a, b)| {
                a.region == b.region
                    && a.label == b.label
                    && a.readings()
                        .into_iter()
                        .zip(b.readings())
                        .all(|(a, b)| same(a, b))
            })
            && self.indices.len() == other.indices.len()
            && self
                .indices
                .iter()
                .zip(&other.indices)
                .all(|(a, b)| a.kind == b.kind && same(Some(&a.reading), Some(&b.reading)))
    }
}

impl Eq for BodyComposition {}

/// Where each region was last found in a composition's regions (`set_placed`): its index
/// plus one, 0 when not known.
#[derive(Debug, Clone)]
pub struct Places {
    at: [u8; BodyRegion::ALL.len()],
}

impl Default for Places {
    fn default() -> Self {
        Places {
            at: [0; BodyRegion::ALL.len()],
        }
    }
}

impl BodyComposition {
    /// An empty composition.
    pub fn new(source: BodySource) -> Self {
        BodyComposition {
            source,
            regions: Vec::new(),
            indices: Vec::new(),
            units: Vec::new(),
        }
    }

    /// The id of `unit` among the units, added when it is not yet: found by its `Arc` (a
    /// carrier shares one per unit of a file), then by its text.
    #[inline(always)]
    pub fn unit_id(&mut self, unit: &Arc<str>) -> UnitId {
        // Nearly every reading's unit is the composition's first or second (a file's mass
        // unit and `%`), by the same `Arc`: its address compared in line, in the reader's
        // loop (a call per reading cost the enCORE reader some 30 instructions each).
        let address = Arc::as_ptr(unit);
        let held = |at: usize| std::ptr::addr_eq(Arc::as_ptr(&self.units[at]), address);
        match self.units.len() {
            1.. if held(0) => UnitId::listed(0),
            2.. if held(1) => UnitId::listed(1),
            _ => self.unit_id_searched(unit),
        }
    }

    /// `unit_id` of a unit that is not the first two by its `Arc`: by its address, then
    /// its text, else added.
    #[inline(never)]
    fn unit_id_searched(&mut self, unit: &Arc<str>) -> UnitId {
        let by_address = self.units.iter().position(|u| Arc::ptr_eq(u, unit));
        let at = match by_address.or_else(|| self.units.iter().position(|u| **u == **unit)) {
            Some(at) => at,
            None => {
                // A composition's units are a few (one per unit text its file writes):
                // never near the four billion an id holds.
                assert!(UnitId::new(self.units.len()).is_some(), "too many units");
                self.units.push(Arc::clone(unit));
                self.units.len() - 1
            }
        };
        UnitId::listed(at)
    }

    /// The text of a reading's unit.
    pub fn unit(&self, reading: &Reading) -> &str {
        &self.units[reading.unit.index()]
    }

    /// Whether nothing was read.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty() && self.indices.is_empty()
    }

    /// A region's composition.
    pub fn region(&self, region: BodyRegion) -> Option<&RegionComposition> {
        self.regions.iter().find(|r| r.region == region)
    }

    /// A region's value.
    pub fn value(&self, region: BodyRegion, field: Field) -> Option<Decimal> {
        self.region(region)?.value(field)
    }

    /// A reported index.
    pub fn index(&self, kind: IndexKind) -> Option<&Reading> {
        self.indices
            .iter()
            .find(|i| i.kind == kind)
            .map(|i| &i.reading)
    }

    /// Sets a region's value (`keep` says what a second reading does); false when the
    /// reading disagreed with one already held and was left out (the caller flags it).
    #[must_use]
    pub fn set(&mut self, region: BodyRegion, label: &str, field: Field, reading: Reading) -> bool {
        let at = self.place(region, label);
        keep(
            self.regions[at].slot(field),
            reading,
            field.dimension(),
            &self.units,
        )
    }

    /// `set`, with `places` remembering where each region was found: a reader that sets
    /// many values of a few regions (an export line: a column per region and measure)
    /// finds each region once, not by a search per value. Any `Places` gives the same
    /// results (a remembered place is checked before it is used).
    pub fn set_placed(
        &mut self,
        places: &mut Places,
        region: BodyRegion,
        label: &str,
        field: Field,
        reading: Reading,
    ) -> bool {
        let remembered = usize::from(places.at[region as usize]).checked_sub(1);
        let at = match remembered {
            Some(at) if self.regions.get(at).is_some_and(|r| r.region == region) => at,
            _ => {
                let before = self.regions.len();
                let at = self.place(region, label);
                if self.regions.len() != before {
                    // An insert moves the regions after it: what was remembered is stale.
                    places.at = [0; BodyRegion::ALL.len()];
                }
                places.at[region as usize] = u8::try_from(at + 1).unwrap_or(0);
                at
            }
        };
        keep(
            self.regions[at].slot(field),
            reading,
            field.dimension(),
            &self.units,
        )
    }

    /// Where `region` is in the regions (inserted with `label` when it is not yet), for
    /// `set_at`: a reader that knows a row's region finds it once per row. An insert moves
    /// the regions after it: a place is good until the next `region_at`.
    pub(crate) fn region_at(&mut self, region: BodyRegion, label: &str) -> usize {
        self.place(region, label)
    }

    /// `set` of a value of the region at `at` (`region_at`), `conversion` its unit's
    /// conversion to the field's dimension (`units::conversion`, found once per column):
    /// what `set` keeps and returns (`tests::set_at_sets_as_set_placed_sets`).
    #[inline(always)]
    pub(crate) fn set_at(
        &mut self,
        at: usize,
        field: Field,
        reading: Reading,
        conversion: Option<units::Conversion>,
    ) -> bool {
        keep_converted(
            self.regions[at].slot(field),
            reading,
            conversion,
            field.dimension(),
            &self.units,
        )
    }

    /// Where `region` is in the regions, inserted (with `label`) when it is not yet.
    fn place(&mut self, region: BodyRegion, label: &str) -> usize {
        match self.regions.binary_search_by(|r| r.region.cmp(&region)) {
            Ok(at) => at,
            Err(at) => {
                // Room for every region at the first: a region is some 550 bytes, which
                // growing by doubling copied again and again.
                if self.regions.capacity() == 0 {
                    self.regions.reserve_exact(BodyRegion::ALL.len());
                }
                self.regions
                    .insert(at, RegionComposition::new(region, label));
                at
            }
        }
    }

    /// Takes from `other` what this one does not hold (a visit's documents: GE's Total
    /// Body Comp line and its CoreScan line); a value both hold is kept as `set` keeps it.
    /// False when one of `other`'s values disagreed and was left out. `other`'s units are
    /// added to this one's (a text both hold is this one's), its readings' ids mapped.
    pub fn absorb(&mut self, other: &BodyComposition) -> bool {
        let ids: Vec<UnitId> = other.units.iter().map(|u| self.unit_id(u)).collect();
        let mine = |reading: &Reading| Reading {
            unit: ids[reading.unit.index()],
            ..*reading
        };
        let mut agreed = true;
        for region in &other.regions {
            for &field in Field::ALL {
                if let Some(reading) = region.get(field) {
                    agreed &= self.set(region.region, &region.label, field, mine(reading));
                }
            }
        }
        for index in &other.indices {
            agreed &= self.set_index(index.kind, mine(&index.reading));
        }
        agreed
    }

    /// Sets a reported index; false as for `set`.
    #[must_use]
    pub fn set_index(&mut self, kind: IndexKind, reading: Reading) -> bool {
        let at = match self.indices.binary_search_by(|i| i.kind.cmp(&kind)) {
            Ok(at) => at,
            Err(at) => {
                self.indices.insert(at, ReportedIndex { kind, reading });
                return true;
            }
        };
        let mut slot = Some(self.indices[at].reading);
        let kept = keep(&mut slot, reading, kind.dimension(), &self.units);
        if let Some(reading) = slot {
            self.indices[at].reading = reading;
        }
        kept
    }
}

#[cfg(test)]
mod tests;
