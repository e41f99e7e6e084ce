//! studies.csv: one row per visit, in the path order of each visit's first document.

use super::{age_one_decimal, joined};
use crate::bodycomp::IndexKind;
use crate::bodycomp::index::Basis;
use crate::document::Document;
use crate::output::cell::{DateCell, DocText, Plain, Text};
use crate::output::table::row_struct;
use crate::pseudonym::Vocabulary;
use crate::visit::Part;
use crate::visit::{KeyText, VisitRows};

row_struct! {
    /// studies.csv
    #[derive(Debug)]
    pub struct StudyRow<'a> {
        visit_id: KeyText<'a>,
        source_path: KeyText<'a>,
        sop_instance_uid: KeyText<'a>,
        study_instance_uid: Text<'a>,
        series_instance_uid: Text<'a>,
        accession_number: KeyText<'a>,
        documents: usize,
        patient_id: KeyText<'a>,
        patient_sex: &'static str,
        patient_age_years: Plain,
        study_date: DateCell,
        manufacturer: &'static str,
        manufacturer_raw: Text<'a>,
        model: Text<'a>,
        software_version: Text<'a>,
        device_serial: Text<'a>,
        institution: Text<'a>,
        reference_database: DocText<'a>,
        height_cm: Plain,
        weight_kg: Plain,
        ethnicity: DocText<'a>,
        menopause_age: Plain,
        population: &'static str,
        classification: &'static str,
        classification_uniform_reference: &'static str,
        vendor_classification: &'static str,
        basis_site: Text<'a>,
        basis_source_path: Text<'a>,
        min_t_score: Plain,
        min_z_score: Plain,
        frax_major_pct: Plain,
        frax_hip_pct: Plain,
        frax_major_censored: &'static str,
        frax_hip_censored: &'static str,
        frax_major_prior_fracture_pct: Plain,
        frax_hip_prior_fracture_pct: Plain,
        frax_not_reported: DocText<'a>,
        tbs: Plain,
        vertebral_fractures: Text<'a>,
        total_fat_pct: Plain,
        fmi_kg_m2: Plain,
        lmi_kg_m2: Plain,
        almi_kg_m2: Plain,
        alm_bmi: Plain,
        android_gynoid_ratio: Plain,
        vat_mass_g: Plain,
        vat_volume_cm3: Plain,
        body_composition_computed: Text<'a>,
        flags: Text<'a>,
        assumptions: Text<'a>,
    }
}

/// The studies.csv column of an index, for those it has.
fn index_column(kind: IndexKind) -> Option<&'static str> {
    super::body_visit::INDEX_COLUMNS
        .iter()
        .find(|(_, k)| *k == kind)
        .map(|(name, _)| *name)
}

