//! What labels say: a meaning's measure, a label's site, side and region words, and the
//! resolution of a NUM's labels into site, region and side (steps 1-5 of the module docs).

use std::borrow::Cow;
use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use super::{Mapper, MeasureTarget, ModifierRole, RegionTarget, code_ref, word_starts};
use crate::profile::keys::{LabelRef, NormalisedRef, normalise_label};
use crate::short_bytes::same_bytes;
use crate::sr::{Code, ContentTree, ItemValue};
use crate::vocabulary::{Laterality, Measure, Region, Site};

/// Where a list of labels puts a value (the carriers' labels, read like a NUM's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<'m> {
    /// The canonical region (`other` when no label named one).
    pub region: Region,
    /// The side.
    pub laterality: Laterality,
    /// The site the region was read within.
    pub site: Option<Site>,
    /// The label that named the region (else the innermost label).
    pub source_label: String,
    /// The region rule's note.
    pub note: Option<&'m str>,
}

impl Mapper {
    /// Region, side and site of `labels` (innermost first), by the rules that place a NUM
    /// item: for values that do not come from a content tree (XML, results documents,
    /// trend containers).
    pub fn place(&self, labels: &[&str]) -> Placed<'_> {
        let infos: Vec<LabelInfo<'_>> = labels
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| self.label_info(Cow::Owned(l.to_string())))
            .collect();
        let refs: Vec<&LabelInfo<'_>> = infos.iter().collect();
        let target = MeasureTarget {
            measure: Measure::Bmd,
            site: None,
            laterality: None,
            profile: 0,
        };
        let resolved = self.resolve(&refs, None, &target);
        Placed {
            region: resolved.region,
            laterality: resolved.laterality,
            site: resolved.site,
            source_label: resolved.source_label.into_owned(),
            note: resolved.note.map(|n| &*self.notes[n as usize]),
        }
    }

    /// The measure a meaning names (code rules are not consulted: for element names and
    /// labels of the carriers).
    pub fn measure_named(&self, meaning: &str) -> Option<Measure> {
        self.measure_by_meaning
            .get(&LabelRef(meaning.trim()))
            .map(|t| t.measure)
    }

    /// The measure rule for a concept, whether it matched on the code, and the leading words
    /// of a meaning that matched only on its last words ("Left Femoral Neck" of "Left
    /// Femoral Neck BMD").
    #[inline]
    pub(super) fn measure_of<'c, 't>(
        &self,
        concept: &'c Code<'t>,
    ) -> Option<(MeasureTarget, bool, Option<&'c str>)> {
        if let Some(target) = self.measure_by_code.get(&code_ref(concept)) {
            return Some((*target, true, None));
        }
        let meaning = concept.meaning.trim();
        if let Some(target) = self.measure_by_meaning.get(&LabelRef(meaning)) {
            return Some((*target, false, None));
        }
        // Longest suffix first, so that "Age-Matched Z-Score" beats "Z-Score".
        let starts: Vec<usize> = word_starts(meaning).collect();
        let longest = self
            .longest_meaning_words
            .min(starts.len().saturating_sub(1));
        for take in (1..=longest).rev() {
            let cut = starts[starts.len() - take];
            if let Some(target) = self.measure_by_meaning.get(&LabelRef(&meaning[cut..])) {
                let prefix =
                    meaning[..cut].trim_end_matches(|c: char| c.is_whitespace() || c == '_');
                return Some((*target, false, (!prefix.is_empty()).then_some(prefix)));
            }
        }
        None
    }

    pub(super) fn site_of(&self, normalised_label: &str) -> Option<Site> {
        self.sites
            .iter()
            .find(|(needle, _)| normalised_label.contains(needle.as_str()))
            .map(|(_, site)| *site)
    }

    /// What a label says on its own: its site, its side, its words without side words.
    /// Labels repeat across the files of an export ("AP Spine", "L1", "Neck"), so the
    /// answer is cached per worker thread.
    pub(super) fn label_info<'t>(&self, raw: Cow<'t, str>) -> LabelInfo<'t> {
        /// A label's text (its hash beside it) and what it means.
        type Entry = (u64, Box<[u8]>, LabelMeaning);
        thread_local! {
            static CACHE: std::cell::RefCell<(u64, DefaultHashBuilder, HashTable<Entry>)> =
                std::cell::RefCell::new((0, DefaultHashBuilder::default(), HashTable::new()));
        }
        /// Distinct labels kept; a hostile stream of unique labels cannot grow it further.
        const MOST: usize = 4096;
        let (site, side, regions) = CACHE.with_borrow_mut(|(id, hasher, cache)| {
            if *id != self.id {
                *id = self.id;
                cache.clear();
            }
            let found = |m: &LabelMeaning| (m.site, m.side, m.regions);
            let bytes = raw.as_bytes();
            let hash = hasher.hash_one(bytes);
            // Compared eight bytes at a time, as concepts are (`same_bytes`).
            if let Some((_, _, meaning)) =
                cache.find(hash, |(h, text, _)| *h == hash && same_bytes(text, bytes))
            {
                return found(meaning);
            }
            let meaning = self.label_meaning(&raw);
            if cache.len() >= MOST {
                cache.clear();
            }
            let answer = found(&meaning);
            cache.insert_unique(hash, (hash, bytes.into(), meaning), |(h, _, _)| *h);
            answer
        });
        LabelInfo {
            raw,
            site,
            side,
            regions,
        }
    }

    pub(super) fn label_meaning(&self, raw: &str) -> LabelMeaning {
        let normalised = normalise_label(raw);
        let (core, side) = self.core_and_side(&normalised);
        let mut regions = [None; SITE_SLOTS];
        regions[0] = self.region_of(&core, None);
        for &site in Site::ALL {
            regions[site_slot(Some(site))] = self.region_of(&core, Some(site));
        }
        LabelMeaning {
            site: self.site_of(&normalised),
            side,
            regions,
        }
    }

    /// A normalised label's core (its words without side words: what region rules match)
    /// and the side its first side word names.
    pub(super) fn core_and_side(&self, normalised: &str) -> (String, Option<Laterality>) {
        let mut side = None;
        let mut core = String::with_capacity(normalised.len());
        for word in normalised.split(' ').filter(|w| !w.is_empty()) {
            match self.laterality_words.get(&NormalisedRef(word)) {
                Some(found) => {
                    side.get_or_insert(*found);
                }
                None => {
                    if !core.is_empty() {
                        core.push(' ');
                    }
                    core.push_str(word);
                }
            }
        }
        (core, side)
    }

    /// The region a label names within `site`: the longest run of its last words (side
    /// words removed) that a rule lists, first rule whose `within` fits.
    pub(super) fn region_of(&self, core: &str, site: Option<Site>) -> Option<RegionTarget> {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(core.match_indices(' ').map(|(at, _)| at + 1))
            .collect();
        let longest = self.longest_region_words.min(starts.len());
        for take in (1..=longest).rev() {
            let suffix = &core[starts[starts.len() - take]..];
            if let Some(targets) = self.regions.get(&NormalisedRef(suffix))
                && let Some(target) = targets
                    .iter()
                    .find(|t| t.within.is_none() || t.within == site)
            {
                return Some(*target);
            }
        }
        None
    }

    pub(super) fn side_of_label(&self, label: &str) -> Option<Laterality> {
        self.label_info(Cow::Borrowed(label)).side
    }

    pub(super) fn modifier_role(&self, concept: &Code<'_>) -> Option<ModifierRole> {
        self.modifier_codes
            .get(&code_ref(concept))
            .or_else(|| self.modifier_meanings.get(&LabelRef(concept.meaning)))
            .copied()
    }

    /// Per item, the modifiers (Laterality, Finding Site) its children attach to it.
    pub(super) fn modifiers<'t>(&self, tree: &ContentTree<'t>) -> Vec<Modifiers<'t>> {
        let mut out = vec![Modifiers::default(); tree.items.len()];
        for item in &tree.items {
            let (Some(parent), Some(concept), ItemValue::Code(value)) =
                (item.parent, item.concept.as_ref(), &item.value)
            else {
                continue;
            };
            let slot = &mut out[parent];
            match self.modifier_role(concept) {
                Some(ModifierRole::Laterality) if slot.laterality.is_none() => {
                    slot.laterality = self
                        .laterality_codes
                        .get(&code_ref(value))
                        .copied()
                        .or_else(|| self.side_of_label(&normalise_label(value.meaning)));
                }
                Some(ModifierRole::Region)
                    if slot.region_label.is_none() && !value.meaning.is_empty() =>
                {
                    slot.region_label = Some(value.meaning);
                }
                _ => {}
            }
        }
        out
    }

    /// Site, region, side and source label from labels (innermost first) and the hints of
    /// the measure rule. `modifier_side` is a Laterality item's side and the number of
    /// labels inside it.
    pub(super) fn resolve<'t>(
        &self,
        labels: &[&LabelInfo<'t>],
        modifier_side: Option<(usize, Laterality)>,
        target: &MeasureTarget,
    ) -> Resolved<'t> {
        self.resolve_list(labels, modifier_side, target)
    }

    /// `resolve` on any list of labels (`TreeMapper`'s are ids into the labels of its tree,
    /// read in place rather than collected into a new vector per resolution).
    pub(super) fn resolve_list<'t, L: Labels<'t> + ?Sized>(
        &self,
        labels: &L,
        modifier_side: Option<(usize, Laterality)>,
        target: &MeasureTarget,
    ) -> Resolved<'t> {
        let count = labels.count();
        let site_at = (0..count).find(|&at| labels.at(at).site.is_some());
        let site = site_at.and_then(|at| labels.at(at).site).or(target.site);

        let mut region = Region::Other;
        let mut note = None;
        let mut source_label = if count > 0 {
            labels.at(0).raw.clone()
        } else {
            Cow::default()
        };
        for at in 0..count {
            let label = labels.at(at);
            if let Some(found) = label.region(site) {
                region = found.region;
                note = found.note;
                source_label = label.raw.clone();
                // "Total" under "AP Spine L2-L4" is the group's region.
                if found.whole_of_site
                    && let Some(at) = site_at
                    && let Some(group) = labels.at(at).region(site)
                    && !group.whole_of_site
                {
                    region = group.region;
                }
                break;
            }
        }

        // Side: the nearer of a side word in a label and a Laterality item.
        let word_side = (0..count).find_map(|at| labels.at(at).side.map(|side| (at, side)));
        let laterality = match (word_side, modifier_side) {
            (Some((w, side)), Some((m, _))) if w < m => Some(side),
            (_, Some((_, side))) => Some(side),
            (Some((_, side)), None) => Some(side),
            (None, None) => None,
        }
        .or(target.laterality)
        .filter(|_| region.is_sided())
        .unwrap_or(Laterality::None);

        Resolved {
            site,
            region,
            laterality,
            source_label,
            note,
        }
    }
}

