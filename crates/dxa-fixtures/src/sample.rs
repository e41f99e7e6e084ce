//! The committed sample export tree (`fixtures/sample`), and the studies it
//! is made of (public so tests can compare against the expected values).

use std::io;
use std::path::Path;

use crate::encoding::{Encoding, Ts, with_explicit_lengths};
use crate::evidence;
use crate::ge_report::{GeReport, ge_report_bytes};
use crate::header::{COMPREHENSIVE_SR, Header};
use crate::hologic_report::{ResultsDocument, report_image};
use crate::junk;
use crate::styles::{BmdUnit, DxaStudy, Group, Lat, Row, flat_style, hologic_style, loinc_style};
use crate::tree::{SrDoc, sr_bytes, write_file};

/// One file of the sample tree, for manifests and the README table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    /// Path relative to the sample root, with `/` separators.
    pub path: String,
    /// Style (`hologic`, `ge`, `loinc`, `flat`) or junk kind.
    pub kind: String,
    /// Transfer syntax of DICOM files (`None` for non-DICOM files).
    pub ts: Option<Ts>,
    /// Whether the file has the 128-byte preamble (`None` for non-DICOM files).
    pub preamble: Option<bool>,
    /// What the file exercises.
    pub notes: String,
}

/// Shorthand for a 7-value Hologic/Lunar row:
/// label, bmd, bmc, area, t, z, pct young adult, pct age matched.
#[allow(clippy::too_many_arguments)]
fn full(l: &str, bmd: &str, bmc: &str, area: &str, t: &str, z: &str, ya: &str, am: &str) -> Row {
    Row::new(l)
        .bmd(bmd)
        .bmc(bmc)
        .area(area)
        .t(t)
        .z(z)
        .pct_ya(ya)
        .pct_am(am)
}

/// A row with BMD, T and Z only.
fn btz(l: &str, bmd: &str, t: &str, z: &str) -> Row {
    Row::new(l).bmd(bmd).t(t).z(z)
}

/// Header with patient demographics set.
#[allow(clippy::too_many_arguments)]
fn patient(
    name: &str,
    patient_name: &str,
    id: &str,
    sex: &str,
    birth: Option<&str>,
    age: &str,
    date: &str,
    time: &str,
) -> Header {
    let mut h = Header::new(name).dated(date, time);
    h.patient_name = patient_name.to_string();
    h.patient_id = id.to_string();
    h.sex = Some(sex.to_string());
    h.birth_date = birth.map(str::to_string);
    h.age = Some(age.to_string());
    h.accession = format!("ACC{}{}", &date[2..], &id[id.len() - 3..]);
    h
}

/// Set the equipment attributes.
fn equipment(
    mut h: Header,
    manufacturer: &str,
    model: &str,
    software: &str,
    serial: &str,
) -> Header {
    h.manufacturer = manufacturer.to_string();
    h.model = model.to_string();
    h.software_version = software.to_string();
    h.device_serial = serial.to_string();
    h
}

