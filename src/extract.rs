//! The per-file extractor: bytes in, a `Document` or the reason it is not one out. A pure
//! function of the bytes, the profiles and the limits (no I/O, no clock), so that it can be
//! fuzzed, tested on in-memory fixtures, and run on any thread.

use dicom_dictionary_std::tags;

use crate::decimal::Decimal;
use crate::document::{Carrier, Date, Document, Measurement, Sex, Timestamp};
use crate::error::{FileError, Reason};
use crate::normalise::to_contract_unit;
use crate::profile::{MappedNum, Mapper, TextField};
use crate::sr::{self, Body, ContentTree, ItemValue, Limits, Reader, SrFile, SrNode};
use crate::vocabulary::{Laterality, Measure, Region};

/// Reads one file's bytes into a `Document`.
pub fn extract(bytes: &[u8], mapper: &Mapper, limits: &Limits) -> Result<Document, FileError> {
    extract_with(bytes, mapper, limits, Reader::Index)
}

/// `extract` with a chosen reader (tests compare the two).
pub fn extract_with(
    bytes: &[u8],
    mapper: &Mapper,
    limits: &Limits,
    reader: Reader,
) -> Result<Document, FileError> {
    let mut inflated = Vec::new();
    let file = sr::read_sr(bytes, limits, &mut inflated, reader)?;
    match &file.body {
        Body::Indexed(set) => document(set.root(), &file, mapper),
        Body::Object(object) => document(object, &file, mapper),
    }
}

fn document<'a, N: SrNode<'a>>(
    root: N,
    file: &SrFile<'_>,
    mapper: &Mapper,
) -> Result<Document, FileError> {
    let tree = ContentTree::read(root)?;
    let mut doc = read_header(root, mapper);
    doc.sop_class_uid = file.sop_class_uid.clone();
    doc.title = tree.items[0]
        .concept
        .as_ref()
        .map(|c| c.meaning.to_string())
        .unwrap_or_default();
    read_content(&tree, mapper, &mut doc);
    decide_dxa(&tree, mapper, &doc)?;
    Ok(doc)
}

fn read_header<'a, N: SrNode<'a>>(root: N, mapper: &Mapper) -> Document {
    let text = |tag| root.text(tag, false);
    let get = |tag| text(tag).map(|t| t.into_owned()).unwrap_or_default();
    let date = |tag| text(tag).and_then(|t| Date::parse_da(&t));
    let manufacturer_raw = get(tags::MANUFACTURER);
    let (manufacturer, calibration) = mapper.manufacturer(&manufacturer_raw);
    let mut flags = Vec::new();
    let study_date = date(tags::STUDY_DATE)
        .or_else(|| date(tags::CONTENT_DATE))
        .or_else(|| date(tags::SERIES_DATE));
    if study_date.is_none() {
        flags.push("study_date_missing".to_string());
    }
    Document {
        sop_instance_uid: get(tags::SOP_INSTANCE_UID),
        study_instance_uid: get(tags::STUDY_INSTANCE_UID),
        series_instance_uid: get(tags::SERIES_INSTANCE_UID),
        patient_id: get(tags::PATIENT_ID),
        patient_sex: text(tags::PATIENT_SEX).and_then(|t| Sex::parse(&t)),
        birth_date: date(tags::PATIENT_BIRTH_DATE),
        patient_age: text(tags::PATIENT_AGE).map(|t| t.into_owned()),
        study_date,
        content_time: Timestamp::parse(
            text(tags::CONTENT_DATE).as_deref().unwrap_or(""),
            text(tags::CONTENT_TIME).as_deref().unwrap_or(""),
        ),
        accession_number: get(tags::ACCESSION_NUMBER),
        carriers: vec![Carrier::SrTree],
        manufacturer: Some(manufacturer),
        calibration,
        manufacturer_raw,
        model: get(tags::MANUFACTURER_MODEL_NAME),
        software_version: get(tags::SOFTWARE_VERSIONS),
        device_serial: get(tags::DEVICE_SERIAL_NUMBER),
        institution: get(tags::INSTITUTION_NAME),
        flags,
        ..Document::default()
    }
}

