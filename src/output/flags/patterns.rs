//! The patterns of every kind of flag: how each is spelled, with a `<...>` for each value
//! it carries (the one place, `super` fills them; docs/columns.md lists the same patterns,
//! which a test holds together).

use crate::bodycomp::index::BodyFlagKind;
use crate::carrier::encore::EncoreFlagKind;
use crate::classify::AssessmentFlagKind;
use crate::document::DocFlagKind;
use crate::visit::VisitFlagKind;

/// The patterns of a document flag.
pub fn doc_patterns(kind: DocFlagKind) -> &'static [&'static str] {
    use DocFlagKind as K;
    match kind {
        K::StudyDateMissing => &["study_date_missing"],
        K::StudyDateFromDocumentScan => &["study_date_from_document_scan"],
        K::StudyDateFromDocumentAnalysisDate => &["study_date_from_document_analysis_date"],
        K::ImageCommentsXmlUnreadable => &["image_comments_xml_unreadable=<why>"],
        K::GivenTwice => &["<measure>_given_twice=<site>"],
        K::XmlDisagrees => &["xml_disagrees=<site>:<measure>"],
        K::XmlDisagreesOnFrax => &["xml_disagrees=<frax value>"],
        K::FraxValueNotANumber => &["frax_value_not_a_number"],
        K::StudyValueUnitNotRecognised => {
            &["<measure>_<value>_left_out:_unit_<unit>_not_recognised"]
        }
        K::StudyValueTooManyDigits => &["<measure>_<value>_<unit>:_too_many_digits_to_convert"],
        K::HistoryDateAmbiguous => &["history_date_ambiguous"],
        K::HistoryDateOrderInferred => &["history_date_order_inferred"],
        K::HistoryDateUnreadable => &["history_date_unreadable"],
        K::HologicDocumentCutShort => &["hologic_document_cut_short"],
        K::HologicDocumentNotLatin1 => &["hologic_document_not_latin1"],
        K::HologicCellTooLong => &["hologic_cell_too_long"],
        K::HologicIndexOutOfRange => &["hologic_index_out_of_range"],
        K::HologicTooManyCells => &["hologic_too_many_cells"],
        K::HologicTableWithoutType => &["hologic_table_without_type"],
        K::HologicTableTypeUnknown => &["hologic_table_type_unknown=<n>"],
        K::HologicColumnTypeUnknown => &["hologic_column_type_unknown=<n>"],
        K::HologicRowTypeUnknown => &["hologic_row_type_unknown=<n>"],
        K::HologicRowReadByLabel => &["hologic_row_read_by_label"],
        K::HologicHistoryWithoutDates => &["hologic_history_without_dates"],
        K::HologicChangeUnitUnknown => &["hologic_change_unit_unknown"],
        K::HologicHeightNotRead => &["hologic_height_not_read"],
        K::HologicWeightNotRead => &["hologic_weight_not_read"],
        K::FraxPriorFractureCensored => &["frax_prior_fracture_censored"],
        K::BodyCompositionReadByLabel => &["body_composition_read_by_label"],
        K::BodyCompositionColumnUnknown => &["body_composition_column_unknown"],
        K::BodyCompositionRowUnknown => &["body_composition_row_unknown"],
        K::BodyCompositionUnitUnknown => &["body_composition_unit_unknown=<what>"],
        K::BodyCompositionValueUnreadable => &["body_composition_value_unreadable=<what>"],
        K::BodyCompositionGivenTwice => &["body_composition_given_twice=<what>"],
        K::BodyCompositionResultColumnMissing => &["body_composition_result_column_missing"],
        K::DeviceUnknown => &["device_unknown"],
        K::Export => &["<enCORE finding>"],
    }
}

/// The patterns of what reading an enCORE export found (a document's `<enCORE finding>`).
pub fn encore_patterns(kind: EncoreFlagKind) -> &'static [&'static str] {
    use EncoreFlagKind as K;
    match kind {
        K::LineTooLong => &["encore_line_too_long"],
        K::TooManyRows => &["encore_too_many_rows"],
        K::ColumnDuplicate => &["encore_column_duplicate"],
        K::ColumnUnknown => &["encore_column_unknown"],
        K::DecimalComma => &["encore_decimal_comma"],
        K::DecimalMarkMixed => &["encore_decimal_mark_mixed"],
        K::TextDamaged => &["encore_text_damaged"],
        K::PatientIdMissing => &["patient_id_missing"],
        K::MeasureDateAmbiguous => &["measure_date_ambiguous"],
        K::MeasureDateOrderInferred => &["measure_date_order_inferred"],
        K::MeasureDateUnreadable => &["measure_date_unreadable"],
        K::RowShort => &["encore_row_short"],
        K::RowLong => &["encore_row_long"],
        K::ValueUnreadable => &["encore_value_unreadable=<what>"],
        K::UnitUnknown => &["encore_unit_unknown=<what>"],
        K::ValueGivenTwice => &["body_composition_given_twice=<what>"],
        K::BoneGivenTwice => &["<measure>_given_twice=<site>"],
        K::Inconsistent => &["body_composition_inconsistent=<check>"],
    }
}

