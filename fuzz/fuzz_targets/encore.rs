//! Fuzz target for the GE enCORE export reader (`carrier::encore`): any bytes in, records or
//! a reason out. Never a panic, an abort, a huge allocation or a long run. Every record's
//! body composition also goes through the indices and checks (`bodycomp::index::assess`),
//! with and without a height; and the two entry points must agree (`read_each` gives the
//! records `read` returns, in order).
//!
//! `cargo +nightly fuzz run encore fuzz/corpus/encore -- -dict=fuzz/encore.dict ...`
//! (see fuzz/README.md). No `catch_unwind`: a panic is a finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use dxa_ingest::Mapper;
use dxa_ingest::bodycomp::index::{Cohort, Patient, assess};
use dxa_ingest::carrier::encore;
use dxa_ingest::decimal::Decimal;

fn mapper() -> &'static Mapper {
    static MAPPER: OnceLock<Mapper> = OnceLock::new();
    MAPPER.get_or_init(|| dxa_ingest::profile::load(&[]).expect("built-in profiles load"))
}

fuzz_target!(|data: &[u8]| {
    let _ = encore::is_export(data);
    let whole = encore::read(data, mapper());
    let mut each = Vec::new();
    let summary = encore::read_each(data, mapper(), |record| each.push(record));
    match (&whole, &summary) {
        (Ok(export), Ok(summary)) => {
            assert_eq!(export.records, each, "read and read_each differ");
            assert_eq!(export.flags, summary.flags);
            assert!(export.records.len() <= encore::MAX_ROWS);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("read and read_each disagree on the outcome"),
    }
    let patient = Patient {
        height_cm: Decimal::parse("162.5"),
        weight_kg: Decimal::parse("61.0"),
        cohort: Some(Cohort::Women),
        age_years: Some(60),
    };
    for record in whole.iter().flat_map(|e| &e.records) {
        if let Some(comp) = &record.body_composition {
            std::hint::black_box(assess(comp, &patient));
            std::hint::black_box(assess(comp, &Patient::default()));
        }
    }
});
