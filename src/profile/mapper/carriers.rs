//! The compiled carrier sections (profile/rules.rs) and their queries: DXA devices, trend
//! containers, history fields, FRAX and VFA words, results document markers and the
//! Hologic type codes. Earlier profiles win where two rules name the same code.

use super::fields::parse_optional;
use crate::profile::keys::{Label, LabelRef, normalise_label};
use crate::profile::{ProfileError, ProfileFile};
use crate::vocabulary::{Laterality, Measure};

/// An item of an earlier exam that is not a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryField {
    /// Age at that exam, years.
    Age,
    /// BMD change vs the previous exam, g/cm².
    ChangeVsPrevious,
    /// BMD change vs the previous exam, %.
    PctChangeVsPrevious,
    /// BMD change vs the baseline exam, g/cm².
    ChangeVsBaseline,
    /// BMD change vs the baseline exam, %.
    PctChangeVsBaseline,
}

impl std::str::FromStr for HistoryField {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(match text {
            "age" => HistoryField::Age,
            "change_vs_previous" => HistoryField::ChangeVsPrevious,
            "pct_change_vs_previous" => HistoryField::PctChangeVsPrevious,
            "change_vs_baseline" => HistoryField::ChangeVsBaseline,
            "pct_change_vs_baseline" => HistoryField::PctChangeVsBaseline,
            other => {
                return Err(format!(
                    "unknown history field {other:?} (expected age, change_vs_previous, \
                     pct_change_vs_previous, change_vs_baseline, pct_change_vs_baseline)"
                ));
            }
        })
    }
}

/// What a FRAX item is, by the words of its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FraxItem {
    /// Major osteoporotic fracture probability; `true` with prior fracture.
    Major(bool),
    /// Hip fracture probability; `true` with prior fracture.
    Hip(bool),
    /// The scanner's WHO classification text.
    Classification,
}

/// What a Hologic table holds (its `TableTypeN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// Results summary of this scan.
    Results,
    /// Earlier exams.
    History,
    /// 10-year fracture risk.
    Frax,
}

/// What a Hologic column holds (its `TableColumnTypesN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnField {
    /// The row label.
    Label,
    /// A measure.
    Measure(Measure),
    /// The scan date of a history row.
    ScanDate,
    /// Age at the scan.
    Age,
    /// BMD change vs the baseline (unit from the header cell).
    ChangeVsBaseline,
    /// BMD change vs the previous scan (unit from the header cell).
    ChangeVsPrevious,
    /// The label of a FRAX row.
    FraxLabel,
    /// FRAX without prior fracture.
    Frax,
    /// FRAX with prior fracture.
    FraxPrior,
}

/// What a Hologic row is (its `TableRowTypesN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowRole {
    /// A region row; the label is read by the region rules within the scan's site.
    Region(String),
    /// A dual hip sub-row of the region row above it.
    Side(Laterality),
    /// A left-right difference sub-row.
    Difference,
    /// A dated row of a history table.
    Date,
    /// FRAX major osteoporotic.
    FraxMajor,
    /// FRAX hip.
    FraxHip,
    /// FRAX free text.
    FraxText,
    /// A header row.
    Header,
}

/// The compiled carrier sections.
#[derive(Debug, Default)]
pub(super) struct CarrierRules {
    devices: Vec<(String, Vec<String>)>,
    trend_prefixes: Vec<String>,
    history_fields: hashbrown::HashMap<Label, HistoryField>,
    frax_containers: Vec<String>,
    frax_major: Vec<String>,
    frax_hip: Vec<String>,
    frax_prior: Vec<String>,
    frax_classification: Vec<String>,
    frax_not_reported: Vec<String>,
    frax_uniform_t: Vec<String>,
    vfa_containers: Vec<String>,
    vfa_grades: Vec<String>,
    document_starts: Vec<String>,
    document_contains: Vec<String>,
    tables: hashbrown::HashMap<u32, TableKind>,
    columns: hashbrown::HashMap<u32, ColumnField>,
    rows: hashbrown::HashMap<u32, RowRole>,
}

