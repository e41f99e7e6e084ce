//! The index's one-pass readings (`SrNode::texts`, `item_parts`, `code` of a `Node`)
//! against one look-up per attribute, on items whose elements come in any order, repeated
//! or missing (a broken file's), as well as in tag order.

use std::borrow::Cow;

use dicom_core::Tag;
use dicom_dictionary_std::tags;

use super::*;
use crate::sr::dataset::{Items, Limits, Node, scan_file};

/// An explicit VR little endian element (`SQ`: `value` is its items' bytes, each item
/// already framed by `item`).
fn element(tag: Tag, vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(tag.0.to_le_bytes());
    out.extend(tag.1.to_le_bytes());
    out.extend_from_slice(vr);
    if vr == b"SQ" {
        out.extend([0, 0]);
        out.extend((value.len() as u32).to_le_bytes());
    } else {
        out.extend((value.len() as u16).to_le_bytes());
    }
    out.extend_from_slice(value);
    out
}

fn item(elements: &[Vec<u8>]) -> Vec<u8> {
    let body = elements.concat();
    let mut out = Vec::new();
    out.extend(0xFFFEu16.to_le_bytes());
    out.extend(0xE000u16.to_le_bytes());
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// Preamble, a meta group naming explicit VR little endian, then `dataset`.
fn file(dataset: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(element(
        Tag(0x0002, 0x0010),
        b"UI",
        b"1.2.840.10008.1.2.1\0",
    ));
    out.extend_from_slice(dataset);
    out
}

/// `list` shuffled (seeded), with some elements dropped and some repeated.
fn scramble(list: &[Vec<u8>], next: &mut impl FnMut() -> u64) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for e in list {
        match next() % 8 {
            0 => {}
            1 => {
                out.push(e.clone());
                out.push(e.clone());
            }
            _ => out.push(e.clone()),
        }
    }
    if next() % 2 == 0 {
        for i in (1..out.len()).rev() {
            out.swap(i, (next() % (i as u64 + 1)) as usize);
        }
    }
    out
}

/// A text value among a few (empty, padded, multi-valued, led by spaces, not ASCII, an
/// empty first value; short or long), by `r`.
fn text(r: u64, base: &str) -> Vec<u8> {
    let mut value = match r % 8 {
        0 => String::new(),
        1 => format!("{base} "),
        2 => format!("{base}\\second"),
        3 => format!("  {base}{}\0 ", r % 1000),
        4 => format!("{base}\u{e9}{}", r % 100),
        5 => format!("\\{base}"),
        _ => format!("{base}{r}"),
    };
    if value.len() % 2 == 1 {
        value.push(' ');
    }
    value.into_bytes()
}

fn lookup_texts<'a, const N: usize>(
    node: Node<'_, 'a>,
    tags: &[Tag; N],
) -> [Option<Cow<'a, str>>; N] {
    std::array::from_fn(|i| node.text(tags[i], false))
}

#[test]
fn texts_in_one_pass_find_what_one_look_up_per_tag_finds() {
    let wanted = [
        Tag(0x0008, 0x0018),
        Tag(0x0008, 0x0020),
        Tag(0x0008, 0x0070),
        Tag(0x0010, 0x0020),
        Tag(0x0010, 0x0040),
        Tag(0x0020, 0x000D),
    ];
    // The wanted tags and others around them, below, between and above.
    let pool = [
        Tag(0x0008, 0x0005),
        Tag(0x0008, 0x0018),
        Tag(0x0008, 0x0020),
        Tag(0x0008, 0x0060),
        Tag(0x0008, 0x0070),
        Tag(0x0010, 0x0020),
        Tag(0x0010, 0x0030),
        Tag(0x0010, 0x0040),
        Tag(0x0020, 0x000D),
        Tag(0x0040, 0xA040),
    ];
    let mut next = crate::test_rng::splitmix(21);
    let mut differing_orders = 0;
    for round in 0..2_000 {
        let list: Vec<Vec<u8>> = pool
            .iter()
            .map(|&tag| element(tag, b"LO", &text(next(), &format!("v{round}"))))
            .collect();
        let list = scramble(&list, &mut next);
        let bytes = file(&list.concat());
        let mut inflated = Vec::new();
        let scanned = scan_file(&bytes, &Limits::default(), &mut inflated).expect("a data set");
        let root = scanned.dataset.root();
        let one_pass = SrNode::texts(root, &wanted);
        let expected = lookup_texts(root, &wanted);
        assert_eq!(one_pass, expected, "round {round}");
        differing_orders += usize::from(!root.fields().map(|f| f.tag()).is_sorted());
    }
    assert!(
        differing_orders > 500,
        "{differing_orders} unsorted data sets"
    );
}

