//! A visit shaped like the 4 819 real results documents of one US imaging centre (shared
//! docs/evidence.md, "Round two"; synthesized: names, values and UIDs are invented, digits
//! never copied): every section opens with comment lines, PatInfo in US units, Graph.js
//! states a Hispanic-female reference, Fracture.js the scanner's WHO classification; both
//! hips of one visit carry their own FRAX table (different values, the left one with
//! `T-score(WHO)`), hip history tables have a Region column and change values with `*` and
//! `#`, history dates are `MM/DD/YYYY` with day and month both 12 or less, the forearm
//! history trends the 1/3 radius. An empty skeleton image sits beside them.

use super::hologic::hologic_header;
use crate::header::Header;
use crate::hologic_report::{ApexDocument, HTable, ResultsDocument, column as col, row};

/// The patient: (name, ID, sex, birth date, age).
pub const GARCIA: (&str, &str, &str, Option<&str>, &str) =
    ("GARCIA^ROSA", "HOL000777", "F", Some("19550308"), "068Y");

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// PatInfo.js in US units: `Height = "62.5 in"`, `Weight = "148.0  lb"` (two spaces, as
/// written), MenopauseAge blank.
pub fn garcia_patient() -> Vec<(String, String)> {
    pairs(&[
        ("PatientName", GARCIA.0),
        ("PatientID", GARCIA.1),
        ("PatientSex", "Female"),
        ("Ethnicity", "Hispanic"),
        ("Height", "62.5 in"),
        ("Weight", "148.0  lb"),
        ("DOB", "03/08/1955"),
        ("Age", "68"),
        ("MenopauseAge", " "),
    ])
}

/// ScanInfo.js of one scan of the visit (March 5, 2024: day and month both 12 or less).
fn scan_info(
    scan_id: &str,
    mode: &str,
    protocol: &str,
    report_date: &str,
) -> Vec<(String, String)> {
    pairs(&[
        ("Scan", &format!("March 5, 2024 - {scan_id}")),
        ("ScanMode", mode),
        ("AnalProtocol", protocol),
        ("AnalDate", "03/05/2024"),
        ("ReportDate", report_date),
        ("Model", "Horizon Ci (S/N 301777)"),
        ("HologicSoftwareVer", "13.6.1.4"),
    ])
}

/// Graph.js: T and Z against a Hispanic female reference (80 % of the real documents).
pub fn hispanic_female_graph() -> Vec<(String, String)> {
    pairs(&[(
        "GraphTitle2",
        "T-score vs. Hispanic Female. Source:NHANES.<br> Z-score vs. Hispanic Female. Source:NHANES",
    )])
}

/// Graph.js: the ISCD uniform reference (white female; NHANES for the hip).
pub fn white_female_graph() -> Vec<(String, String)> {
    pairs(&[(
        "GraphTitle2",
        "T-score vs. White Female. Source:2012 BMDCS/NHANES.<br> Z-score vs. White Female. \
         Source:2012 BMDCS/NHANES",
    )])
}

/// Fracture.js: the scanner's own verdict, `WHO Classification: <category>`.
pub fn fracture_risk(category: &str) -> Vec<(String, String)> {
    pairs(&[(
        "FractureRiskStr",
        &format!(
            "Fracture Risk: Increased; WHO Classification: {category}<BR>* Denotes significance \
             at 95% confidence level, LSC is 0.022 g/cm\u{b2}"
        ),
    )])
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

/// A hip history table with a Region column: the row `Total` then blank-labelled rows, then
/// `Neck` then blank rows, each group that region. `baseline` and `previous` name the
/// change columns' headers (one without a unit: the unit is in the values).
fn hip_history(baseline: &str, previous: &str, rows: &[[&str; 7]]) -> HTable {
    let mut table = HTable::new(
        2,
        "Results History:",
        &[
            (col::DATE, "Scan Date"),
            (col::AGE, "Age"),
            (col::LABEL, "Region"),
            (col::BMD, "BMD[(g/cm<sup><small>2</small></sup>)]"),
            (col::T, "T-score"),
            (col::CHANGE_BASELINE, baseline),
            (col::CHANGE_PREVIOUS, previous),
        ],
    );
    for cells in rows {
        table = table.row(row::DATE, cells);
    }
    table
}

/// A FRAX table (TableType 8) without prior-fracture column: major, hip, the inputs row.
fn frax_table(major: &str, hip: &str, inputs: &str) -> HTable {
    HTable::new(
        8,
        "10-Year Fracture Risk",
        &[(col::FRAX_LABEL, " "), (col::FRAX, " ")],
    )
    .row(row::FRAX_HEADER, &["FRAX\u{ae} Version 4.2", ""])
    .row(row::FRAX_MAJOR, &["Major Osteoporotic Fracture", major])
    .row(row::FRAX_HIP, &["Hip Fracture", hip])
    .row(row::FRAX_TEXT, &[inputs, ""])
}

/// The left hip: the femoral neck is the lower one; FRAX 17 % / 3.6 % with the neck T on
/// the uniform reference in row 73 (`T-score(WHO)=-2.6`); a history with changes
/// `-0.031 (-4.0%)*` (header without a unit) and `-0.019 (-2.5%)#`. Its ReportDate
/// (`03/19/2024`: a day above 12) proves month-first dates.
pub fn garcia_left_hip_document() -> ApexDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(
            row::NECK,
            &["Neck", "4.92", "2.69", "0.546", "-2.2", "66", "-0.6", "91"],
        )
        .row(
            row::TOTAL,
            &[
                "Total", "32.40", "24.01", "0.741", "-1.5", "79", "-0.3", "96",
            ],
        );
    let history = hip_history(
        "BMD Change<br>vs Baseline",
        "BMD Change (g/cm<sup><small>2</small></sup>)<br>vs Previous",
        &[
            [
                "03/05/2024",
                "68",
                "Total",
                "0.741",
                "-1.5",
                "-0.031 (-4.0%)*",
                "-0.012 (-1.6%)",
            ],
            [
                "02/11/2022",
                "66",
                "",
                "0.753",
                "-1.4",
                "-0.019 (-2.5%)",
                "-0.019 (-2.5%)#",
            ],
            ["01/08/2020", "64", "", "0.772", "-1.3", "", ""],
            [
                "03/05/2024",
                "68",
                "Neck",
                "0.546",
                "-2.2",
                "-0.034 (-5.9%)*",
                "-0.010 (-1.8%)",
            ],
            [
                "02/11/2022",
                "66",
                "",
                "0.556",
                "-2.1",
                "-0.024 (-4.1%)*",
                "-0.024 (-4.1%)*",
            ],
            ["01/08/2020", "64", "", "0.580", "-1.9", "", ""],
        ],
    );
    let frax = frax_table(
        "17%",
        "3.6%",
        "Reported Risk Factors: US (Hispanic), T-score(WHO)=-2.6, BMI=26.6, parental fracture",
    );
    ApexDocument {
        results: ResultsDocument {
            patient: garcia_patient(),
            scan: scan_info("A03052401", "f Left Hip", "Hip", "03/19/2024 10:22"),
            tables: vec![summary, history, frax],
        },
        graph: hispanic_female_graph(),
        fracture: fracture_risk("Osteopenia"),
    }
}

