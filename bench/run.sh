#!/usr/bin/env bash
# Throughput and memory benchmark of `dxa-ingest scan` against its peers.
#
# usage: bench/run.sh [N]                      (default N=20000 SR files)
#
# environment:
#   REPEAT=3            runs of the pydicom peer and of dsrdump; the median is reported
#   FAST_REPEAT=7       runs of dxa-ingest and of the floor, in turns (dxa, floor, dxa, ...)
#   BENCH_SMOKE=1       CI mode: one run each, docs/benchmarks.md not written
#   BENCH_WRITE_DOCS=1  write docs/benchmarks.md even in smoke mode
#                       (default: written unless BENCH_SMOKE=1)
#   BENCH_MEMORY_N=M    also scan a corpus of M SR files with dxa-ingest alone and add
#                       a "peak RSS vs N" table
#   BENCH_IMAGES_N=K    SR files of the image-heavy corpus (a 1-3 MB report image beside
#                       each results document), timed against cat with bytes read
#                       [default: 1000; 40 in smoke mode; 0 to leave it out]
#   BENCH_ARCHIVE_N="A B"  sizes of the archive-shaped corpus (every file its own small
#                       study, two studies per patient), each timed against cat in turns
#                       [default: "4000 20000"; "200" in smoke mode; 0 to leave it out]
#   BENCH_GIANT_N=G     documents of the giant-visit corpus (G documents in
#                       BENCH_GIANT_VISITS visits, default 8), scanned once for peak RSS
#                       [default: 100000; 400 in smoke mode; 0 to leave it out]
#   BENCH_BODY_N=B      files of the body composition corpus (half Hologic whole-body
#                       images, half GE enCORE exports of three exams), timed in turns
#                       against an SR corpus of as many files: the cost per file; then
#                       each kind alone against as many SR files: per file and per document
#                       [default: 2000; 40 in smoke mode; 0 to leave it out]
#   BENCH_EXPORT=1      also time `scan --fhir --omop` against a plain scan on the main
#                       corpus, in turns [default: 1; 0 to leave it out]
#   BENCH_SEED=1        corpus seed
#   CARGO_TARGET_DIR    respected (binaries are taken from $CARGO_TARGET_DIR/release)
#
# Contenders, all on the same corpus, the same warm page cache and J=$(nproc) workers:
#   dxa-ingest  target/release/dxa-ingest scan CORPUS --out DIR --jobs J --quiet
#   pydicom     python3 bench/peer_pydicom.py CORPUS --out X.csv --jobs J
#   dcmtk       find | xargs -0 -n 64 -P J dsrdump -q   (parse and print every file)
#   floor       find | xargs -0 -n 256 -P J cat         (read every byte, nothing else)
#
# Fails (non-zero) if the build, the corpus, dxa-ingest (exit code other than 0 or 3)
# or the pydicom peer fails. dsrdump errors are expected (junk files, and SR files
# without the 128-byte preamble, which DCMTK 3.6.7 cannot open) and ignored.
set -euo pipefail

N=${1:-20000}
SMOKE=${BENCH_SMOKE:-0}
if [ "$SMOKE" = "1" ]; then
    REPEAT=1
    FAST_REPEAT=1
    WRITE_DOCS=${BENCH_WRITE_DOCS:-0}
else
    REPEAT=${REPEAT:-3}
    FAST_REPEAT=${FAST_REPEAT:-7}
    WRITE_DOCS=${BENCH_WRITE_DOCS:-1}
fi
SEED=${BENCH_SEED:-1}
MEMORY_N=${BENCH_MEMORY_N:-}
if [ "$SMOKE" = "1" ]; then IMAGES_N=${BENCH_IMAGES_N:-40}; else IMAGES_N=${BENCH_IMAGES_N:-1000}; fi
if [ "$SMOKE" = "1" ]; then ARCHIVE_NS=${BENCH_ARCHIVE_N:-200}; else ARCHIVE_NS=${BENCH_ARCHIVE_N:-4000 20000}; fi
if [ "$SMOKE" = "1" ]; then GIANT_N=${BENCH_GIANT_N:-400}; else GIANT_N=${BENCH_GIANT_N:-100000}; fi
GIANT_VISITS=${BENCH_GIANT_VISITS:-8}
if [ "$SMOKE" = "1" ]; then BODY_N=${BENCH_BODY_N:-40}; else BODY_N=${BENCH_BODY_N:-2000}; fi
EXPORT=${BENCH_EXPORT:-1}

case "$N" in '' | *[!0-9]*)
    echo "usage: bench/run.sh [N]   (N: number of SR files, got '$N')" >&2
    exit 2
    ;;
esac
for count in "$REPEAT" "$FAST_REPEAT" "$GIANT_VISITS"; do
    case "$count" in '' | *[!0-9]* | 0)
        echo "REPEAT, FAST_REPEAT and BENCH_GIANT_VISITS must be positive integers (got '$REPEAT', '$FAST_REPEAT', '$GIANT_VISITS')" >&2
        exit 2
        ;;
    esac
