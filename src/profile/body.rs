//! The body composition sections of a profile (docs/profiles.md, "Body composition"):
//! the columns, rows and indices of Hologic's whole-body tables and the `<Region> <Measure>`
//! headers of GE enCORE's exports, by label. Type codes (`TableColumnTypesN`,
//! `TableRowTypesN`) may be given beside the labels by a site that sees them: no public
//! source shows one for a whole-body table (docs/evidence.md), so the built-ins give none.
//!
//! Labels compare as keys: lower case, without white space, superscript digits as digits
//! (`Lean + BMC` is `Lean+BMC`, `Fat Mass/Height²` is `Fat Mass/Height<sup>2</sup>` once
//! the HTML is removed). A header's unit (`Fat[(g)]`, `Fat Mass (g)`) is split off first.

use std::collections::HashMap;

use super::ProfileError;
use super::ProfileFile;
use crate::bodycomp::{BodyRegion, Field, IndexKind};
use crate::vocabulary::Measure;

/// What a body composition column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyField {
    /// The row's label (`Region`, `Measure`).
    Label,
    /// An index row's value (`Result`).
    Result,
    /// A column known and not read (T-scores of %fat, percentiles, GE's TBW).
    Ignored,
    /// A composition value (`bmc` is also the BMC of a bone table).
    Value(Field),
    /// A bone measure of the whole-body BMD table.
    Bone(Measure),
    /// An index of its own column (GE CoreScan's `VAT Mass`).
    Index(IndexKind),
}

impl std::str::FromStr for BodyField {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "label" => BodyField::Label,
            "result" => BodyField::Result,
            "ignored" => BodyField::Ignored,
            "bmd" => BodyField::Bone(Measure::Bmd),
            "area" => BodyField::Bone(Measure::Area),
            "t_score" => BodyField::Bone(Measure::TScore),
            "z_score" => BodyField::Bone(Measure::ZScore),
            other => match (other.parse::<Field>(), other.parse::<IndexKind>()) {
                (Ok(field), _) => BodyField::Value(field),
                (_, Ok(kind)) => BodyField::Index(kind),
                _ => {
                    return Err(format!(
                        "unknown field {other:?} (expected label, result, ignored, bmd, area, \
                         t_score, z_score, a composition field or an index)"
                    ));
                }
            },
        })
    }
}

/// The compiled sections; earlier profiles win.
#[derive(Debug, Default)]
pub struct BodyLabels {
    columns: HashMap<String, BodyField>,
    column_codes: HashMap<u32, BodyField>,
    rows: HashMap<String, BodyRegion>,
    row_codes: HashMap<u32, BodyRegion>,
    indices: HashMap<String, IndexKind>,
    index_codes: HashMap<u32, IndexKind>,
}

/// A label as compared: lower case, no white space, superscript digits as digits.
pub fn label_key(label: &str) -> String {
    label
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '²' => '2',
            '³' => '3',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}

/// A header or index label split from its unit: `Fat[(g)]` (the results document's form)
/// and `Fat Mass (g)` (the printed form) are (`Fat`, `g`) and (`Fat Mass`, `g`); a label
/// without a unit is itself and an empty unit.
pub fn split_unit(text: &str) -> (&str, &str) {
    fn strip(unit: &str) -> &str {
        let unit = unit.trim();
        unit.strip_prefix('(')
            .and_then(|u| u.strip_suffix(')'))
            .unwrap_or(unit)
            .trim()
    }
    let text = text.trim();
    if let Some(inner) = text.strip_suffix(']')
        && let Some(open) = inner.rfind('[')
    {
        return (inner[..open].trim(), strip(&inner[open + 1..]));
    }
    if let Some(inner) = text.strip_suffix(')')
        && let Some(open) = inner.rfind(" (")
    {
        return (inner[..open].trim(), inner[open + 2..].trim());
    }
    (text, "")
}

