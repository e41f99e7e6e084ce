//! A document's body composition in postcard's encoding, written and read by hand as the
//! rest of the document is (`super`): the same bytes as serde's derive writes, without a
//! visitor per field. A composition holds about a hundred readings (two decimals and two
//! texts each), which serde's reading made the largest part of reading a body composition
//! file's documents back (docs/performance.md, "Body composition files"). The texts read
//! back are shared through `bodycomp::shared`, as serde's reading shares them.

use std::cell::RefCell;
use std::io;
use std::sync::Arc;

use super::wire::{Reader, put_decimal, put_option, put_str, put_varint};
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, IndexKind, Reading, RegionComposition, ReportedIndex,
    shared,
};

#[inline]
fn put_reading(out: &mut Vec<u8>, reading: &Reading) {
    put_decimal(out, reading.value);
    put_decimal(out, reading.written);
    put_str(out, &reading.unit);
}

fn put_region(out: &mut Vec<u8>, region: &RegionComposition) {
    put_varint(out, region.region as u64);
    put_str(out, &region.label);
    // The fields in the struct's order, as serde's derive writes them.
    for reading in [
        &region.fat,
        &region.lean,
        &region.bmc,
        &region.lean_bmc,
        &region.tissue,
        &region.total_mass,
        &region.fat_pct,
        &region.tissue_fat_pct,
    ] {
        put_option(out, reading.as_ref(), put_reading);
    }
}

/// Appends `body` as postcard encodes it.
#[inline(never)]
pub fn put_body(out: &mut Vec<u8>, body: &BodyComposition) {
    put_varint(out, body.source as u64);
    put_varint(out, body.regions.len() as u64);
    for region in &body.regions {
        put_region(out, region);
    }
    put_varint(out, body.indices.len() as u64);
    for index in &body.indices {
        put_varint(out, index.kind as u64);
        put_reading(out, &index.reading);
    }
}

/// The unit of the reading read last: a composition's readings share a few units (`g`,
/// `%`, `lbs`), each given back without a lookup in `shared`'s table when it repeats.
type LastUnit = RefCell<Option<Arc<str>>>;

impl Reader<'_> {
    #[inline]
    fn reading(&mut self, last_unit: &LastUnit) -> io::Result<Reading> {
        let value = self.decimal()?;
        let written = self.decimal()?;
        let text = self.str()?;
        let mut last = last_unit.borrow_mut();
        let unit = match &*last {
            Some(unit) if **unit == *text => Arc::clone(unit),
            _ => {
                let unit = shared::shared(text);
                *last = Some(Arc::clone(&unit));
                unit
            }
        };
        Ok(Reading {
            value,
            written,
            unit,
        })
    }

    fn region(&mut self, last_unit: &LastUnit) -> io::Result<RegionComposition> {
        let reading = |r: &mut Self| r.option(|r| r.reading(last_unit));
        Ok(RegionComposition {
            region: self.unit_enum(BodyRegion::ALL)?,
            label: self.string()?,
            fat: reading(self)?,
            lean: reading(self)?,
            bmc: reading(self)?,
            lean_bmc: reading(self)?,
            tissue: reading(self)?,
            total_mass: reading(self)?,
            fat_pct: reading(self)?,
            tissue_fat_pct: reading(self)?,
        })
    }

    /// A `BodyComposition` as `put_body` (and postcard) writes it. Not inlined into
    /// `document`, whose other fields every document has (an SR document has no body
    /// composition).
    #[inline(never)]
    pub fn body(&mut self) -> io::Result<BodyComposition> {
        let last_unit = LastUnit::default();
        Ok(BodyComposition {
            source: self
                .unit_enum(&[BodySource::HologicResultsDocument, BodySource::EncoreExport])?,
            regions: self.vec(|r| r.region(&last_unit))?,
            indices: self.vec(|r| {
                Ok(ReportedIndex {
                    kind: r.unit_enum(IndexKind::ALL)?,
                    reading: r.reading(&last_unit)?,
                })
            })?,
        })
    }
}
