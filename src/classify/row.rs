//! What the classification says about one measurement row.

use std::borrow::Cow;

use crate::decimal::Decimal;

/// A row's note: most are fixed texts (`total body: not a diagnostic site in adults`),
/// borrowed, not a `String` made and freed per row (docs/performance.md, "The end of a
/// run").
pub type Note = Cow<'static, str>;

/// What the classification says about one measurement row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowAssessment {
    /// Whether the row entered the classification.
    pub used_for_diagnosis: bool,
    /// Why not used, or a warning.
    pub notes: Vec<Note>,
    /// Standardised BMD, mg/cm².
    pub sbmd_mg_cm2: Option<Decimal>,
    /// T-score recomputed on NHANES III (hip sites).
    pub t_score_nhanes: Option<Decimal>,
}