fn parse<T: std::str::FromStr<Err = String>>(
    text: &str,
    profile: &str,
    rule: &str,
    n: usize,
) -> Result<T, ProfileError> {
    text.parse().map_err(|message| ProfileError {
        source_name: profile.to_string(),
        message: format!("[[{rule}]] #{}: {message}", n + 1),
    })
}

fn insert<K: std::hash::Hash + Eq, V>(
    map: &mut HashMap<K, V>,
    keys: impl Iterator<Item = K>,
    value: V,
) where
    V: Copy,
{
    for key in keys {
        map.entry(key).or_insert(value);
    }
}

impl BodyLabels {
    /// Adds one profile's sections.
    pub(super) fn add(&mut self, profile: &ProfileFile, name: &str) -> Result<(), ProfileError> {
        for (n, rule) in profile.body_composition_columns.iter().enumerate() {
            let field = parse(&rule.field, name, "body_composition_columns", n)?;
            insert(
                &mut self.columns,
                rule.headers.iter().map(|l| label_key(l)),
                field,
            );
            insert(&mut self.column_codes, rule.types.iter().copied(), field);
        }
        for (n, rule) in profile.body_composition_rows.iter().enumerate() {
            let region = parse(&rule.region, name, "body_composition_rows", n)?;
            insert(
                &mut self.rows,
                rule.labels.iter().map(|l| label_key(l)),
                region,
            );
            insert(&mut self.row_codes, rule.types.iter().copied(), region);
        }
        for (n, rule) in profile.body_composition_indices.iter().enumerate() {
            let kind = parse(&rule.index, name, "body_composition_indices", n)?;
            insert(
                &mut self.indices,
                rule.names.iter().map(|l| label_key(l)),
                kind,
            );
            insert(&mut self.index_codes, rule.types.iter().copied(), kind);
        }
        Ok(())
    }

    /// What a column holds, by its header label (its unit split off first).
    pub fn column(&self, label: &str) -> Option<BodyField> {
        self.column_by_key(&label_key(label))
    }

    /// What a column holds, by its label's `label_key`.
    pub fn column_by_key(&self, key: &str) -> Option<BodyField> {
        self.columns.get(key).copied()
    }

    /// The region a row label names, by its `label_key`.
    pub fn row_by_key(&self, key: &str) -> Option<BodyRegion> {
        self.rows.get(key).copied()
    }

    /// What a column holds, by its type code.
    pub fn column_code(&self, code: u32) -> Option<BodyField> {
        self.column_codes.get(&code).copied()
    }

    /// The region a row label names.
    pub fn row(&self, label: &str) -> Option<BodyRegion> {
        self.rows.get(&label_key(label)).copied()
    }

    /// The region a row type code names.
    pub fn row_code(&self, code: u32) -> Option<BodyRegion> {
        self.row_codes.get(&code).copied()
    }

    /// The index a row label names (its unit split off first).
    pub fn index(&self, label: &str) -> Option<IndexKind> {
        self.indices.get(&label_key(label)).copied()
    }

