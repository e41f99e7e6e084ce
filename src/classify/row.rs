//! What the classification says about one measurement row.

use crate::decimal::Decimal;

/// What the classification says about one measurement row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowAssessment {
    /// Whether the row entered the classification.
    pub used_for_diagnosis: bool,
    /// Why not used, or a warning.
    pub notes: Vec<String>,
    /// Standardised BMD, mg/cm².
    pub sbmd_mg_cm2: Option<Decimal>,
    /// T-score recomputed on NHANES III (hip sites).
    pub t_score_nhanes: Option<Decimal>,
}