/// The seed study: Hologic AP Spine + Left Hip with FRAX and TBS.
pub fn seed_study() -> DxaStudy {
    let mut h = patient(
        "sample/hologic/seed",
        "DOE^JANE",
        "HOL000123",
        "F",
        Some("19580312"),
        "066Y",
        "20240415",
        "093000",
    );
    h = equipment(h, "HOLOGIC", "Horizon A", "13.6.0.4", "300123");
    h.accession = "ACC240415001".to_string();
    h.height_m = Some("1.62".to_string());
    h.weight_kg = Some("61.5".to_string());
    h.study_description = Some("DXA Bone Density".to_string());
    h.series_description = Some("DXA Report".to_string());
    h.station_name = Some("HZN-A-01".to_string());
    DxaStudy::new(h)
        .reference_db("NHANES III / Hologic")
        .group(
            Group::new("AP Spine")
                .row(full(
                    "L1", "0.851", "11.95", "14.04", "-1.4", "-0.2", "84", "98",
                ))
                .row(full(
                    "L2", "0.925", "13.89", "15.02", "-1.2", "0.0", "87", "100",
                ))
                .row(full(
                    "L3", "0.963", "15.53", "16.13", "-1.0", "0.2", "89", "102",
                ))
                .row(full(
                    "L4", "0.958", "15.75", "16.44", "-1.1", "0.1", "88", "101",
                ))
                .row(full(
                    "Total", "0.930", "57.32", "61.63", "-1.1", "0.1", "88", "101",
                )),
        )
        .group(
            Group::new("Left Hip")
                .row(full(
                    "Neck", "0.585", "2.86", "4.89", "-2.4", "-0.9", "68", "87",
                ))
                .row(full(
                    "Troch", "0.512", "6.10", "11.91", "-2.7", "-1.3", "63", "82",
                ))
                .row(full(
                    "Inter", "0.894", "15.40", "17.23", "-1.8", "-0.6", "76", "91",
                ))
                .row(full(
                    "Total", "0.708", "24.10", "34.04", "-1.9", "-0.5", "75", "92",
                ))
                .row(full(
                    "Ward's", "0.402", "0.41", "1.02", "-3.1", "-1.0", "55", "84",
                )),
        )
        .frax("18", "2.9")
        .tbs("1.287")
}

/// A study like `base` on another date (and device): new UIDs from `name`, each row's BMD,
/// T-score and Z-score replaced where `values` names the (group, row) label pair.
fn follow_up_of(
    base: DxaStudy,
    name: &str,
    (date, age): (&str, &str),
    serial: &str,
    model: &str,
    values: &[(&str, &str, &str, &str, &str)],
) -> DxaStudy {
    let old = base.header.clone();
    let mut h = patient(
        name,
        &old.patient_name,
        &old.patient_id,
        old.sex.as_deref().unwrap_or(""),
        old.birth_date.as_deref(),
        age,
        date,
        "100000",
    );
    h = equipment(h, &old.manufacturer, model, &old.software_version, serial);
    h.institution = old.institution.clone();
    let mut study = DxaStudy { header: h, ..base };
    for group in &mut study.groups {
        for row in &mut group.rows {
            if let Some((_, _, bmd, t, z)) = values
                .iter()
                .find(|(g, r, ..)| *g == group.label && *r == row.label)
            {
                row.bmd = Some(bmd.to_string());
                row.t = Some(t.to_string());
                row.z = Some(z.to_string());
            }
        }
    }
    study.frax_major = None;
    study.frax_hip = None;
    study.tbs = None;
    study
}

/// The seed patient four years earlier, same scanner: 2024 against 2020 is a significant
/// loss at the femoral neck (0.632 -> 0.585, -7.4 % >= 6.9 %) and total hip (0.752 -> 0.708,
/// -5.9 % >= 5.0 %), stable at the spine (0.955 -> 0.930, -2.6 %).
pub fn seed_prior_study() -> DxaStudy {
    follow_up_of(
        seed_study(),
        "sample/hologic/seed-2020",
        ("20200420", "062Y"),
        "300123",
        "Horizon A",
        &[
            ("AP Spine", "Total", "0.955", "-0.9", "0.0"),
            ("Left Hip", "Neck", "0.632", "-2.0", "-0.7"),
            ("Left Hip", "Total", "0.752", "-1.6", "-0.4"),
        ],
    )
}

/// The seed patient in 2022 on another scanner (serial 300999): not comparable with 2020 or
/// 2024 on BMD; the sBMD change is shown for information.
pub fn seed_other_device_study() -> DxaStudy {
    follow_up_of(
        seed_study(),
        "sample/hologic/seed-2022",
        ("20220419", "064Y"),
        "300999",
        "Horizon W",
        &[
            ("AP Spine", "Total", "0.941", "-1.0", "0.0"),
            ("Left Hip", "Neck", "0.611", "-2.2", "-0.8"),
            ("Left Hip", "Total", "0.733", "-1.7", "-0.5"),
        ],
    )
}

