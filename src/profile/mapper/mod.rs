//! All profiles compiled into lookup tables, and the one algorithm that applies them to a NUM
//! item (docs/sr-reading.md, "Deciding what a NUM item is"):
//! 1. measure from (scheme, code), else from the CodeMeaning (whole, or its last words);
//! 2. site from the nearest label naming one (else what the code implies);
//! 3. region from the nearest label naming one, within that site;
//! 4. laterality from the nearest Laterality item or side word (else what the code implies).
//!
//! Labels come from a NUM's ancestors, which its siblings share: `TreeMapper` resolves them
//! once per parent and reuses the answer for every NUM below it.

mod carriers;
mod concepts;
mod fields;
mod hologic_values;
mod labels;
mod meanings;
mod tree;

use std::borrow::Cow;

use hashbrown::HashMap;

pub use carriers::{ColumnField, FraxItem, HistoryField, RowRole, TableKind};
pub use concepts::ConceptAnswer;
pub use hologic_values::{FoundValue, ValueField};
pub use labels::Placed;
pub use meanings::MeaningKind;
pub use tree::TreeMapper;

use fields::{parse_field, parse_optional};

use super::keys::{CodeKey, CodeRef, Label, LabelRef, normalise_label};
use super::{CodeKey as RuleCode, ProfileError, ProfileFile};
use crate::sr::Code;
use crate::vocabulary::Calibration;
use crate::vocabulary::{Laterality, Manufacturer, Measure, Region, Site};

/// A study column that a TEXT item can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// The scanner's reference population.
    ReferenceDatabase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MeasureTarget {
    measure: Measure,
    site: Option<Site>,
    laterality: Option<Laterality>,
    profile: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RegionTarget {
    region: Region,
    within: Option<Site>,
    whole_of_site: bool,
    /// Index into `Mapper::notes`.
    note: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModifierRole {
    Laterality,
    Region,
}

/// The compiled profiles.
#[derive(Debug, Default)]
pub struct Mapper {
    /// Distinguishes mappers in the per-thread label cache.
    id: u64,
    profile_names: Vec<String>,
    measure_by_code: HashMap<CodeKey, MeasureTarget>,
    measure_by_meaning: HashMap<Label, MeasureTarget>,
    longest_meaning_words: usize,
    sites: Vec<(String, Site)>,
    regions: HashMap<Label, Vec<RegionTarget>>,
    longest_region_words: usize,
    laterality_words: HashMap<Label, Laterality>,
    laterality_codes: HashMap<CodeKey, Laterality>,
    modifier_codes: HashMap<CodeKey, ModifierRole>,
    modifier_meanings: HashMap<Label, ModifierRole>,
    text_codes: HashMap<CodeKey, TextField>,
    text_meanings: HashMap<Label, TextField>,
    manufacturers: Vec<(String, Manufacturer, Option<Calibration>)>,
    dxa_titles: Vec<String>,
    /// Notes of region rules.
    notes: Vec<Box<str>>,
    carriers: carriers::CarrierRules,
    hologic_values: hologic_values::HologicValues,
    /// Body composition labels (profile/body.rs).
    body: super::body::BodyLabels,
}

/// What a NUM item was mapped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedNum<'m, 't> {
    /// The measure.
    pub measure: Measure,
    /// The canonical region (`other` when no label named one).
    pub region: Region,
    /// The side.
    pub laterality: Laterality,
    /// The site the region was read within, if any.
    pub site: Option<Site>,
    /// The label that gave the region, as the scanner wrote it.
    pub source_label: Cow<'t, str>,
    /// Name of the profile whose measure rule matched.
    pub profile: &'m str,
    /// Whether the measure matched on the code (else on the meaning).
    pub by_code: bool,
    /// The note of the region rule that named the region, if any.
    pub note: Option<&'m str>,
}

fn codes_of(codes: &[RuleCode]) -> impl Iterator<Item = CodeKey> + '_ {
    codes.iter().map(|c| CodeKey::new(&c.scheme, &c.code))
}

