//! The checked walk over a data set's element headers: iterative (no recursion, whatever the
//! nesting), every length checked against the bytes its parent has left before anything
//! relies on it, nesting and element count capped (docs/columns.md, `malformed`: 64 levels).
//! It records every element in the `DataSet` index as it goes; values are never copied.
//!
//! The walk ends at top-level Pixel Data (7FE0,0010): nothing after it is read by anyone
//! (the data set handed on is cut there), which is also where the head reader stops reading
//! a file (`head`), so both see the same data set.
//!
//! It runs for every element of every file (about a thousand per file), so the innermost
//! frame is held in a local (`Frame`, its limits worked out once when it opens) and the
//! byte order is a type parameter: the walk as first written, which copied the frame off
//! its stack and worked out each limit per element, took three times the instructions
//! (docs/performance.md). That walk is kept as the model of this one (`reference`, tests
//! only): both must give the same index and the same error on every input (`tests`).

mod bytes;
mod errors;
mod frame;
#[cfg(test)]
pub(super) mod reference;
#[cfg(test)]
mod tests;

use dicom_core::Tag;

use super::header::{
    ITEM, ITEM_DELIMITER, PIXEL_DATA, SEQUENCE_DELIMITER, SOP_CLASS_UID, UNDEFINED, VR_LONG,
    VR_SHORT, fmt_tag, implicit_sequence, too_many_elements, truncated_at, uid_text, unknown_vr,
    vr_class,
};
use super::index::Builder;
use super::{Charset, DataSet, Endian, Limits, NONE};
use crate::error::{FileError, Reason};
use bytes::{tag_word, u16_at, u32_at, word_group, word_tag};
use errors::{element_in_sequence, length_error, overrun, too_deep, unexpected};
use frame::{FRAGMENTS, Frame, IMPLICIT, NO_END, SEQUENCE};

/// An item tag's bytes (implicit VR is little endian).
const ITEM_BYTES: [u8; 4] = [0xFE, 0xFF, 0x00, 0xE0];

/// Walks and indexes the data set `data`. Returns the index and the top-level SOP Class
/// UID.
pub(super) fn walk<'a>(
    data: &'a [u8],
    endian: Endian,
    root_implicit: bool,
    limits: &Limits,
) -> Result<(DataSet<'a>, Option<String>), FileError> {
    // Every header the walk counts takes at least eight bytes of the data (a tag and a
    // length), so a data set of fewer than `8 * (max_elements + 1)` bytes cannot break
    // the cap: nearly every file. The walk then keeps no count (the count and the cap were
    // a load, a compare and a register per element).
    let capped = data.len() / 8 > limits.max_elements;
    match (endian, capped) {
        (Endian::Little, false) => walk_in::<false, false>(data, root_implicit, limits),
        (Endian::Little, true) => walk_in::<false, true>(data, root_implicit, limits),
        (Endian::Big, false) => walk_in::<true, false>(data, root_implicit, limits),
        (Endian::Big, true) => walk_in::<true, true>(data, root_implicit, limits),
    }
}

