//! The scanner's own verdict beside the visit's classification (docs/columns.md,
//! `vendor_classification`): a research audit counts how often the printed verdict differs
//! from ISCD. Shown, never used to classify.
//!
//! Scanners classify each report alone (Hologic APEX: from that report's T-scores; a GE FRAX
//! SR states the exam's). The visit's verdict is the worst of its documents' (the documents
//! the visit kept; forearm reports only when the visit has nothing else). When it differs
//! from ours, the reason is said in words our rules know:
//! - `z_score_population`: our rules give Z-score wording (under 50, not postmenopausal);
//! - `not_classified`: our classification is `indeterminate`;
//! - `visit_scope`: the row that decided ours is in a document without a verdict;
//! - `forearm_not_diagnostic`: a forearm region our rules do not use (UD, MID, total radius)
//!   has the verdict's category;
//! - `reference`: the verdict is the category on the ISCD uniform reference;
//! - `unexplained`: none of these.

use super::flag::Differs;
use super::model::{DocStatus, Ingested, Visit};
use crate::classify::{Exam, VisitAssessment, who_category};
use crate::document::Document;
use crate::vocabulary::{Classification, Population, Site};

/// The scanner's verdict of a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorVerdict {
    /// The worst WHO category the visit's documents state.
    pub classification: Classification,
    /// Why it differs from the visit's classification, when it does.
    pub differs: Option<Differs>,
}

/// A document's verdict as a WHO category (`Osteopenia`, `Low bone mass`, `Osteoporosis`,
/// `Normal`); None when it states none we recognise.
pub fn verdict_of(doc: &Document) -> Option<Classification> {
    let text = doc.scanner_classification.as_deref()?.to_ascii_lowercase();
    if text.contains("osteoporosis") {
        Some(Classification::Osteoporosis)
    } else if text.contains("osteopenia") || text.contains("low bone mass") {
        Some(Classification::Osteopenia)
    } else if text.contains("normal") {
        Some(Classification::Normal)
    } else {
        None
    }
}

fn severity(c: Classification) -> u8 {
    match c {
        Classification::Osteoporosis => 2,
        Classification::Osteopenia => 1,
        _ => 0,
    }
}

fn is_forearm(doc: &Document) -> bool {
    !doc.measurements.is_empty()
        && doc
            .measurements
            .iter()
            .all(|m| m.region.site() == Some(Site::Forearm))
}

/// The visit's verdict, and why it differs from `assessment`; `origins` gives each exam
/// row's member (as `visit::exam_of` does).
pub fn vendor_verdict(
    docs: &[Ingested],
    visit: &Visit,
    exam: &Exam,
    assessment: &VisitAssessment,
    origins: &[super::ExamRow],
) -> Option<VendorVerdict> {
    let kept: Vec<(usize, &Document)> = visit
        .members
        .iter()
        .enumerate()
        .filter(|(p, _)| visit.status[*p] == DocStatus::Used)
        .map(|(p, &i)| (p, &*docs[i].doc))
        .collect();
    let worst = |forearm: bool| {
        kept.iter()
            .filter(|(_, d)| is_forearm(d) == forearm)
            .filter_map(|(_, d)| verdict_of(d))
            .max_by_key(|c| severity(*c))
    };
    let classification = worst(false).or_else(|| worst(true))?;
    let ours = assessment.classification;
    if classification == ours {
        return Some(VendorVerdict {
            classification,
            differs: None,
        });
    }
    let basis_member = exam
        .measurements
        .iter()
        .zip(origins)
        .find(|(m, _)| {
            assessment
                .basis_site
                .as_deref()
                .is_some_and(|basis| crate::classify::is_site(m, basis))
        })
        .map(|(_, origin)| origin.member);
    let forearm_says_it = exam
        .measurements
        .iter()
        .zip(&assessment.rows)
        .any(|(m, row)| {
            m.region.site() == Some(Site::Forearm)
                && !row.used_for_diagnosis
                && m.t_score.is_some_and(|t| who_category(t) == classification)
        });
    let differs = if assessment.population != Population::AdultTScore {
        Differs::ZScorePopulation
    } else if ours == Classification::Indeterminate {
        Differs::NotClassified
    } else if basis_member.is_some_and(|m| verdict_of(&docs[visit.members[m]].doc).is_none()) {
        Differs::VisitScope
    } else if forearm_says_it {
        Differs::ForearmNotDiagnostic
    } else if assessment.classification_uniform_reference == Some(classification) {
        Differs::Reference
    } else {
        Differs::Unexplained
    };
    Some(VendorVerdict {
        classification,
        differs: Some(differs),
    })
}
