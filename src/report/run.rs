//! What the page says about the run itself: the tool's version, the options that change
//! the outputs, the profiles with their SHA-256. Never the input paths and never a clock:
//! a `merge` of partial scans must write the same page as one `scan` of the same files
//! (issue 15), and the same inputs always give the same bytes.

use sha2::{Digest, Sha256};

/// The run's description, filled by the caller of `render`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    /// "dxa-ingest 0.1.0".
    pub version: String,
    /// The options that change the outputs, as (name, value), in the order shown.
    pub options: Vec<(String, String)>,
    /// The profiles consulted, as (name, SHA-256 of the file's bytes, lowercase hex), in
    /// the order their rules are consulted.
    pub profiles: Vec<(String, String)>,
}

impl RunInfo {
    /// This build's version line.
    pub fn this_version() -> String {
        format!("dxa-ingest {}", env!("CARGO_PKG_VERSION"))
    }

    /// The built-in profiles with the SHA-256 of their embedded TOML text.
    pub fn builtin_profiles() -> Vec<(String, String)> {
        crate::profile::BUILTIN
            .iter()
            .map(|(name, text)| (format!("built-in {name}"), sha256_hex(text.as_bytes())))
            .collect()
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_is_the_standard_one() {
        // FIPS 180-2 test vector.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let builtins = RunInfo::builtin_profiles();
        assert_eq!(builtins.len(), crate::profile::BUILTIN.len());
        assert!(builtins.iter().all(|(_, sha)| sha.len() == 64));
        assert_eq!(builtins[0].0, "built-in hologic");
    }
}
