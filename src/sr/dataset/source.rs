//! Where a reader's bytes come from: a file (`crate::read`) or an inflating deflate stream
//! (`inflate`). Below both the head reader that asks for bytes (`head`) and the inflater
//! that gives them, so that neither imports the other.

use crate::error::FileError;

/// Where bytes come from: a file (seekable, its size known) or an inflating deflate stream.
pub trait Source {
    /// Appends up to `max` bytes to `out` (a little more is allowed); returns how many were
    /// appended, 0 only at the end.
    fn read_into(&mut self, out: &mut Vec<u8>, max: usize) -> Result<usize, FileError>;
    /// Skips `n` bytes without keeping them; returns how many were skipped (fewer only at
    /// the end).
    fn skip(&mut self, n: u64) -> Result<u64, FileError>;
    /// Bytes left, when known (a file's size minus its position).
    fn remaining(&self) -> Option<u64>;
}
