#!/usr/bin/env bash
# models/cv.sh NAME TRAIN-OPTIONS...: the 4-fold speaker cross-validation that
# chose the recipes in MODEL_CARD.md. Fold k holds RAVDESS actors 4k+1..4k+4
# out as the validation side; actors 17-20 (the test actors) are excluded from
# training and never scored; TESS and SAVEE are always in training. Two folds
# run at a time (give --threads 1). Prints the mean validation UA per window
# and per clip, and each fold's UA per window. Bundles, logs and reports go
# to out/cv/NAME.fK*; each report directory has windows.csv, which
# models/cv_fuse.py averages across runs. Needs ../shared/data and build/;
# EVX_CACHE=DIR reuses extracted features (default out/cache).
# EVX_CV_EVAL_ONLY=1: score the existing out/cv/NAME.fK.emvx again, no
# training. EVX_CV_NOISY=1: also score the validation clips with white and
# with babble-like noise at 10 dB SNR (out/cv/NAME.fK.valw10, .valb10).
set -uo pipefail
cd "$(dirname "$0")/.."
n=$1; shift
E=./build/trainer/emovox
D=../shared/data/manifest.csv
T=ravdess-17,ravdess-18,ravdess-19,ravdess-20
cache=${EVX_CACHE:-out/cache}
mkdir -p out/cv
fold() {
  local f=$1; shift
  local V
  V=$(for a in 1 2 3 4; do printf "ravdess-%02d," $((f * 4 + a)); done); V=${V%,}
  if [ "${EVX_CV_EVAL_ONLY:-0}" != 1 ]; then
    "$E" train --data $D --cache "$cache" --test-speakers $T --val-speakers "$V" \
      --out out/cv/$n.f$f.emvx --quiet "$@" > out/cv/$n.f$f.log 2>&1 || { echo "$n fold $f FAILED"; tail -3 out/cv/$n.f$f.log; return 1; }
  fi
  local ev=("$E" eval out/cv/$n.f$f.emvx --data $D --cache "$cache" --test-speakers $T
            --val-speakers "$V" --side val --quiet --threads 1)
  "${ev[@]}" --report out/cv/$n.f$f.val > /dev/null 2>&1 || { echo "$n fold $f: eval FAILED"; return 1; }
  if [ "${EVX_CV_NOISY:-0}" = 1 ]; then
    "${ev[@]}" --noise white --snr 10 --report out/cv/$n.f$f.valw10 > /dev/null 2>&1 &&
    "${ev[@]}" --noise babble --snr 10 --report out/cv/$n.f$f.valb10 > /dev/null 2>&1 ||
      { echo "$n fold $f: noisy eval FAILED"; return 1; }
  fi
}
for pair in "0 1" "2 3"; do
  pids=()
  for f in $pair; do fold "$f" "$@" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || exit 1; done
done
/usr/bin/python3 - "$n" "$*" out/cv/$n.f{0,1,2,3}.val/report.json <<'PY'
import json, sys
w, c = [], []
for p in sys.argv[3:]:
    r = json.load(open(p))
    w.append(100 * r['per_window']['overall']['ua'])
    c.append(100 * r['per_clip']['overall']['ua'])
m = lambda a: sum(a) / len(a)
print(f"{sys.argv[1]}: CV UA {m(w):.1f}% per window ({m(c):.1f}% per clip); folds "
      + " ".join(f"{x:.1f}" for x in w) + f"  [{sys.argv[2]}]")
PY