/// The Lunar dual-femur patient three years earlier on the same iDXA: 2024 against 2021 is
/// a significant loss at the left total hip (930 -> 873 mg/cm², -6.1 % >= 5.0 %), stable at
/// the mean total hip (899 -> 877, -2.4 %), a gain within the LSC at the spine.
pub fn lunar_prior_study() -> DxaStudy {
    follow_up_of(
        lunar_dual_femur_study(),
        "sample/lunar/dual-femur-2021",
        ("20210118", "064Y"),
        "200512",
        "Lunar iDXA",
        &[
            ("AP Spine L1-L4", "L1-L4", "1051", "-1.0", "0.0"),
            ("DualFemur Left", "Neck", "838", "-1.4", "0.0"),
            ("DualFemur Left", "Total", "930", "-0.6", "0.4"),
            ("DualFemur Right", "Neck", "810", "-1.6", "-0.2"),
            ("DualFemur Right", "Total", "869", "-1.1", "0.1"),
            ("DualFemur Mean", "Neck", "824", "-1.5", "-0.1"),
            ("DualFemur Mean", "Total", "899", "-0.8", "0.2"),
        ],
    )
}

/// Hologic dual femur + forearm, male born 1950 (implicit VR LE). Uses the
/// DS forms `" 0.930 "`, `"+0.921"`, `"5.66E-1"` and `"+0.3"`.
pub fn hologic_dual_femur_forearm_study() -> DxaStudy {
    let mut h = patient(
        "sample/hologic/dual-femur-forearm",
        "\u{c5}str\u{f6}m^Lars",
        "HOL000456",
        "M",
        Some("19500704"),
        "073Y",
        "20230911",
        "101500",
    );
    h = equipment(h, "HOLOGIC", "Discovery W", "13.4.2", "300456");
    DxaStudy::new(h)
        .reference_db("NHANES III / Hologic")
        .group(
            Group::new("Left Hip")
                .row(full(
                    "Neck", "0.742", "4.01", "5.40", "-1.3", "0.1", "83", "101",
                ))
                .row(full(
                    "Troch", "0.701", "9.05", "12.91", "-0.8", "0.0", "89", "100",
                ))
                .row(full(
                    "Inter", "1.101", "23.31", "21.17", "-0.7", "0.1", "91", "101",
                ))
                .row(full(
                    "Total", " 0.930 ", "36.37", "39.48", "-0.6", "0.2", "92", "102",
                ))
                .row(full(
                    "Ward's", "0.512", "0.55", "1.07", "-1.7", "0.4", "71", "106",
                )),
        )
        .group(
            Group::new("Right Hip")
                .row(full(
                    "Neck", "0.728", "3.95", "5.43", "-1.4", "0.0", "81", "100",
                ))
                .row(full(
                    "Troch", "0.688", "8.81", "12.80", "-0.9", "-0.1", "88", "99",
                ))
                .row(full(
                    "Inter", "1.094", "23.04", "21.06", "-0.7", "0.1", "90", "101",
                ))
                .row(full(
                    "Total", "+0.921", "35.98", "39.07", "-0.7", "0.1", "91", "101",
                ))
                .row(full(
                    "Ward's", "0.498", "0.53", "1.06", "-1.8", "0.3", "69", "104",
                )),
        )
        .group(
            Group::new("Left Forearm")
                .row(full(
                    "1/3", "0.701", "2.21", "3.15", "-1.0", "+0.3", "91", "104",
                ))
                .row(full(
                    "UD", "0.402", "1.39", "3.46", "-1.6", "-0.4", "83", "95",
                ))
                .row(full(
                    "MID", "0.598", "3.91", "6.54", "-1.3", "0.0", "87", "100",
                ))
                .row(full(
                    "Total", "5.66E-1", "7.51", "13.15", "-1.4", "-0.1", "86", "99",
                )),
        )
}

