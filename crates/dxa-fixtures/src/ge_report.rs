//! GE Lunar enCORE "DXA Report" SRs as the field evidence describes them
//! (docs/evidence.md, synthesized, never copied from an export): root "DXA Report",
//! exam containers whose CodeValue starts with "2000", region containers named with their
//! side ("Neck Left"), NUM BMD/BMC/Area, TEXT BMD_TSCORE/BMD_ZSCORE/BMD_PYA/BMD_PAM,
//! "Trend ..." containers of earlier exams named by date, a FRAX container, an LVA exam,
//! and an optional XML copy of the results in ImageComments (0020,4000).
//!
//! ```text
//! CONTAINER (99GEMS,DXA_REPORT,"DXA Report")
//!   CONTAINER (99GEMS,2000<n>,<exam>)                     per exam ("AP Spine", "DualFemur")
//!     CONTAINER (99GEMS,ROI,<region>)                     per region ("L1-L4", "Neck Left")
//!       NUM (99GEMS,BMD,"BMD") g/cm2 | (BMC,"BMC") g | (AREA,"Area") cm2
//!       TEXT (99GEMS,BMD_TSCORE,"BMD_TSCORE") | BMD_ZSCORE | BMD_PYA | BMD_PAM
//!     CONTAINER (99GEMS,TREND,"Trend <region>")           per trend
//!       CONTAINER (99GEMS,EXAM,<date>)                    per earlier exam, newest first
//!         NUM (99GEMS,AGE,"AGE") a | NUM (99GEMS,BMD,"BMD") g/cm2
//!         CONTAINER (99GEMS,PCHG_PREV,"PCHANGE_VS_PREVIOUS") > NUM BMD %
//!   CONTAINER (99GEMS,FRAX,"FRAX")                        [frax]
//!     NUM "Major Osteoporotic Fracture" | "Hip Fracture" | "... Prior Fracture" %
//!     TEXT (99GEMS,WHO,"WHO Classification")
//!   CONTAINER (99GEMS,20009,"LVA")                        [lva]
//!     CONTAINER (99GEMS,VERT,<vertebra>) > TEXT (99GEMS,DEFORMITY,"DEFORMITY")
//! ```

use dicom_core::VR;
use dicom_dictionary_std::tags;

use crate::encoding::{Encoding, encode_file, text};
use crate::header::Header;
use crate::tree::{CONTAINS, CodeDef, Item, SrDoc, code, sr_dataset};

const GEMS: &str = "99GEMS";

/// One region of an exam. Values are written verbatim (a TEXT score may hold "-1,6").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeRegion {
    /// Region container meaning, e.g. "Neck Left", "L1-L4", "Radius 33%".
    pub label: String,
    /// NUM BMD, g/cm2.
    pub bmd: Option<String>,
    /// NUM BMC, g.
    pub bmc: Option<String>,
    /// NUM Area, cm2.
    pub area: Option<String>,
    /// TEXT BMD_TSCORE; a second value is written as a second item (a man's male- and
    /// female-referenced T-scores).
    pub t: Vec<String>,
    /// TEXT BMD_ZSCORE.
    pub z: Option<String>,
    /// TEXT BMD_PYA (% young adult).
    pub pya: Option<String>,
    /// TEXT BMD_PAM (% age matched).
    pub pam: Option<String>,
}

/// A region with BMD (NUM) and T, Z (TEXT).
pub fn ge_region(label: &str, bmd: &str, t: &str, z: &str) -> GeRegion {
    GeRegion {
        label: label.to_string(),
        bmd: Some(bmd.to_string()),
        t: vec![t.to_string()],
        z: Some(z.to_string()),
        ..GeRegion::default()
    }
}

/// One earlier exam of a trend: date text, age, BMD, % change vs previous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeTrendExam {
    /// The container's name: "15-Mar-2021", "03/15/2021", "15/03/2021".
    pub date: String,
    /// Age then.
    pub age: String,
    /// BMD then, g/cm2.
    pub bmd: String,
    /// % change vs the previous exam.
    pub pchange: Option<String>,
}

/// A "Trend <region>" container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeTrend {
    /// The region part of the name ("Neck Left").
    pub region: String,
    /// Earlier exams, newest first.
    pub exams: Vec<GeTrendExam>,
}

