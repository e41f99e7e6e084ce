#!/usr/bin/env bash
# Load figures of `dxa-ingest listen` and `dxa-ingest pull` on loopback (docs/benchmarks-network.md).
#
# usage: bench/net.sh [N] [M]        (defaults N=2000 SR objects, M=10000 for the memory run)
#
# environment:
#   REPEAT=3          runs of each receive and pull measurement; the median is reported
#   BENCH_SMOKE=1     one run each, small sizes welcome (bench/net.sh 40 80);
#                     docs/benchmarks-network.md is not written
#   BENCH_SEED=1      corpus seed
#   CARGO_TARGET_DIR  respected (binaries are taken from $CARGO_TARGET_DIR/release)
#
# Measures, on objects made by `dxa-fixtures corpus` (only files with the 128-byte preamble:
# dcmtk 3.6.7 cannot read the others):
#   1. objects/s received by `dxa-ingest listen` from 4 storescu processes at once, beside
#      dcmtk's `storescp --fork +xa` receiving the same (a process per association), with
#      the dcmtk processes as built and with TCP_NODELAY=1 in their environment; then both
#      over DICOM TLS (mutual: the senders present client certificates; TCP_NODELAY=1);
#   2. objects/s of `dxa-ingest pull` (C-GET) from Orthanc holding the N objects, and the
#      time of a second pull, which finds everything archived and fetches nothing;
#   3. the peak RSS of `listen` after each fifth of M objects sent (4 storescu at a time):
#      it must stay flat.
# and writes docs/benchmarks-network.md (generated: do not edit by hand).
set -euo pipefail

N=${1:-2000}
M=${2:-10000}
SMOKE=${BENCH_SMOKE:-0}
REPEAT=${REPEAT:-3}
[ "$SMOKE" = "1" ] && REPEAT=1
SEED=${BENCH_SEED:-1}
for value in "$N" "$M" "$REPEAT"; do
    case "$value" in '' | *[!0-9]* | 0)
        echo "usage: bench/net.sh [N] [M]   (positive integers; REPEAT too)" >&2
        exit 2
        ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
COMMAND="bench/net.sh $*"
[ "$REPEAT" != "3" ] && [ "$SMOKE" != "1" ] && COMMAND="REPEAT=$REPEAT $COMMAND"
[ "$SMOKE" = "1" ] && COMMAND="BENCH_SMOKE=1 $COMMAND"
COMMAND=${COMMAND% }
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
DXA=$TARGET/release/dxa-ingest
FIXTURES=$TARGET/release/dxa-fixtures
WORK=$ROOT/bench/work/net
SENDERS=4
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench/net.sh needs bash 5 (EPOCHREALTIME)" >&2; exit 1; }

log() { printf '== %s\n' "$*" >&2; }
die() {
    printf 'bench/net.sh: %s\n' "$*" >&2
    exit 1
}

# Every process started here is stopped on exit, by its pid.
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

. scripts/lib.sh
export PATH="$PATH:/usr/sbin"
ensure_command storescu dcmtk
ensure_command Orthanc orthanc
ensure_command openssl openssl
command -v python3 >/dev/null || die "python3 is needed (free ports)"

log "building (release) into $TARGET"
cargo build --release --quiet -p dxa-ingest -p dxa-fixtures
[ -x "$DXA" ] && [ -x "$FIXTURES" ] || die "no binaries in $TARGET/release"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { # PORT: until something accepts connections (60 s)
    local i
    for i in $(seq 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    die "nothing listens on port $1"
}
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
per_second() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# ---------------------------------------------------------------- objects
# objects COUNT: the list file of COUNT corpus files with a preamble (generated once).
objects() {
    local count=$1 dir=$WORK/corpus-$1 list=$WORK/objects-$1.txt
    if [ ! -s "$list" ] || [ "$(wc -l <"$list")" != "$count" ]; then
        log "generating $count objects in $dir"
        rm -rf "$dir"
        mkdir -p "$WORK"
        "$FIXTURES" corpus "$dir" --n $((count * 13 / 10 + 20)) --seed "$SEED" --junk-pct 0 >&2
        python3 - "$dir" "$count" >"$list" <<'PY'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".dcm"))
kept = [p for p in paths if open(p, "rb").read(132)[128:] == b"DICM"][:count]
print("\n".join(kept))
PY
        [ "$(wc -l <"$list")" = "$count" ] || die "not enough objects with a preamble"
    fi
    printf '%s\n' "$list"
}

