//! All profiles compiled into lookup tables, and the one algorithm that applies them to a NUM
//! item (sr-shapes.md, "Deciding what a NUM item is"):
//! 1. measure from (scheme, code), else from the CodeMeaning (whole, or its last words);
//! 2. site from the nearest label naming one (else what the code implies);
//! 3. region from the nearest label naming one, within that site;
//! 4. laterality from the nearest Laterality item or side word (else what the code implies).

use std::collections::HashMap;

use super::{CodeKey, ProfileError, ProfileFile};
use crate::normalise::Calibration;
use crate::sr::{Code, ContentTree, ItemValue};
use crate::vocabulary::{Laterality, Manufacturer, Measure, Region, Site};

/// A study column that a TEXT item can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextField {
    /// The scanner's reference population.
    ReferenceDatabase,
}

#[derive(Debug, Clone, Copy)]
struct MeasureTarget {
    measure: Measure,
    site: Option<Site>,
    laterality: Option<Laterality>,
    profile: usize,
}

#[derive(Debug, Clone, Copy)]
struct RegionTarget {
    region: Region,
    within: Option<Site>,
    whole_of_site: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModifierRole {
    Laterality,
    Region,
}

/// The compiled profiles.
#[derive(Debug, Default)]
pub struct Mapper {
    profile_names: Vec<String>,
    measure_by_code: HashMap<(String, String), MeasureTarget>,
    measure_by_meaning: HashMap<String, MeasureTarget>,
    longest_meaning_words: usize,
    sites: Vec<(String, Site)>,
    regions: HashMap<String, Vec<RegionTarget>>,
    longest_region_words: usize,
    laterality_words: HashMap<String, Laterality>,
    laterality_codes: HashMap<(String, String), Laterality>,
    modifier_codes: HashMap<(String, String), ModifierRole>,
    modifier_meanings: HashMap<String, ModifierRole>,
    text_codes: HashMap<(String, String), TextField>,
    text_meanings: HashMap<String, TextField>,
    manufacturers: Vec<(String, Manufacturer, Option<Calibration>)>,
    dxa_titles: Vec<String>,
}

/// What a NUM item was mapped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedNum {
    /// The measure.
    pub measure: Measure,
    /// The canonical region (`other` when no label named one).
    pub region: Region,
    /// The side.
    pub laterality: Laterality,
    /// The site the region was read within, if any.
    pub site: Option<Site>,
    /// The label that gave the region, as the scanner wrote it.
    pub source_label: String,
    /// Name of the profile whose measure rule matched.
    pub profile: String,
    /// Whether the measure matched on the code (else on the meaning).
    pub by_code: bool,
}

/// Lower case, single spaces (underscores count as spaces), typographic apostrophes made
/// plain: how labels and meanings are compared.
pub fn normalise_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| c.is_whitespace() || c == '_')
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '\u{2019}' | '\u{2018}' | '`' => out.push('\''),
                c => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

fn code_key(scheme: &str, code: &str) -> (String, String) {
    (scheme.trim().to_ascii_uppercase(), code.trim().to_string())
}

