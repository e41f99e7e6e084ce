//! The profile sections that read what scanners send besides NUM items in region containers
//! (docs/profiles.md, "Carriers, history, FRAX and VFA"): which devices are DXA devices, GE
//! "Trend ..." history containers, FRAX and vertebral fracture containers, how a Hologic
//! results document is recognised, and the Hologic table type codes; the labels of body
//! composition (compiled in profile/body.rs).

use serde::Deserialize;

/// `[[dxa_devices]]`: a device known to be a densitometer. An SR of such a device without a
/// results tree (metadata only) is a DXA document with no values, not `not_dxa`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRule {
    /// Case-insensitive prefixes of Manufacturer (0008,0070).
    pub manufacturers: Vec<String>,
    /// Case-insensitive substrings of ManufacturerModelName (0008,1090); empty = any model.
    #[serde(default)]
    pub models: Vec<String>,
}

/// `[[trends]]`: containers of earlier exams (GE "Trend Neck Left"). The words after the
/// prefix name the region; each child container is one earlier exam, named by its date.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendRule {
    /// Leading words of the container's meaning, e.g. "Trend".
    pub prefixes: Vec<String>,
}

/// `[[history_fields]]`: items of an earlier exam that are not measures (age, changes).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryFieldRule {
    /// Meanings (an item's, or a container's whose BMD item then holds the value).
    pub meanings: Vec<String>,
    /// `age`, `change_vs_previous` (g/cm²), `pct_change_vs_previous`, `change_vs_baseline`,
    /// `pct_change_vs_baseline`.
    pub field: String,
}

/// `[[frax]]`: the words that make FRAX items of an item's meaning. An item is read by
/// these words when its own meaning or an ancestor's contains a `containers` word.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FraxRule {
    /// Words of a FRAX container ("frax", "frac risk").
    #[serde(default)]
    pub containers: Vec<String>,
    /// Words of the major osteoporotic fracture probability ("major").
    #[serde(default)]
    pub major: Vec<String>,
    /// Words of the hip fracture probability ("hip").
    #[serde(default)]
    pub hip: Vec<String>,
    /// Words that make a value the "with prior fracture" one ("prior").
    #[serde(default)]
    pub prior: Vec<String>,
    /// Meaning words of a TEXT item holding the scanner's WHO classification.
    #[serde(default)]
    pub classification: Vec<String>,
    /// Words of a free text that says FRAX was not reported ("not reported").
    #[serde(default)]
    pub not_reported: Vec<String>,
    /// Words of a FRAX inputs text that the femoral neck T-score on the uniform reference
    /// follows (Hologic `T-score(WHO)=`).
    #[serde(default)]
    pub uniform_t_score: Vec<String>,
}

/// `[[vfa]]`: vertebral fracture assessment (GE LVA): the exam container's words, and the
/// meanings of the item that holds a vertebra's grade (its parent names the vertebra).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VfaRule {
    /// Words of the exam container ("lva").
    pub containers: Vec<String>,
    /// Meanings of the grade item ("DEFORMITY").
    pub grades: Vec<String>,
}

/// `[[results_documents]]`: how a Hologic results document is recognised in a private
/// element of any DICOM object, by its text (never by a fixed tag).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultsDocumentRule {
    /// The text starts with one of these (after leading whitespace).
    #[serde(default)]
    pub starts_with: Vec<String>,
    /// Or holds one of these.
    #[serde(default)]
    pub contains: Vec<String>,
}

/// `[[hologic_tables]]`: a `TableTypeN` code and what the table holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HologicTableRule {
    /// Type codes.
    pub types: Vec<u32>,
    /// `results`, `history` or `frax`.
    pub kind: String,
}

/// `[[hologic_columns]]`: a `TableColumnTypesN` code and the field its cells hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HologicColumnRule {
    /// Type codes.
    pub types: Vec<u32>,
    /// `label`, a measure (`bmd`, `bmc`, `area`, `t_score`, `z_score`, `pct_young_adult`,
    /// `pct_age_matched`), `scan_date`, `age`, `change_vs_baseline`, `change_vs_previous`,
    /// `frax_label`, `frax`, `frax_prior`.
    pub field: String,
}

/// `[[hologic_rows]]`: a `TableRowTypesN` code and what the row is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HologicRowRule {
    /// Type codes.
    pub types: Vec<u32>,
    /// `region` (its `label` is read by the region rules, within the scan's site), `side`
    /// (a dual hip sub-row of the region row above it, with `laterality`), `difference` (a
    /// left-right difference sub-row: region `other`, never a side's value), `date` (a row
    /// of a history table), `frax_major`, `frax_hip`, `frax_text`, `header`.
    pub role: String,
    /// For `region` rows: the label the region rules read ("Neck", "Total", "L1").
    #[serde(default)]
    pub label: Option<String>,
    /// For `side` rows: left, right, mean.
    #[serde(default)]
    pub laterality: Option<String>,
}

/// `[[hologic_values]]`: a named value of a results document (`GraphTitle2 = "..."`) that
/// fills a field of the document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HologicValueRule {
    /// The value's names (`GraphTitle2`).
    pub names: Vec<String>,
    /// `t_reference`, `z_reference` (the population the scores are referred to),
    /// `scanner_classification` (the scanner's own WHO classification), `scan_date`,
    /// `analysis_date`, `report_date`.
    pub field: String,
    /// The field's text follows one of these words (case-insensitive) and ends at the next
    /// `<br>` or `;`; empty: the whole value.
    #[serde(default)]
    pub after: Vec<String>,
    /// For a reference: the words its data source follows (`Source:`).
    #[serde(default)]
    pub source: Vec<String>,
}