# send LIST PORT CALLED FIRST LAST: lines FIRST..LAST of LIST, by $SENDERS storescu at once
# (with the options of SEND_ARGS: TLS).
SEND_ARGS=()
send() {
    local list=$1 port=$2 called=$3 first=$4 last=$5 i pids=() total chunk from to
    total=$((last - first + 1))
    chunk=$(((total + SENDERS - 1) / SENDERS))
    for i in $(seq 0 $((SENDERS - 1))); do
        from=$((first + i * chunk))
        to=$((from + chunk - 1))
        [ "$to" -gt "$last" ] && to=$last
        [ "$from" -gt "$to" ] && continue
        sed -n "${from},${to}p" "$list" | xargs storescu "${SEND_ARGS[@]}" -aet "SENDER$i" -aec "$called" 127.0.0.1 "$port" \
            2>>"$WORK/storescu.log" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do
        wait "$i" || die "a storescu failed (see $WORK/storescu.log)"
    done
}

count_objects() { find "$1" -type f -not -path '*/.incoming/*' | wc -l; }

# ---------------------------------------------------------------- 1. receive
LIST=$(objects "$N")
log "warming the page cache"
xargs cat <"$LIST" >/dev/null
# Two settings of the dcmtk processes (the senders, and storescp): as built (Nagle's algorithm
# on: each data PDU waits for the acknowledgement of its command PDU, which the receiver
# may delay by 40 ms) and with TCP_NODELAY=1 in their environment. listen sets TCP_NODELAY
# and TCP_QUICKACK itself (docs/network.md, "Latency").
declare -A RECEIVE_T
for nodelay in 0 1; do
    if [ "$nodelay" = 1 ]; then export TCP_NODELAY=1; else unset TCP_NODELAY; fi
    for receiver in listen storescp; do
        runs=()
        for run in $(seq 1 "$REPEAT"); do
            rm -rf "$WORK/received"
            mkdir -p "$WORK/received"
            port=$(free_port)
            if [ "$receiver" = listen ]; then
                "$DXA" listen --port "$port" --archive "$WORK/received" --ae-title DXA \
                    2>"$WORK/listen.log" &
            else
                storescp --fork +xa -aet DXA -od "$WORK/received" "$port" 2>"$WORK/storescp.log" &
            fi
            pid=$!
            PIDS+=("$pid")
            wait_port "$port"
            t0=$EPOCHREALTIME
            send "$LIST" "$port" DXA 1 "$N"
            t=$(seconds_since "$t0")
            kill -TERM "$pid"
            wait "$pid" || true
            got=$(count_objects "$WORK/received")
            [ "$got" = "$N" ] || die "$receiver received $got of $N objects"
            log "$receiver (TCP_NODELAY=$nodelay) run $run: $N objects in $t s ($(per_second "$N" "$t")/s)"
            runs+=("$t")
        done
        RECEIVE_T[$receiver-$nodelay]=$(median "${runs[@]}")
    done
done

# Over DICOM TLS, with certificates made here: a CA, the receiver's (127.0.0.1), the senders'.
CERTS=$WORK/certs
rm -rf "$CERTS"
mkdir -p "$CERTS"
(
    cd "$CERTS"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
        -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign
    for name in node client; do
        printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.1\n' >"$name.ext"
        openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$name"
        openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -out "$name.pem" -extfile "$name.ext"
    done
) >/dev/null 2>&1 || die "openssl could not make the certificates"
SEND_ARGS=(+tls "$CERTS/client.key" "$CERTS/client.pem" +cf "$CERTS/ca.pem")
for receiver in listen storescp; do
    runs=()
    for run in $(seq 1 "$REPEAT"); do
        rm -rf "$WORK/received"
        mkdir -p "$WORK/received"
        port=$(free_port)
        if [ "$receiver" = listen ]; then
            "$DXA" listen --port "$port" --archive "$WORK/received" --ae-title DXA \
                --tls-cert "$CERTS/node.pem" --tls-key "$CERTS/node.key" --tls-ca "$CERTS/ca.pem" \
                2>"$WORK/listen.log" &
        else
            storescp --fork +xa -aet DXA -od "$WORK/received" \
                +tls "$CERTS/node.key" "$CERTS/node.pem" +cf "$CERTS/ca.pem" \
                "$port" 2>"$WORK/storescp.log" &
        fi
        pid=$!
        PIDS+=("$pid")
        wait_port "$port"
        t0=$EPOCHREALTIME
        send "$LIST" "$port" DXA 1 "$N"
        t=$(seconds_since "$t0")
        kill -TERM "$pid"
        wait "$pid" || true
        got=$(count_objects "$WORK/received")
        [ "$got" = "$N" ] || die "$receiver (TLS) received $got of $N objects"
        log "$receiver (TLS, TCP_NODELAY=1) run $run: $N objects in $t s ($(per_second "$N" "$t")/s)"
        runs+=("$t")
    done
    RECEIVE_T[$receiver-tls]=$(median "${runs[@]}")
