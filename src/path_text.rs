//! Paths as text for CSV cells and messages. A path is bytes on Unix; a CSV cell is UTF-8.
//! The conversion must be lossless, so that a script can find the file again from the
//! cell (docs/columns.md, "Paths").

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// A path as CSV text, losslessly: UTF-8 paths as they are; in a path that is not UTF-8,
/// each byte that is not part of valid UTF-8 becomes `\xNN` and a backslash becomes `\\`,
/// so the original bytes can always be recovered (docs/columns.md).
pub fn path_text(path: &Path) -> String {
    let bytes = path.as_os_str().as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(&chunk.valid().replace('\\', "\\\\"));
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::path::PathBuf;

    #[test]
    fn non_utf8_paths_are_escaped_losslessly() {
        let path = PathBuf::from(OsStr::from_bytes(b"dir/caf\xE9\\x.dcm"));
        assert_eq!(path_text(&path), "dir/caf\\xE9\\\\x.dcm");
        assert_eq!(path_text(Path::new("plain/ok.dcm")), "plain/ok.dcm");
    }
}