impl Mapper {
    /// Compiles profiles; earlier profiles win where two rules match the same thing.
    pub fn new(profiles: &[ProfileFile]) -> Result<Mapper, ProfileError> {
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut m = Mapper {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            ..Mapper::default()
        };
        for (p, profile) in profiles.iter().enumerate() {
            // Errors name the file; `inspect` shows the profile's own name.
            let name = if profile.source.is_empty() {
                profile.name.as_str()
            } else {
                profile.source.as_str()
            };
            m.profile_names.push(profile.name.clone());
            m.add_manufacturers(profile, name)?;
            m.dxa_titles
                .extend(profile.dxa_titles.iter().map(|t| normalise_label(t)));
            m.add_measures(profile, p, name)?;
            m.carriers.add(profile, name)?;
            m.hologic_values.add(profile, name)?;
            m.body.add(profile, name)?;
            for (n, rule) in profile.sites.iter().enumerate() {
                let site = parse_field(&rule.site, name, "sites", n)?;
                for needle in &rule.contains {
                    m.sites.push((normalise_label(needle), site));
                }
            }
            for (n, rule) in profile.regions.iter().enumerate() {
                let target = RegionTarget {
                    region: parse_field(&rule.region, name, "regions", n)?,
                    within: parse_optional(rule.within.as_deref(), name, "regions", n)?,
                    whole_of_site: rule.whole_of_site,
                    note: rule.note.as_ref().map(|note| {
                        m.notes.push(note.as_str().into());
                        (m.notes.len() - 1) as u32
                    }),
                };
                for label in &rule.labels {
                    let key = Label::new(label);
                    m.longest_region_words = m.longest_region_words.max(word_count(label));
                    m.regions.entry(key).or_default().push(target);
                }
            }
            for (n, rule) in profile.lateralities.iter().enumerate() {
                let laterality = parse_field(&rule.laterality, name, "lateralities", n)?;
                for word in &rule.words {
                    m.laterality_words
                        .entry(Label::new(word))
                        .or_insert(laterality);
                }
                for key in codes_of(&rule.codes) {
                    m.laterality_codes.entry(key).or_insert(laterality);
                }
            }
            for (n, rule) in profile.modifiers.iter().enumerate() {
                let role = match rule.role.as_str() {
                    "laterality" => ModifierRole::Laterality,
                    "region" => ModifierRole::Region,
                    other => {
                        return Err(ProfileError {
                            source_name: name.to_string(),
                            message: format!(
                                "[[modifiers]] #{}: role {other:?} (expected laterality or region)",
                                n + 1
                            ),
                        });
                    }
                };
                for key in codes_of(&rule.codes) {
                    m.modifier_codes.entry(key).or_insert(role);
                }
                for meaning in &rule.meanings {
                    m.modifier_meanings
                        .entry(Label::new(meaning))
                        .or_insert(role);
                }
            }
            for (n, rule) in profile.texts.iter().enumerate() {
                let field = match rule.field.as_str() {
                    "reference_database" => TextField::ReferenceDatabase,
                    other => {
                        return Err(ProfileError {
                            source_name: name.to_string(),
                            message: format!(
                                "[[texts]] #{}: field {other:?} (expected reference_database)",
                                n + 1
                            ),
                        });
                    }
                };
                for key in codes_of(&rule.codes) {
                    m.text_codes.entry(key).or_insert(field);
                }
                for meaning in &rule.meanings {
                    m.text_meanings.entry(Label::new(meaning)).or_insert(field);
                }
            }
        }
        Ok(m)
    }

    fn add_manufacturers(&mut self, profile: &ProfileFile, name: &str) -> Result<(), ProfileError> {
        for (n, rule) in profile.manufacturers.iter().enumerate() {
            let manufacturer = parse_field(&rule.manufacturer, name, "manufacturers", n)?;
            let calibration =
                match parse_optional(rule.calibration.as_deref(), name, "manufacturers", n)? {
                    Some(calibration) => Some(calibration),
                    None => match manufacturer {
                        Manufacturer::Hologic => Some(Calibration::Hologic),
                        Manufacturer::GeLunar => Some(Calibration::GeLunar),
                        Manufacturer::Other => None,
                    },
                };
            for prefix in &rule.prefixes {
                self.manufacturers
                    .push((prefix.trim().to_uppercase(), manufacturer, calibration));
            }
        }
        Ok(())
    }

