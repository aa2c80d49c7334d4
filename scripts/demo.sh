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
  echo "== all 60 clips of RAVDESS actor 18, whom the model never saw (from $shared/data),"
  echo "   heard as one voice (emovox analyze --one-voice, emotions interleaved);"
  echo "   the last voiced decision of each clip against the acted emotion:"
  # 03-01-EE-II-SS-RR-18: sorting by statement, repetition, intensity, then
  # emotion interleaves the eight emotions
  mapfile -t clips < <(ls "$shared"/data/ravdess/Actor_18/03-01-*.flac |
                       sort -t- -k5,5 -k6,6 -k4,4 -k3,3)
  ./build/trainer/emovox analyze --one-voice --csv "${clips[@]}" | awk -F, '
    NR > 1 && $13 == 1 { last[$1] = $11 }
    END {
      split("neutral calm happy sad angry fear disgust surprised", name, " ")
      for (f in last) {
        n = split(f, part, "-"); e = name[part[n - 4] + 0]
        total[e]++; all++
        if (last[f] == e) { right[e]++; ok++ }
      }
      for (i = 1; i <= 8; i++)
        printf "  %-9s %d of %d clips heard as %s\n", name[i], right[name[i]], total[name[i]], name[i]
      printf "  all: %d of %d clips (%.0f%%; chance 12.5%%)\n", ok, all, 100 * ok / all
    }'
  echo
  echo "== a dialogue: actors 17 and 18 take turns of five clips on one track;"
  echo "   told who is talking (--voice-at, the plugins' voice parameter), each"
  echo "   voice keeps its own statistics (models/conversation.py, UA per clip):"
  /usr/bin/python3 models/conversation.py --data "$shared/data" --pairs 17:18 \
    --out "$out/conversation" | sed 's/^/  /'
fi
