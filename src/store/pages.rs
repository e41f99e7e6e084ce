//! Bytes in an anonymous mapping of their own, not the allocator's: the run's temporary data
//! held in memory (`budget::Held`) past 64 KiB a piece (smaller pieces stay in the
//! allocator's blocks: a mapping each cost more, `budget::HEAP_BYTES`). mimalloc asks for transparent huge pages for its
//! segments (`allow_thp`), and the kernel then compacts and zeroes 2 MiB at a time on the
//! first touch: with tens of MiB held at the end of a run that cost more system time than
//! the temporary files it replaced (docs/performance.md, "2026-12-07, temporary data in
//! memory"). A mapping made here gets ordinary pages, grows by `mremap` (the pages move,
//! the bytes are not copied) and goes back to the system when dropped.

use std::io;
use std::ptr::NonNull;

/// Bytes in pages: `len` of `cap` mapped (nothing mapped while `cap` is 0).
pub struct Pages {
    ptr: NonNull<u8>,
    len: usize,
    cap: usize,
}

// SAFETY: `Pages` owns its mapping alone, like a `Vec<u8>` owns its block.
unsafe impl Send for Pages {}
// SAFETY: shared access only reads.
unsafe impl Sync for Pages {}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pages({} of {})", self.len, self.cap)
    }
}

/// `n` rounded up to whole pages (4 KiB: a larger page size only maps more than asked).
pub fn rounded(n: usize) -> usize {
    n.div_ceil(4096) * 4096
}

impl Pages {
    /// Nothing, mapped.
    pub const fn new() -> Pages {
        Pages {
            ptr: NonNull::dangling(),
            len: 0,
            cap: 0,
        }
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the first `len` bytes of the mapping are written (or `len` is 0).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// How many bytes are mapped.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Maps (or grows the mapping to) `cap` bytes, a multiple of 4 KiB larger than now.
    pub fn grow(&mut self, cap: usize) -> io::Result<()> {
        assert!(
            cap > self.cap && cap % 4096 == 0,
            "a mapping only grows, by whole pages"
        );
        // SAFETY: a new private anonymous mapping, or our own mapping of `self.cap` bytes
        // moved and grown; either way `ptr` is only used when the call succeeded.
        let ptr = unsafe {
            if self.cap == 0 {
                libc::mmap(
                    std::ptr::null_mut(),
                    cap,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            } else {
                libc::mremap(
                    self.ptr.as_ptr().cast(),
                    self.cap,
                    cap,
                    libc::MREMAP_MAYMOVE,
                )
            }
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        self.ptr = NonNull::new(ptr.cast()).ok_or_else(|| io::Error::other("a null mapping"))?;
        self.cap = cap;
        Ok(())
    }

    /// Appends `more`, which fits in what is mapped.
    pub fn extend_from_slice(&mut self, more: &[u8]) {
        assert!(self.len + more.len() <= self.cap, "past the mapping");
        // SAFETY: in bounds of the mapping (checked above), which `more` cannot overlap
        // (it is ours alone and borrowed mutably).
        unsafe {
            std::ptr::copy_nonoverlapping(
                more.as_ptr(),
                self.ptr.as_ptr().add(self.len),
                more.len(),
            );
        }
        self.len += more.len();
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        if self.cap > 0 {
            // SAFETY: our own mapping of `cap` bytes, unmapped once.
            unsafe {
                libc::munmap(self.ptr.as_ptr().cast(), self.cap);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_grow_and_keep_their_bytes() {
        let mut pages = Pages::new();
        assert!(pages.as_slice().is_empty());
        pages.grow(4096).unwrap();
        pages.extend_from_slice(b"abc");
        let long: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        pages.grow(rounded(3 + long.len())).unwrap();
        pages.extend_from_slice(&long);
        assert_eq!(&pages.as_slice()[..3], b"abc");
        assert_eq!(&pages.as_slice()[3..], &long[..]);
        assert_eq!(pages.capacity(), rounded(100_003));
        assert_eq!(rounded(0), 0);
        assert_eq!(rounded(1), 4096);
        assert_eq!(rounded(4096), 4096);
    }
}
