//! Vendor knowledge as data (docs/sr-reading.md): which concept codes and labels mean which
//! measure, site, region and side. Vendors' codes are not public, so every mapping lives in
//! TOML profiles: the built-in ones are embedded in the binary (`builtin/*.toml`), and a
//! site that meets an unmapped export adds its own with `--profile FILE` (docs/profiles.md).
//!
//! `ProfileFile` is the file format (serde); `Mapper` is all profiles compiled into lookup
//! tables, user profiles first so that their rules win.

mod body;
mod keys;
mod mapper;
pub mod rules;

use serde::Deserialize;

pub use body::{BodyField, BodyLabels, label_key, split_unit};
pub use keys::normalise_label;
pub use mapper::FoundValue;
pub use mapper::{
    ColumnField, ConceptAnswer, FraxItem, HistoryField, MappedNum, Mapper, MeaningKind, Placed,
    RowRole, TableKind, TextField, TreeMapper, ValueField,
};
use rules::{
    DeviceRule, FraxRule, HistoryFieldRule, HologicColumnRule, HologicHistoryRule, HologicRowRule,
    HologicTableRule, HologicValueRule, ResultsDocumentRule, TrendRule, VfaRule,
};

/// The built-in profiles, in the order their rules are consulted (after user profiles).
pub const BUILTIN: [(&str, &str); 6] = [
    ("hologic", include_str!("builtin/hologic.toml")),
    ("hologic_apex", include_str!("builtin/hologic_apex.toml")),
    ("ge_lunar", include_str!("builtin/ge_lunar.toml")),
    ("loinc", include_str!("builtin/loinc.toml")),
    ("norland", include_str!("builtin/norland.toml")),
    ("generic", include_str!("builtin/generic.toml")),
];

/// One profile file, as written in TOML. Unknown keys are errors: a typo must not silently
/// drop a rule.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProfileFile {
    /// Where the profile came from (file path, or `built-in <name>`), for error messages.
    #[serde(skip)]
    pub source: String,
    /// Short name, shown by `inspect` beside what a rule mapped.
    pub name: String,
    /// What exports the profile is for.
    #[serde(default)]
    pub description: String,
    /// Manufacturer (0008,0070) prefixes and the normalised manufacturer they mean.
    #[serde(default)]
    pub manufacturers: Vec<ManufacturerRule>,
    /// Words in a document title that mark a DXA report even before any value is mapped.
    #[serde(default)]
    pub dxa_titles: Vec<String>,
    /// NUM concept -> measure.
    #[serde(default)]
    pub measures: Vec<MeasureRule>,
    /// Label words -> scanned site (gives "Total" its meaning).
    #[serde(default)]
    pub sites: Vec<SiteRule>,
    /// Label -> canonical region.
    #[serde(default)]
    pub regions: Vec<RegionRule>,
    /// Words and codes -> laterality.
    #[serde(default)]
    pub lateralities: Vec<LateralityRule>,
    /// Concepts of modifier items (Laterality, Finding Site) attached to a group.
    #[serde(default)]
    pub modifiers: Vec<ModifierRule>,
    /// TEXT item concepts -> study columns.
    #[serde(default)]
    pub texts: Vec<TextRule>,
    /// Densitometers by manufacturer and model (metadata-only SRs are still DXA documents).
    #[serde(default)]
    pub dxa_devices: Vec<DeviceRule>,
    /// History containers (GE "Trend ...").
    #[serde(default)]
    pub trends: Vec<TrendRule>,
    /// Items of an earlier exam that are not measures.
    #[serde(default)]
    pub history_fields: Vec<HistoryFieldRule>,
    /// FRAX words.
    #[serde(default)]
    pub frax: Vec<FraxRule>,
    /// Vertebral fracture assessment.
    #[serde(default)]
    pub vfa: Vec<VfaRule>,
    /// How a results document in a private element is recognised.
    #[serde(default)]
    pub results_documents: Vec<ResultsDocumentRule>,
    /// Hologic table type codes.
    #[serde(default)]
    pub hologic_tables: Vec<HologicTableRule>,
    /// Hologic column type codes.
    #[serde(default)]
    pub hologic_columns: Vec<HologicColumnRule>,
    /// Hologic row type codes.
    #[serde(default)]
    pub hologic_rows: Vec<HologicRowRule>,
    /// Named values of a Hologic results document (reference population, verdict, dates).
    #[serde(default)]
    pub hologic_values: Vec<HologicValueRule>,
    /// The region a Hologic history table trends, by site.
    #[serde(default)]
    pub hologic_history: Vec<HologicHistoryRule>,
    /// Body composition: columns of Hologic whole-body tables and of GE enCORE exports.
    #[serde(default)]
    pub body_composition_columns: Vec<rules::BodyColumnRule>,
    /// Body composition: region labels.
    #[serde(default)]
    pub body_composition_rows: Vec<rules::BodyRowRule>,
    /// Body composition: index labels (Hologic "Adipose Indices", "Lean Indices").
    #[serde(default)]
    pub body_composition_indices: Vec<rules::BodyIndexRule>,
}

