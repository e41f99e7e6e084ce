//! The walk on hand-made data sets, and against its model (`reference`) on every file the
//! repository holds (the fuzz corpus, its regressions, the sample, a generated corpus of
//! every style and transfer syntax, the hostile fixtures) and on seeded mutations of them:
//! the same index, or the same error, every time.

use std::path::Path;

use super::super::file::{Walk, scan_file_with};
use super::super::test_element as element;
use super::*;
use crate::test_files::files_under;

fn sequence(group: u16, elem: u16, items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = vec![];
    out.extend_from_slice(&group.to_le_bytes());
    out.extend_from_slice(&elem.to_le_bytes());
    out.extend_from_slice(&[b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
    for item in items {
        out.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
        out.extend_from_slice(&(item.len() as u32).to_le_bytes());
        out.extend_from_slice(item);
    }
    out.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
    out
}

#[test]
fn indexes_items_and_values_in_place() {
    let mut item1 = element(0x0040, 0xA040, b"CS", b"NUM ");
    item1.extend(element(0x0008, 0x0104, b"LO", b"BMD "));
    let item2 = element(0x0040, 0xA040, b"CS", b"TEXT");
    let mut data = element(0x0008, 0x0005, b"CS", b"ISO_IR 100");
    data.extend(element(0x0010, 0x0010, b"PN", b"\xC5str\xF6m^Lars"));
    data.extend(sequence(0x0040, 0xA730, &[item1, item2]));
    data.extend(element(0x0040, 0xA040, b"CS", b"CONTAINER "));
    let (set, _) = walk(&data, Endian::Little, false, &Limits::default()).unwrap();
    let root = set.root();
    assert_eq!(set.charset(), Charset::Latin1);
    assert_eq!(
        root.text(Tag(0x0010, 0x0010), false).unwrap(),
        "Åström^Lars"
    );
    assert_eq!(root.text(Tag(0x0040, 0xA040), false).unwrap(), "CONTAINER");
    let items: Vec<_> = root.items(Tag(0x0040, 0xA730)).collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].text(Tag(0x0040, 0xA040), false).unwrap(), "NUM");
    assert_eq!(items[0].text(Tag(0x0008, 0x0104), false).unwrap(), "BMD");
    assert_eq!(items[1].text(Tag(0x0040, 0xA040), false).unwrap(), "TEXT");
    assert!(items[1].text(Tag(0x0008, 0x0104), false).is_none());
    assert_eq!(root.items(Tag(0x0040, 0xA043)).count(), 0);
}

#[test]
fn multi_values_and_whole_text() {
    let mut data = element(0x0008, 0x0060, b"CS", b"SR\\OT ");
    data.extend(element(0x0040, 0xA160, b"UT", b"a\\b"));
    let (set, _) = walk(&data, Endian::Little, false, &Limits::default()).unwrap();
    assert_eq!(set.root().text(Tag(0x0008, 0x0060), false).unwrap(), "SR");
    assert_eq!(set.root().text(Tag(0x0040, 0xA160), true).unwrap(), "a\\b");
}

/// A sequence whose defined length runs past the end of a data set that ends cleanly is
/// named by its tag (found in the index: frames hold no tag), as the model names it, also
/// when an item in it lies too (the outermost is named; an item that lies in a sequence
/// that does not is refused as it opens, and one in a sequence of undefined length ends
/// the file inside that sequence).
#[test]
fn lying_lengths_name_their_sequence() {
    let inner = element(0x0040, 0xA040, b"CS", b"NUM ");
    // The sequence's length, then the item's, made 100 bytes longer than what follows.
    let mut lying_sequence = element(0x0008, 0x0060, b"CS", b"SR");
    lying_sequence.extend_from_slice(&[0x40, 0x00, 0x30, 0xA7, b'S', b'Q', 0, 0]);
    lying_sequence.extend_from_slice(&(8 + inner.len() as u32 + 100).to_le_bytes());
    lying_sequence.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
    lying_sequence.extend_from_slice(&(inner.len() as u32).to_le_bytes());
    lying_sequence.extend_from_slice(&inner);
    let mut lying_item = element(0x0008, 0x0060, b"CS", b"SR");
    lying_item.extend_from_slice(&[0x40, 0x00, 0x30, 0xA7, b'S', b'Q', 0, 0]);
    lying_item.extend_from_slice(&(8 + inner.len() as u32 + 100).to_le_bytes());
    lying_item.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
    lying_item.extend_from_slice(&(inner.len() as u32 + 100).to_le_bytes());
    lying_item.extend_from_slice(&inner);
    for data in [lying_sequence, lying_item] {
        let err = walk(&data, Endian::Little, false, &Limits::default()).unwrap_err();
        assert_eq!(err.reason, Reason::Malformed);
        assert!(
            err.message
                .starts_with("(0040,A730) declares a length 100 bytes past"),
            "{}",
            err.message
        );
        let model = reference::walk(&data, Endian::Little, false, &Limits::default());
        assert_eq!(Err(err), model.map(|_| ()));
    }
}

