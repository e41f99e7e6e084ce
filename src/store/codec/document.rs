//! A `Document` in postcard's encoding, written and read by hand: the same bytes as
//! `postcard::to_extend(&doc)` and the same value as `postcard::from_bytes` (the property
//! test below holds it to both), without serde's visitor per field. The run's partitions
//! hold every document once and read it back once (docs/performance.md, "The end of a
//! run"); `--partial` files keep the serde encoding of the same value, which is byte for
//! byte this one.
//!
//! postcard's wire format (stable since 1.0, docs/scale.md): an unsigned integer of more
//! than 8 bits as a varint (7 bits a byte, least significant first), a signed one zigzag
//! encoded first, a `u8` as itself, a string or sequence as its length (a varint) then its
//! contents, an `Option` as 0, or 1 then the value, an enum variant as its index (a
//! varint) then its contents, a struct or tuple as its fields in order. Fields that are
//! seldom present (flags, carriers, fractures, history, the reference, bounds) go through
//! serde when they are, and are one byte when they are not; the body composition, present
//! in every document of a whole-body exam, is written by hand too (`body`).

use std::io;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::date::{Date, Timestamp};
use crate::decimal::Decimal;
use crate::document::{Document, Measurement, Sex};
use crate::vocabulary::{Calibration, Laterality, Manufacturer, Region};

/// Appends `n` as a varint.
#[inline]
pub fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Appends a string: its length, then its bytes.
#[inline]
pub fn put_str(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

#[inline]
fn put_option<T>(out: &mut Vec<u8>, value: Option<T>, put: impl FnOnce(&mut Vec<u8>, T)) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            put(out, value);
        }
    }
}

#[inline]
fn put_decimal(out: &mut Vec<u8>, value: Decimal) {
    let (mantissa, scale) = value.to_parts();
    put_varint(out, ((mantissa << 1) ^ (mantissa >> 63)) as u64);
    put_varint(out, u64::from(scale));
}

#[inline]
fn put_date(out: &mut Vec<u8>, date: Date) {
    put_varint(out, u64::from(date.year));
    out.push(date.month);
    out.push(date.day);
}

/// A value through serde (the fields seldom present).
fn put_serde<T: Serialize>(out: &mut Vec<u8>, value: &T) -> io::Result<()> {
    *out = postcard::to_extend(value, std::mem::take(out)).map_err(super::invalid)?;
    Ok(())
}

/// A sequence or option through serde when it holds something, else its one byte 0.
fn put_seldom<T: Serialize>(out: &mut Vec<u8>, value: &T, empty: bool) -> io::Result<()> {
    if empty {
        out.push(0);
        Ok(())
    } else {
        put_serde(out, value)
    }
}

#[inline]
fn put_measurement(out: &mut Vec<u8>, m: &Measurement) {
    put_varint(out, m.region as u64);
    put_varint(out, m.laterality as u64);
    put_str(out, &m.source_label);
    for value in m.values() {
        put_option(out, value, put_decimal);
    }
    put_varint(out, m.notes.len() as u64);
    for note in &m.notes {
        put_str(out, note);
    }
}

/// Appends `doc` as postcard encodes it.
pub fn put_document(out: &mut Vec<u8>, doc: &Document) -> io::Result<()> {
    let text = |out: &mut Vec<u8>, value: &Option<String>| {
        put_option(out, value.as_deref(), put_str);
    };
    let decimal = |out: &mut Vec<u8>, value: Option<Decimal>| put_option(out, value, put_decimal);
    put_str(out, &doc.sop_instance_uid);
    put_str(out, &doc.study_instance_uid);
    put_str(out, &doc.series_instance_uid);
    put_str(out, &doc.sop_class_uid);
    put_str(out, &doc.patient_id);
    put_option(out, doc.patient_sex, |out, sex| put_varint(out, sex as u64));
    put_option(out, doc.birth_date, put_date);
    text(out, &doc.patient_age);
    put_option(out, doc.study_date, put_date);
    put_option(out, doc.content_time, |out, time| {
        put_date(out, time.date);
        put_varint(out, time.micros);
    });
    put_str(out, &doc.accession_number);
    put_option(out, doc.manufacturer, |out, m| put_varint(out, m as u64));
    put_str(out, &doc.manufacturer_raw);
    put_option(out, doc.calibration, |out, c| put_varint(out, c as u64));
    put_str(out, &doc.model);
    put_str(out, &doc.software_version);
    put_str(out, &doc.device_serial);
    put_str(out, &doc.institution);
    put_str(out, &doc.title);
    text(out, &doc.reference_database);
    decimal(out, doc.frax_major);
    decimal(out, doc.frax_hip);
    decimal(out, doc.tbs);
    put_varint(out, doc.measurements.len() as u64);
    for m in &doc.measurements {
        put_measurement(out, m);
    }
    put_varint(out, doc.unmapped_items as u64);
    put_seldom(out, &doc.flags, doc.flags.is_empty())?;
    put_seldom(out, &doc.carriers, doc.carriers.is_empty())?;
    decimal(out, doc.frax_major_prior);
    decimal(out, doc.frax_hip_prior);
    text(out, &doc.frax_not_reported);
    put_seldom(
        out,
        &doc.vertebral_fractures,
        doc.vertebral_fractures.is_empty(),
    )?;
    put_seldom(out, &doc.history, doc.history.is_empty())?;
    decimal(out, doc.menopause_age);
    decimal(out, doc.height_cm);
    decimal(out, doc.weight_kg);
    text(out, &doc.ethnicity);
    text(out, &doc.scanner_classification);
    put_seldom(out, &doc.t_reference, doc.t_reference.is_none())?;
    decimal(out, doc.frax_neck_t_uniform);
    put_seldom(
        out,
        &doc.frax_major_censored,
        doc.frax_major_censored.is_none(),
    )?;
    put_seldom(out, &doc.frax_hip_censored, doc.frax_hip_censored.is_none())?;
    put_option(out, doc.body_composition.as_ref(), body::put_body);
    Ok(())
}

