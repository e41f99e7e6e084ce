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
