//! The head reader on files built here, byte by byte, in the three native encodings: what
//! it keeps, what it leaves out, what it costs, and that the walk on what it keeps sees the
//! structure the whole file has. (tests/input.rs compares both ways over every corpus file.)

use std::io::Cursor;

use dicom_core::Tag;

use super::policy::TAIL;
use super::*;
use crate::error::Reason;
use crate::sr::dataset::{DataSet, Syntax, scan_file};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Enc {
    ExplicitLe,
    ImplicitLe,
    ExplicitBe,
}

impl Enc {
    fn ts(self) -> &'static [u8] {
        match self {
            Enc::ExplicitLe => b"1.2.840.10008.1.2.1\0",
            Enc::ImplicitLe => b"1.2.840.10008.1.2\0",
            Enc::ExplicitBe => b"1.2.840.10008.1.2.2\0",
        }
    }

    fn u16(self, v: u16) -> [u8; 2] {
        if self == Enc::ExplicitBe {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }

    fn u32(self, v: u32) -> [u8; 4] {
        if self == Enc::ExplicitBe {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    }
}

/// An element header for a value of `len` bytes (`u32::MAX`: undefined).
fn header(enc: Enc, tag: (u16, u16), vr: &[u8; 2], len: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(enc.u16(tag.0));
    out.extend(enc.u16(tag.1));
    match enc {
        Enc::ImplicitLe => out.extend(len.to_le_bytes()),
        _ if matches!(vr, b"OB" | b"OW" | b"SQ" | b"UN" | b"UT") => {
            out.extend_from_slice(vr);
            out.extend([0, 0]);
            out.extend(enc.u32(len));
        }
        _ => {
            out.extend_from_slice(vr);
            out.extend(enc.u16(len as u16));
        }
    }
    out
}

fn element(enc: Enc, tag: (u16, u16), vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
    let mut out = header(enc, tag, vr, value.len() as u32);
    out.extend_from_slice(value);
    out
}

/// A sequence of defined length holding items of defined length.
fn sequence(enc: Enc, tag: (u16, u16), items: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    for item in items {
        body.extend(enc.u16(0xFFFE));
        body.extend(enc.u16(0xE000));
        body.extend(enc.u32(item.len() as u32));
        body.extend_from_slice(item);
    }
    let mut out = header(enc, tag, b"SQ", body.len() as u32);
    out.extend(body);
    out
}

/// Preamble, a meta group naming the encoding, then `dataset`.
fn file(enc: Enc, dataset: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(element(Enc::ExplicitLe, (0x0002, 0x0010), b"UI", enc.ts()));
    out.extend_from_slice(dataset);
    out
}

const SECONDARY_CAPTURE: &[u8] = b"1.2.840.10008.5.1.4.1.1.7\0";

fn results_document(len: usize) -> Vec<u8> {
    let mut doc = b"<HologicHeader1> <Institution>Test</Institution> </HologicHeader1>\n".to_vec();
    while doc.len() < len {
        doc.extend_from_slice(b"ResultsTable1[ 1][ 3] = \"0.585\";\n");
    }
    doc.truncate(len);
    doc
}

fn read(bytes: &[u8], limits: &Limits, policy: &HeadPolicy) -> Result<FileHeadOf, FileError> {
    let mut source = CursorSource {
        cursor: Cursor::new(bytes),
        read: 0,
    };
    let head = read_head(&mut source, limits, policy)?;
    Ok(FileHeadOf {
        head,
        read: source.read,
    })
}

#[derive(Debug)]
struct FileHeadOf {
    head: Head,
    read: u64,
}

/// `read::FileSource` lives above this module; the same, over a cursor, counting reads.
struct CursorSource<'a> {
    cursor: Cursor<&'a [u8]>,
    read: u64,
}

impl Source for CursorSource<'_> {
    fn read_into(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize, FileError> {
        use std::io::Read;
        let got = (&mut self.cursor)
            .take(max as u64)
            .read_to_end(out)
            .expect("cursor");
        self.read += got as u64;
        Ok(got)
    }

    fn skip(&mut self, n: u64) -> Result<u64, FileError> {
        let n = n.min(self.remaining().unwrap_or(0));
        self.cursor.set_position(self.cursor.position() + n);
        Ok(n)
    }

    fn remaining(&self) -> Option<u64> {
        Some(self.cursor.get_ref().len() as u64 - self.cursor.position())
    }
}

/// Every element of a data set with its value bytes, depth first.
type Flat = Vec<(Tag, Vec<u8>)>;

fn walk(bytes: &[u8]) -> Result<Flat, FileError> {
    let mut inflated = Vec::new();
    let scanned = scan_file(bytes, &Limits::default(), &mut inflated)?;
    Ok(flatten(&scanned.dataset))
}

