//! Fuzz target for the per-file pure function: any bytes in, a `Document` or a
//! `FileError` out. Never a panic, an abort, a huge allocation or a long run.
//!
//! The carriers' text readers (issue 11) are reached through `extract` (a report image's
//! private element, a GE SR's ImageComments), and also fed the raw bytes directly, so that
//! the fuzzer need not build a DICOM file around every results document or XML it tries.
//!
//! `cargo +nightly fuzz run extract fuzz/corpus/extract -- -dict=fuzz/dicom.dict ...`
//! (see fuzz/README.md). No `catch_unwind`: a panic is a finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use dxa_ingest::carrier::{ge_xml, hologic};
use dxa_ingest::sr::Limits;
use dxa_ingest::{ClassifyOptions, Document, Mapper, classify_document, extract};

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
    // The results document reader (script + tables) on the raw bytes.
    let mut document = Document::default();
    let _ = std::hint::black_box(hologic::read(data, mapper(), &mut document));
    // The ImageComments XML reader on the raw text.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = std::hint::black_box(ge_xml::read(text, mapper()));
    }
});
