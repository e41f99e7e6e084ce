//! Integration tests: the `dxa-ingest` binary end to end, on fixtures built by the
//! `dxa-fixtures` writer (in memory) and on the committed `fixtures/sample` tree.

mod util;

mod cli;
mod fixtures_sample;
mod hostile;
mod readers;
mod regression;
mod research;
mod scale;
mod scan;
mod spark;