#[test]
fn item_and_code_parts_in_one_pass_find_what_look_ups_find() {
    let mut next = crate::test_rng::splitmix(5);
    // Codes laid out as `Node::code_fields` reads them without a pass.
    let mut usual_layout = 0;
    for round in 0..2_000 {
        let code = |next: &mut dyn FnMut() -> u64| {
            let list = [
                element(tags::CODE_VALUE, b"SH", &text(next(), "C")),
                element(tags::CODING_SCHEME_DESIGNATOR, b"SH", &text(next(), "S")),
                element(tags::CODE_MEANING, b"LO", &text(next(), "M")),
                element(tags::LONG_CODE_VALUE, b"LO", &text(next(), "L")),
                element(tags::URN_CODE_VALUE, b"LO", &text(next(), "U")),
                element(Tag(0x0008, 0x0105), b"CS", b"X "),
            ];
            let mut next = || next();
            item(&scramble(&list, &mut next))
        };
        let name = code(&mut next);
        let value_code = code(&mut next);
        let measured = item(&[element(tags::NUMERIC_VALUE, b"DS", b"1.5 ")]);
        let child = item(&[element(tags::VALUE_TYPE, b"CS", b"TEXT")]);
        let value_type = [
            "NUM ",
            "NUM\0",
            "CODE",
            "CONTAINER ",
            "",
            " NUM",
            "NUM\\X ",
            "TEXT",
            "PNAME ",
            "DATETIME",
            "UIDREF",
            "IMAGE ",
            "NU",
            "NUMM",
            "CODE  ",
        ];
        let value_type = value_type[(next() % value_type.len() as u64) as usize];
        let list = [
            element(tags::RELATIONSHIP_TYPE, b"CS", b"CONTAINS"),
            element(tags::VALUE_TYPE, b"CS", value_type.as_bytes()),
            element(tags::CONCEPT_NAME_CODE_SEQUENCE, b"SQ", &name),
            element(tags::CONTINUITY_OF_CONTENT, b"CS", b"SEPARATE"),
            element(tags::CONCEPT_CODE_SEQUENCE, b"SQ", &value_code),
            element(tags::MEASURED_VALUE_SEQUENCE, b"SQ", &measured),
            element(
                tags::CONTENT_SEQUENCE,
                b"SQ",
                &[child.clone(), child].concat(),
            ),
            // An empty sequence, repeated or not: its first item is none.
            element(tags::CONCEPT_NAME_CODE_SEQUENCE, b"SQ", b""),
        ];
        let mut n = || next();
        let content_item = item(&scramble(&list, &mut n));
        let bytes = file(&element(tags::CONTENT_SEQUENCE, b"SQ", &content_item));
        let mut inflated = Vec::new();
        let scanned = scan_file(&bytes, &Limits::default(), &mut inflated).expect("a data set");
        let node = scanned
            .dataset
            .root()
            .first_item(tags::CONTENT_SEQUENCE)
            .expect("an item");

        let parts = node.item_parts();
        assert_eq!(
            parts.value_type,
            node.text(tags::VALUE_TYPE, false),
            "round {round}"
        );
        let id = |n: Option<Node<'_, '_>>| n.map(|n| n.fields().count());
        for (found, tag) in [
            (parts.concept_name, tags::CONCEPT_NAME_CODE_SEQUENCE),
            (parts.measured, tags::MEASURED_VALUE_SEQUENCE),
            (parts.concept_code, tags::CONCEPT_CODE_SEQUENCE),
        ] {
            let expected = node.first_item(tag);
            assert_eq!(id(found), id(expected), "round {round}, {tag}");
            if let (Some(found), Some(expected)) = (found, expected) {
                usual_layout += usize::from(found.code_fields().is_some());
                for scheme in [false, true] {
                    let mut looked_up = [
                        found
                            .text(tags::CODE_VALUE, false)
                            .or_else(|| found.text(tags::LONG_CODE_VALUE, false))
                            .or_else(|| found.text(tags::URN_CODE_VALUE, false)),
                        found.text(tags::CODING_SCHEME_DESIGNATOR, false),
                        found.text(tags::CODE_MEANING, false),
                    ];
                    if !scheme {
                        looked_up[1] = None;
                    }
                    let decoded = Decoded::default();
                    let [value, designator, meaning] =
                        looked_up.map(|t| t.map_or("", |t| decoded.keep(t)));
                    let looked_up = Code {
                        value,
                        scheme: designator,
                        meaning,
                    };
                    assert_eq!(found.code(scheme, &decoded), looked_up, "round {round}");
                    assert_eq!(
                        expected.code(scheme, &decoded),
                        found.code(scheme, &decoded),
                        "round {round}"
                    );
                }
            }
        }
        let children = |items: Option<Items<'_, '_>>| items.map_or(0, |i| i.count());
        assert_eq!(
            children(parts.children),
            node.items(tags::CONTENT_SEQUENCE).count(),
            "round {round}"
        );
    }
    assert!(
        usual_layout > 300,
        "{usual_layout} codes in the usual layout"
    );
}

