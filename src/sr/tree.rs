//! The SR content tree, flattened: one `ContentItem` per item in document order, each knowing
//! its parent. Regions and laterality live in the ancestors of a NUM (docs/sr-reading.md), so the
//! parent links are what the mapper walks. The walk is iterative and capped at `MAX_ITEMS`
//! items (nesting is capped by the data set walk): a hostile tree is `malformed`, never a
//! stack overflow.
//!
//! The tree is read through `SrNode`, which both readers implement (the in-place index and
//! dicom-object), so there is one tree-reading algorithm whichever parsed the bytes. Text
//! is borrowed from the file where it can be, else from the `Decoded` texts beside the tree.

use std::borrow::Cow;

use dicom_core::Tag;
use dicom_dictionary_std::tags;

use crate::error::{FileError, Reason};
pub use decoded::Decoded;

/// More content items than any DXA report holds by orders of magnitude (docs/sr-reading.md).
pub const MAX_ITEMS: usize = 100_000;

/// Read access to one data set or sequence item, whichever reader parsed it.
pub trait SrNode<'a>: Copy {
    /// Iterator over a sequence's items.
    type Items: Iterator<Item = Self>;

    /// A text attribute, DICOM padding trimmed, first value of a multi-valued one; None when
    /// absent or empty. `whole` keeps backslashes (UT, ST, LT are single-valued).
    fn text(self, tag: Tag, whole: bool) -> Option<Cow<'a, str>>;

    /// The items of a sequence attribute (none when absent).
    fn items(self, tag: Tag) -> Self::Items;

    /// The first item of a sequence attribute.
    fn first_item(self, tag: Tag) -> Option<Self> {
        self.items(tag).next()
    }

    /// `text(tag, false)` for each of `tags`, which are in ascending order.
    fn texts<const N: usize>(self, tags: &[Tag; N]) -> [Option<Cow<'a, str>>; N] {
        std::array::from_fn(|i| self.text(tags[i], false))
    }

    /// The parts of a content item the tree reads, one look-up each (the index finds them
    /// in one pass over the item's elements).
    fn item_parts(self) -> ItemParts<'a, Self> {
        let children = self.items(tags::CONTENT_SEQUENCE);
        ItemParts {
            value_type: self.text(tags::VALUE_TYPE, false),
            concept_name: self.first_item(tags::CONCEPT_NAME_CODE_SEQUENCE),
            measured: self.first_item(tags::MEASURED_VALUE_SEQUENCE),
            concept_code: self.first_item(tags::CONCEPT_CODE_SEQUENCE),
            children: Some(children),
        }
    }

    /// A code item's CodeValue (else LongCodeValue, else URNCodeValue), its
    /// CodingSchemeDesignator when `scheme` (else "") and its CodeMeaning, each "" when
    /// absent or empty, kept in `decoded` when they had to be decoded.
    fn code<'t>(self, scheme: bool, decoded: &'t Decoded) -> Code<'t>
    where
        'a: 't,
    {
        let keep = |t: Option<Cow<'a, str>>| t.map_or("", |t| decoded.keep(t));
        let value = match self.text(tags::CODE_VALUE, false) {
            Some(value) => Some(value),
            None => long_code_value(self),
        };
        Code {
            value: keep(value),
            scheme: if scheme {
                keep(self.text(tags::CODING_SCHEME_DESIGNATOR, false))
            } else {
                ""
            },
            meaning: keep(self.text(tags::CODE_MEANING, false)),
        }
    }

    /// A measured value item's NumericValue (None when absent or empty) and units
    /// (MeasurementUnitsCodeSequence's first item: value and meaning, see `ItemValue::Num`).
    fn measured<'t>(self, decoded: &'t Decoded) -> (Option<&'t str>, Option<Code<'t>>)
    where
        'a: 't,
    {
        let text = self.kept_text(tags::NUMERIC_VALUE, decoded);
        let units = self.first_item(tags::MEASUREMENT_UNITS_CODE_SEQUENCE);
        (
            Some(text).filter(|t| !t.is_empty()),
            units.map(|u| u.code(false, decoded)),
        )
    }

    /// `text(tag, false)` kept in `decoded` when it had to be decoded, "" when None.
    fn kept_text<'t>(self, tag: Tag, decoded: &'t Decoded) -> &'t str
    where
        'a: 't,
    {
        self.text(tag, false).map_or("", |t| decoded.keep(t))
    }
}

