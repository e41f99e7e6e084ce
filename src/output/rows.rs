//! One struct per CSV file, fields in the contract's column order (docs/columns.md). Empty
//! cell = value absent; numbers in plain decimal.

use serde::{Serialize, Serializer};

use crate::classify::StudyAssessment;
use crate::decimal::{Decimal, PLAIN_MAX};
use crate::document::Document;
use crate::error::FileError;

/// A number cell: plain decimal text with at least `.1` decimals, empty when absent.
/// Formatted on the stack as it is written (no `String` per cell).
#[derive(Debug, Clone, Copy)]
pub struct Plain(Option<Decimal>, u32);

fn plain(value: Option<Decimal>, min_decimals: u32) -> Plain {
    Plain(value, min_decimals)
}

impl Serialize for Plain {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(value) => serializer.serialize_str(value.write_plain(self.1, &mut [0; PLAIN_MAX])),
            None => serializer.serialize_str(""),
        }
    }
}

/// measurements.csv columns, in order (docs/columns.md); the header row is written from
/// these even when there are no rows.
pub const MEASUREMENT_COLUMNS: &[&str] = &[
    "source_path",
    "sop_instance_uid",
    "region",
    "laterality",
    "source_label",
    "bmd_g_cm2",
    "bmc_g",
    "area_cm2",
    "t_score",
    "z_score",
    "pct_young_adult",
    "pct_age_matched",
    "sbmd_mg_cm2",
    "t_score_nhanes",
    "used_for_diagnosis",
    "note",
];

/// studies.csv columns, in order.
pub const STUDY_COLUMNS: &[&str] = &[
    "source_path",
    "sop_instance_uid",
    "study_instance_uid",
    "series_instance_uid",
    "patient_id",
    "patient_sex",
    "patient_age_years",
    "study_date",
    "manufacturer",
    "manufacturer_raw",
    "model",
    "software_version",
    "device_serial",
    "institution",
    "reference_database",
    "population",
    "classification",
    "basis_site",
    "min_t_score",
    "min_z_score",
    "frax_major_pct",
    "frax_hip_pct",
    "tbs",
    "flags",
    "document_title",
    "unmapped_items",
];

/// files.csv columns, in order.
pub const FILE_COLUMNS: &[&str] = &["source_path", "status", "reason", "message"];

/// measurements.csv
#[derive(Debug, Serialize)]
pub struct MeasurementRow<'a> {
    source_path: &'a str,
    sop_instance_uid: &'a str,
    region: &'static str,
    laterality: &'static str,
    source_label: &'a str,
    bmd_g_cm2: Plain,
    bmc_g: Plain,
    area_cm2: Plain,
    t_score: Plain,
    z_score: Plain,
    pct_young_adult: Plain,
    pct_age_matched: Plain,
    sbmd_mg_cm2: Plain,
    t_score_nhanes: Plain,
    used_for_diagnosis: &'static str,
    note: String,
}

/// The measurements.csv rows of one document.
pub fn measurement_rows<'a>(
    source_path: &'a str,
    doc: &'a Document,
    assessment: &'a StudyAssessment,
) -> impl Iterator<Item = MeasurementRow<'a>> + 'a {
    doc.measurements
        .iter()
        .zip(&assessment.rows)
        .map(move |(m, row)| MeasurementRow {
            source_path,
            sop_instance_uid: &doc.sop_instance_uid,
            region: m.region.as_str(),
            laterality: m.laterality.as_str(),
            source_label: &m.source_label,
            // contract.md: BMD with 3+ decimals as given.
            bmd_g_cm2: plain(m.bmd, 3),
            bmc_g: plain(m.bmc, 0),
            area_cm2: plain(m.area, 0),
            t_score: plain(m.t_score, 0),
            z_score: plain(m.z_score, 0),
            pct_young_adult: plain(m.pct_young_adult, 0),
            pct_age_matched: plain(m.pct_age_matched, 0),
            sbmd_mg_cm2: plain(row.sbmd_mg_cm2, 0),
            t_score_nhanes: plain(row.t_score_nhanes, 2),
            used_for_diagnosis: if row.used_for_diagnosis {
                "true"
            } else {
                "false"
            },
            note: m
                .notes
                .iter()
                .chain(&row.notes)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("; "),
        })
}

