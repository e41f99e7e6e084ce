//! Non-SR (or non-DXA) inputs that a DXA export folder typically also holds.
//! Every function is deterministic (fixed UIDs, fixed pixel values).

use dicom_core::value::PrimitiveValue;
use dicom_core::{DataElement, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;
use dicom_object::mem::InMemElement;

use crate::encoding::{Encoding, Ts, binary, empty, encode_file, file_object, seq, text as el, us};
use crate::header::{BASIC_TEXT_SR, Header, uid_from};
use crate::rng::Rng;
use crate::tree::{CONTAINS, Item, SrDoc, code, sr_bytes, sr_dataset};

/// Patient / study / series / SOP attributes shared by the junk objects.
fn base(name: &str, sop_class: &str, modality: &str, manufacturer: &str) -> Vec<InMemElement> {
    vec![
        el(tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 100"),
        el(tags::SOP_CLASS_UID, VR::UI, sop_class),
        el(
            tags::SOP_INSTANCE_UID,
            VR::UI,
            &uid_from(&format!("{name}/sop")),
        ),
        el(tags::STUDY_DATE, VR::DA, "20240415"),
        el(tags::CONTENT_DATE, VR::DA, "20240415"),
        el(tags::STUDY_TIME, VR::TM, "093000"),
        el(tags::CONTENT_TIME, VR::TM, "094500"),
        el(tags::ACCESSION_NUMBER, VR::SH, "ACC240415001"),
        el(tags::MODALITY, VR::CS, modality),
        el(tags::MANUFACTURER, VR::LO, manufacturer),
        empty(tags::REFERRING_PHYSICIAN_NAME, VR::PN),
        el(tags::PATIENT_NAME, VR::PN, "DOE^JANE"),
        el(tags::PATIENT_ID, VR::LO, "HOL000123"),
        el(tags::PATIENT_BIRTH_DATE, VR::DA, "19580312"),
        el(tags::PATIENT_SEX, VR::CS, "F"),
        el(
            tags::STUDY_INSTANCE_UID,
            VR::UI,
            &uid_from(&format!("{name}/study")),
        ),
        el(
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            &uid_from(&format!("{name}/series")),
        ),
        el(tags::STUDY_ID, VR::SH, "1"),
        el(tags::SERIES_NUMBER, VR::IS, "1"),
        el(tags::INSTANCE_NUMBER, VR::IS, "1"),
    ]
}

/// Encode a junk object (explicit VR LE with preamble).
fn finish(name: &str, sop_class: &str, elems: Vec<InMemElement>) -> Vec<u8> {
    encode_file(
        InMemDicomObject::from_element_iter(elems),
        sop_class,
        &uid_from(&format!("{name}/sop")),
        Encoding::default(),
    )
}

/// Image pixel module attributes for an uncompressed image.
fn pixel_module(
    rows: u16,
    cols: u16,
    samples: u16,
    bits: u16,
    photometric: &str,
) -> Vec<InMemElement> {
    let mut e = vec![
        us(tags::SAMPLES_PER_PIXEL, samples),
        el(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, photometric),
        us(tags::ROWS, rows),
        us(tags::COLUMNS, cols),
        us(tags::BITS_ALLOCATED, bits),
        us(tags::BITS_STORED, if bits == 16 { 12 } else { bits }),
        us(tags::HIGH_BIT, if bits == 16 { 11 } else { bits - 1 }),
        us(tags::PIXEL_REPRESENTATION, 0),
    ];
    if samples > 1 {
        e.push(us(tags::PLANAR_CONFIGURATION, 0));
    }
    e
}

/// A tiny valid CT Image Storage object (8x8, 16-bit, MONOCHROME2).
pub fn ct_image() -> Vec<u8> {
    let name = "junk/ct-image";
    let mut e = base(name, uids::CT_IMAGE_STORAGE, "CT", "ACME Medical");
    e.extend([
        el(tags::IMAGE_TYPE, VR::CS, "ORIGINAL\\PRIMARY\\AXIAL"),
        el(tags::MANUFACTURER_MODEL_NAME, VR::LO, "ScanMaster 64"),
        el(tags::SERIES_DESCRIPTION, VR::LO, "HEAD 5mm"),
        el(tags::SLICE_THICKNESS, VR::DS, "5"),
        el(tags::KVP, VR::DS, "120"),
        el(tags::PATIENT_POSITION, VR::CS, "HFS"),
        el(tags::ACQUISITION_NUMBER, VR::IS, "1"),
        el(tags::IMAGE_POSITION_PATIENT, VR::DS, "0\\0\\0"),
        el(tags::IMAGE_ORIENTATION_PATIENT, VR::DS, "1\\0\\0\\0\\1\\0"),
        el(
            tags::FRAME_OF_REFERENCE_UID,
            VR::UI,
            &uid_from(&format!("{name}/for")),
        ),
        empty(tags::POSITION_REFERENCE_INDICATOR, VR::LO),
        el(tags::PIXEL_SPACING, VR::DS, "0.5\\0.5"),
        el(tags::RESCALE_INTERCEPT, VR::DS, "-1024"),
        el(tags::RESCALE_SLOPE, VR::DS, "1"),
    ]);
    e.push(empty(tags::LATERALITY, VR::CS));
    e.extend(pixel_module(8, 8, 1, 16, "MONOCHROME2"));
    let pixels: Vec<u16> = (0..64u16).map(|i| 1000 + i * 8).collect();
    e.push(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U16(pixels.into()),
    ));
    finish(name, uids::CT_IMAGE_STORAGE, e)
}

/// A Secondary Capture "report page" image (4x4 RGB) from Manufacturer HOLOGIC.
pub fn secondary_capture() -> Vec<u8> {
    let name = "junk/secondary-capture";
    let sop = uids::SECONDARY_CAPTURE_IMAGE_STORAGE;
    let mut e = base(name, sop, "OT", "HOLOGIC");
    e.extend([
        el(tags::IMAGE_TYPE, VR::CS, "DERIVED\\SECONDARY"),
        el(tags::CONVERSION_TYPE, VR::CS, "WSD"),
        el(tags::SERIES_DESCRIPTION, VR::LO, "DXA Report Page"),
        empty(tags::PATIENT_ORIENTATION, VR::CS),
    ]);
    e.push(empty(tags::LATERALITY, VR::CS));
    e.extend(pixel_module(4, 4, 3, 8, "RGB"));
    let rgb: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(5)).collect();
    e.push(binary(tags::PIXEL_DATA, VR::OB, rgb));
    finish(name, sop, e)
}

