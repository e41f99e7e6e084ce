//! Findings about a visit's classification (studies.csv `flags`): checks that never change
//! the category but tell a reader where to look, and why a visit could not be classified.
//! Spelled by `output::flags` (docs/columns.md, "Findings about the classification").

use crate::flag::flag_enum;

flag_enum! {
    /// A finding of the classification.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum AssessmentFlag / AssessmentFlagKind {
        /// An adult without a stated sex (F/M).
        PatientSexMissing,
        /// No age at the study date: `indeterminate`.
        AgeUnknown,
        /// A birth date after the study date.
        BirthDateAfterStudyDate,
        /// No spine, hip or applicable radius row: `indeterminate`.
        NoDiagnosticSite,
        /// No T-score at any diagnostic site (never substituted): `indeterminate`.
        NoTScoreAtDiagnosticSites,
        /// No Z-score at any diagnostic site (never substituted): `indeterminate`.
        NoZScoreAtDiagnosticSites,
        /// The lowest T is -2.6, -2.5 or -2.4.
        TNearOsteoporosisThreshold,
        /// Adjacent vertebrae differ by more than 1.0 T.
        SpineVertebraDiscordant,
        /// Vertebra rows, fewer than two with a value.
        SpineFewerThanTwoEvaluableVertebrae,
        /// An adult with Z <= -2.0 at a diagnostic site.
        ZScoreAtOrBelowMinus2,
        /// A hip T-score more than 0.5 from its NHANES III recomputation.
        TScoreReportedVsNhanesDiffers,
        /// Both total hips, T more than 1.0 apart.
        FemurLeftRightTDiffers,
        /// Osteopenia with FRAX above the treatment threshold.
        FraxAboveTreatmentThreshold,
        /// TBS >= 1.350.
        TbsNormal,
        /// TBS between 1.200 and 1.350.
        TbsPartiallyDegraded,
        /// TBS <= 1.200.
        TbsDegraded,
        /// The reference population the documents state, as written.
        ReferenceDatabase(String),
        /// A stated T reference that is not the ISCD uniform one.
        ReferenceDatabaseNonstandard,
        /// The category on the uniform reference differs from the classification.
        CategoryDiffersOnUniformReference,
    }
}
