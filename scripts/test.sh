#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (dcmtk's dsrdump,
# to check that every SR fixture is valid; Chromium, to check that report.html renders),
# then runs every test of the workspace and the report check.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh
ensure_command dsrdump dcmtk
ensure_command tmux tmux

cargo test --workspace --locked "$@"
scripts/check-report.sh "${CARGO_TARGET_DIR:-target}/debug/dxa-ingest"