/// Walks the tree once: NUM items into measurements and study values, TEXT items into
/// study columns.
fn read_content(tree: &ContentTree<'_>, mapper: &Mapper, doc: &mut Document) {
    let mut nums = mapper.for_tree(tree);
    let mut rows = RowTable::default();
    for (index, item) in tree.items.iter().enumerate() {
        match &item.value {
            ItemValue::Num { text, units } => {
                let Some(mapped) = nums.map_num(index) else {
                    doc.unmapped_items += 1;
                    continue;
                };
                let Some(value) = text.as_deref().and_then(Decimal::parse) else {
                    // An empty or junk NumericValue is missing, never zero.
                    if let Some(row) = rows.row_for(&mapped) {
                        row.notes.push(format!(
                            "{} value {:?} is not a number",
                            mapped.measure,
                            text.as_deref().unwrap_or("")
                        ));
                    }
                    continue;
                };
                let value = to_contract_unit(mapped.measure, value, units.as_ref());
                match rows.row_for(&mapped) {
                    Some(row) => match value {
                        Ok(value) => set_value(row, mapped.measure, value),
                        Err(note) => row.notes.push(note),
                    },
                    None => match value {
                        Ok(value) => set_study_value(doc, mapped.measure, value),
                        Err(note) => doc.flags.push(note.replace(' ', "_")),
                    },
                }
            }
            ItemValue::Text(value) => {
                if let Some(TextField::ReferenceDatabase) =
                    item.concept.as_ref().and_then(|c| mapper.text_field(c))
                {
                    doc.reference_database
                        .get_or_insert_with(|| value.to_string());
                }
            }
            _ => {}
        }
    }
    doc.measurements = rows.into_sorted();
}

/// The measurement rows of one document: one per (region, side); `other` rows also per
/// normalised label, so unrelated unmapped regions are not merged. A document has a few
/// dozen rows at most and its NUM items come grouped by region, so a backwards linear
/// search finds the row at once; an ordered map compared label strings on every lookup
/// (5 % of a scan's time, perf).
#[derive(Default)]
struct RowTable {
    rows: Vec<(RowKey, Measurement)>,
}

/// Region, side, and the normalised label (empty unless the region is `other`).
type RowKey = (Region, Laterality, String);

impl RowTable {
    fn row_for(&mut self, mapped: &MappedNum) -> Option<&mut Measurement> {
        if mapped.measure.is_study_level() {
            return None;
        }
        let label_key = (mapped.region == Region::Other)
            .then(|| crate::profile::normalise_label(&mapped.source_label));
        let found = self.rows.iter().rposition(|((region, side, label), _)| {
            *region == mapped.region
                && *side == mapped.laterality
                && label_key.as_ref().is_none_or(|key| key == label)
        });
        let index = found.unwrap_or_else(|| {
            let key = (
                mapped.region,
                mapped.laterality,
                label_key.unwrap_or_default(),
            );
            let row = Measurement::new(mapped.region, mapped.laterality, &mapped.source_label);
            self.rows.push((key, row));
            self.rows.len() - 1
        });
        Some(&mut self.rows[index].1)
    }

    /// The rows in (region, side, label) order: the order of measurements.csv.
    fn into_sorted(mut self) -> Vec<Measurement> {
        // Keys are unique, so an unstable sort gives one order.
        self.rows.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        self.rows.into_iter().map(|(_, row)| row).collect()
    }
}

fn set_value(row: &mut Measurement, measure: Measure, value: Decimal) {
    let slot = match measure {
        Measure::Bmd => &mut row.bmd,
        Measure::Bmc => &mut row.bmc,
        Measure::Area => &mut row.area,
        Measure::TScore => &mut row.t_score,
        Measure::ZScore => &mut row.z_score,
        Measure::PctYoungAdult => &mut row.pct_young_adult,
        Measure::PctAgeMatched => &mut row.pct_age_matched,
        Measure::FraxMajor | Measure::FraxHip | Measure::Tbs => {
            unreachable!("study-level measures have no row")
        }
    };
    match slot {
        None => *slot = Some(value),
        Some(kept) if *kept == value => {}
        Some(kept) => {
            let note = format!("{measure} given twice ({kept}, {value}): first kept");
            row.notes.push(note);
        }
    }
}

fn set_study_value(doc: &mut Document, measure: Measure, value: Decimal) {
    let slot = match measure {
        Measure::FraxMajor => &mut doc.frax_major,
        Measure::FraxHip => &mut doc.frax_hip,
        Measure::Tbs => &mut doc.tbs,
        _ => unreachable!("only study-level measures reach here"),
    };
    slot.get_or_insert(value);
}

