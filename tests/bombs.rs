//! Memory under bombs (docs/dicom.md): deflate bombs (1 MB inflating to 1 GiB) and an SR with
//! 200 000 NUM items, eight of each read at once (`--jobs 8`): each refused, the scan's
//! peak RSS under 100 MB, measured with wait4 (`rss::measure`).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use flate2::{Compress, Compression, FlushCompress};

use crate::rss::measure;
use crate::util::TestEnv;

/// Explicit VR little endian element bytes; `len` overrides the value's length (a header
/// for a value that follows elsewhere). Sequences and items of undefined length are
/// written with `sequence_start`/`item_start` and the delimiters.
fn element(tag: (u16, u16), vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
    let mut out = header(tag, vr, value.len() as u32);
    out.extend_from_slice(value);
    out
}

fn header(tag: (u16, u16), vr: &[u8; 2], len: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(tag.0.to_le_bytes());
    out.extend(tag.1.to_le_bytes());
    out.extend_from_slice(vr);
    if matches!(vr, b"OB" | b"SQ" | b"UT") {
        out.extend([0, 0]);
        out.extend(len.to_le_bytes());
    } else {
        out.extend((len as u16).to_le_bytes());
    }
    out
}

const UNDEFINED: u32 = u32::MAX;
const ITEM: [u8; 8] = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF];
const ITEM_END: [u8; 8] = [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0];
const SEQUENCE_END: [u8; 8] = [0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0];

/// A code sequence item (CodeValue, CodingSchemeDesignator, CodeMeaning) in a sequence.
fn code_sequence(tag: (u16, u16), value: &[u8], scheme: &[u8], meaning: &[u8]) -> Vec<u8> {
    let mut out = header(tag, b"SQ", UNDEFINED);
    out.extend(ITEM);
    out.extend(element((0x0008, 0x0100), b"SH", value));
    out.extend(element((0x0008, 0x0102), b"SH", scheme));
    out.extend(element((0x0008, 0x0104), b"LO", meaning));
    out.extend(ITEM_END);
    out.extend(SEQUENCE_END);
    out
}

fn meta(ts: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(element((0x0002, 0x0010), b"UI", ts));
    out
}

/// The top of an Enhanced SR data set: SOP class and instance, a CONTAINER root.
fn sr_top(uid: &[u8]) -> Vec<u8> {
    let mut out = element((0x0008, 0x0016), b"UI", b"1.2.840.10008.5.1.4.1.1.88.22\0");
    out.extend(element((0x0008, 0x0018), b"UI", uid));
    out.extend(element((0x0008, 0x0070), b"LO", b"HOLOGIC "));
    out.extend(element((0x0040, 0xA040), b"CS", b"CONTAINER "));
    out.extend(code_sequence(
        (0x0040, 0xA043),
        b"DXA1",
        b"99TEST",
        b"DXA Report",
    ));
    out
}

/// Writes an SR with `items` NUM content items at `path`, streaming (244 bytes and 23
/// element headers an item: 49 MB for 200 000).
fn write_num_sr(path: &Path, items: usize) {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(&meta(b"1.2.840.10008.1.2.1\0")).unwrap();
    out.write_all(&sr_top(b"1.2.3.200000\0")).unwrap();
    out.write_all(&header((0x0040, 0xA730), b"SQ", UNDEFINED))
        .unwrap();
    let mut item = ITEM.to_vec();
    item.extend(element((0x0040, 0xA010), b"CS", b"CONTAINS"));
    item.extend(element((0x0040, 0xA040), b"CS", b"NUM "));
    item.extend(code_sequence((0x0040, 0xA043), b"BMD1", b"99TEST", b"BMD "));
    item.extend(header((0x0040, 0xA300), b"SQ", UNDEFINED));
    item.extend(ITEM);
    item.extend(element((0x0040, 0xA30A), b"DS", b"0.930 "));
    item.extend(code_sequence(
        (0x0040, 0x08EA),
        b"g/cm2 ",
        b"UCUM",
        b"g/cm2 ",
    ));
    item.extend(ITEM_END);
    item.extend(SEQUENCE_END);
    item.extend(ITEM_END);
    for _ in 0..items {
        out.write_all(&item).unwrap();
    }
    out.write_all(&SEQUENCE_END).unwrap();
    out.flush().unwrap();
}