/// `[[hologic_history]]`: the region label a history table of a site trends when neither
/// its title nor a Region column names one (a forearm history trends the 1/3 radius; any
/// other site its Total).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HologicHistoryRule {
    /// The scanned site: spine, hip, forearm, total_body.
    pub site: String,
    /// The region label, read by the region rules within the site ("1/3").
    pub label: String,
}

/// `[[body_composition_columns]]`: a column header (without its unit) and what its cells
/// hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyColumnRule {
    /// Column headers without their unit (Hologic `Fat` of `Fat[(g)]`; GE `Fat Mass`, the
    /// measure words of `Arm Left Fat Mass`).
    #[serde(default)]
    pub headers: Vec<String>,
    /// `TableColumnTypesN` codes (none is known publicly).
    #[serde(default)]
    pub types: Vec<u32>,
    /// `label` (the region or measure label), `result` (an index's value), `ignored`, a
    /// composition field (`fat`, `lean`, `bmc`, `lean_bmc`, `tissue`, `total_mass`,
    /// `fat_pct`, `tissue_fat_pct`), a bone measure (`bmd`, `area`, `t_score`, `z_score`;
    /// `bmc` is both) or an index (`vat_mass`, `vat_volume`, ...).
    pub field: String,
}

/// `[[body_composition_rows]]`: a region label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRowRule {
    /// Row labels (`L Arm`, `Android (A)`; GE `Arm Left`), matched whole.
    #[serde(default)]
    pub labels: Vec<String>,
    /// `TableRowTypesN` codes (none is known publicly).
    #[serde(default)]
    pub types: Vec<u32>,
    /// The region: `arm_left` ... `tblh`, or a part of the whole-body BMD table
    /// (`ribs_left`, `thoracic_spine`, `pelvis`, ...).
    pub region: String,
}

/// `[[body_composition_indices]]`: the label of an index row (Hologic "Adipose Indices",
/// "Lean Indices"), without its unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyIndexRule {
    /// The index's names as its row writes them, without the unit (`Fat Mass/Height²` of
    /// `Fat Mass/Height² (kg/m²)`).
    #[serde(default)]
    pub names: Vec<String>,
    /// `TableRowTypesN` codes (none is known publicly).
    #[serde(default)]
    pub types: Vec<u32>,
    /// The index: `total_fat_pct`, `fmi`, `lmi`, `almi`, `android_gynoid_ratio`,
    /// `trunk_legs_fat_pct_ratio`, `trunk_limb_fat_ratio`, `vat_mass`, `vat_volume`,
    /// `vat_area`.
    pub index: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn optional_lists_default_to_empty() {
        let device: DeviceRule = parse("manufacturers = [\"GE\"]").unwrap();
        assert_eq!(
            (device.manufacturers, device.models.len()),
            (vec!["GE".to_string()], 0)
        );
        let frax: FraxRule = parse("containers = [\"frax\"]").unwrap();
        assert_eq!(frax.containers, ["frax"]);
        assert!(
            frax.major.is_empty()
                && frax.hip.is_empty()
                && frax.prior.is_empty()
                && frax.classification.is_empty()
                && frax.not_reported.is_empty()
                && frax.uniform_t_score.is_empty()
        );
        let document: ResultsDocumentRule = parse("contains = [\"ResultsTable1[\"]").unwrap();
        assert!(document.starts_with.is_empty());
        let row: HologicRowRule = parse("types = [1, 2]\nrole = \"header\"").unwrap();
        assert_eq!(
            (row.types, row.label, row.laterality),
            (vec![1, 2], None, None)
        );
        let value: HologicValueRule =
            parse("names = [\"GraphTitle2\"]\nfield = \"t_reference\"").unwrap();
        assert!(value.after.is_empty() && value.source.is_empty());
    }

    #[test]
    fn required_fields_and_unknown_keys_are_errors() {
        // Required: a trend rule's prefixes, a VFA rule's grades, a table's kind.
        assert!(parse::<TrendRule>("").unwrap_err().contains("prefixes"));
        assert!(
            parse::<VfaRule>("containers = [\"lva\"]")
                .unwrap_err()
                .contains("grades")
        );
        assert!(
            parse::<HologicTableRule>("types = [1]")
                .unwrap_err()
                .contains("kind")
        );
        assert!(
            parse::<HistoryFieldRule>("meanings = [\"AGE\"]")
                .unwrap_err()
                .contains("field")
        );
        // A typo is an error, never a rule silently dropped.
        let typo = parse::<FraxRule>("container = [\"frax\"]").unwrap_err();
        assert!(typo.contains("container"), "{typo}");
        let typo = parse::<HologicColumnRule>("types = [1]\nfield = \"bmd\"\nfeld = 1");
        assert!(typo.unwrap_err().contains("feld"));
        let typo = parse::<HologicHistoryRule>("site = \"hip\"\nlabel = \"Total\"\nsides = 2");
        assert!(typo.unwrap_err().contains("sides"));
        // Type codes are numbers.
        assert!(parse::<HologicTableRule>("types = [\"1\"]\nkind = \"results\"").is_err());
    }
}
