//! How every flag is spelled in the `flags` cells: the one place (docs/columns.md's tables
//! "Findings about the classification", "... the visit", "... a document" list the same
//! patterns, which a test holds together). A pattern is the flag's text with each `<...>`
//! filled by one of the flag's values, in order; a kind can have more than one (a capped
//! list's `_not_listed` count).

use std::borrow::Cow;

use crate::bodycomp::index::{BodyFlag, BodyFlagKind};
use crate::carrier::encore::{EncoreFlag, EncoreFlagKind};
use crate::classify::{AssessmentFlag, AssessmentFlagKind};
use crate::document::{DocFlag, DocFlagKind, Document, FraxValue};
use crate::pseudonym::{Ids, Vocabulary};
use crate::visit::{Differs, SHARED_LISTED, VisitFlag, VisitFlagKind, VisitRows};
use crate::vocabulary::{Laterality, Region};

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

/// An enCORE finding as written, appended to `out`.
fn push_encore_flag_text(out: &mut String, flag: &EncoreFlag) {
    let pattern = encore_patterns(flag.kind())[0];
    match flag {
        EncoreFlag::ValueUnreadable(what)
        | EncoreFlag::UnitUnknown(what)
        | EncoreFlag::ValueGivenTwice(what) => fill_into(out, pattern, &[&what.to_string()]),
        EncoreFlag::BoneGivenTwice(measure, site) => {
            fill_into(out, pattern, &[measure.as_str(), site])
        }
        EncoreFlag::Inconsistent(check) => fill_into(out, pattern, &[check.as_str()]),
        _ => fill_into(out, pattern, &[]),
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

/// `pattern` with each `<...>` replaced by the next of `values`.
fn fill(pattern: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    fill_into(&mut out, pattern, values);
    out
}

/// `fill`, appended to `out`.
fn fill_into(out: &mut String, pattern: &str, values: &[&str]) {
    let mut values = values.iter();
    let mut rest = pattern;
    // The brackets are ASCII: found as bytes, not through `str::find`'s searcher (a call
    // and its set-up for a pattern of a few bytes, most with no placeholder).
    let find = |text: &str, byte: u8| text.bytes().position(|b| b == byte);
    while let Some(open) = find(rest, b'<') {
        out.push_str(&rest[..open]);
        let close = find(&rest[open..], b'>').map_or(rest.len(), |c| open + c + 1);
        out.push_str(values.next().expect("a value for every placeholder"));
        rest = &rest[close..];
    }
    out.push_str(rest);
}

/// A document flag as written (before `Ids` checks it).
pub fn doc_flag_text(flag: &DocFlag) -> String {
    let mut out = String::new();
    push_doc_flag_text(&mut out, flag);
    out
}

/// `doc_flag_text`, appended to `out`.
fn push_doc_flag_text(out: &mut String, flag: &DocFlag) {
    let pattern = doc_patterns(flag.kind())[0];
    let underscored = |text: &str| text.replace(' ', "_");
    match flag {
        DocFlag::ImageCommentsXmlUnreadable(why) => fill_into(out, pattern, &[why]),
        DocFlag::GivenTwice(measure, site) => fill_into(out, pattern, &[measure.as_str(), site]),
        DocFlag::XmlDisagrees(site, measure) => fill_into(out, pattern, &[site, measure.as_str()]),
        DocFlag::XmlDisagreesOnFrax(value) => fill_into(out, pattern, &[frax_value(*value)]),
        DocFlag::StudyValueUnitNotRecognised(measure, value, unit)
        | DocFlag::StudyValueTooManyDigits(measure, value, unit) => fill_into(
            out,
            pattern,
            &[measure.as_str(), &value.to_string(), &underscored(unit)],
        ),
        DocFlag::HologicTableTypeUnknown(code)
        | DocFlag::HologicColumnTypeUnknown(code)
        | DocFlag::HologicRowTypeUnknown(code) => fill_into(out, pattern, &[&code.to_string()]),
        DocFlag::BodyCompositionUnitUnknown(what)
        | DocFlag::BodyCompositionValueUnreadable(what)
        | DocFlag::BodyCompositionGivenTwice(what) => fill_into(out, pattern, &[&what.to_string()]),
        DocFlag::Export(flag) => push_encore_flag_text(out, flag),
        _ => fill_into(out, pattern, &[]),
    }
}

impl std::fmt::Display for DocFlag {
    /// The flag as written, before `Ids` checks it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&doc_flag_text(self))
    }
}

impl std::fmt::Display for AssessmentFlag {
    /// The flag as written, before `Ids` checks it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&assessment_flag_text(self))
    }
}

/// A FRAX value's name in `xml_disagrees=<frax value>`.
fn frax_value(value: FraxValue) -> &'static str {
    match value {
        FraxValue::Major => "frax_major",
        FraxValue::MajorPrior => "frax_major_prior",
        FraxValue::Hip => "frax_hip",
        FraxValue::HipPrior => "frax_hip_prior",
    }
}