/// Every element of the data set, depth first, with its value bytes.
fn flatten(set: &DataSet<'_>) -> Flat {
    let mut out = Vec::new();
    let mut stack = vec![0u32];
    while let Some(item) = stack.pop() {
        let mut next = set.items[item as usize].first_element;
        let mut children = Vec::new();
        while next != crate::sr::dataset::NONE {
            let e = &set.elements[next as usize];
            out.push((e.tag, set.value(e).to_vec()));
            let mut child = e.first_item;
            while child != crate::sr::dataset::NONE {
                children.push(child);
                child = set.items[child as usize].next_item;
            }
            next = e.next;
        }
        stack.extend(children.into_iter().rev());
    }
    out
}

#[test]
fn a_report_image_is_read_up_to_its_pixel_data() {
    let enc = Enc::ExplicitLe;
    let doc = results_document(200 * 1024);
    let mut ds = element(enc, (0x0008, 0x0016), b"UI", SECONDARY_CAPTURE);
    ds.extend(element(enc, (0x0019, 0x1000), b"OB", &doc));
    ds.extend(element(enc, (0x0020, 0x4000), b"LT", b"<DXA_RESULTS/>"));
    ds.extend(element(
        enc,
        (0x0029, 0x1000),
        b"OB",
        &vec![0x42; 300 * 1024],
    ));
    ds.extend(element(enc, (0x0029, 0x1010), b"LO", b"after the bitmap"));
    ds.extend(element(enc, (0x7FE0, 0x0010), b"OW", &vec![7; 5 << 20]));
    ds.extend(element(enc, (0xFFFA, 0xFFFA), b"SQ", &[]));
    let bytes = file(enc, &ds);

    let got = read(&bytes, &Limits::default(), &HeadPolicy::default()).unwrap();
    assert!(got.head.pixel_data);
    assert_eq!(
        (got.head.elided_values, got.head.elided_bytes),
        (1, 300 * 1024)
    );
    // The document and what was read ahead: a chunk (64 KiB) of the bitmap, another after
    // it; nothing else of the 5 MB of pixel data.
    assert!(
        got.read < (200 + 2 * 64 + 4) * 1024,
        "read {} bytes",
        got.read
    );
    let elements = walk(&got.head.bytes).unwrap();
    let value = |tag: Tag| elements.iter().find(|(t, _)| *t == tag).map(|(_, v)| v);
    assert_eq!(value(Tag(0x0019, 0x1000)), Some(&doc));
    assert_eq!(value(Tag(0x0029, 0x1000)).map(Vec::len), Some(0));
    assert_eq!(
        value(Tag(0x0029, 0x1010)).map(Vec::as_slice),
        Some(&b"after the bitmap"[..])
    );
    assert_eq!(value(Tag(0x7FE0, 0x0010)), None);
}

#[test]
fn values_inside_sequences_are_left_out_in_every_encoding() {
    // Small thresholds and chunks: every boundary falls inside a header somewhere.
    let policy = HeadPolicy {
        elide_above: 100,
        chunk: 7,
    };
    for enc in [Enc::ExplicitLe, Enc::ImplicitLe, Enc::ExplicitBe] {
        let blob: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
        let mut inner = element(enc, (0x0040, 0xA040), b"CS", b"NUM ");
        inner.extend(element(enc, (0x0019, 0x1010), b"OB", &blob));
        inner.extend(element(enc, (0x0008, 0x0104), b"LO", b"BMD "));
        let mut outer = element(enc, (0x0040, 0xA040), b"CS", b"CONTAINER ");
        outer.extend(sequence(enc, (0x0040, 0xA730), &[inner.clone(), inner]));
        outer.extend(element(enc, (0x0019, 0x1011), b"OB", &blob[..64]));
        let mut ds = element(
            enc,
            (0x0008, 0x0016),
            b"UI",
            b"1.2.840.10008.5.1.4.1.1.88.22\0",
        );
        ds.extend(sequence(enc, (0x0040, 0xA730), &[outer]));
        ds.extend(element(enc, (0x0010, 0x0010), b"PN", b"Doe^Jane"));
        let bytes = file(enc, &ds);

        let got = read(&bytes, &Limits::default(), &policy).unwrap();
        assert_eq!(got.head.elided_values, 2, "{enc:?}");
        assert_eq!(got.head.bytes.len(), bytes.len() - 10_000, "{enc:?}");
        let whole = walk(&bytes).unwrap();
        let head = walk(&got.head.bytes).unwrap();
        // The same elements, in the same places; the two blobs empty.
        assert_eq!(head.len(), whole.len(), "{enc:?}");
        for ((tag, value), (whole_tag, whole_value)) in head.iter().zip(&whole) {
            assert_eq!(tag, whole_tag, "{enc:?}");
            if *tag == Tag(0x0019, 0x1010) {
                assert!(value.is_empty());
            } else {
                assert_eq!(value, whole_value, "{enc:?} {tag}");
            }
        }
    }
}

