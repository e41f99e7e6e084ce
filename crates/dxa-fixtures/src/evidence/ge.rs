//! The GE Lunar studies of the sample: one study sent as five "DXA Report" SRs (2024),
//! its 2021 baseline, and an old enCORE forearm with the older XML.

use super::header;
use crate::ge_report::{
    GeExam, GeFrax, GeRegion, GeReport, GeTrend, GeTrendExam, dxa_results_xml, ge_region,
};
use crate::header::Header;

// ---------------------------------------------------------------- GE Lunar, 2024-01-22

const LUNAR: (&str, &str, &str, Option<&str>, &str) =
    ("KOWALSKI^ANNA", "LUN004412", "F", None, "067Y");

fn lunar_header(name: &str, instance: &str) -> Header {
    let mut h = header(name, "evidence/lunar-2024", LUNAR);
    h = h.dated("20240122", "083000");
    h.manufacturer = "GE Healthcare".into();
    h.model = "Lunar iDXA".into();
    h.software_version = "enCORE 18".into();
    h.device_serial = "200512".into();
    h.accession = "ACC240122412".into();
    h.instance_number = instance.into();
    h
}

fn trend(region: &str, exams: &[(&str, &str, &str, Option<&str>)]) -> GeTrend {
    GeTrend {
        region: region.into(),
        exams: exams
            .iter()
            .map(|(date, age, bmd, pchange)| GeTrendExam {
                date: date.to_string(),
                age: age.to_string(),
                bmd: bmd.to_string(),
                pchange: pchange.map(str::to_string),
            })
            .collect(),
    }
}

/// The spine and dual femur exams: TEXT scores (one with a decimal comma), Mean and Diff.
/// rows, Upper/Lower Neck, and trends (dd-Mon-yyyy, and a DD/MM/YYYY whose day proves it).
pub fn ge_spine_femur_exams() -> Vec<GeExam> {
    let mut l1l4 = ge_region("L1-L4", "1.069", "-0.9", "0.2");
    l1l4.bmc = Some("66.49".into());
    l1l4.area = Some("62.20".into());
    l1l4.pya = Some("91".into());
    l1l4.pam = Some("103".into());
    vec![
        GeExam {
            name: "AP Spine".into(),
            regions: vec![
                ge_region("L1", "1.012", "-1.4", "-0.3"),
                ge_region("L2", "1.065", "-1.0", "0.1"),
                ge_region("L3", "1.103", "-0.6", "0.5"),
                ge_region("L4", "1.087", "-0.8", "0.4"),
                l1l4,
            ],
            trends: vec![trend(
                "L1-L4",
                &[
                    ("18-Jan-2021", "64", "1.051", Some("1.7")),
                    ("15-Jan-2019", "62", "1.062", None),
                ],
            )],
        },
        GeExam {
            name: "DualFemur".into(),
            regions: vec![
                ge_region("Neck Left", "0.812", "-1.6", "-0.2"),
                ge_region("Neck Right", "0.798", "-1,7", "-0.3"),
                ge_region("Neck Mean", "0.805", "-1.6", "-0.3"),
                GeRegion {
                    label: "Neck Diff.".into(),
                    bmd: Some("0.014".into()),
                    ..GeRegion::default()
                },
                GeRegion {
                    label: "Upper Neck Left".into(),
                    bmd: Some("0.702".into()),
                    ..GeRegion::default()
                },
                GeRegion {
                    label: "Lower Neck Left".into(),
                    bmd: Some("0.911".into()),
                    ..GeRegion::default()
                },
                ge_region("Total Left", "0.873", "-1.1", "0.0"),
                ge_region("Total Right", "0.881", "-1.0", "0.1"),
                ge_region("Total Mean", "0.877", "-1.0", "0.0"),
            ],
            trends: vec![
                trend("Neck Left", &[("18/01/2021", "64", "0.838", Some("-3.1"))]),
                trend("Total Mean", &[("18/01/2021", "64", "0.899", Some("-2.4"))]),
            ],
        },
    ]
}

/// SR 1 of the Lunar study: spine + dual femur, with its XML copy in ImageComments.
pub fn ge_spine_femur_report() -> GeReport {
    let mut r = GeReport::new(lunar_header("evidence/lunar-2024/spine-femur", "1"));
    r.exams = ge_spine_femur_exams();
    r.image_comments = Some(dxa_results_xml(&r.exams, "22/01/2024"));
    r
}

/// The forearm exam whose values are only in ImageComments.
pub fn ge_forearm_exam() -> GeExam {
    GeExam {
        name: "Left Forearm".into(),
        regions: vec![
            ge_region("Radius 33%", "0.681", "-1.8", "-0.4"),
            ge_region("Radius UD", "0.352", "-2.1", "-0.8"),
        ],
        trends: Vec::new(),
    }
}

/// SR 2: a "DXA Report" with no tree values; the forearm results are only in the XML.
pub fn ge_forearm_xml_only_report() -> GeReport {
    let mut r = GeReport::new(lunar_header("evidence/lunar-2024/forearm", "2"));
    r.image_comments = Some(dxa_results_xml(&[ge_forearm_exam()], "22/01/2024"));
    r
}

