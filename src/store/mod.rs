//! The run's temporary storage: everything that waits on disk until the end of a run, in
//! one place (docs/performance.md, "Memory"):
//! - `codec`: one record format, frames of postcard-encoded values (scratch files and
//!   `--partial` files alike);
//! - `partitions`: records spread by key over unlinked temporary files, read back one
//!   partition at a time;
//! - `log` and `index`: append-only byte entries read back by position, and a sorted hash
//!   index over them (duplicate SOP Instance UIDs; a study's partition);
//! - `runs`: sorted runs of (key, payload) records appended to one file, merged in key
//!   order into an output.
//!
//! Temporary files are created unlinked, in the run's staging folder: nothing to clean up,
//! whatever happens to the process; and memory does not grow with the size of the archive.

pub mod codec;
mod index;
mod log;
mod partitions;
mod runs;

pub use index::HashIndex;
pub use log::Log;
pub use partitions::Partitions;
pub use runs::{RunBuf, Runs};

/// 64-bit FNV-1a: a fixed hash, so that partitions, and thus output order, never vary from
/// run to run or machine to machine.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
