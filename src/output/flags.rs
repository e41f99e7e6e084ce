//! How every flag is spelled in the `flags` cells: the one place (docs/columns.md's tables
//! "Findings about the classification", "... the visit", "... a document" list the same
//! patterns, which a test holds together). A pattern is the flag's text with each `<...>`
//! filled by one of the flag's values, in order; a kind can have more than one (a capped
//! list's `_not_listed` count).

use std::borrow::Cow;

use crate::bodycomp::index::BodyFlag;
use crate::carrier::encore::EncoreFlag;
use crate::classify::AssessmentFlag;
use crate::document::{DocFlag, Document, FraxValue};
use crate::pseudonym::{Ids, Vocabulary};
use crate::visit::{Differs, SHARED_LISTED, VisitFlag, VisitFlagKind, VisitRows};
use crate::vocabulary::{Laterality, Region};

mod patterns;

pub use patterns::{
    assessment_patterns, body_patterns, doc_patterns, encore_patterns, visit_patterns,
};

/// An enCORE finding as written, appended to `out`.
fn push_encore_flag_text(out: &mut String, flag: &EncoreFlag) {
    let pattern = encore_patterns(flag.kind())[0];
    match flag {
        EncoreFlag::ValueUnreadable(what)
        | EncoreFlag::UnitUnknown(what)
        | EncoreFlag::ValueGivenTwice(what) => fill_into(out, pattern, &[&what.to_string()]),
        EncoreFlag::BoneGivenTwice(measure, site) => {
            fill_into(out, pattern, &[measure.as_str(), site])
        }
        EncoreFlag::Inconsistent(check) => fill_into(out, pattern, &[check.as_str()]),
        _ => fill_into(out, pattern, &[]),
    }
}

/// `pattern` with each `<...>` replaced by the next of `values`.
fn fill(pattern: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    fill_into(&mut out, pattern, values);
    out
}

/// `fill`, appended to `out`.
#[inline]
fn fill_into(out: &mut String, pattern: &str, values: &[&str]) {
    // A flag of no values (most of them) is its pattern: pushed as it is, not searched for
    // a `<` byte by byte (about a hundred instructions a flag, four or five flags a visit:
    // docs/performance.md, "The end of a run"). Every such pattern has no placeholder
    // (`tests::a_pattern_without_values_is_the_flag`).
    if values.is_empty() {
        debug_assert!(
            !pattern.contains('<'),
            "{pattern}: a value for every placeholder"
        );
        out.push_str(pattern);
        return;
    }
    fill_values_into(out, pattern, values);
}

/// `fill_into` of a pattern with values.
fn fill_values_into(out: &mut String, pattern: &str, values: &[&str]) {
    let mut values = values.iter();
    let mut rest = pattern;
    // The brackets are ASCII: found as bytes, not through `str::find`'s searcher (a call
    // and its set-up for a pattern of a few bytes, most with no placeholder).
    let find = |text: &str, byte: u8| text.bytes().position(|b| b == byte);
    while let Some(open) = find(rest, b'<') {
        out.push_str(&rest[..open]);
        let close = find(&rest[open..], b'>').map_or(rest.len(), |c| open + c + 1);
        out.push_str(values.next().expect("a value for every placeholder"));
        rest = &rest[close..];
    }
    out.push_str(rest);
}

/// A document flag as written (before `Ids` checks it).
pub fn doc_flag_text(flag: &DocFlag) -> String {
    let mut out = String::new();
    push_doc_flag_text(&mut out, flag);
    out
}

