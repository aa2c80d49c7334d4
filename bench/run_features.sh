#!/usr/bin/env bash
# Builds (if needed) and runs the feature-extractor benchmark against librosa.
# usage: bench/run_features.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[[ -d $build ]] || meson setup "$build" "$root"
meson compile -C "$build" bench_features >/dev/null
exec "$build/bench/bench_features" "${2:-30}"
