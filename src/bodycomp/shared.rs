//! The unit texts of the compositions, shared again when a composition is read back from
//! the run's store (docs/performance.md, "Body composition files"): each holds a few
//! distinct units (`BodyComposition::units`), which reading back would allocate once per
//! composition; the carriers share a file's column headers and units through it too. A
//! per-thread table of the texts last read (by a hash of the text) gives back the one
//! already made.

use std::cell::RefCell;
use std::sync::Arc;

/// Texts kept per thread: room for the distinct headers and units of both carriers' files
/// (some 200: a table of 256 had them replace each other), 64 KiB.
const SLOTS: usize = 4096;

thread_local! {
    static KEPT: RefCell<Vec<Option<Arc<str>>>> = RefCell::new(vec![None; SLOTS]);
}

/// The slot of a text: a hash of its length and of its first and last eight bytes (the
/// words that tell a file's headers apart: `Arm Left Fat`, `Arm Right Lean Mass`), not of
/// every byte. Two texts in one slot only replace each other: the text is compared before
/// it is shared.
fn slot(text: &str) -> usize {
    let bytes = text.as_bytes();
    let word = |eight: &[u8]| u64::from_le_bytes(eight.try_into().expect("eight bytes"));
    let (head, tail) = match bytes.len() {
        len @ 8.. => (word(&bytes[..8]), word(&bytes[len - 8..])),
        len => {
            let mut padded = [0u8; 8];
            padded[..len].copy_from_slice(bytes);
            (u64::from_le_bytes(padded), 0)
        }
    };
    let mixed =
        (head ^ tail.rotate_left(31) ^ bytes.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    // The product's top bits, which every bit of the text's words reaches.
    (mixed >> (64 - SLOTS.trailing_zeros())) as usize
}

/// The text as an `Arc<str>`: the one its slot holds when that is the same text, else a
/// new one (which then takes the slot).
pub fn shared(text: &str) -> Arc<str> {
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        let slot = &mut kept[slot(text)];
        match slot {
            Some(held) if **held == *text => Arc::clone(held),
            _ => {
                let made: Arc<str> = Arc::from(text);
                *slot = Some(Arc::clone(&made));
                made
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_read_again_is_the_one_made_before() {
        let first = shared("Arm Left Fat");
        let again = shared(&String::from("Arm Left Fat"));
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(&*shared("lbs"), "lbs");
        assert_eq!(&*shared(""), "");
        // Texts in one slot replace each other and stay themselves.
        let texts: Vec<String> = (0..2 * SLOTS).map(|n| format!("h{n}")).collect();
        for text in texts.iter().chain(&texts) {
            assert_eq!(&*shared(text), text.as_str());
        }
    }

    /// A file's headers (as enCORE's Total Body Comp file writes them) fall into many
    /// slots: a slot shared by two of them makes them replace each other.
    #[test]
    fn headers_spread_over_the_slots() {
        let mut slots = std::collections::HashSet::new();
        let mut headers = 0;
        for region in [
            "Arm Left",
            "Arm Right",
            "Arms",
            "Leg Left",
            "Leg Right",
            "Legs",
        ] {
            for measure in [
                "Fat",
                "Lean Mass",
                "Bone Mass",
                "Tissue %Fat",
                "Region %Fat",
            ] {
                slots.insert(slot(&format!("{region} {measure}")));
                headers += 1;
            }
        }
        assert!(slots.len() * 10 >= headers * 7, "{} slots", slots.len());
        assert!(slot("") < SLOTS && slot("g") != slot("%"));
    }
}
