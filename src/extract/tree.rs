//! The values of an SR content tree: NUM and TEXT measures into region rows, FRAX and TBS
//! into study values, GE "Trend ..." containers into history (never into the rows), and
//! vertebral fracture grades. What each item is comes from the profiles.

use crate::decimal::{Decimal, reported_number};
use crate::document::{
    DocFlag, Document, HistoryEntry, HistorySource, Measurement, RowTable, VertebralFracture,
    set_value,
};
use crate::normalise::{TreeUnits, UnitError, to_contract_unit};
use crate::profile::{FraxItem, HistoryField, MappedNum, Mapper, TextField};
use crate::sr::{Code, ContentTree, ItemValue};
use crate::vocabulary::Measure;

/// Where an item sits, by its nearest special container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    /// This exam's results.
    Current,
    /// Directly inside a trend container (not yet in an exam).
    Trend(usize),
    /// Inside one earlier exam of a trend: (trend container, exam container).
    TrendExam(usize, usize),
    /// Inside a FRAX container.
    Frax,
    /// Inside a vertebral fracture assessment.
    Vfa,
}

/// A value as the tree gives it: text and, for NUM, its units.
fn value_text<'v, 'a>(value: &'v ItemValue<'a>) -> Option<(&'v str, Option<&'v Code<'a>>)> {
    match value {
        ItemValue::Num { text, units } => Some((text.as_deref().unwrap_or(""), units.as_ref())),
        ItemValue::Text(text) => Some((text, None)),
        _ => None,
    }
}

/// Reads the tree's values into `doc`; returns whether the tree contributed anything.
pub(crate) fn read_content(
    tree: &ContentTree<'_>,
    mapper: &Mapper,
    doc: &mut Document,
    rows: &mut RowTable,
) -> bool {
    let mut nums = mapper.for_tree(tree);
    let mut units_of_tree = TreeUnits::default();
    let zones = zones(tree, mapper);
    let mut exams: Vec<(usize, usize)> = Vec::new(); // (exam container, index in history)
    let before = doc.history.len() + doc.vertebral_fractures.len();
    let mut contributed = false;
    for (index, item) in tree.items.iter().enumerate() {
        let meaning = item.concept.as_ref().map_or("", |c| c.meaning);
        // A value's concept, asked once for what its meaning is to the carrier rules and
        // which measure it is.
        let concept = match zones[index] {
            Zone::Current if value_text(&item.value).is_some() => nums.concept(index),
            _ => None,
        };
        // What a FRAX item is (None: not one of the known kinds), for every item of a FRAX
        // container and for FRAX-labelled values elsewhere in the current exam. Only a
        // value (NUM or TEXT) can be one: the labels of other items are not looked at.
        let frax = match zones[index] {
            Zone::Frax => Some(mapper.meaning_kind(meaning).frax_item),
            Zone::Current if value_text(&item.value).is_some() => {
                let kind = concept.map_or_else(|| mapper.meaning_kind(""), |c| c.kind);
                kind.frax_label
                    .then_some(kind.frax_item)
                    .flatten()
                    .map(Some)
            }
            _ => None,
        };
        if let Some(kind) = frax {
            contributed |= read_frax(mapper, kind, &item.value, doc);
            continue;
        }
        match zones[index] {
            Zone::Frax => {}
            Zone::Current => {
                let Some((text, units)) = value_text(&item.value) else {
                    continue;
                };
                let is_num = matches!(item.value, ItemValue::Num { .. });
                let Some(mapped) = concept.and_then(|c| nums.map_answered(index, c)) else {
                    if is_num {
                        doc.unmapped_items += 1;
                    } else if let Some(TextField::ReferenceDatabase) =
                        item.concept.as_ref().and_then(|c| mapper.text_field(c))
                    {
                        doc.reference_database
                            .get_or_insert_with(|| text.to_string());
                    }
                    continue;
                };
                let Some(value) = reported_number(text) else {
                    // An empty or junk value is missing, never zero.
                    if let Some(row) = row_for(rows, &mapped) {
                        row.notes
                            .push(format!("{} value {text:?} is not a number", mapped.measure));
                    }
                    continue;
                };
                contributed = true;
                let value = units_of_tree.contract_value(mapped.measure, value, units);
                match row_for(rows, &mapped) {
                    Some(row) => {
                        if let Some(note) = mapped.note
                            && !row.notes.iter().any(|n| n == note)
                        {
                            row.notes.push(note.to_string());
                        }
                        match value {
                            Ok(value) => set_value(row, mapped.measure, value, &mut doc.flags),
                            Err(note) => row.notes.push(note.to_string()),
                        }
                    }
                    None => match value {
                        Ok(value) => set_study_value(doc, mapped.measure, value),
                        Err(UnitError::NotRecognised {
                            measure,
                            value,
                            unit,
                        }) => doc
                            .flags
                            .push(DocFlag::StudyValueUnitNotRecognised(measure, value, unit)),
                        Err(UnitError::TooManyDigits {
                            measure,
                            value,
                            unit,
                        }) => doc
                            .flags
                            .push(DocFlag::StudyValueTooManyDigits(measure, value, unit)),
                    },
                }
            }
            Zone::Vfa => {
                let grade = match &item.value {
                    ItemValue::Text(text) => text.to_string(),
                    ItemValue::Code(code) => code.meaning.to_string(),
                    _ => continue,
                };
                if mapper.is_vfa_grade(meaning)
                    && let Some(parent) = item.parent
                {
                    let vertebra = tree.items[parent]
                        .concept
                        .as_ref()
                        .map_or(String::new(), |c| c.meaning.to_string());
                    doc.vertebral_fractures
                        .push(VertebralFracture { vertebra, grade });
                }
            }
            Zone::Trend(_) => {}
            Zone::TrendExam(trend, exam) => {
                let Some((text, units)) = value_text(&item.value) else {
                    continue;
                };
                let at = match exams.iter().find(|(e, _)| *e == exam) {
                    Some((_, at)) => *at,
                    None => {
                        doc.history.push(trend_entry(tree, mapper, trend, exam));
                        exams.push((exam, doc.history.len() - 1));
                        doc.history.len() - 1
                    }
                };
                let field = history_field(tree, mapper, index, exam);
                let measure = match field {
                    Some(_) => None,
                    None => nums.map_num(index).map(|m| m.measure),
                };
                if let Some(value) = reported_number(text) {
                    set_history_value(&mut doc.history[at], field, measure, value, units);
                }
            }
        }
    }
    contributed || doc.history.len() + doc.vertebral_fractures.len() > before
}