fn error(name: &str, rule: &str, n: usize, message: String) -> ProfileError {
    ProfileError {
        source_name: name.to_string(),
        message: format!("[[{rule}]] #{}: {message}", n + 1),
    }
}

fn words(list: &[String]) -> impl Iterator<Item = String> + '_ {
    list.iter()
        .map(|w| normalise_label(w))
        .filter(|w| !w.is_empty())
}

impl CarrierRules {
    pub(super) fn add(&mut self, profile: &ProfileFile, name: &str) -> Result<(), ProfileError> {
        for rule in &profile.dxa_devices {
            let models: Vec<String> = words(&rule.models).collect();
            for prefix in &rule.manufacturers {
                self.devices
                    .push((prefix.trim().to_uppercase(), models.clone()));
            }
        }
        for rule in &profile.trends {
            self.trend_prefixes.extend(words(&rule.prefixes));
        }
        for (n, rule) in profile.history_fields.iter().enumerate() {
            let field: HistoryField = rule
                .field
                .parse()
                .map_err(|m| error(name, "history_fields", n, m))?;
            for meaning in &rule.meanings {
                self.history_fields
                    .entry(Label::new(meaning))
                    .or_insert(field);
            }
        }
        for rule in &profile.frax {
            self.frax_containers.extend(words(&rule.containers));
            self.frax_major.extend(words(&rule.major));
            self.frax_hip.extend(words(&rule.hip));
            self.frax_prior.extend(words(&rule.prior));
            self.frax_classification.extend(words(&rule.classification));
            self.frax_not_reported.extend(words(&rule.not_reported));
            self.frax_uniform_t
                .extend(rule.uniform_t_score.iter().cloned());
        }
        for rule in &profile.vfa {
            self.vfa_containers.extend(words(&rule.containers));
            self.vfa_grades.extend(words(&rule.grades));
        }
        for rule in &profile.results_documents {
            self.document_starts
                .extend(rule.starts_with.iter().cloned());
            self.document_contains.extend(rule.contains.iter().cloned());
        }
        for (n, rule) in profile.hologic_tables.iter().enumerate() {
            let kind = match rule.kind.as_str() {
                "results" => TableKind::Results,
                "history" => TableKind::History,
                "frax" => TableKind::Frax,
                other => {
                    let m = format!("kind {other:?} (expected results, history, frax)");
                    return Err(error(name, "hologic_tables", n, m));
                }
            };
            for code in &rule.types {
                self.tables.entry(*code).or_insert(kind);
            }
        }
        for (n, rule) in profile.hologic_columns.iter().enumerate() {
            let field = match rule.field.as_str() {
                "label" => ColumnField::Label,
                "scan_date" => ColumnField::ScanDate,
                "age" => ColumnField::Age,
                "change_vs_baseline" => ColumnField::ChangeVsBaseline,
                "change_vs_previous" => ColumnField::ChangeVsPrevious,
                "frax_label" => ColumnField::FraxLabel,
                "frax" => ColumnField::Frax,
                "frax_prior" => ColumnField::FraxPrior,
                other => match other.parse::<Measure>() {
                    Ok(measure) if !measure.is_study_level() => ColumnField::Measure(measure),
                    _ => {
                        let m = format!("field {other:?} (see docs/profiles.md)");
                        return Err(error(name, "hologic_columns", n, m));
                    }
                },
            };
            for code in &rule.types {
                self.columns.entry(*code).or_insert(field);
            }
        }
        for (n, rule) in profile.hologic_rows.iter().enumerate() {
            let role = match (rule.role.as_str(), &rule.label) {
                ("region", Some(label)) => RowRole::Region(label.clone()),
                ("side", _) => {
                    let side = parse_optional::<Laterality>(
                        rule.laterality.as_deref(),
                        name,
                        "hologic_rows",
                        n,
                    )?
                    .filter(|side| *side != Laterality::None)
                    .ok_or_else(|| {
                        error(
                            name,
                            "hologic_rows",
                            n,
                            "a side row needs a laterality".into(),
                        )
                    })?;
                    RowRole::Side(side)
                }
                ("difference", _) => RowRole::Difference,
                ("date", _) => RowRole::Date,
                ("frax_major", _) => RowRole::FraxMajor,
                ("frax_hip", _) => RowRole::FraxHip,
                ("frax_text", _) => RowRole::FraxText,
                ("header", _) => RowRole::Header,
                (other, _) => {
                    let m = format!(
                        "role {other:?} (expected region with a label, side, difference, date, \
                         frax_major, frax_hip, frax_text, header)"
                    );
                    return Err(error(name, "hologic_rows", n, m));
                }
            };
            for code in &rule.types {
                self.rows.entry(*code).or_insert_with(|| role.clone());
            }
        }
        Ok(())
    }
}

