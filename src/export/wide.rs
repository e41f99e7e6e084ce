//! visits_wide.csv (docs/columns.md, "visits_wide.csv"): one row per visit, in studies.csv's
//! order, with the keys and classification of studies.csv, then each site's BMD, T- and
//! Z-score side by side (`<region>[_<side>]_{bmd,t,z}`), then FRAX and TBS: the row every
//! analysis starts from. The values are those of the rows the visit used (`visit::exam_of`:
//! never a superseded analysis or a copy), each site and side its first such row.

use super::VisitRows;
use crate::decimal::Decimal;
use crate::output::cell::{DateCell, Plain, Text};
use crate::output::rows::age_one_decimal;
use crate::output::table::{Cell, Column, ColumnType, Row, ToCell, end_csv_line};
use crate::visit::KeyText;
use crate::vocabulary::{Laterality, Region};

/// The sites of the wide row, in column order, with their column prefix.
pub const SITES: [(Region, Laterality, &str); 8] = [
    (Region::SpineL1L4, Laterality::None, "spine_L1-L4"),
    (Region::SpineL2L4, Laterality::None, "spine_L2-L4"),
    (Region::FemoralNeck, Laterality::Left, "femoral_neck_left"),
    (Region::FemoralNeck, Laterality::Right, "femoral_neck_right"),
    (Region::TotalHip, Laterality::Left, "total_hip_left"),
    (Region::TotalHip, Laterality::Right, "total_hip_right"),
    (Region::Radius33, Laterality::Left, "radius_33_left"),
    (Region::Radius33, Laterality::Right, "radius_33_right"),
];

const fn col(name: &'static str, kind: ColumnType) -> Column {
    Column { name, kind }
}

/// visits_wide.csv's columns, typed (the header row, and the Parquet copy's schema: every
/// column has its type whether or not any row has a value). Not a `row_struct!`: the site
/// columns are named after the regions (`spine_L1-L4_bmd`), which no field name can be.
const WIDE: &[Column] = {
    use ColumnType::{Date, Float, Text};
    &[
        col("visit_id", Text),
        col("patient_id", Text),
        col("study_date", Date),
        col("patient_sex", Text),
        col("patient_age_years", Float),
        col("manufacturer", Text),
        col("model", Text),
        col("device_serial", Text),
        col("study_instance_uid", Text),
        col("accession_number", Text),
        col("population", Text),
        col("classification", Text),
        col("classification_uniform_reference", Text),
        col("vendor_classification", Text),
        col("basis_site", Text),
        col("min_t_score", Float),
        col("min_z_score", Float),
        col("spine_L1-L4_bmd", Float),
        col("spine_L1-L4_t", Float),
        col("spine_L1-L4_z", Float),
        col("spine_L2-L4_bmd", Float),
        col("spine_L2-L4_t", Float),
        col("spine_L2-L4_z", Float),
        col("femoral_neck_left_bmd", Float),
        col("femoral_neck_left_t", Float),
        col("femoral_neck_left_z", Float),
        col("femoral_neck_right_bmd", Float),
        col("femoral_neck_right_t", Float),
        col("femoral_neck_right_z", Float),
        col("total_hip_left_bmd", Float),
        col("total_hip_left_t", Float),
        col("total_hip_left_z", Float),
        col("total_hip_right_bmd", Float),
        col("total_hip_right_t", Float),
        col("total_hip_right_z", Float),
        col("radius_33_left_bmd", Float),
        col("radius_33_left_t", Float),
        col("radius_33_left_z", Float),
        col("radius_33_right_bmd", Float),
        col("radius_33_right_t", Float),
        col("radius_33_right_z", Float),
        col("frax_major_pct", Float),
        col("frax_hip_pct", Float),
        col("tbs", Float),
        col("total_fat_pct", Float),
        col("fmi_kg_m2", Float),
        col("lmi_kg_m2", Float),
        col("almi_kg_m2", Float),
        col("alm_bmi", Float),
        col("android_gynoid_ratio", Float),
        col("vat_mass_g", Float),
        col("vat_volume_cm3", Float),
    ]
};

/// One site's BMD, T and Z cells.
type SiteCells = [Plain; 3];

/// A row of visits_wide.csv, fields in column order.
#[derive(Debug)]
pub struct WideRow<'a> {
    visit_id: KeyText<'a>,
    patient_id: KeyText<'a>,
    study_date: DateCell,
    patient_sex: &'static str,
    patient_age_years: Plain,
    manufacturer: &'static str,
    model: Text<'a>,
    device_serial: Text<'a>,
    study_instance_uid: Text<'a>,
    accession_number: KeyText<'a>,
    population: &'static str,
    classification: &'static str,
    classification_uniform_reference: &'static str,
    vendor_classification: &'static str,
    basis_site: Text<'a>,
    min_t_score: Plain,
    min_z_score: Plain,
    sites: [SiteCells; 8],
    frax_major_pct: Plain,
    frax_hip_pct: Plain,
    tbs: Plain,
    /// The body composition indices (`output::rows::INDEX_COLUMNS`).
    body: [Plain; 8],
}

