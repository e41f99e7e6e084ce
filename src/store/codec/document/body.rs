//! A document's body composition in the run's store and in `--partial` files: a byte string
//! (postcard's bytes: a varint length, then the bytes) holding the composition in a compact
//! form written and read by hand, through the same two functions whether the document goes
//! through `super`'s encoding or through serde's (`BodyComposition`'s `Serialize` and
//! `Deserialize` are here), so that both stay byte for byte one encoding.
//!
//! A composition holds about a hundred readings, which written field by field (two decimals,
//! a unit string and an option tag each) made the largest part of writing and reading a
//! body composition file's documents (docs/performance.md, "Body composition files"). The
//! compact form, inside the byte string:
//! - a byte string (a varint length, then the bytes) of the source's variant, the regions
//!   (a varint count), each as its variant, its label (a string), a byte whose bit `i` says
//!   the `i`th of the struct's eight readings is present, then each present reading; and
//!   the indices (a varint count), each as its variant then its reading;
//! - then the distinct units those readings name (a varint count, then each as a string),
//!   in the order first met: the writer collects them as it writes the readings;
//! - a reading as a varint `unit << 1 | same` (its unit's index in the units; `same`: the
//!   value is the number as written, parts and all, and is not written again), the number
//!   as written (a decimal: the zigzag mantissa and the scale as varints), then the value
//!   unless `same`.
//!
//! A composition's readings hold their unit as an index into its units
//! (`BodyComposition::units`, in the order they were added): the writer maps each to the
//! order first met as it writes. The units read back are the composition's, in the order
//! written (the readings' indices taken as they are, each checked against their count),
//! shared through `bodycomp::shared` (one `Arc<str>` per distinct unit of a thread's
//! documents).
//!
//! Nearly every reading has a head of one byte and numbers whose mantissas take one to
//! three bytes: such a reading is written as one or two words (`put_reading`) and read from
//! one or two (`Reader::quick_reading`), without a check and a store per byte; any other,
//! and a corrupt one, goes byte by byte, as every reading did. Both ways are held to the
//! codec as it was before them (`reference`, for the tests: the same bytes, the same
//! composition, the same errors).

use std::fmt;
use std::io;
use std::sync::Arc;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::room::{self, Room};
use super::wire::{Fixed, Reader, corrupt, put_str, put_varint, short_decimal_bytes, zigzag};
use crate::bodycomp::{
    BodyComposition, BodyRegion, BodySource, IndexKind, Reading, RegionComposition, RegionLabel,
    ReportedIndex, UnitId, shared,
};
use crate::decimal::Decimal;
use window::{UnitCount, WINDOW, quick_in, short_reading};

/// Units of a composition mapped without a search (`Units::at`): more (never met) are
/// looked up by their text each time.
const MAPPED_UNITS: usize = 16;

/// The distinct units of a composition's readings, in the order first met, and where each
/// of the composition's units is among them.
struct Units<'b> {
    /// The composition's units.
    texts: &'b [Arc<str>],
    /// The units met, in order.
    met: Vec<&'b str>,
    /// The place in `met` of each of the composition's first units, plus one (0: not met).
    at: [u32; MAPPED_UNITS],
    /// The head of a reading (`place << 1`, its `same` bit clear) in each of the
    /// composition's first units, once met, when it is one byte; else `NOT_MAPPED`.
    heads: [u8; MAPPED_UNITS],
}

/// A unit's head not known, or not one byte (`Units::heads`).
const NOT_MAPPED: u8 = 0x80;

impl<'b> Units<'b> {
    fn new(texts: &'b [Arc<str>]) -> Self {
        Units {
            texts,
            met: Vec::with_capacity(4),
            at: [0; MAPPED_UNITS],
            heads: [NOT_MAPPED; MAPPED_UNITS],
        }
    }

    /// The head (`same` bit clear) of a reading in `unit`, below 0x80, once the unit was
    /// met and when its head is one byte; else `NOT_MAPPED` (`index_or_add` then).
    #[inline(always)]
    fn one_byte_head(&self, unit: UnitId) -> u8 {
        match self.heads.get(unit.index()) {
            Some(&head) => head,
            None => NOT_MAPPED,
        }
    }

