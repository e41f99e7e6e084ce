//! measurements.csv: one row per region measurement of every ingested document, in path
//! order, then region order; rows of documents left out of their visit are kept, with
//! `used_for_diagnosis=false` and why.

use super::joined;
use crate::output::cell::{DateCell, DocText, Plain, Text};
use crate::output::table::row_struct;
use crate::pseudonym::Vocabulary;
use crate::visit::LeftOut;
use crate::visit::VisitRows;

row_struct! {
    /// measurements.csv
    #[derive(Debug)]
    pub struct MeasurementRow<'a> {
        visit_id: Text<'a>,
        source_path: Text<'a>,
        sop_instance_uid: Text<'a>,
        patient_id: Text<'a>,
        study_date: DateCell,
        accession_number: Text<'a>,
        region: &'static str,
        laterality: &'static str,
        source_label: DocText<'a>,
        bmd_g_cm2: Plain,
        bmc_g: Plain,
        area_cm2: Plain,
        t_score: Plain,
        z_score: Plain,
        pct_young_adult: Plain,
        pct_age_matched: Plain,
        sbmd_mg_cm2: Plain,
        t_score_nhanes: Plain,
        used_for_diagnosis: bool,
        note: Text<'a>,
    }
}

/// The rows of the visit member at `position`.
pub fn measurement_rows<'a>(
    view: &'a VisitRows<'a>,
    position: usize,
) -> impl Iterator<Item = MeasurementRow<'a>> + 'a {
    let member = view.member(position);
    let doc = &member.doc;
    let path = view.ids.path(&member.path);
    let sop = view.ids.uid(member.sop_instance_uid());
    let patient = view.patient();
    let date = view.date(view.visit.date);
    doc.measurements
        .iter()
        .zip(&view.assessed.rows[position])
        .map(move |(m, row)| {
            let left_out = row.left_out.map(|why| left_out_note(view, why));
            let note = joined(
                m.notes
                    .iter()
                    .chain(&row.assessment.notes)
                    .map(String::as_str)
                    .chain(left_out.as_deref()),
                "; ",
            );
            MeasurementRow {
                visit_id: Text::from(view.visit_id),
                source_path: Text(path.clone()),
                sop_instance_uid: Text(sop.clone()),
                patient_id: Text(patient.clone()),
                study_date: DateCell(date),
                accession_number: Text(view.ids.accession(&doc.accession_number)),
                region: m.region.as_str(),
                laterality: m.laterality.as_str(),
                source_label: DocText::new(view.ids, Vocabulary::RegionLabel, &m.source_label),
                // docs/columns.md: BMD with 3+ decimals as given.
                bmd_g_cm2: Plain(m.bmd, 3),
                bmc_g: Plain(m.bmc, 0),
                area_cm2: Plain(m.area, 0),
                t_score: Plain(m.t_score, 0),
                z_score: Plain(m.z_score, 0),
                pct_young_adult: Plain(m.pct_young_adult, 0),
                pct_age_matched: Plain(m.pct_age_matched, 0),
                sbmd_mg_cm2: Plain(row.assessment.sbmd_mg_cm2, 0),
                t_score_nhanes: Plain(row.assessment.t_score_nhanes, 2),
                used_for_diagnosis: row.assessment.used_for_diagnosis,
                note: Text::from(view.ids.message(&note).into_owned()),
            }
        })
}

/// Why a row is left out, as its note.
fn left_out_note(view: &VisitRows<'_>, why: LeftOut) -> String {
    match why {
        LeftOut::SupersededBy(doc) => format!("superseded_by={}", view.sop(doc)),
        LeftOut::DuplicateOf(doc) => format!("duplicate_of={}", view.sop(doc)),
        LeftOut::OrderUnknown => {
            "re-analysed in an order that cannot be told: not used".to_string()
        }
        LeftOut::SameAs(doc) => format!("same_values_as={}", view.sop(doc)),
        LeftOut::FraxOfOtherHip(doc) => format!("frax_of_other_hip_used={}", view.sop(doc)),
        LeftOut::FraxHipUndecided => {
            "the hips' FRAX differ and neither femoral neck is lower: not used".to_string()
        }
    }
}