/// SR 3: the FRAX SR (with and without prior fracture, WHO text).
pub fn ge_frax_report() -> GeReport {
    let mut r = GeReport::new(lunar_header("evidence/lunar-2024/frax", "3"));
    r.frax = Some(GeFrax {
        major: "12".into(),
        hip: "1.8".into(),
        major_prior: Some("17".into()),
        hip_prior: Some("2.9".into()),
        who: Some("Osteopenia".into()),
    });
    r
}

/// SR 4: the LVA SR (vertebral fracture assessment).
pub fn ge_lva_report() -> GeReport {
    let mut r = GeReport::new(lunar_header("evidence/lunar-2024/lva", "4"));
    r.lva = vec![
        ("T12".into(), "None".into()),
        ("L1".into(), "Grade 1 (mild) wedge".into()),
        ("L2".into(), "None".into()),
    ];
    r
}

/// SR 5: metadata only (no results tree).
pub fn ge_metadata_report() -> GeReport {
    let mut r = GeReport::new(lunar_header("evidence/lunar-2024/metadata", "5"));
    r.title = "Patient Information".into();
    r
}

/// The Lunar patient's 2021 exam on the same iDXA (follow-up baseline): spine and dual femur.
pub fn ge_prior_report() -> GeReport {
    let mut h = header(
        "evidence/lunar-2021/spine-femur",
        "evidence/lunar-2021",
        LUNAR,
    );
    h = h.dated("20210118", "100000");
    h.age = Some("064Y".into());
    h.manufacturer = "GE Healthcare".into();
    h.model = "Lunar iDXA".into();
    h.software_version = "enCORE 16".into();
    h.device_serial = "200512".into();
    let mut r = GeReport::new(h);
    r.exams = vec![
        GeExam {
            name: "AP Spine".into(),
            regions: vec![ge_region("L1-L4", "1.051", "-1.0", "0.0")],
            trends: Vec::new(),
        },
        GeExam {
            name: "DualFemur".into(),
            regions: vec![
                ge_region("Neck Left", "0.838", "-1.4", "0.0"),
                ge_region("Neck Right", "0.810", "-1.6", "-0.2"),
                ge_region("Neck Mean", "0.824", "-1.5", "-0.1"),
                ge_region("Total Left", "0.930", "-0.6", "0.4"),
                ge_region("Total Right", "0.869", "-1.1", "0.1"),
                ge_region("Total Mean", "0.899", "-0.8", "0.2"),
            ],
            trends: Vec::new(),
        },
    ];
    r
}

/// An old enCORE forearm SR (2011) whose XML copy is the older `<DENSITOMETRY_RESULTS>`:
/// the tree has the current values, the XML two earlier exams and the current one last.
pub fn ge_old_forearm_report() -> GeReport {
    let patient = ("GARCIA^MARIA", "LUN000187", "F", Some("19440118"), "067Y");
    let mut h = header(
        "evidence/lunar-2011/forearm",
        "evidence/lunar-2011",
        patient,
    );
    h = h.dated("20110322", "110500");
    h.manufacturer = "LUNAR".into();
    h.model = "DPX-NT".into();
    h.software_version = "enCORE 9.30".into();
    h.device_serial = "6712".into();
    let mut r = GeReport::new(h);
    r.exams = vec![GeExam {
        name: "Left Forearm".into(),
        regions: vec![
            ge_region("Radius 33%", "0.681", "-1.8", "-0.4"),
            ge_region("Radius UD", "0.352", "-2.1", "-0.8"),
            ge_region("Radius Total", "0.512", "-2.0", "-0.6"),
        ],
        trends: Vec::new(),
    }];
    r.image_comments = Some(
        "<DENSITOMETRY_RESULTS><CURRENT_EXAM><SCAN type=\"Left Forearm\"><TREND>\
         <TREND_ROI>Radius 33%</TREND_ROI><BASELINE_EXAM_DATE>3/14/2007</BASELINE_EXAM_DATE>\
         <EXAM><EXAM_DATE>3/14/2007</EXAM_DATE><BMD>0.712</BMD><YAT>-1.4</YAT><AMZ>-0.3</AMZ></EXAM>\
         <EXAM><EXAM_DATE>3/19/2009</EXAM_DATE><BMD>0.695</BMD><YAT>-1.6</YAT><AMZ>-0.3</AMZ>\
         <BMD_CHANGE TYPE=\"ROC_VS_PREVIOUS\" VALUE=\"-1.2\"/></EXAM>\
         <EXAM><EXAM_DATE>3/22/2011</EXAM_DATE><BMD>0.681</BMD><YAT>-1.8</YAT><AMZ>-0.4</AMZ>\
         <BMD_CHANGE TYPE=\"ROC_VS_PREVIOUS\" VALUE=\"-1.0\"/></EXAM>\
         </TREND></SCAN></CURRENT_EXAM></DENSITOMETRY_RESULTS>"
            .into(),
    );
    r
}
