//! A document's body composition in postcard's encoding, written and read by hand as the
//! rest of the document is (`super`): the same bytes as serde's derive writes, without a
//! visitor per field. A composition holds about a hundred readings (two decimals and two
//! texts each), which serde's reading made the largest part of reading a body composition
//! file's documents back (docs/performance.md, "Body composition files"). The texts read
//! back are shared through `bodycomp::shared`, as serde's reading shares them.

use std::io;

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
    put_str(out, &reading.from);
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

impl Reader<'_> {
    #[inline]
    fn reading(&mut self) -> io::Result<Reading> {
        Ok(Reading {
            value: self.decimal()?,
            written: self.decimal()?,
            unit: shared::shared(self.str()?),
            from: shared::shared(self.str()?),
        })
    }

    fn region(&mut self) -> io::Result<RegionComposition> {
        Ok(RegionComposition {
            region: self.unit_enum(BodyRegion::ALL)?,
            label: self.string()?,
            fat: self.option(Self::reading)?,
            lean: self.option(Self::reading)?,
            bmc: self.option(Self::reading)?,
            lean_bmc: self.option(Self::reading)?,
            tissue: self.option(Self::reading)?,
            total_mass: self.option(Self::reading)?,
            fat_pct: self.option(Self::reading)?,
            tissue_fat_pct: self.option(Self::reading)?,
        })
    }

    /// A `BodyComposition` as `put_body` (and postcard) writes it. Not inlined into
    /// `document`, whose other fields every document has (an SR document has no body
    /// composition).
    #[inline(never)]
    pub fn body(&mut self) -> io::Result<BodyComposition> {
        Ok(BodyComposition {
            source: self
                .unit_enum(&[BodySource::HologicResultsDocument, BodySource::EncoreExport])?,
            regions: self.vec(Self::region)?,
            indices: self.vec(|r| {
                Ok(ReportedIndex {
                    kind: r.unit_enum(IndexKind::ALL)?,
                    reading: r.reading()?,
                })
            })?,
        })
    }
}
