//! Findings about a visit as a whole (studies.csv `flags`): how its documents were grouped
//! and resolved. Indices point into the partition's documents; `output::flags` spells them
//! with the documents' UIDs (docs/columns.md, "Findings about the visit").

use super::part::Part;
use crate::flag::flag_enum;

flag_enum! {
    /// A finding about a visit.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum VisitFlag / VisitFlagKind {
        /// A document's PatientID differs from the visit's first document's.
        PatientIdDisagrees(usize),
        /// A document's PatientSex differs.
        SexDisagrees(usize),
        /// A document's PatientBirthDate differs.
        BirthDateDisagrees(usize),
        /// No document states a patient ID: the visit is never joined with another.
        PatientIdMissing,
        /// No document of the visit has a study date: it stands alone.
        DateUnknown,
        /// Documents of one study state different study dates.
        StudyDatesDiffer,
        /// Documents of one study come from more than one device.
        SeveralDevices,
        /// The same patient was scanned on another device the same day (a cross-calibration
        /// pair): two visits, scores never pooled. The index is that visit's first document.
        SameDayOtherDevice(usize),
        /// A part was analysed more than once and the order cannot be told.
        ReanalysisOrderUnknown(Part),
        /// No document of the visit carries results (only metadata documents arrived).
        NoResults,
        /// The visit's hips carry different FRAX values: the FRAX of `used` (the lower
        /// femoral neck; None: neither is lower, none used), not those of `others`.
        FraxHipsDiffer {
            /// The document whose FRAX the visit has.
            used: Option<usize>,
            /// The documents whose FRAX it has not.
            others: Vec<usize>,
        },
        /// Other people's visits that day on the device under the same patient ID (a
        /// constant or reused ID, e.g. `ANONYMOUS`: birth date or sex differ): kept apart.
        /// Their first documents, at most `SHARED_LISTED`, and how many more.
        PatientIdShared {
            /// The other visits' first documents.
            listed: Vec<usize>,
            /// Visits not listed.
            more: usize,
        },
        /// The visit's group (its study and its patient's other documents in the run)
        /// holds more documents than the visit step reads at once (this many): it was read
        /// in parts of this many, in path order, and the visit is one part's. Copies,
        /// re-analyses and visits across parts are not joined (docs/columns.md).
        ReadInParts(usize),
        /// The scanner's own verdict differs from the classification, and why (found when
        /// the visit is assessed: `Assessed::vendor`).
        VendorClassificationDiffers(Differs),
    }
}

/// Why the scanner's verdict differs from the visit's classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Differs {
    /// Our rules give Z-score wording.
    ZScorePopulation,
    /// Our classification is indeterminate.
    NotClassified,
    /// The deciding row's document has no verdict.
    VisitScope,
    /// A forearm region our rules do not use has the verdict's category.
    ForearmNotDiagnostic,
    /// The verdict is the uniform reference's category.
    Reference,
    /// None of the above.
    Unexplained,
}
