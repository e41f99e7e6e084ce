//! The head reader: which bytes of a file are read at all (docs/columns.md, "What is
//! read"). A report image carries megabytes of pixel data after its results, a CT image a
//! hundred; none of it is ever used. So a file is read as a stream of element headers: the
//! bytes up to top-level Pixel Data (7FE0,0010), without binary values longer than
//! `HeadPolicy::elide_above` (OB, OW, UN, ... and private tags in implicit VR), unless their
//! first bytes are a Hologic results document (docs/profiles.md). An elided value's length is
//! patched to 0, and so are the lengths of the defined-length sequences and items around
//! it: everything after moves by the same amount, so the walk (`walk.rs`) sees the same
//! structure and checks it exactly as it would the whole file (byte positions in its
//! messages count the bytes as read). The cap (`--max-file-size`) applies to what is kept.
//!
//! This reader never decides that a file is bad: the walk does, on what this reader hands
//! it. Where the structure cannot be followed (an unknown VR, an unexpected delimiter,
//! nesting or element count past the caps: the walk fails at that very header, whatever
//! follows), it keeps a short tail and stops, so a 1 GiB run of garbage (a deflate bomb) costs
//! nothing; where the walk's verdict depends on what follows (a child running past a parent
//! that itself claims more than the file holds), it keeps the rest of a file as it is. The
//! same header functions (`header.rs`) serve both, so both split bytes into elements alike;
//! a test runs both ways over every fuzz corpus file and fixture and compares the outcomes.

mod follow;
mod policy;
#[cfg(test)]
mod tests;

use super::Limits;
use super::meta::{Syntax, read_meta, sniff_raw_dataset};
use super::source::Source;
use crate::error::FileError;
use follow::{HeadReader, Stop};
use policy::too_large_if;
pub use policy::{
    EXPORT_IDENTITY, HeadPolicy, PEEK, looks_like_export, looks_like_results_document,
};

/// Most bytes reserved for a head before anything is read.
const RESERVE: usize = 8 << 20;
/// A file's bytes as read: everything the walk needs, nothing it does not.
#[derive(Debug, Default)]
pub struct Head {
    /// Preamble, meta group and data set, with elided values emptied.
    pub bytes: Vec<u8>,
    /// How many values were not read, and their bytes.
    pub elided_values: usize,
    /// Bytes of the values not read.
    pub elided_bytes: u64,
    /// Whether reading stopped at top-level Pixel Data.
    pub pixel_data: bool,
}

/// Reads a file's head from `source` (when it is not DICOM, only its first chunk, enough
/// to say what it is; an export of a densitometer's database whole).
pub fn read_head<S: Source>(
    source: &mut S,
    limits: &Limits,
    policy: &HeadPolicy,
) -> Result<Head, FileError> {
    let mut head = Head::default();
    // What is kept is at most the file: reserved at once, the buffer never grows by copying
    // itself (a copy holds twice the bytes for a moment, on every worker at once). Beyond
    // `RESERVE` it grows as it must: only heads that large pay for it.
    if let Some(size) = source.remaining() {
        let cap = limits.max_file_bytes.min(RESERVE as u64);
        head.bytes.reserve(size.min(cap) as usize);
    }
    let mut reader = HeadReader {
        source,
        out: &mut head.bytes,
        policy,
        limits,
        elided_values: 0,
        elided_bytes: 0,
        ahead: policy.chunk,
        fixed: follow::FILE_KIND_BYTES,
    };
    // Enough to see a preamble and the DICM magic whatever the chunk.
    reader.ensure(policy.chunk.max(132))?;
    if reader.source.remaining() == Some(0) && reader.out.len() <= policy.elide_above {
        // The whole file, and no value in it long enough to leave out: nothing to follow
        // (most SRs; the walk stops at the pixel data and counts elements itself).
        too_large_if(head.bytes.len() as u64, limits.max_file_bytes)?;
        return Ok(head);
    }
    let out = &reader.out;
    let meta_start = if out.len() >= 132 && &out[128..132] == b"DICM" {
        Some(132)
    } else if out.len() >= 4 && &out[..4] == b"DICM" {
        Some(4)
    } else {
        None
    };
    let stop = match meta_start {
        None => {
            let total = reader.known_total();
            match sniff_raw_dataset(reader.out, total) {
                Some(syntax) => reader.data_set(0, syntax)?,
                // A densitometer database's export (GE enCORE: text, one line per exam,
                // docs/profiles.md "Body composition"): every line is read.
                None if looks_like_export(reader.out) => reader.verbatim()?,
                // Not DICOM: the first chunk says what it is.
                None => Stop::End,
            }
        }
        Some(start) => match reader.meta(start)? {
            Stop::MetaEnd => match read_meta(reader.out, start) {
                Ok(meta) if meta.syntax == Syntax::DeflatedExplicitLe => {
                    // Compressed: read whole (it is inflated, capped, by `scan_file`).
                    reader.verbatim()?
                }
                Ok(meta) => reader.data_set(meta.end, meta.syntax)?,
                // `scan_file` reads the same meta group and says what is wrong with it.
                Err(_) => Stop::End,
            },
            other => other,
        },
    };
    head.elided_values = reader.elided_values;
    head.elided_bytes = reader.elided_bytes;
    head.pixel_data = stop == Stop::PixelData;
    too_large_if(head.bytes.len() as u64, limits.max_file_bytes)?;
    Ok(head)
}

/// Reads a data set of `syntax` (never deflated) from `source` into `out`, as `read_head`
/// does after the meta group: how `scan_file` inflates a deflated data set.
pub(super) fn read_data_set<S: Source>(
    source: &mut S,
    out: &mut Vec<u8>,
    syntax: Syntax,
    limits: &Limits,
    policy: &HeadPolicy,
) -> Result<(), FileError> {
    let mut reader = HeadReader {
        source,
        out,
        policy,
        limits,
        elided_values: 0,
        elided_bytes: 0,
        ahead: policy.chunk,
        fixed: 0,
    };
    // A data set that ends before a value could be long enough to leave out (most
    // deflated SRs) is kept as it is: nothing to follow.
    if reader.ensure(policy.elide_above + 1)? {
        reader.data_set(0, syntax)?;
    }
    too_large_if(reader.out.len() as u64, limits.max_file_bytes)
}