/// Reads postcard's encoding from a frame's bytes, front to back.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

#[cold]
fn corrupt(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("a record cannot be decoded ({what}): the file is corrupt"),
    )
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// Ok when every byte was read, as `codec::decode` requires.
    pub fn finish(self) -> io::Result<()> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a record with trailing bytes: the file is corrupt",
            ))
        }
    }

    #[inline]
    fn byte(&mut self) -> io::Result<u8> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| corrupt("the record ends early"))?;
        self.at += 1;
        Ok(byte)
    }

    /// A varint of an integer of `bits` bits, refused (as postcard does) when longer than
    /// such an integer's varint or with bits beyond it in its last byte.
    #[inline]
    fn varint(&mut self, bits: u32) -> io::Result<u64> {
        // One byte below 0x80 (a length, a scale, a variant, most mantissas of a body
        // composition's readings): the value, whatever the integer's width.
        if let Some(&byte) = self.bytes.get(self.at)
            && byte < 0x80
        {
            self.at += 1;
            return Ok(u64::from(byte));
        }
        let max_bytes = bits.div_ceil(7);
        let last_max = (1u64 << (bits % 7)) - 1;
        let mut value = 0u64;
        for i in 0..max_bytes {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7F) << (7 * i);
            if byte & 0x80 == 0 {
                if i == max_bytes - 1 && u64::from(byte) > last_max {
                    break;
                }
                return Ok(value);
            }
        }
        Err(corrupt("a bad varint"))
    }

    /// A u64 (or usize) varint.
    #[inline]
    pub fn u64(&mut self) -> io::Result<u64> {
        self.varint(64)
    }

    #[inline]
    fn u32(&mut self) -> io::Result<u32> {
        Ok(self.varint(32)? as u32)
    }

    /// A borrowed string.
    #[inline]
    pub fn str(&mut self) -> io::Result<&'a str> {
        let len = usize::try_from(self.u64()?).map_err(|_| corrupt("a bad length"))?;
        let end = self
            .at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| corrupt("the record ends early"))?;
        let bytes = &self.bytes[self.at..end];
        // Almost every string is ASCII, which is checked a word at a time.
        let text = if bytes.is_ascii() {
            // SAFETY: ASCII is UTF-8.
            unsafe { std::str::from_utf8_unchecked(bytes) }
        } else {
            std::str::from_utf8(bytes).map_err(|_| corrupt("a string not UTF-8"))?
        };
        self.at = end;
        Ok(text)
    }

    /// An owned string.
    #[inline]
    pub fn string(&mut self) -> io::Result<String> {
        Ok(self.str()?.to_owned())
    }

    /// An enum's variant index.
    pub fn variant(&mut self) -> io::Result<u32> {
        self.u32()
    }

    #[inline]
    fn option<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> io::Result<T>,
    ) -> io::Result<Option<T>> {
        match self.byte()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(corrupt("a bad option")),
        }
    }

    #[inline]
    fn decimal(&mut self) -> io::Result<Decimal> {
        let zigzag = self.u64()?;
        let mantissa = ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
        let scale = self.u32()?;
        Decimal::from_parts(mantissa, scale).ok_or_else(|| corrupt("a bad decimal"))
    }

    #[inline]
    fn date(&mut self) -> io::Result<Date> {
        Ok(Date {
            year: self.varint(16)? as u16,
            month: self.byte()?,
            day: self.byte()?,
        })
    }

    #[inline]
    fn unit_enum<T: Copy>(&mut self, all: &[T]) -> io::Result<T> {
        let index = self.variant()? as usize;
        all.get(index)
            .copied()
            .ok_or_else(|| corrupt("a bad variant"))
    }

    /// A value through serde (the fields seldom present).
    fn serde<T: DeserializeOwned>(&mut self) -> io::Result<T> {
        let rest = &self.bytes[self.at..];
        let (value, left) = postcard::take_from_bytes(rest).map_err(super::invalid)?;
        self.at += rest.len() - left.len();
        Ok(value)
    }

    /// A sequence through serde when it holds something.
    fn seldom_vec<T: DeserializeOwned>(&mut self) -> io::Result<Vec<T>> {
        if self.bytes.get(self.at) == Some(&0) {
            self.at += 1;
            return Ok(Vec::new());
        }
        self.serde()
    }

    /// An option through serde when it holds something.
    fn seldom_option<T: DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        if self.bytes.get(self.at) == Some(&0) {
            self.at += 1;
            return Ok(None);
        }
        self.serde()
    }

    #[inline]
    fn text(&mut self) -> io::Result<Option<String>> {
        self.option(Self::string)
    }

    #[inline]
    fn opt_decimal(&mut self) -> io::Result<Option<Decimal>> {
        self.option(Self::decimal)
    }

    #[inline]
    fn measurement(&mut self) -> io::Result<Measurement> {
        let region = self.unit_enum(Region::ALL)?;
        let laterality = self.unit_enum(Laterality::ALL)?;
        let source_label = self.string()?;
        let mut m = Measurement::new(region, laterality, "");
        m.source_label = source_label;
        m.bmd = self.opt_decimal()?;
        m.bmc = self.opt_decimal()?;
        m.area = self.opt_decimal()?;
        m.t_score = self.opt_decimal()?;
        m.z_score = self.opt_decimal()?;
        m.pct_young_adult = self.opt_decimal()?;
        m.pct_age_matched = self.opt_decimal()?;
        m.notes = self.vec(Self::string)?;
        Ok(m)
    }

    fn vec<T>(&mut self, read: impl Fn(&mut Self) -> io::Result<T>) -> io::Result<Vec<T>> {
        let len = self.u64()?;
        // Each element takes a byte at least: a longer count is a corrupt record, and
        // must not be allocated.
        if len > (self.bytes.len() - self.at) as u64 {
            return Err(corrupt("a bad length"));
        }
        let mut items = Vec::with_capacity(len as usize);
        for _ in 0..len {
            items.push(read(self)?);
        }
        Ok(items)
    }

    /// A `Document` as `put_document` (and postcard) writes it.
    pub fn document(&mut self) -> io::Result<Document> {
        Ok(Document {
            sop_instance_uid: self.string()?,
            study_instance_uid: self.string()?,
            series_instance_uid: self.string()?,
            sop_class_uid: self.string()?,
            patient_id: self.string()?,
            patient_sex: self.option(|r| r.unit_enum(&[Sex::Female, Sex::Male, Sex::Other]))?,
            birth_date: self.option(Self::date)?,
            patient_age: self.text()?,
            study_date: self.option(Self::date)?,
            content_time: self.option(|r| {
                Ok(Timestamp {
                    date: r.date()?,
                    micros: r.u64()?,
                })
            })?,
            accession_number: self.string()?,
            manufacturer: self.option(|r| r.unit_enum(Manufacturer::ALL))?,
            manufacturer_raw: self.string()?,
            calibration: self.option(|r| {
                r.unit_enum(&[
                    Calibration::Hologic,
                    Calibration::GeLunar,
                    Calibration::Norland,
                ])
            })?,
            model: self.string()?,
            software_version: self.string()?,
            device_serial: self.string()?,
            institution: self.string()?,
            title: self.string()?,
            reference_database: self.text()?,
            frax_major: self.opt_decimal()?,
            frax_hip: self.opt_decimal()?,
            tbs: self.opt_decimal()?,
            measurements: self.vec(Self::measurement)?,
            unmapped_items: usize::try_from(self.u64()?).map_err(|_| corrupt("a bad count"))?,
            flags: self.seldom_vec()?,
            carriers: self.seldom_vec()?,
            frax_major_prior: self.opt_decimal()?,
            frax_hip_prior: self.opt_decimal()?,
            frax_not_reported: self.text()?,
            vertebral_fractures: self.seldom_vec()?,
            history: self.seldom_vec()?,
            menopause_age: self.opt_decimal()?,
            height_cm: self.opt_decimal()?,
            weight_kg: self.opt_decimal()?,
            ethnicity: self.text()?,
            scanner_classification: self.text()?,
            t_reference: self.seldom_option()?,
            frax_neck_t_uniform: self.opt_decimal()?,
            frax_major_censored: self.seldom_option()?,
            frax_hip_censored: self.seldom_option()?,
            body_composition: self.option(Self::body)?,
        })
    }
}

mod body;

#[cfg(test)]
mod tests;