/// A ValueType's text when its raw bytes are one of the enumerated terms the tree reads
/// (PS3.3 C.17.3.2.1), bare or padded by one space or NUL (PS3.5 6.2): what `Node::text`
/// gives for those bytes, without its pass over them (a value type per item, about 3 500
/// instructions per file). Any other bytes are read as text.
#[inline]
fn known_value_type(raw: &[u8]) -> Option<&'static str> {
    let bare = match raw {
        [bare @ .., b' ' | 0] => bare,
        _ => raw,
    };
    Some(match bare {
        b"NUM" => "NUM",
        b"CONTAINER" => "CONTAINER",
        b"CODE" => "CODE",
        b"TEXT" => "TEXT",
        b"DATE" => "DATE",
        b"TIME" => "TIME",
        b"DATETIME" => "DATETIME",
        b"UIDREF" => "UIDREF",
        b"PNAME" => "PNAME",
        _ => return None,
    })
}

/// What `SrNode::item_parts` finds in a content item: the first of each attribute, as
/// `SrNode::text` and `SrNode::first_item` would.
pub struct ItemParts<'a, N: SrNode<'a>> {
    /// ValueType (0040,A040).
    pub value_type: Option<Cow<'a, str>>,
    /// The first item of ConceptNameCodeSequence (0040,A043).
    pub concept_name: Option<N>,
    /// The first item of MeasuredValueSequence (0040,A300).
    pub measured: Option<N>,
    /// The first item of ConceptCodeSequence (0040,A168).
    pub concept_code: Option<N>,
    /// The items of ContentSequence (0040,A730); None when the item has none (the index
    /// says so without an iterator to open and close).
    pub children: Option<N::Items>,
}

/// A coded concept: (CodeValue | LongCodeValue | URNCodeValue, scheme, meaning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Code<'a> {
    /// CodeValue (0008,0100), else LongCodeValue (0008,0119), else URNCodeValue (0008,0120).
    pub value: &'a str,
    /// CodingSchemeDesignator (0008,0102).
    pub scheme: &'a str,
    /// CodeMeaning (0008,0104).
    pub meaning: &'a str,
}

/// What an item holds, for the value types the mapper reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemValue<'a> {
    /// CONTAINER, or a value type we do not read (its children are still walked).
    None,
    /// NUM: NumericValue text (DS, unparsed) and units.
    Num {
        /// (0040,A30A) as written, None when absent or empty.
        text: Option<&'a str>,
        /// (0040,08EA) MeasurementUnitsCodeSequence: its value and meaning; the scheme is
        /// not read (left empty): a unit is known by its spelling, whatever the scheme
        /// (docs/sr-reading.md).
        units: Option<Code<'a>>,
    },
    /// CODE: ConceptCodeSequence (0040,A168).
    Code(Code<'a>),
    /// TEXT (0040,A160), DATE (0040,A121), DATETIME (0040,A120), TIME (0040,A122),
    /// UIDREF (0040,A124) or PNAME (0040,A123).
    Text(&'a str),
}

/// One content item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentItem<'a> {
    /// Index of the parent item; None for the document root.
    pub parent: Option<usize>,
    /// 0 for the root, 1 for its children, ...
    pub depth: usize,
    /// RelationshipType (0040,A010): CONTAINS, HAS PROPERTIES, ... (empty for the root).
    /// None when the tree was read without it (`ContentTree::read`: the mapper never asks;
    /// `read_with_relationships` reads it for `inspect`).
    pub relationship: Option<&'a str>,
    /// ValueType (0040,A040): CONTAINER, NUM, CODE, TEXT, ...
    pub value_type: &'a str,
    /// ConceptNameCodeSequence (0040,A043).
    pub concept: Option<Code<'a>>,
    /// The value, by type.
    pub value: ItemValue<'a>,
}

/// The content tree of one document, root first, in document (pre-)order.
#[derive(Debug, PartialEq, Eq)]
pub struct ContentTree<'a> {
    /// All items; `items[0]` is the root (the data set itself).
    pub items: Vec<ContentItem<'a>>,
}

