//! A DICOM data set read in place: one checked walk over the element headers (`walk`)
//! builds an index of every element of every item, and values are borrowed from the file's
//! bytes when they are read. No value is decoded or copied unless asked for.
//!
//! Why not dicom-object: parsing a typical DXA SR into an `InMemDicomObject` and dropping it
//! costs about 2.3 million instructions (one `String` per element, a `BTreeMap` per item,
//! charset decoding of every value), which is 10x the cost of reading the file
//! (docs/benchmarks.md). And its parser does not split bytes into elements exactly as a
//! checked walk does (unknown VRs read as UN, binary values of odd lengths): fuzzing found
//! that any such difference lets unchecked lengths and nesting through. So files are read
//! only through this index, which the walk itself built; text in character sets other than
//! Latin-1 and UTF-8 is decoded with dicom-encoding's codecs. dicom-object stays the
//! reference reader in the tests, which check that both give the same tree on every
//! fixture and corpus file.

mod file;
mod head;
mod header;
mod index;
mod inflate;
mod magic;
mod meta;
mod source;
mod text;
mod walk;

use std::borrow::Cow;

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_encoding::text::SpecificCharacterSet;

pub use file::{Scanned, scan_file};
pub use head::{
    EXPORT_IDENTITY, Head, HeadPolicy, PEEK, looks_like_export, looks_like_results_document,
    read_head,
};
pub use meta::Syntax;
pub use source::Source;
pub use text::Charset;

/// Limits live here, beside the data set they bound, so that `file.rs` (the caps before the
/// walk) and `walk.rs` (the caps during it) both import them from their parent, not from
/// each other.
/// Resource caps applied to every file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Files larger than this are `too_large` without being read (default 64 MiB).
    pub max_file_bytes: u64,
    /// Deepest sequence nesting accepted (docs/sr-reading.md: 64).
    pub max_depth: usize,
    /// Most element headers (at all levels, items and delimiters included) accepted in one
    /// data set. Checked as the file is read (`head`), before anything is indexed.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_depth: 64,
            // A DXA SR holds a few thousand headers (hundreds of content items, about 23
            // headers each; a GE SR with years of trend containers some tens of thousands):
            // 200 000 (about 8 700 NUM items) leaves a wide margin. The cap is what memory a
            // hostile file can cost before it is refused, since it is checked as the file is
            // read: about 2-3 MB of headers per worker, nothing indexed (tests/bombs.rs: eight SRs
            // of 200 000 NUM items at --jobs 8 under 100 MB).
            max_elements: 200_000,
        }
    }
}

/// "No index": the end of a linked list.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endian {
    Little,
    Big,
}

/// One element of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Element {
    tag: Tag,
    /// Value position and length in the data set bytes (sequences: their contents).
    start: u32,
    len: u32,
    /// The next element of the same item.
    next: u32,
    /// For a sequence, its first item node.
    first_item: u32,
}

/// One item (or the root data set): the head of its element list and its next sibling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item {
    first_element: u32,
    next_item: u32,
}

/// An indexed data set.
#[derive(Debug)]
pub struct DataSet<'a> {
    data: &'a [u8],
    elements: Vec<Element>,
    items: Vec<Item>,
    charset: Charset,
    /// The codec of a `Charset::Other` (Latin-1 when dicom-encoding does not know the term).
    codec: Option<SpecificCharacterSet>,
}

impl<'a> DataSet<'a> {
    /// The root data set.
    pub fn root(&self) -> Node<'_, 'a> {
        Node { set: self, id: 0 }
    }

    /// The character set declared by (0008,0005) of the root data set.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    fn value(&self, element: &Element) -> &'a [u8] {
        let start = element.start as usize;
        &self.data[start..start + element.len as usize]
    }

    fn read_charset(&mut self) {
        const SPECIFIC_CHARACTER_SET: Tag = Tag(0x0008, 0x0005);
        let declared = self
            .root()
            .element(SPECIFIC_CHARACTER_SET)
            .map(|e| self.value(e))
            .unwrap_or(b"");
        // Only the first value: later ones are ISO 2022 code extensions.
        let first = declared.split(|b| *b == b'\\').next().unwrap_or(b"");
        let first = text::trim(first);
        self.charset = match first {
            b"" | b"ISO_IR 6" => Charset::Default,
            b"ISO_IR 100" => Charset::Latin1,
            b"ISO_IR 192" => Charset::Utf8,
            _ => Charset::Other,
        };
        if declared.contains(&b'\\') {
            // Code extensions (ISO 2022) switch character sets inside values: the first
            // term's codec reads the rest as best it can.
            self.charset = Charset::Other;
        }
        if self.charset == Charset::Other {
            self.codec = std::str::from_utf8(first)
                .ok()
                .and_then(SpecificCharacterSet::from_code);
        }
    }
}

