#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (dcmtk's dsrdump,
# to check that every SR fixture is valid, and its storescu/echoscu as scanners for
# `listen`; Orthanc, the PACS of the `pull` tests; openssl and systemd's tools, for the TLS
# certificates and the systemd units; Chromium, to check that report.html
# renders; pyspark and Java, for the Spark recipe; fhir.resources and duckdb, for the FHIR
# and OMOP exports), then runs every test of the workspace, the Spark recipe's test, the
# FHIR validation, the OMOP load and the report check.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh
# Debian installs Orthanc in /usr/sbin, which is not on a normal user's PATH.
export PATH="$PATH:/usr/sbin"
ensure_command dsrdump dcmtk
ensure_command tmux tmux
ensure_command storescu dcmtk
ensure_command Orthanc orthanc
# Certificates for the DICOM TLS tests (tests/net/tls.rs), and `systemd-analyze verify` for
# the units of packaging/ (tests/net/service.rs).
ensure_command openssl openssl
ensure_command systemd-analyze systemd
# The output folder keeps its ACLs (tests/integrity.rs sets and reads them).
ensure_command setfacl acl

cargo test --workspace --locked "$@"

# The Spark recipe (examples/spark) against one scan: tests/spark.rs, ignored by a plain
# `cargo test` because it needs pyspark and Java. Skipped, and said so, only when the
# package index cannot be reached.
spark_venv="${CARGO_TARGET_DIR:-target}/spark-venv"
spark_status=0
ensure_pyspark "$spark_venv" || spark_status=$?
case "$spark_status" in
0)
    DXA_SPARK_PYTHON="$(cd "$spark_venv" && pwd)/bin/python" \
        cargo test --locked --test tests spark::the_spark_recipe -- --ignored --nocapture
    ;;
2)
    echo "SKIPPED: the Spark recipe test (tests/spark.rs): pyspark $PYSPARK_VERSION cannot be installed, the package index is unreachable" >&2
    ;;
*)
    echo "FAILED: ensure_pyspark $spark_venv (pyspark $PYSPARK_VERSION, Java 17)" >&2
    exit 1
    ;;
esac

# The FHIR validation (fhir.resources, R4 4.0.1) and the OMOP load into DuckDB
# (tests/fhir.rs, tests/omop.rs), ignored by a plain `cargo test` because they need those
# Python packages. With OMOP_CDM_DDL_DIR set to a clone's inst/ddl/5.4/duckdb, the OMOP test
# also loads with OHDSI's own DDL. Skipped, and said so, only when the index is unreachable.
interop_venv="${CARGO_TARGET_DIR:-target}/interop-venv"
interop_status=0
ensure_interop "$interop_venv" || interop_status=$?
case "$interop_status" in
0)
    DXA_INTEROP_PYTHON="$(cd "$interop_venv" && pwd)/bin/python" \
        cargo test --locked --test tests -- --ignored --nocapture fhir:: omop::
    ;;
2)
    echo "SKIPPED: the FHIR validation and the OMOP load (tests/fhir.rs, tests/omop.rs): ${INTEROP_PACKAGES[*]} cannot be installed, the package index is unreachable" >&2
    ;;
*)
    echo "FAILED: ensure_interop $interop_venv (${INTEROP_PACKAGES[*]})" >&2
    exit 1
    ;;
esac

scripts/check-report.sh "${CARGO_TARGET_DIR:-target}/debug/dxa-ingest"
