//! What a run says about itself: the profiles it used (name and SHA-256), and the options
//! that change what one file gives. The partial header (`partial::Header`) is built from
//! them, so that partials made with other profiles or limits are never merged.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::path_text::path_text;
use crate::profile::{BUILTIN, ProfileError};
use crate::sr::Limits;

/// SHA-256 of some bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// (name, SHA-256) of every profile in the order they are consulted: the user's
/// (`--profile`, by path), then the built-in ones (`built-in NAME`).
pub fn profile_digests(user: &[PathBuf]) -> Result<Vec<(String, String)>, ProfileError> {
    let mut digests = Vec::with_capacity(user.len() + BUILTIN.len());
    for path in user {
        let bytes = std::fs::read(path).map_err(|e| ProfileError {
            source_name: path_text(path),
            message: e.to_string(),
        })?;
        digests.push((path_text(path), sha256_hex(&bytes)));
    }
    for (name, text) in BUILTIN {
        digests.push((format!("built-in {name}"), sha256_hex(text.as_bytes())));
    }
    Ok(digests)
}

/// The options that change what one file gives, as a stable text.
pub fn extraction_options(limits: &Limits, follow_symlinks: bool) -> String {
    format!(
        "max_file_bytes={};max_depth={};max_elements={};follow_symlinks={follow_symlinks}",
        limits.max_file_bytes, limits.max_depth, limits.max_elements
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_name_every_profile_and_change_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.toml");
        std::fs::write(&path, "name = \"site\"\n").unwrap();
        let first = profile_digests(std::slice::from_ref(&path)).unwrap();
        assert_eq!(first.len(), 1 + BUILTIN.len());
        assert!(first[0].0.ends_with("site.toml"));
        assert!(first[1].0.starts_with("built-in "));
        std::fs::write(&path, "name = \"site2\"\n").unwrap();
        let second = profile_digests(std::slice::from_ref(&path)).unwrap();
        assert_ne!(first[0].1, second[0].1);
        assert_eq!(first[1..], second[1..]);
        assert!(profile_digests(&[dir.path().join("missing.toml")]).is_err());
    }
}
