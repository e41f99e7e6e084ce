//! A results document's plain assignments (`MenopauseAge = "44";`): some 30 a document,
//! of which some 25 names are asked for.

use std::borrow::Cow;

/// A document's plain values, listed as written: a name's first is the one kept, found
/// when asked for (some 25 names per document) by a pass over the list (some 30 values):
/// no tree node and search per value written (docs/performance.md, "Body composition
/// files").
#[derive(Debug, Clone, Default)]
pub struct Values<'t> {
    written: Vec<(&'t str, Cow<'t, str>)>,
}

impl<'t> Values<'t> {
    /// The value first written of `name`.
    pub fn get(&self, name: &str) -> Option<&Cow<'t, str>> {
        self.written
            .iter()
            .find(|(written, _)| written.len() == name.len() && *written == name)
            .map(|(_, value)| value)
    }

    /// Whether no value was written.
    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    /// The names and their kept values, in order of their names.
    pub fn iter(&self) -> std::vec::IntoIter<(&&'t str, &Cow<'t, str>)> {
        let mut kept: Vec<(&&'t str, &Cow<'t, str>)> = self
            .written
            .iter()
            .map(|(name, value)| (name, value))
            .collect();
        // Stable: a name's first written stays first, and is the one kept.
        kept.sort_by_key(|(name, _)| **name);
        kept.dedup_by_key(|(name, _)| **name);
        kept.into_iter()
    }

    /// A value written (kept when its name is new).
    pub(super) fn push(&mut self, name: &'t str, value: Cow<'t, str>) {
        // A report image's document has some 30: room for them at once, not grown.
        if self.written.capacity() == 0 {
            self.written.reserve(48);
        }
        self.written.push((name, value));
    }
}

impl PartialEq for Values<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Values<'_> {}

impl<'a, 't> IntoIterator for &'a Values<'t> {
    type Item = (&'a &'t str, &'a Cow<'t, str>);
    type IntoIter = std::vec::IntoIter<Self::Item>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests;
