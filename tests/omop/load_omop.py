"""Loads dxa-ingest's omop/ folder into DuckDB and reports what tests/omop.rs checks.

    python load_omop.py OMOP_DIR DDL.sql [MORE.sql ...] [--compare OFFICIAL_DDL_DIR]

Creates the tables from the SQL files (`@cdmDatabaseSchema` replaced by a schema), loads
person, observation_period, visit_occurrence and measurement from OMOP_DIR (each CSV file in
its table's column order; empty cells are NULL), and prints one JSON object: the row count
of each table, the rows that break a join, the longest text of each varchar(50) column. A
NOT NULL or primary key that a row breaks fails the load (exit 1, DuckDB's message). With
--compare, our transcription (the first SQL file) is also set beside the official DDL of
OFFICIAL_DDL_DIR (OMOPCDM_duckdb_5.4_ddl.sql) and every column's position, type and
nullability, and every primary key, compared: the differences are listed.
"""

import json
import pathlib
import sys

import duckdb

TABLES = ["person", "observation_period", "visit_occurrence", "measurement"]

VARCHAR_50 = {
    "person": ["person_source_value", "gender_source_value"],
    "visit_occurrence": ["visit_source_value"],
    "measurement": ["measurement_source_value", "unit_source_value", "value_source_value"],
}


def create(con, schema, sql_files):
    con.execute(f"CREATE SCHEMA {schema}")
    for path in sql_files:
        con.execute(pathlib.Path(path).read_text().replace("@cdmDatabaseSchema", schema))


def load(con, schema, folder):
    for table in TABLES:
        path = str(folder / f"{table}.csv")
        con.execute(
            f"INSERT INTO {schema}.{table} SELECT * FROM read_csv(?, header = true, "
            "all_varchar = true, delim = ',', quote = '\"', escape = '\"', auto_detect = false, "
            f"columns = {columns_of(con, schema, table)})",
            [path],
        )


def columns_of(con, schema, table):
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND "
        "table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return "{" + ", ".join(f"'{name}': 'VARCHAR'" for (name,) in rows) + "}"


def scalar(con, sql):
    return con.execute(sql).fetchone()[0]


def report(con, schema):
    s = schema
    out = {"counts": {t: scalar(con, f"SELECT count(*) FROM {s}.{t}") for t in TABLES}}
    out["orphans"] = {
        "measurement_without_visit": scalar(
            con,
            f"SELECT count(*) FROM {s}.measurement m LEFT JOIN {s}.visit_occurrence v "
            "USING (visit_occurrence_id) WHERE v.visit_occurrence_id IS NULL",
        ),
        "measurement_of_another_person_than_its_visit": scalar(
            con,
            f"SELECT count(*) FROM {s}.measurement m JOIN {s}.visit_occurrence v "
            "USING (visit_occurrence_id) WHERE m.person_id <> v.person_id",
        ),
        "measurement_on_another_day_than_its_visit": scalar(
            con,
            f"SELECT count(*) FROM {s}.measurement m JOIN {s}.visit_occurrence v "
            "USING (visit_occurrence_id) WHERE m.measurement_date <> v.visit_start_date",
        ),
        "visit_without_person": scalar(
            con,
            f"SELECT count(*) FROM {s}.visit_occurrence v LEFT JOIN {s}.person p "
            "USING (person_id) WHERE p.person_id IS NULL",
        ),
        "person_without_period": scalar(
            con,
            f"SELECT count(*) FROM {s}.person p LEFT JOIN {s}.observation_period o "
            "USING (person_id) WHERE o.person_id IS NULL",
        ),
        "visit_outside_its_period": scalar(
            con,
            f"SELECT count(*) FROM {s}.visit_occurrence v JOIN {s}.observation_period o "
            "USING (person_id) WHERE v.visit_start_date < o.observation_period_start_date "
            "OR v.visit_end_date > o.observation_period_end_date",
        ),
    }
    out["max_length"] = {
        f"{t}.{c}": scalar(con, f"SELECT coalesce(max(length({c})), 0) FROM {s}.{t}")
        for t, cols in VARCHAR_50.items()
        for c in cols
    }
    return out


def shape(con, schema):
    columns = con.execute(
        "SELECT table_name, ordinal_position, column_name, data_type, is_nullable FROM "
        "information_schema.columns WHERE table_schema = ? AND table_name IN "
        "('person', 'observation_period', 'visit_occurrence', 'measurement') "
        "ORDER BY table_name, ordinal_position",
        [schema],
    ).fetchall()
    keys = con.execute(
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE "
        "schema_name = ? AND constraint_type = 'PRIMARY KEY' AND table_name IN "
        "('person', 'observation_period', 'visit_occurrence', 'measurement') "
        "ORDER BY table_name",
        [schema],
    ).fetchall()
    return columns, [(t, list(c)) for t, c in keys]


def main(argv):
    compare = None
    if "--compare" in argv:
        at = argv.index("--compare")
        compare = pathlib.Path(argv[at + 1])
        argv = argv[:at] + argv[at + 2:]
    folder, sql_files = pathlib.Path(argv[0]), argv[1:]
    con = duckdb.connect()
    create(con, "cdm", sql_files)
    load(con, "cdm", folder)
    out = report(con, "cdm")
    out["duckdb"] = duckdb.__version__
    if compare is not None:
        create(con, "official", [compare / "OMOPCDM_duckdb_5.4_ddl.sql",
                                 compare / "OMOPCDM_duckdb_5.4_primary_keys.sql"])
        create(con, "ours", sql_files[:1])
        (ours_cols, ours_keys), (off_cols, off_keys) = shape(con, "ours"), shape(con, "official")
        out["compared_columns"] = len(off_cols)
        out["official_differences"] = [
            f"ours {a} / official {b}" for a, b in zip(ours_cols, off_cols) if a != b
        ] + ([f"ours has {len(ours_cols)} columns, official {len(off_cols)}"]
             if len(ours_cols) != len(off_cols) else []) + (
            [f"primary keys: ours {ours_keys}, official {off_keys}"]
            if ours_keys != off_keys else [])
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except duckdb.Error as error:
        print(f"load_omop: {error}", file=sys.stderr)
        sys.exit(1)