done
for count in $ARCHIVE_NS "$GIANT_N" "$IMAGES_N"; do
    case "$count" in '' | *[!0-9]*)
        echo "BENCH_ARCHIVE_N, BENCH_GIANT_N and BENCH_IMAGES_N must be numbers (got '$ARCHIVE_NS', '$GIANT_N', '$IMAGES_N')" >&2
        exit 2
        ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
. scripts/lib.sh
COMMAND="bench/run.sh $*"
[ "$REPEAT" != "3" ] && [ "$SMOKE" != "1" ] && COMMAND="REPEAT=$REPEAT $COMMAND"
[ "$FAST_REPEAT" != "7" ] && [ "$SMOKE" != "1" ] && COMMAND="FAST_REPEAT=$FAST_REPEAT $COMMAND"
[ -n "$MEMORY_N" ] && COMMAND="BENCH_MEMORY_N=$MEMORY_N $COMMAND"
[ -n "${BENCH_IMAGES_N:-}" ] && COMMAND="BENCH_IMAGES_N=$BENCH_IMAGES_N $COMMAND"
[ -n "${BENCH_ARCHIVE_N:-}" ] && COMMAND="BENCH_ARCHIVE_N=\"$BENCH_ARCHIVE_N\" $COMMAND"
[ -n "${BENCH_GIANT_N:-}" ] && COMMAND="BENCH_GIANT_N=$BENCH_GIANT_N $COMMAND"
[ -n "${BENCH_GIANT_VISITS:-}" ] && COMMAND="BENCH_GIANT_VISITS=$BENCH_GIANT_VISITS $COMMAND"
[ -n "${BENCH_EXPORT:-}" ] && COMMAND="BENCH_EXPORT=$BENCH_EXPORT $COMMAND"
[ -n "${BENCH_WRITE_DOCS:-}" ] && COMMAND="BENCH_WRITE_DOCS=$BENCH_WRITE_DOCS $COMMAND"
[ "$SMOKE" = "1" ] && COMMAND="BENCH_SMOKE=1 $COMMAND"
COMMAND=${COMMAND% }

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
DXA=$TARGET/release/dxa-ingest
FIXTURES=$TARGET/release/dxa-fixtures
WORK=$ROOT/bench/work
J=$(nproc)
TIME=/usr/bin/time
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/run.sh needs bash 5 (EPOCHREALTIME)" >&2; exit 1; }