    fn add_measures(
        &mut self,
        profile: &ProfileFile,
        p: usize,
        name: &str,
    ) -> Result<(), ProfileError> {
        for (n, rule) in profile.measures.iter().enumerate() {
            if rule.codes.is_empty() && rule.meanings.is_empty() {
                return Err(ProfileError {
                    source_name: name.to_string(),
                    message: format!("[[measures]] #{}: needs codes or meanings", n + 1),
                });
            }
            let target = MeasureTarget {
                measure: parse_field(&rule.measure, name, "measures", n)?,
                site: parse_optional(rule.implies_site.as_deref(), name, "measures", n)?,
                laterality: parse_optional(
                    rule.implies_laterality.as_deref(),
                    name,
                    "measures",
                    n,
                )?,
                profile: p,
            };
            for key in codes_of(&rule.codes) {
                self.measure_by_code.entry(key).or_insert(target);
            }
            for meaning in &rule.meanings {
                self.longest_meaning_words = self.longest_meaning_words.max(word_count(meaning));
                self.measure_by_meaning
                    .entry(Label::new(meaning))
                    .or_insert(target);
            }
        }
        Ok(())
    }

    /// The normalised manufacturer for (0008,0070), and the calibration its BMD is on.
    /// The longest matching prefix wins ("GE HEALTHCARE" over "GE").
    pub fn manufacturer(&self, raw: &str) -> (Manufacturer, Option<Calibration>) {
        let trimmed = raw.trim();
        // ASCII text (every scanner's) upper-cased byte by byte as it is compared, not
        // into a new string per file.
        let upper = if trimmed.is_ascii() {
            Cow::Borrowed(trimmed)
        } else {
            Cow::Owned(trimmed.to_uppercase())
        };
        let starts_with = |prefix: &str| {
            upper.len() >= prefix.len()
                && upper.as_bytes()[..prefix.len()]
                    .iter()
                    .zip(prefix.as_bytes())
                    .all(|(a, b)| a.to_ascii_uppercase() == *b)
        };
        self.manufacturers
            .iter()
            .filter(|(prefix, _, _)| starts_with(prefix))
            .max_by_key(|(prefix, _, _)| prefix.len())
            .map_or((Manufacturer::Other, None), |(_, m, c)| (*m, *c))
    }

    /// The body composition labels (docs/profiles.md, "Body composition").
    pub fn body_labels(&self) -> &super::body::BodyLabels {
        &self.body
    }

    /// What tells this mapper from any other of the process (per-thread caches of what
    /// its profiles say are keyed by it).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Whether a document title says "bone densitometry" in any of the profiles' words.
    pub fn is_dxa_title(&self, title: &str) -> bool {
        // The last title asked on this thread kept with its answer: an export's documents
        // share a title, which was normalised into a new string for each.
        thread_local! {
            static LAST: std::cell::RefCell<(u64, String, bool)> =
                const { std::cell::RefCell::new((0, String::new(), false)) };
        }
        /// A title is a few words; a longer one (a hostile file) is answered, not kept.
        const LONGEST: usize = 256;
        LAST.with_borrow_mut(|(id, last, answer)| {
            if *id == self.id && *last == title {
                return *answer;
            }
            let found = self.is_dxa_title_uncached(title);
            if title.len() <= LONGEST {
                *id = self.id;
                last.clear();
                last.push_str(title);
                *answer = found;
            }
            found
        })
    }

    fn is_dxa_title_uncached(&self, title: &str) -> bool {
        let title = normalise_label(title);
        self.dxa_titles.iter().any(|t| title.contains(t.as_str()))
    }

    /// The study column a TEXT item fills, if any.
    pub fn text_field(&self, concept: &Code<'_>) -> Option<TextField> {
        self.text_codes
            .get(&code_ref(concept))
            .or_else(|| self.text_meanings.get(&LabelRef(concept.meaning)))
            .copied()
    }
}