/// A coded concept in a rule: scheme and code value.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CodeKey {
    /// CodingSchemeDesignator, e.g. "LN", "SCT", "99HOLOGIC".
    pub scheme: String,
    /// CodeValue (or LongCodeValue / URNCodeValue).
    pub code: String,
}

/// `[[manufacturers]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManufacturerRule {
    /// Case-insensitive prefixes of (0008,0070).
    pub prefixes: Vec<String>,
    /// `hologic`, `ge_lunar` or `other`.
    pub manufacturer: String,
    /// The scanner family whose sBMD equations apply (`hologic`, `ge_lunar`, `norland`);
    /// defaults to the manufacturer's own.
    #[serde(default)]
    pub calibration: Option<String>,
}

/// `[[measures]]`: what a NUM item measures.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureRule {
    /// Concept codes that mean this measure (checked first).
    #[serde(default)]
    pub codes: Vec<CodeKey>,
    /// CodeMeanings that mean this measure: case-insensitive, whitespace-tolerant, and also
    /// matched as the last words of a longer meaning ("Left Femoral Neck BMD"), whose leading
    /// words then count as the item's own region label.
    #[serde(default)]
    pub meanings: Vec<String>,
    /// The measure: bmd, bmc, area, t_score, z_score, pct_young_adult, pct_age_matched,
    /// frax_major, frax_hip, tbs.
    pub measure: String,
    /// A site the code itself implies (LOINC codes are per site), used when no label names one.
    #[serde(default)]
    pub implies_site: Option<String>,
    /// A side the code itself implies (LOINC "hip left"), used when no label or item states one.
    #[serde(default)]
    pub implies_laterality: Option<String>,
}

/// `[[sites]]`: labels that name a scanned site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteRule {
    /// Case-insensitive substrings ("DualFemur" contains "femur").
    pub contains: Vec<String>,
    /// spine, hip, forearm, total_body.
    pub site: String,
}

/// `[[regions]]`: labels that name a region.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionRule {
    /// Labels, matched case-insensitively on whole words at the end of a label, after side
    /// words are removed ("Left Hip Femoral Neck" ends with "Femoral Neck").
    pub labels: Vec<String>,
    /// The canonical region.
    pub region: String,
    /// Only within a group of this site (how "Total" becomes total_hip or spine_L1-L4).
    #[serde(default)]
    pub within: Option<String>,
    /// The label means the whole of its site: when the group label itself names a region
    /// ("AP Spine L2-L4"), that region wins over `region`.
    #[serde(default)]
    pub whole_of_site: bool,
    /// A note written on every row this rule names (why a row is not what it seems, e.g. a
    /// left-right difference).
    #[serde(default)]
    pub note: Option<String>,
}