done
SEND_ARGS=()
unset TCP_NODELAY

# ---------------------------------------------------------------- 2. pull
ORTHANC_DIR=$WORK/orthanc
rm -rf "$ORTHANC_DIR"
mkdir -p "$ORTHANC_DIR/storage"
ORTHANC_PORT=$(free_port)
cat >"$ORTHANC_DIR/orthanc.json" <<EOF
{
  "Name": "dxa-ingest bench",
  "StorageDirectory": "$ORTHANC_DIR/storage",
  "IndexDirectory": "$ORTHANC_DIR/storage",
  "DicomAet": "ORTHANC",
  "DicomPort": $ORTHANC_PORT,
  "HttpServerEnabled": false,
  "DicomAlwaysAllowStore": true,
  "DicomAlwaysAllowFind": true,
  "DicomAlwaysAllowGet": true,
  "StorageCompression": false,
  "Plugins": []
}
EOF
Orthanc "$ORTHANC_DIR/orthanc.json" 2>"$ORTHANC_DIR/orthanc.log" &
ORTHANC_PID=$!
PIDS+=("$ORTHANC_PID")
wait_port "$ORTHANC_PORT"
log "storing $N objects into Orthanc"
send "$LIST" "$ORTHANC_PORT" ORTHANC 1 "$N"
# cpu_seconds PID: user + system CPU time of a running process so far.
TICKS=$(getconf CLK_TCK)
cpu_seconds() { awk -v hz="$TICKS" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# timed_pull LOG: one pull into $WORK/pulled; sets T (wall), DXA_CPU and ORTHANC_CPU.
timed_pull() {
    local before t0
    before=$(cpu_seconds "$ORTHANC_PID")
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%U %S' -o "$WORK/pull.time" \
        "$DXA" pull --from "ORTHANC@127.0.0.1:$ORTHANC_PORT" --archive "$WORK/pulled" --quiet \
        2>"$1" || die "pull failed: $(tail -n 3 "$1")"
    T=$(seconds_since "$t0")
    DXA_CPU=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/pull.time")
    ORTHANC_CPU=$(awk -v a="$before" -v b="$(cpu_seconds "$ORTHANC_PID")" 'BEGIN { printf "%.2f", b - a }')
}
declare -a PULL_RUNS AGAIN_RUNS PULL_CPU AGAIN_CPU PULL_OCPU AGAIN_OCPU
for run in $(seq 1 "$REPEAT"); do
    rm -rf "$WORK/pulled"
    timed_pull "$WORK/pull.log"
    PULL_RUNS+=("$T") PULL_CPU+=("$DXA_CPU") PULL_OCPU+=("$ORTHANC_CPU")
    got=$(count_objects "$WORK/pulled")
    [ "$got" = "$N" ] || die "pull retrieved $got of $N objects"
    timed_pull "$WORK/pull-again.log"
    AGAIN_RUNS+=("$T") AGAIN_CPU+=("$DXA_CPU") AGAIN_OCPU+=("$ORTHANC_CPU")
    grep -q " 0 retrieved" "$WORK/pull-again.log" || die "the second pull fetched something"
    log "pull run $run: $N objects in ${PULL_RUNS[-1]} s ($(per_second "$N" "${PULL_RUNS[-1]}")/s, Orthanc CPU ${PULL_OCPU[-1]} s); again: $T s"
done
PULL_T=$(median "${PULL_RUNS[@]}")
AGAIN_T=$(median "${AGAIN_RUNS[@]}")
STUDIES=$(grep -o '[0-9]* studies' "$WORK/pull.log" | head -n 1)
kill "$ORTHANC_PID"
wait "$ORTHANC_PID" 2>/dev/null || true

# ---------------------------------------------------------------- 3. memory
BIG=$(objects "$M")
xargs cat <"$BIG" >/dev/null
rm -rf "$WORK/received"
port=$(free_port)
"$DXA" listen --port "$port" --archive "$WORK/received" --ae-title DXA 2>"$WORK/listen-memory.log" &
pid=$!
PIDS+=("$pid")
wait_port "$port"
MEMORY_ROWS=""
step=$(((M + 4) / 5))
for first in $(seq 1 "$step" "$M"); do
    last=$((first + step - 1))
    [ "$last" -gt "$M" ] && last=$M
    send "$BIG" "$port" DXA "$first" "$last"
    hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
    log "after $last objects: peak RSS $(mib "$hwm") MiB, RSS now $(mib "$rss") MiB"
    MEMORY_ROWS+="| $last | $(mib "$hwm") | $(mib "$rss") |"$'\n'
done
kill -TERM "$pid"
wait "$pid" || true
[ "$(count_objects "$WORK/received")" = "$M" ] || die "listen did not store all $M objects"

# ---------------------------------------------------------------- report
SIZE=$(xargs stat -c %s <"$LIST" | awk '{ total += $1 } END { print total }')
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
REPORT=$(
    cat <<EOF
# Network benchmarks

Generated by \`$COMMAND\` on $(date -u +%Y-%m-%d) at $(git rev-parse --short HEAD): do not edit by
hand, run the script again. How to read it: docs/network.md; the scan's own figures are in
docs/benchmarks.md.

- machine: $(nproc) cores (shared with other work while measured), ${cpu:-unknown CPU}, Linux $(uname -r)
- peers: dcmtk $(storescu --version | awk 'NR == 1 { print $3 }'), Orthanc $(Orthanc --version | awk 'NR == 1 { print $2 }')
- objects: $N SR files of \`dxa-fixtures corpus\` (seed $SEED; those with a preamble), $(mib $((SIZE / 1024))) MiB in all
- every figure is the median of $REPEAT run(s); loopback, warm page cache

## Receiving: $SENDERS storescu processes at once

| receiver | dcmtk processes | objects/s | wall s |
|---|---|---:|---:|
| \`dxa-ingest listen\` (file and folder synced before each success) | as built | $(per_second "$N" "${RECEIVE_T[listen-0]}") | ${RECEIVE_T[listen-0]} |
| dcmtk \`storescp --fork +xa\` (no sync) | as built | $(per_second "$N" "${RECEIVE_T[storescp-0]}") | ${RECEIVE_T[storescp-0]} |
| \`dxa-ingest listen\` (file and folder synced before each success) | \`TCP_NODELAY=1\` | $(per_second "$N" "${RECEIVE_T[listen-1]}") | ${RECEIVE_T[listen-1]} |
| dcmtk \`storescp --fork +xa\` (no sync) | \`TCP_NODELAY=1\` | $(per_second "$N" "${RECEIVE_T[storescp-1]}") | ${RECEIVE_T[storescp-1]} |
| \`dxa-ingest listen\` over DICOM TLS (mutual) | \`TCP_NODELAY=1\` | $(per_second "$N" "${RECEIVE_T[listen-tls]}") | ${RECEIVE_T[listen-tls]} |
| dcmtk \`storescp --fork +xa\` over DICOM TLS (mutual) | \`TCP_NODELAY=1\` | $(per_second "$N" "${RECEIVE_T[storescp-tls]}") | ${RECEIVE_T[storescp-tls]} |

"dcmtk processes": the environment of the storescu senders (and of storescp). As built,
dcmtk keeps Nagle's algorithm: each data PDU waits for the acknowledgement of its command
PDU, which storescp delays by up to 40 ms and listen sends at once (TCP_QUICKACK).
TLS (PS3.15 B.1, BCP 195: TLS 1.2/1.3, AEAD ciphers): every sender presents a client
certificate signed by the receiver's CA; each association costs one handshake (RSA 2048
certificates), then every PDU is encrypted and authenticated. listen with TLS
runs at $(awk -v t="${RECEIVE_T[listen-1]}" -v s="${RECEIVE_T[listen-tls]}" 'BEGIN { printf "%.2f", t / s }') times its plain rate in this run (same senders, \`TCP_NODELAY=1\`).

## Pulling from Orthanc (C-GET)

| run | objects/s | wall s | dxa-ingest CPU s | Orthanc CPU s |
|---|---:|---:|---:|---:|
| first pull: $N objects (${STUDIES:-? studies}) retrieved | $(per_second "$N" "$PULL_T") | $PULL_T | $(median "${PULL_CPU[@]}") | $(median "${PULL_OCPU[@]}") |
| second pull: all archived, nothing retrieved | - | $AGAIN_T | $(median "${AGAIN_CPU[@]}") | $(median "${AGAIN_OCPU[@]}") |

Orthanc runs as built (Nagle's algorithm on). pull asks down to the instance level before
retrieving anything: one C-FIND for the studies, then one per study and one per result
series (here ${STUDIES:-? studies} for $N objects), then one C-GET per series. dxa-ingest's own CPU
time is a small part of the wall time; the rest is Orthanc's CPU time (its database and its
DICOM stack), the two syncs per object stored (file and folder), and waiting for the CPU on
a machine shared with other work (compare the runs in the script's log).

## Memory of \`listen\` while $M objects arrive ($SENDERS senders at a time)

| objects received | peak RSS MiB | RSS now MiB |
|---:|---:|---:|
$MEMORY_ROWS
EOF
)
printf '%s\n' "$REPORT"
if [ "$SMOKE" != "1" ]; then
    printf '%s\n' "$REPORT" >docs/benchmarks-network.md
    log "wrote docs/benchmarks-network.md"
fi
