//! Numbers in element headers, in the byte order of the data set (`BIG`): read as one load
//! each, and tags as one number (`tag_word`), compared with the tags the walk looks for in
//! the same form.

use dicom_core::Tag;

/// The 2-byte number at `at` of `bytes`, whose length the caller has checked (read as one
/// load: through an array of bytes, the compiler took the header apart byte by byte).
#[inline(always)]
pub(super) fn u16_at<const BIG: bool>(bytes: &[u8], at: usize) -> u16 {
    let word: [u8; 2] = bytes[at..at + 2].try_into().expect("2 bytes");
    if BIG {
        u16::from_be_bytes(word)
    } else {
        u16::from_le_bytes(word)
    }
}

/// The 4-byte number at `at` of `bytes` (see `u16_at`).
#[inline(always)]
pub(super) fn u32_at<const BIG: bool>(bytes: &[u8], at: usize) -> u32 {
    let word: [u8; 4] = bytes[at..at + 4].try_into().expect("4 bytes");
    if BIG {
        u32::from_be_bytes(word)
    } else {
        u32::from_le_bytes(word)
    }
}

/// A tag's first four bytes read as one number in byte order `BIG` (`u32_at`): the
/// group in the low half in little endian, in the high half in big endian.
#[inline(always)]
pub(super) const fn tag_word<const BIG: bool>(tag: Tag) -> u32 {
    let (group, element) = (tag.0 as u32, tag.1 as u32);
    if BIG {
        group << 16 | element
    } else {
        element << 16 | group
    }
}

/// The tag of a `tag_word`.
#[inline(always)]
pub(super) const fn word_tag<const BIG: bool>(word: u32) -> Tag {
    Tag(
        word_group::<BIG>(word),
        if BIG {
            word as u16
        } else {
            (word >> 16) as u16
        },
    )
}

/// The group of a `tag_word`.
#[inline(always)]
pub(super) const fn word_group<const BIG: bool>(word: u32) -> u16 {
    if BIG {
        (word >> 16) as u16
    } else {
        word as u16
    }
}