/// One exam container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeExam {
    /// Its meaning: "AP Spine", "DualFemur", "Left Femur", "Right Forearm".
    pub name: String,
    /// Regions.
    pub regions: Vec<GeRegion>,
    /// Trends.
    pub trends: Vec<GeTrend>,
}

/// FRAX container values (percent, verbatim).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeFrax {
    /// Major osteoporotic fracture.
    pub major: String,
    /// Hip fracture.
    pub hip: String,
    /// Major, with prior fracture.
    pub major_prior: Option<String>,
    /// Hip, with prior fracture.
    pub hip_prior: Option<String>,
    /// WHO classification text.
    pub who: Option<String>,
}

/// One GE "DXA Report" SR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeReport {
    /// Header (manufacturer "GE Healthcare", a Lunar model).
    pub header: Header,
    /// Root meaning: "DXA Report", or another title for a metadata-only SR.
    pub title: String,
    /// Exams.
    pub exams: Vec<GeExam>,
    /// FRAX.
    pub frax: Option<GeFrax>,
    /// LVA grades (vertebra, grade).
    pub lva: Vec<(String, String)>,
    /// ImageComments XML copy.
    pub image_comments: Option<String>,
}

impl GeReport {
    /// A report with no content yet.
    pub fn new(header: Header) -> Self {
        GeReport {
            header,
            title: "DXA Report".to_string(),
            exams: Vec::new(),
            frax: None,
            lva: Vec::new(),
            image_comments: None,
        }
    }
}

fn num(concept: CodeDef, value: &str, unit: &str) -> Item {
    Item::num(CONTAINS, concept, value, code(unit, "UCUM", unit))
}

fn region_items(r: &GeRegion) -> Vec<Item> {
    let mut items = Vec::new();
    for (value, c, m, unit) in [
        (&r.bmd, "BMD", "BMD", "g/cm2"),
        (&r.bmc, "BMC", "BMC", "g"),
        (&r.area, "AREA", "Area", "cm2"),
    ] {
        if let Some(v) = value {
            items.push(num(code(c, GEMS, m), v, unit));
        }
    }
    for t in &r.t {
        items.push(Item::text(
            CONTAINS,
            code("BMD_TSCORE", GEMS, "BMD_TSCORE"),
            t,
        ));
    }
    for (value, name) in [
        (&r.z, "BMD_ZSCORE"),
        (&r.pya, "BMD_PYA"),
        (&r.pam, "BMD_PAM"),
    ] {
        if let Some(v) = value {
            items.push(Item::text(CONTAINS, code(name, GEMS, name), v));
        }
    }
    items
}

fn trend_item(t: &GeTrend) -> Item {
    let exams = t
        .exams
        .iter()
        .map(|e| {
            let mut items = vec![
                num(code("AGE", GEMS, "AGE"), &e.age, "a"),
                num(code("BMD", GEMS, "BMD"), &e.bmd, "g/cm2"),
            ];
            if let Some(p) = &e.pchange {
                items.push(Item::container(
                    CONTAINS,
                    code("PCHG_PREV", GEMS, "PCHANGE_VS_PREVIOUS"),
                    vec![num(code("BMD", GEMS, "BMD"), p, "%")],
                ));
            }
            Item::container(CONTAINS, code("EXAM", GEMS, &e.date), items)
        })
        .collect();
    Item::container(
        CONTAINS,
        code("TREND", GEMS, &format!("Trend {}", t.region)),
        exams,
    )
}