/// Hologic total body of a 15-year-old girl (explicit VR big endian):
/// Z-scores and age-matched % only, no T-scores.
pub fn hologic_total_body_study() -> DxaStudy {
    let mut h = patient(
        "sample/hologic/total-body",
        "MILLER^EMMA",
        "HOL000789",
        "F",
        Some("20090220"),
        "015Y",
        "20240610",
        "141000",
    );
    h = equipment(h, "HOLOGIC", "Horizon W", "13.6.0.4", "300789");
    h.height_m = Some("1.64".to_string());
    h.weight_kg = Some("52".to_string());
    let row = |l: &str, bmd: &str, bmc: &str, area: &str, z: &str, am: &str| {
        Row::new(l).bmd(bmd).bmc(bmc).area(area).z(z).pct_am(am)
    };
    DxaStudy::new(h)
        .reference_db("NHANES 2005-2008 / Pediatric")
        .group(
            Group::new("Whole Body")
                .row(row("Total", "1.012", "1803.40", "1782.01", "0.3", "103"))
                .row(row("Subtotal", "0.874", "1352.10", "1547.02", "0.1", "101")),
        )
}

/// Lunar iDXA spine + dual femur, BMD in mg/cm2, age but no birth date
/// (deflated explicit VR LE).
pub fn lunar_dual_femur_study() -> DxaStudy {
    let mut h = patient(
        "sample/lunar/dual-femur",
        "KOWALSKI^ANNA",
        "LUN004412",
        "F",
        None,
        "067Y",
        "20240122",
        "083000",
    );
    h = equipment(h, "GE Healthcare", "Lunar iDXA", "enCORE 18", "200512");
    let femur = |side: &str, v: [&[&str]; 6]| {
        let mut g = Group::new(&format!("DualFemur {side}"));
        for (label, vals) in ["Neck", "Upper Neck", "Wards", "Troch", "Shaft", "Total"]
            .iter()
            .zip(v)
        {
            let mut r = Row::new(label).bmd(vals[0]);
            if vals.len() > 2 {
                r = r.bmc(vals[1]).area(vals[2]);
            }
            if vals.len() > 3 {
                r = r.t(vals[3]).z(vals[4]).pct_ya(vals[5]).pct_am(vals[6]);
            }
            g = g.row(r);
        }
        g
    };
    DxaStudy::new(h)
        .bmd_unit(BmdUnit::MilligramsPerCm2)
        .reference_db("USA (combined NHANES/Lunar)")
        .group(
            Group::new("AP Spine L1-L4")
                .row(full(
                    "L1", "1012", "14.17", "14.00", "-1.4", "-0.3", "86", "97",
                ))
                .row(full(
                    "L2", "1065", "16.08", "15.10", "-1.0", "0.1", "90", "101",
                ))
                .row(full(
                    "L3", "1103", "17.54", "15.90", "-0.6", "0.5", "93", "106",
                ))
                .row(full(
                    "L4", "1087", "18.70", "17.20", "-0.8", "0.4", "92", "104",
                ))
                .row(full(
                    "L1-L4", "1069", "66.49", "62.20", "-0.9", "0.2", "91", "103",
                )),
        )
        .group(femur(
            "Left",
            [
                &["812", "4.12", "5.07", "-1.6", "-0.2", "79", "97"],
                &["702", "1.69", "2.41"],
                &["654", "0.75", "1.14", "-1.8", "-0.1", "70", "99"],
                &["701", "8.97", "12.80", "-1.0", "0.0", "87", "100"],
                &["1043", "17.21", "16.50"],
                &["873", "30.03", "34.40", "-1.1", "0.0", "87", "100"],
            ],
        ))
        .group(femur(
            "Right",
            [
                &["798", "4.09", "5.12", "-1.7", "-0.3", "78", "96"],
                &["688", "1.64", "2.39"],
                &["640", "0.72", "1.12", "-1.9", "-0.2", "68", "97"],
                &["715", "9.01", "12.60", "-0.9", "0.1", "89", "102"],
                &["1051", "17.66", "16.80"],
                &["881", "30.39", "34.50", "-1.0", "0.1", "88", "101"],
            ],
        ))
        .group(
            Group::new("DualFemur Mean")
                .row(
                    Row::new("Neck")
                        .bmd("805")
                        .t("-1.6")
                        .z("-0.3")
                        .pct_ya("79")
                        .pct_am("96"),
                )
                .row(Row::new("Upper Neck").bmd("695"))
                .row(
                    Row::new("Wards")
                        .bmd("647")
                        .t("-1.9")
                        .z("-0.2")
                        .pct_ya("69")
                        .pct_am("98"),
                )
                .row(
                    Row::new("Troch")
                        .bmd("708")
                        .t("-1.0")
                        .z("0.0")
                        .pct_ya("88")
                        .pct_am("101"),
                )
                .row(Row::new("Shaft").bmd("1047"))
                .row(
                    Row::new("Total")
                        .bmd("877")
                        .t("-1.0")
                        .z("0.0")
                        .pct_ya("87")
                        .pct_am("101"),
                ),
        )
        .frax("12", "1.8")
        .tbs("1.342")
}