/// Compresses `input` into `compressor`'s raw deflate stream, up to `flush`.
fn compress(compressor: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
    let mut out = Vec::new();
    let mut consumed = 0;
    loop {
        let before = compressor.total_in();
        out.reserve(64 * 1024);
        compressor
            .compress_vec(&input[consumed..], &mut out, flush)
            .expect("compress");
        consumed += (compressor.total_in() - before) as usize;
        if consumed == input.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

/// A deflated data set of `prefix`, then `mib` MiB of `unit` repeated, then `suffix`: 1 GiB
/// compresses to about 1 MB. Compressing 1 GiB takes minutes in a debug build, so one MiB is
/// compressed with a sync flush, and the next MiB's bytes (which, once the window holds
/// nothing but the unit, are the same for every further MiB) are repeated.
pub fn deflated_bomb(prefix: &[u8], unit: &[u8], mib: usize, suffix: &[u8]) -> Vec<u8> {
    assert_eq!((1 << 20) % unit.len(), 0, "whole units per MiB");
    let run: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
    let mut compressor = Compress::new(Compression::best(), false);
    let mut first = prefix.to_vec();
    first.extend_from_slice(&run);
    let mut out = meta(b"1.2.840.10008.1.2.1.99");
    out.extend(compress(&mut compressor, &first, FlushCompress::Sync));
    let steady = compress(&mut compressor, &run, FlushCompress::Sync);
    assert_eq!(steady, compress(&mut compressor, &run, FlushCompress::Sync));
    for _ in 1..mib {
        out.extend_from_slice(&steady);
    }
    out.extend(compress(&mut compressor, suffix, FlushCompress::Finish));
    out
}

#[test]
fn the_bomb_builder_inflates_to_what_it_says() {
    let prefix = element((0x0008, 0x0016), b"UI", b"1.2\0");
    let bomb = deflated_bomb(&prefix, &[0], 4, b"end");
    let raw = &bomb[meta(b"1.2.840.10008.1.2.1.99").len()..];
    let mut inflated = Vec::with_capacity(5 << 20);
    flate2::Decompress::new(false)
        .decompress_vec(raw, &mut inflated, flate2::FlushDecompress::Finish)
        .expect("inflates");
    assert_eq!(inflated.len(), prefix.len() + (4 << 20) + 3);
    assert!(inflated.starts_with(&prefix) && inflated.ends_with(b"end"));
    assert!(
        inflated[prefix.len()..prefix.len() + (4 << 20)]
            .iter()
            .all(|b| *b == 0)
    );
}

/// `n` hard links to `path` named `<stem>-<i>.dcm` beside it: eight files, one on disk.
fn links(path: &Path, n: usize) -> Vec<PathBuf> {
    let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
    (1..n)
        .map(|i| {
            let link = path.with_file_name(format!("{stem}-{i}.dcm"));
            std::fs::hard_link(path, &link).unwrap();
            link
        })
        .collect()
}

/// Scans `in` at --jobs 8; returns files.csv and the peak RSS in KiB.
fn scan_jobs_8(env: &TestEnv) -> (Vec<crate::util::Row>, i64) {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_dxa-ingest"));
    let run = measure(
        env.dir.path(),
        &binary,
        &["scan", "in", "--out", "out", "--quiet", "--jobs", "8"],
        Duration::from_secs(300),
    );
    // Every file is an error row, and nothing is ingested: exit 4.
    assert_eq!(run.code, 4, "{}", run.stderr);
    (env.csv("files.csv"), run.max_rss_kib)
}

#[test]
fn deflate_bombs_at_jobs_8_stay_under_100_mb() {
    let env = TestEnv::new();
    let top = sr_top(b"1.2.3.9\0");
    // 1 GiB of zeros where elements should be; a 1 GiB OB of zeros in an SR; 1 GiB of
    // small elements (16 bytes each: 67 million, past the element cap of 200 000).
    let zeros = deflated_bomb(&[], &[0], 1024, &[]);
    let mut with_blob = top.clone();
    with_blob.extend(header((0x0009, 0x1000), b"OB", 1 << 30));
    let blob = deflated_bomb(&with_blob, &[0], 1024, &[]);
    let tiny_element = element((0x0011, 0x0010), b"LO", b"abcdefgh");
    let elements = deflated_bomb(&top, &tiny_element, 1024, &[]);
    // One byte of zeros costs 2 bits (a 258-byte match, 1-bit codes); a 16-byte pattern
    // twice that.
    for (name, bytes, most) in [
        ("zeros", &zeros, 1_100_000),
        ("blob", &blob, 1_100_000),
        ("elements", &elements, 2_200_000),
    ] {
        assert!(bytes.len() < most, "{name}: {} bytes", bytes.len());
        links(&env.write(&format!("{name}.dcm"), bytes), 8);
    }
    let (files, rss) = scan_jobs_8(&env);
    assert_eq!(files.len(), 24);
    let reason = |prefix: &str| -> Vec<(String, String)> {
        files
            .iter()
            .filter(|r| r["source_path"].starts_with(&format!("in/{prefix}")))
            .map(|r| (r["reason"].clone(), r["message"].clone()))
            .collect()
    };
    for (reason, message) in reason("zeros") {
        assert_eq!(reason, "malformed", "{message}");
        assert!(message.contains("unknown VR"), "{message}");
    }
    for (reason, message) in reason("blob") {
        assert_eq!(reason, "too_large", "{message}");
        assert!(message.contains("inflates beyond"), "{message}");
    }
    for (reason, message) in reason("elements") {
        assert_eq!(reason, "malformed", "{message}");
        assert!(
            message.contains("more than 200000 data elements"),
            "{message}"
        );
    }
    eprintln!("peak RSS of 24 deflate bombs at --jobs 8: {rss} KiB");
    assert!(rss < 100 * 1024, "peak RSS {} MiB", rss / 1024);
}

#[test]
fn an_sr_of_200_000_num_items_at_jobs_8_stays_under_100_mb() {
    let env = TestEnv::new();
    let path = env.input().join("big-sr.dcm");
    write_num_sr(&path, 200_000);
    assert!(std::fs::metadata(&path).unwrap().len() > 45 << 20);
    links(&path, 8);
    let (files, rss) = scan_jobs_8(&env);
    assert_eq!(files.len(), 8);
    for row in &files {
        assert_eq!(
            (row["status"].as_str(), row["reason"].as_str()),
            ("error", "malformed")
        );
        assert!(
            row["message"].contains("more than 200000 data elements"),
            "{}",
            row["message"]
        );
    }
    eprintln!("peak RSS of 8 SRs of 200 000 NUM items at --jobs 8: {rss} KiB");
    assert!(rss < 100 * 1024, "peak RSS {} MiB", rss / 1024);
}
