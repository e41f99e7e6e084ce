//! Vendor-neutral DXA study description and the four SR "styles"
//! (Hologic-like, GE Lunar-like, LOINC-coded gateway, flat third party).
//!
//! The code shapes are documented on each style function; the reader's data
//! profiles are written against exactly these shapes.

use crate::tree::{CONTAINS, CodeDef, HAS_CONCEPT_MOD, HAS_OBS_CONTEXT, Item, SrDoc, code};

pub use crate::study::{BmdUnit, DxaStudy, Group, Lat, Measure, Row, units};

/// Unit of a measure.
fn unit_of(m: Measure, bmd_unit: BmdUnit) -> CodeDef {
    match m {
        Measure::Bmd => units::bmd(bmd_unit),
        Measure::Bmc => units::grams(),
        Measure::Area => units::cm2(),
        Measure::T => units::t_score(),
        Measure::Z => units::z_score(),
        Measure::PctYa | Measure::PctAm => units::percent(),
    }
}

/// NUM items (CONTAINS) for every present measure of `row`, named by `name`.
fn row_nums(row: &Row, unit: BmdUnit, name: impl Fn(Measure) -> Option<CodeDef>) -> Vec<Item> {
    Measure::ALL
        .iter()
        .filter_map(|&m| {
            let value = row.get(m)?;
            let concept = name(m)?;
            Some(Item::num(CONTAINS, concept, value, unit_of(m, unit)))
        })
        .collect()
}

const HOLOGIC: &str = "99HOLOGIC";
const GEMS: &str = "99GEMS";
const GATEWAY: &str = "99GW";
const OTHER: &str = "99OTH";

/// Hologic-style document (private scheme `99HOLOGIC`).
///
/// ```text
/// CONTAINER (99HOLOGIC,DXA-RPT,"Bone Densitometry Report")
///   TEXT   HAS OBS CONTEXT (99HOLOGIC,REFDB,"Reference Database")      [reference_db]
///   CONTAINER (99HOLOGIC,SCAN,<group label>)                            [per group]
///     CONTAINER (99HOLOGIC,ROW,<row label>)                             [per row]
///       NUM (99HOLOGIC,BMD,"BMD") | (BMC,"BMC") | (AREA,"Area") | (TSCORE,"T-Score")
///           | (ZSCORE,"Z-Score") | (PR,"PR (%)") | (AM,"AM (%)")
///   CONTAINER (99HOLOGIC,FRAX,"FRAX 10-year Fracture Probability")      [frax]
///     NUM (99HOLOGIC,FRAX-MOF,"Major Osteoporotic Fracture") | (FRAX-HIP,"Hip Fracture")
///   CONTAINER (99HOLOGIC,TBS-GRP,"TBS")                                  [tbs]
///     NUM (99HOLOGIC,TBS,"TBS") unit 1
/// ```
pub fn hologic_style(s: &DxaStudy) -> SrDoc {
    let mut children = Vec::new();
    if let Some(db) = &s.reference_db {
        children.push(Item::text(
            HAS_OBS_CONTEXT,
            code("REFDB", HOLOGIC, "Reference Database"),
            db,
        ));
    }
    for g in &s.groups {
        let rows = g
            .rows
            .iter()
            .map(|r| {
                let nums = row_nums(r, s.bmd_unit, |m| {
                    let (v, meaning) = match m {
                        Measure::Bmd => ("BMD", "BMD"),
                        Measure::Bmc => ("BMC", "BMC"),
                        Measure::Area => ("AREA", "Area"),
                        Measure::T => ("TSCORE", "T-Score"),
                        Measure::Z => ("ZSCORE", "Z-Score"),
                        Measure::PctYa => ("PR", "PR (%)"),
                        Measure::PctAm => ("AM", "AM (%)"),
                    };
                    Some(code(v, HOLOGIC, meaning))
                });
                Item::container(CONTAINS, code("ROW", HOLOGIC, &r.label), nums)
            })
            .collect();
        children.push(Item::container(
            CONTAINS,
            code("SCAN", HOLOGIC, &g.label),
            rows,
        ));
    }
    let frax = frax_nums(
        s,
        code("FRAX-MOF", HOLOGIC, "Major Osteoporotic Fracture"),
        code("FRAX-HIP", HOLOGIC, "Hip Fracture"),
    );
    if !frax.is_empty() {
        children.push(Item::container(
            CONTAINS,
            code("FRAX", HOLOGIC, "FRAX 10-year Fracture Probability"),
            frax,
        ));
    }
    if let Some(tbs) = &s.tbs {
        children.push(Item::container(
            CONTAINS,
            code("TBS-GRP", HOLOGIC, "TBS"),
            vec![Item::num(
                CONTAINS,
                code("TBS", HOLOGIC, "TBS"),
                tbs,
                units::unitless(),
            )],
        ));
    }
    SrDoc {
        header: s.header.clone(),
        root: Item::container(
            CONTAINS,
            code("DXA-RPT", HOLOGIC, "Bone Densitometry Report"),
            children,
        ),
    }
}

