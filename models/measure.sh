#!/usr/bin/env bash
# models/measure.sh [OUT]: retrains models/default.emvx exactly as MODEL_CARD.md
# says (its two networks, same seeds, same --threads: same bytes, then
# `emovox fuse`) and measures every figure of the card into OUT (default
# out/model): held-out RAVDESS actors, each network alone, the seed
# architecture beside it, cross-corpus SAVEE and TESS, two voices on one
# track, noise and codec robustness.
# Needs ../shared/data and a built tree (build/). About an hour on 2 cores
# (each of the four temporal networks trains for about 10 minutes);
# EVX_CACHE=DIR reuses extracted features between runs (same results).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/model}
E=${EVX_EMOVOX:-./build/trainer/emovox}   # EVX_EMOVOX: another build of the same code
D=../shared/data
mkdir -p "$out"
cache=(${EVX_CACHE:+--cache "$EVX_CACHE"})
split=(--test-speakers ravdess-17,ravdess-18,ravdess-19,ravdess-20
       --val-speakers ravdess-13,ravdess-14,ravdess-15,ravdess-16)
# the shipped model averages two networks (emovox fuse): the window statistics
# (mlp) and the frame matrix in time order (tcn), both noise-augmented
mlp=(--arch mlp --input voiced --channels 256 --dropout 0.3 --class-weights balanced
     --balance speakers --adapt speaker --ensemble 3
     --noise-snr 5:40 --noise-type mixed --aug-copies 2
     --window 3 --hop 0.5 --seed 1 --threads 2)
tcn=(--arch tcn --batchnorm on --class-weights balanced --balance speakers --adapt speaker
     --lr-schedule cosine --keep last --epochs 14
     --noise-snr 5:40 --noise-type mixed --aug-copies 2
     --window 3 --hop 0.5 --seed 1 --threads 2)
score() { grep -h "side of the split\|every clip given" "$1" | tail -1; }
# both = NAME DATA...: trains NAME-mlp and NAME-tcn on DATA with the split (and
# any options after --), fuses them into NAME.emvx
both() {
  local name=$1; shift
  local data=() extra=()
  while (($#)) && [[ $1 != -- ]]; do data+=(--data "$1"); shift; done
  (($#)) && shift && extra=("$@")
  $E train "${data[@]}" "${cache[@]}" "${extra[@]}" "${mlp[@]}" --out "$out/$name-mlp.emvx" \
    --quiet 2> "$out/$name-mlp.log"
  $E train "${data[@]}" "${cache[@]}" "${extra[@]}" "${tcn[@]}" --out "$out/$name-tcn.emvx" \
    --quiet 2> "$out/$name-tcn.log"
  $E fuse "$out/$name.emvx" "$out/$name-mlp.emvx" "$out/$name-tcn.emvx"
}
test_eval() { $E eval "$1" --data $D/manifest.csv "${cache[@]}" "${split[@]}" --side test --quiet "${@:2}"; }

echo "== the shipped model (train: ravdess 01-12 + tess + savee; val: ravdess 13-16; test: ravdess 17-20)"
both default $D/manifest.csv -- "${split[@]}"
test_eval "$out/default.emvx" --report "$out/default"
for net in mlp tcn; do
  printf 'its %s network alone: ' $net
  test_eval "$out/default-$net.emvx" --report "$out/default-$net"
done
printf 'the same, cold (population statistics only, no adaptation): '
test_eval "$out/default.emvx" --adapt cold --report "$out/default-cold"
printf 'the same, the four actors interleaved in one stream (several voices, no reset): '
test_eval "$out/default.emvx" --adapt shared
if [[ ${EVX_SHIP:-0} == 1 ]]; then   # make this run's bundle the shipped one
  cp "$out/default.emvx" models/default.emvx
  cp "$out/default/confusion_window.svg" models/confusion_window.svg
  echo "shipped: models/default.emvx replaced by this run's bundle"
elif cmp -s "$out/default.emvx" models/default.emvx; then
  echo "retrained bundle is byte-identical to models/default.emvx"
else
  echo "retrained bundle DIFFERS from models/default.emvx"
fi

echo "== the seed architecture on the same split (Conv1D 5/3, MaxPool 3/2, on the 98-feature window mean)"
$E train --data $D/manifest.csv "${cache[@]}" "${split[@]}" --arch seed --seed 1 --threads 2 \
  --out "$out/seed.emvx" --report "$out/seed" --quiet 2> "$out/seed.log"
score "$out/seed.log"

echo "== cross-corpus: trained without SAVEE, scored on all of SAVEE (7 classes, 4 unseen speakers)"
both nosavee $D/ravdess $D/tess -- "${split[@]}"
$E eval "$out/nosavee.emvx" --data $D/savee "${cache[@]}" --quiet --report "$out/savee" | tee "$out/savee.txt"
$E eval "$out/nosavee.emvx" --data $D/savee "${cache[@]}" --quiet --adapt cold --report "$out/savee-cold"

echo "== cross-corpus: trained without TESS, scored on all of TESS (7 classes, 2 unseen speakers)"
both notess $D/ravdess $D/savee -- "${split[@]}"
$E eval "$out/notess.emvx" --data $D/tess "${cache[@]}" --quiet --report "$out/tess" | tee "$out/tess.txt"
$E eval "$out/notess.emvx" --data $D/tess "${cache[@]}" --quiet --adapt cold --report "$out/tess-cold"

echo "== context only, NOT speaker-independent: a random 80/20 split (speakers overlap)"
both random $D/manifest.csv -- --random-split
$E eval "$out/random.emvx" --data $D/manifest.csv "${cache[@]}" --random-split --side test --quiet \
  --report "$out/random"
/usr/bin/python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
for k in ("per_window", "per_clip"):
    print(k, " ".join("%s %.1f%%" % (c, 100 * v["ua"]) for c, v in r[k].items()))' "$out/random/report.json"

echo "== two voices taking turns on one track (models/conversation.py)"
for turn in 5 2 10; do
  echo "turns of $turn clips:"
  /usr/bin/python3 models/conversation.py --data $D --emovox $E --model models/default.emvx \
    --out "$out/conversation" --turn $turn | grep UA
done

echo "== noise and codecs, the shipped model on the held-out actors"
for n in white babble; do
  for snr in 20 10 0; do
    printf '%s %s dB: ' $n $snr
    $E eval models/default.emvx --data $D/manifest.csv "${cache[@]}" "${split[@]}" --side test --quiet \
      --noise $n --snr $snr --report "$out/$n$snr" | sed 's/ -- degradation.*//'
  done
done
for c in opus:32 opus:16 mp3:32 vorbis:0.3; do
  printf '%s: ' $c
  $E eval models/default.emvx --data $D/manifest.csv "${cache[@]}" "${split[@]}" --side test --quiet \
    --codec $c --report "$out/codec-${c/:/-}" | sed 's/ -- degradation.*//'
done
