//! The Hologic studies of the sample: report images whose results documents hold the
//! tables (spine with history, left hip with FRAX, dual hip with the mean total hip's
//! history, forearm, a 47-year-old with MenopauseAge 44), and the seed patient's earlier
//! visits.

use super::header;
use crate::header::Header;
use crate::hologic_report::{HTable, ResultsDocument, column as col, row};

// ------------------------------------------------------------ Hologic report images

const DOE: (&str, &str, &str, Option<&str>, &str) =
    ("DOE^JANE", "HOL000123", "F", Some("19580312"), "066Y");
const ASTROM: (&str, &str, &str, Option<&str>, &str) = (
    "\u{c5}str\u{f6}m^Lars",
    "HOL000456",
    "M",
    Some("19500704"),
    "073Y",
);
const NILSSON: (&str, &str, &str, Option<&str>, &str) =
    ("NILSSON^KARIN", "HOL000555", "F", Some("19770212"), "047Y");

/// A Hologic report image header; the serial only in the document's Model when `serial`
/// is empty.
pub fn hologic_header(
    name: &str,
    study: &str,
    patient: (&str, &str, &str, Option<&str>, &str),
    (date, time): (&str, &str),
    model: &str,
    serial: &str,
) -> Header {
    let mut h = header(name, study, patient).dated(date, time);
    h.manufacturer = "HOLOGIC".into();
    h.model = model.into();
    h.software_version = "13.6.0.4".into();
    h.device_serial = serial.into();
    h
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn patient_info(
    p: (&str, &str, &str, Option<&str>, &str),
    menopause: &str,
) -> Vec<(String, String)> {
    let sex = if p.2 == "M" { "Male" } else { "Female" };
    pairs(&[
        ("PatientName", p.0),
        ("PatientID", p.1),
        ("PatientSex", sex),
        ("Ethnicity", "White"),
        ("Height", "162.0"),
        ("Weight", "61.5"),
        ("Age", p.4.trim_start_matches('0').trim_end_matches('Y')),
        ("MenopauseAge", menopause),
    ])
}

const SUMMARY: &[(u32, &str)] = &[
    (col::LABEL, "Region"),
    (col::AREA, "Area[cm<sup><small>2</small></sup>]"),
    (col::BMC, "BMC[(g)]"),
    (col::BMD, "BMD[(g/cm<sup><small>2</small></sup>)]"),
    (col::T, "T-<br>score"),
    (col::PR, "PR<br>(%)"),
    (col::Z, "Z-<br>score"),
    (col::AM, "AM<br>(%)"),
];

/// The seed patient's spine scan, 2024-04-15: summary (L1-L4 + Total) and a history table.
pub fn hologic_spine_document() -> ResultsDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(
            row::L1,
            &["L1", "14.04", "11.95", "0.851", "-1.4", "84", "-0.2", "98"],
        )
        .row(
            row::L2,
            &["L2", "15.02", "13.89", "0.925", "-1.2", "87", "0.0", "100"],
        )
        .row(
            row::L3,
            &["L3", "16.13", "15.53", "0.963", "-1.0", "89", "0.2", "102"],
        )
        .row(
            row::L4,
            &["L4", "16.44", "15.75", "0.958", "-1.1", "88", "0.1", "101"],
        )
        .row(
            row::TOTAL,
            &[
                "Total", "61.63", "57.32", "0.930", "-1.1", "88", "0.1", "101",
            ],
        );
    let history = HTable::new(
        2,
        "Results History: L1-L4",
        &[
            (col::DATE, "Scan Date"),
            (col::AGE, "Age"),
            (col::BMD, "BMD[(g/cm<sup><small>2</small></sup>)]"),
            (col::T, "T-score"),
            (col::CHANGE_BASELINE, "BMD Change<br>vs Baseline[(%)]"),
            (col::CHANGE_PREVIOUS, "BMD Change<br>vs Previous[(%)]"),
        ],
    )
    .row(
        row::DATE,
        &["04/15/2024", "66", "0.930", "-1.1", "-2.6%", "-1.2%"],
    )
    .row(
        row::DATE,
        &["04/19/2022", "64", "0.941", "-1.0", "-1.5%", "-1.5%"],
    )
    .row(row::DATE, &["04/20/2020", "62", "0.955", "-0.9", "", ""]);
    ResultsDocument {
        patient: patient_info(DOE, "50"),
        scan: pairs(&[
            ("Scan", "April 15, 2024 - A04152401"),
            ("ScanMode", "a Lumbar"),
            ("AnalProtocol", "Spine"),
            ("Model", "Horizon A (S/N300123)"),
            ("HologicSoftwareVer", "13.6.0.4"),
        ]),
        tables: vec![summary, history],
    }
}