/// Nesting past the stack's first allocation (`frame::Stack`), up to the walk's limit and
/// one past it: the same index as the model's, or the same error.
#[test]
fn deep_nesting_agrees_with_the_model() {
    for levels in [15, 16, 17, 40, 64, 65] {
        let mut data = element(0x0040, 0xA040, b"CS", b"NUM ");
        for _ in 0..levels {
            data = sequence(0x0040, 0xA730, &[data]);
        }
        data.extend(element(0x0040, 0xA040, b"CS", b"CONTAINER "));
        let limits = Limits::default();
        let seen = |(set, sop): (DataSet, Option<String>)| format!("{set:?} {sop:?}");
        let fast = walk(&data, Endian::Little, false, &limits).map(seen);
        let model = reference::walk(&data, Endian::Little, false, &limits).map(seen);
        assert_eq!(fast, model, "{levels} levels");
        assert_eq!(fast.is_ok(), levels <= 64, "{levels} levels: {fast:?}");
    }
}

#[test]
fn implicit_private_sequences_are_walked() {
    // (0019,1010), unknown to the dictionary, holding an item: walked, so that its
    // nesting counts.
    let mut data = vec![0x19, 0x00, 0x10, 0x10];
    let item = [0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0];
    data.extend_from_slice(&(item.len() as u32).to_le_bytes());
    data.extend_from_slice(&item);
    let limits = Limits {
        max_depth: 0,
        ..Limits::default()
    };
    let err = walk(&data, Endian::Little, true, &limits).unwrap_err();
    assert!(err.message.contains("nested deeper"), "{}", err.message);
}

/// What a scan gave, comparable: the index (elements, items, the bytes it covers, the
/// character set) and what the file said, or the error.
fn outcome(bytes: &[u8], limits: &Limits, walk: Walk) -> Result<String, FileError> {
    let mut inflated = Vec::new();
    let scanned = scan_file_with(bytes, limits, &mut inflated, walk)?;
    let set = &scanned.dataset;
    Ok(format!(
        "{:?} {:?} {} {} {:?} {:?} {} {:?} {:?}",
        scanned.syntax,
        scanned.dataset_syntax,
        scanned.preamble,
        scanned.meta,
        scanned.sop_class_uid,
        set.charset,
        set.data.len(),
        set.elements,
        set.items,
    ))
}

fn agree(bytes: &[u8], limits: &Limits, what: &str) -> bool {
    let fast = outcome(bytes, limits, walk);
    let model = outcome(bytes, limits, reference::walk);
    assert_eq!(fast, model, "{what}");
    fast.is_ok()
}

/// The fuzz corpus and its regressions, the sample, a generated corpus and the hostile
/// fixtures, as bytes.
fn every_input() -> Vec<(String, Vec<u8>)> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in ["fuzz/corpus/extract", "fuzz/regressions", "fixtures/sample"] {
        paths.extend(files_under(&repo.join(dir)));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let options = dxa_fixtures::corpus::CorpusOptions {
        n: 120,
        seed: 17,
        junk_pct: 10,
        image_heavy: false,
    };
    dxa_fixtures::corpus::write_corpus(dir.path(), &options).expect("corpus");
    paths.extend(files_under(dir.path()));
    let mut inputs: Vec<(String, Vec<u8>)> = paths
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read(p).expect("read")))
        .collect();
    let doc = dxa_fixtures::hologic_style(&dxa_fixtures::sample::norland_study());
    inputs.extend([
        (
            "huge declared".into(),
            dxa_fixtures::hostile::huge_declared_element(),
        ),
        ("nested 70".into(), dxa_fixtures::hostile::deep_nesting(70)),
        (
            "nested 20000".into(),
            dxa_fixtures::hostile::deep_nesting(20_000),
        ),
        (
            "corrupted sequence".into(),
            dxa_fixtures::hostile::corrupted_sequence_length(&doc),
        ),
        (
            "random".into(),
            dxa_fixtures::hostile::random_bytes(3, 4096),
        ),
        ("icon image".into(), icon_image_file()),
    ]);
    inputs
}

