//! The composition's encoding and decoding as they were before the one-step readings
//! (`Reader::quick_reading`) and the regions read in place: field by field, a varint and a
//! `Result` at a time. Kept for the tests alone, which hold the codec to them
//! (`tests::compositions_encode_and_read_as_the_reference_does`): the same bytes written,
//! the same composition read, the same inputs refused.

use std::io;
use std::sync::Arc;

use super::{Fixed, Reader, Units, corrupt, insert_varint};

/// Most bytes of a reading: three varints of 64 bits (10 bytes each) and two of 32 (5).
const READING_BYTES: usize = 40;

/// Most bytes of a region's presence byte and readings.
const REGION_READINGS_BYTES: usize = 1 + 8 * READING_BYTES;
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, IndexKind, Reading, RegionComposition, ReportedIndex,
    UnitId, shared,
};
use crate::store::codec::document::wire::{put_str, put_varint};

fn put_reading<const N: usize>(buf: &mut Fixed<N>, reading: &Reading, unit: usize) {
    let same = reading.value.to_parts() == reading.written.to_parts();
    buf.varint((unit as u64) << 1 | u64::from(same));
    buf.decimal(reading.written);
    if !same {
        buf.decimal(reading.value);
    }
}

fn put_compact(out: &mut Vec<u8>, body: &BodyComposition) {
    let start = out.len();
    let mut units = Units::new(&body.units);
    put_varint(out, body.source as u64);
    put_varint(out, body.regions.len() as u64);
    for region in &body.regions {
        put_varint(out, region.region as u64);
        put_str(out, &region.label);
        let present = region.readings();
        let mask = present
            .iter()
            .enumerate()
            .fold(0u8, |mask, (i, r)| mask | (u8::from(r.is_some()) << i));
        let mut buf = Fixed::<REGION_READINGS_BYTES>::new();
        buf.byte(mask);
        for reading in present.into_iter().flatten() {
            put_reading(&mut buf, reading, units.index_or_add(reading.unit));
        }
        out.extend_from_slice(buf.bytes());
    }
    put_varint(out, body.indices.len() as u64);
    for index in &body.indices {
        let mut buf = Fixed::<{ 1 + READING_BYTES }>::new();
        buf.varint(index.kind as u64);
        put_reading(
            &mut buf,
            &index.reading,
            units.index_or_add(index.reading.unit),
        );
        out.extend_from_slice(buf.bytes());
    }
    let written = out.len() - start;
    put_varint(out, units.met.len() as u64);
    for unit in &units.met {
        put_str(out, unit);
    }
    insert_varint(out, start, written as u64);
}

/// `put_body` as it was.
pub(super) fn put_body(out: &mut Vec<u8>, body: &BodyComposition) {
    let start = out.len();
    put_compact(out, body);
    let len = out.len() - start;
    insert_varint(out, start, len as u64);
}

fn reading(r: &mut Reader<'_>, units: &[Arc<str>]) -> io::Result<Reading> {
    let head = r.u64()?;
    let at = (head >> 1) as usize;
    if at >= units.len() {
        return Err(corrupt("a bad unit"));
    }
    let unit = UnitId::listed(at);
    let written = r.decimal()?;
    let value = if head & 1 == 1 { written } else { r.decimal()? };
    Ok(Reading {
        value,
        written,
        unit,
    })
}

fn present(
    r: &mut Reader<'_>,
    mask: u8,
    bit: u32,
    units: &[Arc<str>],
) -> io::Result<Option<Reading>> {
    if mask & (1 << bit) == 0 {
        return Ok(None);
    }
    reading(r, units).map(Some)
}

fn region(r: &mut Reader<'_>, units: &[Arc<str>]) -> io::Result<RegionComposition> {
    let region = r.unit_enum(BodyRegion::ALL)?;
    let label = r.string()?;
    let mask = r.byte()?;
    Ok(RegionComposition {
        region,
        label: label.into(),
        fat: present(r, mask, 0, units)?,
        lean: present(r, mask, 1, units)?,
        bmc: present(r, mask, 2, units)?,
        lean_bmc: present(r, mask, 3, units)?,
        tissue: present(r, mask, 4, units)?,
        total_mass: present(r, mask, 5, units)?,
        fat_pct: present(r, mask, 6, units)?,
        tissue_fat_pct: present(r, mask, 7, units)?,
    })
}

fn compact(r: &mut Reader<'_>) -> io::Result<BodyComposition> {
    let mut part = Reader::new(r.bytes()?);
    let units = r.vec(|r| Ok(shared::shared(r.str()?)))?;
    if UnitId::new(units.len()).is_none() {
        return Err(corrupt("too many units"));
    }
    let body = BodyComposition {
        source: part.unit_enum(&[BodySource::HologicResultsDocument, BodySource::EncoreExport])?,
        regions: part.vec(|r| region(r, &units))?,
        indices: part.vec(|r| {
            Ok(ReportedIndex {
                kind: r.unit_enum(IndexKind::ALL)?,
                reading: reading(r, &units)?,
            })
        })?,
        units,
    };
    part.finish()?;
    Ok(body)
}

/// `Reader::body` as it was.
pub(super) fn body(r: &mut Reader<'_>) -> io::Result<BodyComposition> {
    let mut inner = Reader::new(r.bytes()?);
    let body = compact(&mut inner)?;
    inner.finish()?;
    Ok(body)
}
