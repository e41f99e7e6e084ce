//! `--pseudonymize KEYFILE`: research exports without identifiers (issue #6). Every
//! identifier is replaced by a keyed hash (HMAC-SHA256 with the site's secret key): the same
//! patient gets the same pseudonym in every run with the same key, so follow-up and
//! re-identification-free linkage work; without the key, pseudonyms cannot be reversed or
//! recomputed from a guessed ID.
//!
//! What is replaced: patient ID (`P` + 32 hex digits), SOP/Study/Series Instance UIDs (a
//! valid UID, `2.25.` + a 128-bit decimal), and source paths (folder names often hold
//! patient names and IDs: `file-` + 32 hex digits), in every CSV, Parquet file, files.csv
//! message and report. Names and birth dates are never written (age at study is).

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::document::Document;

/// Shortest key accepted, in bytes (128 bits).
const MIN_KEY: usize = 16;

/// Keyed pseudonyms.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.write_str("Pseudonymizer")
    }
}

/// A key file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--pseudonymize {path}: {message}")]
pub struct KeyError {
    path: String,
    message: String,
}

impl Pseudonymizer {
    /// A pseudonymizer keyed with `key` (at least 16 bytes).
    pub fn new(key: &[u8]) -> Option<Pseudonymizer> {
        if key.len() < MIN_KEY {
            return None;
        }
        Some(Pseudonymizer {
            mac: Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length"),
        })
    }

    /// Reads the key file: its bytes as they are (e.g. `head -c 32 /dev/urandom > key`).
    pub fn from_key_file(path: &Path) -> Result<Pseudonymizer, KeyError> {
        let error = |message: String| KeyError {
            path: path.display().to_string(),
            message,
        };
        let key = std::fs::read(path).map_err(|e| error(e.to_string()))?;
        Pseudonymizer::new(&key).ok_or_else(|| {
            error(format!(
                "the key has {} bytes; use at least {MIN_KEY} (e.g. head -c 32 /dev/urandom > key)",
                key.len()
            ))
        })
    }

    /// HMAC of `value` in a domain, so that a patient ID and a UID with the same text get
    /// unrelated pseudonyms.
    fn digest(&self, domain: &str, value: &str) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A patient ID's pseudonym; empty stays empty.
    pub fn patient(&self, id: &str) -> String {
        if id.is_empty() {
            return String::new();
        }
        format!("P{}", hex::encode(&self.digest("patient", id)[..16]))
    }

    /// A UID's pseudonym, itself a valid UID (PS3.5 B.2: `2.25.` + an integer).
    pub fn uid(&self, uid: &str) -> String {
        if uid.is_empty() {
            return String::new();
        }
        let digest = self.digest("uid", uid);
        let number = u128::from_be_bytes(digest[..16].try_into().expect("16 bytes"));
        format!("2.25.{number}")
    }

    /// A path's pseudonym.
    pub fn path(&self, path: &str) -> String {
        format!("file-{}", hex::encode(&self.digest("path", path)[..16]))
    }

    /// Replaces a document's identifiers.
    pub fn document(&self, doc: &mut Document) {
        doc.patient_id = self.patient(&doc.patient_id);
        doc.sop_instance_uid = self.uid(&doc.sop_instance_uid);
        doc.study_instance_uid = self.uid(&doc.study_instance_uid);
        doc.series_instance_uid = self.uid(&doc.series_instance_uid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_keyed_and_unrelated_across_domains() {
        let a = Pseudonymizer::new(b"0123456789abcdef0123").unwrap();
        let a2 = Pseudonymizer::new(b"0123456789abcdef0123").unwrap();
        let b = Pseudonymizer::new(b"another key, 16+ bytes").unwrap();
        assert_eq!(a.patient("HOL000123"), a2.patient("HOL000123"));
        assert_ne!(a.patient("HOL000123"), b.patient("HOL000123"));
        assert_ne!(a.patient("X"), a.patient("Y"));
        let p = a.patient("HOL000123");
        assert!(p.starts_with('P') && p.len() == 33, "{p}");
        assert!(!p.contains("HOL000123"));
        let uid = a.uid("1.2.3");
        assert!(uid.starts_with("2.25.") && uid.len() <= 64, "{uid}");
        assert!(uid[5..].bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a.uid("1.2.3"), a.uid("1.2.4"));
        assert_eq!(a.patient(""), "");
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Pseudonymizer::new(b"short").is_none());
        assert!(Pseudonymizer::new(&[7u8; 16]).is_some());
    }
}
