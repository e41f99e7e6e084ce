//! The SR content tree, flattened: one `ContentItem` per item in document order, each knowing
//! its parent. Regions and laterality live in the ancestors of a NUM (docs/sr-reading.md), so the
//! parent links are what the mapper walks. The walk is iterative and capped at `MAX_ITEMS`
//! items (nesting is capped by the data set walk): a hostile tree is `malformed`, never a
//! stack overflow.
//!
//! The tree is read through `SrNode`, which both readers implement (the in-place index and
//! dicom-object), so there is one tree-reading algorithm whichever parsed the bytes. Text
//! is borrowed from the file where it can be.

use std::borrow::Cow;

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::dataset::{Items, Node};
use crate::error::{FileError, Reason};

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
}

impl<'d, 'a> SrNode<'a> for Node<'d, 'a> {
    type Items = Items<'d, 'a>;

    fn text(self, tag: Tag, whole: bool) -> Option<Cow<'a, str>> {
        Node::text(self, tag, whole)
    }

    fn items(self, tag: Tag) -> Self::Items {
        Node::items(self, tag)
    }

    fn texts<const N: usize>(self, tags: &[Tag; N]) -> [Option<Cow<'a, str>>; N] {
        Node::texts(self, tags)
    }
}

impl<'a> SrNode<'a> for &'a InMemDicomObject {
    type Items = std::slice::Iter<'a, InMemDicomObject>;

    fn text(self, tag: Tag, _whole: bool) -> Option<Cow<'a, str>> {
        // dicom-object splits values by VR itself: `string()` is the first of a
        // multi-valued attribute and the whole of a UT.
        let value = self.get(tag)?.string().ok()?;
        let trimmed = value.trim_matches(|c: char| c == ' ' || c == '\0');
        (!trimmed.is_empty()).then_some(Cow::Borrowed(trimmed))
    }

    fn items(self, tag: Tag) -> Self::Items {
        self.get(tag).and_then(|e| e.items()).unwrap_or(&[]).iter()
    }
}

/// A coded concept: (CodeValue | LongCodeValue | URNCodeValue, scheme, meaning).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Code<'a> {
    /// CodeValue (0008,0100), else LongCodeValue (0008,0119), else URNCodeValue (0008,0120).
    pub value: Cow<'a, str>,
    /// CodingSchemeDesignator (0008,0102).
    pub scheme: Cow<'a, str>,
    /// CodeMeaning (0008,0104).
    pub meaning: Cow<'a, str>,
}

/// What an item holds, for the value types the mapper reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemValue<'a> {
    /// CONTAINER, or a value type we do not read (its children are still walked).
    None,
    /// NUM: NumericValue text (DS, unparsed) and units.
    Num {
        /// (0040,A30A) as written, None when absent or empty.
        text: Option<Cow<'a, str>>,
        /// (0040,08EA) MeasurementUnitsCodeSequence: its value and meaning; the scheme is
        /// not read (left empty): a unit is known by its spelling, whatever the scheme
        /// (docs/sr-reading.md).
        units: Option<Code<'a>>,
    },
    /// CODE: ConceptCodeSequence (0040,A168).
    Code(Code<'a>),
    /// TEXT (0040,A160), DATE (0040,A121), DATETIME (0040,A120), TIME (0040,A122),
    /// UIDREF (0040,A124) or PNAME (0040,A123).
    Text(Cow<'a, str>),
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
    pub relationship: Option<Cow<'a, str>>,
    /// ValueType (0040,A040): CONTAINER, NUM, CODE, TEXT, ...
    pub value_type: Cow<'a, str>,
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

impl<'a> ContentTree<'a> {
    /// Flattens the content tree under `root` (the SR data set), without the items'
    /// relationship types (one look-up per item that extraction never uses).
    pub fn read<N: SrNode<'a>>(root: N) -> Result<ContentTree<'a>, FileError> {
        Self::read_items::<N, false>(root)
    }

    /// `read`, with each item's relationship type (`inspect` prints them).
    pub fn read_with_relationships<N: SrNode<'a>>(root: N) -> Result<ContentTree<'a>, FileError> {
        Self::read_items::<N, true>(root)
    }

    fn read_items<N: SrNode<'a>, const RELATIONSHIPS: bool>(
        root: N,
    ) -> Result<ContentTree<'a>, FileError> {
        let mut items = Vec::with_capacity(256);
        items.push(read_item::<N, RELATIONSHIPS>(root, None, 0));
        // One iterator per open level: pre-order without recursion.
        let mut open: Vec<(N::Items, usize, usize)> =
            vec![(root.items(tags::CONTENT_SEQUENCE), 0, 1)];
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
            items.push(read_item::<N, RELATIONSHIPS>(child, Some(parent), depth));
            open.push((child.items(tags::CONTENT_SEQUENCE), index, depth + 1));
        }
        Ok(ContentTree { items })
    }

    /// `index` and its ancestors, innermost first.
    pub fn ancestry(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(index), move |&i| self.items[i].parent)
    }
}

