#!/usr/bin/env bash
# Checks that report.html from the sample run renders in headless Chromium: the rendered
# DOM holds every section and its SVG charts, the page's script drew the BMD trend of the
# patient it picks first, and a screenshot is produced. Installs the
# Debian package chromium when missing. Run by scripts/test.sh.
#
#   scripts/check-report.sh [DXA_INGEST_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh
ensure_command chromium chromium

binary=${1:-target/debug/dxa-ingest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$binary" scan fixtures/sample --out "$work/out" --quiet

profile="$work/profile"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --dump-dom "file://$work/out/report.html" \
    >"$work/dom.html" 2>/dev/null

svgs=$(grep -o '<svg class="chart"' "$work/dom.html" | wc -l)
for section in "What was scanned" "Visits that need attention" "Diagnostic categories" \
    "T-scores and WHO bands" "Files not ingested" "Follow-up outcomes" "Body composition" \
    "Scanners and study years"; do
    grep -q "$section</h2>" "$work/dom.html" || { echo "report: section '$section' missing"; exit 1; }
done
if [ "$svgs" -lt 8 ]; then
    echo "report: only $svgs SVG charts in the rendered page"
    exit 1
fi
# The page's script ran: it drew the trend of the first listed patient with a series.
trends=$(grep -o 'class="chart trend-chart"' "$work/dom.html" | wc -l)
if [ "$trends" -lt 1 ]; then
    echo "report: the script drew no BMD trend (is the attention table empty, or did the script fail?)"
    exit 1
fi
grep -q '<tr data-patient="[^>]*class="picked"' "$work/dom.html" \
    || { echo "report: no attention table row is marked as picked"; exit 1; }
scripts/screenshot-report.sh "$work/out/report.html" "$work/report.png" 4800 >/dev/null
size=$(stat -c %s "$work/report.png")
if [ "$size" -lt 50000 ]; then
    echo "report: the screenshot is $size bytes, the page looks blank"
    exit 1
fi
echo "report: renders in $(chromium --version): $svgs SVG charts, $trends trend charts drawn by its script, screenshot $size bytes"
