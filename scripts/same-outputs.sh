#!/usr/bin/env bash
# Do two builds write the same outputs? The check behind every performance step of
# docs/performance.md ("outputs byte-identical"): both binaries scan the same inputs the
# same ways, and every output file but run.json (which records times and the binary) must
# be equal, the `--partial` files and the summary lines on stderr included.
#
# usage: scripts/same-outputs.sh OLD_BINARY NEW_BINARY
#   e.g. git stash; cargo build --release; cp target/release/dxa-ingest /tmp/dxa-old
#        git stash pop; cargo build --release
#        scripts/same-outputs.sh /tmp/dxa-old target/release/dxa-ingest
#
# The inputs: fixtures/sample, and corpora that dxa-fixtures writes into
# bench/work/same-outputs/ the first time (kept for the next call; about 100 MB): 2 000
# files of the benchmark's kind (SR files, report images, junk), 4 000 archive-shaped files,
# 2 000 body composition files and 2 000 SR files without junk. Each is scanned plain; the
# sample and the mixed corpus also with `--fhir --omop` and pseudonymised (`--pseudonymize
# KEY --shift-dates --fhir --omop`), the body corpus also pseudonymised; the mixed corpus
# also as two `--partial` halves and their `merge`.
# Exit code: 0 when every output is the same, 1 when any differs (the differences are
# printed), 2 on a usage error or when a corpus cannot be made.
set -uo pipefail

if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: scripts/same-outputs.sh OLD_BINARY NEW_BINARY (two executable dxa-ingest builds)" >&2
    exit 2
fi
OLD=$(realpath "$1")
NEW=$(realpath "$2")
cd "$(dirname "$0")/.."
WORK=bench/work/same-outputs
FIXTURES=${CARGO_TARGET_DIR:-target}/release/dxa-fixtures
if [ ! -x "$FIXTURES" ]; then
    cargo build --release --quiet -p dxa-fixtures || exit 2
fi

# corpus NAME KIND ARGS...: `dxa-fixtures KIND $WORK/NAME ARGS` unless already there, and
# $WORK/NAME.list, its files in sorted order.
corpus() {
    local name=$1 kind=$2
    shift 2
    if [ ! -f "$WORK/$name.list" ]; then
        rm -rf "${WORK:?}/$name"
        mkdir -p "$WORK"
        "$FIXTURES" "$kind" "$WORK/$name" "$@" >/dev/null || exit 2
        find "$PWD/$WORK/$name" -type f | LC_ALL=C sort >"$WORK/$name.list.new" || exit 2
        mv "$WORK/$name.list.new" "$WORK/$name.list"
    fi
}
corpus mixed corpus --n 2000 --seed 1
corpus archive corpus --n 4000 --seed 1 --archive --junk-pct 0
corpus body body-corpus --n 2000
corpus sr corpus --n 2000 --seed 1 --junk-pct 0

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
head -c 32 /dev/zero | tr '\0' 'k' >"$SCRATCH/key"
head -n 1000 "$WORK/mixed.list" >"$SCRATCH/first.list"
tail -n +1001 "$WORK/mixed.list" >"$SCRATCH/second.list"
PSEUDO=(--pseudonymize "$SCRATCH/key" --shift-dates --fhir --omop)

# outputs BINARY DIR: every run into DIR/<case>, with each run's exit code and its stderr
# (times and DIR itself replaced, so that two runs can be compared).
outputs() {
    local bin=$1 dir=$2
    mkdir -p "$dir"
    run() {
        local name=$1 rc=0
        shift
        "$bin" "$@" --quiet >"$dir/$name.stdout" 2>"$dir/$name.raw" || rc=$?
        sed -E "s/ in [0-9.]+ s/ in T s/; s#$dir#DIR#g" "$dir/$name.raw" >"$dir/$name.stderr"
        rm "$dir/$name.raw"
        echo "$name: exit $rc" >>"$dir/exit-codes.txt"
    }
    run sample scan fixtures/sample --out "$dir/sample"
    run sample-exports scan fixtures/sample --out "$dir/sample-exports" --fhir --omop
    run sample-pseudonymised scan fixtures/sample --out "$dir/sample-pseudonymised" "${PSEUDO[@]}"
    run mixed scan --files-from "$WORK/mixed.list" --out "$dir/mixed"
    run mixed-exports scan --files-from "$WORK/mixed.list" --out "$dir/mixed-exports" --fhir --omop
    run mixed-pseudonymised scan --files-from "$WORK/mixed.list" --out "$dir/mixed-pseudonymised" "${PSEUDO[@]}"
    run archive scan --files-from "$WORK/archive.list" --out "$dir/archive"
    run body scan --files-from "$WORK/body.list" --out "$dir/body" --fhir --omop
    run body-pseudonymised scan --files-from "$WORK/body.list" --out "$dir/body-pseudonymised" "${PSEUDO[@]}"
    run sr scan --files-from "$WORK/sr.list" --out "$dir/sr"
    run first-partial scan --files-from "$SCRATCH/first.list" --partial "$dir/first.part"
    run second-partial scan --files-from "$SCRATCH/second.list" --partial "$dir/second.part"
    run merged merge "$dir/first.part" "$dir/second.part" --out "$dir/merged"
}
outputs "$OLD" "$SCRATCH/old"
outputs "$NEW" "$SCRATCH/new"
if diff -r -x run.json "$SCRATCH/old" "$SCRATCH/new"; then
    echo "same outputs: $(grep -c . "$SCRATCH/new/exit-codes.txt") runs, $(find "$SCRATCH/new" -type f ! -name run.json | wc -l) files compared"
    exit 0
fi
echo "the outputs differ (above)" >&2
exit 1