/// The row a mapped value goes into; none for a study-level measure (FRAX, TBS).
fn row_for<'r>(rows: &'r mut RowTable, mapped: &MappedNum) -> Option<&'r mut Measurement> {
    if mapped.measure.is_study_level() {
        return None;
    }
    rows.row(mapped.region, mapped.laterality, &mapped.source_label)
}

/// Each item's zone, from its parent's and its own meaning.
fn zones(tree: &ContentTree<'_>, mapper: &Mapper) -> Vec<Zone> {
    let mut zones = Vec::with_capacity(tree.items.len());
    for (index, item) in tree.items.iter().enumerate() {
        let inherited = item.parent.map_or(Zone::Current, |p| zones[p]);
        let meaning = item.concept.as_ref().map_or("", |c| c.meaning);
        let container = item.value_type == "CONTAINER";
        let zone = match inherited {
            Zone::Trend(trend) if container && item.parent == Some(trend) => {
                Zone::TrendExam(trend, index)
            }
            Zone::Current if container && index > 0 => {
                let kind = mapper.meaning_kind(meaning);
                if kind.trend {
                    Zone::Trend(index)
                } else if kind.frax_label {
                    Zone::Frax
                } else if kind.vfa_label {
                    Zone::Vfa
                } else {
                    Zone::Current
                }
            }
            other => other,
        };
        zones.push(zone);
    }
    zones
}

/// A new history entry for the exam container `exam` of the trend container `trend`: the
/// region is named by the trend's label after its prefix, within the ancestors' site.
fn trend_entry(tree: &ContentTree<'_>, mapper: &Mapper, trend: usize, exam: usize) -> HistoryEntry {
    let meaning = |i: usize| {
        tree.items[i]
            .concept
            .as_ref()
            .map_or(String::new(), |c| c.meaning.to_string())
    };
    let trend_meaning = meaning(trend);
    let region_label = mapper.trend_region(&trend_meaning).unwrap_or_default();
    let ancestors: Vec<String> = tree.ancestry(trend).skip(1).map(meaning).collect();
    let mut labels: Vec<&str> = vec![region_label];
    labels.extend(ancestors.iter().map(String::as_str));
    let placed = mapper.place(&labels);
    HistoryEntry::placed(
        placed.region,
        placed.laterality,
        placed.source_label,
        meaning(exam),
        HistorySource::GeTrendTree,
    )
}

