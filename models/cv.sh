#!/usr/bin/env bash
# models/cv.sh NAME TRAIN-OPTIONS...: the speaker-grouped cross-validation
# that chooses the recipes of MODEL_CARD.md.
#
# Data: every corpus of ../shared/data/manifest.csv less the fixed test
# speakers (models/test-speakers.txt), which no fold ever sees. Each
# corpus's speakers are dealt round robin to K folds (EVX_CV_FOLDS, 3), so
# every fold holds out speakers of every corpus; fold k trains on the other
# folds' speakers (no validation side: give --lr-schedule cosine --keep
# last) and scores its own held-out speakers, speaker-adapted as the plugin
# hears one voice. The folds' windows.csv are pooled into
# out/cv/NAME/windows.csv and scored per corpus over its own classes
# (models/score.py); `models/score.py out/cv/A/windows.csv out/cv/B/...`
# averages runs window by window, as `emovox fuse` would.
# EVX_CACHE=DIR reuses extracted features (default out/cache);
# EVX_CV_FOLDS=K; EVX_CV_EVAL_ONLY=1 pools and scores existing folds again.
set -uo pipefail
cd "$(dirname "$0")/.."
n=$1; shift
E=${EVX_EMOVOX:-./build/trainer/emovox}
D=../shared/data/manifest.csv
T=$(cat models/test-speakers.txt)
K=${EVX_CV_FOLDS:-3}
cache=${EVX_CACHE:-out/cache}
out=out/cv/$n
mkdir -p "$out"
for ((f = 0; f < K; f++)); do
  if [ "${EVX_CV_EVAL_ONLY:-0}" != 1 ]; then
    "$E" train --data $D --cache "$cache" --exclude-speakers "$T" --folds $K --fold $f \
      --val-frac 0 --out "$out/f$f.emvx" --report "$out/f$f" --quiet "$@" \
      > "$out/f$f.log" 2>&1 || { echo "$n fold $f FAILED"; tail -3 "$out/f$f.log"; exit 1; }
  fi
done
{ head -1 "$out/f0/windows.csv"; for ((f = 0; f < K; f++)); do tail -n +2 "$out/f$f/windows.csv"; done; } \
  > "$out/windows.csv"
echo "$n [$*]"
/usr/bin/python3 models/score.py "$out/windows.csv" | tee "$out/score.txt"
