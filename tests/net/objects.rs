//! The DICOM objects of the network tests, read and made with dicom-object: what a file
//! is (its identity), the objects a PACS or a listener archived, the sample's objects, and
//! a large Secondary Capture with its pixel data.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject, OpenFileOptions};

/// What a fixture file is, read with dicom-object (no pixel data).
#[derive(Debug, Clone)]
pub struct Identity {
    /// (0008,0018).
    pub sop_instance: String,
    /// (0020,000D).
    pub study: String,
    /// (0008,0060).
    pub modality: String,
    /// (0008,0020).
    pub study_date: String,
}

/// The identity of a DICOM file, None for anything dicom-object cannot read or without a
/// SOP Instance UID (junk, DICOMDIR).
pub fn identity(path: &Path) -> Option<Identity> {
    let object = OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .open_file(path)
        .ok()?;
    let text = |tag| {
        object
            .get(tag)
            .and_then(|e| e.to_str().ok())
            .map(|t| t.trim_end_matches(['\0', ' ']).to_string())
    };
    Some(Identity {
        sop_instance: text(tags::SOP_INSTANCE_UID)?,
        study: text(tags::STUDY_INSTANCE_UID)?,
        modality: text(tags::MODALITY).unwrap_or_default(),
        study_date: text(tags::STUDY_DATE).unwrap_or_default(),
    })
}

/// The objects of an archive: SOP Instance UID -> path. Checks the layout on the way:
/// `<StudyInstanceUID>/<SOPInstanceUID>.dcm`, nothing else but an empty `.incoming`.
pub fn archive_objects(archive: &Path) -> BTreeMap<String, PathBuf> {
    let mut objects = BTreeMap::new();
    for study in fs::read_dir(archive).expect("read the archive") {
        let study = study.expect("entry").path();
        let name = study
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name == ".incoming" {
            let left: Vec<_> = fs::read_dir(&study).expect("read .incoming").collect();
            assert!(left.is_empty(), "temporary files left: {left:?}");
            continue;
        }
        assert!(study.is_dir(), "{} is not a study folder", study.display());
        for object in fs::read_dir(&study).expect("read a study folder") {
            let object = object.expect("entry").path();
            let sop = object
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            assert_eq!(object.extension().and_then(|e| e.to_str()), Some("dcm"));
            let id = identity(&object).expect("an archived object is readable");
            assert_eq!(id.sop_instance, sop, "{}", object.display());
            assert_eq!(id.study, name, "{}", object.display());
            assert!(objects.insert(sop, object).is_none());
        }
    }
    objects
}

/// Every fixture file of `fixtures/sample` that dcmtk can read, by SOP Instance UID.
pub fn fixture_objects() -> BTreeMap<String, (PathBuf, Identity)> {
    crate::util::files_under(&crate::util::repo().join("fixtures/sample"))
        .into_iter()
        .filter(|path| {
            Command::new("dcmdump")
                .args(["-q", "-M"])
                .arg(path)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .filter_map(|path| identity(&path).map(|id| (id.sop_instance.clone(), (path, id))))
        .collect()
}

/// Writes a secondary capture image of about `bytes` bytes of pseudo-random pixels (a large
/// object for the transfer tests); returns its SOP Instance UID.
pub fn big_secondary_capture(path: &Path, bytes: usize, seed: u64) -> String {
    let columns = 4096u16;
    let rows = u16::try_from(bytes / usize::from(columns)).expect("at most 256 MiB");
    let sop = format!("2.25.{}", 900_000_000 + seed);
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let pixels: Vec<u8> = (0..usize::from(rows) * usize::from(columns))
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect();
    let text = |tag, vr, value: &str| DataElement::new(tag, vr, PrimitiveValue::from(value));
    let number = |tag, value: u16| DataElement::new(tag, VR::US, PrimitiveValue::from(value));
    let object = InMemDicomObject::from_element_iter([
        text(
            tags::SOP_CLASS_UID,
            VR::UI,
            uids::SECONDARY_CAPTURE_IMAGE_STORAGE,
        ),
        text(tags::SOP_INSTANCE_UID, VR::UI, &sop),
        text(tags::STUDY_DATE, VR::DA, "20240301"),
        text(tags::MODALITY, VR::CS, "OT"),
        text(tags::PATIENT_ID, VR::LO, "BIG0001"),
        text(
            tags::STUDY_INSTANCE_UID,
            VR::UI,
            &format!("2.25.{}", 800_000_000 + seed),
        ),
        text(
            tags::SERIES_INSTANCE_UID,
            VR::UI,
            &format!("2.25.{}", 700_000_000 + seed),
        ),
        number(tags::SAMPLES_PER_PIXEL, 1),
        text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
        number(tags::ROWS, rows),
        number(tags::COLUMNS, columns),
        number(tags::BITS_ALLOCATED, 8),
        number(tags::BITS_STORED, 8),
        number(tags::HIGH_BIT, 7),
        number(tags::PIXEL_REPRESENTATION, 0),
        DataElement::new(tags::PIXEL_DATA, VR::OB, PrimitiveValue::from(pixels)),
    ]);
    object
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN)
                .media_storage_sop_class_uid(uids::SECONDARY_CAPTURE_IMAGE_STORAGE)
                .media_storage_sop_instance_uid(&sop),
        )
        .expect("meta group")
        .write_to_file(path)
        .expect("write the big object");
    sop
}

/// The pixel data of a file (dicom-object).
pub fn pixel_data(path: &Path) -> Vec<u8> {
    let object = OpenFileOptions::new().open_file(path).expect("open");
    object
        .get(tags::PIXEL_DATA)
        .expect("pixel data")
        .to_bytes()
        .expect("bytes")
        .into_owned()
}
