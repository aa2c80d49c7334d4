#!/usr/bin/env bash
# models/loco.sh NAME CORPUS TRAIN-OPTIONS...: leave one corpus out. Trains
# on every other corpus of ../shared/data (less the fixed test speakers of
# models/test-speakers.txt, as every recipe run does), with no validation
# side (give --lr-schedule cosine --keep last), then scores all of CORPUS
# (ravdess, cremad, tess or savee: speakers and a recording set it never
# heard) speaker-adapted and cold, per window, over its own classes
# (models/score.py). Output in out/loco/NAME-CORPUS/.
# EVX_CACHE=DIR reuses extracted features (default out/cache).
set -uo pipefail
cd "$(dirname "$0")/.."
n=$1 held=$2; shift 2
E=${EVX_EMOVOX:-./build/trainer/emovox}
D=../shared/data
T=$(cat models/test-speakers.txt)
cache=${EVX_CACHE:-out/cache}
out=out/loco/$n-$held
mkdir -p "$out"
data=()
excl=()
for c in ravdess cremad tess savee; do
  [ $c = "$held" ] && continue
  data+=(--data $D/$c)
  for s in ${T//,/ }; do [[ $s == $c-* ]] && excl+=("$s"); done
done
x=$(IFS=,; echo "${excl[*]}")
"$E" train "${data[@]}" --cache "$cache" ${x:+--exclude-speakers "$x"} --val-frac 0 --test-frac 0 \
  --out "$out/model.emvx" --quiet "$@" > "$out/train.log" 2>&1 ||
  { echo "$n without $held: training FAILED"; tail -3 "$out/train.log"; exit 1; }
for mode in stream cold; do
  "$E" eval "$out/model.emvx" --data $D/$held --cache "$cache" --adapt $mode --quiet \
    --report "$out/$mode" > /dev/null || { echo "$n: eval on $held FAILED"; exit 1; }
  printf '%s, trained without %s, %s: ' "$n" "$held" "$mode"
  /usr/bin/python3 models/score.py "$out/$mode/windows.csv" | grep " all "
done