#[test]
fn garbage_costs_a_tail_and_too_many_elements_are_refused_while_reading() {
    // An unknown VR after the SOP class, then 10 MB: the walk stops at that header.
    let enc = Enc::ExplicitLe;
    let mut ds = element(enc, (0x0008, 0x0016), b"UI", SECONDARY_CAPTURE);
    let bad_at = ds.len();
    ds.extend_from_slice(&[0x10, 0x00, 0x10, 0x00, b'Q', b'Q', 4, 0]);
    ds.extend(vec![0u8; 10 << 20]);
    let bytes = file(enc, &ds);
    let got = read(&bytes, &Limits::default(), &HeadPolicy::default()).unwrap();
    assert!(got.head.bytes.len() < 200 + bad_at + TAIL);
    let error = walk(&got.head.bytes).unwrap_err();
    assert_eq!(error, walk(&bytes).unwrap_err());
    assert!(error.message.contains("unknown VR"), "{}", error.message);

    // 100 000 elements past a cap of 1 000: refused after a thousand, nothing indexed, with
    // the walk's words.
    let limits = Limits {
        max_elements: 1000,
        ..Limits::default()
    };
    let mut ds = Vec::new();
    for i in 0..100_000u32 {
        ds.extend(element(enc, (0x0011, (i % 0xFFFF) as u16), b"LO", b"ab"));
    }
    let bytes = file(enc, &ds);
    let mut source = CursorSource {
        cursor: Cursor::new(&bytes[..]),
        read: 0,
    };
    let error = read_head(&mut source, &limits, &HeadPolicy::default()).unwrap_err();
    assert!(source.read < 100_000, "read {}", source.read);
    let mut inflated = Vec::new();
    let whole = scan_file(&bytes, &limits, &mut inflated).unwrap_err();
    assert_eq!(error, whole);
    assert_eq!(error.reason, Reason::Malformed);
    assert!(
        error.message.contains("more than 1000"),
        "{}",
        error.message
    );
}

#[test]
fn the_cap_applies_to_what_is_read() {
    let enc = Enc::ExplicitLe;
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..Limits::default()
    };
    // A 10 MB image under a 1 MiB cap: read, the pixel data left alone.
    let mut ds = element(enc, (0x0008, 0x0016), b"UI", SECONDARY_CAPTURE);
    ds.extend(element(enc, (0x7FE0, 0x0010), b"OW", &vec![1; 10 << 20]));
    let got = read(&file(enc, &ds), &limits, &HeadPolicy::default()).unwrap();
    assert!(got.head.pixel_data && got.read < 70_000);
    // Text of 10 MB to keep: refused before it is read.
    let mut ds = element(enc, (0x0008, 0x0016), b"UI", SECONDARY_CAPTURE);
    ds.extend(element(enc, (0x0040, 0xA160), b"UT", &vec![b'a'; 10 << 20]));
    let bytes = file(enc, &ds);
    let mut source = CursorSource {
        cursor: Cursor::new(&bytes[..]),
        read: 0,
    };
    let error = read_head(&mut source, &limits, &HeadPolicy::default()).unwrap_err();
    assert_eq!(error.reason, Reason::TooLarge);
    assert!(source.read <= 64 * 1024, "read {}", source.read);
    // A results document is kept whatever its size, and counts.
    let mut ds = element(enc, (0x0008, 0x0016), b"UI", SECONDARY_CAPTURE);
    ds.extend(element(
        enc,
        (0x0019, 0x1000),
        b"OB",
        &results_document(2 << 20),
    ));
    let error = read(&file(enc, &ds), &limits, &HeadPolicy::default()).unwrap_err();
    assert_eq!(error.reason, Reason::TooLarge);
}

#[test]
fn a_value_cut_short_is_still_truncated() {
    let enc = Enc::ExplicitLe;
    let mut ds = element(enc, (0x0008, 0x0016), b"UI", SECONDARY_CAPTURE);
    ds.extend(element(
        enc,
        (0x0029, 0x1000),
        b"OB",
        &vec![0x42; 300 * 1024],
    ));
    let mut bytes = file(enc, &ds);
    bytes.truncate(bytes.len() - 1000);
    let got = read(&bytes, &Limits::default(), &HeadPolicy::default()).unwrap();
    assert_eq!(got.head.bytes, bytes, "kept as it is");
    let error = walk(&got.head.bytes).unwrap_err();
    assert_eq!(error.reason, Reason::Truncated);
    assert_eq!(error, walk(&bytes).unwrap_err());
}

