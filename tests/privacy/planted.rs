//! The planted patient and the checks of the privacy tests: her files (a Hologic report
//! image, a GE SR and a letter that name her) under a folder named after her, every
//! identifier the inputs carry, every path component on the way to them, every text of the
//! outputs, and what counts as a leak.

use std::path::{Path, PathBuf};

use arrow_array::{Array, StringArray};
use dxa_fixtures::ge_report::{GeExam, GeReport, GeTrend, GeTrendExam, ge_region, ge_report_bytes};
use dxa_fixtures::hologic_report::{report_image, row};
use dxa_fixtures::{Encoding, Header, evidence, uid_from};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::util::{dicom_identifiers, files_under, repo};

/// The planted patient: in file names, DICOM identifiers and the documents' free text.
pub(super) const SURNAME: &str = "SVENSSON";
pub(super) const GIVEN: &str = "ASTRID";
const PATIENT_ID: &str = "HOL000901";

fn planted_header(name: &str, manufacturer: &str, model: &str) -> Header {
    let mut h = Header::new(name).dated("20240610", "101500");
    h.study_uid = uid_from("planted/study");
    h.patient_name = format!("{SURNAME}^{GIVEN}");
    h.patient_id = PATIENT_ID.into();
    h.sex = Some("F".into());
    h.birth_date = Some("19310214".into());
    h.age = Some("093Y".into());
    h.institution = format!("{SURNAME} Bone Clinic");
    h.accession = "ACC901901".into();
    h.device_serial = "901901".into();
    h.manufacturer = manufacturer.into();
    h.model = model.into();
    h
}

/// The planted files: a Hologic report image whose FRAX remark and ethnicity name her, a
/// GE SR with her name in its title, a vertebra label and a grade, and a trend at age 92,
/// and a letter (an SR of no DXA device) titled with her name.
fn plant(folder: &Path) {
    std::fs::create_dir_all(folder).unwrap();
    let mut document = evidence::hologic_menopause_document();
    for (key, value) in &mut document.patient {
        match key.as_str() {
            "Ethnicity" => *value = format!("Nordic {SURNAME}"),
            "PatientName" => *value = format!("{SURNAME}^{GIVEN}"),
            "PatientID" => *value = PATIENT_ID.into(),
            _ => {}
        }
    }
    for table in &mut document.tables {
        for (code, cells) in &mut table.rows {
            if *code == row::FRAX_TEXT {
                cells[0] = format!("FRAX not reported because {SURNAME} {GIVEN} is under 50");
            }
        }
    }
    let header = planted_header("planted/hologic", "HOLOGIC", "Horizon Ci");
    let image = report_image(
        &header,
        "HIP",
        "L",
        Some(&document),
        (8, 8),
        Encoding::default(),
    );
    std::fs::write(folder.join("RPT_LHIP.dcm"), image).unwrap();

    let mut ge = GeReport::new(planted_header("planted/ge", "GE Healthcare", "Lunar iDXA"));
    ge.title = format!("DXA Report {SURNAME}");
    ge.exams = vec![GeExam {
        name: "AP Spine".into(),
        regions: vec![ge_region("L1-L4", "0.912", "-1.9", "1.1")],
        trends: vec![GeTrend {
            region: "L1-L4".into(),
            exams: vec![GeTrendExam {
                date: "15-Mar-2022".into(),
                age: "92".into(),
                bmd: "0.930".into(),
                pchange: None,
            }],
        }],
    }];
    ge.lva = vec![
        ("L1".into(), format!("Grade 2 see {SURNAME}")),
        (format!("L2 {GIVEN}"), "None".into()),
    ];
    std::fs::write(
        folder.join("SR_SPINE.dcm"),
        ge_report_bytes(&ge, Encoding::default()),
    )
    .unwrap();

    let mut letter = GeReport::new(planted_header("planted/letter", "Acme", "Letters"));
    letter.title = format!("Letter about {SURNAME} {GIVEN}");
    std::fs::write(
        folder.join("LETTER.dcm"),
        ge_report_bytes(&letter, Encoding::default()),
    )
    .unwrap();
}

