//! The checked walk as first written (one `Frame` copied per element, every length
//! through `defined_end`): slower than `super::walk` by about three times, and kept, for
//! the tests only, as the model that the fast walk must agree with on every input, byte
//! for byte and error for error (`super::tests`).

use dicom_core::Tag;

use super::super::header::{
    ITEM, ITEM_DELIMITER, PIXEL_DATA, SEQUENCE_DELIMITER, SOP_CLASS_UID, UNDEFINED, fmt_tag,
    opens_sequence, read_header, read16, read32, too_many_elements, truncated_at, uid_text,
};
use super::super::index::Builder;
use super::super::{Charset, DataSet, Endian, Limits, NONE};
use super::length_error;
use crate::error::{FileError, Reason};

#[derive(Clone, Copy)]
struct Frame {
    /// Where a defined-length sequence or item ends; None for undefined length.
    end: Option<usize>,
    /// The nearest defined end: this frame's, else its parent's bound.
    bound: Option<usize>,
    /// A sequence (holds items) or an item (holds elements).
    sequence: bool,
    /// Contents are implicit VR (UN with undefined length is, PS3.5 6.2.2).
    implicit: bool,
    /// The sequence's tag (items: their sequence's), for messages.
    tag: Tag,
    /// Sequences: the index of their element; items: their item id.
    owner: u32,
    /// Sequences: their last item so far (to link the next one).
    last_item: u32,
    /// Items: their last element so far (to link the next one).
    last_element: u32,
    /// Encapsulated pixel data: items are fragments of bytes, not data sets.
    fragments: bool,
}

/// Walks and indexes the data set `data`. Returns the index and the top-level SOP Class
/// UID. The walk as it was before `super::walk`, kept as its model.
pub(in crate::sr::dataset) fn walk<'a>(
    data: &'a [u8],
    endian: Endian,
    root_implicit: bool,
    limits: &Limits,
) -> Result<(DataSet<'a>, Option<String>), FileError> {
    let mut index = Builder::new(data.len(), limits.max_elements);
    let mut stack: Vec<Frame> = Vec::new();
    let mut depth = 0usize; // sequences on the stack
    let mut pos = 0usize;
    let mut elements = 0usize;
    let mut sop_class = None;
    let mut root_last = NONE; // the root's last element so far
    let done = |mut index: Builder, sop_class, end: usize| {
        index.finish_root();
        let mut set = DataSet {
            data: &data[..end],
            elements: index.elements,
            items: index.items,
            charset: Charset::Default,
            codec: None,
        };
        set.read_charset();
        Ok((set, sop_class))
    };

    loop {
        // Close every defined-length frame that ends here.
        while let Some(frame) = stack.last() {
            match frame.end {
                Some(end) if pos == end => {
                    if close(&mut stack, &mut index) {
                        depth -= 1;
                    }
                }
                Some(end) if pos > end => {
                    return Err(FileError::new(
                        Reason::Malformed,
                        format!("element at byte {pos} overruns its parent ending at {end}"),
                    ));
                }
                _ => break,
            }
        }
        if pos == data.len() {
            if let Some(open) = stack.iter().rev().find(|f| f.end.is_none()) {
                let what = if open.sequence { "sequence" } else { "item" };
                return Err(FileError::new(
                    Reason::Truncated,
                    format!("file ends inside an undefined-length {what} (no delimiter)"),
                ));
            }
            if let Some(lying) = stack.iter().find(|f| f.end.is_some_and(|e| e > data.len())) {
                return Err(FileError::new(
                    Reason::Malformed,
                    format!(
                        "{} declares a length {} bytes past the end of the file, whose \
                         contents end cleanly (a lying length)",
                        fmt_tag(lying.tag),
                        lying.end.unwrap_or(0) - data.len()
                    ),
                ));
            }
            return done(index, sop_class, pos);
        }
        if pos + 8 > data.len() {
            return Err(truncated_at(pos));
        }
        let tag = Tag(read16(data, pos, endian), read16(data, pos + 2, endian));
        if tag == PIXEL_DATA && stack.is_empty() {
            return done(index, sop_class, pos);
        }
        elements += 1;
        if elements > limits.max_elements {
            return Err(too_many_elements(limits.max_elements));
        }
        let top = stack.last().copied();
        let in_sequence = top.is_some_and(|f| f.sequence);
        let bound = top.and_then(|f| f.bound);

        // Item and delimiter tags carry no VR in any syntax (PS3.5 7.5).
        if tag.group() == 0xFFFE {
            let length = read32(data, pos + 4, endian);
            pos += 8;
            match (tag, stack.last_mut()) {
                (ITEM, Some(frame)) if frame.sequence && frame.fragments => {
                    // A pixel data fragment: bytes, not a data set.
                    let end = defined_end(pos, length, bound, data.len(), tag, false)?.ok_or_else(
                        || {
                            FileError::new(
                                Reason::Malformed,
                                "pixel data fragment of undefined length",
                            )
                        },
                    )?;
                    pos = end;
                }
                (ITEM, Some(frame)) if frame.sequence => {
                    let id = index.item(frame.owner, frame.last_item);
                    frame.last_item = id;
                    let (implicit, sequence_tag) = (frame.implicit, frame.tag);
                    let end = defined_end(pos, length, bound, data.len(), tag, true)?;
                    stack.push(Frame {
                        end,
                        bound: end.or(bound),
                        sequence: false,
                        implicit,
                        tag: sequence_tag,
                        owner: id,
                        last_item: NONE,
                        last_element: NONE,
                        fragments: false,
                    });
                }
                (ITEM_DELIMITER, Some(frame)) if !frame.sequence && frame.end.is_none() => {
                    close(&mut stack, &mut index);
                }
                (SEQUENCE_DELIMITER, Some(frame)) if frame.sequence && frame.end.is_none() => {
                    stack.pop();
                    depth -= 1;
                }
                _ => {
                    return Err(FileError::new(
                        Reason::Malformed,
                        format!("unexpected {} at byte {}", fmt_tag(tag), pos - 8),
                    ));
                }
            }
            continue;
        }
        if in_sequence {
            return Err(FileError::new(
                Reason::Malformed,
                format!(
                    "element {} at byte {pos} where a sequence item was expected",
                    fmt_tag(tag)
                ),
            ));
        }

        let implicit = top.map_or(root_implicit, |f| f.implicit);
        let header = read_header(data, pos, endian, implicit)?;
        let is_sequence = opens_sequence(tag, &header, data);
        // Encapsulated pixel data below the top level (an icon image): fragments, walked
        // like a sequence of byte items.
        let encapsulated = tag == PIXEL_DATA && header.length == UNDEFINED;
        if is_sequence || encapsulated {
            depth += 1;
            if depth > limits.max_depth {
                return Err(FileError::new(
                    Reason::Malformed,
                    format!(
                        "sequences nested deeper than {} levels (at {} byte {pos})",
                        limits.max_depth,
                        fmt_tag(tag)
                    ),
                ));
            }
            let end = defined_end(
                header.value_start,
                header.length,
                bound,
                data.len(),
                tag,
                true,
            )?;
            let element =
                index.element(last_element(&stack, root_last), tag, header.value_start, 0);
            set_last_element(&mut stack, &mut root_last, element);
            stack.push(Frame {
                end,
                bound: end.or(bound),
                sequence: true,
                implicit: implicit || header.vr == Some(*b"UN"),
                tag,
                owner: element,
                last_item: NONE,
                last_element: NONE,
                fragments: encapsulated,
            });
            pos = header.value_start;
            continue;
        }
        if header.length == UNDEFINED {
            return Err(FileError::new(
                Reason::Malformed,
                format!("undefined length on non-sequence element {}", fmt_tag(tag)),
            ));
        }
        let end = defined_end(
            header.value_start,
            header.length,
            bound,
            data.len(),
            tag,
            false,
        )?
        .unwrap_or(data.len());
        let element = index.element(
            last_element(&stack, root_last),
            tag,
            header.value_start,
            end - header.value_start,
        );
        set_last_element(&mut stack, &mut root_last, element);
        if stack.is_empty() && tag == SOP_CLASS_UID {
            sop_class = Some(uid_text(&data[header.value_start..end]));
        }
        pos = end;
    }
}