log() { printf '== %s\n' "$*" >&2; }
die() {
    printf 'bench/run.sh: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------- prerequisites
as_root() {
    if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi
}
apt_install() {
    log "installing $*"
    as_root apt-get update -qq >&2 || true
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}
[ -x "$TIME" ] || apt_install time || die "GNU time ($TIME) is needed"
command -v cargo >/dev/null || die "cargo is needed"
command -v python3 >/dev/null || die "python3 is needed"
if ! python3 -c 'import pydicom' 2>/dev/null; then
    log "installing pydicom"
    python3 -m pip install --quiet 'pydicom>=3' >&2 || die "pip install pydicom failed"
fi
HAVE_DCMTK=1
if ! command -v dsrdump >/dev/null; then
    apt_install dcmtk || true
    command -v dsrdump >/dev/null || {
        HAVE_DCMTK=0
        log "dsrdump unavailable: the dcmtk row is left out"
    }
fi

log "building (release) into $TARGET"
cargo build --release --quiet -p dxa-ingest -p dxa-fixtures
[ -x "$DXA" ] || die "no binary at $DXA"
[ -x "$FIXTURES" ] || die "no binary at $FIXTURES"

# ---------------------------------------------------------------- corpus
# corpus DIR N [FLAGS...]: generate N SR files (plus junk) into DIR unless a complete
# corpus with the same N, flags, seed and generator source is already there.
corpus() {
    local dir=$1 n=$2 stamp key
    shift 2
    stamp=$dir.stamp
    key="n=$n seed=$SEED flags=$* gen=$(find crates/dxa-fixtures/src -name '*.rs' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
    if [ -d "$dir" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
        log "reusing $dir ($key)"
        return
    fi
    log "generating $dir ($key)"
    rm -rf "$dir" "$stamp"
    mkdir -p "$(dirname "$dir")"
    "$FIXTURES" corpus "$dir" --n "$n" --seed "$SEED" "$@" >&2
    printf '%s\n' "$key" >"$stamp"
}

count_files() { find "$1" -type f -printf x | wc -c; }
warm() {
    log "warming the page cache ($1)"
    find "$1" -type f -print0 | xargs -0 -n 256 cat >/dev/null
}

# ---------------------------------------------------------------- measuring
# median X...: scripts/lib.sh.

# time_once NAME CMD...: run CMD once and add its wall time (bash's EPOCHREALTIME around
# /usr/bin/time, because %e only has 10 ms resolution), CPU time (user + system of CMD and
# its children, from bash's `times`: GNU time's %U and %S also have only 10 ms, a sixth of
# a body composition run's) and peak RSS (GNU time's %M, KiB) to NAME's runs. Output of
# CMD goes to $WORK/log/NAME.*; its exit code is judged by check_NAME.
declare -A RUN_WALLS RUN_CPUS RUN_RSS RUN_COUNT

# children_cpu_ms: sets CHILDREN_CPU_MS to the user + system milliseconds of every child
# this shell has waited for. `times` is run in this shell (a subshell would count its own
# children), its second line read from a file: "0m0.043s 0m0.029s".
children_cpu_ms() {
    local user system ms=0 t minutes seconds
    times >"$WORK/log/times"
    { read -r _ && read -r user system; } <"$WORK/log/times"
    for t in "$user" "$system"; do
        t=${t%s}
        minutes=${t%%m*}
        seconds=${t#*m}
        ms=$((ms + minutes * 60000 + 10#${seconds%.*} * 1000 + 10#${seconds#*.}))
    done
    CHILDREN_CPU_MS=$ms
}
time_once() {
    local name=$1 rc t0 t1 t e m c c0
    shift
    mkdir -p "$WORK/log"
    rm -rf "$WORK/out"
    mkdir -p "$WORK/out"
    rc=0
    children_cpu_ms
    c0=$CHILDREN_CPU_MS
    t0=$EPOCHREALTIME
    "$TIME" -f '%e %M' -o "$WORK/log/$name.time" "$@" \
        >"$WORK/log/$name.stdout" 2>"$WORK/log/$name.stderr" || rc=$?
    t1=$EPOCHREALTIME
    children_cpu_ms
    "check_$name" "$rc"
    read -r e m < <(tail -n 1 "$WORK/log/$name.time")
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    c=$(awk -v ms="$((CHILDREN_CPU_MS - c0))" 'BEGIN { printf "%.3f", ms / 1000 }')
    RUN_WALLS[$name]="${RUN_WALLS[$name]:-} $t"
    RUN_CPUS[$name]="${RUN_CPUS[$name]:-} $c"
    [ "$m" -gt "${RUN_RSS[$name]:-0}" ] && RUN_RSS[$name]=$m
    RUN_COUNT[$name]=$((${RUN_COUNT[$name]:-0} + 1))
    log "$name run ${RUN_COUNT[$name]}: $t s wall (GNU time: $e s), $c s CPU, $(mib "$m") MiB"
}

# summarise NAME: sets WALL (median wall seconds), CPU (median CPU seconds), RSS (largest
# peak RSS) and RUNS over NAME's runs, then forgets them.
summarise() {
    WALL=$(median ${RUN_WALLS[$1]})
    CPU=$(median ${RUN_CPUS[$1]})
    RSS=${RUN_RSS[$1]}
    RUNS=${RUN_COUNT[$1]}
    unset "RUN_WALLS[$1]" "RUN_CPUS[$1]" "RUN_RSS[$1]" "RUN_COUNT[$1]"
}

# run_timed NAME CMD...: CMD REPEAT times, then summarise NAME.
run_timed() {
    local i
    for i in $(seq 1 "$REPEAT"); do
        time_once "$@"
    done
    summarise "$1"
}

check_dxa() {
    case "$1" in
    0 | 3) ;;
    *)
        cat "$WORK/log/dxa.stderr" >&2
        die "dxa-ingest failed (exit code $1)"
        ;;
    esac
}
check_export() { check_dxa "$1"; }
check_sr() { check_dxa "$1"; }
check_encore() { check_dxa "$1"; }
check_peer() {
    if [ "$1" != "0" ]; then
        cat "$WORK/log/peer.stderr" >&2
        die "peer_pydicom.py failed (exit code $1)"
    fi
}
# xargs exits 123 when some dsrdump call failed: expected (see the header), not fatal.
check_dcmtk() {
    case "$1" in
    0 | 123) ;;
    *) die "dsrdump via xargs failed (exit code $1)" ;;
    esac
}
check_floor() { [ "$1" = "0" ] || die "cat via xargs failed (exit code $1)"; }

fps() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "inf" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# ---------------------------------------------------------------- main run
CORPUS=$WORK/corpus-$N
corpus "$CORPUS" "$N"
FILES=$(count_files "$CORPUS")
BYTES=$(du -sb "$CORPUS" | cut -f1)
warm "$CORPUS"
LOAD=$(cut -d" " -f1-3 /proc/loadavg)

if [ "$HAVE_DCMTK" = "1" ]; then
    # Spot check: dsrdump really parses (prints the content tree of a readable SR).
    probe=$(find "$CORPUS" -type f -name '*.dcm' -print0 | sort -z | head -z -n 50 |
        xargs -0 dsrdump -q 2>/dev/null | grep -c 'NUM:(' || true)
    [ "${probe:-0}" -gt 0 ] || die "dsrdump printed no NUM item for the first 50 .dcm files"
    log "dsrdump spot check: $probe NUM lines from the first 50 .dcm files"
    # How many files dsrdump rejects (untimed, every k-th file: at most about 400).
    step=$(((FILES + 399) / 400))
    DCMTK_SAMPLE=0
    DCMTK_REJECTED=0
    i=0
    while IFS= read -r -d '' f; do
        i=$((i + 1))
        [ $(((i - 1) % step)) -eq 0 ] || continue
        DCMTK_SAMPLE=$((DCMTK_SAMPLE + 1))
        dsrdump -q "$f" >/dev/null 2>&1 || DCMTK_REJECTED=$((DCMTK_REJECTED + 1))
    done < <(find "$CORPUS" -type f -print0 | sort -z)
fi

declare -A WALLS RSSS CPUS RUNSS
# dxa-ingest and the floor are timed in turns, FAST_REPEAT times each: their ratio compares
# two runs of a second or less, and this machine's speed drifts by 10-30 % over minutes
# (other tenants of the host). In turns, both see the same conditions; the pydicom peer
# and dsrdump, which take minutes, run between them otherwise.
for i in $(seq 1 "$FAST_REPEAT"); do
    time_once dxa "$DXA" scan "$CORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
    DXA_MEAS=$(($(wc -l <"$WORK/out/dxa/measurements.csv") - 1))
    DXA_STUDIES=$(($(wc -l <"$WORK/out/dxa/studies.csv") - 1))
    DXA_ERRORS=$(awk -F, 'NR > 1 && $2 == "error"' "$WORK/out/dxa/files.csv" | wc -l)
    time_once floor bash -c 'find "$1" -type f -print0 | xargs -0 -n 256 -P "$2" cat >/dev/null' _ "$CORPUS" "$J"
done
summarise dxa
WALLS[dxa]=$WALL RSSS[dxa]=$RSS CPUS[dxa]=$CPU RUNSS[dxa]=$RUNS
summarise floor
WALLS[floor]=$WALL RSSS[floor]=$RSS CPUS[floor]=$CPU RUNSS[floor]=$RUNS

run_timed peer python3 bench/peer_pydicom.py "$CORPUS" --out "$WORK/out/peer.csv" --jobs "$J"
WALLS[peer]=$WALL RSSS[peer]=$RSS CPUS[peer]=$CPU RUNSS[peer]=$RUNS
PEER_SUMMARY="pydicom peer, last run: $(tail -n 1 "$WORK/log/peer.stderr" | sed 's/^peer_pydicom: //')"

if [ "$HAVE_DCMTK" = "1" ]; then
    run_timed dcmtk bash -c 'find "$1" -type f -print0 | xargs -0 -n 64 -P "$2" dsrdump -q >/dev/null' _ "$CORPUS" "$J"
    WALLS[dcmtk]=$WALL RSSS[dcmtk]=$RSS CPUS[dcmtk]=$CPU RUNSS[dcmtk]=$RUNS
fi


# ---------------------------------------------------------------- table
row() { # key label
    local w=${WALLS[$1]} r=${RSSS[$1]} c=${CPUS[$1]}
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$(fps "$FILES" "$w")" "$w" "${RUNSS[$1]}" "$c" \
        "$(mib "$r")" "$(ratio "$w" "${WALLS[dxa]}")"
}
TABLE=$(
    echo "| contender | files/s | wall s (median) | runs | CPU s (median) | peak RSS MiB | time vs dxa-ingest |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    row dxa "dxa-ingest scan"
    row peer "pydicom peer (bench/peer_pydicom.py)"
    [ "$HAVE_DCMTK" = "1" ] && row dcmtk "dcmtk dsrdump (parse + print only)"
    row floor "floor: cat every file"
)
FLOOR_RATIO=$(ratio "$(fps "$FILES" "${WALLS[floor]}")" "$(fps "$FILES" "${WALLS[dxa]}")")
SUMMARY="Corpus: $FILES files ($N DXA SR + junk, $((BYTES / 1024 / 1024)) MiB), $J jobs.
dxa-ingest vs floor: floor files/s / dxa-ingest files/s = $FLOOR_RATIO.
dxa-ingest output: $DXA_STUDIES studies, $DXA_MEAS measurement rows, $DXA_ERRORS error files.
${PEER_SUMMARY}"
if [ "$HAVE_DCMTK" = "1" ]; then
    SUMMARY="$SUMMARY
dsrdump rejected $DCMTK_REJECTED of a sample of $DCMTK_SAMPLE files (junk, non-SR DICOM, and SR files without the 128-byte preamble)."
fi

echo
echo "$TABLE"
echo
echo "$SUMMARY"

# ---------------------------------------------------------------- the exports' cost
# `--fhir --omop` (docs/interop.md) against a plain scan of the same corpus, in turns.
EXPORT_TABLE=""
if [ "$EXPORT" = "1" ]; then
    for i in $(seq 1 "$FAST_REPEAT"); do
        time_once dxa "$DXA" scan "$CORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
        time_once export "$DXA" scan "$CORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet --fhir --omop
        EXPORT_BYTES=$(du -sb "$WORK/out/dxa/fhir" "$WORK/out/dxa/omop" | awk '{ s += $1 } END { print s }')
    done
    summarise dxa
    PLAIN_WALL=$WALL PLAIN_CPU=$CPU PLAIN_RSS=$RSS
    summarise export
    EXPORT_TABLE=$(
        echo "| run | wall s (median) | CPU s (median) | peak RSS MiB | time vs plain scan |"
        echo "|---|---:|---:|---:|---:|"
        printf '| scan | %s | %s | %s | 1.00 |\n' "$PLAIN_WALL" "$PLAIN_CPU" "$(mib "$PLAIN_RSS")"
        printf '| scan --fhir --omop | %s | %s | %s | %s |\n' "$WALL" "$CPU" "$(mib "$RSS")" "$(ratio "$WALL" "$PLAIN_WALL")"
        echo
        echo "The main corpus ($FILES files), $J jobs, the two in turns, $FAST_REPEAT runs each; the exports wrote $((EXPORT_BYTES / 1024 / 1024)) MiB (fhir/ and omop/). Goal: under 1.20."
    )
    echo
    echo "$EXPORT_TABLE"
fi

# ---------------------------------------------------------------- peak RSS vs N
MEM_TABLE=""
if [ -n "$MEMORY_N" ]; then
    MCORPUS=$WORK/corpus-$MEMORY_N
    corpus "$MCORPUS" "$MEMORY_N"
    MFILES=$(count_files "$MCORPUS")
    warm "$MCORPUS"
    time_once dxa "$DXA" scan "$MCORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
    summarise dxa
    MEM_TABLE=$(
        echo "| SR files (N) | files | files/s | peak RSS MiB |"
        echo "|---:|---:|---:|---:|"
        printf '| %s | %s | %s | %s |\n' "$N" "$FILES" "$(fps "$FILES" "${WALLS[dxa]}")" "$(mib "${RSSS[dxa]}")"
        printf '| %s | %s | %s | %s |\n' "$MEMORY_N" "$MFILES" "$(fps "$MFILES" "$WALL")" "$(mib "$RSS")"
    )
    echo
    echo "$MEM_TABLE"
fi
# ---------------------------------------------------------------- image-heavy corpus
# Report images carry megabytes of pixel data after their results: dxa-ingest reads each
# file's head (up to the pixel data), cat reads every byte.
IMG_TABLE=""
if [ "$IMAGES_N" -gt 0 ]; then
    ICORPUS=$WORK/corpus-images-$IMAGES_N
    corpus "$ICORPUS" "$IMAGES_N" --image-heavy
    IFILES=$(count_files "$ICORPUS")
    IBYTES=$(du -sb "$ICORPUS" | cut -f1)
    warm "$ICORPUS"
    for i in $(seq 1 "$FAST_REPEAT"); do
        time_once dxa "$DXA" scan "$ICORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
        IREAD=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes_read"])' "$WORK/out/dxa/run.json")
        time_once floor bash -c 'find "$1" -type f -print0 | xargs -0 -n 256 -P "$2" cat >/dev/null' _ "$ICORPUS" "$J"
    done
    summarise dxa
    IDXA_WALL=$WALL IDXA_RSS=$RSS
    summarise floor
    IFLOOR_WALL=$WALL
    IMG_TABLE=$(
        echo "| contender | files/s | wall s (median) | bytes read | share of the corpus |"
        echo "|---|---:|---:|---:|---:|"
        printf '| dxa-ingest scan | %s | %s | %s | %s |
' "$(fps "$IFILES" "$IDXA_WALL")" "$IDXA_WALL" "$IREAD" \
            "$(awk -v a="$IREAD" -v b="$IBYTES" 'BEGIN { printf "%.1f %%", 100 * a / b }')"
        printf '| floor: cat every file | %s | %s | %s | 100 %% |
' "$(fps "$IFILES" "$IFLOOR_WALL")" "$IFLOOR_WALL" "$IBYTES"
        echo
        echo "Image-heavy corpus: $IFILES files ($IMAGES_N results documents, a 1-3 MB report image beside each, $((IBYTES / 1024 / 1024)) MiB), $J jobs."
        echo "dxa-ingest time / floor time = $(ratio "$IDXA_WALL" "$IFLOOR_WALL"); dxa-ingest peak RSS $(mib "$IDXA_RSS") MiB."
    )
    echo
    echo "$IMG_TABLE"
fi
# ---------------------------------------------------------------- body composition corpus
# Whole-body images and enCORE exports (each export three documents) against SR files:
# the goal is no slower per file than SR documents (docs/performance.md, "Body composition files").
BODY_TABLE=""
if [ "$BODY_N" -gt 0 ]; then
    BCORPUS=$WORK/corpus-body-$BODY_N
    bkey="n=$BODY_N gen=$(find crates/dxa-fixtures/src -name '*.rs' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
    if ! { [ -d "$BCORPUS" ] && [ "$(cat "$BCORPUS.stamp" 2>/dev/null)" = "$bkey" ]; }; then
        log "generating $BCORPUS ($bkey)"
        rm -rf "$BCORPUS" "$BCORPUS.stamp"
        "$FIXTURES" body-corpus "$BCORPUS" --n "$BODY_N" >&2
        printf '%s\n' "$bkey" >"$BCORPUS.stamp"
    fi
    SCORPUS=$WORK/corpus-sr-$BODY_N
    corpus "$SCORPUS" "$BODY_N" --junk-pct 0
    BFILES=$(count_files "$BCORPUS")
    SFILES=$(count_files "$SCORPUS")
    warm "$BCORPUS"
    warm "$SCORPUS"
    for i in $(seq 1 "$FAST_REPEAT"); do
        time_once dxa "$DXA" scan "$BCORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
        BDOCS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["documents"])' "$WORK/out/dxa/run.json")
        BOUT_BYTES=$(du -sb "$WORK/out/dxa" | cut -f1)
        time_once sr "$DXA" scan "$SCORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
        SOUT_BYTES=$(du -sb "$WORK/out/dxa" | cut -f1)
    done
    summarise dxa
    BDXA_WALL=$WALL BDXA_CPU=$CPU BDXA_RSS=$RSS
    summarise sr
    BSR_WALL=$WALL BSR_CPU=$CPU BSR_RSS=$RSS
    # Each kind alone (the names body-corpus gives them), against as many SR files: a
    # Hologic whole-body report image is one exam, an enCORE export three, so the kinds'
    # costs per file and per document are told apart (docs/benchmarks.md).
    mkdir -p "$WORK/lists"
    find "$BCORPUS" -type f -name 'wb_*' | LC_ALL=C sort >"$WORK/lists/body-hologic"
    find "$BCORPUS" -type f -name 'comp_*' | LC_ALL=C sort >"$WORK/lists/body-encore"
    HFILES=$(wc -l <"$WORK/lists/body-hologic")
    EFILES=$(wc -l <"$WORK/lists/body-encore")
    # awk reads to the end (with pipefail, `head` would end sort by SIGPIPE).
    find "$SCORPUS" -type f | LC_ALL=C sort | awk -v n="$HFILES" 'NR <= n' >"$WORK/lists/body-sr"
    HSFILES=$(wc -l <"$WORK/lists/body-sr")
    for i in $(seq 1 "$FAST_REPEAT"); do
        time_once dxa "$DXA" scan --files-from "$WORK/lists/body-hologic" --out "$WORK/out/dxa" --jobs "$J" --quiet
        HDOCS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["documents"])' "$WORK/out/dxa/run.json")
        time_once sr "$DXA" scan --files-from "$WORK/lists/body-sr" --out "$WORK/out/dxa" --jobs "$J" --quiet
        time_once encore "$DXA" scan --files-from "$WORK/lists/body-encore" --out "$WORK/out/dxa" --jobs "$J" --quiet
        EDOCS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["documents"])' "$WORK/out/dxa/run.json")
    done
    summarise dxa
    HDXA_WALL=$WALL
    summarise sr
    HSR_WALL=$WALL
    summarise encore
    EDXA_WALL=$WALL
    per() { awk -v w="$1" -v n="$2" 'BEGIN { print w / n }'; }
    BODY_TABLE=$(
        echo "| corpus | files | documents | files/s | wall s (median) | CPU s (median) | peak RSS MiB |"
        echo "|---|---:|---:|---:|---:|---:|---:|"
        printf '| body composition | %s | %s | %s | %s | %s | %s |\n' "$BFILES" "$BDOCS" \
            "$(fps "$BFILES" "$BDXA_WALL")" "$BDXA_WALL" "$BDXA_CPU" "$(mib "$BDXA_RSS")"
        printf '| SR documents | %s | %s | %s | %s | %s | %s |\n' "$SFILES" "$SFILES" \
            "$(fps "$SFILES" "$BSR_WALL")" "$BSR_WALL" "$BSR_CPU" "$(mib "$BSR_RSS")"
        echo
        echo "$BODY_N body composition files (half Hologic whole-body report images, half GE enCORE Total Body Comp exports of three exams) against $BODY_N SR files, $J jobs, in turns."
        echo "Time per file, body composition / SR: $(ratio "$(per "$BDXA_WALL" "$BFILES")" "$(per "$BSR_WALL" "$SFILES")") (goal: at most 1)."
        echo "CPU time per file, body composition / SR: $(ratio "$(per "$BDXA_CPU" "$BFILES")" "$(per "$BSR_CPU" "$SFILES")"); output written per file, body composition / SR: $(ratio "$(per "$BOUT_BYTES" "$BFILES")" "$(per "$SOUT_BYTES" "$SFILES")") (the commit waits for the disk to take those bytes: docs/performance.md, \"Body composition files\")."
        echo
        echo "Each kind alone, in turns with the first $HSFILES SR files (wall s, median):"
        echo
        echo "| files | count | documents | wall s | per file / SR | per document / SR |"
        echo "|---|---:|---:|---:|---:|---:|"
        printf '| SR documents | %s | %s | %s | 1.00 | 1.00 |\n' "$HSFILES" "$HSFILES" "$HSR_WALL"
        printf '| Hologic whole-body report images | %s | %s | %s | %s | %s |\n' "$HFILES" "$HDOCS" "$HDXA_WALL" \
            "$(ratio "$(per "$HDXA_WALL" "$HFILES")" "$(per "$HSR_WALL" "$HSFILES")")" \
            "$(ratio "$(per "$HDXA_WALL" "$HDOCS")" "$(per "$HSR_WALL" "$HSFILES")")"
        printf '| GE enCORE exports | %s | %s | %s | %s | %s |\n' "$EFILES" "$EDOCS" "$EDXA_WALL" \
            "$(ratio "$(per "$EDXA_WALL" "$EFILES")" "$(per "$HSR_WALL" "$HSFILES")")" \
            "$(ratio "$(per "$EDXA_WALL" "$EDOCS")" "$(per "$HSR_WALL" "$HSFILES")")"
    )
    echo
    echo "$BODY_TABLE"
