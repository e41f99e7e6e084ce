//! The columns of a results document's table and the place of its rows, which the results
//! and history tables read alike: the columns whose type code a profile knows (an unknown
//! one flagged), a column found by its field, and the region a row's label names within
//! the document's scans.

use super::script::Table;
use crate::document::{DocFlag, Document};
use crate::flag::flag_once;
use crate::profile::{ColumnField, Mapper, Placed};

/// The table's columns whose type code a profile knows.
pub(super) fn columns(
    table: &Table,
    mapper: &Mapper,
    doc: &mut Document,
) -> Vec<(u32, ColumnField)> {
    let mut out = Vec::new();
    for (&column, &code) in &table.column_types {
        match mapper.hologic_column(code) {
            Some(field) => out.push((column, field)),
            None => flag_once(&mut doc.flags, DocFlag::HologicColumnTypeUnknown(code)),
        }
    }
    out
}

/// The column of a field, if the table has one.
pub(super) fn column_of(columns: &[(u32, ColumnField)], field: ColumnField) -> Option<u32> {
    columns.iter().find(|(_, f)| *f == field).map(|(c, _)| *c)
}

/// Where a row's label places it, within the document's scans (`ScanMode`, `AnalProtocol`).
pub(super) fn place<'m>(mapper: &'m Mapper, label: &str, scans: &[String]) -> Placed<'m> {
    let mut labels: Vec<&str> = vec![label];
    labels.extend(scans.iter().map(String::as_str));
    mapper.place(&labels)
}
