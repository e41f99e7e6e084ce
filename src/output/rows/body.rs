//! body_composition.csv: one row per visit and region of a whole-body exam's composition,
//! in the order of studies.csv (each visit's first document in path order), then region
//! order; and the visit's indices, cut-offs and checks that studies.csv writes
//! (docs/columns.md, "body_composition.csv"; docs/clinical.md, "Body composition").

use super::joined;
pub use crate::bodycomp::index::VisitBody;
use crate::bodycomp::index::{Cohort, Patient, assess};
use crate::bodycomp::{BodyComposition, Field, IndexKind};
use crate::document::Sex;
use crate::output::cell::{DateCell, DocText, Plain, Text};
use crate::output::table::row_struct;
use crate::pseudonym::Vocabulary;
use crate::visit::{DocStatus, VisitRows};

row_struct! {
    /// body_composition.csv
    #[derive(Debug)]
    pub struct BodyCompositionRow<'a> {
        visit_id: Text<'a>,
        patient_id: Text<'a>,
        study_date: DateCell,
        region: &'static str,
        region_label: DocText<'a>,
        fat_g: Plain,
        lean_g: Plain,
        bmc_g: Plain,
        lean_bmc_g: Plain,
        total_mass_g: Plain,
        fat_pct: Plain,
        computed: &'static str,
        source: &'static str,
        unit: Text<'a>,
    }
}

/// The body composition of a visit: every document's that is not a copy, in path order, the
/// first document's values first; None when no document has one. Made once per visit (the
/// writers read it from `VisitRows::body`).
pub fn visit_body(view: &VisitRows<'_>) -> Option<VisitBody> {
    let mut composition: Option<BodyComposition> = None;
    for position in 0..view.visit.members.len() {
        if matches!(view.visit.status[position], DocStatus::DuplicateOf(_)) {
            continue;
        }
        let Some(comp) = &view.member(position).doc.body_composition else {
            continue;
        };
        match &mut composition {
            None => composition = Some(comp.clone()),
            Some(held) => {
                // A value two documents give differently: the first is kept, and the
                // checks of the visit's numbers say what disagrees.
                let _ = held.absorb(comp);
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

/// The unit combinations most rows write (a carrier's mass unit and `%`), joined: a row
/// of one of them borrows it rather than joining its units into a new `String`.
const COMMON_UNITS: [&str; 4] = ["g;%", "lbs;%", "g", "lbs"];

/// A row's units joined by `;`: the one unit as it is, a common combination borrowed.
fn units_text<'a>(units: &[&'a str]) -> Text<'a> {
    match units {
        [] => Text::from(""),
        [unit] => Text::from(*unit),
        _ => match COMMON_UNITS.iter().find(|common| joins(common, units)) {
            Some(common) => Text::from(*common),
            None => Text::from(joined(units.iter().copied(), ";")),
        },
    }
}

/// Whether `common` is `units` joined by `;` (as `common.split(';').eq(units)` says: a
/// common combination has one `;` for two units, so no unit of a match holds one), compared
/// byte by byte, not through `split`'s searcher per combination and row.
fn joins(common: &str, units: &[&str]) -> bool {
    let mut rest = common.as_bytes();
    for (at, unit) in units.iter().enumerate() {
        if at > 0 {
            match rest.split_first() {
                Some((b';', after)) => rest = after,
                _ => return false,
            }
        }
        match rest.strip_prefix(unit.as_bytes()) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// The rows of a visit's composition.
pub fn body_composition_rows<'a>(
    view: &'a VisitRows<'a>,
    body: &'a VisitBody,
) -> impl Iterator<Item = BodyCompositionRow<'a>> + 'a {
    let patient = view.patient();
    let date = view.date(view.visit.date);
    let source = body.composition.source.as_str();
    body.composition.regions.iter().map(move |region| {
        let lean_reported = region.value(Field::Lean);
        let lean = region.lean_without_bmc();
        let pct_reported = region.value(Field::FatPct);
        let pct = pct_reported.or_else(|| region.fat_pct_of_masses());
        let computed = match (
            lean.is_some() && lean_reported.is_none(),
            pct.is_some() && pct_reported.is_none(),
        ) {
            (true, true) => "lean_g;fat_pct",
            (true, false) => "lean_g",
            (false, true) => "fat_pct",
            (false, false) => "",
        };
        // The distinct units, at most one per field.
        let mut units = [""; Field::ALL.len()];
        let mut count = 0;
        for &field in Field::ALL {
            if let Some(reading) = region.get(field)
                && !reading.unit.is_empty()
                && !units[..count].contains(&&*reading.unit)
            {
                units[count] = &reading.unit;
                count += 1;
            }
        }
        BodyCompositionRow {
            visit_id: Text::from(view.visit_id),
            patient_id: Text(patient.clone()),
            study_date: DateCell(date),
            region: region.region.as_str(),
            region_label: DocText::new(view.ids, Vocabulary::RegionLabel, &region.label),
            fat_g: Plain(region.value(Field::Fat), 0),
            lean_g: Plain(lean, 0),
            bmc_g: Plain(region.value(Field::Bmc), 0),
            lean_bmc_g: Plain(region.value(Field::LeanBmc), 0),
            total_mass_g: Plain(region.value(Field::TotalMass), 0),
            fat_pct: Plain(pct, 0),
            computed,
            source,
            unit: units_text(&units[..count]),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_joined_as_written_common_ones_borrowed() {
        fn text<'a>(units: &[&'a str]) -> std::borrow::Cow<'a, str> {
            units_text(units).0
        }
        assert_eq!(text(&[]), "");
        assert_eq!(text(&["kg"]), "kg");
        assert!(matches!(
            text(&["lbs", "%"]),
            std::borrow::Cow::Borrowed("lbs;%")
        ));
        assert!(matches!(
            text(&["g", "%"]),
            std::borrow::Cow::Borrowed("g;%")
        ));
        // Not a common combination (or not in its order): joined.
        assert!(matches!(text(&["%", "g"]), std::borrow::Cow::Owned(ref t) if t == "%;g"));
        assert_eq!(text(&["kg", "%", "cm\u{b3}"]), "kg;%;cm\u{b3}");
        assert_eq!(text(&["g", "%", "lbs"]), "g;%;lbs");
        assert_eq!(text(&["g"]), "g");
    }

    /// `joins` says what `split(';')` compared to the units says, for two or three units
    /// among the written ones, the empty one, and ones holding a `;`.
    #[test]
    fn a_combination_joins_the_units_split_would_give() {
        let pieces = ["g", "%", "lbs", "", ";", "g;", ";%", "lbs;%", "l", "bs"];
        let mut next = crate::test_rng::splitmix(0x0B0D_7E57);
        let mut matched = 0;
        for _ in 0..20_000 {
            let units: Vec<&str> = (0..2 + next() % 2)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            for common in COMMON_UNITS {
                let split = common.split(';').eq(units.iter().copied());
                matched += usize::from(split);
                assert_eq!(joins(common, &units), split, "{common:?} {units:?}");
            }
        }
        assert!(matched > 100, "{matched}");
    }
}