/// The seed patient's left hip scan, 2024-04-15, with FRAX with and without prior fracture.
pub fn hologic_left_hip_document() -> ResultsDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(
            row::NECK,
            &["Neck", "4.89", "2.86", "0.585", "-2.4", "68", "-0.9", "87"],
        )
        .row(
            row::TOTAL,
            &[
                "Total", "34.04", "24.10", "0.708", "-1.9", "75", "-0.5", "92",
            ],
        );
    let frax = HTable::new(
        8,
        "10-year Fracture Risk",
        &[
            (col::FRAX_LABEL, " "),
            (col::FRAX, "Without Prior Fracture"),
            (col::FRAX_PRIOR, "With Prior Fracture"),
        ],
    )
    .row(row::FRAX_HEADER, &["FRAX", "", ""])
    .row(
        row::FRAX_MAJOR,
        &["Major Osteoporotic Fracture", "18", "24"],
    )
    .row(row::FRAX_HIP, &["Hip Fracture", "2.9", "4.1"])
    .row(row::FRAX_TEXT, &["Reported risk factors: none", "", ""]);
    ResultsDocument {
        patient: patient_info(DOE, "50"),
        scan: pairs(&[
            ("Scan", "April 15, 2024 - A04152402"),
            ("ScanMode", "f Left Hip"),
            ("AnalProtocol", "Hip"),
            ("Model", "Horizon A (S/N300123)"),
            ("HologicSoftwareVer", "13.6.0.4"),
        ]),
        tables: vec![summary, frax],
    }
}

/// Åström's dual hip, 2023-09-11: Neck and Total rows blank, sub-rows 133-136 below them.
pub fn hologic_dual_hip_document() -> ResultsDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(row::NECK, &["Neck", "", "", "", "", "", "", ""])
        .row(
            row::LEFT,
            &["Left", "5.40", "4.01", "0.742", "-1.3", "83", "0.1", "101"],
        )
        .row(
            row::RIGHT,
            &["Right", "5.43", "3.95", "0.728", "-1.4", "81", "0.0", "100"],
        )
        .row(
            row::MEAN,
            &["Mean", "5.42", "3.98", "0.735", "-1.4", "82", "0.1", "100"],
        )
        .row(
            row::DIFF,
            &["|Diff.|", "0.03", "0.06", "0.014", "0.1", "2", "0.1", "1"],
        )
        .row(row::TOTAL, &["Total", "", "", "", "", "", "", ""])
        .row(
            row::LEFT,
            &[
                "Left", "39.48", "36.37", "0.930", "-0.6", "92", "0.2", "102",
            ],
        )
        .row(
            row::RIGHT,
            &[
                "Right", "39.07", "35.98", "0.921", "-0.7", "91", "0.1", "101",
            ],
        )
        .row(
            row::MEAN,
            &[
                "Mean", "39.28", "36.18", "0.926", "-0.6", "92", "0.2", "102",
            ],
        )
        .row(
            row::DIFF,
            &["|Diff.|", "0.41", "0.39", "0.009", "0.1", "1", "0.1", "1"],
        );
    // A dual hip's history trends the mean total hip; its title says so (docs/evidence.md).
    let history = HTable::new(
        2,
        "DualFemur Total (Mean):",
        &[
            (col::DATE, "Scan Date"),
            (col::AGE, "Age"),
            (col::BMD, "BMD[(g/cm<sup><small>2</small></sup>)]"),
            (col::T, "T-score"),
            (col::CHANGE_BASELINE, "BMD Change<br>vs Baseline"),
            (col::CHANGE_PREVIOUS, "BMD Change<br>vs Previous"),
        ],
    )
    .row(
        row::DATE,
        &["09/11/2023", "73", "0.926", "-0.6", "-1.0%", "-1.0%"],
    )
    .row(row::DATE, &["09/14/2021", "71", "0.935", "-0.5", "", ""]);
    ResultsDocument {
        patient: patient_info(ASTROM, " "),
        scan: pairs(&[
            ("Scan", "September 11, 2023 - A09112301"),
            ("ScanMode", "f Left Hip"),
            ("AnalProtocol", "Dual Hip"),
            ("Scan2", "September 11, 2023 - A09112302"),
            ("ScanMode2", "a Right Hip"),
            ("AnalProtocol2", "Dual Hip"),
            ("Model", "Discovery W (S/N300456)"),
        ]),
        tables: vec![summary, history],
    }
}

