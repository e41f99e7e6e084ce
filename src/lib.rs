//! dxa-ingest turns folders of DXA (bone densitometry) DICOM Structured Report exports into
//! clean, classified, comparable CSV tables.
//!
//! The stages, one module each, in the order a file goes through them:
//! - `discover`: walk folders or read a list; every entry accounted for, sorted by path;
//! - [`read`]: open a regular file (never a FIFO, never a swapped-in link) and read its head;
//! - [`sr`]: the defensive pre-scan, the dicom-object parse, the flattened content tree;
//! - [`profile`]: vendor knowledge as data (TOML): what each NUM item measures, where;
//! - [`bodycomp`]: body composition of a whole-body exam (regions, indices, cut-offs);
//! - [`carrier`]: results outside the SR tree (GE ImageComments XML, Hologic results
//!   documents in report images) and the date forms they write;
//! - [`extract`]: the per-file pure function, bytes in, [`document::Document`] or a reason out;
//! - `normalise`: contract units, standardised BMD and NHANES III T-scores;
//! - `visit`: the documents of one patient, day and device, resolved (copies, re-analyses);
//! - `classify`: a visit's classification, a pure function: population, sites, category;
//! - `followup`, `report`: change over time, the report page;
//! - `export`: visit_id, visits_wide.csv, and the FHIR and OMOP exports;
//! - [`output`]: the rows of each file, safe cells, Parquet, the output folder;
//! - `store`, `partial`: the run's temporary records, and partial scans for `merge`;
//! - [`scan`], [`merge`] and [`inspect`]: the commands; [`cli`] is the clap border;
//! - [`net`]: `pull` and `listen`, the DICOM network into an archive that `scan` reads.
//!
//! The contract (commands, exit codes, columns) is docs/columns.md and README.md.
#![deny(missing_docs)]

// The modules other programs use (the binary, the tests, the fuzz target, the fixture
// writer's checks) are public; the stages only the library itself calls are private, so
// that an item nobody calls shows as dead code.
pub mod bodycomp;
pub mod carrier;
mod classify;
pub mod cli;
pub mod config;
pub mod date;
pub mod decimal;
mod discover;
pub mod document;
pub mod error;
mod exit;
mod export;
pub mod extract;
mod field_bytes;
mod flag;
mod followup;
mod hash;
pub mod inspect;
pub mod merge;
pub mod net;
mod normalise;
pub mod outcome;
pub mod output;
mod partial;
pub mod path_text;
pub mod pipeline;
pub mod profile;
mod provenance;
mod pseudonym;
pub mod read;
mod report;
pub mod scan;
mod short_bytes;
pub mod sr;
mod store;
#[cfg(test)]
mod test_files;
#[cfg(test)]
mod test_rng;
mod visible;
mod visit;
pub mod vocabulary;
mod warning;

pub use classify::{ClassifyOptions, VisitAssessment, classify_document, classify_visit};
pub use document::{Document, Measurement};
pub use error::{FileError, Reason, Status};
pub use exit::ExitCode;
pub use extract::extract;
pub use outcome::Outcome;
pub use profile::Mapper;
pub use pseudonym::Pseudonymizer;
pub use scan::process_bytes;
