//! What the head reader keeps, leaves out and refuses: shared by its entry points (the
//! parent module) and the reader that follows the structure (`follow`), below both.

use crate::error::{FileError, Reason};

/// What is left unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadPolicy {
    /// Binary values longer than this many bytes are not read, unless a results document.
    /// 64 KiB: larger than any value a reader here uses except the results documents and
    /// XML (text VRs, never elided), smaller than any pixel data worth skipping.
    pub elide_above: usize,
    /// Bytes read at a time.
    pub chunk: usize,
}

impl Default for HeadPolicy {
    fn default() -> Self {
        HeadPolicy {
            elide_above: 64 * 1024,
            chunk: 64 * 1024,
        }
    }
}

/// Bytes kept after a header that the walk will reject whatever follows it.
pub(super) const TAIL: usize = 4096;
/// Bytes of a large binary value looked at to recognise a results document.
pub const PEEK: usize = 1024;

/// Whether the first bytes of a value are a Hologic APEX results document (text starting
/// `<HologicHeader1>`, or holding `ResultsTable1[`: docs/profiles.md), which is read
/// whatever its size (up to the cap).
pub fn looks_like_results_document(first: &[u8]) -> bool {
    let contains = |needle: &[u8]| first.windows(needle.len()).any(|w| w == needle);
    contains(b"<HologicHeader1>") || contains(b"ResultsTable1[")
}

/// The identity columns that open the first line of a GE enCORE export (docs/profiles.md,
/// "Body composition"), in order.
pub const EXPORT_IDENTITY: [&str; 4] = ["Last Name", "First Name", "Patient ID", "Measure Date"];

/// Whether a file's first bytes (UTF-16LE after its BOM, or UTF-8) open with an export's
/// identity columns: such a file is read whole, any other that is not DICOM only to its
/// first chunk. `carrier::encore` reads it.
pub fn looks_like_export(first: &[u8]) -> bool {
    let line: String = match first {
        // Decoded only up to the tab that ends the last identity cell: an export's header
        // line is thousands of characters long.
        [0xFF, 0xFE, rest @ ..] => {
            let mut tabs = 0;
            char::decode_utf16(
                rest.chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .take(PEEK),
            )
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .take_while(|c| match c {
                '\n' => false,
                '\t' => {
                    tabs += 1;
                    tabs < EXPORT_IDENTITY.len()
                }
                _ => true,
            })
            .collect()
        }
        _ => {
            let rest = first.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(first);
            let rest = &rest[..rest.len().min(PEEK)];
            let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..end]).into_owned()
        }
    };
    let mut cells = line.split('\t');
    EXPORT_IDENTITY.iter().all(|name| {
        cells
            .next()
            .is_some_and(|cell| cell.trim().eq_ignore_ascii_case(name))
    })
}

/// The cap (`--max-file-size`) on what is kept.
pub(super) fn too_large_if(kept: u64, cap: u64) -> Result<(), FileError> {
    if kept > cap {
        return Err(FileError::new(
            Reason::TooLarge,
            format!(
                "{kept} bytes to read (up to the pixel data, large binary values left out) \
                 exceed the {cap}-byte cap (--max-file-size)"
            ),
        ));
    }
    Ok(())
}