    /// The place among the units met of the reading's unit, added when new: by its id once
    /// it was met, else by its text (a composition holds each text once; one read from a
    /// store that held a text twice writes it once, as it did).
    #[inline]
    fn index_or_add(&mut self, unit: UnitId) -> usize {
        let id = unit.index();
        if let Some(&at) = self.at.get(id)
            && at != 0
        {
            return at as usize - 1;
        }
        let text: &'b str = &self.texts[id];
        let at = match self.met.iter().position(|u| *u == text) {
            Some(at) => at,
            None => {
                self.met.push(text);
                self.met.len() - 1
            }
        };
        if let Some(slot) = self.at.get_mut(id) {
            *slot = at as u32 + 1;
        }
        if let Some(head) = self.heads.get_mut(id)
            && at < 0x40
        {
            *head = (at << 1) as u8;
        }
        at
    }
}

/// Writes a reading into `room`, its unit's place found in (or added to) `units`.
#[inline(always)]
fn put_reading(room: &mut Room<'_>, reading: &Reading, units: &mut Units<'_>) {
    let same = reading.value.to_parts() == reading.written.to_parts();
    let head = units.one_byte_head(reading.unit);
    // Most readings: a unit met before, whose head is one byte (one look-up), and numbers
    // of a few bytes each (`Room::varint` takes a store per byte), in one or two words.
    if head < NOT_MAPPED
        && let Some((written, written_len)) = short_decimal_bytes(reading.written)
        && let Some(value) = if same {
            Some((0, 0))
        } else {
            short_decimal_bytes(reading.value)
        }
        && room.two_words(
            (
                u64::from(head | u8::from(same)) | written << 8,
                1 + written_len,
            ),
            value,
        )
    {
        return;
    }
    let head = (units.index_or_add(reading.unit) as u64) << 1 | u64::from(same);
    room.varint(head);
    let mut decimal = |value: Decimal| {
        let (mantissa, scale) = value.to_parts();
        room.varint(zigzag(mantissa));
        room.varint(u64::from(scale));
    };
    decimal(reading.written);
    if !same {
        decimal(reading.value);
    }
}

/// Inserts `n` as a varint at `at`, moving up the bytes after it.
fn insert_varint(out: &mut Vec<u8>, at: usize, n: u64) {
    let mut varint = Fixed::<10>::new();
    varint.varint(n);
    let varint = varint.bytes();
    let end = out.len();
    out.extend_from_slice(varint);
    out.copy_within(at..end, at + varint.len());
    out[at..at + varint.len()].copy_from_slice(varint);
}

/// Appends the compact form of `body` (without the byte string's length): its source,
/// regions and indices as a byte string, then the units they name, collected as they are
/// written (no pass over the readings before).
fn put_compact(out: &mut Vec<u8>, body: &BodyComposition) {
    let start = out.len();
    let mut units = Units::new(&body.units);
    // Room for the readings at once (most take 4 to 8 bytes).
    out.reserve(body.regions.len() * (16 + 8 * 8) + body.indices.len() * 10 + 16);
    put_varint(out, body.source as u64);
    put_varint(out, body.regions.len() as u64);
    for region in &body.regions {
        // The variant and a short label (every one a report or an export writes) written
        // in place with the readings; a longer one appended as before.
        let label = region.label.as_bytes();
        let short = label.len() <= room::SHORT_BYTES && (region.region as u64) < 0x80;
        if !short {
            put_varint(out, region.region as u64);
            put_str(out, &region.label);
        }
        // The presence byte and the readings written in place past the end: a reading
        // appended on its own cost a copy call and a capacity check each, and the
        // region's written on the stack a copy call (docs/performance.md, "The end of a
        // run").
        room::in_place(out, |room| {
            if short {
                room.byte(region.region as u8);
                room.byte(label.len() as u8);
                room.short_bytes(label);
            }
            // The presence byte, its bits set as the readings are written.
            let presence = room.len();
            room.byte(0);
            let mut present = 0u8;
            let mut put = |bit: u8, reading: &Option<Reading>| {
                if let Some(reading) = reading {
                    present |= 1 << bit;
                    put_reading(room, reading, &mut units);
                }
            };
            // In the struct's field order (`RegionComposition::readings`), each field by
            // itself: a loop over the array of the eight took a pointer, a test and a
            // variable shift for each.
            put(0, &region.fat);
            put(1, &region.lean);
            put(2, &region.bmc);
            put(3, &region.lean_bmc);
            put(4, &region.tissue);
            put(5, &region.total_mass);
            put(6, &region.fat_pct);
            put(7, &region.tissue_fat_pct);
            room.set(presence, present);
        });
    }
    put_varint(out, body.indices.len() as u64);
    for index in &body.indices {
        room::in_place(out, |room| {
            room.varint(index.kind as u64);
            put_reading(room, &index.reading, &mut units);
        });
    }
    let written = out.len() - start;
    put_varint(out, units.met.len() as u64);
    for unit in &units.met {
        put_str(out, unit);
    }
    insert_varint(out, start, written as u64);
}

