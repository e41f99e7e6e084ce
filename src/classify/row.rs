//! What the classification says about one measurement row.

use std::borrow::Cow;

use crate::decimal::Decimal;

/// A row's note: most are fixed texts (`total body: not a diagnostic site in adults`),
/// borrowed, not a `String` made and freed per row (docs/performance.md, "The end of a
/// run").
pub type Note = Cow<'static, str>;

/// A row's notes, in order: most rows have none or one, held in place; two or more are a
/// vector. A vector of one per row was an allocation and a free on most rows of most
/// visits (docs/performance.md, "The end of a run"). Read as a slice; equal when the
/// notes are.
#[derive(Debug, Clone, Default)]
pub enum Notes {
    /// No note.
    #[default]
    None,
    /// One note.
    One(Note),
    /// Two or more.
    Many(Vec<Note>),
}

impl Notes {
    /// Appends a note.
    #[inline]
    pub fn push(&mut self, note: Note) {
        match self {
            Notes::None => *self = Notes::One(note),
            Notes::One(_) => {
                if let Notes::One(first) = std::mem::take(self) {
                    *self = Notes::Many(vec![first, note]);
                }
            }
            Notes::Many(notes) => notes.push(note),
        }
    }
}

impl std::ops::Deref for Notes {
    type Target = [Note];
    #[inline]
    fn deref(&self) -> &[Note] {
        match self {
            Notes::None => &[],
            Notes::One(note) => std::slice::from_ref(note),
            Notes::Many(notes) => notes,
        }
    }
}

impl PartialEq for Notes {
    fn eq(&self, other: &Notes) -> bool {
        self[..] == other[..]
    }
}

impl Eq for Notes {}

/// What the classification says about one measurement row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowAssessment {
    /// Whether the row entered the classification.
    pub used_for_diagnosis: bool,
    /// Why not used, or a warning.
    pub notes: Notes,
    /// Standardised BMD, mg/cm².
    pub sbmd_mg_cm2: Option<Decimal>,
    /// T-score recomputed on NHANES III (hip sites).
    pub t_score_nhanes: Option<Decimal>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Notes pushed one by one read back as a vector of the same pushes reads, whatever
    /// their count; two lists of the same notes are equal however they are held.
    #[test]
    fn notes_read_as_pushed() {
        for count in 0..6 {
            let mut notes = Notes::default();
            let mut expected: Vec<Note> = Vec::new();
            for n in 0..count {
                let note: Note = if n % 2 == 0 {
                    Cow::Borrowed("fixed")
                } else {
                    Cow::Owned(format!("made {n}"))
                };
                notes.push(note.clone());
                expected.push(note);
            }
            assert_eq!(&notes[..], &expected[..], "{count}");
            assert_eq!(notes.len(), count);
            assert_eq!(notes.iter().count(), count);
            assert_eq!(notes, Notes::Many(expected.clone()));
            assert_eq!(notes.clone(), notes);
        }
        assert_ne!(
            Notes::One("a".into()),
            Notes::Many(vec!["a".into(), "b".into()])
        );
    }
}
