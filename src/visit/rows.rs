//! One visit as the writers see it: the partition's documents, the visit, its
//! classification, and how identifiers are written (`Ids`). The rows of every output file,
//! the follow-up points and the report's counts are read through it.

use std::borrow::Cow;

use super::assess::Assessed;
use super::model::{Ingested, Visit};
use crate::bodycomp::BodyComposition;
use crate::bodycomp::index::Assessment;
use crate::date::Date;
use crate::document::Document;
use crate::field_bytes::plain_field;
use crate::pseudonym::Ids;

/// One visit and everything its rows are made of.
#[derive(Clone, Copy)]
pub struct VisitRows<'a> {
    /// The partition's documents.
    pub docs: &'a [Ingested],
    /// The visit.
    pub visit: &'a Visit,
    /// Its classification.
    pub assessed: &'a Assessed<'a>,
    /// How identifiers are written.
    pub ids: Ids<'a>,
    /// The visit's key, as written (docs/columns.md, "visit_id"; `export::visit_id`).
    pub visit_id: &'a str,
    /// Its body composition, when a document has one (`output::rows::visit_body`).
    pub body: Option<&'a VisitBody<'a>>,
    /// Its key texts as written, each checked once (`VisitKeys::new`).
    pub keys: &'a VisitKeys<'a>,
}

/// A text as written and whether it is a plain CSV field (`field_bytes::plain_field`):
/// `output::cell` writes it as `Text` would, the check made once.
#[derive(Debug, Clone, Default)]
pub struct KeyText<'a> {
    /// The text as written.
    pub text: Cow<'a, str>,
    /// Whether it is a plain field, written as it is.
    pub plain: bool,
}

impl<'a> KeyText<'a> {
    /// `text`, checked.
    pub fn new(text: Cow<'a, str>) -> KeyText<'a> {
        let plain = plain_field(text.as_bytes());
        KeyText { text, plain }
    }

    /// The same text and check, borrowed.
    pub fn borrowed(&self) -> KeyText<'_> {
        KeyText {
            text: Cow::Borrowed(&self.text),
            plain: self.plain,
        }
    }
}

/// A visit's key texts as written, each checked once for the CSV: its id and patient are
/// cells of studies.csv, documents.csv, measurements.csv, visits_wide.csv and
/// body_composition.csv, its first document's path and UIDs of three of them, and each
/// row checked each again (docs/performance.md, "The end of a run").
#[derive(Debug, Clone)]
pub struct VisitKeys<'a> {
    /// The visit's id.
    pub visit_id: KeyText<'a>,
    /// The visit's patient ID (`VisitRows::patient`).
    pub patient: KeyText<'a>,
    /// The first member's path.
    pub path: KeyText<'a>,
    /// The first member's SOP Instance UID as ingested (a re-send's own).
    pub member_sop: KeyText<'a>,
    /// The first document's SOP Instance UID (the document a re-send shares).
    pub first_sop: KeyText<'a>,
    /// Every distinct accession number, as written (`accession_numbers`): studies.csv's
    /// and visits_wide.csv's.
    pub accession: KeyText<'a>,
}

/// `VisitRows::accession_numbers` of `visit`.
fn accession_numbers(docs: &[Ingested], visit: &Visit, ids: Ids<'_>) -> String {
    let number_of = |p: usize| docs[visit.members[p]].doc.accession_number.trim();
    // A visit of one document: its number alone, without the list of those seen.
    if visit.members.len() == 1 {
        let number = number_of(0);
        let mut out = String::new();
        if !number.is_empty() {
            out.reserve(number.len() + 1);
            push_accession(ids, &mut out, number);
        }
        return out;
    }
    let mut seen: Vec<&str> = Vec::new();
    for p in 0..visit.members.len() {
        let number = number_of(p);
        if !number.is_empty() && !seen.contains(&number) {
            seen.push(number);
        }
    }
    // Into one `String` (the list and a `replace` copy each were two allocations per
    // number, twice per visit: studies.csv and visits_wide.csv).
    let mut out = String::with_capacity(seen.iter().map(|n| n.len() + 1).sum());
    for (i, number) in seen.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        push_accession(ids, &mut out, number);
    }
    out
}

/// Pushes an accession number as written, its own `;`s made `,` (the cell's separator).
fn push_accession(ids: Ids<'_>, out: &mut String, number: &str) {
    let written = ids.accession(number);
    for (j, piece) in written.split(';').enumerate() {
        if j > 0 {
            out.push(',');
        }
        out.push_str(piece);
    }
}

impl<'a> VisitKeys<'a> {
    /// The key texts of `visit`, whose id is `visit_id`.
    pub fn new(docs: &'a [Ingested], visit: &Visit, ids: Ids<'_>, visit_id: &'a str) -> Self {
        let member = &docs[visit.members[0]];
        let member_sop = KeyText::new(ids.uid(member.sop_instance_uid()));
        let first_uid = &member.doc.sop_instance_uid;
        // Nearly always the same text: its check not made again.
        let first_sop = if member.resent_as.is_none() {
            member_sop.clone()
        } else {
            KeyText::new(ids.uid(first_uid))
        };
        VisitKeys {
            accession: KeyText::new(Cow::Owned(accession_numbers(docs, visit, ids))),
            visit_id: KeyText::new(Cow::Borrowed(visit_id)),
            patient: KeyText::new(ids.patient(&member.doc.patient_id)),
            path: KeyText::new(ids.path(&member.path)),
            member_sop,
            first_sop,
        }
    }
}

/// A visit's body composition and what is assessed of it (`output::rows::visit_body`).
#[derive(Debug)]
pub struct VisitBody<'a> {
    /// The composition: its one document's, borrowed, or several documents' merged.
    pub composition: Cow<'a, BodyComposition>,
    /// The indices, the FMI class, the flags.
    pub assessment: Assessment,
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

    /// The SOP Instance UID of a document (by index into `docs`), as written; a document
    /// without one (a line of an enCORE export) is named by its path.
    pub fn sop(&self, doc: usize) -> Cow<'a, str> {
        let ingested = &self.docs[doc];
        match ingested.sop_instance_uid() {
            "" => self.ids.path(&ingested.path),
            uid => self.ids.uid(uid),
        }
    }

    /// The first member with a non-empty value, else the first member.
    #[inline]
    pub fn first_with(&self, pick: impl Fn(&Document) -> bool) -> &'a Document {
        // A visit of one document (most of them) has no other to pick: the first either
        // way, without `pick` (a studies.csv row asks five times).
        if self.visit.members.len() == 1 {
            return self.first();
        }
        (0..self.visit.members.len())
            .map(|p| &*self.member(p).doc)
            .find(|d| pick(d))
            .unwrap_or_else(|| self.first())
    }

    /// Every distinct accession number of the visit's documents, in path order, each as
    /// written (keyed under --pseudonymize), `;`-joined (studies.csv `accession_number`).
    pub fn accession_numbers(&self) -> String {
        accession_numbers(self.docs, self.visit, self.ids)
    }

    /// The path, as written, of the document whose row decided the classification (the used
    /// row of `basis_site`); None when no row decided (studies.csv `basis_source_path`).
    pub fn basis_source_path(&self) -> Option<Cow<'a, str>> {
        let assessed = self.assessed;
        let basis = assessed.assessment.basis_site.as_deref()?;
        let row = assessed
            .exam
            .measurements
            .iter()
            .zip(&assessed.assessment.rows)
            .position(|(m, row)| row.used_for_diagnosis && crate::classify::is_site(m, basis))?;
        let member = assessed.origins[row].member;
        Some(self.ids.path(&self.member(member).path))
    }
}