/// A Hologic-style raw scan object: Secondary Capture SOP class with a
/// private creator (0019,0010) "HOLOGIC, Inc." and a 2048-byte OB blob (0019,1000).
pub fn hologic_raw_scan() -> Vec<u8> {
    let name = "junk/hologic-raw-scan";
    let sop = uids::SECONDARY_CAPTURE_IMAGE_STORAGE;
    let mut e = base(name, sop, "OT", "HOLOGIC");
    e.extend([
        el(tags::IMAGE_TYPE, VR::CS, "DERIVED\\SECONDARY\\RAW"),
        el(tags::CONVERSION_TYPE, VR::CS, "WSD"),
        el(tags::MANUFACTURER_MODEL_NAME, VR::LO, "Horizon A"),
        el(tags::SERIES_DESCRIPTION, VR::LO, "Raw Scan Data"),
        el(tags::DEVICE_SERIAL_NUMBER, VR::LO, "300123"),
        el(tags::SOFTWARE_VERSIONS, VR::LO, "13.6.0.4"),
        el(dicom_core::Tag(0x0019, 0x0010), VR::LO, "HOLOGIC, Inc."),
        binary(
            dicom_core::Tag(0x0019, 0x1000),
            VR::OB,
            Rng::new(0x04B0_1061).bytes(2048),
        ),
        empty(tags::PATIENT_ORIENTATION, VR::CS),
    ]);
    e.push(empty(tags::LATERALITY, VR::CS));
    e.extend(pixel_module(2, 2, 1, 8, "MONOCHROME2"));
    e.push(binary(tags::PIXEL_DATA, VR::OB, vec![0, 64, 128, 255]));
    finish(name, sop, e)
}

/// A minimal DICOMDIR (Media Storage Directory Storage) with an empty
/// Directory Record Sequence.
pub fn dicomdir() -> Vec<u8> {
    let name = "junk/dicomdir";
    let elems = vec![
        el(tags::FILE_SET_ID, VR::CS, "DXAEXPORT"),
        DataElement::new(
            tags::OFFSET_OF_THE_FIRST_DIRECTORY_RECORD_OF_THE_ROOT_DIRECTORY_ENTITY,
            VR::UL,
            PrimitiveValue::from(0u32),
        ),
        DataElement::new(
            tags::OFFSET_OF_THE_LAST_DIRECTORY_RECORD_OF_THE_ROOT_DIRECTORY_ENTITY,
            VR::UL,
            PrimitiveValue::from(0u32),
        ),
        us(tags::FILE_SET_CONSISTENCY_FLAG, 0),
        seq(tags::DIRECTORY_RECORD_SEQUENCE, vec![]),
    ];
    encode_file(
        InMemDicomObject::from_element_iter(elems),
        uids::MEDIA_STORAGE_DIRECTORY_STORAGE,
        &uid_from(&format!("{name}/sop")),
        Encoding::default(),
    )
}