fn parse_field<T: std::str::FromStr<Err = String>>(
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

impl Mapper {
    /// Compiles profiles; earlier profiles win where two rules match the same thing.
    pub fn new(profiles: &[ProfileFile]) -> Result<Mapper, ProfileError> {
        let mut m = Mapper::default();
        for (p, profile) in profiles.iter().enumerate() {
            // Errors name the file; `inspect` shows the profile's own name.
            let name = if profile.source.is_empty() {
                profile.name.as_str()
            } else {
                profile.source.as_str()
            };
            m.profile_names.push(profile.name.clone());
            for (n, rule) in profile.manufacturers.iter().enumerate() {
                let manufacturer = parse_field(&rule.manufacturer, name, "manufacturers", n)?;
                let calibration = match rule.calibration.as_deref() {
                    Some(text) => Some(parse_field(text, name, "manufacturers", n)?),
                    None => match manufacturer {
                        Manufacturer::Hologic => Some(Calibration::Hologic),
                        Manufacturer::GeLunar => Some(Calibration::GeLunar),
                        Manufacturer::Other => None,
                    },
                };
                for prefix in &rule.prefixes {
                    m.manufacturers
                        .push((prefix.trim().to_uppercase(), manufacturer, calibration));
                }
            }
            m.dxa_titles
                .extend(profile.dxa_titles.iter().map(|t| normalise_label(t)));
            for (n, rule) in profile.measures.iter().enumerate() {
                if rule.codes.is_empty() && rule.meanings.is_empty() {
                    return Err(ProfileError {
                        source_name: name.to_string(),
                        message: format!("[[measures]] #{}: needs codes or meanings", n + 1),
                    });
                }
                let target = MeasureTarget {
                    measure: parse_field(&rule.measure, name, "measures", n)?,
                    site: rule
                        .implies_site
                        .as_deref()
                        .map(|s| parse_field(s, name, "measures", n))
                        .transpose()?,
                    laterality: rule
                        .implies_laterality
                        .as_deref()
                        .map(|s| parse_field(s, name, "measures", n))
                        .transpose()?,
                    profile: p,
                };
                for CodeKey { scheme, code } in &rule.codes {
                    m.measure_by_code
                        .entry(code_key(scheme, code))
                        .or_insert(target);
                }
                for meaning in &rule.meanings {
                    let key = normalise_label(meaning);
                    m.longest_meaning_words = m.longest_meaning_words.max(key.split(' ').count());
                    m.measure_by_meaning.entry(key).or_insert(target);
                }
            }
            for (n, rule) in profile.sites.iter().enumerate() {
                let site = parse_field(&rule.site, name, "sites", n)?;
                for needle in &rule.contains {
                    m.sites.push((normalise_label(needle), site));
                }
            }
            for (n, rule) in profile.regions.iter().enumerate() {
                let target = RegionTarget {
                    region: parse_field(&rule.region, name, "regions", n)?,
                    within: rule
                        .within
                        .as_deref()
                        .map(|s| parse_field(s, name, "regions", n))
                        .transpose()?,
                    whole_of_site: rule.whole_of_site,
                };
                for label in &rule.labels {
                    let key = normalise_label(label);
                    m.longest_region_words = m.longest_region_words.max(key.split(' ').count());
                    m.regions.entry(key).or_default().push(target);
                }
            }
            for (n, rule) in profile.lateralities.iter().enumerate() {
                let laterality = parse_field(&rule.laterality, name, "lateralities", n)?;
                for word in &rule.words {
                    m.laterality_words
                        .entry(normalise_label(word))
                        .or_insert(laterality);
                }
                for CodeKey { scheme, code } in &rule.codes {
                    m.laterality_codes
                        .entry(code_key(scheme, code))
                        .or_insert(laterality);
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
                for CodeKey { scheme, code } in &rule.codes {
                    m.modifier_codes
                        .entry(code_key(scheme, code))
                        .or_insert(role);
                }
                for meaning in &rule.meanings {
                    m.modifier_meanings
                        .entry(normalise_label(meaning))
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
                for CodeKey { scheme, code } in &rule.codes {
                    m.text_codes.entry(code_key(scheme, code)).or_insert(field);
                }
                for meaning in &rule.meanings {
                    m.text_meanings
                        .entry(normalise_label(meaning))
                        .or_insert(field);
                }
            }
        }
        Ok(m)
    }

    /// The normalised manufacturer for (0008,0070), and the calibration its BMD is on.
    /// The longest matching prefix wins ("GE HEALTHCARE" over "GE").
    pub fn manufacturer(&self, raw: &str) -> (Manufacturer, Option<Calibration>) {
        let upper = raw.trim().to_uppercase();
        self.manufacturers
            .iter()
            .filter(|(prefix, _, _)| upper.starts_with(prefix.as_str()))
            .max_by_key(|(prefix, _, _)| prefix.len())
            .map_or((Manufacturer::Other, None), |(_, m, c)| (*m, *c))
    }

    /// Whether a document title says "bone densitometry" in any of the profiles' words.
    pub fn is_dxa_title(&self, title: &str) -> bool {
        let title = normalise_label(title);
        self.dxa_titles.iter().any(|t| title.contains(t.as_str()))
    }

    /// The study column a TEXT item fills, if any.
    pub fn text_field(&self, concept: &Code<'_>) -> Option<TextField> {
        self.text_codes
            .get(&code_key(concept.scheme, concept.value))
            .or_else(|| self.text_meanings.get(&normalise_label(concept.meaning)))
            .copied()
    }

    fn measure_of<'t>(&self, concept: &Code<'t>) -> Option<(MeasureTarget, bool, Option<&'t str>)> {
        if let Some(target) = self
            .measure_by_code
            .get(&code_key(concept.scheme, concept.value))
        {
            return Some((*target, true, None));
        }
        let meaning = concept.meaning.trim();
        let normalised = normalise_label(meaning);
        if let Some(target) = self.measure_by_meaning.get(&normalised) {
            return Some((*target, false, None));
        }
        // The last words of a longer meaning: "Left Femoral Neck BMD" is a BMD whose own
        // label is "Left Femoral Neck". Longest suffix first, so "Age-Matched Z-Score"
        // beats "Z-Score".
        let words: Vec<&str> = meaning
            .split(|c: char| c.is_whitespace() || c == '_')
            .filter(|w| !w.is_empty())
            .collect();
        let longest = self
            .longest_meaning_words
            .min(words.len().saturating_sub(1));
        for take in (1..=longest).rev() {
            let suffix = normalise_label(&words[words.len() - take..].join(" "));
            if let Some(target) = self.measure_by_meaning.get(&suffix) {
                // The prefix, as written, is a slice of `meaning` up to the first suffix word.
                let first = words[words.len() - take];
                let cut = first.as_ptr() as usize - meaning.as_ptr() as usize;
                let prefix = meaning[..cut].trim_end();
                return Some((*target, false, (!prefix.is_empty()).then_some(prefix)));
            }
        }
        None
    }

    fn site_of(&self, normalised_label: &str) -> Option<Site> {
        self.sites
            .iter()
            .find(|(needle, _)| normalised_label.contains(needle.as_str()))
            .map(|(_, site)| *site)
    }

    /// The label's words with side words removed ("DualFemur Left" -> "dualfemur").
    fn without_side_words<'l>(&self, normalised_label: &'l str) -> Vec<&'l str> {
        normalised_label
            .split(' ')
            .filter(|w| !w.is_empty() && !self.laterality_words.contains_key(*w))
            .collect()
    }

    /// The region a label names within `site`: the longest run of its last words that a
    /// rule lists, first rule whose `within` fits.
    fn region_of(&self, normalised_label: &str, site: Option<Site>) -> Option<RegionTarget> {
        let words = self.without_side_words(normalised_label);
        let longest = self.longest_region_words.min(words.len());
        for take in (1..=longest).rev() {
            let key = words[words.len() - take..].join(" ");
            if let Some(targets) = self.regions.get(&key)
                && let Some(target) = targets
                    .iter()
                    .find(|t| t.within.is_none() || t.within == site)
            {
                return Some(*target);
            }
        }
        None
    }

    fn side_of_label(&self, normalised_label: &str) -> Option<Laterality> {
        normalised_label
            .split(' ')
            .find_map(|w| self.laterality_words.get(w).copied())
    }

    fn modifier_role(&self, concept: &Code<'_>) -> Option<ModifierRole> {
        self.modifier_codes
            .get(&code_key(concept.scheme, concept.value))
            .or_else(|| {
                self.modifier_meanings
                    .get(&normalise_label(concept.meaning))
            })
            .copied()
    }

    /// Collects, per item, the modifiers (Laterality, Finding Site) its children attach to
    /// it. Done once per tree so that mapping a NUM never rescans siblings.
    pub fn modifiers<'t>(&self, tree: &ContentTree<'t>) -> Vec<Modifiers<'t>> {
        let mut out = vec![Modifiers::default(); tree.items.len()];
        for item in &tree.items {
            let (Some(parent), Some(concept), ItemValue::Code(value)) =
                (item.parent, item.concept.as_ref(), item.value)
            else {
                continue;
            };
            match self.modifier_role(concept) {
                Some(ModifierRole::Laterality) => {
                    let side = self
                        .laterality_codes
                        .get(&code_key(value.scheme, value.value))
                        .copied()
                        .or_else(|| self.side_of_label(&normalise_label(value.meaning)));
                    if out[parent].laterality.is_none() {
                        out[parent].laterality = side;
                    }
                }
                Some(ModifierRole::Region)
                    if out[parent].region_label.is_none() && !value.meaning.is_empty() =>
                {
                    out[parent].region_label = Some(value.meaning);
                }
                Some(ModifierRole::Region) => {}
                None => {}
            }
        }
        out
    }

    /// Maps the NUM item at `index`; None when no rule names its measure.
    pub fn map_num(
        &self,
        tree: &ContentTree<'_>,
        modifiers: &[Modifiers<'_>],
        index: usize,
    ) -> Option<MappedNum> {
        let item = &tree.items[index];
        let (target, by_code, own_label) = self.measure_of(item.concept.as_ref()?)?;

        // Labels innermost first: the item's own words, then per ancestor its Finding Site
        // value and its concept meaning.
        let mut labels: Vec<(&str, String)> = Vec::with_capacity(8);
        if let Some(own) = own_label {
            labels.push((own, normalise_label(own)));
        }
        let mut modifier_side = None;
        for ancestor in tree.ancestry(index).skip(1) {
            let m = &modifiers[ancestor];
            if modifier_side.is_none() {
                modifier_side = m.laterality.map(|side| (labels.len(), side));
            }
            if let Some(label) = m.region_label {
                labels.push((label, normalise_label(label)));
            }
            if let Some(concept) = &tree.items[ancestor].concept
                && !concept.meaning.is_empty()
            {
                labels.push((concept.meaning, normalise_label(concept.meaning)));
            }
        }

        let site_at = labels.iter().position(|(_, l)| self.site_of(l).is_some());
        let site = site_at
            .and_then(|at| self.site_of(&labels[at].1))
            .or(target.site);

        let mut region = Region::Other;
        let mut source_label = labels.first().map_or("", |(raw, _)| *raw);
        for (raw, label) in &labels {
            if let Some(found) = self.region_of(label, site) {
                region = found.region;
                source_label = raw;
                if found.whole_of_site
                    && let Some(at) = site_at
                    && let Some(group) = self.region_of(&labels[at].1, site)
                    && !group.whole_of_site
                {
                    region = group.region;
                }
                break;
            }
        }

        // Side: the nearest of a side word in a label and a Laterality item.
        let word_side = labels
            .iter()
            .enumerate()
            .find_map(|(at, (_, l))| self.side_of_label(l).map(|side| (at, side)));
        let laterality = match (word_side, modifier_side) {
            (Some((w, side)), Some((m, _))) if w < m => Some(side),
            (_, Some((_, side))) => Some(side),
            (Some((_, side)), None) => Some(side),
            (None, None) => None,
        }
        .or(target.laterality)
        .filter(|_| region.is_sided())
        .unwrap_or(Laterality::None);

        Some(MappedNum {
            measure: target.measure,
            region,
            laterality,
            site,
            source_label: source_label.to_string(),
            profile: self.profile_names[target.profile].clone(),
            by_code,
        })
    }
}

