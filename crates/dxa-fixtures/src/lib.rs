//! Deterministic generator of DXA (bone densitometry) DICOM Structured
//! Report fixtures for `dxa-ingest`.
//!
//! * [`tree`]: a generic SR content tree ([`Item`], [`SrDoc`]) and its
//!   serialisation ([`sr_bytes`], [`write_sr`]) in any [`Encoding`].
//! * [`study`], [`styles`]: one vendor-neutral [`DxaStudy`] rendered as Hologic-like,
//!   GE Lunar-like, LOINC-coded or flat SR trees.
//! * [`ge_report`], [`hologic_report`], [`evidence`]: GE "DXA Report" SRs and Hologic
//!   report images with results documents, as the field evidence describes them.
//! * [`whole_body`], [`encore`]: a Hologic whole-body report image and a GE enCORE
//!   export set, body composition as the public evidence shows it.
//! * [`junk`]: non-SR / non-DXA files found in real exports.
//! * [`hostile`]: truncated, oversized, deeply nested and corrupted inputs.
//! * [`sample`]: the committed `fixtures/sample` tree.
//! * [`corpus`]: large random corpora for benchmarks.
//!
//! Output is byte-reproducible: UIDs are derived from names
//! ([`uid_from`]), nothing reads the clock, and randomness comes from the
//! seeded [`rng::Rng`].

pub mod body_corpus;
pub mod corpus;
pub mod encoding;
pub mod encore;
pub mod evidence;
pub mod ge_report;
pub mod header;
pub mod hologic_report;
pub mod hostile;
pub mod junk;
pub mod rng;
pub mod sample;
pub mod study;
pub mod styles;
pub mod tree;
pub mod whole_body;

pub use encoding::{Encoding, Ts, file_bytes, file_object, with_explicit_lengths};
pub use header::{BASIC_TEXT_SR, COMPREHENSIVE_SR, ENHANCED_SR, Header, uid_from};
pub use styles::{
    BmdUnit, DxaStudy, Group, Lat, Measure, Row, flat_style, ge_style, hologic_style, loinc_style,
};
pub use tree::{
    CONTAINS, CodeDef, HAS_CONCEPT_MOD, HAS_OBS_CONTEXT, HAS_PROPERTIES, Item, SrDoc, code,
    sr_bytes, sr_dataset, sr_object, sr_object_ts, write_sr,
};
