//! Findings about one document (documents.csv `flags`, and studies.csv's): what reading it
//! could not do, or did in a way a reader should know. Raised by `extract` and the
//! carriers; spelled by `output::flags` (docs/columns.md, "Findings about a document").

use serde::{Deserialize, Serialize};

use crate::bodycomp::BodyValue;
use crate::bodycomp::encore_flag::EncoreFlag;
use crate::decimal::Decimal;
use crate::flag::flag_enum;
use crate::vocabulary::Measure;

/// A FRAX value of a document (the XML and the tree can disagree on each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FraxValue {
    /// Major osteoporotic fracture.
    Major,
    /// Major osteoporotic fracture, with prior fracture.
    MajorPrior,
    /// Hip fracture.
    Hip,
    /// Hip fracture, with prior fracture.
    HipPrior,
}

flag_enum! {
    /// A finding about one document.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub enum DocFlag / DocFlagKind {
        /// No StudyDate, ContentDate or SeriesDate.
        StudyDateMissing,
        /// A report image without StudyDate: the results document's `Scan` date is used.
        StudyDateFromDocumentScan,
        /// A report image without StudyDate: the results document's `AnalDate` is used.
        StudyDateFromDocumentAnalysisDate,
        /// A GE SR's ImageComments XML could not be read, and why.
        ImageCommentsXmlUnreadable(String),
        /// A region's value given twice with different values: the measure, the site name.
        GivenTwice(Measure, String),
        /// The tree and the XML give a site different values: the site name, the measure.
        XmlDisagrees(String, Measure),
        /// The tree and the XML give different FRAX values.
        XmlDisagreesOnFrax(FraxValue),
        /// A FRAX item whose value cannot be read.
        FraxValueNotANumber,
        /// A study-level value (FRAX, TBS) with a unit not recognised: the measure, the
        /// value, the unit as shown.
        StudyValueUnitNotRecognised(Measure, Decimal, String),
        /// A study-level value with too many digits to convert: the measure, the value, the
        /// unit.
        StudyValueTooManyDigits(Measure, Decimal, String),
        /// An earlier exam's date whose day and month could be either.
        HistoryDateAmbiguous,
        /// A date order proved by the same document was used.
        HistoryDateOrderInferred,
        /// An earlier exam's date that is not a date.
        HistoryDateUnreadable,
        /// A Hologic results document that ends early.
        HologicDocumentCutShort,
        /// A Hologic results document with bytes that are not Latin-1 text.
        HologicDocumentNotLatin1,
        /// Cells longer than any report has, left out.
        HologicCellTooLong,
        /// Cells with an index beyond their table, left out.
        HologicIndexOutOfRange,
        /// More cells than any report has: the rest left out.
        HologicTooManyCells,
        /// A table without a type code.
        HologicTableWithoutType,
        /// A table whose type code no profile knows.
        HologicTableTypeUnknown(u32),
        /// A column whose type code no profile knows.
        HologicColumnTypeUnknown(u32),
        /// A row whose type code no profile knows.
        HologicRowTypeUnknown(u32),
        /// A row without a type code read by its label.
        HologicRowReadByLabel,
        /// A history table without a date column.
        HologicHistoryWithoutDates,
        /// A history table whose change unit is not stated.
        HologicChangeUnitUnknown,
        /// A height that is not a number, or in a unit not read.
        HologicHeightNotRead,
        /// A weight that is not a number, or in a unit not read.
        HologicWeightNotRead,
        /// A with-prior-fracture FRAX value written as a bound.
        FraxPriorFractureCensored,
        /// A Hologic whole-body table read by its labels (no public source gives its type
        /// codes).
        BodyCompositionReadByLabel,
        /// A column of a whole-body table that no rule names: left out.
        BodyCompositionColumnUnknown,
        /// A row of a whole-body table that no rule names: left out.
        BodyCompositionRowUnknown,
        /// A whole-body value in a unit not converted: left out.
        BodyCompositionUnitUnknown(BodyValue),
        /// A whole-body value that is not a number: left out.
        BodyCompositionValueUnreadable(BodyValue),
        /// Two whole-body tables give one value differently beyond their rounding: the
        /// first is kept.
        BodyCompositionGivenTwice(BodyValue),
        /// An indices table without a `Result` column: not read.
        BodyCompositionResultColumnMissing,
        /// A document without a device (a line of an enCORE export): joined to the visit
        /// of its patient and day, else a visit of its own (docs/columns.md, "Visits").
        DeviceUnknown,
        /// What reading an enCORE export found, in the file or in this document's line.
        Export(EncoreFlag),
    }
}