/// Appends `body` as a byte string: the varint length, then the compact form (as postcard
/// writes `serialize_bytes`). The compact form is written in place and moved up by the
/// length's bytes.
#[inline(never)]
pub fn put_body(out: &mut Vec<u8>, body: &BodyComposition) {
    let start = out.len();
    put_compact(out, body);
    let len = out.len() - start;
    insert_varint(out, start, len as u64);
}

impl Reader<'_> {
    /// A reading of one of the `units` units written into `slot`: most in one step
    /// (`quick_reading`), the others (and a corrupt one) byte by byte. (Written in each
    /// branch: a reading returned from either, the quick one went through the stack.)
    #[inline(always)]
    fn read_into(&mut self, slot: &mut Option<Reading>, units: UnitCount) -> io::Result<()> {
        match self.quick_reading(units) {
            Some(reading) => *slot = Some(reading),
            None => *slot = Some(self.reading_bytewise(units.count)?),
        }
        Ok(())
    }

    /// A reading whose head is one byte and whose numbers are each a short decimal
    /// (`short_decimal`: every number a report or an export writes), read from a word or
    /// two of the bytes without a check per byte. None, with nothing read, for any other,
    /// and within the last bytes (a word past them is not read).
    #[inline(always)]
    fn quick_reading(&mut self, units: UnitCount) -> Option<Reading> {
        let rest = self.bytes.get(self.at..)?;
        let (reading, taken) = short_reading(*rest.first()?, units, |from| {
            Some(u64::from_le_bytes(*rest.get(from..)?.first_chunk::<8>()?))
        })?;
        self.at += taken;
        Some(reading)
    }

    /// A reading as `put_reading` writes it, byte by byte, refused when corrupt.
    #[inline(never)]
    fn reading_bytewise(&mut self, units: usize) -> io::Result<Reading> {
        let head = self.u64()?;
        let at = (head >> 1) as usize;
        // The units read are fewer than an id holds (`compact` refuses more).
        if at >= units {
            return Err(corrupt("a bad unit"));
        }
        let unit = UnitId::listed(at);
        let written = self.decimal()?;
        let value = if head & 1 == 1 {
            written
        } else {
            self.decimal()?
        };
        Ok(Reading {
            value,
            written,
            unit,
        })
    }

    /// The regions, each read into its place in the vector: its variant, its label
    /// (borrowed, then a kept text or copied once into a `String`: `RegionLabel`), its presence byte, then
    /// the reading of each bit set, in the struct's field order, written into its field
    /// (no `Result` per field, and no region moved whole into the vector).
    fn regions(&mut self, units: UnitCount) -> io::Result<Vec<RegionComposition>> {
        let count = self.count()?;
        let mut regions = Vec::with_capacity(count);
        for _ in 0..count {
            // The variant read inline (`unit_enum` called `variant` out of line).
            let region = BodyRegion::ALL.get(self.varint(32)? as usize);
            let region = *region.ok_or_else(|| corrupt("a bad variant"))?;
            let label = self.str()?;
            let mut present = self.byte()?;
            // Made in place in the vector: a region made by `RegionComposition::new` was
            // copied into it.
            regions.push(RegionComposition::with_label(
                region,
                RegionLabel::new(region, label),
            ));
            let Some(last) = regions.last_mut() else {
                unreachable!("a region was just pushed");
            };
            let slots = last.slots();
            if let Some(window) = self
                .bytes
                .get(self.at..)
                .and_then(|rest| rest.first_chunk::<WINDOW>())
            {
                // Every reading of the region is within the window (`WINDOW`): read
                // without a check of the bytes left or a store of the position each.
                let mut at = 0;
                while present != 0 {
                    let slot = present.trailing_zeros() as usize & 7;
                    present &= present - 1;
                    match quick_in(window, at, units) {
                        Some((reading, taken)) => {
                            *slots[slot] = Some(reading);
                            at += taken;
                        }
                        None => {
                            // Any other reading (and a corrupt one) byte by byte, and the
                            // region's readings after it as before.
                            self.at += at;
                            *slots[slot] = Some(self.reading_bytewise(units.count)?);
                            while present != 0 {
                                let slot = present.trailing_zeros() as usize & 7;
                                self.read_into(slots[slot], units)?;
                                present &= present - 1;
                            }
                            at = 0;
                            break;
                        }
                    }
                }
                self.at += at;
            } else {
                while present != 0 {
                    self.read_into(slots[present.trailing_zeros() as usize & 7], units)?;
                    present &= present - 1;
                }
            }
        }
        Ok(regions)
    }

    /// A composition's compact form, as `put_compact` writes it.
    /// (The caller checks that every byte was read.)
    fn compact(&mut self) -> io::Result<BodyComposition> {
        let mut part = Reader::new(self.bytes()?);
        let units = self.vec(|r| Ok(shared::shared(r.str()?)))?;
        if UnitId::new(units.len()).is_none() {
            return Err(corrupt("too many units"));
        }
        let read = UnitCount::of(units.len());
        let body = BodyComposition {
            source: part
                .unit_enum(&[BodySource::HologicResultsDocument, BodySource::EncoreExport])?,
            regions: part.regions(read)?,
            indices: part.vec(|r| {
                let kind = r.unit_enum(IndexKind::ALL)?;
                let mut reading = None;
                r.read_into(&mut reading, read)?;
                Ok(ReportedIndex {
                    kind,
                    reading: reading.unwrap_or_else(|| unreachable!("a reading was read")),
                })
            })?,
            units,
        };
        part.finish()?;
        Ok(body)
    }

    /// A `BodyComposition` as `put_body` writes it. Not inlined into `document`, whose
    /// other fields every document has (an SR document has no body composition).
    #[inline(never)]
    pub fn body(&mut self) -> io::Result<BodyComposition> {
        let mut inner = Reader::new(self.bytes()?);
        let body = inner.compact()?;
        inner.finish()?;
        Ok(body)
    }
}

impl Serialize for BodyComposition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::new();
        put_compact(&mut bytes, self);
        serializer.serialize_bytes(&bytes)
    }
}

impl<'de> Deserialize<'de> for BodyComposition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Compact;
        impl<'de> Visitor<'de> for Compact {
            type Value = BodyComposition;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a body composition's bytes")
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<BodyComposition, E> {
                let mut reader = Reader::new(bytes);
                let body = reader.compact().map_err(E::custom)?;
                reader.finish().map_err(E::custom)?;
                Ok(body)
            }
            // A format without bytes of its own writes them as a sequence of numbers.
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BodyComposition, A::Error> {
                let mut bytes = Vec::new();
                while let Some(byte) = seq.next_element::<u8>()? {
                    bytes.push(byte);
                }
                self.visit_bytes(&bytes)
            }
        }
        deserializer.deserialize_bytes(Compact)
    }
}

mod window;

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests;