/// FRAX NUMs (major, hip) that are present.
fn frax_nums(s: &DxaStudy, major: CodeDef, hip: CodeDef) -> Vec<Item> {
    [(major, &s.frax_major), (hip, &s.frax_hip)]
        .into_iter()
        .filter_map(|(c, v)| {
            v.as_deref()
                .map(|v| Item::num(CONTAINS, c, v, units::percent()))
        })
        .collect()
}

/// The Lunar Finding Site code value of a row label: upper case, spaces → `_`,
/// at most 16 characters (SH limit).
pub fn ge_site_code(label: &str) -> String {
    label
        .to_uppercase()
        .replace(' ', "_")
        .chars()
        .take(16)
        .collect()
}

/// GE Lunar-style document (private scheme `99GEMS`).
///
/// ```text
/// CONTAINER (99GEMS,ENCORE-RPT,"Lunar enCORE DXA Report")
///   TEXT HAS OBS CONTEXT (99GEMS,REFPOP,"Reference Population")        [reference_db]
///   CONTAINER (99GEMS,SCAN,<group label>)                               [per group]
///     CONTAINER (DCM,125007,"Measurement Group")                        [per row]
///       CODE HAS CONCEPT MOD (SCT,363698007,"Finding Site") = (99GEMS,<LABEL_UPPER>,<row label>)
///       NUM (99GEMS,BMD,"BMD") | (BMC,"BMC") | (AREA,"Area") | (YA-T,"Young-Adult T-Score")
///           | (AM-Z,"Age-Matched Z-Score") | (YA-PCT,"Young-Adult %") | (AM-PCT,"Age-Matched %")
///   CONTAINER (99GEMS,FRAX,"FRAX")                                       [frax]
///     NUM (99GEMS,MOF,"Major Osteoporotic Fracture") | (99GEMS,HIPFX,"Hip Fracture")
///   NUM (99GEMS,TBS,"Trabecular Bone Score") unit 1                      [tbs]
/// ```
pub fn ge_style(s: &DxaStudy) -> SrDoc {
    let mut children = Vec::new();
    if let Some(db) = &s.reference_db {
        children.push(Item::text(
            HAS_OBS_CONTEXT,
            code("REFPOP", GEMS, "Reference Population"),
            db,
        ));
    }
    for g in &s.groups {
        let rows = g
            .rows
            .iter()
            .map(|r| {
                let mut items = vec![Item::code(
                    HAS_CONCEPT_MOD,
                    code("363698007", "SCT", "Finding Site"),
                    code(&ge_site_code(&r.label), GEMS, &r.label),
                )];
                items.extend(row_nums(r, s.bmd_unit, |m| {
                    let (v, meaning) = match m {
                        Measure::Bmd => ("BMD", "BMD"),
                        Measure::Bmc => ("BMC", "BMC"),
                        Measure::Area => ("AREA", "Area"),
                        Measure::T => ("YA-T", "Young-Adult T-Score"),
                        Measure::Z => ("AM-Z", "Age-Matched Z-Score"),
                        Measure::PctYa => ("YA-PCT", "Young-Adult %"),
                        Measure::PctAm => ("AM-PCT", "Age-Matched %"),
                    };
                    Some(code(v, GEMS, meaning))
                }));
                Item::container(CONTAINS, code("125007", "DCM", "Measurement Group"), items)
            })
            .collect();
        children.push(Item::container(
            CONTAINS,
            code("SCAN", GEMS, &g.label),
            rows,
        ));
    }
    let frax = frax_nums(
        s,
        code("MOF", GEMS, "Major Osteoporotic Fracture"),
        code("HIPFX", GEMS, "Hip Fracture"),
    );
    if !frax.is_empty() {
        children.push(Item::container(CONTAINS, code("FRAX", GEMS, "FRAX"), frax));
    }
    if let Some(tbs) = &s.tbs {
        children.push(Item::num(
            CONTAINS,
            code("TBS", GEMS, "Trabecular Bone Score"),
            tbs,
            units::unitless(),
        ));
    }
    SrDoc {
        header: s.header.clone(),
        root: Item::container(
            CONTAINS,
            code("ENCORE-RPT", GEMS, "Lunar enCORE DXA Report"),
            children,
        ),
    }
}

