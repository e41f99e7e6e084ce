//! Fuzz target for the per-file work: any bytes in, a `Document` or a `FileError` out. Never
//! a panic, an abort, a huge allocation or a long run.
//!
//! The bytes go through what `scan` does to a file: the head reader (`read::read_opened`,
//! here with a 16-byte elision threshold so that its skipping of large values is exercised
//! on small inputs), then `extract` on the head; `extract` also runs on the whole bytes
//! (the head reader's differential: both must be safe and agree on the document or the
//! reason), and the two text readers of the carriers (docs/evidence.md)
//! run on the raw bytes (the Hologic results document, the GE ImageComments XML).
//!
//! `cargo +nightly fuzz run extract fuzz/corpus/extract -- -dict=fuzz/dicom.dict ...`
//! (see fuzz/README.md). No `catch_unwind`: a panic is a finding.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

use dxa_ingest::carrier::{ge_xml, hologic};
use dxa_ingest::sr::Limits;
use dxa_ingest::sr::dataset::HeadPolicy;
use dxa_ingest::{ClassifyOptions, Document, Mapper, classify_document, extract};

fn mapper() -> &'static Mapper {
    static MAPPER: OnceLock<Mapper> = OnceLock::new();
    MAPPER.get_or_init(|| dxa_ingest::profile::load(&[]).expect("built-in profiles load"))
}

/// The document (as text, to compare) or the reason it was not ingested.
fn extract_and_classify(bytes: &[u8], limits: &Limits) -> Result<String, &'static str> {
    match extract(bytes, mapper(), limits) {
        Ok(document) => {
            let assessment = classify_document(&document, &ClassifyOptions::default());
            std::hint::black_box(&assessment);
            Ok(format!("{document:?}"))
        }
        Err(error) => Err(error.reason.code()),
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let whole = extract_and_classify(data, &limits);
    // What a scan reads of a file: its head, large values left out.
    let policy = HeadPolicy {
        elide_above: 16,
        chunk: 64,
    };
    let cursor = std::io::Cursor::new(data);
    if let Ok(file) = dxa_ingest::read::read_opened(cursor, data.len() as u64, &limits, &policy) {
        // The differential: what is left out never changes the outcome (the document, or
        // the reason it was not ingested), as tests/input.rs checks over the corpus.
        let head = extract_and_classify(&file.head.bytes, &limits);
        assert_eq!(head, whole, "the head reader changed the outcome");
    }
    // The results document reader (script + tables) on the raw bytes.
    let mut document = Document::default();
    let _ = std::hint::black_box(hologic::read(data, mapper(), &mut document));
    // The ImageComments XML reader on the raw text.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = std::hint::black_box(ge_xml::read(text, mapper()));
    }
});
