//! Vendor-neutral DXA study description and the four SR "styles"
//! (Hologic-like, GE Lunar-like, LOINC-coded gateway, flat third party).
//!
//! The code shapes are documented on each style function; the reader's data
//! profiles are written against exactly these shapes.

use crate::header::Header;
use crate::tree::{CONTAINS, CodeDef, HAS_CONCEPT_MOD, HAS_OBS_CONTEXT, Item, SrDoc, code};

/// Laterality of a group (only written by [`loinc_style`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lat {
    /// SCT 7771000 "Left".
    Left,
    /// SCT 24028007 "Right".
    Right,
    /// SCT 51440002 "Bilateral".
    Bilateral,
}

/// Unit of BMD values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum BmdUnit {
    /// UCUM `g/cm2` (the usual unit).
    #[default]
    GramsPerCm2,
    /// UCUM `mg/cm2` (the caller passes the value already in mg, e.g. `"930"`).
    MilligramsPerCm2,
}

/// One measured region row, e.g. "L1" or "Neck". Values are DS text written
/// verbatim (so callers can pass `" 0.930 "`, `"+0.930"`, `"9.30E-1"`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Row label, e.g. `"L1"`, `"Total"`, `"Neck"`, `"Radius 33%"`.
    pub label: String,
    /// Bone mineral density (g/cm2 or mg/cm2, see [`BmdUnit`]).
    pub bmd: Option<String>,
    /// Bone mineral content (g).
    pub bmc: Option<String>,
    /// Area (cm2).
    pub area: Option<String>,
    /// T-score.
    pub t: Option<String>,
    /// Z-score.
    pub z: Option<String>,
    /// Percent of young adult reference (%).
    pub pct_ya: Option<String>,
    /// Percent of age-matched reference (%).
    pub pct_am: Option<String>,
}

impl Row {
    /// An empty row with a label; chain the value setters.
    pub fn new(label: &str) -> Self {
        Row {
            label: label.to_string(),
            ..Row::default()
        }
    }
    /// Set the BMD.
    pub fn bmd(mut self, v: &str) -> Self {
        self.bmd = Some(v.to_string());
        self
    }
    /// Set the BMC (g).
    pub fn bmc(mut self, v: &str) -> Self {
        self.bmc = Some(v.to_string());
        self
    }
    /// Set the area (cm2).
    pub fn area(mut self, v: &str) -> Self {
        self.area = Some(v.to_string());
        self
    }
    /// Set the T-score.
    pub fn t(mut self, v: &str) -> Self {
        self.t = Some(v.to_string());
        self
    }
    /// Set the Z-score.
    pub fn z(mut self, v: &str) -> Self {
        self.z = Some(v.to_string());
        self
    }
    /// Set the percent of young adult (Hologic "PR", Lunar "YA %").
    pub fn pct_ya(mut self, v: &str) -> Self {
        self.pct_ya = Some(v.to_string());
        self
    }
    /// Set the percent of age matched (Hologic "AM", Lunar "AM %").
    pub fn pct_am(mut self, v: &str) -> Self {
        self.pct_am = Some(v.to_string());
        self
    }
    /// The value of one measure, if present.
    pub fn get(&self, m: Measure) -> Option<&str> {
        match m {
            Measure::Bmd => self.bmd.as_deref(),
            Measure::Bmc => self.bmc.as_deref(),
            Measure::Area => self.area.as_deref(),
            Measure::T => self.t.as_deref(),
            Measure::Z => self.z.as_deref(),
            Measure::PctYa => self.pct_ya.as_deref(),
            Measure::PctAm => self.pct_am.as_deref(),
        }
    }
}

/// The measures a [`Row`] can carry, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Bone mineral density.
    Bmd,
    /// Bone mineral content.
    Bmc,
    /// Area.
    Area,
    /// T-score.
    T,
    /// Z-score.
    Z,
    /// Percent young adult.
    PctYa,
    /// Percent age matched.
    PctAm,
}

impl Measure {
    /// All measures in writing order.
    pub const ALL: [Measure; 7] = [
        Measure::Bmd,
        Measure::Bmc,
        Measure::Area,
        Measure::T,
        Measure::Z,
        Measure::PctYa,
        Measure::PctAm,
    ];
}

/// A scan / region group, e.g. "AP Spine" or "Left Hip".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// Group label, e.g. `"AP Spine"`, `"Left Hip"`, `"DualFemur Left"`.
    pub label: String,
    /// Laterality (only written by [`loinc_style`]).
    pub laterality: Option<Lat>,
    /// Rows, written in order.
    pub rows: Vec<Row>,
}

impl Group {
    /// A group without laterality and rows.
    pub fn new(label: &str) -> Self {
        Group {
            label: label.to_string(),
            ..Group::default()
        }
    }
    /// Set the laterality.
    pub fn lat(mut self, lat: Lat) -> Self {
        self.laterality = Some(lat);
        self
    }
    /// Append a row.
    pub fn row(mut self, row: Row) -> Self {
        self.rows.push(row);
        self
    }
}

/// A vendor-neutral DXA study, rendered by one of the style functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DxaStudy {
    /// Header of the generated document.
    pub header: Header,
    /// Region groups, written in order.
    pub groups: Vec<Group>,
    /// FRAX 10-year major osteoporotic fracture probability (%).
    pub frax_major: Option<String>,
    /// FRAX 10-year hip fracture probability (%).
    pub frax_hip: Option<String>,
    /// Trabecular bone score (unitless).
    pub tbs: Option<String>,
    /// Reference database / population description.
    pub reference_db: Option<String>,
    /// Unit of every BMD value.
    pub bmd_unit: BmdUnit,
}