    /// The index a row type code names.
    pub fn index_code(&self, code: u32) -> Option<IndexKind> {
        self.index_codes.get(&code).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_split_off_labels_compared_as_keys() {
        assert_eq!(split_unit("Fat[(g)]"), ("Fat", "g"));
        assert_eq!(split_unit("% Fat[(%)]"), ("% Fat", "%"));
        assert_eq!(split_unit("Area[cm2]"), ("Area", "cm2"));
        assert_eq!(split_unit("Fat Mass (g)"), ("Fat Mass", "g"));
        assert_eq!(
            split_unit("Est. VAT Volume (cm³)"),
            ("Est. VAT Volume", "cm³")
        );
        assert_eq!(
            split_unit("Android/Gynoid Ratio"),
            ("Android/Gynoid Ratio", "")
        );
        assert_eq!(split_unit(" Region "), ("Region", ""));
        assert_eq!(split_unit("(g)"), ("(g)", ""), "a unit alone is a label");
        assert_eq!(label_key("Lean + BMC"), label_key("Lean+BMC"));
        assert_eq!(label_key("Fat Mass/Height²"), label_key("fat mass/height2"));
        assert_ne!(label_key("Fat"), label_key("Fat Mass"));
    }

    #[test]
    fn the_built_ins_read_hologic_and_encore_labels() {
        let mapper = crate::profile::load(&[]).expect("built-ins");
        let labels = mapper.body_labels();
        let column = |header: &str| labels.column(split_unit(header).0);
        assert_eq!(column("Fat[(g)]"), Some(BodyField::Value(Field::Fat)));
        assert_eq!(column("Lean[(g)]"), Some(BodyField::Value(Field::Lean)));
        assert_eq!(
            column("Lean+BMC[(g)]"),
            Some(BodyField::Value(Field::LeanBmc))
        );
        assert_eq!(
            column("Total[(g)]"),
            Some(BodyField::Value(Field::TotalMass))
        );
        assert_eq!(column("% Fat[(%)]"), Some(BodyField::Value(Field::FatPct)));
        assert_eq!(column("BMC[(g)]"), Some(BodyField::Value(Field::Bmc)));
        assert_eq!(
            column("BMD[g/cm<sup><small>2</small></sup>]"),
            Some(BodyField::Bone(Measure::Bmd)),
            "HTML left in: the unit is split off whole"
        );
        assert_eq!(
            column("Fat-Free Mass"),
            Some(BodyField::Value(Field::LeanBmc))
        );
        assert_eq!(column("Region %Fat"), Some(BodyField::Value(Field::FatPct)));
        assert_eq!(
            column("VAT Volume"),
            Some(BodyField::Index(IndexKind::VatVolume))
        );
        assert_eq!(labels.row("L Arm"), Some(BodyRegion::ArmLeft));
        assert_eq!(labels.row("Arm Left"), Some(BodyRegion::ArmLeft));
        assert_eq!(labels.row("Android (A)"), Some(BodyRegion::Android));
        assert_eq!(labels.row("TBLH"), Some(BodyRegion::Tblh));
        assert_eq!(labels.row("T Spine"), Some(BodyRegion::ThoracicSpine));
        assert_eq!(labels.row("Neck"), None);
        let index = |label: &str| labels.index(split_unit(label).0);
        assert_eq!(index("Fat Mass/Height² (kg/m²)"), Some(IndexKind::Fmi));
        assert_eq!(index("Appen. Lean/Height² (kg/m²)"), Some(IndexKind::Almi));
        assert_eq!(index("Est. VAT Mass (g)"), Some(IndexKind::VatMass));
        assert_eq!(
            index("Android/Gynoid Ratio"),
            Some(IndexKind::AndroidGynoidRatio)
        );
        assert_eq!(labels.row_code(1), None, "no whole-body code is public");
    }

    #[test]
    fn a_site_adds_a_code_and_a_label() {
        let user = ProfileFile::parse(
            "name = \"site\"\n\
             [[body_composition_rows]]\ntypes = [9101]\nlabels = [\"Bras G\"]\nregion = \"arm_left\"\n\
             [[body_composition_columns]]\ntypes = [9201]\nheaders = [\"Graisse\"]\nfield = \"fat\"\n",
            "site.toml",
        )
        .expect("parses");
        let mut profiles = vec![user];
        profiles.extend(crate::profile::builtin_profiles());
        let mapper = crate::profile::Mapper::new(&profiles).expect("compiles");
        let labels = mapper.body_labels();
        assert_eq!(labels.row_code(9101), Some(BodyRegion::ArmLeft));
        assert_eq!(labels.row("Bras G"), Some(BodyRegion::ArmLeft));
        assert_eq!(labels.column_code(9201), Some(BodyField::Value(Field::Fat)));
        let bad = ProfileFile::parse(
            "name = \"bad\"\n[[body_composition_rows]]\nlabels = [\"x\"]\nregion = \"elbow\"\n",
            "bad.toml",
        )
        .expect("parses");
        let error = crate::profile::Mapper::new(&[bad]).unwrap_err().to_string();
        assert!(error.contains("[[body_composition_rows]] #1"), "{error}");
    }
}