#[test]
fn not_dicom_reads_one_chunk() {
    let zeros = vec![0u8; 3 << 20];
    let got = read(&zeros, &Limits::default(), &HeadPolicy::default()).unwrap();
    assert_eq!(got.read, 64 * 1024);
    let error = walk(&got.head.bytes).unwrap_err();
    assert_eq!(error.reason, Reason::NotDicom);
    let got = read(b"", &Limits::default(), &HeadPolicy::default()).unwrap();
    assert!(got.head.bytes.is_empty());
}

/// A deflated data set (PS3.5 A.5: the meta group as usual, then raw deflate).
fn deflated_file(dataset: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(dataset).expect("deflate");
    let raw = encoder.finish().expect("deflate");
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(element(
        Enc::ExplicitLe,
        (0x0002, 0x0010),
        b"UI",
        b"1.2.840.10008.1.2.1.99\0",
    ));
    out.extend(raw);
    out
}

#[test]
fn deflate_bombs_cost_a_chunk() {
    let enc = Enc::ExplicitLe;
    let limits = Limits::default();
    // 16 MiB of zeros inside one OB: inflated and dropped a chunk at a time.
    let mut ds = element(
        enc,
        (0x0008, 0x0016),
        b"UI",
        b"1.2.840.10008.5.1.4.1.1.88.22\0",
    );
    ds.extend(element(enc, (0x0009, 0x1000), b"OB", &vec![0; 16 << 20]));
    ds.extend(element(enc, (0x0010, 0x0010), b"PN", b"Doe^Jane"));
    let bytes = deflated_file(&ds);
    assert!(bytes.len() < 100_000);
    let got = read(&bytes, &limits, &HeadPolicy::default()).unwrap();
    assert_eq!(got.head.bytes, bytes, "compressed: read whole");
    let mut inflated = Vec::new();
    let scanned = scan_file(&bytes, &limits, &mut inflated).unwrap();
    assert_eq!(scanned.syntax, Syntax::DeflatedExplicitLe);
    let elements = flatten(&scanned.dataset);
    assert_eq!(elements.last().unwrap().1, b"Doe^Jane");
    assert!(
        inflated.len() < 200_000,
        "kept {} inflated bytes",
        inflated.len()
    );
    assert!(inflated.capacity() < 1 << 20, "{}", inflated.capacity());
    // Past the cap, skipped bytes count: too large.
    let small = Limits {
        max_file_bytes: 8 << 20,
        ..Limits::default()
    };
    let error = scan_file(&bytes, &small, &mut inflated).unwrap_err();
    assert_eq!(error.reason, Reason::TooLarge);
    assert!(inflated.capacity() < 1 << 20, "{}", inflated.capacity());
    // Zeros where elements should be: refused at the first header.
    let bomb = deflated_file(&vec![0; 32 << 20]);
    let error = scan_file(&bomb, &limits, &mut inflated).unwrap_err();
    assert_eq!(error.reason, Reason::Malformed);
    assert!(inflated.len() <= 64 * 1024 + TAIL, "{}", inflated.len());
}

#[test]
fn results_documents_are_recognised_by_their_first_bytes() {
    assert!(looks_like_results_document(&results_document(500)));
    assert!(looks_like_results_document(b"\r\n  <HologicHeader1>"));
    assert!(looks_like_results_document(
        b"x = 1;\nResultsTable1[ 0][ 0] = \"Region\";"
    ));
    assert!(!looks_like_results_document(b"BM\x36\x00\x0C\x00"));
    assert!(!looks_like_results_document(&[0; 1024]));
}

#[test]
fn the_bytes_that_say_what_a_file_is_never_move() {
    // A bare implicit VR data set whose third value holds "DICM" at byte 158: had the
    // 30-byte private value before it been left out, "DICM" would sit at byte 128 and the
    // head would read as a Part 10 file (found by fuzzing).
    let enc = Enc::ImplicitLe;
    let mut ds = element(enc, (0x0008, 0x0005), b"CS", b"ISO_IR 100");
    ds.extend(element(enc, (0x0009, 0x1010), b"OB", &[0x11; 30]));
    let mut name = vec![b'A'; 100];
    name[94..98].copy_from_slice(b"DICM");
    ds.extend(element(enc, (0x0008, 0x0080), b"LO", &name));
    assert_eq!(&ds[158..162], b"DICM");
    let policy = HeadPolicy {
        elide_above: 16,
        chunk: 5,
    };
    let got = read(&ds, &Limits::default(), &policy).unwrap();
    assert_eq!(got.head.elided_values, 0);
    assert_eq!(got.head.bytes, ds, "kept as it is");
    assert_eq!(walk(&got.head.bytes), walk(&ds));
}
