//! What reading a GE enCORE export (`carrier::encore`) left out or found, for the file and
//! for each record: typed, as every stage's findings (src/flag.rs), here beside the body
//! composition so that a document can carry them; `output::flags` spells them
//! (docs/columns.md).

use serde::{Deserialize, Serialize};

use crate::bodycomp::BodyValue;
use crate::bodycomp::check::Check;
use crate::flag::flag_enum;
use crate::vocabulary::Measure;

flag_enum! {
    /// A finding about an export file or one of its records.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub enum EncoreFlag / EncoreFlagKind {
        /// A line longer than `MAX_LINE_CHARS`: left out (`encore_line_too_long`).
        LineTooLong,
        /// Rows beyond `MAX_ROWS`: left out (`encore_too_many_rows`).
        TooManyRows,
        /// A header written twice: the first read (`encore_column_duplicate`).
        ColumnDuplicate,
        /// A header no rule names: not read (`encore_column_unknown`).
        ColumnUnknown,
        /// The file's cells prove a decimal comma (`encore_decimal_comma`).
        DecimalComma,
        /// The file's cells say point and comma both: read with a point
        /// (`encore_decimal_mark_mixed`).
        DecimalMarkMixed,
        /// Bytes that are not text, replaced (`encore_text_damaged`).
        TextDamaged,
        /// A record without a patient ID (`patient_id_missing`).
        PatientIdMissing,
        /// A measure date whose day and month could be either, the file proving no order:
        /// left empty (`measure_date_ambiguous`).
        MeasureDateAmbiguous,
        /// A measure date read in the order the file's other dates prove
        /// (`measure_date_order_inferred`).
        MeasureDateOrderInferred,
        /// A measure date that is not a date (`measure_date_unreadable`).
        MeasureDateUnreadable,
        /// A line with fewer cells than the header (`encore_row_short`).
        RowShort,
        /// A line with more cells than the header: the rest not read (`encore_row_long`).
        RowLong,
        /// A value that is not a number (`encore_value_unreadable=<what>`).
        ValueUnreadable(BodyValue),
        /// A value in a unit not converted (`encore_unit_unknown=<what>`).
        UnitUnknown(BodyValue),
        /// Two columns give one value differently (`body_composition_given_twice=<what>`).
        ValueGivenTwice(BodyValue),
        /// Two columns give one BMD-file value differently: the measure, the site
        /// (`<measure>_given_twice=<site>`).
        BoneGivenTwice(Measure, String),
        /// The numbers disagree with themselves (`body_composition_inconsistent=diff`).
        Inconsistent(Check),
    }
}
