//! `inspect --visit FILE`: the visit FILE belongs to, as `scan` decides it. The files of
//! FILE's folder (not its subfolders: an export keeps a study's objects together) are read
//! as `scan` reads them, grouped into visits and classified by the same code; the visit of
//! FILE is printed: its documents and what became of each, its studies.csv row column by
//! column (classification, basis site, flags: why), and every row with whether it decided
//! and why not.

use std::io::Write;
use std::path::Path;

use super::{InspectError, Result};
use crate::classify::ClassifyOptions;
use crate::extract::extract;
use crate::output::rows::{document_row, measurement_keys, measurement_rows, study_row};
use crate::output::table::{Row, cell_texts};
use crate::path_text::path_text;
use crate::profile::Mapper;
use crate::pseudonym::Ids;
use crate::sr::Limits;
use crate::visit::{Ingested, VisitRows, assess, visits};

/// A row as (column, cell) pairs, the cells as the CSV writes them.
fn cells<R: Row>(row: &R) -> Vec<(String, String)> {
    R::COLUMNS
        .iter()
        .zip(cell_texts(row))
        .map(|(c, v)| (c.name.to_string(), v))
        .collect()
}

fn cell<'c>(cells: &'c [(String, String)], column: &str) -> &'c str {
    cells
        .iter()
        .find(|(c, _)| c == column)
        .map_or("", |(_, v)| v.as_str())
}

/// Prints the visit `file` belongs to. Returns whether `file` is an ingested document.
pub fn inspect_visit(
    file: &Path,
    mapper: &Mapper,
    limits: &Limits,
    options: &ClassifyOptions,
    out: &mut impl Write,
) -> Result<bool> {
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = folder.unwrap_or(Path::new("."));
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(folder)
        .map_err(|source| InspectError::List {
            folder: path_text(folder),
            source,
        })?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .map(|entry| folder.join(entry.file_name()))
        .collect();
    paths.sort_by_key(|p| path_text(p));
    let target = std::fs::canonicalize(file).ok();
    let mut docs: Vec<Ingested> = Vec::new();
    let mut target_doc = None;
    for path in &paths {
        let Ok(read) = crate::read::read_file(path, true, limits) else {
            continue;
        };
        let Ok(doc) = extract(&read.head.bytes, mapper, limits) else {
            continue;
        };
        if target.is_some() && std::fs::canonicalize(path).ok() == target {
            target_doc = Some(docs.len());
        }
        docs.push(Ingested::new(docs.len() as u64, path_text(path), doc));
    }
    let name = path_text(file);
    let Some(target_doc) = target_doc else {
        writeln!(
            out,
            "{name}: not an ingested document (`dxa-ingest inspect {name}` says why)"
        )?;
        return Ok(false);
    };
    let found = visits(&docs);
    let visit = found
        .iter()
        .find(|v| v.members.contains(&target_doc))
        .expect("every document is in a visit");
    let assessed = assess(&docs, visit, options);
    let ids = Ids {
        pseudonymizer: None,
        shift_dates: false,
    };
    let visit_ids = crate::export::visit_id::visit_ids(&docs, &found, ids);
    let at = found
        .iter()
        .position(|v| std::ptr::eq(v, visit))
        .expect("the visit is one of them");
    let keys = crate::visit::VisitKeys::new(&docs, visit, ids, &visit_ids[at]);
    let view = VisitRows {
        docs: &docs,
        visit,
        assessed: &assessed,
        ids,
        visit_id: &visit_ids[at],
        body: None,
        keys: &keys,
    };
    let body = crate::output::rows::visit_body(&view);
    let view = VisitRows {
        body: body.as_ref(),
        ..view
    };
    writeln!(
        out,
        "{name}: visit of {} documents in {} (read from its folder, grouped and classified as \
         `scan` does)",
        visit.members.len(),
        path_text(folder)
    )?;
    writeln!(out, "\ndocuments:")?;
    for position in 0..visit.members.len() {
        let row = cells(&document_row(&view, position));
        writeln!(
            out,
            "  {}: {} ({})",
            cell(&row, "source_path"),
            cell(&row, "status"),
            cell(&row, "content")
        )?;
    }
    writeln!(out, "\nstudies.csv row:")?;
    for (column, value) in cells(&study_row(&view)) {
        writeln!(out, "  {column} = {value}")?;
    }
    writeln!(
        out,
        "\nrows (region side BMD T, whether it decided, and why not):"
    )?;
    for position in 0..visit.members.len() {
        let keys = measurement_keys(&view, position);
        for row in measurement_rows(&view, position, &keys) {
            let row = cells(&row);
            let or_dash = |text: &str| {
                if text.is_empty() {
                    "-".to_string()
                } else {
                    text.to_string()
                }
            };
            let used = if cell(&row, "used_for_diagnosis") == "true" {
                "used_for_diagnosis".to_string()
            } else {
                "not used".to_string()
            };
            let note = cell(&row, "note");
            writeln!(
                out,
                "  {} {} {} {} {used}{}",
                cell(&row, "region"),
                or_dash(cell(&row, "laterality")),
                or_dash(cell(&row, "bmd_g_cm2")),
                or_dash(cell(&row, "t_score")),
                if note.is_empty() {
                    String::new()
                } else {
                    format!(": {note}")
                }
            )?;
        }
    }
    Ok(true)
}
