//! The SR content tree, flattened: one `ContentItem` per item in document order, each knowing
//! its parent. Regions and laterality live in the ancestors of a NUM (sr-shapes.md), so the
//! parent links are what the mapper walks. The walk is iterative and capped at
//! `MAX_ITEMS` items and the pre-scan's depth: a hostile tree is `malformed`, never a stack
//! overflow. Items borrow their text from the parsed object: no per-item allocation.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use crate::error::{FileError, Reason};

/// More content items than any DXA report holds by orders of magnitude (sr-shapes.md).
pub const MAX_ITEMS: usize = 100_000;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemValue<'a> {
    /// CONTAINER, or a value type we do not read (its children are still walked).
    None,
    /// NUM: NumericValue text (DS, unparsed) and units.
    Num {
        /// (0040,A30A) as written, None when absent or empty.
        text: Option<&'a str>,
        /// (0040,08EA) MeasurementUnitsCodeSequence.
        units: Option<Code<'a>>,
    },
    /// CODE: ConceptCodeSequence (0040,A168).
    Code(Code<'a>),
    /// TEXT (0040,A160), DATE (0040,A121), DATETIME (0040,A120), TIME (0040,A122),
    /// UIDREF (0040,A124) or PNAME (0040,A123).
    Text(&'a str),
}

/// One content item.
#[derive(Debug, Clone, Copy)]
pub struct ContentItem<'a> {
    /// Index of the parent item; None for the document root.
    pub parent: Option<usize>,
    /// 0 for the root, 1 for its children, ...
    pub depth: usize,
    /// RelationshipType (0040,A010): CONTAINS, HAS PROPERTIES, ... (empty for the root).
    pub relationship: &'a str,
    /// ValueType (0040,A040): CONTAINER, NUM, CODE, TEXT, ...
    pub value_type: &'a str,
    /// ConceptNameCodeSequence (0040,A043).
    pub concept: Option<Code<'a>>,
    /// The value, by type.
    pub value: ItemValue<'a>,
}

/// The content tree of one document, root first, in document (pre-)order.
#[derive(Debug)]
pub struct ContentTree<'a> {
    /// All items; `items[0]` is the root (the data set itself).
    pub items: Vec<ContentItem<'a>>,
}

impl<'a> ContentTree<'a> {
    /// Flattens the content tree of an SR data set.
    pub fn read(object: &'a InMemDicomObject) -> Result<ContentTree<'a>, FileError> {
        let mut items = Vec::with_capacity(64);
        // (item, parent index, depth); children are pushed in reverse so that they pop in
        // document order.
        let mut stack: Vec<(&'a InMemDicomObject, Option<usize>, usize)> = vec![(object, None, 0)];
        while let Some((node, parent, depth)) = stack.pop() {
            if items.len() >= MAX_ITEMS {
                return Err(FileError::new(
                    Reason::Malformed,
                    format!("content tree has more than {MAX_ITEMS} items"),
                ));
            }
            let index = items.len();
            items.push(read_item(node, parent, depth));
            if let Some(children) = node.get(tags::CONTENT_SEQUENCE).and_then(|e| e.items()) {
                for child in children.iter().rev() {
                    stack.push((child, Some(index), depth + 1));
                }
            }
        }
        Ok(ContentTree { items })
    }

    /// Indices of the children of `index`, in document order.
    pub fn children(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        // Pre-order: the children of `index` are the following items with depth + 1, up
        // to the first item that is not a descendant.
        let depth = self.items[index].depth;
        self.items[index + 1..]
            .iter()
            .take_while(move |item| item.depth > depth)
            .enumerate()
            .filter(move |(_, item)| item.depth == depth + 1)
            .map(move |(offset, _)| index + 1 + offset)
    }

    /// `index` and its ancestors, innermost first.
    pub fn ancestry(&self, index: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(index), move |&i| self.items[i].parent)
    }
}

fn read_item<'a>(
    node: &'a InMemDicomObject,
    parent: Option<usize>,
    depth: usize,
) -> ContentItem<'a> {
    let value_type = text(node, tags::VALUE_TYPE).unwrap_or("");
    let value = match value_type {
        "NUM" => {
            let measured = first_item(node, tags::MEASURED_VALUE_SEQUENCE);
            ItemValue::Num {
                text: measured.and_then(|m| text(m, tags::NUMERIC_VALUE)),
                units: measured
                    .and_then(|m| first_item(m, tags::MEASUREMENT_UNITS_CODE_SEQUENCE))
                    .map(read_code),
            }
        }
        "CODE" => first_item(node, tags::CONCEPT_CODE_SEQUENCE)
            .map_or(ItemValue::None, |c| ItemValue::Code(read_code(c))),
        "TEXT" => text_value(node, tags::TEXT_VALUE),
        "DATE" => text_value(node, tags::DATE),
        "DATETIME" => text_value(node, tags::DATE_TIME),
        "TIME" => text_value(node, tags::TIME),
        "UIDREF" => text_value(node, tags::UID),
        "PNAME" => text_value(node, tags::PERSON_NAME),
        _ => ItemValue::None,
    };
    ContentItem {
        parent,
        depth,
        relationship: text(node, tags::RELATIONSHIP_TYPE).unwrap_or(""),
        value_type,
        concept: first_item(node, tags::CONCEPT_NAME_CODE_SEQUENCE).map(read_code),
        value,
    }
}

fn text_value(node: &InMemDicomObject, tag: Tag) -> ItemValue<'_> {
    text(node, tag).map_or(ItemValue::None, ItemValue::Text)
}

fn read_code(item: &InMemDicomObject) -> Code<'_> {
    Code {
        value: text(item, tags::CODE_VALUE)
            .or_else(|| text(item, tags::LONG_CODE_VALUE))
            .or_else(|| text(item, tags::URN_CODE_VALUE))
            .unwrap_or(""),
        scheme: text(item, tags::CODING_SCHEME_DESIGNATOR).unwrap_or(""),
        meaning: text(item, tags::CODE_MEANING).unwrap_or(""),
    }
}

fn first_item(node: &InMemDicomObject, tag: Tag) -> Option<&InMemDicomObject> {
    node.get(tag)?.items()?.first()
}

/// A string attribute, trimmed of DICOM padding; None when absent, empty or not text.
pub fn text(node: &InMemDicomObject, tag: Tag) -> Option<&str> {
    let value = node.get(tag)?.string().ok()?;
    let trimmed = value.trim_matches(|c: char| c == ' ' || c == '\0');
    (!trimmed.is_empty()).then_some(trimmed)
}