/// The patterns of a classification flag.
pub fn assessment_patterns(kind: AssessmentFlagKind) -> &'static [&'static str] {
    use AssessmentFlagKind as K;
    match kind {
        K::PatientSexMissing => &["patient_sex_missing"],
        K::AgeUnknown => &["age_unknown"],
        K::BirthDateAfterStudyDate => &["birth_date_after_study_date"],
        K::NoDiagnosticSite => &["no_diagnostic_site"],
        K::NoTScoreAtDiagnosticSites => &["no_t_score_at_diagnostic_sites"],
        K::NoZScoreAtDiagnosticSites => &["no_z_score_at_diagnostic_sites"],
        K::TNearOsteoporosisThreshold => &["t_near_osteoporosis_threshold"],
        K::SpineVertebraDiscordant => &["spine_vertebra_discordant"],
        K::SpineFewerThanTwoEvaluableVertebrae => &["spine_fewer_than_two_evaluable_vertebrae"],
        K::ZScoreAtOrBelowMinus2 => &["z_score_le_-2"],
        K::TScoreReportedVsNhanesDiffers => &["tscore_reported_vs_nhanes_diff_gt_0.5"],
        K::FemurLeftRightTDiffers => &["femur_left_right_t_diff_gt_1"],
        K::FraxAboveTreatmentThreshold => &["frax_above_treatment_threshold"],
        K::TbsNormal => &["tbs_normal"],
        K::TbsPartiallyDegraded => &["tbs_partially_degraded"],
        K::TbsDegraded => &["tbs_degraded"],
        K::ReferenceDatabase => &["reference_database=<name>"],
        K::ReferenceDatabaseNonstandard => &["reference_database_nonstandard"],
        K::CategoryDiffersOnUniformReference => &["category_differs_on_uniform_reference"],
    }
}

/// The patterns of a visit flag; a kind that names documents has a second one, the count
/// of those not named (the cell never grows without bound).
pub fn visit_patterns(kind: VisitFlagKind) -> &'static [&'static str] {
    use VisitFlagKind as K;
    match kind {
        K::PatientIdDisagrees => &[
            "patient_id_disagrees=<uid>",
            "patient_id_disagrees_not_listed=<n>",
        ],
        K::SexDisagrees => &[
            "patient_sex_disagrees=<uid>",
            "patient_sex_disagrees_not_listed=<n>",
        ],
        K::BirthDateDisagrees => &[
            "birth_date_disagrees=<uid>",
            "birth_date_disagrees_not_listed=<n>",
        ],
        K::PatientIdMissing => &["patient_id_missing"],
        K::DateUnknown => &["visit_date_unknown"],
        K::StudyDatesDiffer => &["study_dates_differ"],
        K::SeveralDevices => &["several_devices_in_study"],
        K::SameDayOtherDevice => &[
            "same_day_other_device=<serial>",
            "same_day_other_device_not_listed=<n>",
        ],
        K::ReanalysisOrderUnknown => &["reanalysis_order_unknown=<part>"],
        K::NoResults => &["no_results"],
        K::FraxHipsDiffer => &["frax_hips_differ=<hips>"],
        K::PatientIdShared => &[
            "patient_id_shared=<uid>",
            "patient_id_shared_not_listed=<n>",
        ],
        K::VendorClassificationDiffers => &["vendor_classification_differs=<why>"],
        K::ReadInParts => &["visit_read_in_parts=<n>"],
    }
}

/// The patterns of a finding about a visit's body composition.
pub fn body_patterns(kind: BodyFlagKind) -> &'static [&'static str] {
    use BodyFlagKind as K;
    match kind {
        K::HeightUnknown => &["height_unknown"],
        K::WeightUnknown => &["weight_unknown"],
        K::LowMuscleMassEwgsop2 => &["low_muscle_mass_ewgsop2"],
        K::LowLeanMassFnih => &["low_lean_mass_fnih"],
        K::FmiClass => &["fmi_class=<class>"],
        K::Inconsistent => &["body_composition_inconsistent=<check>"],
    }
}
