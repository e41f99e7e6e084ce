//! Report images of the image-heavy corpus: 1-3 MB of RGB pixels after the header, and for
//! a Hologic-style study the results document of its first group (one scan, rows by
//! their type codes; rows without an APEX code, Troch, Inter, Ward's, are not exported,
//! as at the sites of docs/evidence.md).

use crate::encoding::Encoding;
use crate::hologic_report::{HTable, ResultsDocument, column as col, report_image, row};
use crate::rng::Rng;
use crate::styles::{DxaStudy, Group};

const COLUMNS: &[(u32, &str)] = &[
    (col::LABEL, "Region"),
    (col::AREA, "Area[cm<sup><small>2</small></sup>]"),
    (col::BMC, "BMC[(g)]"),
    (col::BMD, "BMD[(g/cm<sup><small>2</small></sup>)]"),
    (col::T, "T-<br>score"),
    (col::PR, "PR<br>(%)"),
    (col::Z, "Z-<br>score"),
    (col::AM, "AM<br>(%)"),
];

fn row_code(label: &str) -> Option<u32> {
    Some(match label {
        "L1" => row::L1,
        "L2" => row::L2,
        "L3" => row::L3,
        "L4" => row::L4,
        "Total" => row::TOTAL,
        "Neck" => row::NECK,
        "1/3" => row::THIRD,
        "MID" => row::MID,
        "UD" => row::UD,
        _ => return None,
    })
}

fn scan_mode(group: &Group) -> String {
    let label = group.label.to_lowercase();
    if label.contains("spine") {
        "a Lumbar".into()
    } else if label.contains("forearm") {
        "a L.Forearm".into()
    } else {
        format!("f {}", group.label)
    }
}

fn document(study: &DxaStudy) -> ResultsDocument {
    let mut tables = Vec::new();
    let mut scan = vec![(
        "Model".to_string(),
        format!("{} (S/N{})", study.header.model, study.header.device_serial),
    )];
    // One report image is one scan: its study's first group.
    for group in study.groups.iter().take(1) {
        scan.push(("ScanMode".to_string(), scan_mode(group)));
        let mut table = HTable::new(1, "Results Summary:", COLUMNS);
        for r in &group.rows {
            let Some(code) = row_code(&r.label) else {
                continue;
            };
            let cell = |v: &Option<String>| v.clone().unwrap_or_default();
            let cells = [
                r.label.clone(),
                cell(&r.area),
                cell(&r.bmc),
                cell(&r.bmd),
                cell(&r.t),
                cell(&r.pct_ya),
                cell(&r.z),
                cell(&r.pct_am),
            ];
            let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
            table = table.row(code, &cells);
        }
        tables.push(table);
    }
    ResultsDocument {
        patient: vec![("PatientID".into(), study.header.patient_id.clone())],
        scan,
        tables,
    }
}

/// A 1-3 MB report image of `study` (explicit VR LE), with its results document when
/// `with_document`.
pub(super) fn report_image_of(rng: &mut Rng, study: &DxaStudy, with_document: bool) -> Vec<u8> {
    let mut header = study.header.clone();
    header.sop_uid = format!("{}.9", header.sop_uid);
    let document = with_document.then(|| document(study));
    // 800 x 450..1250 RGB: 1.08 to 3.0 MB of pixels.
    let height = rng.range(450, 1250) as u16;
    report_image(
        &header,
        "",
        "",
        document.as_ref(),
        (800, height),
        Encoding::default(),
    )
}