/// `walk` in one byte order. The checks are the model's (`reference`), in its order, so
/// that a broken file gets the same error from both. `CAPPED`: the data may hold more
/// headers than `limits.max_elements`, so they are counted.
#[inline(never)]
fn walk_in<'a, const BIG: bool, const CAPPED: bool>(
    data: &'a [u8],
    root_implicit: bool,
    limits: &Limits,
) -> Result<(DataSet<'a>, Option<String>), FileError> {
    let len = data.len();
    let mut index = Builder::new(len, limits.max_elements);
    let root_flags = if root_implicit { IMPLICIT } else { 0 };
    // The frames around the innermost one (`top`); empty at the root.
    let mut stack: Vec<Frame> = Vec::with_capacity(16);
    let mut top = Frame {
        end: len,
        bound: len,
        owner: 0,
        last: NONE,
        flags: root_flags,
    };
    let mut depth = 0usize; // sequences open
    let mut pos = 0usize;
    let mut elements = 0usize;
    let mut sop_class = None;

    loop {
        // Close every defined-length frame that ends here; the root ends at the end of the
        // data.
        if pos >= top.end {
            if pos > top.end {
                return Err(overrun(pos, top.end));
            }
            if stack.is_empty() {
                return finish(data, index, sop_class, &stack, top);
            }
            if top.flags & SEQUENCE != 0 {
                index.close_sequence(top.owner);
                depth -= 1;
            } else {
                index.close_item_at(top.owner, top.last);
            }
            top = stack.pop().expect("not at the root");
            continue;
        }
        let Some(head) = data.get(pos..pos + 8) else {
            // The end of the data inside a frame (of undefined length, or one that claims
            // more than the data holds).
            if pos == len {
                return finish(data, index, sop_class, &stack, top);
            }
            return Err(truncated_at(pos));
        };
        // The tag as one number, compared with the tags the walk looks for in the same
        // form (`tag_word`).
        let word = u32_at::<BIG>(head, 0);
        let tag = word_tag::<BIG>(word);
        if word == tag_word::<BIG>(PIXEL_DATA) && stack.is_empty() {
            return done(data, index, sop_class, pos, top.last);
        }
        if CAPPED {
            elements += 1;
            if elements > limits.max_elements {
                return Err(too_many_elements(limits.max_elements));
            }
        }

        // Item and delimiter tags carry no VR in any syntax (PS3.5 7.5).
        if word_group::<BIG>(word) == 0xFFFE {
            let length = u32_at::<BIG>(head, 4);
            pos = item_tag(
                data, pos, tag, length, &mut stack, &mut top, &mut index, &mut depth,
            )?;
            continue;
        }
        if top.flags & SEQUENCE != 0 {
            return Err(element_in_sequence(tag, pos));
        }

        // The header (implicit VR is always little endian, PS3.5 A.1).
        let implicit = top.flags & IMPLICIT != 0;
        let (vr, length, value_start) = if implicit {
            let length = u32_at::<false>(head, 4);
            let value_start = pos + 8;
            // The common case again: a defined length and a value that does not start
            // with an item tag (eight bytes of it, as `implicit_sequence` asks) is a plain
            // value, never a sequence nor encapsulated pixel data.
            let item_next = data
                .get(value_start..value_start + 8)
                .is_some_and(|value| value[..4] == ITEM_BYTES);
            if length != UNDEFINED && !item_next {
                let end = value_start + length as usize;
                if end > top.bound {
                    return Err(length_error(
                        value_start,
                        length,
                        top.parent_bound(),
                        len,
                        tag,
                    ));
                }
                top.last = index.append(tag, value_start, length as usize);
                if word == tag_word::<BIG>(SOP_CLASS_UID) && stack.is_empty() {
                    sop_class = Some(uid_text(&data[value_start..end]));
                }
                pos = end;
                continue;
            }
            (None, length, value_start)
        } else {
            // One load (two bytes taken one by one were five instructions).
            let vr = u16_at::<false>(head, 4).to_le_bytes();
            let class = vr_class(vr);
            if class == VR_SHORT {
                // The common case, a value with a 2-byte length: never a sequence, never
                // undefined, nothing to decide but whether it fits.
                let value_start = pos + 8;
                let end = value_start + usize::from(u16_at::<BIG>(head, 6));
                if end > top.bound {
                    return Err(length_error(
                        value_start,
                        u32::from(u16_at::<BIG>(head, 6)),
                        top.parent_bound(),
                        len,
                        tag,
                    ));
                }
                top.last = index.append(tag, value_start, end - value_start);
                if word == tag_word::<BIG>(SOP_CLASS_UID) && stack.is_empty() {
                    sop_class = Some(uid_text(&data[value_start..end]));
                }
                pos = end;
                continue;
            } else if class == VR_LONG {
                let Some(long) = data.get(pos + 8..pos + 12) else {
                    return Err(truncated_at(pos));
                };
                (Some(vr), u32_at::<BIG>(long, 0), pos + 12)
            } else {
                return Err(unknown_vr(vr, pos));
            }
        };
        let is_sequence = match vr {
            Some(vr) => &vr == b"SQ" || (&vr == b"UN" && length == UNDEFINED),
            None => length == UNDEFINED || implicit_sequence(tag, &data[value_start.min(len)..]),
        };
        // Encapsulated pixel data below the top level (an icon image): fragments, walked
        // like a sequence of byte items.
        let encapsulated = word == tag_word::<BIG>(PIXEL_DATA) && length == UNDEFINED;
        if is_sequence || encapsulated {
            depth += 1;
            if depth > limits.max_depth {
                return Err(too_deep(limits.max_depth, tag, pos));
            }
            let end = if length == UNDEFINED {
                NO_END
            } else {
                let end = value_start + length as usize;
                if top.container_overruns(end) {
                    return Err(length_error(
                        value_start,
                        length,
                        top.parent_bound(),
                        len,
                        tag,
                    ));
                }
                end
            };
            let element = index.append(tag, value_start, 0);
            top.last = element;
            let mut flags = SEQUENCE;
            if implicit || vr == Some(*b"UN") {
                flags |= IMPLICIT;
            }
            if encapsulated {
                flags |= FRAGMENTS;
            }
            let parent = top;
            stack.push(top);
            top = Frame::open(end, &parent, len, flags, element);
            pos = value_start;
            continue;
        }
        if length == UNDEFINED {
            return Err(FileError::new(
                Reason::Malformed,
                format!("undefined length on non-sequence element {}", fmt_tag(tag)),
            ));
        }
        // A plain value, as on the two fast paths above (a 2-byte length, implicit VR):
        // the three stay written out, since one `#[inline(always)]` function for them
        // made the walk 102 700 instructions per file where it is 97 900
        // (docs/performance.md, "The per-file step again").
        let end = value_start + length as usize;
        if end > top.bound {
            return Err(length_error(
                value_start,
                length,
                top.parent_bound(),
                len,
                tag,
            ));
        }
        top.last = index.append(tag, value_start, length as usize);
        if word == tag_word::<BIG>(SOP_CLASS_UID) && stack.is_empty() {
            sop_class = Some(uid_text(&data[value_start..end]));
        }
        pos = end;
    }
}

