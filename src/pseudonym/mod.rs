//! `--pseudonymize KEYFILE`: research exports without identifiers (docs/privacy.md). Every
//! identifier is replaced by a keyed hash (HMAC-SHA256 with the site's secret key): the same
//! patient gets the same pseudonym in every run with the same key, so follow-up and
//! re-identification-free linkage work; without the key, pseudonyms cannot be reversed or
//! recomputed from a guessed ID.
//!
//! What is replaced: patient ID (`P` + 32 hex digits), SOP/Study/Series Instance UIDs (a
//! valid UID, `2.25.` + a 128-bit decimal), source paths (folder names often hold patient
//! names and IDs: `file-` + 32 hex digits), accession number (`accession-` + 16 hex
//! digits), institution (`institution-` + 16 hex digits) and device serial (`device-` + 16
//! hex digits), in every CSV, Parquet file, files.csv
//! message and report; every age over 89 is written as 90 (HIPAA Safe Harbor); the
//! documents' free text is written only where a vocabulary knows it (`free_text`). With
//! `--shift-dates`, every date of one patient moves by the same key-derived number of days
//! (1 to 365, earlier or later), so intervals are kept. Names and birth dates are never
//! written (age at study is). docs/privacy.md says what remains and the residual risk.

mod free_text;

pub use free_text::{Vocabulary, start_counting_withheld, withheld};

use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use std::borrow::Cow;

use crate::date::Date;
use crate::decimal::{Decimal, dec};

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

    /// Reads the key file: its bytes exactly as they are (e.g. `head -c 32 /dev/urandom >
    /// key`), a trailing newline included; the second value is a warning when the key ends
    /// with a newline (an editor may have added it: the same text without it is another key).
    pub fn from_key_file(path: &Path) -> Result<(Pseudonymizer, Option<String>), KeyError> {
        let error = |message: String| KeyError {
            path: path.display().to_string(),
            message,
        };
        // A key is short: refuse to read more than a few KiB of something else.
        let mut key = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(
                std::fs::File::open(path).map_err(|e| error(e.to_string()))?,
                4097,
            ),
            &mut key,
        )
        .map_err(|e| error(e.to_string()))?;
        if key.len() > 4096 {
            return Err(error(
                "more than 4096 bytes: is this the key file?".to_string(),
            ));
        }
        let warning = key.ends_with(b"\n").then(|| {
            format!(
                "--pseudonymize {}: the key ends with a newline, which is part of the key \
                 (every byte of the file is used; docs/privacy.md)",
                path.display()
            )
        });
        let pseudonymizer = Pseudonymizer::new(&key).ok_or_else(|| {
            error(format!(
                "the key has {} bytes; use at least {MIN_KEY} (e.g. head -c 32 /dev/urandom > key)",
                key.len()
            ))
        })?;
        Ok((pseudonymizer, warning))
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

    /// An institution's pseudonym; empty stays empty.
    pub fn institution(&self, name: &str) -> String {
        if name.trim().is_empty() {
            return String::new();
        }
        format!(
            "institution-{}",
            hex::encode(&self.digest("institution", name)[..8])
        )
    }

    /// An accession number's pseudonym (it names the order in the RIS); empty stays empty.
    pub fn accession(&self, number: &str) -> String {
        if number.trim().is_empty() {
            return String::new();
        }
        format!(
            "accession-{}",
            hex::encode(&self.digest("accession", number)[..8])
        )
    }

    /// A device serial number's pseudonym; empty stays empty.
    pub fn serial(&self, serial: &str) -> String {
        if serial.trim().is_empty() {
            return String::new();
        }
        format!(
            "device-{}",
            hex::encode(&self.digest("serial", serial)[..8])
        )
    }

    /// A visit's key (docs/columns.md `visit_id`) from the text of its identity
    /// (`export::visit_id`): `V` + 32 hex digits.
    pub fn visit(&self, identity: &str) -> String {
        format!("V{}", hex::encode(&self.digest("visit", identity)[..16]))
    }

    /// The days every date of this patient moves: 1 to 365, earlier or later, from the key
    /// and the patient ID (never 0, so that no date is left as it was).
    pub fn shift_days(&self, patient_id: &str) -> i64 {
        let digest = self.digest("date-shift", patient_id);
        let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        let days = (n % 365) as i64 + 1;
        if n >> 63 == 1 { days } else { -days }
    }
}

/// How identifiers are written: as they are, or as pseudonyms (and dates shifted).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ids<'a> {
    /// The pseudonymizer, when identifiers are replaced.
    pub pseudonymizer: Option<&'a Pseudonymizer>,
    /// Whether dates are shifted per patient (`--shift-dates`).
    pub shift_dates: bool,
}

