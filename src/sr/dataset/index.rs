//! The index under construction: elements and items as the walk meets them, linked into
//! lists (an item's elements, a sequence's items) by position, so that nothing is copied.

use dicom_core::Tag;

use super::{Element, Item, NONE};

/// The index under construction. Elements are written through a pointer into capacity
/// reserved up front, with their count kept beside it, rather than by `Vec::push`: a push
/// may grow the vector, so it reloaded the vector's length, capacity and address from
/// memory for every element of every file (docs/performance.md, "2026-12-06, night").
pub(super) struct Builder {
    /// Holds the elements written so far in its first `written` slots; its length stays
    /// 0 until `finish`.
    elements: Vec<Element>,
    /// `elements`' buffer.
    base: *mut Element,
    /// Elements written.
    written: usize,
    /// `elements`' capacity: never reached (see `new`), and checked all the same.
    capacity: usize,
    pub(super) items: Vec<Item>,
}

impl Builder {
    /// Sized for `data_len` bytes: an element takes at least 8 bytes of header, so
    /// `data_len / 8` elements is an upper bound that the index never has to grow past,
    /// and no more than the element cap is ever needed. A content item holds a handful of
    /// elements, hence the item estimate.
    pub(super) fn new(data_len: usize, max_elements: usize) -> Builder {
        let elements = (data_len / 8).min(max_elements.saturating_add(1));
        let mut items = Vec::with_capacity(elements / 4 + 1);
        items.push(Item {
            first_element: NONE,
            next_item: NONE,
        });
        let mut elements: Vec<Element> = Vec::with_capacity(elements);
        Builder {
            base: elements.as_mut_ptr(),
            written: 0,
            capacity: elements.capacity(),
            elements,
            items,
        }
    }

    /// The elements and items, once the walk is over.
    pub(super) fn finish(mut self) -> (Vec<Element>, Vec<Item>) {
        // SAFETY: the first `written` slots were written by `element` (`written` never
        // exceeds the capacity), and `Element` is `Copy`.
        unsafe { self.elements.set_len(self.written) };
        (self.elements, self.items)
    }

    /// The element at `index`, written already.
    #[inline(always)]
    fn written_mut(&mut self, index: u32) -> &mut Element {
        let index = index as usize;
        assert!(index < self.written, "an element not written yet");
        // SAFETY: slots below `written` are initialised, inside the buffer, and only
        // reached through `&mut self`.
        unsafe { &mut *self.base.add(index) }
    }

    /// Appends an element to item `owner`, after its element `after` (NONE for its first);
    /// returns its index. The caller keeps an item's last element (the walk in its frame),
    /// so that appending costs no look-up of the item. `#[inline]` here and on `item`:
    /// called for every element of every file from another module (another codegen unit),
    /// they were calls, 3 % of a scan's instructions (callgrind).
    #[inline]
    pub(super) fn element(
        &mut self,
        owner: u32,
        after: u32,
        tag: Tag,
        start: usize,
        len: usize,
    ) -> u32 {
        let index = self.written;
        if index >= self.capacity {
            index_full();
        }
        // SAFETY: `index` is below the capacity of the buffer `base` points to.
        unsafe {
            self.base.add(index).write(Element {
                tag,
                start: start as u32,
                len: len as u32,
                next: NONE,
                first_item: NONE,
            });
        }
        self.written = index + 1;
        let index = index as u32;
        if after == NONE {
            self.items[owner as usize].first_element = index;
        } else {
            self.written_mut(after).next = index;
        }
        index
    }

    /// Opens a new item of the sequence whose element is `sequence`, after its item
    /// `previous` (NONE for the first); returns the new item's id.
    #[inline]
    pub(super) fn item(&mut self, sequence: u32, previous: u32) -> u32 {
        let id = self.items.len() as u32;
        self.items.push(Item {
            first_element: NONE,
            next_item: NONE,
        });
        if previous == NONE {
            self.written_mut(sequence).first_item = id;
        } else {
            self.items[previous as usize].next_item = id;
        }
        id
    }
}

/// More elements than `Builder::new` reserved for: impossible (each takes 8 bytes of the
/// data), stopped all the same.
#[cold]
#[inline(never)]
fn index_full() -> ! {
    panic!("the element index is full")
}