/// Old Lunar forearm-only study: BMD/T/Z only, g/cm2 (written without preamble).
pub fn lunar_forearm_study() -> DxaStudy {
    let mut h = patient(
        "sample/lunar/forearm",
        "GARCIA^MARIA",
        "LUN000187",
        "F",
        Some("19440118"),
        "067Y",
        "20110322",
        "110500",
    );
    h = equipment(h, "LUNAR", "DPX-NT", "enCORE 9.30", "6712");
    DxaStudy::new(h)
        .reference_db("USA (combined NHANES/Lunar)")
        .group(
            Group::new("Left Forearm")
                .row(btz("Radius 33%", "0.681", "-1.8", "-0.4"))
                .row(btz("Radius UD", "0.352", "-2.1", "-0.8"))
                .row(btz("Radius Total", "0.512", "-2.0", "-0.6"))
                .row(btz("Ulna 33%", "0.642", "-1.5", "-0.2"))
                .row(btz("Both 33%", "0.668", "-1.7", "-0.3")),
        )
}

/// LOINC-coded gateway study (Comprehensive SR).
pub fn gateway_study() -> DxaStudy {
    let mut h = patient(
        "sample/gateway/loinc",
        "BROWN^LINDA",
        "ACME000042",
        "F",
        Some("19520905"),
        "071Y",
        "20240805",
        "130000",
    );
    h = equipment(h, "Acme Gateway", "DXA Bridge", "2.1.0", "GW-0042");
    h.sop_class_uid = COMPREHENSIVE_SR.to_string();
    h.institution = "Example Hospital Radiology".to_string();
    DxaStudy::new(h)
        .reference_db("NHANES III")
        .group(Group::new("Lumbar Spine").row(btz("L1-L4", "0.876", "-1.9", "-0.8")))
        .group(
            Group::new("Left Hip")
                .lat(Lat::Left)
                .row(btz("Femoral Neck", "0.642", "-2.6", "-1.1"))
                .row(btz("Total Hip", "0.721", "-2.2", "-0.9")),
        )
        .group(Group::new("Forearm").row(btz("Radius 33%", "0.612", "-2.8", "-1.2")))
}

/// Flat-style study from an unknown vendor (Norland).
pub fn norland_study() -> DxaStudy {
    let mut h = patient(
        "sample/other/norland",
        "TAYLOR^SUSAN",
        "NOR000311",
        "F",
        Some("19610417"),
        "061Y",
        "20230214",
        "154500",
    );
    h = equipment(h, "Norland", "XR-800", "illuminatus DXA 4.2", "N8-2210");
    DxaStudy::new(h)
        .group(Group::new("Lumbar Spine").row(btz("L2-L4", "1.021", "-0.9", "0.0")))
        .group(
            Group::new("Right Hip")
                .row(btz("Femoral Neck", "0.803", "-1.3", "-0.4"))
                .row(btz("Total Hip", "0.889", "-0.9", "-0.2")),
        )
}

/// What to write: (relative path, bytes, manifest entry without path).
struct Planned {
    path: &'static str,
    bytes: Vec<u8>,
    kind: &'static str,
    enc: Option<Encoding>,
    notes: &'static str,
}