fi
# ---------------------------------------------------------------- archive-shaped corpus
# Every file its own small study, two studies per patient: the cost per file, and the
# cross-file state (the ledger's indexes) growing with every file, against cat.
ARCHIVE_TABLE=""
ARCHIVE_ROWS=""
for AN in $ARCHIVE_NS; do
    [ "$AN" -gt 0 ] || continue
    ACORPUS=$WORK/corpus-archive-$AN
    corpus "$ACORPUS" "$AN" --archive --junk-pct 0
    AFILES=$(count_files "$ACORPUS")
    ABYTES=$(du -sb "$ACORPUS" | cut -f1)
    warm "$ACORPUS"
    for i in $(seq 1 "$FAST_REPEAT"); do
        time_once dxa "$DXA" scan "$ACORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
        time_once floor bash -c 'find "$1" -type f -print0 | xargs -0 -n 256 -P "$2" cat >/dev/null' _ "$ACORPUS" "$J"
    done
    summarise dxa
    ADXA_WALL=$WALL ADXA_CPU=$CPU ADXA_RSS=$RSS
    summarise floor
    ARCHIVE_ROWS="$ARCHIVE_ROWS$(printf '| %s | %s | %s | %s | %s | %s | %s | %s |' "$AFILES" \
        "$((ABYTES / 1024 / 1024))" "$(fps "$AFILES" "$ADXA_WALL")" "$ADXA_WALL" "$ADXA_CPU" \
        "$(fps "$AFILES" "$WALL")" "$WALL" "$(ratio "$ADXA_WALL" "$WALL")")
