# Shared by the scripts: sourced, not run.

# ensure_command COMMAND DEBIAN_PACKAGE: installs the package with apt-get (through sudo when
# not root) unless COMMAND is already on the PATH. CI is a clean clone: nothing is assumed.
ensure_command() {
    command -v "$1" >/dev/null 2>&1 && return 0
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "$2" >/dev/null
}

# The PySpark release the Spark recipe (examples/spark) is tested with. Spark 4 runs on Java 17+.
PYSPARK_VERSION=4.3.0

# ensure_pyspark VENV: a Python virtual environment at VENV with pyspark $PYSPARK_VERSION, and
# Java 17 (from apt) when no `java` is on the PATH. Returns 0 when ready, 2 when the package
# index cannot be reached (the caller skips, and says so), 1 on any other failure.
ensure_pyspark() {
    local venv="$1"
    if ! command -v java >/dev/null 2>&1; then
        ensure_command java openjdk-17-jre-headless || return 1
    fi
    local java_major
    java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    if [ "${java_major:-0}" -lt 17 ]; then
        echo "ensure_pyspark: Spark 4 needs Java 17 or later; \`java\` is version ${java_major:-unknown}" >&2
        return 1
    fi
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c \
        "import sys, pyspark; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
        return 0
    fi
    python3 -m venv "$venv" || return 1
    # Reachability first, with a short timeout: an unreachable index is a skip, while a
    # reachable index whose install then fails is a failure.
    if ! "$venv/bin/pip" index versions pyspark --timeout 20 --retries 1 >/dev/null 2>&1; then
        return 2
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION" || return 1
}

# The Python packages the FHIR and OMOP exports are checked with (docs/interop.md,
# "Validation"): fhir.resources 6.4.0 is FHIR R4 4.0.1 at its root and needs pydantic 1;
# duckdb loads the OMOP tables.
INTEROP_PACKAGES=("fhir.resources==6.4.0" "pydantic==1.10.27" "duckdb==2.0.1")

# ensure_interop VENV: a Python virtual environment at VENV with $INTEROP_PACKAGES. Returns 0
# when ready, 2 when the package index cannot be reached (the caller skips, and says so), 1
# on any other failure.
ensure_interop() {
    local venv="$1"
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c \
        "import sys, duckdb, pydantic, fhir.resources as f; sys.exit(not (f.__version__ == '6.4.0' and duckdb.__version__ == '2.0.1' and pydantic.VERSION == '1.10.27'))" 2>/dev/null; then
        return 0
    fi
    python3 -m venv "$venv" || return 1
    if ! "$venv/bin/pip" index versions duckdb --timeout 20 --retries 1 >/dev/null 2>&1; then
        return 2
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${INTEROP_PACKAGES[@]}" || return 1
}

# median X...: the median of the numbers, 3 decimals (mean of the middle two if even).
median() {
    printf '%s\n' "$@" | sort -g |
        awk '{ a[NR] = $1 } END { printf "%.3f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