/// Åström's right forearm, 2023-09-11 (ScanMode "a R.Forearm").
pub fn hologic_forearm_document() -> ResultsDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(
            row::THIRD,
            &["1/3", "3.15", "2.21", "0.701", "-1.0", "91", "0.3", "104"],
        )
        .row(
            row::MID,
            &["MID", "6.54", "3.91", "0.598", "-1.3", "87", "0.0", "100"],
        )
        .row(
            row::UD,
            &["UD", "3.46", "1.39", "0.402", "-1.6", "83", "-0.4", "95"],
        )
        .row(
            row::TOTAL,
            &[
                "Total", "13.15", "7.51", "0.566", "-1.4", "86", "-0.1", "99",
            ],
        );
    ResultsDocument {
        patient: patient_info(ASTROM, " "),
        scan: pairs(&[
            ("Scan", "September 11, 2023 - A09112303"),
            ("ScanMode", "a R.Forearm"),
            ("AnalProtocol", "Forearm"),
            ("Model", "Discovery W (S/N300456)"),
        ]),
        tables: vec![summary],
    }
}

/// A 47-year-old woman, menopause at 44: left hip, FRAX not reported (and why).
pub fn hologic_menopause_document() -> ResultsDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(
            row::NECK,
            &["Neck", "4.71", "3.10", "0.658", "-1.8", "74", "-1.1", "85"],
        )
        .row(
            row::TOTAL,
            &[
                "Total", "33.10", "26.41", "0.798", "-1.2", "83", "-0.7", "90",
            ],
        );
    let frax = HTable::new(
        8,
        "10-year Fracture Risk",
        &[
            (col::FRAX_LABEL, " "),
            (col::FRAX, "Without Prior Fracture"),
        ],
    )
    .row(
        row::FRAX_TEXT,
        &[
            "FRAX not reported because the patient is under 50 and premenopausal criteria apply",
            "",
        ],
    );
    ResultsDocument {
        patient: patient_info(NILSSON, "44"),
        scan: pairs(&[
            ("Scan", "June 3, 2024 - A06032401"),
            ("ScanMode", "f Left Hip"),
            ("AnalProtocol", "Hip"),
            ("Model", "Horizon Ci (S/N301234M)"),
        ]),
        tables: vec![summary, frax],
    }
}

/// Headers of the Hologic report images: (name, study, patient, date/time, model, serial).
pub fn doe_header(name: &str) -> Header {
    hologic_header(
        name,
        "evidence/hologic-2024-doe",
        DOE,
        ("20240415", "093000"),
        "Horizon A",
        "",
    )
}

/// Åström's report image header.
pub fn astrom_header(name: &str) -> Header {
    hologic_header(
        name,
        "evidence/hologic-2023-astrom",
        ASTROM,
        ("20230911", "101500"),
        "Discovery W",
        "300456",
    )
}

/// The 47-year-old's report image header (no serial in the header: the Model gives it).
pub fn nilsson_header(name: &str) -> Header {
    hologic_header(
        name,
        "evidence/hologic-2024-nilsson",
        NILSSON,
        ("20240603", "110000"),
        "",
        "",
    )
}

/// The seed patient's spine and left hip on an earlier date, as two report images'
/// documents: (spine Total BMD, T), (Neck BMD, T), (Total BMD, T).
pub fn hologic_followup_documents(
    scan_date: &str,
    model: &str,
    spine: (&str, &str),
    neck: (&str, &str),
    total: (&str, &str),
) -> [ResultsDocument; 2] {
    let mut spine_doc = hologic_spine_document();
    spine_doc.tables = vec![HTable::new(1, "Results Summary:", SUMMARY).row(
        row::TOTAL,
        &[
            "Total", "61.63", "57.32", spine.0, spine.1, "88", "0.0", "101",
        ],
    )];
    let mut hip_doc = hologic_left_hip_document();
    hip_doc.tables = vec![
        HTable::new(1, "Results Summary:", SUMMARY)
            .row(
                row::NECK,
                &["Neck", "4.89", "2.86", neck.0, neck.1, "70", "-0.7", "89"],
            )
            .row(
                row::TOTAL,
                &[
                    "Total", "34.04", "24.10", total.0, total.1, "77", "-0.4", "93",
                ],
            ),
    ];
    for doc in [&mut spine_doc, &mut hip_doc] {
        for (name, value) in doc.scan.iter_mut() {
            if name == "Scan" {
                *value = format!("{scan_date} - A0001");
            }
            if name == "Model" {
                *value = model.to_string();
            }
        }
    }
    [spine_doc, hip_doc]
}
/// The seed patient's report image header on another date and device.
pub fn doe_header_on(name: &str, date: &str, age: &str, model: &str, serial: &str) -> Header {
    let mut h = hologic_header(
        name,
        &format!("evidence/hologic-{date}-doe"),
        DOE,
        (date, "100000"),
        model,
        serial,
    );
    h.age = Some(age.into());
    h
}
