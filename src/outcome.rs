//! What one file gave: a results document, or the reason it is not one (a files.csv row).
//! Made by `scan` for each file, recorded in partials (`partial`) and by the write side
//! (`pipeline`), below all three.

use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::error::FileError;

/// One file's outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Outcome {
    /// A results document read.
    Ingested(Box<Document>),
    /// An export file's records, each a document of its own (a GE enCORE export: one line
    /// per exam, of any patients), in line order.
    Records(Vec<Document>),
    /// Anything else, with the reason.
    NotIngested(FileError),
}
