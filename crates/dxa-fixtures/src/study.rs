//! The vendor-neutral description of a DXA study (header, groups, rows and their measures)
//! that the four SR styles of `styles` render.

use crate::header::Header;

/// Laterality of a group (only written by [`loinc_style`](crate::styles::loinc_style)).
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
    /// Laterality (only written by [`loinc_style`](crate::styles::loinc_style)).
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
