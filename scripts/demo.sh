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
# build/ may already exist (the test command configures it too): set the
# install directory either way, so that LV2_PATH below finds the bundle.
if [[ -f build/build.ninja ]]; then
  meson configure build -Dlv2dir=/usr/local/lib/lv2 >/dev/null
else
  meson setup build -Dlv2dir=/usr/local/lib/lv2 >/dev/null
fi
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

echo
echo "Note: espeak-ng's robotic voice is far from the acted human speech the"
echo "default model learnt from (models/MODEL_CARD.md), so these two show the"
echo "pipeline working, not what the model can tell apart."
shared=${EVX_SHARED:-$root/../shared}
if [[ -d $shared/data/ravdess/Actor_18 ]]; then
  echo "== acted clips of a RAVDESS actor the model never saw (from $shared/data)"
  for c in 05:angry 04:sad 02:calm; do
    f=$shared/data/ravdess/Actor_18/03-01-${c%%:*}-02-01-01-18.flac
    printf 'truth %-6s ' "${c#*:}"
    ./build/trainer/emovox analyze "$f" | awk 'NR > 2 && $4 == 1 { last = $0 } END { print last }'
  done
fi
