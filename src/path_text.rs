//! Paths as text for CSV cells and messages. A path is bytes on Unix; a CSV cell is UTF-8.
//! The conversion must be lossless and injective, so that a script can find the file again
//! from the cell, and visible, so that a name cannot hide characters from the person reading
//! it (docs/columns.md, "Paths"):
//! - a backslash becomes `\\` (in every path: without that, `caf\xE9.dcm` spelt with a real
//!   backslash and a name holding the byte 0xE9 would read the same);
//! - a byte that is not part of valid UTF-8 becomes `\xNN` (two upper-case hex digits);
//! - so do the bytes of the characters a reader would not see as they are
//!   (`crate::visible`: control characters such as a newline or an escape sequence in a
//!   name, and the characters that reorder or hide text), the same that text cells escape;
//! - everything else is written as it is.
//!
//! `\xNN` always stands for one byte of the path, so `text_path` undoes it exactly.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::visible::hidden;

/// A path as CSV text, losslessly (see the module documentation).
pub fn path_text(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    if bytes
        .iter()
        .all(|b| b.is_ascii_graphic() && *b != b'\\' || *b == b' ')
    {
        // The common case: printable ASCII, nothing to escape (checked as UTF-8 a word at
        // a time, where a lossy conversion went through it chunk by chunk: a path per file,
        // docs/performance.md).
        return String::from_utf8(bytes.to_vec()).expect("printable ASCII is UTF-8");
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else if hidden(c) {
                let mut buf = [0u8; 4];
                for byte in c.encode_utf8(&mut buf).bytes() {
                    push_byte(&mut out, byte);
                }
            } else {
                out.push(c);
            }
        }
        for byte in chunk.invalid() {
            push_byte(&mut out, *byte);
        }
    }
    out
}

/// The path a `path_text` cell stands for: `\\` is a backslash, `\xNN` the byte NN. None
/// when the text is not something `path_text` writes (a lone backslash, bad hex).
pub fn text_path(text: &str) -> Option<PathBuf> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'\\') => {
                out.push(b'\\');
                i += 2;
            }
            Some(b'x') => {
                let hex = std::str::from_utf8(bytes.get(i + 2..i + 4)?).ok()?;
                if !hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
                {
                    return None;
                }
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 4;
            }
            _ => return None,
        }
    }
    Some(PathBuf::from(OsStr::from_bytes(&out)))
}

fn push_byte(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('\\');
    out.push('x');
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0xF)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(bytes: &[u8]) -> PathBuf {
        PathBuf::from(OsStr::from_bytes(bytes))
    }

    #[test]
    fn escapes_backslashes_bad_bytes_and_hidden_characters() {
        assert_eq!(path_text(Path::new("plain/ok 1.dcm")), "plain/ok 1.dcm");
        assert_eq!(path_text(Path::new("café.dcm")), "café.dcm");
        assert_eq!(path_text(&path(b"caf\xE9.dcm")), "caf\\xE9.dcm");
        assert_eq!(path_text(Path::new("back\\slash.dcm")), "back\\\\slash.dcm");
        assert_eq!(
            path_text(&path(b"dir/caf\xE9\\x.dcm")),
            "dir/caf\\xE9\\\\x.dcm"
        );
        assert_eq!(
            path_text(Path::new("a\nb\x1B[31m.dcm")),
            "a\\x0Ab\\x1B[31m.dcm"
        );
        // U+202E RIGHT-TO-LEFT OVERRIDE: "exe.dcm" would show as "mcd.exe".
        assert_eq!(
            path_text(Path::new("x\u{202E}mcd.exe")),
            "x\\xE2\\x80\\xAEmcd.exe"
        );
        assert_eq!(path_text(Path::new("c1\u{85}.dcm")), "c1\\xC2\\x85.dcm");
    }

    #[test]
    fn text_decodes_to_the_same_bytes() {
        // Names that collided or hid before, and the bytes that look like escapes.
        let names: [&[u8]; 12] = [
            b"caf\xC3\xA9.dcm",
            b"caf\xE9.dcm",
            b"caf\\xE9.dcm",
            b"caf\\\\xE9.dcm",
            b"back\\slash.dcm",
            b"\\",
            b"trail\\",
            b"new\nline\r.dcm",
            b"rtl\xE2\x80\xAEmcd.exe",
            b"\xFF\xFE\x00\x01",
            b"\xE2\x80",
            b"x\\x41",
        ];
        let mut texts = Vec::new();
        for name in names {
            let text = path_text(&path(name));
            assert!(
                !text.chars().any(|c| c.is_control()),
                "{text:?} shows no control character"
            );
            assert_eq!(text_path(&text), Some(path(name)), "{text:?}");
            texts.push(text);
        }
        let mut distinct = texts.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), texts.len(), "injective: {texts:?}");
        assert_eq!(text_path("lone\\"), None);
        assert_eq!(text_path("bad\\xZZ"), None);
        assert_eq!(text_path("lower\\xe9"), None);
    }
}
