//! Round trips through dicom-object: every transfer syntax, with and without
//! preamble, junk objects, explicit-length re-encoding and hostile inputs.

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, InMemDicomObject, OpenFileOptions};
use dxa_fixtures::encoding::{dataset_offset, meta_transfer_syntax};
use dxa_fixtures::sample::{hologic_dual_femur_forearm_study, lunar_dual_femur_study, seed_study};
use dxa_fixtures::{
    Encoding, Ts, flat_style, ge_style, hologic_style, hostile, junk, loinc_style, sr_bytes,
    with_explicit_lengths,
};

fn open(bytes: &[u8]) -> DefaultDicomObject {
    OpenFileOptions::new()
        .from_reader(bytes)
        .expect("dicom-object reads the generated file")
}

fn items(obj: &InMemDicomObject, tag: dicom_core::Tag) -> &[InMemDicomObject] {
    obj.element(tag)
        .expect("sequence present")
        .items()
        .expect("element is a sequence")
}

fn text(obj: &InMemDicomObject, tag: dicom_core::Tag) -> String {
    obj.element(tag)
        .expect("element present")
        .to_str()
        .expect("textual value")
        .trim()
        .to_string()
}

fn meaning(item: &InMemDicomObject) -> String {
    text(
        &items(item, tags::CONCEPT_NAME_CODE_SEQUENCE)[0],
        tags::CODE_MEANING,
    )
}

fn numeric(item: &InMemDicomObject) -> String {
    text(
        &items(item, tags::MEASURED_VALUE_SEQUENCE)[0],
        tags::NUMERIC_VALUE,
    )
}

#[test]
fn every_transfer_syntax_round_trips() {
    let doc = hologic_style(&seed_study());
    for ts in Ts::ALL {
        for preamble in [true, false] {
            let bytes = sr_bytes(&doc, Encoding::new(ts, preamble));
            assert_eq!(&bytes[if preamble { 128 } else { 0 }..][..4], b"DICM");
            assert_eq!(meta_transfer_syntax(&bytes).as_deref(), Some(ts.uid()));
            let obj = open(&bytes);
            assert_eq!(obj.meta().transfer_syntax(), ts.uid(), "{ts:?}");
            assert_eq!(text(&obj, tags::PATIENT_NAME), "DOE^JANE");
            let root = items(&obj, tags::CONTENT_SEQUENCE);
            assert_eq!(meaning(&root[0]), "Reference Database");
            let spine = &root[1];
            assert_eq!(meaning(spine), "AP Spine", "{ts:?} preamble={preamble}");
            let l1 = &items(spine, tags::CONTENT_SEQUENCE)[0];
            assert_eq!(meaning(l1), "L1");
            let bmd = &items(l1, tags::CONTENT_SEQUENCE)[0];
            assert_eq!(meaning(bmd), "BMD");
            assert_eq!(numeric(bmd), "0.851", "{ts:?} preamble={preamble}");
            let unit = &items(
                &items(bmd, tags::MEASURED_VALUE_SEQUENCE)[0],
                tags::MEASUREMENT_UNITS_CODE_SEQUENCE,
            )[0];
            assert_eq!(text(unit, tags::CODE_VALUE), "g/cm2");
        }
    }
}

#[test]
fn output_is_deterministic() {
    let s = lunar_dual_femur_study();
    for ts in Ts::ALL {
        let enc = Encoding::new(ts, true);
        assert_eq!(sr_bytes(&ge_style(&s), enc), sr_bytes(&ge_style(&s), enc));
    }
}

#[test]
fn unusual_ds_forms_are_written_verbatim() {
    let doc = hologic_style(&hologic_dual_femur_forearm_study());
    let obj = open(&sr_bytes(&doc, Encoding::new(Ts::ImplicitLe, true)));
    let root = items(&obj, tags::CONTENT_SEQUENCE);
    let left_hip = &root[1];
    assert_eq!(meaning(left_hip), "Left Hip");
    let total = &items(left_hip, tags::CONTENT_SEQUENCE)[3];
    assert_eq!(meaning(total), "Total");
    assert_eq!(numeric(&items(total, tags::CONTENT_SEQUENCE)[0]), "0.930");
    let raw = items(
        &items(total, tags::CONTENT_SEQUENCE)[0],
        tags::MEASURED_VALUE_SEQUENCE,
    )[0]
    .element(tags::NUMERIC_VALUE)
    .expect("numeric value")
    .value()
    .to_bytes()
    .expect("raw bytes")
    .into_owned();
    assert_eq!(raw, b" 0.930  ", "padding kept");
    assert_eq!(text(&obj, tags::PATIENT_NAME), "\u{c5}str\u{f6}m^Lars");
}

