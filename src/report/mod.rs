//! `report.html`: a self-contained page a department can act on (no network: inline CSS,
//! inline SVG, an inline script): what was scanned, the visits that need attention with
//! each listed patient's BMD trend, the categories, the T-scores by WHO band, the files not
//! ingested with the next step, the follow-up outcomes, the scanners and years.
//!
//! Data side: `ReportData` holds counts and short capped lists, filled while the run
//! writes its rows (`Collector` per partition, `ReportData::add_file` in path order) and
//! merged over the partitions in any order to the same value. Page side: `render` turns
//! it and the caller's `RunInfo` into the page (`page`, one module per section in
//! `sections`, the chart kit in `chart`). The page stays small on any archive: every list
//! in it is capped, and it says how many more the CSVs hold.

mod attention;
mod bands;
mod chart;
mod collect;
mod data;
mod files;
mod html;
mod page;
mod run;
mod sections;

pub use collect::Collector;
pub use data::ReportData;
pub use page::render;
pub use run::RunInfo;

#[cfg(test)]
mod tests;
