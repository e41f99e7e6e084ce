//! A GE Lunar enCORE export set (shared docs/bodycomp-evidence.md 2.1 and Appendix A;
//! synthesized: names, IDs and values invented): the Total Body Comp, Total Body (BMD) and
//! CoreScan files, tab-separated UTF-16LE with a BOM and CRLF, one header line with the
//! exact columns of the one public export set, units in the cells (`9.9 lbs`, `99.9%`,
//! `9.99 lbs`, `99.99 in³`, BMC and area `9,999`), empty cells empty.
//!
//! The same set is written in pounds and in grams (a metric site's cells, `4,491 g`,
//! `485.1 cm³`): every gram of the second is the first's pounds converted (1 lb =
//! 453.59237 g, whole grams; 1 in³ = 16.387064 cm³, tenths), so both read to the same grams.
//! Three patients: an adult woman (TBLH empty: an empty-cell row), a child (TBLH filled,
//! the total's T and Z empty: a TBLH row, and a date whose day and month are both 12 or
//! less) and an adult man whose VAT mass is `0.00 lbs` beside a volume (as 11 of the 84
//! real rows).

use crate::whole_body::fixed;

/// The measures of the body composition file, in header order.
pub const COMP_MEASURES: [&str; 8] = [
    "Bone Mass",
    "Fat Mass",
    "Lean Mass",
    "Tissue Mass",
    "Fat-Free Mass",
    "Total Mass",
    "Region %Fat",
    "Tissue %Fat",
];

/// The regions of the body composition file, in header order (Right before Left).
pub const COMP_REGIONS: [&str; 19] = [
    "Arms",
    "Arm Right",
    "Arm Left",
    "Arms Diff",
    "Legs",
    "Leg Right",
    "Leg Left",
    "Legs Diff",
    "Trunk",
    "Trunk Right",
    "Trunk Left",
    "Trunk Diff",
    "Android",
    "Gynoid",
    "Total",
    "Total Right",
    "Total Left",
    "Total Diff",
    "TBLH",
];

/// The measures of the BMD file.
pub const BMD_MEASURES: [&str; 7] = [
    "BMD",
    "BMC",
    "Area",
    "T-Score",
    "Z-Score",
    "Average Height",
    "Average Width",
];

/// The regions of the BMD file (Left before Right).
pub const BMD_REGIONS: [&str; 17] = [
    "Head",
    "Arms",
    "Legs",
    "Trunk",
    "Ribs",
    "Pelvis",
    "Spine",
    "Arm Left",
    "Leg Left",
    "Arm Right",
    "Leg Right",
    "Total",
    "TBLH",
    "Trunk Left",
    "Total Left",
    "Trunk Right",
    "Total Right",
];

const IDENTITY: [&str; 4] = ["Last Name", "First Name", "Patient ID", "Measure Date"];

/// The cells' units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// `9.9 lbs`, `99.99 in³` (the one public export set).
    Pounds,
    /// `4,491 g`, `485.1 cm³` (a metric site).
    Grams,
}

/// Bone, fat and lean of a region, tenths of a pound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Masses {
    /// Bone mineral.
    pub bone: i64,
    /// Fat.
    pub fat: i64,
    /// Lean without bone mineral.
    pub lean: i64,
}

const fn m(bone: i64, fat: i64, lean: i64) -> Masses {
    Masses { bone, fat, lean }
}

impl Masses {
    fn plus(self, o: Masses) -> Masses {
        m(self.bone + o.bone, self.fat + o.fat, self.lean + o.lean)
    }
}

/// One patient's exam.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// Last and first name (never to be read into a record).
    pub name: (&'static str, &'static str),
    /// Patient ID.
    pub id: &'static str,
    /// Measure Date, MM/DD/YYYY.
    pub date: &'static str,
    /// Arm, leg, trunk and head halves, (right, left).
    pub arm: (Masses, Masses),
    /// Legs.
    pub leg: (Masses, Masses),
    /// Trunk.
    pub trunk: (Masses, Masses),
    /// Head (GE's comp file shows it only inside the totals).
    pub head: (Masses, Masses),
    /// Android and gynoid.
    pub android_gynoid: (Masses, Masses),
    /// A child's analysis: TBLH filled, the total's T and Z empty.
    pub child: bool,
    /// BMC (g) and area (cm²) of head, arm L/R, leg L/R, ribs, pelvis, spine.
    pub bone: [(i64, i64); 8],
    /// VAT mass (hundredths of a pound) and volume (hundredths of in³).
    pub vat: Option<(i64, i64)>,
}

