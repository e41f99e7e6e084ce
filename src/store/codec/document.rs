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
//! in every document of a whole-body exam, is written by hand too (`body`). The primitives
//! of both are in `wire`.

use std::io;

use crate::date::Timestamp;
use crate::decimal::Decimal;
use crate::document::{Carrier, Document, Measurement, Sex};
use crate::vocabulary::{Calibration, Laterality, Manufacturer, Region};

use wire::{Fixed, MAX_OPTION_DECIMAL, corrupt, put_date, put_decimal, put_option, put_seldom};
pub use wire::{Reader, put_str, put_varint};

#[inline]
fn put_measurement(out: &mut Vec<u8>, m: &Measurement) {
    // The region and side, then the seven optional numbers, each written into a stack
    // buffer and appended at once: pushed byte by byte into `out`, each byte checked its
    // vector's capacity (about 50 instructions a number: docs/performance.md).
    let mut head = Fixed::<20>::new();
    head.varint(m.region as u64);
    head.varint(m.laterality as u64);
    out.extend_from_slice(head.bytes());
    put_str(out, &m.source_label);
    let mut values = Fixed::<{ 7 * MAX_OPTION_DECIMAL }>::new();
    for value in m.values() {
        values.option_decimal(value);
    }
    out.extend_from_slice(values.bytes());
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
    // A carrier is a unit variant: its index (every document has one or two).
    put_varint(out, doc.carriers.len() as u64);
    for &carrier in &doc.carriers {
        put_varint(out, carrier as u64);
    }
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

impl Reader<'_> {
    #[inline]
    fn measurement(&mut self) -> io::Result<Measurement> {
        // Made whole where it is returned (`Measurement::new` and the fields set after it
        // made it on the stack and copied it).
        Ok(Measurement {
            region: self.unit_enum(Region::ALL)?,
            laterality: self.unit_enum(Laterality::ALL)?,
            source_label: self.string()?,
            bmd: self.opt_decimal()?,
            bmc: self.opt_decimal()?,
            area: self.opt_decimal()?,
            t_score: self.opt_decimal()?,
            z_score: self.opt_decimal()?,
            pct_young_adult: self.opt_decimal()?,
            pct_age_matched: self.opt_decimal()?,
            notes: self.vec(Self::string)?,
        })
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
            carriers: self.vec(|r| r.unit_enum(Carrier::ALL))?,
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
mod room;
mod wire;

#[cfg(test)]
mod tests;