/// An Encapsulated PDF Storage object carrying [`pdf()`].
pub fn encapsulated_pdf() -> Vec<u8> {
    let name = "junk/encapsulated-pdf";
    let sop = uids::ENCAPSULATED_PDF_STORAGE;
    let mut doc = pdf();
    let doc_len = doc.len() as u32;
    if doc.len() % 2 == 1 {
        doc.push(0);
    }
    let mut e = base(name, sop, "DOC", "HOLOGIC");
    e.extend([
        el(tags::CONVERSION_TYPE, VR::CS, "WSD"),
        el(tags::SERIES_DESCRIPTION, VR::LO, "DXA Report (PDF)"),
        empty(tags::ACQUISITION_DATE_TIME, VR::DT),
        el(tags::BURNED_IN_ANNOTATION, VR::CS, "YES"),
        seq(tags::CONCEPT_NAME_CODE_SEQUENCE, vec![]),
        el(tags::DOCUMENT_TITLE, VR::ST, "DXA Report"),
        el(
            tags::MIME_TYPE_OF_ENCAPSULATED_DOCUMENT,
            VR::LO,
            "application/pdf",
        ),
        binary(tags::ENCAPSULATED_DOCUMENT, VR::OB, doc),
        DataElement::new(
            tags::ENCAPSULATED_DOCUMENT_LENGTH,
            VR::UL,
            PrimitiveValue::from(doc_len),
        ),
    ]);
    finish(name, sop, e)
}

/// A tiny, valid one-page PDF file (with a correct xref table).
pub fn pdf() -> Vec<u8> {
    let content = "BT /F1 12 Tf 20 50 Td (DXA report - see SR) Tj ET\n";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{obj}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// A plain text file (an export "readme").
pub fn text() -> Vec<u8> {
    b"DXA export\r\n\
      Exported by the densitometry workstation.\r\n\
      Structured reports (*.dcm) hold the measurements; PDF and images are copies for viewing.\r\n"
        .to_vec()
}

/// A few bytes of a JPEG: SOI, a JFIF APP0 segment, EOI.
pub fn jpeg_thumbnail() -> Vec<u8> {
    vec![
        0xFF, 0xD8, // SOI
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
        0x01, 0x00, 0x00, // APP0 JFIF 1.1, 1:1 aspect, no thumbnail
        0xFF, 0xD9, // EOI
    ]
}

/// The document of [`basic_text_sr`]: a non-DXA radiology report.
pub fn basic_text_sr_doc() -> SrDoc {
    let mut h = Header::new("junk/basic-text-sr").dated("20240302", "141000");
    h.sop_class_uid = BASIC_TEXT_SR.to_string();
    h.patient_name = "ROE^RICHARD".to_string();
    h.patient_id = "RIS004711".to_string();
    h.birth_date = Some("19710823".to_string());
    h.sex = Some("M".to_string());
    h.manufacturer = "Acme RIS".to_string();
    h.model = "Reporter".to_string();
    h.software_version = "5.2".to_string();
    h.device_serial = "RIS-01".to_string();
    h.study_description = Some("CT HEAD WO CONTRAST".to_string());
    SrDoc {
        header: h,
        root: Item::container(
            CONTAINS,
            code("18748-4", "LN", "Radiology Report"),
            vec![
                Item::text(
                    CONTAINS,
                    code("121070", "DCM", "Findings"),
                    "No acute abnormality.",
                ),
                Item::text(
                    CONTAINS,
                    code("121073", "DCM", "Impression"),
                    "Normal study.",
                ),
            ],
        ),
    }
}

/// A text-only Basic Text SR that is not a DXA report (explicit VR LE, preamble).
pub fn basic_text_sr() -> Vec<u8> {
    sr_bytes(&basic_text_sr_doc(), Encoding::default())
}

/// The data set of `doc` in Implicit VR Little Endian with no preamble,
/// no `"DICM"` and no file meta group (as found in old archives).
pub fn raw_dataset_sr(doc: &SrDoc) -> Vec<u8> {
    let file = file_object(
        sr_dataset(doc),
        &doc.header.sop_class_uid,
        &doc.header.sop_uid,
        Ts::ImplicitLe,
    );
    let mut out = Vec::new();
    file.write_dataset(&mut out)
        .expect("writing the data set into memory");
    out
}