/// The three patients.
pub fn subjects() -> Vec<Subject> {
    let bone = [
        (420, 230),
        (150, 190),
        (160, 198),
        (420, 350),
        (430, 352),
        (190, 281),
        (246, 230),
        (172, 180),
    ];
    let scaled = bone.map(|(bmc, area)| (bmc * 6 / 10, area * 7 / 10));
    vec![
        Subject {
            name: ("DOE", "ANNE"),
            id: "ENC000101",
            date: "06/14/2024",
            arm: (m(4, 28, 52), m(4, 27, 50)),
            leg: (m(12, 75, 152), m(12, 74, 149)),
            trunk: (m(14, 120, 260), m(13, 118, 255)),
            head: (m(6, 5, 15), m(5, 5, 15)),
            android_gynoid: (m(1, 30, 42), m(3, 62, 88)),
            child: false,
            bone,
            vat: Some((101, 2960)),
        },
        Subject {
            name: ("ROE", "TIM"),
            id: "ENC000202",
            date: "03/05/2024",
            arm: (m(2, 9, 21), m(2, 9, 20)),
            leg: (m(7, 24, 70), m(7, 25, 68)),
            trunk: (m(8, 31, 112), m(8, 30, 110)),
            head: (m(5, 3, 10), m(5, 3, 10)),
            android_gynoid: (m(1, 7, 19), m(2, 17, 40)),
            child: true,
            bone: scaled,
            vat: None,
        },
        Subject {
            name: ("POE", "MAX"),
            id: "ENC000303",
            date: "11/21/2023",
            arm: (m(5, 20, 78), m(5, 19, 75)),
            leg: (m(14, 55, 210), m(14, 54, 205)),
            trunk: (m(16, 140, 330), m(15, 137, 325)),
            head: (m(6, 5, 18), m(6, 5, 18)),
            android_gynoid: (m(1, 35, 52), m(3, 48, 100)),
            child: false,
            bone,
            vat: Some((0, 3120)),
        },
    ]
}