/// `doc_flag_text`, appended to `out`.
fn push_doc_flag_text(out: &mut String, flag: &DocFlag) {
    let pattern = doc_patterns(flag.kind())[0];
    let underscored = |text: &str| text.replace(' ', "_");
    match flag {
        DocFlag::ImageCommentsXmlUnreadable(why) => fill_into(out, pattern, &[why]),
        DocFlag::GivenTwice(measure, site) => fill_into(out, pattern, &[measure.as_str(), site]),
        DocFlag::XmlDisagrees(site, measure) => fill_into(out, pattern, &[site, measure.as_str()]),
        DocFlag::XmlDisagreesOnFrax(value) => fill_into(out, pattern, &[frax_value(*value)]),
        DocFlag::StudyValueUnitNotRecognised(measure, value, unit)
        | DocFlag::StudyValueTooManyDigits(measure, value, unit) => fill_into(
            out,
            pattern,
            &[measure.as_str(), &value.to_string(), &underscored(unit)],
        ),
        DocFlag::HologicTableTypeUnknown(code)
        | DocFlag::HologicColumnTypeUnknown(code)
        | DocFlag::HologicRowTypeUnknown(code) => fill_into(out, pattern, &[&code.to_string()]),
        DocFlag::BodyCompositionUnitUnknown(what)
        | DocFlag::BodyCompositionValueUnreadable(what)
        | DocFlag::BodyCompositionGivenTwice(what) => fill_into(out, pattern, &[&what.to_string()]),
        DocFlag::Export(flag) => push_encore_flag_text(out, flag),
        _ => fill_into(out, pattern, &[]),
    }
}

impl std::fmt::Display for DocFlag {
    /// The flag as written, before `Ids` checks it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&doc_flag_text(self))
    }
}

impl std::fmt::Display for AssessmentFlag {
    /// The flag as written, before `Ids` checks it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&assessment_flag_text(self))
    }
}

/// A FRAX value's name in `xml_disagrees=<frax value>`.
fn frax_value(value: FraxValue) -> &'static str {
    match value {
        FraxValue::Major => "frax_major",
        FraxValue::MajorPrior => "frax_major_prior",
        FraxValue::Hip => "frax_hip",
        FraxValue::HipPrior => "frax_hip_prior",
    }
}

/// A classification flag as written (before `Ids` checks it).
pub fn assessment_flag_text(flag: &AssessmentFlag) -> String {
    let pattern = assessment_patterns(flag.kind())[0];
    match flag {
        // `;` separates flags: it is kept out of the value.
        AssessmentFlag::ReferenceDatabase(name) => fill(pattern, &[&name.replace(';', ",")]),
        _ => fill(pattern, &[]),
    }
}

/// A classification flag as a cell holds it: a reference database's name is document text,
/// written only where its vocabulary knows it (docs/privacy.md, "Free text").
fn assessment_flag_cell(flag: &AssessmentFlag, ids: Ids<'_>) -> String {
    match flag {
        AssessmentFlag::ReferenceDatabase(name) => fill(
            assessment_patterns(flag.kind())[0],
            &[&ids.free_text(Vocabulary::ReferenceDatabase, &name.replace(';', ","))],
        ),
        _ => assessment_flag_text(flag),
    }
}

/// Why the scanner's verdict differs, as `vendor_classification_differs` says it.
pub fn differs_word(why: Differs) -> &'static str {
    match why {
        Differs::ZScorePopulation => "z_score_population",
        Differs::NotClassified => "not_classified",
        Differs::VisitScope => "visit_scope",
        Differs::ForearmNotDiagnostic => "forearm_not_diagnostic",
        Differs::Reference => "reference",
        Differs::Unexplained => "unexplained",
    }
}

/// A flag's `text` as `ids` writes it (`Ids::message`): the text itself when nothing in
/// it is hidden, not a copy of it (a flag of most visits: docs/performance.md).
fn message(ids: Ids<'_>, text: String) -> String {
    match ids.message(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(written) => written,
    }
}

/// A `;`-joined cell, each part appended as it is made (a `String` per flag, and a list
/// of them joined after, cost about a third of a visit's studies.csv row on the body
/// composition corpus: docs/performance.md, "The end of a run").
struct Joined {
    text: String,
    parts: usize,
}

impl Joined {
    fn new() -> Joined {
        Joined {
            text: String::with_capacity(128),
            parts: 0,
        }
    }

    /// The cell, its separator pushed when a part came before.
    fn part(&mut self) -> &mut String {
        if self.parts > 0 {
            self.text.push(';');
        }
        self.parts += 1;
        &mut self.text
    }

