//! The modelled studies of the first fixture writer (printed-report shapes): the
//! generic, LOINC and flat examples of the sample, and in-memory SRs for tests. Their values
//! are public so tests can compare against them.

use crate::header::{COMPREHENSIVE_SR, Header};
use crate::styles::{BmdUnit, DxaStudy, Group, Lat, Row};

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
