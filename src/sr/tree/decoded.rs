//! Where the content tree keeps the few texts it cannot borrow from the file (values with
//! bytes above 0x7F, decoded from the data set's character set), so that every text of the
//! tree is a plain `&str`: a tree of `Cow`s paid a check per text to drop it and carried
//! 24 bytes per text where a `&str` is 16 (docs/performance.md, 2026-12-07).

use std::borrow::Cow;
use std::cell::RefCell;

/// Decoded texts, each kept until the store is dropped. Made empty (no allocation) by
/// `default`; one per tree read, beside it.
#[derive(Debug, Default)]
pub struct Decoded {
    texts: RefCell<Vec<Box<str>>>,
}

impl Decoded {
    /// `text` as a `&str` that lives as long as the store: a borrowed text as it is, an
    /// owned one kept here.
    pub fn keep<'t, 'a: 't>(&'t self, text: Cow<'a, str>) -> &'t str {
        match text {
            Cow::Borrowed(text) => text,
            Cow::Owned(text) => self.keep_owned(text),
        }
    }

    #[cold]
    #[inline(never)]
    fn keep_owned(&self, text: String) -> &str {
        let mut texts = self.texts.borrow_mut();
        texts.push(text.into_boxed_str());
        // The pointer is taken from the box where it stays, after the move into the Vec:
        // one taken before would be derived from a box moved afterwards (a move asserts a
        // box's uniqueness, which would leave that pointer invalid).
        let kept: *const str = &**texts.last().expect("just pushed");
        // SAFETY: the box's bytes are on the heap and never moved, changed or freed while
        // `self` lives (texts are only ever pushed, and the Vec growing copies the boxes'
        // pointers, not what they point to); the returned borrow cannot outlive `self`.
        unsafe { &*kept }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_texts_stay_readable_while_more_are_kept() {
        let decoded = Decoded::default();
        let first = decoded.keep(Cow::Owned("Ålesund".to_string()));
        let more: Vec<&str> = (0..100)
            .map(|i| decoded.keep(Cow::Owned(format!("é{i}"))))
            .collect();
        assert_eq!(first, "Ålesund");
        assert_eq!(more[0], "é0");
        assert_eq!(more[99], "é99");
        let borrowed = String::from("abc");
        assert!(std::ptr::eq(
            decoded.keep(Cow::Borrowed(&borrowed)),
            borrowed.as_str()
        ));
    }
}
