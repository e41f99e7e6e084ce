//! The `inspect` command: print one file's results with what the profiles map them to, then
//! the exam (device, date), the patient (sex, age, population) and the rows and the
//! classification `scan` would write. This is how a site writes a profile
//! for an export nobody has mapped yet.
//! - an SR: its content tree, every NUM and TEXT measure with its mapping (or `unmapped`),
//!   trend items marked as history; beside it the ImageComments XML and what it gave;
//! - any other object: the Hologic results document found in it (which element), its
//!   values and tables, every cell with the field its column type code maps to.
//!
//! `inspect --visit` (`visit`) shows instead the visit the file belongs to, as `scan`
//! decides it from the files of its folder.

mod visit;

pub use visit::inspect_visit;

use std::io::Write;

use crate::carrier::{ge_xml, hologic};
use crate::classify::{ClassifyOptions, VisitAssessment, classify_document};
use crate::document::Document;
use crate::extract::extract;
use crate::profile::{ColumnField, Mapper};
use crate::sr::{self, Code, ContentTree, ItemValue, Limits, SrNode};

/// Why `inspect` could not say all it had to.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// The report cannot be written (a closed pipe: `| head`).
    #[error("cannot write the report")]
    Write(#[from] std::io::Error),
    /// The folder of the file cannot be listed (`--visit`).
    #[error("cannot list {folder}")]
    List {
        /// The folder, as path text.
        folder: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The SR's content tree cannot be read.
    #[error(transparent)]
    Tree(crate::FileError),
}

type Result<T> = std::result::Result<T, InspectError>;

fn code_text(code: &Code<'_>) -> String {
    format!("({}, {}, {:?})", code.scheme, code.value, code.meaning)
}

/// Prints the report for `bytes` (read from `name`) to `out`. Returns whether the file would
/// be ingested.
pub fn inspect(
    name: &str,
    bytes: &[u8],
    mapper: &Mapper,
    limits: &Limits,
    options: &ClassifyOptions,
    out: &mut impl Write,
) -> Result<bool> {
    writeln!(out, "file: {name} ({} bytes)", bytes.len())?;
    let mut inflated = Vec::new();
    let not_ingested = |out: &mut dyn Write, error: &crate::FileError| -> Result<bool> {
        writeln!(
            out,
            "not ingested: {} {}: {}",
            error.reason.status().as_str(),
            error.reason.code(),
            error.message
        )?;
        Ok(false)
    };
    let file = match sr::read_dicom(bytes, limits, &mut inflated) {
        Ok(file) => file,
        Err(error) if crate::carrier::encore::is_export(bytes) => {
            return match crate::carrier::encore::documents(bytes, mapper) {
                Ok(docs) => print_export(&docs, out).map(|()| true),
                Err(_) => not_ingested(out, &error),
            };
        }
        Err(error) => return not_ingested(out, &error),
    };
    writeln!(
        out,
        "encoding: {}, preamble {}, meta group {}",
        file.syntax.name(),
        if file.preamble { "yes" } else { "no" },
        if file.meta { "yes" } else { "no" }
    )?;
    let sop_class = file.sop_class_uid.clone().unwrap_or_default();
    writeln!(
        out,
        "SOP class: {} ({sop_class})",
        sr::sop_class_name(&sop_class)
    )?;
    if sr::is_sr_class(&sop_class) {
        let root = file.dataset.root();
        print_tree(root, mapper, out)?;
        if let Some(xml) = root.text(dicom_dictionary_std::tags::IMAGE_COMMENTS, true)
            && ge_xml::is_results_xml(&xml)
        {
            print_xml(&xml, mapper, out)?;
        }
    } else if let Some(document) = hologic::find(file.dataset.root(), mapper) {
        print_results_document(document, mapper, out)?;
    }

    match extract(bytes, mapper, limits) {
        Err(error) => not_ingested(out, &error),
        Ok(doc) => {
            let assessment = classify_document(&doc, options);
            print_exam(&doc, &assessment, out)?;
            writeln!(out, "\nrows scan would write:")?;
            for (m, row) in doc.measurements.iter().zip(&assessment.rows) {
                let value = |v: Option<crate::decimal::Decimal>, min| {
                    v.map(|v| v.to_plain(min)).unwrap_or_else(|| "-".into())
                };
                writeln!(
                    out,
                    "  {:<22} {:<6} BMD {:>6}  T {:>5}  Z {:>5}  {}{}",
                    m.region.as_str(),
                    m.laterality.as_str(),
                    value(m.bmd, 3),
                    value(m.t_score, 0),
                    value(m.z_score, 0),
                    if row.used_for_diagnosis {
                        "diagnostic"
                    } else {
                        "-"
                    },
                    m.notes
                        .iter()
                        .map(String::as_str)
                        .chain(row.notes.iter().map(|n| &**n))
                        .map(|n| format!("  [{n}]"))
                        .collect::<String>()
                )?;
            }
            for h in &doc.history {
                writeln!(
                    out,
                    "  history {} {:<22} {:<6} BMD {}  ({}{})",
                    h.exam_date
                        .map_or_else(|| "?".to_string(), |d| d.to_string()),
                    h.region.as_str(),
                    h.laterality.as_str(),
                    h.bmd.map_or_else(|| "-".to_string(), |b| b.to_plain(3)),
                    h.source.as_str(),
                    if h.date_ambiguous {
                        format!(", date {:?} ambiguous", h.exam_date_text)
                    } else {
                        String::new()
                    }
                )?;
            }
            let carriers: Vec<&str> = doc.carriers.iter().map(|c| c.as_str()).collect();
            writeln!(
                out,
                "\nthis document alone (`scan` classifies the whole visit: see `inspect --visit`): \
                 carriers {}, population {}, classification {}, basis {}, flags {}",
                if carriers.is_empty() {
                    "none".to_string()
                } else {
                    carriers.join("+")
                },
                assessment.population,
                assessment.classification,
                assessment.basis_site.as_deref().unwrap_or("-"),
                doc.flags
                    .iter()
                    .map(ToString::to_string)
                    .chain(assessment.flags.iter().map(ToString::to_string))
                    .collect::<Vec<_>>()
                    .join(";")
            )?;
            Ok(true)
        }
    }
}

/// The exam the rows belong to: the device, the date, who was scanned and the population
/// whose rules classify it (docs/clinical.md).
fn print_exam(doc: &Document, assessment: &VisitAssessment, out: &mut impl Write) -> Result<()> {
    let or_dash = |text: &str| {
        if text.trim().is_empty() {
            "-".to_string()
        } else {
            text.trim().to_string()
        }
    };
    writeln!(
        out,
        "\nexam: manufacturer {} ({}), model {}, serial {}, study date {}",
        or_dash(&doc.manufacturer_raw),
        doc.manufacturer.map_or("unknown", |m| m.as_str()),
        or_dash(&doc.model),
        or_dash(&doc.device_serial),
        doc.study_date
            .map_or_else(|| "-".to_string(), |d| d.to_string()),
    )?;
    writeln!(
        out,
        "patient: sex {}, age {}, population {}",
        doc.patient_sex.map_or("-", |s| s.as_str()),
        assessment
            .age
            .as_ref()
            .map_or_else(|| "-".to_string(), |a| format!("{:.1} years", a.years)),
        assessment.population,
    )?;
    Ok(())
}

/// Prints the content tree, one item per line, NUM and TEXT measures with what they map
/// to; items inside a trend container are history.
fn print_tree<'a, N: SrNode<'a>>(root: N, mapper: &Mapper, out: &mut impl Write) -> Result<()> {
    let decoded = crate::sr::Decoded::default();
    let tree = ContentTree::read_with_relationships(root, &decoded).map_err(InspectError::Tree)?;
    let mut nums = mapper.for_tree(&tree);
    writeln!(out, "\ncontent tree ({} items):", tree.items.len())?;
    let (mut mapped, mut unmapped) = (0usize, 0usize);
    let in_trend = |index: usize| {
        tree.ancestry(index).skip(1).find(|&a| {
            tree.items[a]
                .concept
                .as_ref()
                .is_some_and(|c| mapper.trend_region(c.meaning).is_some())
        })
    };
    for (index, item) in tree.items.iter().enumerate() {
        let indent = "  ".repeat(item.depth + 1);
        let concept = item.concept.as_ref().map(code_text).unwrap_or_default();
        let relationship = match item.relationship {
            Some(r) if !r.is_empty() => format!("{r} "),
            _ => String::new(),
        };
        let value = match &item.value {
            ItemValue::Num { text, units } => format!(
                " = {} {}",
                text.as_deref().unwrap_or("<empty>"),
                units
                    .as_ref()
                    .map(|u| u.value.to_string())
                    .unwrap_or_else(|| "<no units>".into())
            ),
            ItemValue::Code(code) => format!(" = {}", code_text(code)),
            ItemValue::Text(text) => format!(" = {text:?}"),
            ItemValue::None => String::new(),
        };
        let is_num = matches!(item.value, ItemValue::Num { .. });
        let is_text = matches!(item.value, ItemValue::Text(_));
        let mapping = if (is_num || is_text)
            && let Some(trend) = in_trend(index)
        {
            let label = tree.items[trend]
                .concept
                .as_ref()
                .map_or(String::new(), |c| c.meaning.to_string());
            format!("   -> history ({label:?})")
        } else if is_num || is_text {
            match nums.map_num(index) {
                Some(m) => {
                    mapped += 1;
                    let side = if m.laterality.as_str().is_empty() {
                        String::new()
                    } else {
                        format!("/{}", m.laterality)
                    };
                    format!(
                        "   -> {} {}{} (label {:?}; by {} in profile {})",
                        m.measure,
                        m.region,
                        side,
                        m.source_label,
                        if m.by_code { "code" } else { "meaning" },
                        m.profile
                    )
                }
                None if is_num => {
                    unmapped += 1;
                    "   -> unmapped".to_string()
                }
                None => String::new(),
            }
        } else {
            String::new()
        };
        writeln!(
            out,
            "{indent}{relationship}{}{concept}{value}{mapping}",
            item.value_type
        )?;
    }
    writeln!(
        out,
        "\nmeasure items: {mapped} mapped, {unmapped} unmapped NUM"
    )?;
    Ok(())
}

/// The ImageComments XML beside the tree: its text, then what it gives.
fn print_xml(xml: &str, mapper: &Mapper, out: &mut impl Write) -> Result<()> {
    writeln!(out, "\nimage comments XML ({} bytes):", xml.len())?;
    writeln!(out, "  {}", xml.replace("><", ">\n  <"))?;
    match ge_xml::read(xml, mapper) {
        Err(message) => writeln!(out, "  -> unreadable: {message}")?,
        Ok(results) => {
            for v in &results.values {
                let value = match &v.value {
                    Ok(value) => value.to_string(),
                    Err(note) => note.clone(),
                };
                writeln!(
                    out,
                    "  -> {} {}/{} = {value} (label {:?})",
                    v.measure, v.region, v.laterality, v.source_label
                )?;
            }
            for h in &results.history {
                writeln!(
                    out,
                    "  -> history {:?} {}/{}",
                    h.exam_date_text, h.region, h.laterality
                )?;
            }
        }
    }
    Ok(())
}

/// A Hologic results document: its values, then each table cell by cell with the field its
/// column type maps to, each row with what its row type is.
fn print_results_document(bytes: &[u8], mapper: &Mapper, out: &mut impl Write) -> Result<()> {
    let mut flags = Vec::new();
    let text = hologic::script::decode(bytes, &mut flags);
    let script = hologic::script::read(&text);
    writeln!(out, "\nHologic results document ({} bytes):", bytes.len())?;
    for (name, value) in &script.values {
        if !value.trim().is_empty() {
            writeln!(out, "  {name} = {value:?}")?;
        }
    }
    for (number, table) in &script.tables {
        let kind = table.table_type.map_or_else(
            || "no TableType".to_string(),
            |code| match mapper.hologic_table(code) {
                Some(kind) => format!("type {code} = {kind:?}"),
                None => format!("type {code} = unknown"),
            },
        );
        writeln!(out, "  table {number}: {kind} {:?}", table.title)?;
        for row in std::iter::once(0).chain(table.rows()) {
            let role = table.row_types.get(&row).map_or_else(
                || "no type".to_string(),
                |code| match mapper.hologic_row(*code) {
                    Some(role) => format!("{code} = {role:?}"),
                    None => format!("{code} = unknown"),
                },
            );
            let cells: Vec<String> = table
                .column_types
                .iter()
                .map(|(column, code)| {
                    let field = match mapper.hologic_column(*code) {
                        Some(ColumnField::Measure(m)) => m.to_string(),
                        Some(field) => format!("{field:?}"),
                        None => format!("unknown {code}"),
                    };
                    format!("{field}={:?}", table.cell(row, *column))
                })
                .collect();
            writeln!(out, "    row {row} ({role}): {}", cells.join(", "))?;
        }
    }
    for flag in script.flags.iter().chain(&flags) {
        writeln!(out, "  flag: {flag}")?;
    }
    Ok(())
}

/// An enCORE export's documents, one line each: what `scan` reads of every line (the
/// values are in body_composition.csv and measurements.csv; the names are never read).
fn print_export(docs: &[crate::Document], out: &mut impl Write) -> Result<()> {
    let kind = docs.first().map_or("", |d| d.title.as_str());
    writeln!(
        out,
        "GE enCORE export ({kind}): {} lines, each a document of its own (device unknown: \
         joined to the visit of its patient and day)",
        docs.len()
    )?;
    for doc in docs {
        let regions = doc
            .body_composition
            .as_ref()
            .map_or(0, |c| c.regions.len() + c.indices.len());
        writeln!(
            out,
            "  patient {} measure date {}: {} body composition values, {} BMD rows, flags {}",
            doc.patient_id,
            doc.study_date
                .map_or_else(|| "?".to_string(), |d| d.to_string()),
            regions,
            doc.measurements.len(),
            doc.flags
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(";")
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