/// A classification flag as written (before `Ids` checks it).
pub fn assessment_flag_text(flag: &AssessmentFlag) -> String {
    let pattern = assessment_patterns(flag.kind())[0];
    match flag {
        // `;` separates flags: it is kept out of the value.
        AssessmentFlag::ReferenceDatabase(name) => fill(pattern, &[&name.replace(';', ",")]),
        _ => fill(pattern, &[]),
    }
}

/// A classification flag as a cell holds it: a reference database's name is document text,
/// written only where its vocabulary knows it (docs/privacy.md, "Free text").
fn assessment_flag_cell(flag: &AssessmentFlag, ids: Ids<'_>) -> String {
    match flag {
        AssessmentFlag::ReferenceDatabase(name) => fill(
            assessment_patterns(flag.kind())[0],
            &[&ids.free_text(Vocabulary::ReferenceDatabase, &name.replace(';', ","))],
        ),
        _ => assessment_flag_text(flag),
    }
}

/// Why the scanner's verdict differs, as `vendor_classification_differs` says it.
pub fn differs_word(why: Differs) -> &'static str {
    match why {
        Differs::ZScorePopulation => "z_score_population",
        Differs::NotClassified => "not_classified",
        Differs::VisitScope => "visit_scope",
        Differs::ForearmNotDiagnostic => "forearm_not_diagnostic",
        Differs::Reference => "reference",
        Differs::Unexplained => "unexplained",
    }
}

/// A flag's `text` as `ids` writes it (`Ids::message`): the text itself when nothing in
/// it is hidden, not a copy of it (a flag of most visits: docs/performance.md).
fn message(ids: Ids<'_>, text: String) -> String {
    match ids.message(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(written) => written,
    }
}

/// A `;`-joined cell, each part appended as it is made (a `String` per flag, and a list
/// of them joined after, cost about a third of a visit's studies.csv row on the body
/// composition corpus: docs/performance.md, "The end of a run").
struct Joined {
    text: String,
    parts: usize,
}

impl Joined {
    fn new() -> Joined {
        Joined {
            text: String::with_capacity(128),
            parts: 0,
        }
    }

    /// The cell, its separator pushed when a part came before.
    fn part(&mut self) -> &mut String {
        if self.parts > 0 {
            self.text.push(';');
        }
        self.parts += 1;
        &mut self.text
    }

    /// Appends a part as `ids` writes it (`message`): pushed, and rewritten only when
    /// something in it is hidden.
    fn message_part(&mut self, ids: Ids<'_>, push: impl FnOnce(&mut String)) {
        let out = self.part();
        let start = out.len();
        push(out);
        let hidden = match ids.message(&out[start..]) {
            Cow::Owned(written) => Some(written),
            Cow::Borrowed(_) => None,
        };
        if let Some(written) = hidden {
            out.truncate(start);
            out.push_str(&written);
        }
    }
}

/// documents.csv `flags`: the document's flags, each as written (a quoted document text
/// checked by `Ids::message`).
pub fn document_cell(flags: &[DocFlag], ids: Ids<'_>) -> String {
    if flags.is_empty() {
        return String::new();
    }
    let mut cell = Joined::new();
    for flag in flags {
        cell.message_part(ids, |out| push_doc_flag_text(out, flag));
    }
    cell.text
}

/// studies.csv `flags`: every member's document flags (each once), the classification's,
/// the scanner's verdict's, then the visit's; a visit kind that names documents names at
/// most `SHARED_LISTED` of them, then `<kind>_not_listed=<n>`.
pub fn study_cell(view: &VisitRows<'_>, body: &[BodyFlag]) -> String {
    let mut doc_flags: Vec<&DocFlag> = Vec::new();
    for p in 0..view.visit.members.len() {
        for flag in &view.member(p).doc.flags {
            if !doc_flags.contains(&flag) {
                doc_flags.push(flag);
            }
        }
    }
    // The flags joined by `;` as they are made, not each a `String` in a list joined after
    // (a visit's few flags cost about 2 400 instructions so: docs/performance.md, "The end
    // of a run").
    let mut cell = Joined::new();
    for flag in doc_flags {
        cell.message_part(view.ids, |out| push_doc_flag_text(out, flag));
    }
    for flag in &view.assessed.assessment.flags {
        match flag {
            AssessmentFlag::ReferenceDatabase(_) => {
                cell.part().push_str(&assessment_flag_cell(flag, view.ids))
            }
            _ => fill_into(cell.part(), assessment_patterns(flag.kind())[0], &[]),
        }
    }
    let vendor = view
        .assessed
        .vendor
        .and_then(|v| v.differs)
        .map(VisitFlag::VendorClassificationDiffers);
    let mut counts: Vec<(VisitFlagKind, usize)> = Vec::new();
    let mut texts = Vec::new();
    for flag in vendor.iter().chain(&view.visit.flags) {
        let kind = flag.kind();
        let capped = matches!(
            kind,
            VisitFlagKind::PatientIdDisagrees
                | VisitFlagKind::SexDisagrees
                | VisitFlagKind::BirthDateDisagrees
                | VisitFlagKind::SameDayOtherDevice
        );
        if capped {
            let count = match counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => n,
                None => {
                    counts.push((kind, 0));
                    &mut counts.last_mut().expect("just pushed").1
                }
            };
            *count += 1;
            if *count > SHARED_LISTED {
                continue;
            }
        }
        // A flag of one text and no document's values filled into the cell at once.
        let pattern = visit_patterns(kind)[0];
        match flag {
            VisitFlag::PatientIdMissing
            | VisitFlag::DateUnknown
            | VisitFlag::StudyDatesDiffer
            | VisitFlag::SeveralDevices
            | VisitFlag::NoResults => {
                cell.message_part(view.ids, |out| fill_into(out, pattern, &[]));
            }
            VisitFlag::VendorClassificationDiffers(why) => {
                cell.message_part(view.ids, |out| {
                    fill_into(out, pattern, &[differs_word(*why)])
                });
            }
            _ => {
                visit_flag_texts(view, flag, &mut texts);
                for text in texts.drain(..) {
                    cell.part().push_str(&text);
                }
            }
        }
    }
    for (kind, count) in counts {
        if count > SHARED_LISTED {
            fill_into(
                cell.part(),
                visit_patterns(kind)[1],
                &[&(count - SHARED_LISTED).to_string()],
            );
        }
    }
    for flag in body {
        push_body_flag_text(cell.part(), flag);
    }
    cell.text
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