/// The inputs: the sample tree and the planted files under a folder named after a patient,
/// as a department's export would be.
pub(super) fn inputs(dir: &Path) -> PathBuf {
    let root = dir.join(format!("{PATIENT_ID}_{SURNAME}_{GIVEN}_exports"));
    let sample = repo().join("fixtures/sample");
    for file in files_under(&sample) {
        let to = root
            .join("sample")
            .join(file.strip_prefix(&sample).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&file, &to).unwrap();
    }
    plant(&root.join(format!("planted/{PATIENT_ID}_{SURNAME}_{GIVEN}")));
    root
}

/// Every identifier the input files carry: patient IDs and names, UIDs, accession numbers,
/// institutions, device serials (also those only in a Hologic document's `S/N`), birth
/// dates in both forms.
pub(super) fn identifiers(root: &Path) -> Vec<String> {
    use dicom_dictionary_std::tags;
    let mut out = vec![
        SURNAME.to_string(),
        GIVEN.to_string(),
        PATIENT_ID.to_string(),
    ];
    for path in files_under(root) {
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // A Hologic document's `Model = "Horizon Ci (S/N301234M)"`.
        for (at, _) in text.match_indices("(S/N") {
            let serial: String = text[at + 4..]
                .chars()
                .skip_while(|c| *c == ' ')
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            out.push(serial);
        }
        out.extend(dicom_identifiers(&path, &[tags::DEVICE_SERIAL_NUMBER]));
    }
    out.retain(|s| s.len() >= 3);
    out.sort();
    out.dedup();
    out
}

/// The names of the folders and files on the way to every input and option file, but for
/// the manufacturers' folders (`hologic`, `lunar`, `other`: the outputs' own vocabulary),
/// `DICOMDIR` (the name PS3.10 gives that file, which the report's advice names) and years
/// (dates are shifted, years may coincide).
pub(super) fn path_components(paths: &[PathBuf], base: &Path) -> Vec<String> {
    let mut out: Vec<String> = paths
        .iter()
        .flat_map(|p| p.strip_prefix(base).unwrap().components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| c.len() >= 4 && !c.bytes().all(|b| b.is_ascii_digit()))
        .filter(|c| !["hologic", "lunar", "other", "DICOMDIR"].contains(&c.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// All text of every file under `out`, however deep: Parquet decoded, anything else as
/// its bytes (lossy UTF-8). A new kind of export is covered the day it is written.
pub(super) fn all_texts(out: &Path) -> Vec<(PathBuf, String)> {
    files_under(out)
        .into_iter()
        .map(|path| {
            let text = if path.extension().is_some_and(|e| e == "parquet") {
                let file = std::fs::File::open(&path).unwrap();
                let reader = ParquetRecordBatchReaderBuilder::try_new(file)
                    .unwrap()
                    .build()
                    .unwrap();
                let mut text = String::new();
                for batch in reader {
                    for column in batch.unwrap().columns() {
                        if let Some(strings) = column.as_any().downcast_ref::<StringArray>() {
                            for i in (0..strings.len()).filter(|i| !strings.is_null(*i)) {
                                text.push_str(strings.value(i));
                                text.push('\n');
                            }
                        }
                    }
                }
                text
            } else {
                String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()
            };
            (path, text)
        })
        .collect()
}

/// Whether `secret` is in `text`. A secret made of digits (a serial, a UID, a birth date)
/// counts only where it is not part of a longer number: keyed UIDs (`2.25.` and 39
/// digits) hold any short number somewhere, by chance.
pub(super) fn leaks(text: &str, secret: &str) -> bool {
    if !secret
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return text.contains(secret);
    }
    let number = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
    text.match_indices(secret).any(|(at, _)| {
        !number(text[..at].chars().next_back()) && !number(text[at + secret.len()..].chars().next())
    })
}