/// LOINC (code, short name) triples for BMD, T-score and Z-score of a group,
/// chosen from the group label (case-insensitive substring: "spine", then
/// "hip", then "forearm"/"radius") and, for hips, the laterality.
/// `None` for any other label.
pub fn loinc_codes(label: &str, lat: Option<Lat>) -> Option<[CodeDef; 3]> {
    let l = label.to_lowercase();
    let triple = |b: (&str, &str), t: (&str, &str), z: (&str, &str)| {
        Some([
            code(b.0, "LN", b.1),
            code(t.0, "LN", t.1),
            code(z.0, "LN", z.1),
        ])
    };
    if l.contains("spine") {
        triple(
            ("24966-4", "L-spine BMD"),
            ("38267-1", "L-spine T-score"),
            ("85394-5", "L-spine Z-score"),
        )
    } else if l.contains("hip") {
        match lat {
            Some(Lat::Left) => triple(
                ("46278-8", "Hip-L BMD"),
                ("80946-7", "Hip-L T-score"),
                ("80938-4", "Hip-L Z-score"),
            ),
            Some(Lat::Right) => triple(
                ("46279-6", "Hip-R BMD"),
                ("80945-9", "Hip-R T-score"),
                ("80937-6", "Hip-R Z-score"),
            ),
            Some(Lat::Bilateral) | None => triple(
                ("38261-4", "Hip BMD"),
                ("38264-8", "Hip T-score"),
                ("80933-5", "Hip Z-score"),
            ),
        }
    } else if l.contains("forearm") || l.contains("radius") {
        triple(
            ("24890-6", "Radius+Ulna BMD"),
            ("38265-5", "Radius+Ulna T-score"),
            ("80932-7", "Radius+Ulna Z-score"),
        )
    } else {
        None
    }
}

/// LOINC-coded gateway document.
///
/// ```text
/// CONTAINER (LN,38269-7,"DXA Bone density study")
///   TEXT HAS OBS CONTEXT (99GW,REF,"Reference Database")                [reference_db]
///   CONTAINER (99GW,SITE,<group label>)                                  [per group]
///     CODE HAS CONCEPT MOD (SCT,272741003,"Laterality") = Left|Right|Bilateral  [if laterality]
///     CONTAINER (99GW,ROW,<row label>)                                   [per row]
///       NUM (LN,<see loinc_codes>,"<site> BMD" | "<site> T-score" | "<site> Z-score")
/// ```
/// Only BMD, T and Z are written. Groups whose label matches no LOINC site
/// fall back to (99GW,BMD,"BMD"), (99GW,T,"T-score"), (99GW,Z,"Z-score").
/// FRAX and TBS are not written in this style.
pub fn loinc_style(s: &DxaStudy) -> SrDoc {
    let mut children = Vec::new();
    if let Some(db) = &s.reference_db {
        children.push(Item::text(
            HAS_OBS_CONTEXT,
            code("REF", GATEWAY, "Reference Database"),
            db,
        ));
    }
    for g in &s.groups {
        let [bmd, t, z] = loinc_codes(&g.label, g.laterality).unwrap_or_else(|| {
            [
                code("BMD", GATEWAY, "BMD"),
                code("T", GATEWAY, "T-score"),
                code("Z", GATEWAY, "Z-score"),
            ]
        });
        let mut items = Vec::new();
        if let Some(lat) = g.laterality {
            let value = match lat {
                Lat::Left => code("7771000", "SCT", "Left"),
                Lat::Right => code("24028007", "SCT", "Right"),
                Lat::Bilateral => code("51440002", "SCT", "Bilateral"),
            };
            items.push(Item::code(
                HAS_CONCEPT_MOD,
                code("272741003", "SCT", "Laterality"),
                value,
            ));
        }
        for r in &g.rows {
            let nums = row_nums(r, s.bmd_unit, |m| match m {
                Measure::Bmd => Some(bmd.clone()),
                Measure::T => Some(t.clone()),
                Measure::Z => Some(z.clone()),
                _ => None,
            });
            items.push(Item::container(
                CONTAINS,
                code("ROW", GATEWAY, &r.label),
                nums,
            ));
        }
        children.push(Item::container(
            CONTAINS,
            code("SITE", GATEWAY, &g.label),
            items,
        ));
    }
    SrDoc {
        header: s.header.clone(),
        root: Item::container(
            CONTAINS,
            code("38269-7", "LN", "DXA Bone density study"),
            children,
        ),
    }
}

/// Flat third-party document: every value is a NUM directly under the root.
///
/// ```text
/// CONTAINER (99OTH,RPT,"Bone Density Results")
///   NUM (99OTH,N<k>,"<group label> <row label> BMD|T-Score|Z-Score")   k = 1, 2, ...
/// ```
/// Only BMD, T and Z are written; reference database, FRAX and TBS are not.
pub fn flat_style(s: &DxaStudy) -> SrDoc {
    let mut children = Vec::new();
    for g in &s.groups {
        for r in &g.rows {
            for (m, word) in [
                (Measure::Bmd, "BMD"),
                (Measure::T, "T-Score"),
                (Measure::Z, "Z-Score"),
            ] {
                if let Some(v) = r.get(m) {
                    let k = children.len() + 1;
                    children.push(Item::num(
                        CONTAINS,
                        code(
                            &format!("N{k}"),
                            OTHER,
                            &format!("{} {} {}", g.label, r.label, word),
                        ),
                        v,
                        unit_of(m, s.bmd_unit),
                    ));
                }
            }
        }
    }
    SrDoc {
        header: s.header.clone(),
        root: Item::container(
            CONTAINS,
            code("RPT", OTHER, "Bone Density Results"),
            children,
        ),
    }
}

#[cfg(test)]
mod tests;
