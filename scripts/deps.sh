#!/usr/bin/env bash
# Installs what emovox needs from Debian 12 with apt-get. Idempotent: when
# everything is present it returns after one dpkg query.
#   scripts/deps.sh          build + run + test dependencies
set -euo pipefail

pkgs=(
  # build
  build-essential pkg-config meson ninja-build
  libfftw3-dev libopenblas-dev libsndfile1-dev lv2-dev liblilv-dev libcmocka-dev
  # hosts and validators used by tests and the demo
  lilv-utils sordi espeak-ng
  help2man               # emovox.1 from the help text (trainer/make_man.sh)
  ardour                 # ardour7-lua: headless Ardour 7 host for tests/plugin (plugin_ardour)
  # reference implementations for parity tests and benchmarks
  python3 python3-numpy python3-scipy python3-numba python3-soundfile python3-resampy
  python3-torch
  python3-joblib python3-audioread python3-pooch python3-sklearn  # librosa 0.9.2 imports (bench/features)
  praat                  # F0 reference for tests/prosody (test_praat.c)
  # hardening
  valgrind
)

missing=()
for p in "${pkgs[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$st" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