"
done
if [ -n "$ARCHIVE_ROWS" ]; then
    ARCHIVE_TABLE=$(
        echo "| files | MiB | dxa-ingest files/s | wall s (median) | CPU s (median) | floor files/s | floor wall s | dxa-ingest vs floor |"
        echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
        printf '%s' "$ARCHIVE_ROWS"
        echo
        echo "Archive-shaped corpora (\`dxa-fixtures corpus --archive\`: every file its own study of one scan, two studies per patient, no junk), $J jobs, dxa-ingest and the floor in turns, $FAST_REPEAT runs each."
    )
    echo
    echo "$ARCHIVE_TABLE"
fi

# ---------------------------------------------------------------- giant visits
# Thousands of documents in one visit (re-sends of one study; studies under one constant
# patient ID): what a visit costs in memory.
GIANT_TABLE=""
if [ "$GIANT_N" -gt 0 ]; then
    GCORPUS=$WORK/corpus-giant-$GIANT_N-$GIANT_VISITS
    corpus "$GCORPUS" "$GIANT_N" --giant-visits "$GIANT_VISITS"
    GFILES=$(count_files "$GCORPUS")
    warm "$GCORPUS"
    time_once dxa "$DXA" scan "$GCORPUS" --out "$WORK/out/dxa" --jobs "$J" --quiet
    GVISITS=$(($(wc -l <"$WORK/out/dxa/studies.csv") - 1))
    summarise dxa
    GIANT_TABLE=$(
        echo "| files (documents) | visits | files/s | wall s | CPU s | peak RSS MiB |"
        echo "|---:|---:|---:|---:|---:|---:|"
        printf '| %s | %s | %s | %s | %s | %s |\n' "$GFILES" "$GVISITS" "$(fps "$GFILES" "$WALL")" "$WALL" "$CPU" "$(mib "$RSS")"
        echo
        echo "Giant-visit corpus (\`dxa-fixtures corpus --giant-visits $GIANT_VISITS\`: half the visits re-send one study under new SOP Instance UIDs, half are studies of different people under one patient ID), one run of dxa-ingest alone, $J jobs."
    )
    echo
    echo "$GIANT_TABLE"
