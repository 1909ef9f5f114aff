#!/usr/bin/env bash
# Checks the programs and libraries regflow needs from the operating system and, on Debian or
# Ubuntu as root, installs what is missing with apt. Otherwise prints the exact command to run.
# Usage: scripts/system-deps.sh            what `make test` needs (Graphviz, Qt's libraries)
#        scripts/system-deps.sh --window   also what a real window needs (X11/xcb libraries,
#                                          and Xvfb when there is no screen): `make run`
set -euo pipefail

PYTHON=${PYTHON:-python3}
window=${1:-}
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
# Debian and Ubuntu ship venv's pip bootstrap separately
if command -v apt-get >/dev/null 2>&1 && ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
    missing+=("python3-venv")
fi

if [ "$(uname -s)" = "Linux" ]; then
    # Qt (PySide6) loads these shared libraries even without a screen: library -> package
    libs=(libEGL.so.1:libegl1 libGL.so.1:libgl1 libxkbcommon.so.0:libxkbcommon0
          libdbus-1.so.3:libdbus-1-3 libglib-2.0.so.0:libglib2.0-0 libfontconfig.so.1:libfontconfig1)
    if [ "$window" = "--window" ]; then
        libs+=(libxcb-cursor.so.0:libxcb-cursor0 libxkbcommon-x11.so.0:libxkbcommon-x11-0
               libxcb-icccm.so.4:libxcb-icccm4 libxcb-image.so.0:libxcb-image0
               libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-randr.so.0:libxcb-randr0
               libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0
               libxcb-xinerama.so.0:libxcb-xinerama0 libxcb-xfixes.so.0:libxcb-xfixes0
               libX11-xcb.so.1:libx11-xcb1)
        if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
            command -v xvfb-run >/dev/null 2>&1 || missing+=(xvfb xauth)
        fi
    fi
    known=$(/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null || true)
    for pair in "${libs[@]}"; do
        grep -q "${pair%%:*}" <<<"$known" || missing+=("${pair##*:}")
    done
fi

# PostgreSQL's server programs: the tests start a throwaway server of their own (initdb,
# pg_ctl) to run the register tests on PostgreSQL too. Optional: without them those tests are
# skipped, saying why.
if [ "$(uname -s)" = "Linux" ] && command -v apt-get >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1 \
        && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        missing+=(postgresql)
    else
        echo "note: the PostgreSQL tests will be skipped; to run them: sudo apt-get install -y postgresql" >&2
    fi
fi

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(uname -s)" != "Linux" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "regflow needs Graphviz's 'dot' program (missing: ${missing[*]}). Install it, then run make again:" >&2
    echo "  macOS:   brew install graphviz" >&2
    echo "  Windows: winget install graphviz   (then reopen the terminal)" >&2
    echo "  other Linux: install your distribution's packages for: ${missing[*]}" >&2
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
