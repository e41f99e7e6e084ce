//! The walk's frames: an open sequence or item, or the root. The innermost is a local of
//! the walk; a `Vec` holds the ones around it (an array in the walk's own stack frame, its
//! length in memory beside it, made the walk dearer: docs/performance.md).

use super::super::NONE;

/// No end: an undefined length, or the root.
pub(super) const NO_END: usize = usize::MAX;

/// `Frame::flags`: holds items (else elements).
pub(super) const SEQUENCE: usize = 1;
/// `Frame::flags`: contents are implicit VR (UN with undefined length is, PS3.5 6.2.2).
pub(super) const IMPLICIT: usize = 2;
/// `Frame::flags`: encapsulated pixel data, whose items are fragments of bytes.
pub(super) const FRAGMENTS: usize = 4;
/// `Frame::flags`: `bound` is a sequence's or an item's defined end (else the end of the
/// data).
pub(super) const BOUNDED: usize = 8;

/// An open sequence or item, or the root data set (the frame below all others). Small,
/// and its limits worked out where they are needed: the walk reads the innermost frame for
/// every element, and a frame copied whole (as the model does) cost a hundred instructions
/// per sequence or item, and stalled on its own stores (`perf`). The innermost frame is a
/// local of the walk (its fields stay in registers); the stack holds the ones around it.
#[derive(Clone, Copy)]
pub(super) struct Frame {
    /// Where a defined-length sequence or item ends; `NO_END` for undefined length. The
    /// root's is the end of the data, so that one test per element (`pos >= top.end`)
    /// finds both a frame's end and the data's (a second compare for the data's end was
    /// about two instructions for each of ~900 headers per file).
    pub(super) end: usize,
    /// The furthest a value inside may end: the nearest defined end that lies within the
    /// data (this frame's, else its parent's bound; `BOUNDED`), else the end of the data
    /// (a defined end past the data decides nothing the end of the data does not: values
    /// are held to the data, containers may claim more, and `length_error` blames such a
    /// parent for nothing). Worked out as the frame opens, where the bound and the end of
    /// the data were compared again for every value.
    pub(super) bound: usize,
    /// Sequences: the index of their element; items (and the root): their item id.
    pub(super) owner: u32,
    /// Sequences: their last item so far (to link the next one: `Builder::item`); items
    /// (and the root): their last element so far (where their list ends:
    /// `Builder::close_item_at`).
    pub(super) last: u32,
    /// `SEQUENCE`, `IMPLICIT`, `FRAGMENTS`, `BOUNDED`. A whole word, so that a frame has
    /// no padding: a frame pushed or popped was copied field by field, its padding bytes
    /// too, as was its sequence's tag (now found in the index for the one message that
    /// names it, `finish`): four fewer moves each way (callgrind, docs/performance.md).
    pub(super) flags: usize,
}

impl Frame {
    /// A frame that ends at `end`, inside `parent` (whose bound it inherits when `end` is
    /// undefined).
    #[inline(always)]
    pub(super) fn open(
        end: usize,
        parent: &Frame,
        data_len: usize,
        flags: usize,
        owner: u32,
    ) -> Frame {
        let (bound, bounded) = if end == NO_END {
            (parent.bound, parent.flags & BOUNDED)
        } else if end <= data_len {
            (end, BOUNDED)
        } else {
            (data_len, 0)
        };
        Frame {
            end,
            bound,
            owner,
            last: NONE,
            flags: flags | bounded,
        }
    }

    /// Whether a container (a sequence or an item) ending at `end` lies outside this
    /// frame's defined end; one past the end of the data is walked, and the end of the data
    /// decides (`finish`).
    #[inline(always)]
    pub(super) fn container_overruns(&self, end: usize) -> bool {
        end > self.bound && self.flags & BOUNDED != 0
    }

    /// The bound as `length_error` takes it.
    pub(super) fn parent_bound(&self) -> Option<usize> {
        (self.flags & BOUNDED != 0).then_some(self.bound)
    }
}