/// studies.csv
#[derive(Debug, Serialize)]
pub struct StudyRow<'a> {
    source_path: &'a str,
    sop_instance_uid: &'a str,
    study_instance_uid: &'a str,
    series_instance_uid: &'a str,
    patient_id: &'a str,
    patient_sex: &'static str,
    patient_age_years: String,
    study_date: String,
    manufacturer: &'static str,
    manufacturer_raw: &'a str,
    model: &'a str,
    software_version: &'a str,
    device_serial: &'a str,
    institution: &'a str,
    reference_database: &'a str,
    population: &'static str,
    classification: &'static str,
    basis_site: &'a str,
    min_t_score: Plain,
    min_z_score: Plain,
    frax_major_pct: Plain,
    frax_hip_pct: Plain,
    tbs: Plain,
    flags: String,
    /// Added column: the SR's document title (root concept), to tell report types apart.
    document_title: &'a str,
    /// Added column: NUM items no profile recognised (`dxa-ingest inspect` shows them).
    unmapped_items: usize,
}

/// The studies.csv row of one document; `extra_flags` come from the batch (duplicates,
/// re-analyses) and follow the document's own.
pub fn study_row<'a>(
    source_path: &'a str,
    doc: &'a Document,
    assessment: &'a StudyAssessment,
    extra_flags: &[String],
) -> StudyRow<'a> {
    StudyRow {
        source_path,
        sop_instance_uid: &doc.sop_instance_uid,
        study_instance_uid: &doc.study_instance_uid,
        series_instance_uid: &doc.series_instance_uid,
        patient_id: &doc.patient_id,
        patient_sex: doc.patient_sex.map_or("", |s| s.as_str()),
        patient_age_years: assessment
            .age
            .map(|a| format!("{:.1}", a.years))
            .unwrap_or_default(),
        study_date: doc.study_date.map(|d| d.to_string()).unwrap_or_default(),
        manufacturer: doc.manufacturer.map_or("", |m| m.as_str()),
        manufacturer_raw: &doc.manufacturer_raw,
        model: &doc.model,
        software_version: &doc.software_version,
        device_serial: &doc.device_serial,
        institution: &doc.institution,
        reference_database: doc.reference_database.as_deref().unwrap_or(""),
        population: assessment.population.as_str(),
        classification: assessment.classification.as_str(),
        basis_site: assessment.basis_site.as_deref().unwrap_or(""),
        min_t_score: plain(assessment.min_t_score, 0),
        min_z_score: plain(assessment.min_z_score, 0),
        frax_major_pct: plain(doc.frax_major, 0),
        frax_hip_pct: plain(doc.frax_hip, 0),
        tbs: plain(doc.tbs, 0),
        flags: doc
            .flags
            .iter()
            .chain(&assessment.flags)
            .chain(extra_flags)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(";"),
        document_title: &doc.title,
        unmapped_items: doc.unmapped_items,
    }
}

/// files.csv
#[derive(Debug, Serialize)]
pub struct FileRow<'a> {
    source_path: &'a str,
    status: &'static str,
    reason: &'static str,
    message: &'a str,
}

/// The files.csv row of a file not ingested.
pub fn file_row<'a>(source_path: &'a str, error: &'a FileError) -> FileRow<'a> {
    FileRow {
        source_path,
        status: error.reason.status().as_str(),
        reason: error.reason.code(),
        message: &error.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{ClassifyOptions, classify_study};
    use crate::document::Measurement;
    use crate::error::Reason;
    use crate::vocabulary::{Laterality, Region};

    /// The serde field order and the header constants are the same list.
    fn header_of(row: impl Serialize) -> Vec<String> {
        let mut writer = csv::WriterBuilder::new()
            .has_headers(true)
            .from_writer(vec![]);
        writer.serialize(row).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        text.lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect()
    }

    #[test]
    fn headers_match_the_row_structs() {
        let mut doc = Document::default();
        doc.measurements.push(Measurement::new(
            Region::TotalHip,
            Laterality::Left,
            "Total",
        ));
        let assessment = classify_study(&doc, &ClassifyOptions::default());
        let row = measurement_rows("p", &doc, &assessment).next().unwrap();
        assert_eq!(header_of(row), MEASUREMENT_COLUMNS);
        assert_eq!(
            header_of(study_row("p", &doc, &assessment, &[])),
            STUDY_COLUMNS
        );
        let error = FileError::new(Reason::NotDicom, "x");
        assert_eq!(header_of(file_row("p", &error)), FILE_COLUMNS);
    }
}
