//! The file around the data set: preamble, file meta group (read in `meta.rs`), deflate, and
//! the caps that apply before a single element is read (size, inflated size). Files read
//! from disk arrive here as their head (`head`): up to the pixel data, large binary values
//! left out; a deflated data set is inflated the same way, in chunks (`inflate.rs`).
//!
//! dicom-parser 0.10 reserves an element's declared length before checking that the bytes
//! exist, and recurses once per nested sequence (docs/dicom.md): a 1 KB file declaring a
//! 4 GB element, or 20 000 nested sequences, aborts the whole process, which no
//! `catch_unwind` can stop. Nothing here allocates by a declared length, and the walk
//! (`walk.rs`) is iterative and capped, so hostile files become `malformed`, `truncated` or
//! `too_large` rows.

use super::head::{HeadPolicy, read_data_set};
use super::inflate::Inflater;
use super::magic::describe_magic;
use super::meta::{Syntax, read_meta, sniff_raw_dataset};
use super::walk::walk;
use super::{DataSet, Endian, Limits};

/// A walk over a data set (`walk::walk`; the tests also give its model).
pub(super) type Walk =
    for<'b> fn(&'b [u8], Endian, bool, &Limits) -> Result<(DataSet<'b>, Option<String>), FileError>;
use crate::error::{FileError, Reason};

/// What reading a file's structure gave: how it is encoded, and its indexed data set.
#[derive(Debug)]
pub struct Scanned<'a> {
    /// The syntax the file declares.
    pub syntax: Syntax,
    /// How the indexed bytes are encoded: the declared syntax, or explicit LE after inflating.
    pub dataset_syntax: Syntax,
    /// The data set bytes (inflated when the file was deflated), up to top-level pixel data.
    pub bytes: &'a [u8],
    /// The index of every element.
    pub dataset: DataSet<'a>,
    /// (0008,0016) at the top level, else (0002,0002) from the meta group.
    pub sop_class_uid: Option<String>,
    /// Whether the file had a 128-byte preamble.
    pub preamble: bool,
    /// Whether the file had a file meta group.
    pub meta: bool,
}

/// Checks and indexes `bytes`, or says why they must not be read. A deflated data set is
/// inflated into `inflated` (the caller's buffer, so that the index can borrow from it).
pub fn scan_file<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    inflated: &'a mut Vec<u8>,
) -> Result<Scanned<'a>, FileError> {
    scan_file_with(bytes, limits, inflated, walk)
}

