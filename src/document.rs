//! What one ingested SR yields: identity, patient, device, study-level values and one
//! `Measurement` per region and side. Built by `extract`, read by `classify` and `output`.

use serde::{Deserialize, Serialize};

use crate::bodycomp::BodyComposition;
use crate::date::{Date, Timestamp};
use crate::decimal::Decimal;
use crate::vocabulary::Calibration;
use crate::vocabulary::{Laterality, Manufacturer, Region};

/// PatientSex (0010,0040).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// F.
    Female,
    /// M.
    Male,
    /// O.
    Other,
}

impl Sex {
    /// From CS text; anything but F, M, O is "not stated".
    pub fn parse(text: &str) -> Option<Sex> {
        match text.trim().to_ascii_uppercase().as_str() {
            "F" => Some(Sex::Female),
            "M" => Some(Sex::Male),
            "O" => Some(Sex::Other),
            _ => None,
        }
    }

    /// The studies.csv value.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Other => "O",
        }
    }
}

/// PatientAge (0010,1010) `nnnD|W|M|Y`, in years as a decimal.
pub fn parse_age_string(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.len() != 4 {
        return None;
    }
    let (number, unit) = text.split_at(3);
    let n: f64 = f64::from(number.parse::<u16>().ok()?);
    // Units per PS3.5 Table 6.2-1 (AS).
    let years = match unit {
        "Y" | "y" => n,
        "M" | "m" => n / 12.0,
        "W" | "w" => n * 7.0 / 365.25,
        "D" | "d" => n / 365.25,
        _ => return None,
    };
    Some(years)
}

/// The values of one region and side. Values are in the contract's units (BMD g/cm²).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    /// Canonical region.
    pub region: Region,
    /// Side.
    pub laterality: Laterality,
    /// The region label as the scanner wrote it.
    pub source_label: String,
    /// BMD, g/cm².
    pub bmd: Option<Decimal>,
    /// BMC, g.
    pub bmc: Option<Decimal>,
    /// Area, cm².
    pub area: Option<Decimal>,
    /// T-score as reported.
    pub t_score: Option<Decimal>,
    /// Z-score as reported.
    pub z_score: Option<Decimal>,
    /// % young adult (peak reference).
    pub pct_young_adult: Option<Decimal>,
    /// % age matched.
    pub pct_age_matched: Option<Decimal>,
    /// Warnings from reading the values (unit not recognised, value given twice).
    pub notes: Vec<String>,
}

impl Measurement {
    /// The seven measured values, in the order their fields are declared (the order the
    /// partitions' encoding writes them in, `store::codec`).
    pub fn values(&self) -> [Option<Decimal>; 7] {
        [
            self.bmd,
            self.bmc,
            self.area,
            self.t_score,
            self.z_score,
            self.pct_young_adult,
            self.pct_age_matched,
        ]
    }

    /// An empty row for a region and side.
    pub fn new(region: Region, laterality: Laterality, source_label: &str) -> Self {
        Measurement {
            region,
            laterality,
            source_label: source_label.to_string(),
            bmd: None,
            bmc: None,
            area: None,
            t_score: None,
            z_score: None,
            pct_young_adult: None,
            pct_age_matched: None,
            notes: Vec::new(),
        }
    }

    /// `region/laterality`, or `region` alone without a side (docs/columns.md `basis_site`).
    pub fn site_name(&self) -> String {
        match self.laterality {
            Laterality::None => self.region.as_str().to_string(),
            side => format!("{}/{}", self.region, side),
        }
    }
}

