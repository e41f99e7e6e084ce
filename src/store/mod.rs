//! The run's temporary storage: everything that waits on disk until the end of a run, in
//! one place (docs/performance.md, "Memory"):
//! - `codec`: one record format, frames of postcard-encoded values (scratch files and
//!   `--partial` files alike);
//! - `budget`: how many bytes of all that may wait in memory instead (one budget for the
//!   run), in anonymous mappings of their own (`pages`); `spool`: bytes appended in
//!   memory under it, or in a temporary file beyond it;
//! - `partitions`: records spread by key over spools, read back one partition at a time;
//! - `log` and `index`: append-only byte entries read back by position, and a hash index
//!   over them (duplicate SOP Instance UIDs; a study's partition), on `hashed`: u64s in an
//!   open-addressing table (also the walk's file identities) of bounded size, whose
//!   entries then go to `sealed` tables on disk, each with a `filter` in memory;
//! - `runs`: sorted runs of (key, payload) records held in memory or appended to one file,
//!   merged in key order into an output.
//!
//! Temporary files are created unlinked, in the run's staging folder, when something goes
//! past the budget: nothing to clean up, whatever happens to the process; and memory does
//! not grow with the size of the archive.

mod budget;
pub mod codec;
mod filter;
mod hashed;
mod index;
mod log;
mod pages;
mod partitions;
mod runs;
mod sealed;
mod spool;

pub use budget::Budget;
#[cfg(test)]
pub use budget::test_hook;
pub use hashed::HashedU64s;
pub use index::HashIndex;
pub use log::Log;
pub use partitions::Partitions;
pub use runs::{RUN_BYTES, RunBuf, Runs};
pub use spool::{SPOOL_BYTES, Spool, Spooled};

/// A plain set of u64s (keyed by the whole value).
pub type U64Set = HashedU64s<0>;

/// Bytes that sort like `std::path::Path` (component by component, each by its bytes):
/// the components joined by a 0 byte, which no component holds and which sorts before every
/// byte a component can hold. Keys of the runs that put files in path order.
pub fn path_key(path: &std::path::Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let mut key = Vec::with_capacity(path.as_os_str().len() + 1);
    for (i, component) in path.components().enumerate() {
        if i > 0 {
            key.push(0);
        }
        key.extend_from_slice(component.as_os_str().as_bytes());
    }
    key
}

pub use crate::hash::fnv1a;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn path_keys_sort_like_paths() {
        let mut paths: Vec<PathBuf> = [
            "a/x.dcm",
            "a-b.dcm",
            "a/y/z.dcm",
            "B.dcm",
            "a.dcm",
            "/abs/p",
            "a//x2.dcm",
            "a/./y",
            "ab",
            "a",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        paths.sort();
        let mut by_key = paths.clone();
        by_key.sort_by_key(|p| path_key(p));
        assert_eq!(by_key, paths);
        assert_eq!(
            path_key(std::path::Path::new("a//b/")),
            path_key(std::path::Path::new("a/b"))
        );
    }
}
