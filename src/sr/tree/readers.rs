//! `SrNode` for the two readers of a data set: the walk's in-place index (`Node`), which
//! reads a code's and a measured value's usual layouts without look-ups, and dicom-object's
//! `InMemDicomObject` (the reference the tests hold the index to, tests/readers.rs).

use std::borrow::Cow;

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::{Code, Decoded, ItemParts, SrNode, known_value_type, long_code_value};
use crate::sr::dataset::{Field, Items, Node};

impl<'d, 'a> SrNode<'a> for Node<'d, 'a> {
    type Items = Items<'d, 'a>;

    fn text(self, tag: Tag, whole: bool) -> Option<Cow<'a, str>> {
        Node::text(self, tag, whole)
    }

    fn items(self, tag: Tag) -> Self::Items {
        Node::items(self, tag)
    }

    /// One pass over the item's elements, matched against `tags` as both ascend (a data
    /// set's elements are in tag order: PS3.5 7.1), not a search of `tags` for each
    /// element. Elements out of order start the match again from the first tag, so
    /// that any order finds what a look-up of each tag finds (the first of a repeated tag).
    fn texts<const N: usize>(self, tags: &[Tag; N]) -> [Option<Cow<'a, str>>; N] {
        debug_assert!(tags.is_sorted(), "texts: tags not ascending");
        let mut found: [Option<Field<'_>>; N] = [None; N];
        let mut at = 0;
        let mut last = Tag(0, 0);
        for field in self.fields() {
            let tag = field.tag();
            if tag < last {
                at = 0;
            }
            last = tag;
            while at < N && tags[at] < tag {
                at += 1;
            }
            if at == N {
                continue;
            }
            if tags[at] == tag && found[at].is_none() {
                found[at] = Some(field);
            }
        }
        found.map(|field| field.and_then(|f| self.field_text(f, false)))
    }

    /// One pass over the item's elements (about five), where the look-ups walked them from
    /// the first once per attribute.
    fn item_parts(self) -> ItemParts<'a, Self> {
        let (mut value_type, mut concept_name, mut measured, mut concept_code, mut children) =
            (None, None, None, None, None);
        for field in self.fields() {
            let slot = match field.tag() {
                tags::VALUE_TYPE => &mut value_type,
                tags::CONCEPT_NAME_CODE_SEQUENCE => &mut concept_name,
                tags::MEASURED_VALUE_SEQUENCE => &mut measured,
                tags::CONCEPT_CODE_SEQUENCE => &mut concept_code,
                tags::CONTENT_SEQUENCE => &mut children,
                _ => continue,
            };
            // The first of a repeated tag, as a look-up finds it.
            slot.get_or_insert(field);
        }
        let first = |field: Option<Field<'d>>| field.and_then(|f| self.field_items(f).next());
        ItemParts {
            value_type: value_type.and_then(|f| match known_value_type(self.field_bytes(f)) {
                Some(known) => Some(Cow::Borrowed(known)),
                None => self.field_text(f, false),
            }),
            concept_name: first(concept_name),
            measured: first(measured),
            concept_code: first(concept_code),
            children: children.map(|f| self.field_items(f)),
        }
    }

    /// The code's usual three elements found without a pass (`Node::code_fields`), else
    /// one pass over its elements; each text read in line when it is short ASCII (`kept`),
    /// the rest through `field_text`.
    fn code<'t>(self, scheme: bool, decoded: &'t Decoded) -> Code<'t>
    where
        'a: 't,
    {
        if let Some([value, designator, meaning]) = self.code_fields() {
            let value = kept(self, Some(value), decoded);
            // An empty CodeValue may leave the value to a LongCodeValue or URNCodeValue
            // later in the item: the pass below looks for them.
            if !value.is_empty() {
                return code_of(
                    self,
                    scheme,
                    value,
                    Some(designator),
                    Some(meaning),
                    decoded,
                );
            }
        }
        let (mut value, mut designator, mut meaning, mut other) = (None, None, None, false);
        for field in self.fields() {
            let slot = match field.tag() {
                tags::CODE_VALUE => &mut value,
                tags::CODING_SCHEME_DESIGNATOR => &mut designator,
                tags::CODE_MEANING => &mut meaning,
                tags::LONG_CODE_VALUE | tags::URN_CODE_VALUE => {
                    other = true;
                    continue;
                }
                _ => continue,
            };
            // The first of a repeated tag, as a look-up finds it.
            slot.get_or_insert(field);
        }
        let mut code = code_of(
            self,
            scheme,
            kept(self, value, decoded),
            designator,
            meaning,
            decoded,
        );
        if code.value.is_empty() && other {
            code.value = long_code_value(self).map_or("", |t| decoded.keep(t));
        }
        code
    }

    fn kept_text<'t>(self, tag: Tag, decoded: &'t Decoded) -> &'t str
    where
        'a: 't,
    {
        kept(self, self.field(tag), decoded)
    }

    /// The usual layout found without look-ups (`Node::units_then_number`), else the
    /// look-ups.
    fn measured<'t>(self, decoded: &'t Decoded) -> (Option<&'t str>, Option<Code<'t>>)
    where
        'a: 't,
    {
        let (text, units) = match self.units_then_number() {
            Some((units, number)) => (kept(self, Some(number), decoded), units),
            None => (
                self.kept_text(tags::NUMERIC_VALUE, decoded),
                self.first_item(tags::MEASUREMENT_UNITS_CODE_SEQUENCE),
            ),
        };
        (
            Some(text).filter(|t| !t.is_empty()),
            units.map(|u| u.code(false, decoded)),
        )
    }
}

/// A code of its value's text and its other two fields (the designator when `scheme`),
/// read as `kept`.
#[inline(always)]
fn code_of<'t, 'd, 'a: 't>(
    node: Node<'d, 'a>,
    scheme: bool,
    value: &'t str,
    designator: Option<Field<'d>>,
    meaning: Option<Field<'d>>,
    decoded: &'t Decoded,
) -> Code<'t> {
    Code {
        value,
        scheme: if scheme {
            kept(node, designator, decoded)
        } else {
            ""
        },
        meaning: kept(node, meaning, decoded),
    }
}

/// A field's text as the tree keeps it ("" when absent or empty): a short ASCII value read
/// in line (`Node::short_text`), any other through `field_text` (`kept_read`).
#[inline(always)]
fn kept<'t, 'd, 'a: 't>(
    node: Node<'d, 'a>,
    field: Option<Field<'d>>,
    decoded: &'t Decoded,
) -> &'t str {
    let Some(field) = field else { return "" };
    match node.short_text(field) {
        Some(text) => text,
        None => kept_read(node, field, decoded),
    }
}

#[inline(never)]
fn kept_read<'t, 'd, 'a: 't>(
    node: Node<'d, 'a>,
    field: Field<'d>,
    decoded: &'t Decoded,
) -> &'t str {
    node.field_text(field, false)
        .map_or("", |t| decoded.keep(t))
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