/// `[[lateralities]]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LateralityRule {
    /// Whole words in labels ("left", "l", "mean").
    #[serde(default)]
    pub words: Vec<String>,
    /// Coded values of a Laterality item (SCT 7771000 = Left).
    #[serde(default)]
    pub codes: Vec<CodeKey>,
    /// left, right, mean.
    pub laterality: String,
}

/// `[[modifiers]]`: concepts of items that qualify their parent group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifierRule {
    /// Concept codes of the modifier item.
    #[serde(default)]
    pub codes: Vec<CodeKey>,
    /// Concept meanings of the modifier item.
    #[serde(default)]
    pub meanings: Vec<String>,
    /// `laterality` (value is a side) or `region` (value's meaning is a region label).
    pub role: String,
}

/// `[[texts]]`: TEXT items that fill a study column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextRule {
    /// Concept codes.
    #[serde(default)]
    pub codes: Vec<CodeKey>,
    /// Concept meanings.
    #[serde(default)]
    pub meanings: Vec<String>,
    /// The column: `reference_database`.
    pub field: String,
}

/// A profile that could not be loaded: which one and why.
#[derive(Debug, thiserror::Error)]
#[error("profile {source_name}: {message}")]
pub struct ProfileError {
    /// File path or built-in name.
    pub source_name: String,
    /// What is wrong, with the rule's position.
    pub message: String,
}

impl ProfileFile {
    /// Parses one profile's TOML text. `source_name` names it in errors.
    pub fn parse(text: &str, source_name: &str) -> Result<ProfileFile, ProfileError> {
        let mut profile: ProfileFile = toml::from_str(text).map_err(|e| ProfileError {
            source_name: source_name.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        profile.source = source_name.to_string();
        Ok(profile)
    }
}

/// User profile files (in the order given) followed by the built-in profiles, compiled.
pub fn load(extra: &[std::path::PathBuf]) -> Result<Mapper, ProfileError> {
    let mut profiles = Vec::with_capacity(extra.len() + BUILTIN.len());
    for path in extra {
        let source_name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError {
            source_name: source_name.clone(),
            message: e.to_string(),
        })?;
        profiles.push(ProfileFile::parse(&text, &source_name)?);
    }
    profiles.extend(builtin_profiles());
    Mapper::new(&profiles)
}

/// The built-in profiles, parsed.
pub fn builtin_profiles() -> Vec<ProfileFile> {
    BUILTIN
        .iter()
        .map(|(name, text)| {
            ProfileFile::parse(text, &format!("built-in {name}"))
                .expect("built-in profiles are tested to parse")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_and_compile() {
        let profiles = builtin_profiles();
        assert_eq!(profiles.len(), BUILTIN.len());
        Mapper::new(&profiles).expect("built-ins compile");
    }

    #[test]
    fn a_site_adds_a_type_code_and_a_trend_word() {
        let user = ProfileFile::parse(
            "name = \"site\"\n[[hologic_rows]]\ntypes = [999]\nrole = \"region\"\nlabel = \"Neck\"\n\
             [[trends]]\nprefixes = [\"Verlauf\"]\n",
            "site.toml",
        )
        .expect("parses");
        let mut profiles = vec![user];
        profiles.extend(builtin_profiles());
        let mapper = Mapper::new(&profiles).expect("compiles");
        assert_eq!(
            mapper.hologic_row(999),
            Some(&RowRole::Region("Neck".to_string()))
        );
        assert_eq!(
            mapper.trend_region("Verlauf Hals links"),
            Some("Hals links")
        );
        let bad = ProfileFile::parse(
            "name = \"bad\"\n[[hologic_rows]]\ntypes = [1]\nrole = \"side\"\n",
            "bad.toml",
        )
        .expect("parses");
        let error = Mapper::new(&[bad]).unwrap_err().to_string();
        assert!(error.contains("[[hologic_rows]] #1"), "{error}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = ProfileFile::parse(
            "name = \"x\"\n[[measures]]\nmeaning = [\"BMD\"]\nmeasure = \"bmd\"\n",
            "x.toml",
        )
        .unwrap_err();
        assert!(err.to_string().contains("meaning"), "{err}");
    }
}