/// What modifier items attach to one container.
#[derive(Debug, Clone, Copy, Default)]
pub struct Modifiers<'t> {
    /// From a Laterality item.
    pub laterality: Option<Laterality>,
    /// The meaning of a Finding Site / Region item's value.
    pub region_label: Option<&'t str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_normalise() {
        assert_eq!(normalise_label("  Left   HIP_Total "), "left hip total");
        assert_eq!(normalise_label("Ward\u{2019}s"), "ward's");
    }

    fn mapper() -> Mapper {
        Mapper::new(&crate::profile::builtin_profiles()).expect("built-ins compile")
    }

    #[test]
    fn manufacturers_by_prefix() {
        let m = mapper();
        let id = |raw| m.manufacturer(raw).0;
        assert_eq!(id("HOLOGIC"), Manufacturer::Hologic);
        assert_eq!(id("Hologic, Inc."), Manufacturer::Hologic);
        assert_eq!(id("GE Healthcare"), Manufacturer::GeLunar);
        assert_eq!(id("LUNAR"), Manufacturer::GeLunar);
        assert_eq!(id("GE MEDICAL SYSTEMS"), Manufacturer::GeLunar);
        assert_eq!(id("Norland"), Manufacturer::Other);
        assert_eq!(id(""), Manufacturer::Other);
        assert_eq!(m.manufacturer("Norland").1, Some(Calibration::Norland));
        assert_eq!(
            m.manufacturer("GE Healthcare").1,
            Some(Calibration::GeLunar)
        );
        assert_eq!(m.manufacturer("Acme Gateway").1, None);
    }

    #[test]
    fn regions_need_their_site() {
        let m = mapper();
        let total = normalise_label("Total");
        let region = |site| m.region_of(&total, site).map(|t| t.region);
        assert_eq!(region(Some(Site::Hip)), Some(Region::TotalHip));
        assert_eq!(region(Some(Site::Spine)), Some(Region::SpineL1L4));
        assert_eq!(region(Some(Site::Forearm)), Some(Region::RadiusTotal));
        assert_eq!(region(Some(Site::TotalBody)), Some(Region::TotalBody));
        assert_eq!(region(None), None, "Total means nothing alone");
        let neck = m.region_of(&normalise_label("Left Hip Femoral Neck"), Some(Site::Hip));
        assert_eq!(neck.map(|t| t.region), Some(Region::FemoralNeck));
        let upper = m.region_of(&normalise_label("Upper Neck"), Some(Site::Hip));
        assert_eq!(upper.map(|t| t.region), Some(Region::UpperNeck));
    }

    #[test]
    fn sites_on_substrings() {
        let m = mapper();
        assert_eq!(
            m.site_of(&normalise_label("DualFemur Left")),
            Some(Site::Hip)
        );
        assert_eq!(
            m.site_of(&normalise_label("AP Spine L1-L4")),
            Some(Site::Spine)
        );
        assert_eq!(
            m.site_of(&normalise_label("Left Forearm")),
            Some(Site::Forearm)
        );
        assert_eq!(
            m.site_of(&normalise_label("Whole Body")),
            Some(Site::TotalBody)
        );
        assert_eq!(
            m.site_of(&normalise_label("Bone Densitometry Report")),
            None
        );
    }
}
