#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, installs the
# plugin, makes example speech, renders it through urn:emovox:render with
# lv2apply (a real LV2 host) and prints the emotion timeline with
# `emovox analyze`, plus an SVG plot. Needs no corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash scripts/deps.sh

echo "== build and install"
[[ -f build/build.ninja ]] || meson setup build -Dlv2dir=/usr/local/lib/lv2 >/dev/null
meson compile -C build >/dev/null
meson install -C build --quiet >/dev/null
export LV2_PATH=/usr/local/lib/lv2${LV2_PATH:+:$LV2_PATH}
lv2ls | grep '^urn:emovox:' | sed 's/^/installed: /'

out=${EMOVOX_DEMO_OUT:-$root/out/demo}
mkdir -p "$out"
echo "== example speech (espeak-ng, 22.05 kHz) in $out"
# Synthetic voices: they show the pipeline, not real emotions; acted clips
# from ../shared/data show real ones (emovox analyze ../shared/data/...).
espeak-ng -w "$out/calm.wav"  -s 130 -p 35 -a 80  "Everything is fine. Let us sit down and talk about it quietly."
espeak-ng -w "$out/angry.wav" -s 210 -p 70 -a 200 "I told you a hundred times! Stop doing that right now!"

for f in calm angry; do
  echo "== $f: lv2apply urn:emovox:render"
  lv2apply -i "$out/$f.wav" -o "$out/$f.emotions.wav" urn:emovox:render
  ./build/trainer/emovox analyze "$out/$f.wav" --svg "$out/$f.svg"
  echo "plot: $out/$f.svg   rendered emotion curves (one channel per emotion): $out/$f.emotions.wav"
done