/// The SR document of a report (without the ImageComments copy).
pub fn ge_report_doc(report: &GeReport) -> SrDoc {
    let mut children = Vec::new();
    for (n, exam) in report.exams.iter().enumerate() {
        let mut items: Vec<Item> = exam
            .regions
            .iter()
            .map(|r| Item::container(CONTAINS, code("ROI", GEMS, &r.label), region_items(r)))
            .collect();
        items.extend(exam.trends.iter().map(trend_item));
        children.push(Item::container(
            CONTAINS,
            code(&format!("2000{}", n + 1), GEMS, &exam.name),
            items,
        ));
    }
    if let Some(f) = &report.frax {
        let mut items = vec![
            num(
                code("MOF", GEMS, "Major Osteoporotic Fracture"),
                &f.major,
                "%",
            ),
            num(code("HIPFX", GEMS, "Hip Fracture"), &f.hip, "%"),
        ];
        if let Some(v) = &f.major_prior {
            items.push(num(
                code(
                    "MOF_PRIOR",
                    GEMS,
                    "Major Osteoporotic Fracture with Prior Fracture",
                ),
                v,
                "%",
            ));
        }
        if let Some(v) = &f.hip_prior {
            items.push(num(
                code("HIPFX_PRIOR", GEMS, "Hip Fracture with Prior Fracture"),
                v,
                "%",
            ));
        }
        if let Some(w) = &f.who {
            items.push(Item::text(
                CONTAINS,
                code("WHO", GEMS, "WHO Classification"),
                w,
            ));
        }
        children.push(Item::container(CONTAINS, code("FRAX", GEMS, "FRAX"), items));
    }
    if !report.lva.is_empty() {
        let vertebrae = report
            .lva
            .iter()
            .map(|(v, grade)| {
                Item::container(
                    CONTAINS,
                    code("VERT", GEMS, v),
                    vec![Item::text(
                        CONTAINS,
                        code("DEFORMITY", GEMS, "DEFORMITY"),
                        grade,
                    )],
                )
            })
            .collect();
        children.push(Item::container(
            CONTAINS,
            code("20009", GEMS, "LVA"),
            vertebrae,
        ));
    }
    let root_code = if report.title == "DXA Report" {
        "DXA_REPORT"
    } else {
        "META"
    };
    SrDoc {
        header: report.header.clone(),
        root: Item::container(CONTAINS, code(root_code, GEMS, &report.title), children),
    }
}

/// The file bytes of a report, with its ImageComments copy when it has one.
pub fn ge_report_bytes(report: &GeReport, enc: Encoding) -> Vec<u8> {
    let doc = ge_report_doc(report);
    let mut dataset = sr_dataset(&doc);
    if let Some(xml) = &report.image_comments {
        dataset.put(text(tags::IMAGE_COMMENTS, VR::LT, xml));
    }
    encode_file(dataset, &doc.header.sop_class_uid, &doc.header.sop_uid, enc)
}

/// The newer `<DXA_RESULTS>` XML of a report's exams (what GE writes in ImageComments):
/// SCAN type -> ROI region -> BMD, BMD_TSCORE, ...; TREND -> EXAM date -> BMD, CHANGE.
pub fn dxa_results_xml(exams: &[GeExam], exam_date: &str) -> String {
    let mut out = format!("<DXA_RESULTS><EXAM_DATE time=\"0830\" id=\"1\">{exam_date}</EXAM_DATE>");
    for exam in exams {
        out.push_str(&format!("<SCAN type=\"{}\">", exam.name));
        for r in &exam.regions {
            out.push_str(&format!("<ROI region=\"{}\">", r.label));
            let mut field = |name: &str, value: &Option<String>, units: &str| {
                if let Some(v) = value {
                    out.push_str(&format!("<{name}{units}>{v}</{name}>"));
                }
            };
            field("BMD", &r.bmd, " units=\" g/cm2\"");
            field("BMD_TSCORE", &r.t.first().cloned(), "");
            field("BMD_ZSCORE", &r.z, "");
            field("BMD_PYA", &r.pya, " units=\"%\"");
            field("BMD_PAM", &r.pam, " units=\"%\"");
            field("BMC", &r.bmc, " units=\" g\"");
            field("AREA", &r.area, " units=\" cm2\"");
            out.push_str("</ROI>");
        }
        for t in &exam.trends {
            out.push_str(&format!("<TREND region=\"{}\">", t.region));
            for e in &t.exams {
                out.push_str(&format!(
                    "<EXAM date=\"{}\"><BMD units=\" g/cm2\">{}</BMD>",
                    e.date, e.bmd
                ));
                if let Some(p) = &e.pchange {
                    out.push_str(&format!(
                        "<CHANGE type=\"PCHANGE_VS_PREVIOUS\">{p}</CHANGE>"
                    ));
                }
                out.push_str("</EXAM>");
            }
            out.push_str("</TREND>");
        }
        out.push_str("</SCAN>");
    }
    out.push_str("</DXA_RESULTS>");
    out
}