#[test]
fn a_measured_values_parts_without_look_ups_are_what_look_ups_find() {
    let mut next = crate::test_rng::splitmix(9);
    let mut usual_layout = 0;
    for round in 0..2_000 {
        let unit = item(&[
            element(tags::CODE_VALUE, b"SH", &text(next(), "g")),
            element(tags::CODE_MEANING, b"LO", &text(next(), "u")),
        ]);
        let list = [
            element(tags::MEASUREMENT_UNITS_CODE_SEQUENCE, b"SQ", &unit),
            element(tags::NUMERIC_VALUE, b"DS", &text(next(), "1.")),
            element(Tag(0x0040, 0xA161), b"FD", &[0; 8]),
            // An empty sequence of units: no first item.
            element(tags::MEASUREMENT_UNITS_CODE_SEQUENCE, b"SQ", b""),
        ];
        let list = match next() % 4 {
            // The units empty, and alone, then the number.
            0 => vec![list[3].clone(), list[1].clone()],
            _ => scramble(&list[..3], &mut || next()),
        };
        let measured = item(&list);
        let bytes = file(&element(tags::MEASURED_VALUE_SEQUENCE, b"SQ", &measured));
        let mut inflated = Vec::new();
        let scanned = scan_file(&bytes, &Limits::default(), &mut inflated).expect("a data set");
        let node = scanned
            .dataset
            .root()
            .first_item(tags::MEASURED_VALUE_SEQUENCE)
            .expect("an item");
        usual_layout += usize::from(node.units_then_number().is_some());
        let decoded = Decoded::default();
        let looked_up = (
            node.text(tags::NUMERIC_VALUE, false)
                .map(|t| decoded.keep(t))
                .filter(|t| !t.is_empty()),
            node.first_item(tags::MEASUREMENT_UNITS_CODE_SEQUENCE)
                .map(|u| u.code(false, &decoded)),
        );
        assert_eq!(node.measured(&decoded), looked_up, "round {round}");
    }
    assert!(usual_layout > 300, "{usual_layout} in the usual layout");
}

/// Texts with bytes above 0x7F are decoded (ISO_IR 100 here) and kept beside the tree,
/// every kind of text the tree reads, while the ASCII ones stay slices of the file's bytes.
#[test]
fn a_trees_decoded_texts_are_kept_beside_it_and_ascii_ones_borrowed() {
    let code = |value: &[u8], meaning: &[u8]| {
        item(&[
            element(tags::CODE_VALUE, b"SH", value),
            element(tags::CODING_SCHEME_DESIGNATOR, b"SH", b"99X "),
            element(tags::CODE_MEANING, b"LO", meaning),
        ])
    };
    let measured = item(&[
        element(
            tags::MEASUREMENT_UNITS_CODE_SEQUENCE,
            b"SQ",
            &code(b"g/cm2 ", b"g/cm\xb2 "),
        ),
        element(tags::NUMERIC_VALUE, b"DS", b"0.9 "),
    ]);
    let num = item(&[
        element(tags::RELATIONSHIP_TYPE, b"CS", b"CONTAINS"),
        element(tags::VALUE_TYPE, b"CS", b"NUM "),
        element(
            tags::CONCEPT_NAME_CODE_SEQUENCE,
            b"SQ",
            &code(b"1", b"F\xe9mur BMD "),
        ),
        element(tags::MEASURED_VALUE_SEQUENCE, b"SQ", &measured),
    ]);
    let text = item(&[
        element(tags::RELATIONSHIP_TYPE, b"CS", b"CONTAINS"),
        element(tags::VALUE_TYPE, b"CS", b"TEXT"),
        element(
            tags::CONCEPT_NAME_CODE_SEQUENCE,
            b"SQ",
            &code(b"2", b"Note"),
        ),
        element(tags::TEXT_VALUE, b"LT", b"\xc5lesund\\ \xe9t\xe9"),
    ]);
    let dataset = [
        element(tags::SPECIFIC_CHARACTER_SET, b"CS", b"ISO_IR 100"),
        element(tags::VALUE_TYPE, b"CS", b"CONTAINER "),
        element(tags::CONTENT_SEQUENCE, b"SQ", &[num, text].concat()),
    ]
    .concat();
    let bytes = file(&dataset);
    let mut inflated = Vec::new();
    let scanned = scan_file(&bytes, &Limits::default(), &mut inflated).expect("a data set");
    let decoded = Decoded::default();
    let tree = ContentTree::read(scanned.dataset.root(), &decoded).expect("a tree");
    assert_eq!(tree.items.len(), 3);
    let concept = tree.items[1].concept.expect("a concept");
    assert_eq!((concept.value, concept.meaning), ("1", "Fémur BMD"));
    let ItemValue::Num { text, units } = tree.items[1].value else {
        panic!("a NUM: {:?}", tree.items[1].value)
    };
    let units = units.expect("units");
    assert_eq!(
        (text, units.value, units.meaning),
        (Some("0.9"), "g/cm2", "g/cm²")
    );
    assert_eq!(tree.items[2].value, ItemValue::Text("Ålesund\\ été"));
    // The ASCII texts are the file's own bytes.
    let within = |t: &str| bytes.as_ptr_range().contains(&t.as_ptr());
    assert!(within(concept.value) && within(units.value) && within(text.unwrap()));
    assert!(!within(concept.meaning) && !within(units.meaning));
}