fn contains_any(text: &str, words: &[String]) -> bool {
    words.iter().any(|w| text.contains(w.as_str()))
}

impl CarrierRules {
    /// Whether Manufacturer and ManufacturerModelName name a densitometer.
    pub fn is_dxa_device(&self, manufacturer: &str, model: &str) -> bool {
        let manufacturer = manufacturer.trim().to_uppercase();
        let model = normalise_label(model);
        self.devices.iter().any(|(prefix, models)| {
            manufacturer.starts_with(prefix.as_str())
                && (models.is_empty() || contains_any(&model, models))
        })
    }

    /// For a trend container's meaning, the region label after its prefix ("Trend Neck
    /// Left" gives "Neck Left"); None when the meaning is not a trend container's.
    pub fn trend_region<'t>(&self, meaning: &'t str) -> Option<&'t str> {
        let trimmed = meaning.trim();
        let normalised = normalise_label(trimmed);
        self.trend_prefixes.iter().find_map(|prefix| {
            let rest = normalised.strip_prefix(prefix.as_str())?;
            if !(rest.is_empty() || rest.starts_with(' ')) {
                return None;
            }
            // The same number of words off the original text.
            let words = prefix.split(' ').count();
            let mut cut = trimmed;
            for _ in 0..words {
                cut = cut
                    .trim_start_matches(|c: char| c.is_whitespace() || c == '_')
                    .trim_start_matches(|c: char| !(c.is_whitespace() || c == '_'));
            }
            Some(cut.trim_matches(|c: char| c.is_whitespace() || c == '_'))
        })
    }

    /// The history field an item's (or its container's) meaning names.
    pub fn history_field(&self, meaning: &str) -> Option<HistoryField> {
        self.history_fields.get(&LabelRef(meaning)).copied()
    }

    /// Whether a meaning names a FRAX container (or is itself a FRAX item's).
    pub fn is_frax_label(&self, meaning: &str) -> bool {
        contains_any(&normalise_label(meaning), &self.frax_containers)
    }

    /// What a FRAX item's meaning says it is.
    pub fn frax_item(&self, meaning: &str) -> Option<FraxItem> {
        let text = normalise_label(meaning);
        let prior = contains_any(&text, &self.frax_prior);
        if contains_any(&text, &self.frax_major) {
            Some(FraxItem::Major(prior))
        } else if contains_any(&text, &self.frax_hip) {
            Some(FraxItem::Hip(prior))
        } else if contains_any(&text, &self.frax_classification) {
            Some(FraxItem::Classification)
        } else {
            None
        }
    }

    /// Whether a FRAX free text says FRAX was not reported.
    pub fn says_frax_not_reported(&self, text: &str) -> bool {
        contains_any(&normalise_label(text), &self.frax_not_reported)
    }

    /// The femoral neck T-score on the uniform reference a FRAX inputs text states
    /// (`..., T-score(WHO)=-2.6, BMI=...`): the number after the profile's words.
    pub fn frax_uniform_t_score(&self, text: &str) -> Option<crate::decimal::Decimal> {
        let lower = text.to_ascii_lowercase();
        self.frax_uniform_t.iter().find_map(|word| {
            let at = lower.find(&word.to_ascii_lowercase())? + word.len();
            let number: String = text[at..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'))
                .collect();
            crate::decimal::Decimal::parse_reported(&number)
        })
    }

    /// Whether a meaning names a vertebral fracture assessment exam (whole words: "LVA",
    /// not the letters inside "valvar").
    pub fn is_vfa_label(&self, meaning: &str) -> bool {
        let text = normalise_label(meaning);
        let words: Vec<&str> = text.split(' ').collect();
        self.vfa_containers.iter().any(|container| {
            let wanted: Vec<&str> = container.split(' ').collect();
            words.windows(wanted.len()).any(|w| w == wanted.as_slice())
        })
    }

    /// Whether a meaning names a vertebra's fracture grade.
    pub fn is_vfa_grade(&self, meaning: &str) -> bool {
        let text = normalise_label(meaning);
        self.vfa_grades.contains(&text)
    }

    /// Whether an element's bytes are a results document (by its text, never its tag).
    pub fn is_results_document(&self, bytes: &[u8]) -> bool {
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let text = &bytes[start..];
        // Looked for in the first bytes only, as the file's head reader does before it
        // skips a large value (`sr::dataset::PEEK`): whole file and head agree.
        let first = &text[..text.len().min(crate::sr::dataset::PEEK)];
        self.document_starts
            .iter()
            .any(|s| text.starts_with(s.as_bytes()))
            || self
                .document_contains
                .iter()
                .any(|s| !s.is_empty() && first.windows(s.len()).any(|w| w == s.as_bytes()))
    }

    /// What a Hologic table type code holds.
    pub fn hologic_table(&self, code: u32) -> Option<TableKind> {
        self.tables.get(&code).copied()
    }

    /// What a Hologic column type code holds.
    pub fn hologic_column(&self, code: u32) -> Option<ColumnField> {
        self.columns.get(&code).copied()
    }

    /// What a Hologic row type code is.
    pub fn hologic_row(&self, code: u32) -> Option<&RowRole> {
        self.rows.get(&code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Mapper;

    fn mapper() -> Mapper {
        crate::profile::load(&[]).expect("built-ins")
    }

    #[test]
    fn carrier_words() {
        let m = mapper();
        assert!(m.is_vfa_label("LVA"));
        assert!(m.is_vfa_label("Lateral LVA exam"));
        assert!(!m.is_vfa_label("Aortic valvar gradient"));
        assert_eq!(m.trend_region("Trend Neck Left"), Some("Neck Left"));
        assert_eq!(m.trend_region("Trend_L1-L4"), Some("L1-L4"));
        assert_eq!(m.trend_region("Trendy"), None);
        assert_eq!(
            m.frax_item("MAJOR_OSTEO_FRAC_RISK"),
            Some(FraxItem::Major(false))
        );
        assert_eq!(
            m.frax_item("Hip Fracture with Prior Fracture"),
            Some(FraxItem::Hip(true))
        );
        assert!(m.is_dxa_device("GE Healthcare", "Lunar iDXA"));
        assert!(!m.is_dxa_device("HOLOGIC", "Selenia Dimensions"));
        assert!(m.is_results_document(b"  <HologicHeader1> ..."));
        assert!(m.is_results_document(b"x = 1;\nResultsTable1[ 0][ 0] = \"R\";"));
        assert!(!m.is_results_document(b"<html>"));
        assert_eq!(m.hologic_row(133), Some(&RowRole::Side(Laterality::Left)));
        assert_eq!(m.hologic_column(33), Some(ColumnField::FraxPrior));
        assert_eq!(m.hologic_table(2), Some(TableKind::History));
    }
}