/// An explicit VR little endian file whose icon image (0088,0200) holds encapsulated pixel
/// data: fragments, walked as byte items.
fn icon_image_file() -> Vec<u8> {
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(element(0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.4.50\0"));
    let undefined = [0xFF; 4];
    let item = |length: u32| {
        let mut out = vec![0xFE, 0xFF, 0x00, 0xE0];
        out.extend_from_slice(&length.to_le_bytes());
        out
    };
    out.extend(element(
        0x0008,
        0x0016,
        b"UI",
        b"1.2.840.10008.5.1.4.1.1.7\0",
    ));
    out.extend_from_slice(&[0x88, 0x00, 0x00, 0x02, b'S', b'Q', 0, 0]);
    out.extend_from_slice(&undefined);
    out.extend(item(u32::MAX));
    out.extend(element(0x0028, 0x0010, b"US", &[8, 0]));
    out.extend_from_slice(&[0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0]);
    out.extend_from_slice(&undefined);
    out.extend(item(0));
    out.extend(item(6));
    out.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
    out.extend(item(2));
    out.extend_from_slice(&[7, 8]);
    out.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
    out.extend_from_slice(&[0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
    out.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
    out.extend(element(0x0010, 0x0020, b"LO", b"ID1 "));
    out
}

#[test]
fn agrees_with_its_model_on_every_file() {
    let inputs = every_input();
    let limits = Limits::default();
    let read = inputs
        .iter()
        .filter(|(name, bytes)| agree(bytes, &limits, name))
        .count();
    assert!(inputs.len() > 1_700, "{} inputs", inputs.len());
    // Both outcomes are covered: most files are read, and hundreds fail.
    assert!(
        read > 500 && inputs.len() - read > 300,
        "{read} of {} read",
        inputs.len()
    );
    // Tight caps: the same error at the same element.
    let tight = Limits {
        max_depth: 3,
        max_elements: 200,
        ..Limits::default()
    };
    for (name, bytes) in inputs.iter().step_by(7) {
        agree(bytes, &tight, name);
    }
}

/// The cap on elements at its edge: data of ten 8-byte headers (empty values) is read
/// with a cap of ten, which the walk then does not count against (the data cannot hold
/// more), and refused with a cap of nine, as the model decides.
#[test]
fn element_cap_at_the_edge() {
    let data: Vec<u8> = (0..10u16)
        .flat_map(|i| element(0x0010, 0x1000 + i, b"LO", b""))
        .collect();
    assert_eq!(data.len(), 80);
    for (max_elements, reads) in [(10, true), (9, false), (1, false)] {
        let limits = Limits {
            max_elements,
            ..Limits::default()
        };
        let fast = walk(&data, Endian::Little, false, &limits).map(|(set, _)| set.elements);
        let model =
            reference::walk(&data, Endian::Little, false, &limits).map(|(set, _)| set.elements);
        assert_eq!(fast, model, "cap {max_elements}");
        assert_eq!(fast.is_ok(), reads, "cap {max_elements}");
        if let Err(error) = fast {
            assert!(error.message.contains("elements"), "{}", error.message);
        }
    }
}

/// Seeded mutations of files that read: bytes flipped, a length set to a random, small or
/// undefined value, cut short, a run of bytes removed.
#[test]
fn agrees_with_its_model_on_mutations() {
    let mut next = crate::test_rng::splitmix(0x5EED);
    let limits = Limits::default();
    let valid: Vec<(String, Vec<u8>)> = every_input()
        .into_iter()
        .filter(|(_, bytes)| outcome(bytes, &limits, reference::walk).is_ok())
        .step_by(3)
        .collect();
    let (mut tried, mut failed) = (0, 0);
    let icon = ("icon image".to_string(), icon_image_file());
    assert!(agree(&icon.1, &limits, "icon image"), "reads");
    for (name, bytes) in valid.iter().chain(std::iter::repeat_n(&icon, 40)) {
        for round in 0..24 {
            let mut m = bytes.clone();
            let at = (next() as usize) % m.len().max(1);
            match round % 6 {
                0 => m[at] ^= 1 << (next() % 8),
                1 | 2 if at + 4 <= m.len() => {
                    let value = match next() % 5 {
                        0 => next() as u32,
                        1 => (next() % 64) as u32,
                        2 => UNDEFINED,
                        // Around the end of the file.
                        3 => ((m.len() - at) as u32)
                            .wrapping_add(next() as u32 % 13)
                            .wrapping_sub(10),
                        _ => u32::from_le_bytes(m[at..at + 4].try_into().unwrap()) ^ 2,
                    };
                    m[at..at + 4].copy_from_slice(&value.to_le_bytes());
                }
                3 => m.truncate(at),
                4 => {
                    let cut = (next() as usize % 16).min(m.len() - at);
                    m.drain(at..at + cut);
                }
                _ => m[at] = [b'S', b'Q', b'U', b'N', 0xFE, 0xFF][next() as usize % 6],
            }
            tried += 1;
            if !agree(&m, &limits, &format!("{name}, mutation {round} at {at}")) {
                failed += 1;
            }
        }
    }
    assert!(tried > 3_000, "{tried} mutations");
    assert!(
        failed > tried / 10,
        "{failed} of {tried} failed: the errors are compared too"
    );
}

#[test]
fn texts_finds_each_tag_as_text_does() {
    // Out of order and repeated, as a broken file may have them: the first of each, as
    // `text` finds it, padding trimmed, an empty value None.
    let mut data = element(0x0010, 0x0020, b"LO", b"ID1 ");
    data.extend(element(0x0008, 0x0020, b"DA", b"20240101"));
    data.extend(element(0x0010, 0x0020, b"LO", b"ID2 "));
    data.extend(element(0x0008, 0x0070, b"LO", b"  "));
    data.extend(element(0x0020, 0x000D, b"UI", b"1.2.3\0"));
    data.extend(element(0x0040, 0xA040, b"CS", b"CONTAINER "));
    let (set, _) = walk(&data, Endian::Little, false, &Limits::default()).unwrap();
    let root = set.root();
    let tags = [
        Tag(0x0008, 0x0020),
        Tag(0x0008, 0x0021),
        Tag(0x0008, 0x0070),
        Tag(0x0010, 0x0020),
        Tag(0x0020, 0x000D),
    ];
    let each: Vec<_> = tags.iter().map(|&t| root.text(t, false)).collect();
    // The header's reader (`sr::tree`'s one pass over the root's elements).
    assert_eq!(crate::sr::tree::SrNode::texts(root, &tags).to_vec(), each);
    assert_eq!(each[0].as_deref(), Some("20240101"));
    assert_eq!(each[1], None);
    assert_eq!(each[2], None);
    assert_eq!(each[3].as_deref(), Some("ID1"));
    assert_eq!(each[4].as_deref(), Some("1.2.3"));
}

/// A code's value: its CodeValue, else its LongCodeValue, else its URNCodeValue (PS3.3
/// 8.8), else empty, as the content tree reads it from the index.
#[test]
fn code_values_long_and_urn_in_turn() {
    let code_item = |value: Option<(u16, &[u8; 2], &[u8])>| {
        let mut code = Vec::new();
        if let Some((elem, vr, text)) = value {
            if elem < 0x0102 {
                code.extend(element(0x0008, elem, vr, text));
            }
        }
        code.extend(element(0x0008, 0x0102, b"SH", b"DCM "));
        code.extend(element(0x0008, 0x0104, b"LO", b"Meaning "));
        if let Some((elem, vr, text)) = value
            && elem > 0x0104
        {
            code.extend(element(0x0008, elem, vr, text));
        }
        let mut item = element(0x0040, 0xA040, b"CS", b"CODE");
        item.extend(sequence(0x0040, 0xA168, &[code]));
        item
    };
    let items = [
        code_item(Some((0x0100, b"SH", b"121071"))),
        code_item(Some((0x0119, b"UC", b"a long code value"))),
        code_item(Some((0x0120, b"UR", b"urn:oid:1.2.3 "))),
        code_item(None),
    ];
    let mut data = element(0x0040, 0xA040, b"CS", b"CONTAINER ");
    data.extend(sequence(0x0040, 0xA730, &items));
    let (set, _) = walk(&data, Endian::Little, false, &Limits::default()).unwrap();
    let decoded = crate::sr::Decoded::default();
    let tree = crate::sr::ContentTree::read(set.root(), &decoded).unwrap();
    let values: Vec<_> = tree.items[1..]
        .iter()
        .map(|item| match &item.value {
            crate::sr::ItemValue::Code(code) => {
                assert_eq!((code.scheme, code.meaning), ("DCM", "Meaning"));
                code.value.to_string()
            }
            other => panic!("not a code: {other:?}"),
        })
        .collect();
    assert_eq!(
        values,
        ["121071", "a long code value", "urn:oid:1.2.3", ""],
        "{tree:?}"
    );
}
