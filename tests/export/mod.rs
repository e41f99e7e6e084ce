//! The research exports of docs/interop.md beside the tables: visits_wide.csv, `--excel`,
//! partial scans with merge carrying visit_id, the wide table, FHIR and OMOP, and the body
//! composition in FHIR and OMOP.
//! (FHIR and OMOP themselves: tests/fhir.rs, tests/omop.rs.)

mod body;
mod excel;
mod folders;
mod merge;
mod visit_id;
mod wide;
