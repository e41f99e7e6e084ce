//! A region's label as written (`L Arm`, `Arm Left`): a few texts per region, written again
//! in every composition of a scanner's files.
//!
//! A label held as a `String` was an allocation, a copy and a free per region wherever a
//! composition is made (the carriers, the run's store read back at the end), and each
//! body_composition.csv row checked its text again (docs/performance.md, "The end of a
//! run"). Now the first few plain labels met for each region are kept for the process
//! (`LEARNED`: at most `PER_REGION` texts of at most `MAX_BYTES` bytes per region, made
//! once and never freed, so a few kilobytes at most) and a label equal to one of them is
//! that static text; any other label (past the slots, longer, or not plain) is held as a
//! `String` as before. The text is the same either way: only where it is held differs.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use super::BodyRegion;
use crate::field_bytes::plain_field;
use crate::short_bytes::same_bytes;

/// Labels kept per region: a region's label as Hologic writes it and as GE does, with room.
const PER_REGION: usize = 4;

/// The longest label kept (the scanners' are at most a dozen bytes).
const MAX_BYTES: usize = 32;

/// Kept labels, by region.
type Table = [[OnceLock<&'static str>; PER_REGION]; BodyRegion::ALL.len()];

/// An empty table.
const fn empty() -> Table {
    [const { [const { OnceLock::new() }; PER_REGION] }; BodyRegion::ALL.len()]
}

/// The labels kept, by region.
static LEARNED: Table = empty();

/// A region's label as written. Equal, ordered and printed as its text.
#[derive(Clone, PartialEq, Eq)]
pub struct RegionLabel(Cow<'static, str>);

impl RegionLabel {
    /// The label `text` of `region`: a kept text when it is one (or can become one), else
    /// a `String` of its own.
    #[inline]
    pub fn new(region: BodyRegion, text: &str) -> RegionLabel {
        match learned(&LEARNED, region, text) {
            Some(kept) => RegionLabel(Cow::Borrowed(kept)),
            None => RegionLabel(Cow::Owned(text.to_owned())),
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text when it is a kept one: then it is a plain CSV field (printable ASCII, no
    /// comma nor quote, not empty, not starting as a formula does: `plain`), which a
    /// writer may copy as it is.
    #[inline]
    pub fn plain(&self) -> Option<&'static str> {
        match self.0 {
            Cow::Borrowed(kept) => Some(kept),
            Cow::Owned(_) => None,
        }
    }
}

impl From<String> for RegionLabel {
    /// A label held as a `String` of its own, whatever it is.
    fn from(text: String) -> Self {
        RegionLabel(Cow::Owned(text))
    }
}

impl PartialEq<str> for RegionLabel {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RegionLabel {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Deref for RegionLabel {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RegionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for RegionLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kept text equal to `text` among `region`'s in `table`, kept now when a slot is free
/// and the text may be kept; None otherwise.
#[inline]
fn learned(table: &Table, region: BodyRegion, text: &str) -> Option<&'static str> {
    let slots = &table[region as usize];
    for (at, slot) in slots.iter().enumerate() {
        match slot.get() {
            Some(&kept) => {
                if same_bytes(kept.as_bytes(), text.as_bytes()) {
                    return Some(kept);
                }
            }
            None => return learn(&slots[at..], text),
        }
    }
    None
}

/// `learned` past the slots filled: `text` kept in the first free one when it may be kept
/// (another thread may fill it first, with another text: then the next one is tried).
#[cold]
#[inline(never)]
fn learn(slots: &[OnceLock<&'static str>], text: &str) -> Option<&'static str> {
    if text.len() > MAX_BYTES || !plain(text.as_bytes()) {
        return None;
    }
    slots
        .iter()
        .map(|slot| *slot.get_or_init(|| Box::leak(text.to_owned().into_boxed_str())))
        .find(|kept| same_bytes(kept.as_bytes(), text.as_bytes()))
}

/// Whether a label is written in a CSV file as it is: not empty, and a plain field by the
/// one rule of the text cells (`field_bytes::plain_field`: printable ASCII with no comma
/// nor quote, not starting as a formula does).
fn plain(bytes: &[u8]) -> bool {
    !bytes.is_empty() && plain_field(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only plain, short texts are kept, each the same static text each time it is met,
    /// a region's first `PER_REGION` of them; a label is its text whether kept or not.
    #[test]
    fn plain_short_labels_are_kept_per_region() {
        let table = empty();
        let region = BodyRegion::Pelvis;
        let first = learned(&table, region, "Pelvis").unwrap();
        let again = learned(&table, region, &String::from("Pelvis")).unwrap();
        assert!(std::ptr::eq(first, again));
        assert_eq!(first, "Pelvis");
        for text in [
            "",
            "=1+2",
            "-",
            "a,b",
            "say \"x\"",
            "B\u{e9}cken",
            "\t",
            &"x".repeat(MAX_BYTES + 1),
        ] {
            assert_eq!(learned(&table, region, text), None, "{text:?}");
        }
        assert_eq!(
            learned(&table, BodyRegion::Head, "Pelvis").map(str::len),
            Some(6)
        );
        let texts: Vec<String> = (0..3 * PER_REGION).map(|n| format!("R Ribs {n}")).collect();
        let mut kept = Vec::new();
        for text in texts.iter().chain(&texts) {
            if let Some(k) = learned(&table, BodyRegion::RibsRight, text) {
                assert_eq!(k, text.as_str());
                kept.push(k);
            }
        }
        // The first texts take the slots and are found again; the others never are.
        assert_eq!(kept.len(), 2 * PER_REGION, "{kept:?}");
        assert!(kept[..PER_REGION].iter().zip(&texts).all(|(k, t)| k == t));
        for text in ["", "=1+2", "a,b", "Pelvis", &"x".repeat(MAX_BYTES + 1)] {
            let label = RegionLabel::new(region, text);
            assert_eq!(label.as_str(), text);
            assert_eq!(&*label, text);
            assert_eq!(label, text);
            assert_eq!(format!("{label:?}"), format!("{text:?}"));
            assert_eq!(RegionLabel::from(text.to_string()), label);
            assert_eq!(RegionLabel::from(text.to_string()).plain(), None);
            assert!(label.plain().is_none_or(|p| p == text));
        }
    }
}