/// An SR is DXA when its title says so, or a value was mapped that only densitometry
/// reports (BMD, BMC, T-score, FRAX, TBS), or a value was placed in a known region. A
/// Z-score or an area alone is not enough: paediatric echo and vascular SRs have those.
fn decide_dxa(tree: &ContentTree<'_>, mapper: &Mapper, doc: &Document) -> Result<(), FileError> {
    let has_values = !doc.measurements.is_empty()
        || doc.frax_major.is_some()
        || doc.frax_hip.is_some()
        || doc.tbs.is_some();
    let dxa_values = doc.frax_major.is_some()
        || doc.frax_hip.is_some()
        || doc.tbs.is_some()
        || doc.measurements.iter().any(|m| {
            m.region != Region::Other || m.bmd.is_some() || m.bmc.is_some() || m.t_score.is_some()
        });
    let nums = tree
        .items
        .iter()
        .filter(|i| matches!(i.value, ItemValue::Num { .. }))
        .count();
    let dxa_title = mapper.is_dxa_title(&doc.title);
    if dxa_values || (dxa_title && has_values) {
        return Ok(());
    }
    if dxa_title {
        return Err(FileError::new(
            Reason::NoMeasurements,
            format!(
                "DXA SR {:?} with {nums} NUM items, none mapped to a measure (see `dxa-ingest inspect` and --profile)",
                doc.title
            ),
        ));
    }
    Err(FileError::new(
        Reason::NotDxa,
        format!(
            "{} {:?}: {nums} NUM items, no bone densitometry content",
            sr::sop_class_name(&doc.sop_class_uid),
            doc.title
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(
        measure: Measure,
        region: Region,
        side: Laterality,
        label: &str,
    ) -> MappedNum<'static, 'static> {
        MappedNum {
            measure,
            region,
            laterality: side,
            site: None,
            source_label: std::borrow::Cow::Owned(label.to_string()),
            profile: "test",
            by_code: true,
        }
    }

    #[test]
    fn rows_per_region_and_side_other_per_label_in_region_order() {
        let mut rows = RowTable::default();
        let items = [
            (
                Measure::Bmd,
                Region::FemoralNeck,
                Laterality::Left,
                "Neck",
                "0.585",
            ),
            (
                Measure::Bmd,
                Region::Other,
                Laterality::None,
                "Zeta  zone",
                "1.1",
            ),
            (
                Measure::Bmd,
                Region::SpineL1L4,
                Laterality::None,
                "Total",
                "0.930",
            ),
            (
                Measure::TScore,
                Region::FemoralNeck,
                Laterality::Left,
                "Neck",
                "-2.4",
            ),
            (
                Measure::Bmd,
                Region::FemoralNeck,
                Laterality::Right,
                "Neck",
                "0.601",
            ),
            (
                Measure::Bmd,
                Region::Other,
                Laterality::None,
                "Alpha",
                "0.9",
            ),
            // The same unmapped label, spelled with other case and spacing: the same row.
            (
                Measure::TScore,
                Region::Other,
                Laterality::None,
                "zeta zone",
                "-1.0",
            ),
        ];
        for (measure, region, side, label, value) in items {
            let row = rows
                .row_for(&mapped(measure, region, side, label))
                .expect("row");
            set_value(row, measure, Decimal::parse(value).expect("number"));
        }
        assert!(
            rows.row_for(&mapped(
                Measure::FraxMajor,
                Region::Other,
                Laterality::None,
                "FRAX"
            ))
            .is_none()
        );
        let rows = rows.into_sorted();
        type Seen<'r> = (Region, Laterality, &'r str, Option<String>, Option<String>);
        let seen: Vec<Seen> = rows
            .iter()
            .map(|r| {
                (
                    r.region,
                    r.laterality,
                    r.source_label.as_str(),
                    r.bmd.map(|d| d.to_string()),
                    r.t_score.map(|d| d.to_string()),
                )
            })
            .collect();
        let text = |s: &str| Some(s.to_string());
        assert_eq!(
            seen,
            vec![
                (
                    Region::SpineL1L4,
                    Laterality::None,
                    "Total",
                    text("0.930"),
                    None
                ),
                (
                    Region::FemoralNeck,
                    Laterality::Left,
                    "Neck",
                    text("0.585"),
                    text("-2.4")
                ),
                (
                    Region::FemoralNeck,
                    Laterality::Right,
                    "Neck",
                    text("0.601"),
                    None
                ),
                (Region::Other, Laterality::None, "Alpha", text("0.9"), None),
                (
                    Region::Other,
                    Laterality::None,
                    "Zeta  zone",
                    text("1.1"),
                    text("-1.0")
                ),
            ]
        );
    }
}