/// The history field of an item: its own meaning's, else that of a container between it
/// and its exam ("CHANGE_VS_PREVIOUS" holding a "BMD").
fn history_field(
    tree: &ContentTree<'_>,
    mapper: &Mapper,
    index: usize,
    exam: usize,
) -> Option<HistoryField> {
    tree.ancestry(index)
        .take_while(|i| *i != exam)
        .find_map(|i| {
            let concept = tree.items[i].concept.as_ref()?;
            mapper.history_field(concept.meaning)
        })
}

/// Sets one value of a history entry (first value kept).
pub(crate) fn set_history_value(
    entry: &mut HistoryEntry,
    field: Option<HistoryField>,
    measure: Option<Measure>,
    value: Decimal,
    units: Option<&Code<'_>>,
) {
    let bmd = |value| to_contract_unit(Measure::Bmd, value, units).ok();
    let slot_value = match (field, measure) {
        (Some(HistoryField::Age), _) => Some((&mut entry.age_years, Some(value))),
        (Some(HistoryField::ChangeVsPrevious), _) => {
            Some((&mut entry.change_vs_previous_g_cm2, bmd(value)))
        }
        (Some(HistoryField::ChangeVsBaseline), _) => {
            Some((&mut entry.change_vs_baseline_g_cm2, bmd(value)))
        }
        (Some(HistoryField::PctChangeVsPrevious), _) => {
            Some((&mut entry.change_vs_previous_pct, Some(value)))
        }
        (Some(HistoryField::PctChangeVsBaseline), _) => {
            Some((&mut entry.change_vs_baseline_pct, Some(value)))
        }
        (None, Some(Measure::Bmd)) => Some((&mut entry.bmd, bmd(value))),
        (None, Some(Measure::TScore)) => Some((&mut entry.t_score, Some(value))),
        (None, Some(Measure::ZScore)) => Some((&mut entry.z_score, Some(value))),
        _ => None,
    };
    if let Some((slot, Some(value))) = slot_value {
        slot.get_or_insert(value);
    }
}

/// A FRAX item of `kind` (`Mapper::frax_item`): probabilities with and without prior
/// fracture, the WHO text, the reason FRAX was not reported. Returns whether it gave a value.
fn read_frax(
    mapper: &Mapper,
    kind: Option<FraxItem>,
    value: &ItemValue<'_>,
    doc: &mut Document,
) -> bool {
    let Some((text, _)) = value_text(value) else {
        return false;
    };
    match kind {
        Some(FraxItem::Classification) => {
            doc.scanner_classification
                .get_or_insert_with(|| text.trim().to_string());
            true
        }
        Some(item) => {
            let Some(number) = reported_number(text) else {
                if mapper.says_frax_not_reported(text) {
                    doc.frax_not_reported
                        .get_or_insert_with(|| text.trim().to_string());
                    return true;
                }
                doc.flags.push(DocFlag::FraxValueNotANumber);
                return false;
            };
            let slot = match item {
                FraxItem::Major(false) => &mut doc.frax_major,
                FraxItem::Major(true) => &mut doc.frax_major_prior,
                FraxItem::Hip(false) => &mut doc.frax_hip,
                FraxItem::Hip(true) => &mut doc.frax_hip_prior,
                FraxItem::Classification => unreachable!("matched above"),
            };
            slot.get_or_insert(number);
            true
        }
        None if mapper.says_frax_not_reported(text) => {
            doc.frax_not_reported
                .get_or_insert_with(|| text.trim().to_string());
            true
        }
        None => false,
    }
}

pub(crate) fn set_study_value(doc: &mut Document, measure: Measure, value: Decimal) {
    let slot = match measure {
        Measure::FraxMajor => &mut doc.frax_major,
        Measure::FraxHip => &mut doc.frax_hip,
        Measure::Tbs => &mut doc.tbs,
        _ => unreachable!("only study-level measures reach here"),
    };
    slot.get_or_insert(value);
}