    /// Appends a part as `ids` writes it (`message`): pushed, and rewritten only when
    /// something in it is hidden.
    fn message_part(&mut self, ids: Ids<'_>, push: impl FnOnce(&mut String)) {
        let out = self.part();
        let start = out.len();
        push(out);
        let hidden = match ids.message(&out[start..]) {
            Cow::Owned(written) => Some(written),
            Cow::Borrowed(_) => None,
        };
        if let Some(written) = hidden {
            out.truncate(start);
            out.push_str(&written);
        }
    }
}

/// documents.csv `flags`: the document's flags, each as written (a quoted document text
/// checked by `Ids::message`).
pub fn document_cell(flags: &[DocFlag], ids: Ids<'_>) -> String {
    if flags.is_empty() {
        return String::new();
    }
    let mut cell = Joined::new();
    for flag in flags {
        cell.message_part(ids, |out| push_doc_flag_text(out, flag));
    }
    cell.text
}

/// studies.csv `flags`: every member's document flags (each once), the classification's,
/// the scanner's verdict's, then the visit's; a visit kind that names documents names at
/// most `SHARED_LISTED` of them, then `<kind>_not_listed=<n>`.
pub fn study_cell(view: &VisitRows<'_>, body: &[BodyFlag]) -> String {
    let mut doc_flags: Vec<&DocFlag> = Vec::new();
    for p in 0..view.visit.members.len() {
        for flag in &view.member(p).doc.flags {
            if !doc_flags.contains(&flag) {
                doc_flags.push(flag);
            }
        }
    }
    // The flags joined by `;` as they are made, not each a `String` in a list joined after
    // (a visit's few flags cost about 2 400 instructions so: docs/performance.md, "The end
    // of a run").
    let mut cell = Joined::new();
    for flag in doc_flags {
        cell.message_part(view.ids, |out| push_doc_flag_text(out, flag));
    }
    for flag in &view.assessed.assessment.flags {
        match flag {
            AssessmentFlag::ReferenceDatabase(_) => {
                cell.part().push_str(&assessment_flag_cell(flag, view.ids))
            }
            _ => fill_into(cell.part(), assessment_patterns(flag.kind())[0], &[]),
        }
    }
    let vendor = view
        .assessed
        .vendor
        .and_then(|v| v.differs)
        .map(VisitFlag::VendorClassificationDiffers);
    let mut counts: Vec<(VisitFlagKind, usize)> = Vec::new();
    let mut texts = Vec::new();
    for flag in vendor.iter().chain(&view.visit.flags) {
        let kind = flag.kind();
        let capped = matches!(
            kind,
            VisitFlagKind::PatientIdDisagrees
                | VisitFlagKind::SexDisagrees
                | VisitFlagKind::BirthDateDisagrees
                | VisitFlagKind::SameDayOtherDevice
        );
        if capped {
            let count = match counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => n,
                None => {
                    counts.push((kind, 0));
                    &mut counts.last_mut().expect("just pushed").1
                }
            };
            *count += 1;
            if *count > SHARED_LISTED {
                continue;
            }
        }
        // A flag of one text and no document's values filled into the cell at once.
        let pattern = visit_patterns(kind)[0];
        match flag {
            VisitFlag::PatientIdMissing
            | VisitFlag::DateUnknown
            | VisitFlag::StudyDatesDiffer
            | VisitFlag::SeveralDevices
            | VisitFlag::NoResults => {
                cell.message_part(view.ids, |out| fill_into(out, pattern, &[]));
            }
            VisitFlag::VendorClassificationDiffers(why) => {
                cell.message_part(view.ids, |out| {
                    fill_into(out, pattern, &[differs_word(*why)])
                });
            }
            _ => {
                visit_flag_texts(view, flag, &mut texts);
                for text in texts.drain(..) {
                    cell.part().push_str(&text);
                }
            }
        }
    }
    for (kind, count) in counts {
        if count > SHARED_LISTED {
            fill_into(
                cell.part(),
                visit_patterns(kind)[1],
                &[&(count - SHARED_LISTED).to_string()],
            );
        }
    }
    for flag in body {
        push_body_flag_text(cell.part(), flag);
    }
    cell.text
}