impl DxaStudy {
    /// A study without groups or extras.
    pub fn new(header: Header) -> Self {
        DxaStudy {
            header,
            groups: Vec::new(),
            frax_major: None,
            frax_hip: None,
            tbs: None,
            reference_db: None,
            bmd_unit: BmdUnit::GramsPerCm2,
        }
    }
    /// Append a group.
    pub fn group(mut self, g: Group) -> Self {
        self.groups.push(g);
        self
    }
    /// Set both FRAX probabilities.
    pub fn frax(mut self, major: &str, hip: &str) -> Self {
        self.frax_major = Some(major.to_string());
        self.frax_hip = Some(hip.to_string());
        self
    }
    /// Set the TBS.
    pub fn tbs(mut self, tbs: &str) -> Self {
        self.tbs = Some(tbs.to_string());
        self
    }
    /// Set the reference database.
    pub fn reference_db(mut self, db: &str) -> Self {
        self.reference_db = Some(db.to_string());
        self
    }
    /// Set the BMD unit.
    pub fn bmd_unit(mut self, unit: BmdUnit) -> Self {
        self.bmd_unit = unit;
        self
    }
}

/// UCUM unit codes used by every style.
pub mod units {
    use super::BmdUnit;
    use crate::tree::{CodeDef, code};

    /// `g/cm2` or `mg/cm2`.
    pub fn bmd(unit: BmdUnit) -> CodeDef {
        match unit {
            BmdUnit::GramsPerCm2 => code("g/cm2", "UCUM", "g/cm2"),
            BmdUnit::MilligramsPerCm2 => code("mg/cm2", "UCUM", "mg/cm2"),
        }
    }
    /// `g`.
    pub fn grams() -> CodeDef {
        code("g", "UCUM", "g")
    }
    /// `cm2`.
    pub fn cm2() -> CodeDef {
        code("cm2", "UCUM", "cm2")
    }
    /// `{T-score}`.
    pub fn t_score() -> CodeDef {
        code("{T-score}", "UCUM", "T-score")
    }
    /// `{Z-score}`.
    pub fn z_score() -> CodeDef {
        code("{Z-score}", "UCUM", "Z-score")
    }
    /// `%`.
    pub fn percent() -> CodeDef {
        code("%", "UCUM", "%")
    }
    /// `1` (no units), used for TBS.
    pub fn unitless() -> CodeDef {
        code("1", "UCUM", "no units")
    }
}

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
mod tests {
    use super::*;

    fn study() -> DxaStudy {
        DxaStudy::new(Header::new("t"))
            .group(
                Group::new("Left Hip").lat(Lat::Left).row(
                    Row::new("Femoral Neck")
                        .bmd("0.585")
                        .t("-2.4")
                        .z("-0.9")
                        .bmc("2.86"),
                ),
            )
            .group(Group::new("Lumbar Spine").row(Row::new("L1-L4").bmd("0.930").t("-1.1")))
            .frax("18", "2.9")
            .tbs("1.287")
            .reference_db("NHANES")
    }

    #[test]
    fn hologic_shape() {
        let d = hologic_style(&study());
        let kids = d.root.children();
        assert_eq!(kids[0].concept().value, "REFDB");
        assert_eq!(kids[1].concept().meaning, "Left Hip");
        let row = &kids[1].children()[0];
        assert_eq!(row.concept().meaning, "Femoral Neck");
        assert_eq!(row.children().len(), 4);
        assert_eq!(kids[3].concept().value, "FRAX");
        assert_eq!(kids[4].concept().value, "TBS-GRP");
    }

    #[test]
    fn ge_row_has_finding_site_first() {
        let d = ge_style(&study());
        let row = &d.root.children()[1].children()[0];
        match &row.children()[0] {
            Item::Code { value, rel, .. } => {
                assert_eq!(*rel, HAS_CONCEPT_MOD);
                assert_eq!(value.value, "FEMORAL_NECK");
                assert_eq!(value.meaning, "Femoral Neck");
            }
            other => panic!("expected CODE, got {other:?}"),
        }
        assert_eq!(
            d.root.children().last().map(|i| i.concept().value.as_str()),
            Some("TBS")
        );
    }

    #[test]
    fn loinc_codes_by_site() {
        let d = loinc_style(&study());
        let hip = &d.root.children()[1];
        assert!(matches!(&hip.children()[0], Item::Code { value, .. } if value.value == "7771000"));
        let neck = &hip.children()[1];
        let names: Vec<_> = neck
            .children()
            .iter()
            .map(|i| i.concept().value.as_str())
            .collect();
        assert_eq!(names, ["46278-8", "80946-7", "80938-4"]);
        let spine = &d.root.children()[2].children()[0];
        assert_eq!(spine.children()[0].concept().meaning, "L-spine BMD");
    }

    #[test]
    fn flat_meanings_and_numbers() {
        let d = flat_style(&study());
        let meanings: Vec<_> = d
            .root
            .children()
            .iter()
            .map(|i| i.concept().meaning.clone())
            .collect();
        assert_eq!(
            meanings,
            [
                "Left Hip Femoral Neck BMD",
                "Left Hip Femoral Neck T-Score",
                "Left Hip Femoral Neck Z-Score",
                "Lumbar Spine L1-L4 BMD",
                "Lumbar Spine L1-L4 T-Score"
            ]
        );
        assert_eq!(d.root.children()[4].concept().value, "N5");
    }
}