impl<'t> ContentTree<'t> {
    /// Flattens the content tree under `root` (the SR data set), without the items'
    /// relationship types (one look-up per item that extraction never uses). Texts are
    /// borrowed from the file, or kept in `decoded` when they had to be decoded.
    pub fn read<'a: 't, N: SrNode<'a>>(
        root: N,
        decoded: &'t Decoded,
    ) -> Result<ContentTree<'t>, FileError> {
        Self::read_items::<N, false>(root, decoded)
    }

    /// `read`, with each item's relationship type (`inspect` prints them).
    pub fn read_with_relationships<'a: 't, N: SrNode<'a>>(
        root: N,
        decoded: &'t Decoded,
    ) -> Result<ContentTree<'t>, FileError> {
        Self::read_items::<N, true>(root, decoded)
    }

    fn read_items<'a: 't, N: SrNode<'a>, const RELATIONSHIPS: bool>(
        root: N,
        decoded: &'t Decoded,
    ) -> Result<ContentTree<'t>, FileError> {
        let mut items = Vec::with_capacity(256);
        // One iterator per open level with children: pre-order without recursion.
        let mut open: Vec<(N::Items, usize, usize)> = Vec::new();
        let children = read_item::<N, RELATIONSHIPS>(&mut items, decoded, root, None, 0);
        open.extend(children.map(|c| (c, 0, 1)));
        while let Some((children, parent, depth)) = open.last_mut() {
            let Some(child) = children.next() else {
                open.pop();
                continue;
            };
            if items.len() >= MAX_ITEMS {
                return Err(FileError::new(
                    Reason::Malformed,
                    format!("content tree has more than {MAX_ITEMS} items"),
                ));
            }
            let (parent, depth) = (*parent, *depth);
            let index = items.len();
            let children =
                read_item::<N, RELATIONSHIPS>(&mut items, decoded, child, Some(parent), depth);
            open.extend(children.map(|c| (c, index, depth + 1)));
        }
        Ok(ContentTree { items })
    }

    /// `index` and its ancestors, innermost first.
    pub fn ancestry(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(index), move |&i| self.items[i].parent)
    }
}

/// Appends one item to `items`; returns its children's iterator when it has any. The item
/// is built in the call that pushes it (returned, it was copied once more).
fn read_item<'a: 't, 't, N: SrNode<'a>, const RELATIONSHIP: bool>(
    items: &mut Vec<ContentItem<'t>>,
    decoded: &'t Decoded,
    node: N,
    parent: Option<usize>,
    depth: usize,
) -> Option<N::Items> {
    let parts = node.item_parts();
    let value_type = parts.value_type.map_or("", |t| decoded.keep(t));
    let text = |tag| {
        node.text(tag, true)
            .map_or(ItemValue::None, |t| ItemValue::Text(decoded.keep(t)))
    };
    let value = match value_type {
        "NUM" => {
            let (text, units) = parts.measured.map_or((None, None), |m| m.measured(decoded));
            ItemValue::Num { text, units }
        }
        "CODE" => parts
            .concept_code
            .map_or(ItemValue::None, |c| ItemValue::Code(read_code(c, decoded))),
        "TEXT" => text(tags::TEXT_VALUE),
        "DATE" => text(tags::DATE),
        "DATETIME" => text(tags::DATE_TIME),
        "TIME" => text(tags::TIME),
        "UIDREF" => text(tags::UID),
        "PNAME" => text(tags::PERSON_NAME),
        _ => ItemValue::None,
    };
    items.push(ContentItem {
        parent,
        depth,
        relationship: RELATIONSHIP.then(|| {
            node.text(tags::RELATIONSHIP_TYPE, false)
                .map_or("", |t| decoded.keep(t))
        }),
        value_type,
        concept: parts.concept_name.map(|c| read_code(c, decoded)),
        value,
    });
    parts.children
}

/// In line: called apart, it moved the three texts once more (62 instructions a code).
#[inline(always)]
fn read_code<'a: 't, 't, N: SrNode<'a>>(item: N, decoded: &'t Decoded) -> Code<'t> {
    item.code(true, decoded)
}

/// A code without a CodeValue: its LongCodeValue, else its URNCodeValue (PS3.3 8.8). Rare,
/// and apart, so that `SrNode::code`, read for every code, does not carry the chain of
/// optional values (`or_else`) that it moved through the stack.
#[cold]
#[inline(never)]
fn long_code_value<'a, N: SrNode<'a>>(item: N) -> Option<Cow<'a, str>> {
    item.text(tags::LONG_CODE_VALUE, false)
        .or_else(|| item.text(tags::URN_CODE_VALUE, false))
}

mod decoded;
mod readers;

#[cfg(test)]
mod tests;