/// The row of a visit.
pub fn study_row<'a>(view: &'a VisitRows<'a>) -> StudyRow<'a> {
    let first = view.first();
    let assessment = &view.assessed.assessment;
    let exam = &view.assessed.exam;
    let text = |pick: fn(&Document) -> &str| -> Text<'a> {
        Text::from(pick(view.first_with(|d| !pick(d).trim().is_empty())))
    };
    // The member whose FRAX the visit kept (a re-analysed FRAX: the newest).
    let kept = |part: Part| {
        (0..view.visit.members.len())
            .map(|p| (p, &view.member(p).doc))
            .find(|(p, d)| {
                crate::visit::carries(d, part) && view.visit.part_left_out(*p, part).is_none()
            })
            .map(|(_, d)| d)
    };
    let body = view.body;
    let index = |kind: IndexKind| body.and_then(|b| b.assessment.get(kind)).map(|i| i.value);
    // The computed indices' columns joined as they are found (no list of them first); one
    // (most visits' only computed index) borrowed, not a `String` made (`words`).
    let computed = super::documents::words(
        body.iter()
            .flat_map(|b| &b.assessment.indices)
            .filter(|i| i.basis == Basis::Computed)
            .filter_map(|i| index_column(i.kind)),
        ";",
    )
    .unwrap_or_default();
    let body_flags = body.map_or(&[][..], |b| &b.assessment.flags[..]);
    let frax = kept(Part::Frax);
    let vfa = kept(Part::Vfa);
    StudyRow {
        visit_id: view.keys.visit_id.borrowed(),
        source_path: view.keys.path.borrowed(),
        sop_instance_uid: view.keys.first_sop.borrowed(),
        study_instance_uid: Text(view.ids.uid(&first.study_instance_uid)),
        series_instance_uid: Text(view.ids.uid(&first.series_instance_uid)),
        accession_number: view.keys.accession.borrowed(),
        documents: view.visit.members.len(),
        patient_id: view.keys.patient.borrowed(),
        patient_sex: exam.patient_sex.map_or("", |s| s.as_str()),
        // One decimal as the float formats it (round half to even on the binary value),
        // then held exactly.
        patient_age_years: Plain(
            assessment
                .age
                .and_then(|a| age_one_decimal(view.ids.age_years(a.years))),
            1,
        ),
        study_date: DateCell(view.date(view.visit.date)),
        manufacturer: view
            .first_with(|d| d.manufacturer.is_some())
            .manufacturer
            .map_or("", |m| m.as_str()),
        manufacturer_raw: text(|d| &d.manufacturer_raw),
        model: text(|d| &d.model),
        software_version: text(|d| &d.software_version),
        device_serial: Text(
            view.ids.serial(
                &view
                    .first_with(|d| !d.device_serial.trim().is_empty())
                    .device_serial,
            ),
        ),
        institution: Text(
            view.ids.institution(
                &view
                    .first_with(|d| !d.institution.trim().is_empty())
                    .institution,
            ),
        ),
        reference_database: DocText::new(
            view.ids,
            Vocabulary::ReferenceDatabase,
            exam.reference_database.unwrap_or(""),
        ),
        height_cm: Plain(view.first_with(|d| d.height_cm.is_some()).height_cm, 0),
        weight_kg: Plain(view.first_with(|d| d.weight_kg.is_some()).weight_kg, 0),
        ethnicity: DocText::new(
            view.ids,
            Vocabulary::Ethnicity,
            view.first_with(|d| d.ethnicity.is_some())
                .ethnicity
                .as_deref()
                .unwrap_or(""),
        ),
        menopause_age: Plain(view.ids.age(exam.menopause_age), 0),
        population: assessment.population.as_str(),
        classification: assessment.classification.as_str(),
        classification_uniform_reference: assessment
            .classification_uniform_reference
            .map_or("", |c| c.as_str()),
        vendor_classification: view
            .assessed
            .vendor
            .map_or("", |v| v.classification.as_str()),
        basis_site: Text::from(assessment.basis_site.as_deref().unwrap_or("")),
        basis_source_path: Text(view.basis_source_path().unwrap_or_default()),
        // docs/columns.md: scores one decimal, as classified.
        min_t_score: Plain(assessment.min_t_score, 1),
        min_z_score: Plain(assessment.min_z_score, 1),
        frax_major_pct: Plain(exam.frax_major, 0),
        frax_hip_pct: Plain(exam.frax_hip, 0),
        frax_major_censored: frax
            .and_then(|d| d.frax_major_censored)
            .map_or("", |b| b.as_str()),
        frax_hip_censored: frax
            .and_then(|d| d.frax_hip_censored)
            .map_or("", |b| b.as_str()),
        frax_major_prior_fracture_pct: Plain(frax.and_then(|d| d.frax_major_prior), 0),
        frax_hip_prior_fracture_pct: Plain(frax.and_then(|d| d.frax_hip_prior), 0),
        frax_not_reported: DocText::new(
            view.ids,
            Vocabulary::FraxRemark,
            view.first_with(|d| d.frax_not_reported.is_some())
                .frax_not_reported
                .as_deref()
                .unwrap_or(""),
        ),
        tbs: Plain(exam.tbs, 0),
        vertebral_fractures: Text::from(vfa.map_or(String::new(), |d| {
            joined(
                d.vertebral_fractures
                    .iter()
                    .map(|f| {
                        format!(
                            "{}={}",
                            view.ids.free_text(Vocabulary::Vertebra, &f.vertebra),
                            view.ids.free_text(Vocabulary::FractureGrade, &f.grade)
                        )
                        .replace(';', ",")
                    })
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str),
                ";",
            )
        })),
        total_fat_pct: Plain(index(IndexKind::TotalFatPct), 0),
        fmi_kg_m2: Plain(index(IndexKind::Fmi), 0),
        lmi_kg_m2: Plain(index(IndexKind::Lmi), 0),
        almi_kg_m2: Plain(index(IndexKind::Almi), 0),
        alm_bmi: Plain(index(IndexKind::AlmBmi), 0),
        android_gynoid_ratio: Plain(index(IndexKind::AndroidGynoidRatio), 0),
        vat_mass_g: Plain(index(IndexKind::VatMass), 0),
        vat_volume_cm3: Plain(index(IndexKind::VatVolume), 0),
        body_composition_computed: Text::from(computed),
        flags: Text::from(crate::output::flags::study_cell(view, body_flags)),
        assumptions: Text::from(joined(
            assessment.assumptions.iter().map(String::as_str),
            ";",
        )),
    }
}