fn sr(
    path: &'static str,
    doc: SrDoc,
    kind: &'static str,
    enc: Encoding,
    notes: &'static str,
) -> Planned {
    Planned {
        path,
        bytes: sr_bytes(&doc, enc),
        kind,
        enc: Some(enc),
        notes,
    }
}

fn other(
    path: &'static str,
    bytes: Vec<u8>,
    kind: &'static str,
    enc: Option<Encoding>,
    notes: &'static str,
) -> Planned {
    Planned {
        path,
        bytes,
        kind,
        enc,
        notes,
    }
}

/// A report image of the sample.
fn image(
    path: &'static str,
    header: Header,
    (body_part, laterality): (&str, &str),
    document: Option<&ResultsDocument>,
    enc: Encoding,
    notes: &'static str,
) -> Planned {
    Planned {
        path,
        bytes: report_image(&header, body_part, laterality, document, (32, 24), enc),
        kind: "hologic report image",
        enc: Some(enc),
        notes,
    }
}

/// A GE "DXA Report" SR of the sample.
fn ge_sr(path: &'static str, report: &GeReport, enc: Encoding, notes: &'static str) -> Planned {
    Planned {
        path,
        bytes: ge_report_bytes(report, enc),
        kind: "ge dxa report",
        enc: Some(enc),
        notes,
    }
}