#[test]
fn all_styles_open_and_have_content() {
    let s = seed_study();
    for doc in [
        hologic_style(&s),
        ge_style(&s),
        loinc_style(&s),
        flat_style(&s),
    ] {
        let obj = open(&sr_bytes(&doc, Encoding::default()));
        assert!(!items(&obj, tags::CONTENT_SEQUENCE).is_empty());
    }
}

#[test]
fn explicit_length_reencoding_preserves_content() {
    let doc = loinc_style(&seed_study());
    let plain = sr_bytes(&doc, Encoding::default());
    let fixed = with_explicit_lengths(&plain).expect("explicit VR LE input");
    assert_ne!(plain, fixed);
    assert!(
        !fixed.windows(4).any(|w| w == [0xFE, 0xFF, 0xDD, 0xE0]),
        "no sequence delimiters left"
    );
    let a = open(&plain);
    let b = open(&fixed);
    let flat = |o: &DefaultDicomObject| {
        let mut out = Vec::new();
        fn walk(o: &InMemDicomObject, out: &mut Vec<String>) {
            for item in o
                .element(tags::CONTENT_SEQUENCE)
                .ok()
                .and_then(|e| e.items())
                .unwrap_or(&[])
            {
                out.push(meaning(item));
                walk(item, out);
            }
        }
        walk(o, &mut out);
        out
    };
    assert_eq!(flat(&a), flat(&b));
    assert!(with_explicit_lengths(&sr_bytes(&doc, Encoding::new(Ts::ImplicitLe, true))).is_none());
}

#[test]
fn junk_objects_open_with_expected_sop_classes() {
    let cases = [
        (junk::ct_image(), "1.2.840.10008.5.1.4.1.1.2"),
        (junk::secondary_capture(), "1.2.840.10008.5.1.4.1.1.7"),
        (junk::hologic_raw_scan(), "1.2.840.10008.5.1.4.1.1.7"),
        (junk::dicomdir(), "1.2.840.10008.1.3.10"),
        (junk::encapsulated_pdf(), "1.2.840.10008.5.1.4.1.1.104.1"),
        (junk::basic_text_sr(), "1.2.840.10008.5.1.4.1.1.88.11"),
    ];
    for (bytes, sop) in cases {
        let obj = open(&bytes);
        assert_eq!(obj.meta().media_storage_sop_class_uid(), sop);
    }
    let raw = open(&junk::hologic_raw_scan());
    let blob = raw
        .element(dicom_core::Tag(0x0019, 0x1000))
        .expect("private blob")
        .to_bytes()
        .expect("bytes");
    assert_eq!(blob.len(), 2048);
    assert!(junk::pdf().starts_with(b"%PDF-1.4"));
    assert!(junk::jpeg_thumbnail().starts_with(&[0xFF, 0xD8]));
    assert!(junk::jpeg_thumbnail().ends_with(&[0xFF, 0xD9]));
}

#[test]
fn raw_dataset_has_no_meta() {
    let raw = junk::raw_dataset_sr(&hologic_style(&seed_study()));
    assert!(!raw.starts_with(b"DICM"));
    assert_ne!(raw.get(128..132), Some(&b"DICM"[..]));
    // implicit VR LE (0008,0005), length 10, "ISO_IR 100"
    assert_eq!(&raw[..8], &[0x08, 0x00, 0x05, 0x00, 0x0A, 0x00, 0x00, 0x00]);
    assert_eq!(&raw[8..18], b"ISO_IR 100");
}

#[test]
fn hostile_inputs_are_rejected() {
    let good = sr_bytes(&hologic_style(&seed_study()), Encoding::default());
    let cut = hostile::truncated(&good, good.len() / 2);
    assert!(OpenFileOptions::new().from_reader(&cut[..]).is_err());

    let corrupted = hostile::corrupted_sequence_length(&hologic_style(&seed_study()));
    let ds = dataset_offset(&corrupted).expect("meta intact");
    assert!(ds > 132);
    assert!(OpenFileOptions::new().from_reader(&corrupted[..]).is_err());

    let deep = hostile::deep_nesting(20_000);
    assert!(deep.len() > 20_000 * 60);
    assert_eq!(&deep[128..132], b"DICM");
}