impl Ids<'_> {
    fn apply<'t>(&self, text: &'t str, f: impl Fn(&Pseudonymizer, &str) -> String) -> Cow<'t, str> {
        match self.pseudonymizer {
            Some(p) => Cow::Owned(f(p, text)),
            None => Cow::Borrowed(text),
        }
    }

    /// A patient ID as written.
    pub fn patient<'t>(&self, id: &'t str) -> Cow<'t, str> {
        self.apply(id, Pseudonymizer::patient)
    }

    /// A UID as written.
    pub fn uid<'t>(&self, uid: &'t str) -> Cow<'t, str> {
        self.apply(uid, Pseudonymizer::uid)
    }

    /// A source path (as text) as written.
    pub fn path<'t>(&self, path: &'t str) -> Cow<'t, str> {
        self.apply(path, Pseudonymizer::path)
    }

    /// An institution as written.
    pub fn institution<'t>(&self, name: &'t str) -> Cow<'t, str> {
        self.apply(name, Pseudonymizer::institution)
    }

    /// An accession number as written.
    pub fn accession<'t>(&self, number: &'t str) -> Cow<'t, str> {
        self.apply(number, Pseudonymizer::accession)
    }

    /// A device serial as written.
    pub fn serial<'t>(&self, serial: &'t str) -> Cow<'t, str> {
        self.apply(serial, Pseudonymizer::serial)
    }

    /// A visit's key from the text of its identity: keyed under --pseudonymize, else its
    /// SHA-256 (`V` + 32 hex digits either way).
    pub fn visit_id(&self, identity: &str) -> String {
        match self.pseudonymizer {
            Some(p) => p.visit(identity),
            None => {
                use sha2::Digest;
                let digest = Sha256::digest(identity.as_bytes());
                // Pushed, not `format!`ed through `hex::encode`'s own `String`: a key per
                // visit (docs/performance.md, "The end of a run").
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let mut id = String::with_capacity(33);
                id.push('V');
                for &byte in &digest[..16] {
                    id.push(char::from(HEX[usize::from(byte >> 4)]));
                    id.push(char::from(HEX[usize::from(byte & 15)]));
                }
                id
            }
        }
    }

    /// A date of this patient (the raw patient ID) as written.
    pub fn date(&self, patient_id: &str, date: Option<Date>) -> Option<Date> {
        match (self.pseudonymizer, self.shift_dates, date) {
            (Some(p), true, Some(date)) => date.plus_days(p.shift_days(patient_id)),
            _ => date,
        }
    }

    /// An age in years as written: over 89 becomes 90 when identifiers are replaced
    /// (HIPAA Safe Harbor: ages over 89 are identifying).
    pub fn age_years(&self, years: f64) -> f64 {
        if self.pseudonymizer.is_some() && years >= 90.0 {
            90.0
        } else {
            years
        }
    }

    /// An age cell (a decimal of years) as written: over 89 becomes 90, as `age_years`.
    pub fn age(&self, years: Option<Decimal>) -> Option<Decimal> {
        let ninety = dec!("90");
        match years {
            Some(years) if self.pseudonymizer.is_some() && years >= ninety => Some(ninety),
            other => other,
        }
    }

    /// A document's free text as written: as it is, or under --pseudonymize only what
    /// `vocabulary` knows of it (else nothing, counted).
    pub fn free_text<'t>(&self, vocabulary: Vocabulary, text: &'t str) -> Cow<'t, str> {
        if self.pseudonymizer.is_none() {
            return Cow::Borrowed(text);
        }
        free_text::checked(vocabulary, text, "")
    }

    /// A text of ours that may quote a document's text in `"..."` (a files.csv message, a
    /// note): under --pseudonymize every quoted span that the `quoted` vocabulary does not
    /// know is written `"…"` (counted).
    pub fn message<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if self.pseudonymizer.is_none() || !text.contains('"') {
            return Cow::Borrowed(text);
        }
        Cow::Owned(free_text::map_quoted(text, |span| {
            free_text::checked(Vocabulary::Quoted, span, "…")
        }))
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
    fn dates_shift_by_one_amount_per_patient() {
        let p = Pseudonymizer::new(b"0123456789abcdef0123").unwrap();
        let ids = Ids {
            pseudonymizer: Some(&p),
            shift_dates: true,
        };
        let d = |t: &str| Date::parse_da(t);
        let (a, b) = (
            ids.date("HOL000123", d("20200101")).unwrap(),
            ids.date("HOL000123", d("20220315")).unwrap(),
        );
        assert_ne!(a, d("20200101").unwrap(), "the date moved");
        // The interval is kept: 2020-01-01 to 2022-03-15 is 804 days.
        assert_eq!(b.days_since_epoch() - a.days_since_epoch(), 804);
        let shift = p.shift_days("HOL000123");
        assert!((1..=365).contains(&shift.abs()), "{shift}");
        // Patients move independently; without --shift-dates nothing moves.
        let shifts: std::collections::BTreeSet<i64> =
            (0..50).map(|i| p.shift_days(&format!("P{i}"))).collect();
        assert!(shifts.len() > 40, "{shifts:?}");
        let plain = Ids {
            pseudonymizer: Some(&p),
            shift_dates: false,
        };
        assert_eq!(plain.date("HOL000123", d("20200101")), d("20200101"));
        assert_eq!(ids.age_years(89.9), 89.9);
        assert_eq!(ids.age_years(93.2), 90.0);
        assert_eq!(Ids::default().age_years(93.2), 93.2);
    }

    #[test]
    fn institution_and_serial_are_replaced() {
        let p = Pseudonymizer::new(b"0123456789abcdef0123").unwrap();
        let ids = Ids {
            pseudonymizer: Some(&p),
            shift_dates: false,
        };
        assert!(ids.institution("St Elsewhere").starts_with("institution-"));
        assert!(ids.serial("301234M").starts_with("device-"));
        assert_eq!(ids.serial(""), "");
        assert_eq!(Ids::default().serial("301234M"), "301234M");
    }

    #[test]
    fn a_trailing_newline_is_kept_and_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        std::fs::write(&path, b"0123456789abcdef\n").unwrap();
        let (with_newline, warning) = Pseudonymizer::from_key_file(&path).unwrap();
        assert!(warning.unwrap().contains("newline"));
        let without = Pseudonymizer::new(b"0123456789abcdef").unwrap();
        assert_ne!(with_newline.patient("X"), without.patient("X"));
        std::fs::write(&path, b"0123456789abcdef").unwrap();
        assert!(Pseudonymizer::from_key_file(&path).unwrap().1.is_none());
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Pseudonymizer::new(b"short").is_none());
        assert!(Pseudonymizer::new(&[7u8; 16]).is_some());
    }
}
