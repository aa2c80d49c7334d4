#!/usr/bin/env bash
# models/measure.sh [OUT]: retrains models/default.emvx exactly as
# MODEL_CARD.md says (its two networks, same seeds, same --threads: the same
# networks, then `emovox fuse`) and measures
# every figure of the card into OUT (default out/model):
#  - the fixed test speakers (models/test-speakers.txt: RAVDESS actors 17-20
#    and 8 CREMA-D actors, balanced by sex), never used in training: per
#    corpus over its own classes, per class, sex and CREMA-D age band;
#    adapted, cold and with the voices interleaved; each network alone;
#  - beside them the previous default model (from git history) and the seed
#    architecture trained on the same split;
#  - leave one corpus out: SAVEE, TESS and RAVDESS, each scored by the same
#    recipe trained without it;
#  - level (0 / -12 / -24 dB, and 20 dB between clips of one voice), noise
#    and codecs; two voices taking turns on one track.
# Needs ../shared/data and a built tree (build/). EVX_CACHE=DIR reuses
# extracted features between runs (same results). EVX_SHIP=1 copies the
# retrained bundle over models/default.emvx; without it the retrained
# networks are checked against the shipped ones (`emovox info`'s hash).
# EVX_MEASURE_LOCO=0 skips the three leave-one-corpus-out trainings.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/model}
E=${EVX_EMOVOX:-./build/trainer/emovox}   # EVX_EMOVOX: another build of the same code
D=../shared/data
T=$(cat models/test-speakers.txt)
PREVIOUS=4d35866   # the commit whose models/default.emvx was the default before this one
mkdir -p "$out"
cache=(--cache "${EVX_CACHE:-out/cache}")
split=(--test-speakers "$T")
# the shipped model averages two networks (emovox fuse): the window
# statistics (mlp, three seeds' logits averaged in one network) and the frame
# matrix in time order (tcn, one random window per clip and epoch). Both see
# every window at one voiced level (--level relative); a corpus weighs the
# square root of its speakers (--balance sqrt: CREMA-D's 73 training actors
# do not swamp the 22 others); no speaker is left out of training
# (--val-frac 0: no validation side, a fixed cosine schedule instead of
# early stopping). Chosen by models/cv.sh (MODEL_CARD.md, "How the recipe
# was chosen").
data_opts=(--class-weights balanced --balance sqrt --adapt speaker --level relative
           --noise-snr 5:40 --noise-type mixed --gain -30:6 --channel-aug on --speed 0.9:1.1
           --aug-copies 2 --window 3 --hop 0.5 --seed 1 --threads 2
           --lr-schedule cosine --keep last --val-frac 0)
mlp=(--arch mlp --input voiced --channels 256 --dropout 0.3 --ensemble 3 --epochs 10 "${data_opts[@]}")
tcn=(--arch tcn --batchnorm on --windows one --epochs 12 "${data_opts[@]}")
# both = NAME DATA... [-- OPTIONS]: trains NAME-mlp and NAME-tcn on DATA,
# fuses them into NAME.emvx
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
# test_eval BUNDLE REPORT [EVAL OPTIONS]: the fixed test speakers, scored per
# corpus (models/score.py)
test_eval() {
  $E eval "$1" --data $D/manifest.csv "${cache[@]}" "${split[@]}" --side test --quiet \
    --report "$2" "${@:3}" > /dev/null
  /usr/bin/python3 models/score.py "$2/windows.csv" --data $D | grep " all "
}

echo "== the shipped model: trained on every corpus less the test speakers ($T)"
both default $D/manifest.csv -- "${split[@]}"
echo "-- speaker-adapted (stream)"
$E eval "$out/default.emvx" --data $D/manifest.csv "${cache[@]}" "${split[@]}" --side test --quiet \
  --report "$out/default" > /dev/null
/usr/bin/python3 models/score.py "$out/default/windows.csv" --data $D --by class --by sex --by age
echo "-- cold (population statistics only)"
test_eval "$out/default.emvx" "$out/default-cold" --adapt cold
echo "-- the test speakers interleaved in one stream (several voices, no reset)"
test_eval "$out/default.emvx" "$out/default-shared" --adapt shared
for net in mlp tcn; do
  echo "-- its $net network alone"
  test_eval "$out/default-$net.emvx" "$out/default-$net"