/// Every file of the sample tree, in manifest order.
fn plan() -> Vec<Planned> {
    let le = Encoding::new(Ts::ExplicitLe, true);
    let deflated = Encoding::new(Ts::DeflatedExplicitLe, true);
    let gateway = {
        let mut p = sr(
            "gateway/ACME000042/DXA_SR.dcm",
            loinc_style(&gateway_study()),
            "loinc",
            le,
            "LOINC-coded gateway, Comprehensive SR, laterality CODE on the hip, \
             sequences/items with defined (explicit) lengths",
        );
        p.bytes = with_explicit_lengths(&p.bytes).expect("re-encoding our own explicit VR LE SR");
        p
    };
    let [spine_2020, hip_2020] = evidence::hologic_followup_documents(
        "April 20, 2020",
        "Horizon A (S/N300123)",
        ("0.955", "-0.9"),
        ("0.632", "-2.0"),
        ("0.752", "-1.6"),
    );
    let [spine_2022, hip_2022] = evidence::hologic_followup_documents(
        "April 19, 2022",
        "Horizon W (S/N300999)",
        ("0.941", "-1.0"),
        ("0.611", "-2.2"),
        ("0.733", "-1.7"),
    );
    let doe = |name: &str, date: &str, age: &str, model: &str| {
        evidence::doe_header_on(name, date, age, model, "")
    };
    vec![
        other(
            "DICOMDIR",
            junk::dicomdir(),
            "junk: DICOMDIR",
            Some(le),
            "media storage directory at the export root (skip)",
        ),
        other(
            "readme.txt",
            junk::text(),
            "junk: text",
            None,
            "plain text (skip)",
        ),
        image(
            "hologic/2024/HOL000123_DOE_JANE/RPT_SPINE.dcm",
            evidence::doe_header("sample/hologic-2024/spine"),
            ("LSPINE", ""),
            Some(&evidence::hologic_spine_document()),
            le,
            "seed visit, one of two report images: AP spine L1-L4 + Total, history table \
             (2022, 2020), serial only in Model (S/N300123)",
        ),
        image(
            "hologic/2024/HOL000123_DOE_JANE/RPT_LHIP.dcm",
            evidence::doe_header("sample/hologic-2024/left-hip"),
            ("HIP", "L"),
            Some(&evidence::hologic_left_hip_document()),
            le,
            "seed visit, second report image: left hip Neck + Total, FRAX with and without \
             prior fracture",
        ),
        image(
            "hologic/2020/HOL000123_DOE_JANE/RPT_SPINE.dcm",
            doe("sample/hologic-2020/spine", "20200420", "062Y", "Horizon A"),
            ("LSPINE", ""),
            Some(&spine_2020),
            le,
            "the seed patient in 2020, same scanner: follow-up baseline (spine)",
        ),
        image(
            "hologic/2020/HOL000123_DOE_JANE/RPT_LHIP.dcm",
            doe(
                "sample/hologic-2020/left-hip",
                "20200420",
                "062Y",
                "Horizon A",
            ),
            ("HIP", "L"),
            Some(&hip_2020),
            le,
            "the seed patient in 2020: follow-up baseline (left hip)",
        ),
        image(
            "hologic/2022/HOL000123_DOE_JANE/RPT_SPINE.dcm",
            doe("sample/hologic-2022/spine", "20220419", "064Y", "Horizon W"),
            ("LSPINE", ""),
            Some(&spine_2022),
            le,
            "the seed patient in 2022 on another scanner (S/N300999): not comparable",
        ),
        image(
            "hologic/2022/HOL000123_DOE_JANE/RPT_LHIP.dcm",
            doe(
                "sample/hologic-2022/left-hip",
                "20220419",
                "064Y",
                "Horizon W",
            ),
            ("HIP", "L"),
            Some(&hip_2022),
            le,
            "the seed patient in 2022 on another scanner (left hip)",
        ),
        other(
            "hologic/2024/HOL000123_DOE_JANE/SC000001.dcm",
            junk::secondary_capture(),
            "junk: secondary capture",
            Some(le),
            "SC report page from HOLOGIC without a results document (skip, says so)",
        ),
        other(
            "hologic/2024/HOL000123_DOE_JANE/RAW00001.dcm",
            junk::hologic_raw_scan(),
            "junk: Hologic raw scan",
            Some(le),
            "SC SOP class with private (0019,xx00) HOLOGIC blob, not a results document (skip)",
        ),
        image(
            "hologic/2023/HOL000456_ASTROM_LARS/RPT_DUALHIP.dcm",
            evidence::astrom_header("sample/hologic-2023/dual-hip"),
            ("HIP", ""),
            Some(&evidence::hologic_dual_hip_document()),
            Encoding::new(Ts::ImplicitLe, true),
            "dual hip, male, Latin-1 name (\u{c5}str\u{f6}m): Neck and Total with Left, Right, \
             Mean, |Diff.| sub-rows (133-136)",
        ),
        image(
            "hologic/2023/HOL000456_ASTROM_LARS/RPT_FOREARM.dcm",
            evidence::astrom_header("sample/hologic-2023/forearm"),
            ("ARM", "R"),
            Some(&evidence::hologic_forearm_document()),
            le,
            "right forearm (ScanMode \"a R.Forearm\"): 1/3, MID, UD, Total",
        ),
        image(
            "hologic/2024/HOL000555_NILSSON_KARIN/RPT_LHIP.dcm",
            evidence::nilsson_header("sample/hologic-2024/nilsson"),
            ("HIP", "L"),
            Some(&evidence::hologic_menopause_document()),
            le,
            "a 47-year-old woman, MenopauseAge 44; FRAX not reported (the reason); model and \
             serial only in Model \"Horizon Ci (S/N301234M)\"",
        ),
        sr(
            "hologic/2024/HOL000789_MILLER_EMMA/SR000001.dcm",
            hologic_style(&hologic_total_body_study()),
            "generic (modelled) SR",
            Encoding::new(Ts::ExplicitBe, true),
            "old invented shape kept as a generic example: total body, pediatric (15 y), \
             Z and AM % only, explicit VR big endian",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_SPINE_FEMUR.dcm",
            &evidence::ge_spine_femur_report(),
            deflated,
            "GE visit, SR 1 of 5: AP Spine + DualFemur, TEXT scores (one \"-1,7\"), Mean, Diff., \
             Upper/Lower Neck, Trend containers, DXA_RESULTS XML copy",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_FOREARM.dcm",
            &evidence::ge_forearm_xml_only_report(),
            le,
            "GE visit, SR 2: forearm values only in the ImageComments XML",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_FRAX.dcm",
            &evidence::ge_frax_report(),
            le,
            "GE visit, SR 3: FRAX container, with and without prior fracture, WHO text",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_LVA.dcm",
            &evidence::ge_lva_report(),
            le,
            "GE visit, SR 4: LVA deformity grades per vertebra",
        ),
        ge_sr(
            "lunar/2024/LUN004412/SR_META.dcm",
            &evidence::ge_metadata_report(),
            le,
            "GE visit, SR 5: metadata only (no results tree): content none",
        ),
        ge_sr(
            "lunar/2021/LUN004412/SR_SPINE_FEMUR.dcm",
            &evidence::ge_prior_report(),
            deflated,
            "the Lunar patient in 2021 on the same scanner: follow-up baseline",
        ),
        other(
            "lunar/2024/LUN004412/thumb.jpg",
            junk::jpeg_thumbnail(),
            "junk: JPEG",
            None,
            "SOI..EOI JPEG bytes (skip)",
        ),
        ge_sr(
            "lunar/2011/LUN000187/Forearm_20110322.dcm",
            &evidence::ge_old_forearm_report(),
            Encoding::new(Ts::ExplicitLe, false),
            "old enCORE forearm, no preamble (file starts with DICM), older \
             DENSITOMETRY_RESULTS XML (last EXAM current, two earlier ones)",
        ),
        gateway,
        other(
            "gateway/ACME000042/REPORT_PDF.dcm",
            junk::encapsulated_pdf(),
            "junk: encapsulated PDF",
            Some(le),
            "Encapsulated PDF Storage (skip)",
        ),
        other(
            "gateway/ACME000042/report.pdf",
            junk::pdf(),
            "junk: PDF",
            None,
            "plain PDF file (skip)",
        ),
        sr(
            "other/NOR000311/results.dcm",
            flat_style(&norland_study()),
            "flat",
            Encoding::new(Ts::ImplicitLe, true),
            "unknown vendor: all NUMs under the root, region words in CodeMeaning",
        ),
        other(
            "other/NOR000311/empty.dcm",
            Vec::new(),
            "junk: empty file",
            None,
            "zero bytes (unreadable)",
        ),
        other(
            "ct/2024/CT000001/IM000001.dcm",
            junk::ct_image(),
            "junk: CT image",
            Some(le),
            "CT Image Storage 8x8 (skip)",
        ),
        sr(
            "radiology/2024/RIS004711/SR_TEXT.dcm",
            junk::basic_text_sr_doc(),
            "junk: Basic Text SR",
            le,
            "an SR that is not DXA: TEXT items only (skip / not DXA)",
        ),
    ]
}

