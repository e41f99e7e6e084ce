//! One struct per CSV file, fields in the column order of docs/columns.md; `*_COLUMNS` are
//! the header rows, checked against the structs by a test. Empty cell = value absent;
//! numbers in plain decimal; text made safe for spreadsheets (`cell`).

mod documents;
mod files;
mod followup;
mod history;
mod measurements;
mod studies;

use std::borrow::Cow;

pub use documents::{DOCUMENT_COLUMNS, document_row};
pub use files::{FILE_COLUMNS, file_row};
pub use followup::{FOLLOWUP_COLUMNS, followup_line, lsc_source_word, source_word, verdict_word};
pub use history::{HISTORY_COLUMNS, history_rows};
pub use measurements::{MEASUREMENT_COLUMNS, measurement_rows};
pub use studies::{STUDY_COLUMNS, study_row};

use crate::document::{Date, Document};
use crate::pseudonym::Ids;
use crate::visit::{Assessed, Ingested, LeftOut, Visit};

/// One visit and everything its rows are made of.
#[derive(Clone, Copy)]
pub struct VisitRows<'a> {
    /// The partition's documents.
    pub docs: &'a [Ingested],
    /// The visit.
    pub visit: &'a Visit,
    /// Its classification.
    pub assessed: &'a Assessed,
    /// How identifiers are written.
    pub ids: Ids<'a>,
}

impl<'a> VisitRows<'a> {
    /// The document at a member position.
    pub fn member(&self, position: usize) -> &'a Ingested {
        &self.docs[self.visit.members[position]]
    }

    /// The visit's first document.
    pub fn first(&self) -> &'a Document {
        &self.member(0).doc
    }

    /// The visit's patient ID as in the file (its first document's).
    pub fn patient_raw(&self) -> &'a str {
        &self.first().patient_id
    }

    /// The visit's patient ID as written.
    pub fn patient(&self) -> Cow<'a, str> {
        self.ids.patient(self.patient_raw())
    }

    /// A date of the visit's patient, as written (shifted under --shift-dates).
    pub fn date(&self, date: Option<Date>) -> Option<Date> {
        self.ids.date(self.patient_raw(), date)
    }

    /// The SOP Instance UID of a document (by index into `docs`), as written.
    pub fn sop(&self, doc: usize) -> Cow<'a, str> {
        self.ids.uid(&self.docs[doc].doc.sop_instance_uid)
    }

    /// The first member with a non-empty value, else the first member.
    pub fn first_with(&self, pick: impl Fn(&Document) -> bool) -> &'a Document {
        (0..self.visit.members.len())
            .map(|p| &self.member(p).doc)
            .find(|d| pick(d))
            .unwrap_or_else(|| self.first())
    }

    /// Why a row is left out, as its note.
    pub fn left_out_note(&self, why: LeftOut) -> String {
        match why {
            LeftOut::SupersededBy(doc) => format!("superseded_by={}", self.sop(doc)),
            LeftOut::DuplicateOf(doc) => format!("duplicate_of={}", self.sop(doc)),
            LeftOut::OrderUnknown => {
                "re-analysed in an order that cannot be told: not used".to_string()
            }
            LeftOut::SameAs(doc) => format!("same_values_as={}", self.sop(doc)),
            LeftOut::FraxOfOtherHip(doc) => format!("frax_of_other_hip_used={}", self.sop(doc)),
            LeftOut::FraxHipUndecided => {
                "the hips' FRAX differ and neither femoral neck is lower: not used".to_string()
            }
        }
    }
}

/// `;`-joined cell text.
pub fn joined<'s>(parts: impl IntoIterator<Item = &'s str>, separator: &str) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() {
            out.push_str(separator);
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests;
