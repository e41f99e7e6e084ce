//! A visit's body composition (`visit_body`): its documents' compositions, and the indices,
//! cut-offs and checks that studies.csv and visits_wide.csv write (docs/columns.md,
//! "body_composition.csv"; docs/clinical.md, "Body composition").

use std::borrow::Cow;

use crate::bodycomp::index::{Cohort, Patient, assess};
use crate::bodycomp::{BodyComposition, IndexKind};
use crate::document::Sex;
use crate::output::cell::Plain;
use crate::visit::{DocStatus, VisitBody, VisitRows};

/// The body composition of a visit: every document's that is not a copy, in path order, the
/// first document's values first; None when no document has one. Made once per visit (the
/// writers read it from `VisitRows::body`). A visit with one composition (nearly all)
/// borrows its document's: a copy of its hundred readings and labels cost about 3 500
/// instructions a visit (docs/performance.md, "The end of a run").
pub fn visit_body<'a>(view: &VisitRows<'a>) -> Option<VisitBody<'a>> {
    let mut composition: Option<Cow<'a, BodyComposition>> = None;
    for position in 0..view.visit.members.len() {
        if matches!(view.visit.status[position], DocStatus::DuplicateOf(_)) {
            continue;
        }
        let Some(comp) = &view.member(position).doc.body_composition else {
            continue;
        };
        match &mut composition {
            None => composition = Some(Cow::Borrowed(comp)),
            Some(held) => {
                // A value two documents give differently: the first is kept, and the
                // checks of the visit's numbers say what disagrees.
                let _ = held.to_mut().absorb(comp);
            }
        }
    }
    let composition = composition?;
    let exam = &view.assessed.exam;
    let patient = Patient {
        height_cm: view.first_with(|d| d.height_cm.is_some()).height_cm,
        weight_kg: view.first_with(|d| d.weight_kg.is_some()).weight_kg,
        cohort: match exam.patient_sex {
            Some(Sex::Male) => Some(Cohort::Men),
            Some(Sex::Female) => Some(Cohort::Women),
            _ => None,
        },
        age_years: view.assessed.assessment.age.map(|a| a.whole_years),
    };
    let assessment = assess(&composition, &patient);
    Some(VisitBody {
        composition,
        assessment,
    })
}

/// The columns of a visit's indices in studies.csv and visits_wide.csv, in order.
pub const INDEX_COLUMNS: [(&str, IndexKind); 8] = [
    ("total_fat_pct", IndexKind::TotalFatPct),
    ("fmi_kg_m2", IndexKind::Fmi),
    ("lmi_kg_m2", IndexKind::Lmi),
    ("almi_kg_m2", IndexKind::Almi),
    ("alm_bmi", IndexKind::AlmBmi),
    ("android_gynoid_ratio", IndexKind::AndroidGynoidRatio),
    ("vat_mass_g", IndexKind::VatMass),
    ("vat_volume_cm3", IndexKind::VatVolume),
];

/// The cells of `INDEX_COLUMNS` for a visit (empty without a body composition).
pub fn index_cells(body: Option<&VisitBody>) -> [Plain; 8] {
    INDEX_COLUMNS.map(|(_, kind)| {
        Plain(
            body.and_then(|b| b.assessment.get(kind)).map(|i| i.value),
            0,
        )
    })
}
