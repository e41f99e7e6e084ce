#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (dcmtk's dsrdump,
# to check that every SR fixture is valid; Chromium, to check that report.html renders),
# then runs every test of the workspace and the report check.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dsrdump >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq dcmtk >/dev/null
fi

cargo test --workspace --locked "$@"
scripts/check-report.sh "${CARGO_TARGET_DIR:-target}/debug/dxa-ingest"