fi
rm -rf "$WORK/out"

# ---------------------------------------------------------------- docs
if [ "$WRITE_DOCS" != "1" ]; then
    log "docs/benchmarks.md not written (smoke mode; BENCH_WRITE_DOCS=1 to write it)"
    exit 0
fi

mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
dcmtk_version=$([ "$HAVE_DCMTK" = "1" ] && dsrdump --version 2>&1 | awk 'NF {print $3; exit}' || echo "n/a")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "unknown")
[ -z "$(git status --porcelain -- src crates Cargo.toml Cargo.lock 2>/dev/null)" ] ||
    commit="$commit (with uncommitted changes)"
{
    echo "# Benchmarks"
    echo
    echo "Generated by \`bench/run.sh\` (see bench/README.md); do not edit by hand."
    echo "The network (\`listen\`, \`pull\`) is measured in [benchmarks-network.md](benchmarks-network.md),"
    echo "report.html at 100 000 visits in [benchmarks-report.md](benchmarks-report.md), memory and the"
    echo "gap to the floor explained in [performance.md](performance.md), 10^6 files in [scale.md](scale.md)."
    echo
    echo "- command: \`$COMMAND\`"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- dxa-ingest: $("$DXA" --version), commit $commit"
    echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}, $((mem_kib / 1024 / 1024)) GiB RAM, Linux $(uname -r)"
    echo "- load average before the run: $LOAD (1, 5, 15 min; anything well above 0 means other work shared the cores)"
    echo "- $(rustc --version), Python $(python3 -c 'import platform; print(platform.python_version())'), pydicom $(python3 -c 'import pydicom; print(pydicom.__version__)'), DCMTK $dcmtk_version"
    echo
    echo "## Throughput"
    echo
    echo "$TABLE"
    echo
    echo "$SUMMARY" | sed 's/$/  /'
    if [ -n "$EXPORT_TABLE" ]; then
        echo
        echo "## The research exports: --fhir --omop against a plain scan"
        echo
        echo "$EXPORT_TABLE"
    fi
    if [ -n "$MEM_TABLE" ]; then
        echo
        echo "## Peak RSS vs N (dxa-ingest alone, one run for the second corpus)"
        echo
        echo "$MEM_TABLE"
    fi
    if [ -n "$IMG_TABLE" ]; then
        echo
        echo "## Image-heavy corpus: bytes read against cat"
        echo
        echo "$IMG_TABLE" | sed 's/^\([A-Za-z]\)/\1/'
    fi
    if [ -n "$BODY_TABLE" ]; then
        echo
        echo "## Body composition files: per-file cost against SR documents"
        echo
        echo "$BODY_TABLE"
    fi
    if [ -n "$ARCHIVE_TABLE" ]; then
        echo
        echo "## Archive-shaped corpus: per-file cost against cat"
        echo
        echo "$ARCHIVE_TABLE"
    fi
    if [ -n "$GIANT_TABLE" ]; then
        echo
        echo "## Giant visits: memory"
        echo
        echo "$GIANT_TABLE"
    fi
    # The network and the report have benchmarks of their own (they need Orthanc, dcmtk and
    # Chromium and run for minutes): their tables are quoted here as last generated.
    if [ -f docs/benchmarks-network.md ]; then
        echo
        echo "## The network (quoted from benchmarks-network.md, $(grep -o 'on [0-9-]* at [0-9a-f]*' docs/benchmarks-network.md | head -1))"
        awk '/^## Receiving/ || /^## Pulling/ {on = 1} /^## Memory/ {on = 0} on && /^(##|\|)/ {sub(/^## /, "### "); print (/^###/ ? "\n" $0 "\n" : $0)}' docs/benchmarks-network.md
    fi
    if [ -f docs/benchmarks-report.md ]; then
        echo
        echo "## report.html at 100 000 visits (quoted from benchmarks-report.md)"
        echo
        grep -E '^\|( measure|---| report.html| Chromium load)' docs/benchmarks-report.md
    fi
    cat <<'EOF'

