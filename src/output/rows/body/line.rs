//! Where a body_composition.csv row is assembled before it is appended to its run: one
//! buffer a visit (`Scratch`), which holds the visit's key fields from its start, so that
//! a row writes its region's word, its label, its numbers and its end after them and is
//! appended in one copy. Each row copied the key fields, its word, its label, its numbers
//! and its end into the run one after another, a copy call and a check of the run's room
//! each (docs/performance.md, "The end of a run").

use crate::bodycomp::BodyRegion;
use crate::decimal::PLAIN_MAX;

/// Room for a row's six numbers, each after its comma: `Decimal::put_plain` asks for
/// `PLAIN_MAX` bytes where it starts.
pub(super) const NUMBERS_MAX: usize = 6 * (PLAIN_MAX + 1);

/// A row's end copied after its numbers when it is at most this long: a copy of a fixed
/// length, made without a call (`,,encore_export,lbs;%` and the like).
pub(super) const TAIL_SHORT: usize = 64;

/// The longest key fields (visit, patient, date and their commas) held at the scratch's
/// start; a visit with longer ones writes its rows field by field.
const KEYS_MAX: usize = 160;

/// A region's word as copied: a fixed length, the word and zeros after it (the longest
/// word is shorter: `tests`).
pub(super) const WORD_MAX: usize = 24;

/// The longest label copied into the scratch (a kept label is at most 32 bytes:
/// `bodycomp::label`).
pub(super) const LABEL_MAX: usize = 32;

/// Where a row's numbers start when its first fields were written into the run itself.
pub(super) const NUMBERS_AT: usize = KEYS_MAX + WORD_MAX + 1 + LABEL_MAX;

/// The scratch's length: the first fields, the numbers and a short end.
const SCRATCH_LEN: usize = NUMBERS_AT + NUMBERS_MAX + TAIL_SHORT;

/// A visit's row buffer and the end of its last row written.
pub(super) struct Scratch {
    /// The composition's units and source the end was written from (their addresses):
    /// an end is only reused for the composition it was made of.
    pub(super) units: usize,
    pub(super) source: usize,
    /// The row's units (`unit_run`) and computed cells (`Computed`) as a key; 0 when none
    /// is held.
    pub(super) key: u128,
    /// The end's fields, each after its comma, and the line's end.
    pub(super) end: Vec<u8>,
    /// `end` when at most `TAIL_SHORT` long, the rest zeros: copied whole.
    pub(super) short: [u8; TAIL_SHORT],
    /// The length of the key fields at the start of `bytes`; None when longer than
    /// `KEYS_MAX`.
    pub(super) keys: Option<usize>,
    /// The row: the key fields, then what a row writes after them (boxed: the keys of a
    /// visit are moved, and were a copy of the whole buffer each time).
    pub(super) bytes: Box<[u8; SCRATCH_LEN]>,
    /// Each region's word, padded (`region_words`).
    pub(super) words: &'static [([u8; WORD_MAX], usize)],
}

impl Scratch {
    /// A scratch for the rows of a visit whose key fields are `keys`.
    pub(super) fn new(keys: &[u8]) -> Scratch {
        let mut bytes: Box<[u8; SCRATCH_LEN]> = vec![0; SCRATCH_LEN]
            .into_boxed_slice()
            .try_into()
            .expect("SCRATCH_LEN bytes");
        let fits = keys.len() <= KEYS_MAX;
        if fits {
            bytes[..keys.len()].copy_from_slice(keys);
        }
        Scratch {
            units: 0,
            source: 0,
            key: 0,
            // Room for a row's end (`,,encore_export,lbs;%` and longer), made once.
            end: Vec::with_capacity(64),
            short: [0; TAIL_SHORT],
            keys: fits.then_some(keys.len()),
            bytes,
            words: region_words(),
        }
    }
}

/// Each `BodyRegion`'s word (`as_str`), by region, in `WORD_MAX` bytes padded with zeros,
/// and its length (`usize::MAX` for a word that would not fit: none does).
fn region_words() -> &'static [([u8; WORD_MAX], usize)] {
    static WORDS: std::sync::OnceLock<Vec<([u8; WORD_MAX], usize)>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        BodyRegion::ALL
            .iter()
            .map(|region| {
                let word = region.as_str().as_bytes();
                let mut padded = [0; WORD_MAX];
                match padded.get_mut(..word.len()) {
                    Some(room) => {
                        room.copy_from_slice(word);
                        (padded, word.len())
                    }
                    None => (padded, usize::MAX),
                }
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every region's word fits its padded copy, which holds the word, then zeros, at the
    /// region's place.
    #[test]
    fn every_region_word_is_padded_in_place() {
        let words = region_words();
        assert_eq!(words.len(), BodyRegion::ALL.len());
        for &region in BodyRegion::ALL {
            let (padded, len) = &words[region as usize];
            let word = region.as_str().as_bytes();
            assert_eq!(*len, word.len(), "{region:?}");
            assert_eq!(&padded[..*len], word);
            assert!(padded[*len..].iter().all(|&b| b == 0));
        }
    }

    /// Key fields past `KEYS_MAX` are not held; shorter ones are, at the start.
    #[test]
    fn keys_held_when_they_fit() {
        let short = Scratch::new(b"V1,P,2024-01-01,");
        assert_eq!(short.keys, Some(16));
        assert_eq!(&short.bytes[..16], b"V1,P,2024-01-01,");
        assert_eq!(Scratch::new(&[b'x'; KEYS_MAX]).keys, Some(KEYS_MAX));
        assert_eq!(Scratch::new(&[b'x'; KEYS_MAX + 1]).keys, None);
    }
}
