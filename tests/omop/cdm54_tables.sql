-- The four OMOP CDM v5.4 tables dxa-ingest writes (omop/*.csv), for the DuckDB load test
-- (tests/omop.rs, docs/interop.md "Validation").
--
-- Source: the OMOP Common Data Model v5.4 specification by OHDSI
-- (https://ohdsi.github.io/CommonDataModel/cdm54.html; github.com/OHDSI/CommonDataModel,
-- inst/csv/OMOP_CDMv5.4_Field_Level.csv and inst/ddl/5.4, Apache License 2.0).
-- This file is our transcription of those four tables, column for column in the
-- specification's order, with its types, NOT NULLs and primary keys; it is not OHDSI's DDL
-- file. tests/omop.rs compares it with the official DuckDB DDL when OMOP_CDM_DDL_DIR names
-- a clone's inst/ddl/5.4/duckdb. `@cdmDatabaseSchema` is the schema, as in the official DDL.

CREATE TABLE @cdmDatabaseSchema.person (
    person_id                   integer     NOT NULL,
    gender_concept_id           integer     NOT NULL,
    year_of_birth               integer     NOT NULL,
    month_of_birth              integer     NULL,
    day_of_birth                integer     NULL,
    birth_datetime              TIMESTAMP   NULL,
    race_concept_id             integer     NOT NULL,
    ethnicity_concept_id        integer     NOT NULL,
    location_id                 integer     NULL,
    provider_id                 integer     NULL,
    care_site_id                integer     NULL,
    person_source_value         varchar(50) NULL,
    gender_source_value         varchar(50) NULL,
    gender_source_concept_id    integer     NULL,
    race_source_value           varchar(50) NULL,
    race_source_concept_id      integer     NULL,
    ethnicity_source_value      varchar(50) NULL,
    ethnicity_source_concept_id integer     NULL,
    PRIMARY KEY (person_id)
);

CREATE TABLE @cdmDatabaseSchema.observation_period (
    observation_period_id         integer NOT NULL,
    person_id                     integer NOT NULL,
    observation_period_start_date date    NOT NULL,
    observation_period_end_date   date    NOT NULL,
    period_type_concept_id        integer NOT NULL,
    PRIMARY KEY (observation_period_id)
);

CREATE TABLE @cdmDatabaseSchema.visit_occurrence (
    visit_occurrence_id           integer     NOT NULL,
    person_id                     integer     NOT NULL,
    visit_concept_id              integer     NOT NULL,
    visit_start_date              date        NOT NULL,
    visit_start_datetime          TIMESTAMP   NULL,
    visit_end_date                date        NOT NULL,
    visit_end_datetime            TIMESTAMP   NULL,
    visit_type_concept_id         integer     NOT NULL,
    provider_id                   integer     NULL,
    care_site_id                  integer     NULL,
    visit_source_value            varchar(50) NULL,
    visit_source_concept_id       integer     NULL,
    admitted_from_concept_id      integer     NULL,
    admitted_from_source_value    varchar(50) NULL,
    discharged_to_concept_id      integer     NULL,
    discharged_to_source_value    varchar(50) NULL,
    preceding_visit_occurrence_id integer     NULL,
    PRIMARY KEY (visit_occurrence_id)
);

CREATE TABLE @cdmDatabaseSchema.measurement (
    measurement_id                integer     NOT NULL,
    person_id                     integer     NOT NULL,
    measurement_concept_id        integer     NOT NULL,
    measurement_date              date        NOT NULL,
    measurement_datetime          TIMESTAMP   NULL,
    measurement_time              varchar(10) NULL,
    measurement_type_concept_id   integer     NOT NULL,
    operator_concept_id           integer     NULL,
    value_as_number               NUMERIC     NULL,
    value_as_concept_id           integer     NULL,
    unit_concept_id               integer     NULL,
    range_low                     NUMERIC     NULL,
    range_high                    NUMERIC     NULL,
    provider_id                   integer     NULL,
    visit_occurrence_id           integer     NULL,
    visit_detail_id               integer     NULL,
    measurement_source_value      varchar(50) NULL,
    measurement_source_concept_id integer     NULL,
    unit_source_value             varchar(50) NULL,
    unit_source_concept_id        integer     NULL,
    value_source_value            varchar(50) NULL,
    measurement_event_id          integer     NULL,
    meas_event_field_concept_id   integer     NULL,
    PRIMARY KEY (measurement_id)
);