/// A finding about a visit's body composition as written.
pub fn body_flag_text(flag: &BodyFlag) -> String {
    let mut out = String::new();
    push_body_flag_text(&mut out, flag);
    out
}

/// `body_flag_text`, appended to `out`.
fn push_body_flag_text(out: &mut String, flag: &BodyFlag) {
    let pattern = body_patterns(flag.kind())[0];
    match flag {
        BodyFlag::FmiClass(class) => fill_into(out, pattern, &[class.as_str()]),
        BodyFlag::Inconsistent(check) => fill_into(out, pattern, &[check.as_str()]),
        _ => fill_into(out, pattern, &[]),
    }
}

/// A visit flag's texts (one flag, or several for a list of documents), as written.
fn visit_flag_texts(view: &VisitRows<'_>, flag: &VisitFlag, out: &mut Vec<String>) {
    let patterns = visit_patterns(flag.kind());
    let text = |values: &[&str]| message(view.ids, fill(patterns[0], values));
    match flag {
        VisitFlag::PatientIdDisagrees(doc)
        | VisitFlag::SexDisagrees(doc)
        | VisitFlag::BirthDateDisagrees(doc) => out.push(text(&[&view.sop(*doc)])),
        VisitFlag::SameDayOtherDevice(doc) => {
            let other = &view.docs[*doc].doc;
            let device = if other.device_serial.trim().is_empty() {
                Cow::Owned(
                    format!("{} {}", other.manufacturer_raw, other.model)
                        .trim()
                        .to_string(),
                )
            } else {
                view.ids.serial(other.device_serial.trim())
            };
            out.push(text(&[&device.replace(';', ",")]));
        }
        VisitFlag::ReanalysisOrderUnknown(part) => out.push(text(&[&part.to_string()])),
        VisitFlag::FraxHipsDiffer { used, others } => {
            let set = |doc: usize| {
                let d = &view.docs[doc].doc;
                let value = |v: Option<crate::decimal::Decimal>| {
                    v.map_or_else(|| "-".to_string(), |v| v.to_string())
                };
                format!(
                    "{}:{}/{}",
                    frax_side(d),
                    value(d.frax_major),
                    value(d.frax_hip)
                )
            };
            let mut sets: Vec<String> = used.iter().chain(others).map(|&d| set(d)).collect();
            match used {
                Some(_) => sets[0].push_str(" used"),
                None => sets.push("none used".to_string()),
            }
            out.push(text(&[&sets.join(",")]));
        }
        VisitFlag::PatientIdShared { listed, more } => {
            for &doc in listed {
                out.push(text(&[&view.sop(doc)]));
            }
            if *more > 0 {
                out.push(fill(patterns[1], &[&more.to_string()]));
            }
        }
        VisitFlag::VendorClassificationDiffers(why) => out.push(text(&[differs_word(*why)])),
        VisitFlag::ReadInParts(n) => out.push(text(&[&n.to_string()])),
        VisitFlag::PatientIdMissing
        | VisitFlag::DateUnknown
        | VisitFlag::StudyDatesDiffer
        | VisitFlag::SeveralDevices
        | VisitFlag::NoResults => out.push(text(&[])),
    }
}

/// The hip a document's FRAX belongs to: the sides of its femoral neck rows ("left",
/// "right", "left+right" for a dual hip), `hip` when it has none.
fn frax_side(doc: &Document) -> String {
    let sides: Vec<&str> = doc
        .measurements
        .iter()
        .filter(|m| m.region == Region::FemoralNeck)
        .filter(|m| matches!(m.laterality, Laterality::Left | Laterality::Right))
        .map(|m| m.laterality.as_str())
        .collect();
    if sides.is_empty() {
        "hip".to_string()
    } else {
        sides.join("+")
    }
}

#[cfg(test)]
mod tests;
