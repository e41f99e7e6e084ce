//! Mapping the NUM items of one tree: each item's labels analysed once, each parent's
//! resolution shared by the NUM items below it.

use std::borrow::Cow;

use super::labels::{LabelInfo, Labels, Modifiers, Resolved};
use super::{ConceptAnswer, MappedNum, Mapper};
use crate::short_bytes::same_bytes;
use crate::sr::ContentTree;
use crate::vocabulary::{Laterality, Site};

impl Mapper {
    /// Prepares mapping the NUM items of one tree.
    pub fn for_tree<'m, 'r, 't>(&'m self, tree: &'r ContentTree<'t>) -> TreeMapper<'m, 'r, 't> {
        TreeMapper {
            mapper: self,
            modifiers: self.modifiers(tree),
            labels: Vec::with_capacity(tree.items.len()),
            item_labels: vec![None; tree.items.len()],
            context_labels: Vec::with_capacity(4 * tree.items.len()),
            context_of: vec![NO_CONTEXT; tree.items.len()],
            contexts: Vec::new(),
            concepts: Vec::new(),
            tree,
        }
    }
}

/// The labels above an item (a run of `TreeMapper::context_labels`) and what they resolve
/// to.
#[derive(Debug, Clone)]
struct Context<'t> {
    /// Where its label ids start in `TreeMapper::context_labels`, and how many.
    labels: (u32, u32),
    modifier_side: Option<(usize, Laterality)>,
    /// The last resolution, with the rule hints it was made for.
    resolved: Option<(Option<Site>, Option<Laterality>, Resolved<'t>)>,
}

/// Maps the NUM items of one tree. Each item's labels are analysed once, and each parent's
/// resolution is shared by the NUM items below it.
pub struct TreeMapper<'m, 'r, 't> {
    mapper: &'m Mapper,
    tree: &'r ContentTree<'t>,
    modifiers: Vec<Modifiers<'t>>,
    /// Every label analysed so far.
    labels: Vec<LabelInfo<'t>>,
    /// Per item: its own labels (Finding Site value, concept meaning), once analysed.
    item_labels: Vec<Option<[Option<u32>; 2]>>,
    /// The label ids of every context, one run per context (one vector for the tree, not
    /// one per context).
    context_labels: Vec<u32>,
    /// Per item: where its context is in `contexts` (`NO_CONTEXT` until filled), so that
    /// only the parents of values hold one.
    context_of: Vec<u32>,
    contexts: Vec<Context<'t>>,
    /// The distinct concepts of the values answered so far (up to `TREE_CONCEPTS`). A
    /// tree's values repeat a few concepts (BMD, T-score, Z-score, ... per region), which
    /// this short list finds by their lengths and bytes before the per-thread cache is
    /// asked.
    concepts: Vec<SeenConcept<'r>>,
}

/// A concept of a tree's value (its parts' bytes, borrowed from the tree) and its answer.
struct SeenConcept<'r> {
    scheme: &'r [u8],
    code: &'r [u8],
    meaning: &'r [u8],
    answer: ConceptAnswer,
}

/// `TreeMapper::context_of` of an item whose context is not filled.
const NO_CONTEXT: u32 = u32::MAX;

/// Most distinct concepts a `TreeMapper` keeps; later ones are asked of the per-thread
/// cache each time.
const TREE_CONCEPTS: usize = 16;

/// A NUM's labels as `resolve_list` reads them: its own label, if any, then its context's.
struct ContextLabels<'a, 't> {
    own: Option<&'a LabelInfo<'t>>,
    ids: &'a [u32],
    labels: &'a [LabelInfo<'t>],
}

impl<'t> Labels<'t> for ContextLabels<'_, 't> {
    #[inline]
    fn count(&self) -> usize {
        usize::from(self.own.is_some()) + self.ids.len()
    }

    #[inline]
    fn at(&self, at: usize) -> &LabelInfo<'t> {
        match (self.own, at) {
            (Some(own), 0) => own,
            (Some(_), at) => &self.labels[self.ids[at - 1] as usize],
            (None, at) => &self.labels[self.ids[at] as usize],
        }
    }
}