/// One ingested SR document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Document {
    /// (0008,0018).
    pub sop_instance_uid: String,
    /// (0020,000D).
    pub study_instance_uid: String,
    /// (0020,000E).
    pub series_instance_uid: String,
    /// (0008,0016).
    pub sop_class_uid: String,
    /// (0010,0020).
    pub patient_id: String,
    /// (0010,0040).
    pub patient_sex: Option<Sex>,
    /// (0010,0030).
    pub birth_date: Option<Date>,
    /// (0010,1010) as written.
    pub patient_age: Option<String>,
    /// (0008,0020), else the content or series date.
    pub study_date: Option<Date>,
    /// (0008,0023) + (0008,0033): when the report was made; a re-analysis is newer.
    pub content_time: Option<Timestamp>,
    /// (0008,0050).
    pub accession_number: String,
    /// Normalised manufacturer.
    pub manufacturer: Option<Manufacturer>,
    /// (0008,0070).
    pub manufacturer_raw: String,
    /// The scanner family whose sBMD equations apply (from the profiles).
    pub calibration: Option<Calibration>,
    /// (0008,1090).
    pub model: String,
    /// (0018,1020).
    pub software_version: String,
    /// (0018,1000).
    pub device_serial: String,
    /// (0008,0080).
    pub institution: String,
    /// The document title (root concept meaning).
    pub title: String,
    /// The scanner's reference population, when the SR states it.
    pub reference_database: Option<String>,
    /// FRAX major osteoporotic fracture probability, %.
    pub frax_major: Option<Decimal>,
    /// FRAX hip fracture probability, %.
    pub frax_hip: Option<Decimal>,
    /// Trabecular bone score.
    pub tbs: Option<Decimal>,
    /// One row per region and side, in region order.
    pub measurements: Vec<Measurement>,
    /// NUM items no profile rule recognised (`inspect` shows them).
    pub unmapped_items: usize,
    /// Findings about the document (documents.csv and studies.csv `flags`).
    pub flags: Vec<DocFlag>,
    /// Where the values came from, in the order they were read (documents.csv `carrier`).
    pub carriers: Vec<Carrier>,
    /// FRAX major osteoporotic, with prior fracture (Hologic's second FRAX column), %.
    pub frax_major_prior: Option<Decimal>,
    /// FRAX hip, with prior fracture, %.
    pub frax_hip_prior: Option<Decimal>,
    /// Why the scanner did not report FRAX ("FRAX not reported because ..."), as written.
    pub frax_not_reported: Option<String>,
    /// Vertebral fracture assessment: one entry per vertebra graded.
    pub vertebral_fractures: Vec<VertebralFracture>,
    /// Earlier exams as the scanner reported them (history.csv): never current values.
    pub history: Vec<HistoryEntry>,
    /// Age at menopause, years (Hologic PatientInfo `MenopauseAge`): decides menopausal status.
    pub menopause_age: Option<Decimal>,
    /// Height, cm.
    pub height_cm: Option<Decimal>,
    /// Weight, kg.
    pub weight_kg: Option<Decimal>,
    /// Ethnicity as the scanner recorded it.
    pub ethnicity: Option<String>,
    /// The scanner's own WHO classification text (a GE FRAX container's TEXT item, a Hologic
    /// `FractureRiskStr`), as written: shown, never used to classify.
    pub scanner_classification: Option<String>,
    /// The population the T-scores are referred to, when the document states it apart
    /// (Hologic `GraphTitle2`): what the classifier checks against the ISCD uniform one.
    pub t_reference: Option<ScoreReference>,
    /// The femoral neck T-score on the uniform reference that FRAX used, as the document
    /// states it (Hologic FRAX inputs `T-score(WHO)=-2.6`).
    pub frax_neck_t_uniform: Option<Decimal>,
    /// FRAX major written as a bound (`< 1.0%`): the value is the bound.
    pub frax_major_censored: Option<Bound>,
    /// FRAX hip written as a bound.
    pub frax_hip_censored: Option<Bound>,
    /// The body composition of a whole-body exam (Hologic's whole-body tables).
    pub body_composition: Option<BodyComposition>,
}

/// A reference population as a document names it (`T-score vs. White Female.
/// Source:NHANES`): who, and whose data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreReference {
    /// Race and sex as written ("Hispanic Female", "White Male").
    pub population: String,
    /// The data source as written ("NHANES", "2012 BMDCS/NHANES"); empty when not stated.
    pub source: String,
}

/// A value written as a bound rather than a number (`< 1.0%`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bound {
    /// `<`: the value is below the number written.
    Below,
    /// `>`: above it.
    Above,
}

impl Bound {
    /// The studies.csv value: `<` or `>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bound::Below => "<",
            Bound::Above => ">",
        }
    }
}

/// A carrier of results: where in a file the values were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Carrier {
    /// The SR content tree.
    SrTree,
    /// The XML copy in ImageComments (0020,4000) of a GE SR.
    GeImageCommentsXml,
    /// The text results document in a private element of a Hologic report image.
    HologicResultsDocument,
    /// A line of a GE enCORE export file (docs/profiles.md, "Body composition").
    EncoreExport,
}

impl Carrier {
    /// Every carrier, in the order declared (their variant indices: the run's store reads
    /// a carrier by its index, `store::codec::document`).
    pub const ALL: &[Carrier] = &[
        Carrier::SrTree,
        Carrier::GeImageCommentsXml,
        Carrier::HologicResultsDocument,
        Carrier::EncoreExport,
    ];

    /// The documents.csv value.
    pub fn as_str(self) -> &'static str {
        match self {
            Carrier::SrTree => "sr_tree",
            Carrier::GeImageCommentsXml => "ge_image_comments_xml",
            Carrier::HologicResultsDocument => "hologic_results_document",
            Carrier::EncoreExport => "encore_export",
        }
    }
}

/// One vertebra's fracture grade from a vertebral fracture assessment (LVA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VertebralFracture {
    /// The vertebra as labelled ("T12", "L1").
    pub vertebra: String,
    /// The grade as reported ("None", "Grade 1", ...).
    pub grade: String,
}

mod flag;
mod history;
mod rows;

pub use flag::{DocFlag, DocFlagKind, FraxValue};
pub use history::{HistoryEntry, HistorySource, Marked};
pub use rows::{RowTable, set_value};

#[cfg(test)]
mod tests;

/// A document with these UIDs and patient ID and nothing else, for the tests of the stages
/// that route documents by them (the ledger, the pieces).
#[cfg(test)]
pub fn with_ids(sop: &str, study: &str, patient: &str) -> Document {
    Document {
        sop_instance_uid: sop.into(),
        study_instance_uid: study.into(),
        patient_id: patient.into(),
        ..Document::default()
    }
}
