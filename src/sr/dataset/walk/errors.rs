//! The walk's errors: built only when a file is refused, apart from the walk (cold, never
//! inlined) so that its loop keeps its registers.

use dicom_core::Tag;

use super::super::header::fmt_tag;
use crate::error::{FileError, Reason};

#[cold]
#[inline(never)]
pub(super) fn element_in_sequence(tag: Tag, pos: usize) -> FileError {
    FileError::new(
        Reason::Malformed,
        format!(
            "element {} at byte {pos} where a sequence item was expected",
            fmt_tag(tag)
        ),
    )
}

#[cold]
#[inline(never)]
pub(super) fn too_deep(max_depth: usize, tag: Tag, pos: usize) -> FileError {
    FileError::new(
        Reason::Malformed,
        format!(
            "sequences nested deeper than {max_depth} levels (at {} byte {pos})",
            fmt_tag(tag)
        ),
    )
}

#[cold]
#[inline(never)]
pub(super) fn overrun(pos: usize, end: usize) -> FileError {
    FileError::new(
        Reason::Malformed,
        format!("element at byte {pos} overruns its parent ending at {end}"),
    )
}

#[cold]
#[inline(never)]
pub(super) fn unexpected(tag: Tag, at: usize) -> FileError {
    FileError::new(
        Reason::Malformed,
        format!("unexpected {} at byte {at}", fmt_tag(tag)),
    )
}

/// Why a value that declares `length` bytes from `start` does not fit: past a parent that
/// itself fits in the file the length lies (`malformed`); past the end of the file, the
/// file was most likely cut short (`truncated`), unless the claim is absurd for any file
/// we would accept.
#[cold]
#[inline(never)]
pub(super) fn length_error(
    start: usize,
    length: u32,
    parent_bound: Option<usize>,
    data_len: usize,
    tag: Tag,
) -> FileError {
    let end = start as u64 + u64::from(length);
    if let Some(parent_end) = parent_bound
        && end > parent_end as u64
        && parent_end <= data_len
    {
        // Past a parent that itself fits in the file, the length lies: the file is not short.
        return FileError::new(
            Reason::Malformed,
            format!(
                "{} at byte {start} declares {length} bytes, its parent has {} left",
                fmt_tag(tag),
                parent_end.saturating_sub(start)
            ),
        );
    }
    let reason = if u64::from(length) >= 1 << 30 {
        Reason::Malformed
    } else {
        Reason::Truncated
    };
    FileError::new(
        reason,
        format!(
            "{} at byte {start} declares {length} bytes, only {} left in the file",
            fmt_tag(tag),
            data_len.saturating_sub(start)
        ),
    )
}
