//! Fuzz target for the per-file pure function: any bytes in, a `Document` or a
//! `FileError` out. Never a panic, an abort, a huge allocation or a long run.
//!
//! `cargo +nightly fuzz run extract fuzz/corpus/extract -- -dict=fuzz/dicom.dict ...`
//! (see fuzz/README.md). No `catch_unwind`: a panic is a finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use dxa_ingest::sr::Limits;
use dxa_ingest::{ClassifyOptions, Mapper, classify_document, extract};

fn mapper() -> &'static Mapper {
    static MAPPER: OnceLock<Mapper> = OnceLock::new();
    MAPPER.get_or_init(|| dxa_ingest::profile::load(&[]).expect("built-in profiles load"))
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(document) = extract(data, mapper(), &limits) {
        let assessment = classify_document(&document, &ClassifyOptions::default());
        std::hint::black_box(&assessment);
    }
});