/// Calls `$each!(&field)` on each field of a `WideRow` in column order (one list for the
/// cells and for the CSV line).
macro_rules! wide_fields {
    ($row:ident, $each:ident) => {
        $each!(&$row.visit_id);
        $each!(&$row.patient_id);
        $each!(&$row.study_date);
        $each!(&$row.patient_sex);
        $each!(&$row.patient_age_years);
        $each!(&$row.manufacturer);
        $each!(&$row.model);
        $each!(&$row.device_serial);
        $each!(&$row.study_instance_uid);
        $each!(&$row.accession_number);
        $each!(&$row.population);
        $each!(&$row.classification);
        $each!(&$row.classification_uniform_reference);
        $each!(&$row.vendor_classification);
        $each!(&$row.basis_site);
        $each!(&$row.min_t_score);
        $each!(&$row.min_z_score);
        for site in &$row.sites {
            for value in site {
                $each!(value);
            }
        }
        $each!(&$row.frax_major_pct);
        $each!(&$row.frax_hip_pct);
        $each!(&$row.tbs);
        for value in &$row.body {
            $each!(value);
        }
    };
}

impl Row for WideRow<'_> {
    const COLUMNS: &'static [Column] = WIDE;

    fn cells(&self, cell: &mut dyn FnMut(Cell<'_>)) {
        macro_rules! give {
            ($field:expr) => {
                cell(ToCell::cell($field))
            };
        }
        wide_fields!(self, give);
    }

    /// Each field straight from its cell type, as `row_struct!` rows do.
    fn append_csv(&self, out: &mut Vec<u8>) {
        let start = out.len();
        macro_rules! append {
            ($field:expr) => {
                ToCell::append_csv($field, out);
                out.push(b',');
            };
        }
        wide_fields!(self, append);
        end_csv_line(out, start);
    }
}

/// The BMD, T and Z of one site among the rows the visit used: its first row.
fn site_values(view: &VisitRows<'_>, region: Region, side: Laterality) -> [Option<Decimal>; 3] {
    view.assessed
        .exam
        .measurements
        .iter()
        .find(|m| m.region == region && m.laterality == side)
        .map_or([None; 3], |m| [m.bmd, m.t_score, m.z_score])
}

/// The wide row of a visit.
pub fn wide_row<'a>(view: &'a VisitRows<'a>) -> WideRow<'a> {
    let first = view.first();
    let assessment = &view.assessed.assessment;
    let exam = &view.assessed.exam;
    // A visit without rows the classifier used (a body composition visit) has no site
    // values: not looked for eight times.
    let sites = if exam.measurements.is_empty() {
        [[Plain(None, 0); 3]; 8]
    } else {
        SITES.map(|(region, side, _)| {
            let [bmd, t, z] = site_values(view, region, side);
            [Plain(bmd, 0), Plain(t, 0), Plain(z, 0)]
        })
    };
    WideRow {
        visit_id: view.keys.visit_id.borrowed(),
        patient_id: view.keys.patient.borrowed(),
        study_date: DateCell(view.date(view.visit.date)),
        patient_sex: exam.patient_sex.map_or("", |s| s.as_str()),
        // One decimal as studies.csv writes it.
        patient_age_years: Plain(
            assessment
                .age
                .and_then(|a| age_one_decimal(view.ids.age_years(a.years))),
            1,
        ),
        manufacturer: view
            .first_with(|d| d.manufacturer.is_some())
            .manufacturer
            .map_or("", |m| m.as_str()),
        model: Text::from(
            view.first_with(|d| !d.model.trim().is_empty())
                .model
                .as_str(),
        ),
        device_serial: Text(
            view.ids.serial(
                &view
                    .first_with(|d| !d.device_serial.trim().is_empty())
                    .device_serial,
            ),
        ),
        study_instance_uid: Text(view.ids.uid(&first.study_instance_uid)),
        accession_number: view.keys.accession.borrowed(),
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
        min_t_score: Plain(assessment.min_t_score, 1),
        min_z_score: Plain(assessment.min_z_score, 1),
        sites,
        frax_major_pct: Plain(exam.frax_major, 0),
        frax_hip_pct: Plain(exam.frax_hip, 0),
        tbs: Plain(exam.tbs, 0),
        body: crate::output::rows::index_cells(view.body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_columns_follow_the_sites() {
        let names = crate::output::table::names(WIDE);
        let at = names.iter().position(|n| *n == "spine_L1-L4_bmd").unwrap();
        for (i, (_, _, prefix)) in SITES.iter().enumerate() {
            for (j, suffix) in ["bmd", "t", "z"].iter().enumerate() {
                assert_eq!(names[at + 3 * i + j], format!("{prefix}_{suffix}"));
            }
        }
        assert_eq!(
            names[at + 24..at + 27],
            ["frax_major_pct", "frax_hip_pct", "tbs"]
        );
        let body: Vec<&str> = crate::output::rows::INDEX_COLUMNS
            .iter()
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(
            names[at + 27..],
            body[..],
            "the body composition indices last"
        );
        // Every cell a row gives is of its column's type, in order.
        let kinds: Vec<ColumnType> = WIDE.iter().map(|c| c.kind).collect();
        let given = [
            Text::from("V1").cell().kind(),
            Plain(None, 0).cell().kind(),
            DateCell(None).cell().kind(),
        ];
        assert_eq!(kinds[0], given[0]);
        assert_eq!(kinds[at], given[1]);
        assert_eq!(kinds[2], given[2]);
        assert_eq!(names[0], "visit_id");
    }
}
