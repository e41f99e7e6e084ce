//! The index under construction: elements and items as the walk meets them, linked into
//! lists (an item's elements, a sequence's items) by position, so that nothing is copied.

use dicom_core::Tag;

use super::{Element, Item, NONE};

/// The index under construction.
pub(super) struct Builder {
    pub(super) elements: Vec<Element>,
    pub(super) items: Vec<Item>,
}

impl Builder {
    /// Sized for `data_len` bytes: an element takes at least 8 bytes of header, so
    /// `data_len / 8` elements is an upper bound that the vector never has to grow past
    /// (growing copied the index two or three times per file), and no more than the
    /// element cap is ever needed. A content item holds a handful of elements, hence the
    /// item estimate.
    pub(super) fn new(data_len: usize, max_elements: usize) -> Builder {
        let elements = (data_len / 8).min(max_elements.saturating_add(1));
        let mut items = Vec::with_capacity(elements / 4 + 1);
        // The root's first element is the data set's first (`finish_root`).
        items.push(Item {
            first_element: 0,
            next_item: NONE,
        });
        Builder {
            elements: Vec::with_capacity(elements),
            items,
        }
    }

    /// Appends an element, its next sibling taken to be the element appended after it:
    /// true of every element but an item's last (`close_item_at`) and a sequence
    /// (`close_sequence`, which corrects it once its contents are appended). Linking each
    /// element from its predecessor as it came (`element`) was a look-up and a store into
    /// an earlier element, about eight instructions for each of some 1 000 elements per
    /// file (callgrind, docs/performance.md); the index is the same.
    #[inline]
    pub(super) fn append(&mut self, tag: Tag, start: usize, len: usize) -> u32 {
        let index = self.elements.len() as u32;
        self.elements.push(Element {
            tag,
            start: start as u32,
            len: len as u32,
            next: index + 1,
            first_item: NONE,
        });
        index
    }

    /// The sequence whose element is `sequence` closes: its next sibling is the element
    /// appended next (`append`).
    #[inline]
    pub(super) fn close_sequence(&mut self, sequence: u32) {
        let next = self.elements.len() as u32;
        self.elements[sequence as usize].next = next;
    }

    /// Item `id` closes, `last` its last element (NONE: it has none), under `append`.
    #[inline]
    pub(super) fn close_item_at(&mut self, id: u32, last: u32) {
        if last == NONE {
            self.items[id as usize].first_element = NONE;
        } else {
            self.elements[last as usize].next = NONE;
        }
    }

    /// The root closes, `last` its last element, under `append`.
    pub(super) fn finish_root_at(&mut self, last: u32) {
        self.close_item_at(0, last);
    }

    /// The model's way (walk/reference.rs; the walk appends with `append`): appends an
    /// element after its item's element `after` (NONE for the item's first, which the
    /// item already names: `item`); returns its index. `#[inline]` on `append` and `item`:
    /// called for every element of every file from another module (another codegen
    /// unit), they were calls, 3 % of a scan's instructions (callgrind).
    #[cfg(test)]
    pub(super) fn element(&mut self, after: u32, tag: Tag, start: usize, len: usize) -> u32 {
        let index = self.elements.len() as u32;
        self.elements.push(Element {
            tag,
            start: start as u32,
            len: len as u32,
            next: NONE,
            first_item: NONE,
        });
        if after != NONE {
            self.elements[after as usize].next = index;
        }
        index
    }

    /// Opens a new item of the sequence whose element is `sequence`, after its item
    /// `previous` (NONE for the first); returns the new item's id. Its first element is the
    /// next one appended, unless it has none (`close_item_at`, `close_item`).
    #[inline]
    pub(super) fn item(&mut self, sequence: u32, previous: u32) -> u32 {
        let id = self.items.len() as u32;
        self.items.push(Item {
            first_element: self.elements.len() as u32,
            next_item: NONE,
        });
        if previous == NONE {
            self.elements[sequence as usize].first_item = id;
        } else {
            self.items[previous as usize].next_item = id;
        }
        id
    }

    /// Item `id` closes, `last` its last element: NONE, it has none.
    #[cfg(test)]
    pub(super) fn close_item(&mut self, id: u32, last: u32) {
        if last == NONE {
            self.items[id as usize].first_element = NONE;
        }
    }

    /// The root holds the data set's first element, if there is one.
    #[cfg(test)]
    pub(super) fn finish_root(&mut self) {
        if self.elements.is_empty() {
            self.items[0].first_element = NONE;
        }
    }
}