fn read_item<'a, N: SrNode<'a>, const RELATIONSHIP: bool>(
    node: N,
    parent: Option<usize>,
    depth: usize,
) -> ContentItem<'a> {
    let value_type = node.text(tags::VALUE_TYPE, false).unwrap_or_default();
    let text = |tag| {
        node.text(tag, true)
            .map_or(ItemValue::None, ItemValue::Text)
    };
    let value = match value_type.as_ref() {
        "NUM" => {
            let measured = node.first_item(tags::MEASURED_VALUE_SEQUENCE);
            ItemValue::Num {
                text: measured.and_then(|m| m.text(tags::NUMERIC_VALUE, false)),
                units: measured
                    .and_then(|m| m.first_item(tags::MEASUREMENT_UNITS_CODE_SEQUENCE))
                    .map(read_unit),
            }
        }
        "CODE" => node
            .first_item(tags::CONCEPT_CODE_SEQUENCE)
            .map_or(ItemValue::None, |c| ItemValue::Code(read_code(c))),
        "TEXT" => text(tags::TEXT_VALUE),
        "DATE" => text(tags::DATE),
        "DATETIME" => text(tags::DATE_TIME),
        "TIME" => text(tags::TIME),
        "UIDREF" => text(tags::UID),
        "PNAME" => text(tags::PERSON_NAME),
        _ => ItemValue::None,
    };
    ContentItem {
        parent,
        depth,
        relationship: RELATIONSHIP.then(|| {
            node.text(tags::RELATIONSHIP_TYPE, false)
                .unwrap_or_default()
        }),
        value_type,
        concept: node
            .first_item(tags::CONCEPT_NAME_CODE_SEQUENCE)
            .map(read_code),
        value,
    }
}

fn read_code<'a, N: SrNode<'a>>(item: N) -> Code<'a> {
    Code {
        scheme: item
            .text(tags::CODING_SCHEME_DESIGNATOR, false)
            .unwrap_or_default(),
        ..read_unit(item)
    }
}

/// A unit's code: value and meaning, no scheme (see `ItemValue::Num`).
fn read_unit<'a, N: SrNode<'a>>(item: N) -> Code<'a> {
    let value = match item.text(tags::CODE_VALUE, false) {
        Some(value) => value,
        None => long_code_value(item),
    };
    Code {
        value,
        scheme: Cow::Borrowed(""),
        meaning: item.text(tags::CODE_MEANING, false).unwrap_or_default(),
    }
}

/// A code without a CodeValue: its LongCodeValue, else its URNCodeValue (PS3.3 8.8). Rare,
/// and apart, so that `read_unit`, read for every code, does not carry the chain of
/// optional values (`or_else`) that it moved through the stack.
#[cold]
#[inline(never)]
fn long_code_value<'a, N: SrNode<'a>>(item: N) -> Cow<'a, str> {
    item.text(tags::LONG_CODE_VALUE, false)
        .or_else(|| item.text(tags::URN_CODE_VALUE, false))
        .unwrap_or_default()
}