/// The right hip of the same visit: its own FRAX table (15 % / 3.0 %); a history whose
/// changes are percentages only (`-1.2%`) under headers without a unit. Its ReportDate is
/// ambiguous (`03/05/2024 10:40`): the current row, equal to `Scan`, proves the order.
pub fn garcia_right_hip_document() -> ApexDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(
            row::NECK,
            &["Neck", "4.88", "2.79", "0.571", "-2.0", "69", "-0.4", "94"],
        )
        .row(
            row::TOTAL,
            &[
                "Total", "32.71", "24.86", "0.760", "-1.4", "81", "-0.2", "97",
            ],
        );
    let history = hip_history(
        "BMD Change<br>vs Baseline",
        "BMD Change<br>vs Previous",
        &[
            [
                "03/05/2024",
                "68",
                "Total",
                "0.760",
                "-1.4",
                "-1.2%",
                "-0.7%",
            ],
            ["02/11/2022", "66", "", "0.765", "-1.4", "-0.5%", "-0.5%"],
            ["01/08/2020", "64", "", "0.769", "-1.3", "", ""],
            [
                "03/05/2024",
                "68",
                "Neck",
                "0.571",
                "-2.0",
                "-2.7%",
                "-1.2%",
            ],
            ["02/11/2022", "66", "", "0.578", "-2.0", "-1.5%", "-1.5%"],
            ["01/08/2020", "64", "", "0.587", "-1.9", "", ""],
        ],
    );
    let frax = frax_table(
        "15%",
        "3.0%",
        "Reported Risk Factors: US (Hispanic), T-score(WHO)=-2.4, BMI=26.6, parental fracture",
    );
    ApexDocument {
        results: ResultsDocument {
            patient: garcia_patient(),
            scan: scan_info("A03052402", "f Right Hip", "Hip", "03/05/2024 10:40"),
            tables: vec![summary, history, frax],
        },
        graph: hispanic_female_graph(),
        fracture: fracture_risk("Osteopenia"),
    }
}

/// The left forearm: its history table names no region (the trended region is the 1/3
/// radius); `WHO Classification on Bolded Results`.
pub fn garcia_forearm_document() -> ApexDocument {
    let summary = HTable::new(1, "Results Summary:", SUMMARY)
        .row(
            row::THIRD,
            &["1/3", "2.98", "1.82", "0.612", "-1.9", "81", "-0.4", "95"],
        )
        .row(
            row::MID,
            &["MID", "6.02", "3.13", "0.520", "-2.1", "78", "-0.6", "92"],
        )
        .row(
            row::UD,
            &["UD", "3.30", "1.16", "0.352", "-2.4", "75", "-0.9", "89"],
        )
        .row(
            row::TOTAL,
            &[
                "Total", "12.30", "6.13", "0.498", "-2.2", "77", "-0.7", "91",
            ],
        );
    let history = HTable::new(
        2,
        "Results History:",
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
        &[
            "03/05/2024",
            "68",
            "0.612",
            "-1.9",
            "-0.020 (-3.2%)*",
            "-0.020 (-3.2%)*",
        ],
    )
    .row(row::DATE, &["02/11/2022", "66", "0.632", "-1.6", "", ""]);
    let mut fracture = fracture_risk("Osteopenia");
    fracture[0].1 = fracture[0].1.replace(
        "WHO Classification:",
        "WHO Classification on Bolded Results:",
    );
    ApexDocument {
        results: ResultsDocument {
            patient: garcia_patient(),
            scan: scan_info("A03052403", "a L.Forearm", "Forearm", "03/19/2024 10:31"),
            tables: vec![summary, history],
        },
        graph: hispanic_female_graph(),
        fracture,
    }
}

/// The report image header of the visit (no serial in the header: `Model` gives it).
pub fn garcia_header(name: &str) -> Header {
    hologic_header(
        name,
        "evidence/hologic-2024-garcia",
        GARCIA,
        ("20240305", "101500"),
        "Horizon Ci",
        "",
    )
}
