//! Mapping the NUM items of one tree: each item's labels analysed once, each parent's
//! resolution shared by the NUM items below it.

use std::borrow::Cow;

use super::labels::{LabelInfo, Modifiers, Resolved};
use super::{MappedNum, Mapper};
use crate::sr::ContentTree;
use crate::vocabulary::{Laterality, Site};

impl Mapper {
    /// Prepares mapping the NUM items of one tree.
    pub fn for_tree<'m, 'r, 't>(&'m self, tree: &'r ContentTree<'t>) -> TreeMapper<'m, 'r, 't> {
        TreeMapper {
            mapper: self,
            modifiers: self.modifiers(tree),
            labels: Vec::new(),
            item_labels: vec![None; tree.items.len()],
            contexts: vec![None; tree.items.len()],
            tree,
        }
    }
}

/// The labels above an item (ids into `TreeMapper::labels`) and what they resolve to.
#[derive(Debug, Clone)]
struct Context<'t> {
    labels: Vec<u32>,
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
    contexts: Vec<Option<Context<'t>>>,
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
        let finding = self.modifiers[item].region_label.clone();
        let finding = finding.map(|label| self.add_label(label));
        let concept = self.tree.items[item]
            .concept
            .as_ref()
            .filter(|c| !c.meaning.is_empty())
            .map(|c| c.meaning.clone());
        let concept = concept.map(|label| self.add_label(label));
        let ids = [finding, concept];
        self.item_labels[item] = Some(ids);
        ids
    }

    /// The labels of `parent` and its ancestors, innermost first.
    fn context(&mut self, parent: usize) -> &mut Context<'t> {
        if self.contexts[parent].is_none() {
            let mut labels = Vec::with_capacity(8);
            let mut modifier_side = None;
            let tree = self.tree;
            for ancestor in tree.ancestry(parent) {
                if modifier_side.is_none() {
                    modifier_side = self.modifiers[ancestor]
                        .laterality
                        .map(|side| (labels.len(), side));
                }
                labels.extend(self.labels_of(ancestor).into_iter().flatten());
            }
            self.contexts[parent] = Some(Context {
                labels,
                modifier_side,
                resolved: None,
            });
        }
        self.contexts[parent].as_mut().expect("just filled")
    }

    /// Maps the NUM item at `index`; None when no rule names its measure.
    pub fn map_num(&mut self, index: usize) -> Option<MappedNum<'m, 't>> {
        let mapper = self.mapper;
        let tree = self.tree;
        let item = &tree.items[index];
        let (target, by_code, own_label) = mapper.measure_of(item.concept.as_ref()?)?;
        let own = own_label.map(|own| mapper.label_info(Cow::Owned(own.to_string())));
        let resolved = match (own, item.parent) {
            (None, Some(parent)) => {
                self.context(parent);
                let context = self.contexts[parent].as_ref().expect("filled");
                match &context.resolved {
                    Some((site, side, resolved))
                        if *site == target.site && *side == target.laterality =>
                    {
                        resolved.clone()
                    }
                    _ => {
                        let labels: Vec<&LabelInfo<'t>> = context
                            .labels
                            .iter()
                            .map(|&id| &self.labels[id as usize])
                            .collect();
                        let resolved = mapper.resolve(&labels, context.modifier_side, &target);
                        self.contexts[parent].as_mut().expect("filled").resolved =
                            Some((target.site, target.laterality, resolved.clone()));
                        resolved
                    }
                }
            }
            (own, parent) => {
                // The item's own words come first; not shared with its siblings.
                if let Some(parent) = parent {
                    self.context(parent);
                }
                let context = parent.and_then(|p| self.contexts[p].as_ref());
                let offset = usize::from(own.is_some());
                let labels: Vec<&LabelInfo<'t>> = own
                    .iter()
                    .chain(
                        context
                            .into_iter()
                            .flat_map(|c| c.labels.iter().map(|&id| &self.labels[id as usize])),
                    )
                    .collect();
                let modifier_side = context
                    .and_then(|c| c.modifier_side)
                    .map(|(at, side)| (at + offset, side));
                mapper.resolve(&labels, modifier_side, &target)
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