/// A handle on one item of an indexed data set.
#[derive(Debug, Clone, Copy)]
pub struct Node<'d, 'a> {
    set: &'d DataSet<'a>,
    id: u32,
}

impl<'d, 'a> Node<'d, 'a> {
    /// The element with `tag` in this item (the first, should a broken file repeat it).
    fn element(self, tag: Tag) -> Option<&'d Element> {
        let elements = &self.set.elements;
        let mut next = self.set.items[self.id as usize].first_element;
        while next != NONE {
            let element = &elements[next as usize];
            if element.tag == tag {
                return Some(element);
            }
            next = element.next;
        }
        None
    }

    /// A text value, trimmed; the first value of a multi-valued one unless `whole` (UT, ST,
    /// LT may contain backslashes). None when absent or empty.
    pub fn text(self, tag: Tag, whole: bool) -> Option<Cow<'a, str>> {
        self.value_text(self.element(tag)?, whole)
    }

    fn value_text(self, element: &Element, whole: bool) -> Option<Cow<'a, str>> {
        let start = element.start as usize;
        let len = element.len as usize;
        // Nearly all values are ASCII and at most two words long (seven in ten shorter
        // than one): read in a word or two, in few enough registers that the call saves
        // few (the general path below needs six, a tenth of the call's instructions).
        if let Some(value) = text::short_ascii(self.set.data, start, len, whole) {
            let value = text::trim(value);
            if value.is_empty() {
                return None;
            }
            // SAFETY: ASCII, as on the general path.
            return Some(Cow::Borrowed(unsafe {
                std::str::from_utf8_unchecked(value)
            }));
        }
        self.value_text_general(start, start + len, whole)
    }

    /// `value_text` of any value (`first_value`, a word at a time).
    #[inline(never)]
    fn value_text_general(self, start: usize, end: usize, whole: bool) -> Option<Cow<'a, str>> {
        let (value, ascii) = text::first_value(self.set.data, start, end, whole);
        let value = text::trim(value);
        if value.is_empty() {
            return None;
        }
        if !ascii {
            return Some(self.decode(value));
        }
        // SAFETY: every ASCII byte sequence is valid UTF-8 (and the same text in every
        // supported character set).
        Some(Cow::Borrowed(unsafe {
            std::str::from_utf8_unchecked(value)
        }))
    }

    /// A value with bytes above 0x7F, in the data set's character set. Apart from
    /// `value_text`, which runs for some 300 values per file, nearly all ASCII: with the
    /// decoding inlined, it saved more registers and built its answer on the stack.
    #[cold]
    #[inline(never)]
    fn decode(self, value: &'a [u8]) -> Cow<'a, str> {
        text::decode(value, self.set.charset, self.set.codec.as_ref())
    }

    /// Every element of this item with its raw value bytes (undecoded, unpadded: a
    /// sequence's are empty), in file order: how a carrier in a private element of any tag
    /// is found by its content (docs/evidence.md: Hologic results documents).
    pub fn elements(self) -> impl Iterator<Item = (Tag, &'a [u8])> + 'd {
        let set = self.set;
        let mut next = set.items[self.id as usize].first_element;
        std::iter::from_fn(move || {
            if next == NONE {
                return None;
            }
            let element = &set.elements[next as usize];
            next = element.next;
            Some((element.tag, set.value(element)))
        })
    }

    /// The items of a sequence, in order.
    pub fn items(self, tag: Tag) -> Items<'d, 'a> {
        let next = self.element(tag).map_or(NONE, |e| e.first_item);
        Items {
            set: self.set,
            next,
        }
    }

    /// This item's elements in file order, as `Field`s: how the content tree reads an
    /// item's few elements in one pass (`sr::tree`).
    #[inline]
    pub fn fields(self) -> impl Iterator<Item = Field<'d>> {
        let elements = &self.set.elements;
        let mut next = self.set.items[self.id as usize].first_element;
        std::iter::from_fn(move || {
            // NONE (u32::MAX) is past the end of any index: the end of the list.
            let element = elements.get(next as usize)?;
            next = element.next;
            Some(Field(element))
        })
    }

    /// The text of one of this item's `fields`, as `text` reads it.
    pub fn field_text(self, field: Field<'d>, whole: bool) -> Option<Cow<'a, str>> {
        self.value_text(field.0, whole)
    }

    /// `field_text` of an ASCII value of at most sixteen bytes (nearly every code part and
    /// number of an SR), trimmed, "" when it trims to nothing; None for any other value,
    /// which `field_text` reads. In line where the content tree keeps texts as `&str`
    /// (`sr::tree::kept`): no `Cow` is built, moved and matched for those values.
    #[inline(always)]
    pub fn short_text(self, field: Field<'d>) -> Option<&'a str> {
        let element = field.0;
        let value = text::short_ascii(
            self.set.data,
            element.start as usize,
            element.len as usize,
            false,
        )?;
        // SAFETY: ASCII, as in `value_text`.
        Some(unsafe { std::str::from_utf8_unchecked(text::trim(value)) })
    }

    /// This item's first three elements when they are CodeValue, CodingSchemeDesignator
    /// and CodeMeaning, in that order (as every code item of the benchmark corpus is
    /// written): then they are the first of each tag in the item, which is what a pass
    /// over its elements finds (`sr::tree`'s `SrNode::code`), without the pass. None for
    /// any other layout.
    #[inline(always)]
    pub fn code_fields(self) -> Option<[Field<'d>; 3]> {
        let first = self.set.items[self.id as usize].first_element as usize;
        // NONE (u32::MAX) as `first` is past the end of any index.
        let [value, scheme, meaning] = self.set.elements.get(first..first + 3)? else {
            return None;
        };
        // Linked in turn: a sequence among them would link past its contents.
        let linked = value.next as usize == first + 1 && scheme.next as usize == first + 2;
        (linked
            && value.tag == tags::CODE_VALUE
            && scheme.tag == tags::CODING_SCHEME_DESIGNATOR
            && meaning.tag == tags::CODE_MEANING)
            .then_some([Field(value), Field(scheme), Field(meaning)])
    }

    /// A measured value item (MeasuredValueSequence's) written as every one of the
    /// benchmark corpus is: MeasurementUnitsCodeSequence first, NumericValue the element
    /// after it (tag order, PS3.3 C.18.1). Then they are the first of their tags, so the
    /// units' first item and the number's field are what `first_item` and `text` find,
    /// without their look-ups. None for any other layout.
    #[inline(always)]
    pub fn units_then_number(self) -> Option<(Option<Node<'d, 'a>>, Field<'d>)> {
        let elements = &self.set.elements;
        let units = elements.get(self.set.items[self.id as usize].first_element as usize)?;
        let number = elements.get(units.next as usize)?;
        if units.tag != tags::MEASUREMENT_UNITS_CODE_SEQUENCE || number.tag != tags::NUMERIC_VALUE {
            return None;
        }
        let unit = (units.first_item != NONE).then_some(Node {
            set: self.set,
            id: units.first_item,
        });
        Some((unit, Field(number)))
    }

    /// The element with `tag` in this item as a `Field` (the first, as `text` finds it).
    #[inline]
    pub fn field(self, tag: Tag) -> Option<Field<'d>> {
        self.element(tag).map(Field)
    }

    /// The raw value bytes of one of this item's `fields` (undecoded, padding kept).
    #[inline]
    pub fn field_bytes(self, field: Field<'d>) -> &'a [u8] {
        self.set.value(field.0)
    }

    /// The items of one of this item's `fields`, as `items` gives them (none unless a
    /// sequence).
    #[inline]
    pub fn field_items(self, field: Field<'d>) -> Items<'d, 'a> {
        Items {
            set: self.set,
            next: field.0.first_item,
        }
    }
}

/// One element of an item (`Node::fields`).
#[derive(Debug, Clone, Copy)]
pub struct Field<'d>(&'d Element);

impl Field<'_> {
    /// The element's tag.
    #[inline]
    pub fn tag(self) -> Tag {
        self.0.tag
    }
}

/// Iterator over the items of a sequence.
#[derive(Debug, Clone)]
pub struct Items<'d, 'a> {
    set: &'d DataSet<'a>,
    next: u32,
}

impl<'d, 'a> Iterator for Items<'d, 'a> {
    type Item = Node<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.set.items[id as usize].next_item;
        Some(Node { set: self.set, id })
    }
}

/// Explicit VR little endian element bytes, for the tests of this module's files.
#[cfg(test)]
fn test_element(group: u16, elem: u16, vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&group.to_le_bytes());
    out.extend_from_slice(&elem.to_le_bytes());
    out.extend_from_slice(vr);
    if header::has_long_length(*vr) {
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(value.len() as u32).to_le_bytes());
    } else {
        out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    }
    out.extend_from_slice(value);
    out
}