done
if [[ ${EVX_SHIP:-0} == 1 ]]; then   # make this run's bundle the shipped one
  cp "$out/default.emvx" models/default.emvx
  cp "$out/default/confusion_window.svg" models/confusion_window.svg
  echo "shipped: models/default.emvx replaced by this run's bundle"
elif [[ "$($E info "$out/default.emvx" | grep '^networks:')" == \
        "$($E info models/default.emvx | grep '^networks:')" ]]; then
  # the provenance records this run's command line and revision: the
  # networks are compared (emovox info's hash of the bundle without it)
  echo "retrained networks are byte-identical to models/default.emvx's"
else
  echo "retrained networks DIFFER from models/default.emvx's"
fi

echo "== beside it: the previous default model ($PREVIOUS) and the seed architecture"
if git show "$PREVIOUS:models/default.emvx" > "$out/previous.emvx" 2> /dev/null; then
  for mode in stream cold; do
    echo "-- previous default, $mode"
    test_eval "$out/previous.emvx" "$out/previous-$mode" --adapt $mode
  done
else
  echo "(no git history here: previous default not measured)"
fi
$E train --data $D/manifest.csv "${cache[@]}" "${split[@]}" --arch seed --seed 1 --threads 2 \
  --out "$out/seed.emvx" --quiet 2> "$out/seed.log"
echo "-- seed architecture (Conv1D 5/3 on the 98-feature window mean)"
test_eval "$out/seed.emvx" "$out/seed"

echo "== level: the test speakers at -12 and -24 dB, and -20 dB on about half of each voice's clips"
for g in -12 -24; do
  echo "-- gain $g dB (adapted; then cold)"
  test_eval "$out/default.emvx" "$out/gain$g" --gain $g
  test_eval "$out/default.emvx" "$out/gain$g-cold" --gain $g --adapt cold
  [[ -f $out/previous.emvx ]] && { echo "   previous default:"; test_eval "$out/previous.emvx" "$out/prev-gain$g" --gain $g; }
done
echo "-- -20 dB on about half the clips (adapted)"
test_eval "$out/default.emvx" "$out/gainhalf" --gain -20 --gain-half

echo "== noise and codecs, the shipped model on the test speakers (adapted)"
for n in white babble; do
  for snr in 20 10 0; do
    echo "-- $n noise at $snr dB SNR"
    test_eval "$out/default.emvx" "$out/$n$snr" --noise $n --snr $snr
  done
done
for c in opus:32 opus:16 mp3:32 vorbis:0.3; do
  echo "-- codec $c"
  test_eval "$out/default.emvx" "$out/codec-${c/:/-}" --codec $c
done

echo "== two voices taking turns on one track (models/conversation.py, RAVDESS 17-20)"
for turn in 5 2 10; do
  echo "turns of $turn clips:"
  /usr/bin/python3 models/conversation.py --data $D --emovox $E --model "$out/default.emvx" \
    --out "$out/conversation" --turn $turn | grep UA
done

if [[ ${EVX_MEASURE_LOCO:-1} == 1 ]]; then
  echo "== leave one corpus out: the same recipe trained without the corpus it is scored on"
  for held in savee tess ravdess; do
    data=()
    for c in ravdess cremad tess savee; do [[ $c == "$held" ]] || data+=("$D/$c"); done
    x=$(tr ',' '\n' < models/test-speakers.txt | grep -v "^$held-" | paste -sd,)
    both "no$held" "${data[@]}" -- --exclude-speakers "$x" --test-frac 0
    for mode in stream cold; do
      echo "-- $held, trained without it, $mode"
      $E eval "$out/no$held.emvx" --data $D/$held "${cache[@]}" --adapt $mode --quiet \
        --report "$out/loco-$held-$mode" > /dev/null
      /usr/bin/python3 models/score.py "$out/loco-$held-$mode/windows.csv" --data $D | grep " all "
    done
  done
fi