/// An item or delimiter tag at `at`, declaring `length`: opens an item (or steps over a
/// pixel data fragment), or closes the undefined-length item or sequence it ends. Returns
/// where the walk goes on.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // the walk's state, in its registers
fn item_tag(
    data: &[u8],
    at: usize,
    tag: Tag,
    length: u32,
    stack: &mut Vec<Frame>,
    top: &mut Frame,
    index: &mut Builder,
    depth: &mut usize,
) -> Result<usize, FileError> {
    let len = data.len();
    let pos = at + 8;
    if stack.is_empty() {
        return Err(unexpected(tag, at));
    }
    let sequence = top.flags & SEQUENCE != 0;
    match tag {
        ITEM if sequence && top.flags & FRAGMENTS != 0 => {
            // A pixel data fragment: bytes, not a data set.
            if length == UNDEFINED {
                return Err(FileError::new(
                    Reason::Malformed,
                    "pixel data fragment of undefined length",
                ));
            }
            let end = pos + length as usize;
            if end > top.bound {
                return Err(length_error(pos, length, top.parent_bound(), len, tag));
            }
            Ok(end)
        }
        ITEM if sequence => {
            let id = index.item(top.owner, top.last);
            top.last = id;
            let end = if length == UNDEFINED {
                NO_END
            } else {
                let end = pos + length as usize;
                if top.container_overruns(end) {
                    return Err(length_error(pos, length, top.parent_bound(), len, tag));
                }
                end
            };
            let item = Frame::open(end, top, len, top.flags & IMPLICIT, id);
            stack.push(*top);
            *top = item;
            Ok(pos)
        }
        ITEM_DELIMITER if !sequence && top.end == NO_END => {
            index.close_item_at(top.owner, top.last);
            *top = stack.pop().expect("not at the root");
            Ok(pos)
        }
        SEQUENCE_DELIMITER if sequence && top.end == NO_END => {
            index.close_sequence(top.owner);
            *top = stack.pop().expect("not at the root");
            *depth -= 1;
            Ok(pos)
        }
        _ => Err(unexpected(tag, at)),
    }
}

/// The walk reached the end of the data: complete, unless a frame is still open (`open`
/// around `top`, which is the root when `open` is empty).
#[cold]
fn finish<'a>(
    data: &'a [u8],
    index: Builder,
    sop_class: Option<String>,
    open: &[Frame],
    top: Frame,
) -> Result<(DataSet<'a>, Option<String>), FileError> {
    // The open frames but the root, outermost first.
    let open: Vec<Frame> = match open.split_first() {
        Some((_root, around)) => around.iter().copied().chain([top]).collect(),
        None => Vec::new(),
    };
    if let Some(frame) = open.iter().rev().find(|f| f.end == NO_END) {
        let what = if frame.flags & SEQUENCE != 0 {
            "sequence"
        } else {
            "item"
        };
        return Err(FileError::new(
            Reason::Truncated,
            format!("file ends inside an undefined-length {what} (no delimiter)"),
        ));
    }
    if let Some(at) = open.iter().position(|f| f.end > data.len()) {
        let lying = open[at];
        // A sequence's tag is its element's; an item's, its sequence's (the frame around
        // it: the root holds no items).
        let sequence = if lying.flags & SEQUENCE != 0 {
            lying
        } else {
            open[at - 1]
        };
        let tag = index.elements[sequence.owner as usize].tag;
        return Err(FileError::new(
            Reason::Malformed,
            format!(
                "{} declares a length {} bytes past the end of the file, whose \
                 contents end cleanly (a lying length)",
                fmt_tag(tag),
                lying.end - data.len()
            ),
        ));
    }
    done(data, index, sop_class, data.len(), top.last)
}

/// The index of `data[..end]` (the root's frame the only one open, `root_last` its last
/// element).
fn done<'a>(
    data: &'a [u8],
    mut index: Builder,
    sop_class: Option<String>,
    end: usize,
    root_last: u32,
) -> Result<(DataSet<'a>, Option<String>), FileError> {
    index.finish_root_at(root_last);
    let mut set = DataSet {
        data: &data[..end],
        elements: index.elements,
        items: index.items,
        charset: Charset::Default,
        codec: None,
    };
    set.read_charset();
    Ok((set, sop_class))
}