fn code_ref<'c>(code: &'c Code<'_>) -> CodeRef<'c> {
    CodeRef {
        scheme: code.scheme,
        code: code.value,
    }
}

fn word_count(text: &str) -> usize {
    word_starts(text).count()
}

/// Byte offsets where the words of `text` start (words split on whitespace and `_`).
fn word_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let separator = |c: char| c.is_whitespace() || c == '_';
    text.char_indices()
        .scan(true, move |after_separator, (at, c)| {
            let start = *after_separator && !separator(c);
            *after_separator = separator(c);
            Some(start.then_some(at))
        })
        .flatten()
}

/// The carrier rules (`carriers`) and the Hologic named values (`hologic_values`) answer
/// through the mapper, which compiled them with the profiles' other rules.
impl Mapper {
    /// Whether Manufacturer and ManufacturerModelName name a densitometer.
    pub fn is_dxa_device(&self, manufacturer: &str, model: &str) -> bool {
        self.carriers.is_dxa_device(manufacturer, model)
    }

    /// For a trend container's meaning, the region label after its prefix ("Trend Neck
    /// Left" gives "Neck Left"); None when the meaning is not a trend container's.
    pub fn trend_region<'t>(&self, meaning: &'t str) -> Option<&'t str> {
        self.carriers.trend_region(meaning)
    }

    /// The history field an item's (or its container's) meaning names.
    pub fn history_field(&self, meaning: &str) -> Option<HistoryField> {
        self.carriers.history_field(meaning)
    }

    /// Whether a meaning names a FRAX container (or is itself a FRAX item's).
    pub fn is_frax_label(&self, meaning: &str) -> bool {
        self.carriers.is_frax_label(meaning)
    }

    /// What a FRAX item's meaning says it is.
    pub fn frax_item(&self, meaning: &str) -> Option<FraxItem> {
        self.carriers.frax_item(meaning)
    }

    /// Whether a FRAX free text says FRAX was not reported.
    pub fn says_frax_not_reported(&self, text: &str) -> bool {
        self.carriers.says_frax_not_reported(text)
    }

    /// The femoral neck T-score on the uniform reference a FRAX inputs text states
    /// (`..., T-score(WHO)=-2.6, BMI=...`): the number after the profile's words.
    pub fn frax_uniform_t_score(&self, text: &str) -> Option<crate::decimal::Decimal> {
        self.carriers.frax_uniform_t_score(text)
    }

    /// Whether a meaning names a vertebral fracture assessment exam (whole words: "LVA",
    /// not the letters inside "valvar").
    pub fn is_vfa_label(&self, meaning: &str) -> bool {
        self.carriers.is_vfa_label(meaning)
    }

    /// Whether a meaning names a vertebra's fracture grade.
    pub fn is_vfa_grade(&self, meaning: &str) -> bool {
        self.carriers.is_vfa_grade(meaning)
    }

    /// Whether an element's bytes are a results document (by its text, never its tag).
    pub fn is_results_document(&self, bytes: &[u8]) -> bool {
        self.carriers.is_results_document(bytes)
    }

    /// What a Hologic table type code holds.
    pub fn hologic_table(&self, code: u32) -> Option<TableKind> {
        self.carriers.hologic_table(code)
    }

    /// What a Hologic column type code holds.
    pub fn hologic_column(&self, code: u32) -> Option<ColumnField> {
        self.carriers.hologic_column(code)
    }

    /// What a Hologic row type code is.
    pub fn hologic_row(&self, code: u32) -> Option<&RowRole> {
        self.carriers.hologic_row(code)
    }

    /// The text of `field` in a document whose named values `value` looks up: the first
    /// rule (in profile order) whose name is present and whose words the value holds.
    pub fn hologic_value<'v>(
        &self,
        field: ValueField,
        value: impl Fn(&str) -> Option<&'v str>,
    ) -> Option<FoundValue> {
        self.hologic_values.hologic_value(field, value)
    }

    /// The region label a history table of `site` trends when it names none ("Total" when
    /// no rule names the site).
    pub fn hologic_history_label(&self, site: Option<Site>) -> &str {
        self.hologic_values.hologic_history_label(site)
    }
}

#[cfg(test)]
mod tests;
