#!/usr/bin/env bash
# Checks the programs and libraries regflow needs from the operating system and, on Debian or
# Ubuntu as root, installs what is missing with apt. Otherwise prints the exact command to run.
# Usage: scripts/system-deps.sh            (what `make run` and `make test` need)
set -euo pipefail

PYTHON=${PYTHON:-python3}
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
# Debian and Ubuntu ship venv's pip bootstrap separately
if command -v apt-get >/dev/null 2>&1 && ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
    missing+=("python3-venv")
fi

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(uname -s)" != "Linux" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "regflow needs Graphviz's 'dot' program (missing: ${missing[*]}). Install it, then run make again:" >&2
    echo "  macOS:   brew install graphviz" >&2
    echo "  Windows: winget install graphviz   (then reopen the terminal)" >&2
    echo "  other Linux: install your distribution's 'graphviz' package" >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "regflow needs these system packages: ${missing[*]}" >&2
    echo "Run:  sudo apt-get install -y ${missing[*]}" >&2
    echo "then run make again." >&2
    exit 1
fi