/// Labels in order, innermost first, as `Mapper::resolve_list` reads them.
pub(super) trait Labels<'t> {
    /// How many labels there are.
    fn count(&self) -> usize;
    /// The label at `at` (below `count`).
    fn at(&self, at: usize) -> &LabelInfo<'t>;
}

impl<'t> Labels<'t> for [&LabelInfo<'t>] {
    fn count(&self) -> usize {
        self.len()
    }

    fn at(&self, at: usize) -> &LabelInfo<'t> {
        self[at]
    }
}

/// Slots of a label's regions: one for no site, one per site.
const SITE_SLOTS: usize = Site::ALL.len() + 1;

fn site_slot(site: Option<Site>) -> usize {
    site.map_or(0, |site| site as usize + 1)
}

/// What modifier items attach to one container. Borrowed from the tree (`Copy`: a tree's
/// vector of them is filled and dropped without a pass over its items).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Modifiers<'t> {
    pub(super) laterality: Option<Laterality>,
    pub(super) region_label: Option<&'t str>,
}

/// A label and what it says on its own.
#[derive(Debug, Clone)]
pub(super) struct LabelInfo<'t> {
    /// As the scanner wrote it.
    pub(super) raw: Cow<'t, str>,
    pub(super) site: Option<Site>,
    pub(super) side: Option<Laterality>,
    /// `Mapper::region_of` its core within no site and within each site, worked out once
    /// with the rest of what the label means (resolutions ask it of every label they
    /// read, each a search of the region rules by the core's last words).
    regions: [Option<RegionTarget>; SITE_SLOTS],
}

impl LabelInfo<'_> {
    /// The region the label names within `site` (`Mapper::region_of` of its core).
    pub(super) fn region(&self, site: Option<Site>) -> Option<RegionTarget> {
        self.regions[site_slot(site)]
    }
}

/// What a label's text means, whatever file it is in.
#[derive(Debug, Clone)]
pub(super) struct LabelMeaning {
    site: Option<Site>,
    side: Option<Laterality>,
    regions: [Option<RegionTarget>; SITE_SLOTS],
}

#[derive(Debug, Clone)]
pub(super) struct Resolved<'t> {
    pub(super) site: Option<Site>,
    pub(super) region: Region,
    pub(super) laterality: Laterality,
    pub(super) source_label: Cow<'t, str>,
    pub(super) note: Option<u32>,
}

#[cfg(test)]
mod tests;
