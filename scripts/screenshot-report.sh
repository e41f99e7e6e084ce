#!/usr/bin/env bash
# Renders a report.html to a PNG with headless Chromium (Debian package `chromium`).
#
#   scripts/screenshot-report.sh HTML PNG [HEIGHT]
#
# HEIGHT is the window height in CSS pixels (default 8000; the page is 1280 wide): make it
# tall enough for the whole page. No network is used: the page is self-contained and the
# flags below keep Chromium from reaching out on its own.
set -euo pipefail

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then
  echo "usage: $0 HTML PNG [HEIGHT]" >&2
  exit 2
fi
html=$1
png=$2
height=${3:-8000}

chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then
      chromium=$(command -v "$candidate")
      break
    fi
  done
fi
if [ -z "$chromium" ]; then
  echo "chromium not found: apt-get install -y chromium (or set CHROMIUM=/path)" >&2
  exit 1
fi
if [ ! -f "$html" ]; then
  echo "no such file: $html" >&2
  exit 1
fi

html_abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
mkdir -p "$(dirname "$png")"
png_abs=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,"$height" \
  --screenshot="$png_abs" "file://$html_abs" 2>/dev/null

if [ ! -s "$png_abs" ]; then
  echo "no screenshot written to $png_abs" >&2
  exit 1
fi
echo "wrote $png_abs"