/// Closes the innermost frame (its sequence or item ends here); whether it was a sequence.
fn close(stack: &mut Vec<Frame>, index: &mut Builder) -> bool {
    let frame = stack.pop().expect("a frame is open");
    if !frame.sequence {
        index.close_item(frame.owner, frame.last_element);
    }
    frame.sequence
}

/// The last element so far of the innermost item (the root's when no frame is open).
fn last_element(stack: &[Frame], root_last: u32) -> u32 {
    stack.last().map_or(root_last, |f| f.last_element)
}

fn set_last_element(stack: &mut [Frame], root_last: &mut u32, element: u32) {
    match stack.last_mut() {
        Some(frame) => frame.last_element = element,
        None => *root_last = element,
    }
}

/// The end of a value that declares `length` bytes from `start`, checked against the
/// innermost defined-length parent and the end of the data.
///
/// A sequence or item (`container`) may declare an end past the end of the file: its
/// contents are walked, and the end of the file decides. If it ends inside an element, the
/// file was cut short (`truncated`); if it ends cleanly, the length lied (`malformed`).
fn defined_end(
    start: usize,
    length: u32,
    parent_bound: Option<usize>,
    data_len: usize,
    tag: Tag,
    container: bool,
) -> Result<Option<usize>, FileError> {
    if length == UNDEFINED {
        return Ok(None);
    }
    let end = start as u64 + u64::from(length);
    let within_parent = match parent_bound {
        Some(parent_end) => end <= parent_end as u64 || parent_end > data_len,
        None => true,
    };
    if within_parent && (end <= data_len as u64 || container) {
        return Ok(Some(end as usize));
    }
    Err(length_error(start, length, parent_bound, data_len, tag))
}