/// `n` with thousands separators (`4,491`).
fn grouped(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Pounds (tenths or hundredths, `scale` 1 or 2) in whole grams, half away from zero.
pub fn grams(value: i64, scale: u32) -> i64 {
    // 453.59237 g per lb, in units of 10^-5 g.
    let micro = value * 45_359_237 / 10i64.pow(scale);
    let sign = micro.signum();
    (micro.abs() + 50_000) / 100_000 * sign
}

fn mass_cell(tenths: i64, units: Units) -> String {
    match units {
        Units::Pounds => format!("{} lbs", fixed(tenths, 1, 1)),
        Units::Grams => format!("{} g", grouped(grams(tenths, 1))),
    }
}

/// part / whole in tenths of a percent, half up.
fn pct(part: i64, whole: i64) -> i64 {
    (part * 2000 + whole) / (2 * whole)
}

fn comp_cells(s: &Subject, units: Units) -> Vec<String> {
    let whole = |pair: (Masses, Masses)| pair.0.plus(pair.1);
    let right = s.arm.0.plus(s.leg.0).plus(s.trunk.0).plus(s.head.0);
    let left = s.arm.1.plus(s.leg.1).plus(s.trunk.1).plus(s.head.1);
    let tblh = whole(s.arm).plus(whole(s.leg)).plus(whole(s.trunk));
    // (masses, Some((right, left)) for a Diff column, filled).
    let region = |name: &str| -> (Masses, Option<(Masses, Masses)>, bool) {
        let pair = |p: (Masses, Masses)| (p.0, Some(p), true);
        match name {
            "Arms" => (whole(s.arm), None, true),
            "Arm Right" => (s.arm.0, None, true),
            "Arm Left" => (s.arm.1, None, true),
            "Arms Diff" => pair(s.arm),
            "Legs" => (whole(s.leg), None, true),
            "Leg Right" => (s.leg.0, None, true),
            "Leg Left" => (s.leg.1, None, true),
            "Legs Diff" => pair(s.leg),
            "Trunk" => (whole(s.trunk), None, true),
            "Trunk Right" => (s.trunk.0, None, true),
            "Trunk Left" => (s.trunk.1, None, true),
            "Trunk Diff" => pair(s.trunk),
            "Android" => (s.android_gynoid.0, None, true),
            "Gynoid" => (s.android_gynoid.1, None, true),
            "Total" => (right.plus(left), None, true),
            "Total Right" => (right, None, true),
            "Total Left" => (left, None, true),
            "Total Diff" => pair((right, left)),
            "TBLH" => (tblh, None, s.child),
            other => unreachable!("no region {other}"),
        }
    };
    let measure = |name: &str, x: Masses| -> (i64, bool) {
        let tissue = x.fat + x.lean;
        let total = tissue + x.bone;
        match name {
            "Bone Mass" => (x.bone, false),
            "Fat Mass" => (x.fat, false),
            "Lean Mass" => (x.lean, false),
            "Tissue Mass" => (tissue, false),
            "Fat-Free Mass" => (x.lean + x.bone, false),
            "Total Mass" => (total, false),
            "Region %Fat" => (pct(x.fat, total), true),
            "Tissue %Fat" => (pct(x.fat, tissue), true),
            other => unreachable!("no measure {other}"),
        }
    };
    let mut cells = Vec::new();
    for name in COMP_MEASURES {
        for region_name in COMP_REGIONS {
            let (x, diff, filled) = region(region_name);
            let (value, percent) = match diff {
                Some((r, l)) => {
                    let (a, percent) = measure(name, r);
                    (a - measure(name, l).0, percent)
                }
                None => measure(name, x),
            };
            cells.push(match (filled, percent) {
                (false, _) => String::new(),
                (true, true) => format!("{}%", fixed(value, 1, 1)),
                (true, false) => mass_cell(value, units),
            });
        }
    }
    cells.extend(["", "", "", ""].map(String::from));
    cells
}

fn bmd_cells(s: &Subject) -> Vec<String> {
    let [head, arm_l, arm_r, leg_l, leg_r, ribs, pelvis, spine] = s.bone;
    let add = |a: (i64, i64), b: (i64, i64)| (a.0 + b.0, a.1 + b.1);
    let trunk = add(add(ribs, pelvis), spine);
    let trunk_l = (trunk.0 / 2, trunk.1 / 2);
    let trunk_r = (trunk.0 - trunk_l.0, trunk.1 - trunk_l.1);
    let total = add(add(add(add(add(head, arm_l), arm_r), leg_l), leg_r), trunk);
    let head_l = (head.0 / 2, head.1 / 2);
    let total_l = add(add(add(arm_l, leg_l), trunk_l), head_l);
    let total_r = (total.0 - total_l.0, total.1 - total_l.1);
    let tblh = (total.0 - head.0, total.1 - head.1);
    let value = |name: &str| -> Option<(i64, i64)> {
        Some(match name {
            "Head" => head,
            "Arms" => add(arm_l, arm_r),
            "Legs" => add(leg_l, leg_r),
            "Trunk" => trunk,
            "Ribs" => ribs,
            "Pelvis" => pelvis,
            "Spine" => spine,
            "Arm Left" => arm_l,
            "Leg Left" => leg_l,
            "Arm Right" => arm_r,
            "Leg Right" => leg_r,
            "Total" => total,
            "TBLH" if s.child => tblh,
            "Trunk Left" => trunk_l,
            "Total Left" => total_l,
            "Trunk Right" => trunk_r,
            "Total Right" => total_r,
            _ => return None,
        })
    };
    let mut cells = Vec::new();
    for name in BMD_MEASURES {
        for region in BMD_REGIONS {
            let cell = match (name, value(region)) {
                (_, None) => String::new(),
                ("BMD", Some((bmc, area))) => fixed(bmc * 1_000_000 / area, 6, 3),
                ("BMC", Some((bmc, _))) => grouped(bmc),
                ("Area", Some((_, area))) => grouped(area),
                ("T-Score", _) if region == "Total" && !s.child => "-0.6".into(),
                ("Z-Score", _) if region == "Total" && !s.child => "0.2".into(),
                ("Z-Score", _) if region == "TBLH" && s.child => "-1.1".into(),
                _ => String::new(),
            };
            cells.push(cell);
        }
    }
    cells
}

fn vat_cells(s: &Subject, units: Units) -> Option<Vec<String>> {
    let (mass, volume) = s.vat?;
    Some(match units {
        Units::Pounds => vec![
            format!("{} lbs", fixed(mass, 2, 2)),
            format!("{} in³", fixed(volume, 2, 2)),
        ],
        Units::Grams => {
            // 16.387064 cm³ per in³; hundredths of in³ to tenths of cm³.
            let tenths = (volume * 16_387_064 + 5_000_000) / 10_000_000;
            vec![
                format!("{} g", grouped(grams(mass, 2))),
                format!("{} cm³", fixed(tenths, 1, 1)),
            ]
        }
    })
}

/// The text as enCORE writes it: UTF-16LE, a BOM, CRLF after every line.
pub fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend(unit.to_le_bytes());
    }
    out
}

