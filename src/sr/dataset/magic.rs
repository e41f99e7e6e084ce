//! What a file that is not DICOM is, by its first bytes (its "magic number"), so that a
//! `not_dicom` row tells the user the next step (docs/columns.md, `not_dicom`): an archive
//! exported as a .zip or a .tar.gz holds DICOM files that a scan of the archive file cannot
//! see.

/// Signatures at the start of the file, and what to say.
const SIGNATURES: [(&[u8], &str); 14] = [
    (
        b"\x1F\x8B",
        "gzip-compressed data: decompress it first (gunzip)",
    ),
    (b"PK\x03\x04", "a ZIP archive: extract it first (unzip)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (
        b"BZh",
        "bzip2-compressed data: decompress it first (bunzip2)",
    ),
    (
        b"\xFD7zXZ\x00",
        "xz-compressed data: decompress it first (unxz)",
    ),
    (
        b"\x28\xB5\x2F\xFD",
        "zstd-compressed data: decompress it first (unzstd)",
    ),
    (b"7z\xBC\xAF\x27\x1C", "a 7-Zip archive: extract it first"),
    (b"Rar!\x1A\x07", "a RAR archive: extract it first"),
    (b"%PDF", "a PDF document"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"<?xml", "an XML document"),
    (b"II*\0", "a TIFF image"),
];

/// A short description of what the bytes are, for a `not_dicom` message.
pub(super) fn describe_magic(bytes: &[u8]) -> &'static str {
    for (magic, what) in SIGNATURES {
        if bytes.starts_with(magic) {
            return what;
        }
    }
    if bytes.starts_with(b"MM\0*") {
        return "a TIFF image";
    }
    // POSIX tar: "ustar" at byte 257 (POSIX.1-1988).
    if bytes.len() >= 262 && &bytes[257..262] == b"ustar" {
        return "a tar archive: extract it first (tar -xf)";
    }
    let head = &bytes[..bytes.len().min(512)];
    if std::str::from_utf8(head).is_ok_and(|s| !s.contains('\0')) {
        "looks like text"
    } else {
        "unrecognised binary"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_archives_and_documents() {
        // The first bytes of `gzip -c`, `zip`, a PDF, a PNG, a JPEG.
        assert!(describe_magic(b"\x1F\x8B\x08\x00\x00\x00").starts_with("gzip"));
        assert!(describe_magic(b"\x1F\x8B\x08").contains("decompress it first"));
        assert!(describe_magic(b"PK\x03\x04\x14\x00").contains("ZIP archive: extract"));
        assert_eq!(describe_magic(b"%PDF-1.7\n"), "a PDF document");
        assert_eq!(describe_magic(b"\x89PNG\r\n\x1A\n"), "a PNG image");
        assert_eq!(describe_magic(b"\xFF\xD8\xFF\xE0"), "a JPEG image");
        let mut tar = vec![0u8; 512];
        tar[..8].copy_from_slice(b"file.dcm");
        tar[257..263].copy_from_slice(b"ustar\0");
        assert!(describe_magic(&tar).starts_with("a tar archive"));
        assert_eq!(describe_magic(b"plain words\n"), "looks like text");
        assert_eq!(describe_magic(&[0, 1, 2, 0xFE]), "unrecognised binary");
    }
}
