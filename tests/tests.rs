//! Integration tests: the `dxa-ingest` binary end to end, on fixtures built by the
//! `dxa-fixtures` writer (in memory) and on the committed `fixtures/sample` tree.

mod util;

mod bodycomp;
mod bombs;
mod carriers;
mod cli;
mod everyday;
mod export;
mod fhir;
mod fixtures_sample;
mod hologic_documents;
mod hostile;
mod imports;
mod input;
mod integrity;
mod net;
mod omop;
mod paths;
mod privacy;
mod readers;
mod refusals;
mod regression;
mod report;
mod research;
mod resends;
mod rss;
mod scale;
mod scan;
mod spark;
mod swap;