/// `scan_file` with the data set walked by `walk`.
pub(super) fn scan_file_with<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    inflated: &'a mut Vec<u8>,
    walk: Walk,
) -> Result<Scanned<'a>, FileError> {
    if bytes.is_empty() {
        return Err(FileError::new(Reason::NotDicom, "empty file"));
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(FileError::new(
            Reason::TooLarge,
            format!(
                "{} bytes exceeds the {}-byte cap (--max-file-size)",
                bytes.len(),
                limits.max_file_bytes
            ),
        ));
    }
    let (preamble, meta_start) = if bytes.len() >= 132 && &bytes[128..132] == b"DICM" {
        (true, Some(132))
    } else if bytes.len() >= 4 && &bytes[..4] == b"DICM" {
        (false, Some(4))
    } else {
        (false, None)
    };

    let (syntax, dataset_start, media_sop_class) = match meta_start {
        Some(start) => {
            let meta = read_meta(bytes, start)?;
            (meta.syntax, meta.end, meta.media_sop_class)
        }
        None => match sniff_raw_dataset(bytes, bytes.len()) {
            Some(syntax) => (syntax, 0, None),
            None => {
                return Err(FileError::new(
                    Reason::NotDicom,
                    format!(
                        "{}; not DICOM (no DICM magic and no data set)",
                        describe_magic(bytes)
                    ),
                ));
            }
        },
    };

    let raw = &bytes[dataset_start..];
    let (data, dataset_syntax): (&'a [u8], Syntax) = match syntax {
        Syntax::DeflatedExplicitLe => {
            inflated.clear();
            // Deflate shrinks an SR about fourfold: reserved once, rarely grown (growing
            // copies the buffer, twice its size for a moment).
            let guess = raw.len().saturating_mul(4).clamp(4096, 8 << 20);
            inflated
                .reserve(guess.min(usize::try_from(limits.max_file_bytes).unwrap_or(usize::MAX)));
            let mut inflater = Inflater::new(raw, limits.max_file_bytes);
            read_data_set(
                &mut inflater,
                inflated,
                Syntax::ExplicitLe,
                limits,
                &HeadPolicy::default(),
            )?;
            (&inflated[..], Syntax::ExplicitLe)
        }
        other => (raw, other),
    };
    let endian = if dataset_syntax == Syntax::ExplicitBe {
        Endian::Big
    } else {
        Endian::Little
    };
    let (dataset, top_sop_class) =
        walk(data, endian, dataset_syntax == Syntax::ImplicitLe, limits)?;
    Ok(Scanned {
        syntax,
        dataset_syntax,
        bytes: dataset.data,
        dataset,
        sop_class_uid: top_sop_class.or(media_sop_class),
        preamble,
        meta: meta_start.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_element as element;
    use super::*;

    /// An explicit-VR-LE file: preamble, meta group with a transfer syntax, then `dataset`.
    fn file_with(dataset: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 128];
        out.extend_from_slice(b"DICM");
        let ts = b"1.2.840.10008.1.2.1\0";
        out.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I']);
        out.extend_from_slice(&(ts.len() as u16).to_le_bytes());
        out.extend_from_slice(ts);
        out.extend_from_slice(dataset);
        out
    }

    fn nested(depth: usize) -> Vec<u8> {
        let mut ds = Vec::new();
        for _ in 0..depth {
            ds.extend_from_slice(&[
                0x40, 0x00, 0x30, 0xA7, b'S', b'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF,
            ]);
            ds.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }
        for _ in 0..depth {
            ds.extend_from_slice(&[0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
            ds.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        }
        ds
    }

    fn scan(bytes: &[u8]) -> Result<Option<String>, FileError> {
        let mut inflated = Vec::new();
        scan_file(bytes, &Limits::default(), &mut inflated).map(|s| s.sop_class_uid)
    }

    #[test]
    fn reads_sop_class_and_syntax() {
        let ds = element(0x0008, 0x0016, b"UI", b"1.2.840.10008.5.1.4.1.1.88.22\0");
        let bytes = file_with(&ds);
        let mut inflated = Vec::new();
        let p = scan_file(&bytes, &Limits::default(), &mut inflated).expect("valid");
        assert_eq!(p.syntax, Syntax::ExplicitLe);
        assert!(p.preamble && p.meta);
        assert_eq!(
            p.sop_class_uid.as_deref(),
            Some("1.2.840.10008.5.1.4.1.1.88.22")
        );
    }

    #[test]
    fn empty_and_text_are_not_dicom() {
        assert_eq!(scan(b"").unwrap_err().reason, Reason::NotDicom);
        let err = scan(b"hello, this is a readme\n").unwrap_err();
        assert_eq!(err.reason, Reason::NotDicom);
        assert!(err.message.contains("text"), "{}", err.message);
        let err = scan(b"%PDF-1.4 ...").unwrap_err();
        assert!(err.message.contains("PDF"), "{}", err.message);
    }

    #[test]
    fn huge_declared_length_is_malformed_before_any_allocation() {
        let mut ds = vec![0x09, 0x00, 0x10, 0x10, b'O', b'B', 0, 0];
        ds.extend_from_slice(&0xF000_0000u32.to_le_bytes());
        ds.extend_from_slice(&[1, 2, 3, 4]);
        let err = scan(&file_with(&ds)).unwrap_err();
        assert_eq!(err.reason, Reason::Malformed, "{err}");
        assert!(err.message.contains("4026531840"), "{}", err.message);
    }

    #[test]
    fn cut_short_is_truncated() {
        let ds = element(0x0010, 0x0010, b"PN", b"Doe^Jane");
        let mut bytes = file_with(&ds);
        bytes.truncate(bytes.len() - 3);
        assert_eq!(scan(&bytes).unwrap_err().reason, Reason::Truncated);
    }

    #[test]
    fn nesting_is_capped() {
        assert!(scan(&file_with(&nested(64))).is_ok());
        let err = scan(&file_with(&nested(65))).unwrap_err();
        assert_eq!(err.reason, Reason::Malformed);
        assert!(err.message.contains("deeper than 64"), "{}", err.message);
        // 20 000 levels: rejected iteratively, no stack growth.
        assert_eq!(
            scan(&file_with(&nested(20_000))).unwrap_err().reason,
            Reason::Malformed
        );
    }

    #[test]
    fn missing_sequence_delimiter_is_truncated() {
        let mut ds = nested(3);
        ds.truncate(ds.len() - 8);
        assert_eq!(scan(&file_with(&ds)).unwrap_err().reason, Reason::Truncated);
    }

    #[test]
    fn child_overrunning_its_item_is_malformed() {
        // A defined-length sequence of 16 bytes holding an item that claims 100.
        let mut ds = vec![0x40, 0x00, 0x30, 0xA7, b'S', b'Q', 0, 0];
        ds.extend_from_slice(&16u32.to_le_bytes());
        ds.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
        ds.extend_from_slice(&100u32.to_le_bytes());
        ds.extend_from_slice(&[0; 8]);
        ds.extend(element(0x0010, 0x0010, b"PN", b"Doe^Jane"));
        let err = scan(&file_with(&ds)).unwrap_err();
        assert_eq!(err.reason, Reason::Malformed, "{err}");
    }

    #[test]
    fn sequence_length_past_a_clean_end_is_a_lie() {
        // A defined-length sequence claiming 1000 bytes, holding one complete 8-byte item.
        let mut ds = vec![0x40, 0x00, 0x30, 0xA7, b'S', b'Q', 0, 0];
        ds.extend_from_slice(&1000u32.to_le_bytes());
        ds.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
        ds.extend_from_slice(&16u32.to_le_bytes());
        ds.extend(element(0x0010, 0x0010, b"PN", b"Doe^Jane"));
        let err = scan(&file_with(&ds)).unwrap_err();
        assert_eq!(err.reason, Reason::Malformed, "{err}");
        assert!(err.message.contains("lying length"), "{}", err.message);
        // The same, cut inside the name: truncated.
        let mut cut = file_with(&ds);
        cut.truncate(cut.len() - 3);
        assert_eq!(scan(&cut).unwrap_err().reason, Reason::Truncated);
    }

    #[test]
    fn raw_implicit_dataset_is_recognised() {
        let mut ds = vec![0x08, 0x00, 0x16, 0x00];
        let uid = b"1.2.840.10008.5.1.4.1.1.88.22\0";
        ds.extend_from_slice(&(uid.len() as u32).to_le_bytes());
        ds.extend_from_slice(uid);
        let mut inflated = Vec::new();
        let p = scan_file(&ds, &Limits::default(), &mut inflated).expect("raw dataset");
        assert_eq!(p.syntax, Syntax::ImplicitLe);
        assert!(!p.meta);
        assert_eq!(
            p.sop_class_uid.as_deref(),
            Some("1.2.840.10008.5.1.4.1.1.88.22")
        );
    }

    #[test]
    fn size_cap() {
        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let err = scan_file(&[0u8; 11], &limits, &mut Vec::new()).unwrap_err();
        assert_eq!(err.reason, Reason::TooLarge);
    }
}
