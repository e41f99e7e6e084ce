//! body_followup.csv: one row per patient and later whole-body visit on the same device
//! (`followup::body::body_rows`), in the order of `followup::body::body_sort_key`
//! (docs/columns.md, "body_followup.csv").

use crate::followup::body::{BodyChange, BodyFollowupRow};
use crate::output::cell::{DateCell, Plain, Text};
use crate::output::table::row_struct;

row_struct! {
    /// body_followup.csv
    #[derive(Debug)]
    pub struct BodyFollowupLine<'a> {
        visit_id: Text<'a>,
        patient_id: Text<'a>,
        study_date: DateCell,
        prior_visit_id: Text<'a>,
        prior_study_date: DateCell,
        source: &'static str,
        device_serial: Text<'a>,
        total_fat_g: Plain,
        prior_total_fat_g: Plain,
        total_fat_change_g: Plain,
        total_fat_change_pct: Plain,
        total_lean_g: Plain,
        prior_total_lean_g: Plain,
        total_lean_change_g: Plain,
        total_lean_change_pct: Plain,
        almi_kg_m2: Plain,
        prior_almi_kg_m2: Plain,
        almi_change_kg_m2: Plain,
        total_fat_pct: Plain,
        prior_total_fat_pct: Plain,
        total_fat_pct_change_points: Plain,
    }
}

/// The line of a body composition follow-up row.
pub fn body_followup_line(row: &BodyFollowupRow) -> BodyFollowupLine<'_> {
    let cells = |c: &BodyChange| (Plain(c.value, 0), Plain(c.prior, 0), Plain(c.change, 0));
    let (fat, prior_fat, fat_change) = cells(&row.total_fat);
    let (lean, prior_lean, lean_change) = cells(&row.total_lean);
    let (almi, prior_almi, almi_change) = cells(&row.almi);
    let (pct, prior_pct, pct_change) = cells(&row.total_fat_pct);
    BodyFollowupLine {
        visit_id: Text::from(row.visit_id.as_str()),
        patient_id: Text::from(row.patient_id.as_str()),
        study_date: DateCell(row.study_date),
        prior_visit_id: Text::from(row.prior_visit_id.as_str()),
        prior_study_date: DateCell(row.prior_study_date),
        source: row.source.as_str(),
        device_serial: Text::from(row.device_serial.as_str()),
        total_fat_g: fat,
        prior_total_fat_g: prior_fat,
        total_fat_change_g: fat_change,
        total_fat_change_pct: Plain(row.total_fat.change_pct, 2),
        total_lean_g: lean,
        prior_total_lean_g: prior_lean,
        total_lean_change_g: lean_change,
        total_lean_change_pct: Plain(row.total_lean.change_pct, 2),
        almi_kg_m2: almi,
        prior_almi_kg_m2: prior_almi,
        almi_change_kg_m2: almi_change,
        total_fat_pct: pct,
        prior_total_fat_pct: prior_pct,
        total_fat_pct_change_points: pct_change,
    }
}
