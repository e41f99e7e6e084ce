#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need (dcmtk's dsrdump,
# to check that every SR fixture is valid, and its storescu/echoscu as scanners for
# `listen`; Orthanc, the PACS of the `pull` tests; Chromium, to check that report.html
# renders), then runs every test of the workspace and the report check.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh
# Debian installs Orthanc in /usr/sbin, which is not on a normal user's PATH.
export PATH="$PATH:/usr/sbin"
ensure_command dsrdump dcmtk
ensure_command tmux tmux
ensure_command storescu dcmtk
ensure_command Orthanc orthanc

cargo test --workspace --locked "$@"
scripts/check-report.sh "${CARGO_TARGET_DIR:-target}/debug/dxa-ingest"