/// The text of a file `utf16le` wrote, read back (after its byte order mark, which it
/// must start with): what the fixtures' and the tests' checks read of an export.
pub fn utf16le_text(bytes: &[u8]) -> String {
    assert_eq!(
        bytes.get(..2),
        Some(&[0xFF, 0xFE][..]),
        "a UTF-16LE byte order mark"
    );
    let units: Vec<u16> = bytes[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).expect("UTF-16")
}

fn file(header: Vec<String>, rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut text = header.join("\t");
    text.push_str("\r\n");
    for row in rows {
        text.push_str(&row.join("\t"));
        text.push_str("\r\n");
    }
    utf16le(&text)
}

fn header(measures: &[&str], regions: &[&str], trailing: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = IDENTITY.iter().map(|s| s.to_string()).collect();
    for measure in measures {
        out.extend(regions.iter().map(|r| match r.is_empty() {
            true => measure.to_string(),
            false => format!("{r} {measure}"),
        }));
    }
    out.extend(trailing.iter().map(|s| s.to_string()));
    out
}

fn identity(s: &Subject) -> Vec<String> {
    [s.name.0, s.name.1, s.id, s.date]
        .iter()
        .map(|t| t.to_string())
        .collect()
}

/// The three files of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSet {
    /// `..._Total_Body_Comp.txt` (160 columns).
    pub comp: Vec<u8>,
    /// `..._Total_Body.txt` (123 columns).
    pub bmd: Vec<u8>,
    /// `..._Total_Body_CoreScan.txt` (6 columns).
    pub core_scan: Vec<u8>,
}

/// The export set of [`subjects`] in `units`.
pub fn export_set(units: Units) -> ExportSet {
    let people = subjects();
    let row = |s: &Subject, cells: Vec<String>| {
        let mut out = identity(s);
        out.extend(cells);
        out
    };
    let comp = people
        .iter()
        .map(|s| row(s, comp_cells(s, units)))
        .collect();
    let bmd = people.iter().map(|s| row(s, bmd_cells(s))).collect();
    let vat = people
        .iter()
        .filter_map(|s| Some(row(s, vat_cells(s, units)?)))
        .collect();
    ExportSet {
        comp: file(
            header(
                &COMP_MEASURES,
                &COMP_REGIONS,
                &["TBW", "ICW", "ECW", "TBW Device"],
            ),
            comp,
        ),
        bmd: file(header(&BMD_MEASURES, &BMD_REGIONS, &[]), bmd),
        core_scan: file(header(&["VAT Mass", "VAT Volume"], &[""], &[]), vat),
    }
}

#[cfg(test)]
mod tests;