## How to read this

Every contender reads the same generated corpus (`dxa-fixtures corpus`: nested site/year/patient
folders, Hologic, GE Lunar, LOINC-gateway and flat third-party SR styles, four transfer syntaxes
including deflated and big endian, some files without the 128-byte preamble, a third of the
visits sent as 2-5 documents that dxa-ingest joins into one visit, about 5 % junk such as PDFs,
images and non-DXA SRs) from a warm page cache, with one worker per core. *files/s* is
all regular files in the corpus divided by the median wall time; *time vs dxa-ingest* is the
contender's wall time divided by dxa-ingest's (above 1: slower). *CPU s* is user + system time
of the contender and all its child processes: it moves less than wall time when other work
shares the machine. The **floor** only reads the bytes, so no parser can beat it; "dxa-ingest vs
floor" says how far dxa-ingest is from it. The **pydicom peer** does the extraction part of the
job (region label, measure, value, unit for BMD, BMC, area, T- and Z-score) but none of the
normalisation, classification, duplicate detection or three-table output, so it does less work
than dxa-ingest. **dcmtk dsrdump** parses and prints each SR (one process per 64 files) without
extracting anything, and gives up on files it cannot read (see the rejected count), so it too
does less than the full job. Peak RSS is GNU time's `%M`: the largest single process. dxa-ingest
is one process, so that is its whole footprint; for the peer (one Python process per worker),
dsrdump and cat the total across processes is higher than the figure shown. Small corpora are
dominated by start-up (Python imports, process pools): compare contenders at N = 20000 or more.
On a shared or busy machine the runs vary a lot (see the load average): medians damp that,
and the per-run times are printed on stderr. dxa-ingest and the floor, a second or less each,
are run in turns (FAST_REPEAT times each), so that their ratio compares runs made under the
same conditions; the peer and dsrdump run REPEAT times.

The **archive-shaped corpus** is what a PACS export looks like: every file its own study of
one scan (a few KB), two studies per patient, so that the run's memory of what it has seen
(duplicate SOP Instance UIDs, each study's partition) grows with every file, and the fixed
cost per file weighs more than in the mixed corpus. The **giant-visit corpus** puts its
documents in a few visits (re-sends of one study under new SOP Instance UIDs, and studies
of different people exported under one constant patient ID, as anonymised exports do): its
peak RSS says what the largest visit costs in memory.
EOF
} >docs/benchmarks.md
log "wrote docs/benchmarks.md"