/// A finding about a visit's body composition as written.
pub fn body_flag_text(flag: &BodyFlag) -> String {
    let mut out = String::new();
    push_body_flag_text(&mut out, flag);
    out
}

/// `body_flag_text`, appended to `out`.
fn push_body_flag_text(out: &mut String, flag: &BodyFlag) {
    let pattern = body_patterns(flag.kind())[0];
    match flag {
        BodyFlag::FmiClass(class) => fill_into(out, pattern, &[class.as_str()]),
        BodyFlag::Inconsistent(check) => fill_into(out, pattern, &[check.as_str()]),
        _ => fill_into(out, pattern, &[]),
    }
}

/// A visit flag's texts (one flag, or several for a list of documents), as written.
fn visit_flag_texts(view: &VisitRows<'_>, flag: &VisitFlag, out: &mut Vec<String>) {
    let patterns = visit_patterns(flag.kind());
    let text = |values: &[&str]| message(view.ids, fill(patterns[0], values));
    match flag {
        VisitFlag::PatientIdDisagrees(doc)
        | VisitFlag::SexDisagrees(doc)
        | VisitFlag::BirthDateDisagrees(doc) => out.push(text(&[&view.sop(*doc)])),
        VisitFlag::SameDayOtherDevice(doc) => {
            let other = &view.docs[*doc].doc;
            let device = if other.device_serial.trim().is_empty() {
                Cow::Owned(
                    format!("{} {}", other.manufacturer_raw, other.model)
                        .trim()
                        .to_string(),
                )
            } else {
                view.ids.serial(other.device_serial.trim())
            };
            out.push(text(&[&device.replace(';', ",")]));
        }
        VisitFlag::ReanalysisOrderUnknown(part) => out.push(text(&[&part.to_string()])),
        VisitFlag::FraxHipsDiffer { used, others } => {
            let set = |doc: usize| {
                let d = &view.docs[doc].doc;
                let value = |v: Option<crate::decimal::Decimal>| {
                    v.map_or_else(|| "-".to_string(), |v| v.to_string())
                };
                format!(
                    "{}:{}/{}",
                    frax_side(d),
                    value(d.frax_major),
                    value(d.frax_hip)
                )
            };
            let mut sets: Vec<String> = used.iter().chain(others).map(|&d| set(d)).collect();
            match used {
                Some(_) => sets[0].push_str(" used"),
                None => sets.push("none used".to_string()),
            }
            out.push(text(&[&sets.join(",")]));
        }
        VisitFlag::PatientIdShared { listed, more } => {
            for &doc in listed {
                out.push(text(&[&view.sop(doc)]));
            }
            if *more > 0 {
                out.push(fill(patterns[1], &[&more.to_string()]));
            }
        }
        VisitFlag::VendorClassificationDiffers(why) => out.push(text(&[differs_word(*why)])),
        VisitFlag::ReadInParts(n) => out.push(text(&[&n.to_string()])),
        VisitFlag::PatientIdMissing
        | VisitFlag::DateUnknown
        | VisitFlag::StudyDatesDiffer
        | VisitFlag::SeveralDevices
        | VisitFlag::NoResults => out.push(text(&[])),
    }
}

/// The hip a document's FRAX belongs to: the sides of its femoral neck rows ("left",
/// "right", "left+right" for a dual hip), `hip` when it has none.
fn frax_side(doc: &Document) -> String {
    let sides: Vec<&str> = doc
        .measurements
        .iter()
        .filter(|m| m.region == Region::FemoralNeck)
        .filter(|m| matches!(m.laterality, Laterality::Left | Laterality::Right))
        .map(|m| m.laterality.as_str())
        .collect();
    if sides.is_empty() {
        "hip".to_string()
    } else {
        sides.join("+")
    }
}

#[cfg(test)]
mod tests;
