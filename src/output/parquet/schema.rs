//! The typed columns of every CSV file (docs/parquet.md): the names are the CSV header rows
//! (a test checks them against `output::rows` and `followup`), the types say how each cell
//! is read back.

use super::ColumnType::{Bool, Date, Float, Int, Text};
use super::{Column, col};

/// measurements.csv, typed.
pub const MEASUREMENTS: &[Column] = &[
    col("source_path", Text),
    col("sop_instance_uid", Text),
    col("patient_id", Text),
    col("study_date", Date),
    col("accession_number", Text),
    col("region", Text),
    col("laterality", Text),
    col("source_label", Text),
    col("bmd_g_cm2", Float),
    col("bmc_g", Float),
    col("area_cm2", Float),
    col("t_score", Float),
    col("z_score", Float),
    col("pct_young_adult", Float),
    col("pct_age_matched", Float),
    col("sbmd_mg_cm2", Float),
    col("t_score_nhanes", Float),
    col("used_for_diagnosis", Bool),
    col("note", Text),
];

/// studies.csv, typed.
pub const STUDIES: &[Column] = &[
    col("source_path", Text),
    col("sop_instance_uid", Text),
    col("study_instance_uid", Text),
    col("series_instance_uid", Text),
    col("documents", Int),
    col("patient_id", Text),
    col("patient_sex", Text),
    col("patient_age_years", Float),
    col("study_date", Date),
    col("manufacturer", Text),
    col("manufacturer_raw", Text),
    col("model", Text),
    col("software_version", Text),
    col("device_serial", Text),
    col("institution", Text),
    col("reference_database", Text),
    col("height_cm", Float),
    col("weight_kg", Float),
    col("ethnicity", Text),
    col("menopause_age", Float),
    col("population", Text),
    col("classification", Text),
    col("basis_site", Text),
    col("min_t_score", Float),
    col("min_z_score", Float),
    col("frax_major_pct", Float),
    col("frax_hip_pct", Float),
    col("frax_major_prior_fracture_pct", Float),
    col("frax_hip_prior_fracture_pct", Float),
    col("frax_not_reported", Text),
    col("tbs", Float),
    col("vertebral_fractures", Text),
    col("flags", Text),
    col("assumptions", Text),
];

/// files.csv, typed.
pub const FILES: &[Column] = &[
    col("source_path", Text),
    col("status", Text),
    col("reason", Text),
    col("message", Text),
];

/// documents.csv, typed.
pub const DOCUMENTS: &[Column] = &[
    col("source_path", Text),
    col("sop_instance_uid", Text),
    col("sop_class_uid", Text),
    col("study_instance_uid", Text),
    col("series_instance_uid", Text),
    col("patient_id", Text),
    col("study_date", Date),
    col("device_serial", Text),
    col("visit_sop_instance_uid", Text),
    col("carrier", Text),
    col("content", Text),
    col("status", Text),
    col("content_time", Text),
    col("document_title", Text),
    col("unmapped_items", Int),
    col("flags", Text),
];

/// history.csv, typed.
pub const HISTORY: &[Column] = &[
    col("patient_id", Text),
    col("study_date", Date),
    col("exam_date", Date),
    col("exam_date_as_written", Text),
    col("region", Text),
    col("laterality", Text),
    col("source_label", Text),
    col("bmd_g_cm2", Float),
    col("age_years", Float),
    col("t_score", Float),
    col("z_score", Float),
    col("change_vs_previous_g_cm2", Float),
    col("change_vs_previous_pct", Float),
    col("change_vs_baseline_g_cm2", Float),
    col("change_vs_baseline_pct", Float),
    col("source", Text),
    col("source_path", Text),
    col("sop_instance_uid", Text),
    col("note", Text),
];

/// followup.csv, typed.
pub const FOLLOWUP: &[Column] = &[
    col("patient_id", Text),
    col("region", Text),
    col("laterality", Text),
    col("sop_instance_uid", Text),
    col("prior_sop_instance_uid", Text),
    col("study_date", Date),
    col("prior_study_date", Date),
    col("baseline_study_date", Date),
    col("prior_source", Text),
    col("baseline_source", Text),
    col("bmd_g_cm2", Float),
    col("prior_bmd_g_cm2", Float),
    col("baseline_bmd_g_cm2", Float),
    col("change_g_cm2", Float),
    col("change_pct", Float),
    col("change_vs_baseline_g_cm2", Float),
    col("change_vs_baseline_pct", Float),
    col("lsc_g_cm2", Float),
    col("lsc_pct", Float),
    col("lsc_source", Text),
    col("vs_prior", Text),
    col("vs_baseline", Text),
    col("sbmd_mg_cm2", Float),
    col("prior_sbmd_mg_cm2", Float),
    col("sbmd_change_pct", Float),
    col("note", Text),
];