/// Delete `dir` (if it is a previous sample tree) and write the sample tree.
///
/// Refuses to delete a non-empty directory without a `DICOMDIR` at its root,
/// to avoid wiping an unrelated folder by a typo.
pub fn write_sample(dir: &Path) -> io::Result<Vec<SampleFile>> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)?.next().is_some();
        if non_empty && !dir.join("DICOMDIR").is_file() {
            return Err(io::Error::other(format!(
                "{} is not empty and has no DICOMDIR; refusing to delete it",
                dir.display()
            )));
        }
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut manifest = Vec::new();
    for p in plan() {
        write_file(&dir.join(p.path), &p.bytes)?;
        manifest.push(SampleFile {
            path: p.path.to_string(),
            kind: p.kind.to_string(),
            ts: p.enc.map(|e| e.ts),
            preamble: p.enc.map(|e| e.preamble),
            notes: p.notes.to_string(),
        });
    }
    Ok(manifest)
}

/// The manifest as a Markdown table (used for `fixtures/README.md`).
pub fn manifest_markdown(files: &[SampleFile]) -> String {
    let mut out = String::from(
        "| Path | Style / kind | Transfer syntax | Preamble | Exercises |\n|---|---|---|---|---|\n",
    );
    for f in files {
        let ts = f.ts.map_or("-", Ts::short_name);
        let pre = match f.preamble {
            Some(true) => "yes",
            Some(false) => "no",
            None => "-",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            f.path, f.kind, ts, pre, f.notes
        ));
    }
    out
}
