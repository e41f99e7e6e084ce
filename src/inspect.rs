//! The `inspect` command: print one SR's content tree with, on every NUM item, what the
//! profiles mapped it to (or `unmapped`), then the rows and the classification `scan` would
//! write. This is how a site writes a profile for an export nobody has mapped yet.

use std::io::Write;

use anyhow::Result;

use crate::classify::{ClassifyOptions, classify_document};
use crate::extract::extract;
use crate::profile::Mapper;
use crate::sr::{self, Body, Code, ContentTree, ItemValue, Limits, Reader, SrNode};

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
    let file = match sr::read_sr(bytes, limits, &mut inflated, Reader::Index) {
        Ok(file) => file,
        Err(error) => {
            writeln!(
                out,
                "not ingested: {} {}: {}",
                error.reason.status().as_str(),
                error.reason.code(),
                error.message
            )?;
            return Ok(false);
        }
    };
    writeln!(
        out,
        "encoding: {}, preamble {}, meta group {}",
        file.syntax.name(),
        if file.preamble { "yes" } else { "no" },
        if file.meta { "yes" } else { "no" }
    )?;
    writeln!(
        out,
        "SOP class: {} ({})",
        sr::sop_class_name(&file.sop_class_uid),
        file.sop_class_uid
    )?;
    match &file.body {
        Body::Indexed(set) => print_tree(set.root(), mapper, out)?,
        Body::Object(object) => print_tree(object, mapper, out)?,
    }

    match extract(bytes, mapper, limits) {
        Err(error) => {
            writeln!(
                out,
                "not ingested: {} {}: {}",
                error.reason.status().as_str(),
                error.reason.code(),
                error.message
            )?;
            Ok(false)
        }
        Ok(doc) => {
            let assessment = classify_document(&doc, options);
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
                        .chain(&row.notes)
                        .map(|n| format!("  [{n}]"))
                        .collect::<String>()
                )?;
            }
            writeln!(
                out,
                "\nstudy: population {}, classification {}, basis {}, flags {}",
                assessment.population,
                assessment.classification,
                assessment.basis_site.as_deref().unwrap_or("-"),
                doc.flags
                    .iter()
                    .chain(&assessment.flags)
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(";")
            )?;
            Ok(true)
        }
    }
}

/// Prints the content tree, one item per line, NUM items with what they map to.
fn print_tree<'a, N: SrNode<'a>>(root: N, mapper: &Mapper, out: &mut impl Write) -> Result<()> {
    let tree = ContentTree::read(root).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut nums = mapper.for_tree(&tree);
    writeln!(out, "\ncontent tree ({} items):", tree.items.len())?;
    let (mut mapped, mut unmapped) = (0usize, 0usize);
    for (index, item) in tree.items.iter().enumerate() {
        let indent = "  ".repeat(item.depth + 1);
        let concept = item.concept.as_ref().map(code_text).unwrap_or_default();
        let relationship = if item.relationship.is_empty() {
            String::new()
        } else {
            format!("{} ", item.relationship)
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
        let mapping = match item.value {
            ItemValue::Num { .. } => match nums.map_num(index) {
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
                None => {
                    unmapped += 1;
                    "   -> unmapped".to_string()
                }
            },
            _ => String::new(),
        };
        writeln!(
            out,
            "{indent}{relationship}{}{concept}{value}{mapping}",
            item.value_type
        )?;
    }
    writeln!(out, "\nNUM items: {mapped} mapped, {unmapped} unmapped")?;

    Ok(())
}