impl<'m, 't> TreeMapper<'m, '_, 't> {
    fn add_label(&mut self, raw: Cow<'t, str>) -> u32 {
        self.labels.push(self.mapper.label_info(raw));
        (self.labels.len() - 1) as u32
    }

    /// The labels an item contributes, innermost first.
    fn labels_of(&mut self, item: usize) -> [Option<u32>; 2] {
        if let Some(ids) = self.item_labels[item] {
            return ids;
        }
        let finding = self.modifiers[item].region_label;
        let finding = finding.map(|label| self.add_label(Cow::Borrowed(label)));
        let concept = self.tree.items[item]
            .concept
            .as_ref()
            .filter(|c| !c.meaning.is_empty())
            .map(|c| Cow::Borrowed(c.meaning));
        let concept = concept.map(|label| self.add_label(label));
        let ids = [finding, concept];
        self.item_labels[item] = Some(ids);
        ids
    }

    /// Fills the context of `parent` (the labels of it and its ancestors, innermost first)
    /// if not yet done; returns where it is in `contexts`.
    fn fill_context(&mut self, parent: usize) -> usize {
        let at = self.context_of[parent];
        if at != NO_CONTEXT {
            return at as usize;
        }
        let start = self.context_labels.len();
        let mut modifier_side = None;
        let tree = self.tree;
        for ancestor in tree.ancestry(parent) {
            if modifier_side.is_none() {
                modifier_side = self.modifiers[ancestor]
                    .laterality
                    .map(|side| (self.context_labels.len() - start, side));
            }
            let ids = self.labels_of(ancestor);
            self.context_labels.extend(ids.into_iter().flatten());
        }
        self.contexts.push(Context {
            labels: (start as u32, (self.context_labels.len() - start) as u32),
            modifier_side,
            resolved: None,
        });
        self.context_of[parent] = (self.contexts.len() - 1) as u32;
        self.contexts.len() - 1
    }

    /// Maps the NUM item at `index`; None when no rule names its measure.
    pub fn map_num(&mut self, index: usize) -> Option<MappedNum<'m, 't>> {
        let answer = self.concept(index)?;
        self.map_answered(index, answer)
    }

    /// What the profiles say of the concept of the item at `index` (`Mapper::concept`);
    /// None when it has none.
    pub fn concept(&mut self, index: usize) -> Option<ConceptAnswer> {
        let tree = self.tree;
        let concept = tree.items[index].concept.as_ref()?;
        let (scheme, code, meaning) = (
            concept.scheme.as_bytes(),
            concept.value.as_bytes(),
            concept.meaning.as_bytes(),
        );
        for seen in &self.concepts {
            if seen.meaning.len() == meaning.len()
                && seen.code.len() == code.len()
                && seen.scheme.len() == scheme.len()
                && same_bytes(seen.meaning, meaning)
                && same_bytes(seen.code, code)
                && same_bytes(seen.scheme, scheme)
            {
                return Some(seen.answer);
            }
        }
        let answer = self.mapper.concept(concept);
        if self.concepts.len() < TREE_CONCEPTS {
            self.concepts.push(SeenConcept {
                scheme,
                code,
                meaning,
                answer,
            });
        }
        Some(answer)
    }

    /// `map_num` with what the profiles say of the item's concept already known
    /// (`Mapper::concept` of it).
    pub fn map_answered(
        &mut self,
        index: usize,
        answer: ConceptAnswer,
    ) -> Option<MappedNum<'m, 't>> {
        let mapper = self.mapper;
        let tree = self.tree;
        let item = &tree.items[index];
        let concept = item.concept.as_ref()?;
        let found = answer.measure?;
        let (target, by_code) = (found.target, found.by_code);
        let own = found
            .own_label(concept)
            .map(|own| mapper.label_info(Cow::Owned(own.to_string())));
        let context_at = item.parent.map(|parent| self.fill_context(parent));
        let context = context_at.map(|at| &self.contexts[at]);
        let ids = context.map_or(&[][..], |c| {
            let (start, len) = c.labels;
            &self.context_labels[start as usize..(start + len) as usize]
        });
        let resolved = match (&own, context) {
            (None, Some(context)) => match &context.resolved {
                Some((site, side, resolved))
                    if *site == target.site && *side == target.laterality =>
                {
                    resolved.clone()
                }
                _ => {
                    let labels = ContextLabels {
                        own: None,
                        ids,
                        labels: &self.labels,
                    };
                    let resolved = mapper.resolve_list(&labels, context.modifier_side, &target);
                    let at = context_at.expect("a context is a parent's");
                    self.contexts[at].resolved =
                        Some((target.site, target.laterality, resolved.clone()));
                    resolved
                }
            },
            (own, context) => {
                // The item's own words come first; not shared with its siblings.
                let offset = usize::from(own.is_some());
                let labels = ContextLabels {
                    own: own.as_ref(),
                    ids,
                    labels: &self.labels,
                };
                let modifier_side = context
                    .and_then(|c| c.modifier_side)
                    .map(|(at, side)| (at + offset, side));
                mapper.resolve_list(&labels, modifier_side, &target)
            }
        };
        Some(MappedNum {
            measure: target.measure,
            region: resolved.region,
            laterality: resolved.laterality,
            site: resolved.site,
            source_label: resolved.source_label,
            profile: &mapper.profile_names[target.profile],
            by_code,
            note: resolved.note.map(|n| &*mapper.notes[n as usize]),
        })
    }
}

#[cfg(test)]
mod tests;
