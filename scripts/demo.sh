#!/usr/bin/env bash
# The README's main command (grows with the project): installs, builds and
# prints the features of a shipped example signal.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
[[ -f build/build.ninja ]] || meson setup build >/dev/null
meson compile -C build >/dev/null
./build/trainer/emovox --help
