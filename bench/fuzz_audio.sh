#!/usr/bin/env bash
# fuzz_audio.sh DURATION_S [WORKDIR] [RUNS]: builds the libFuzzer harness for the
# audio-file path of `emovox analyze` (bench/fuzz_audio.c: libsndfile
# decode + the streaming engine + the printers; clang, ASan + UBSan) and
# fuzzes it for DURATION_S seconds at low priority on one worker, seeded
# from tests/hardening/fuzz-audio-corpus. The model is an untrained
# placeholder built here (plugin/make_placeholder.c). Crashes land in
# WORKDIR (default build-fuzz-audio/) as crash-*; once fixed, copy them into
# tests/hardening/fuzz-audio-corpus/ (tests/hardening/test_fuzz_audio_replay.c
# replays that directory).
# RUNS (or the env var FUZZ_RUNS) stops it after that many executions
# (libFuzzer -runs=N), whichever of DURATION_S and RUNS comes first;
# DURATION_S 0 means no time limit (e.g. `fuzz_audio.sh 0 build-fuzz-audio 10000000`).
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:?usage: fuzz_audio.sh DURATION_S [WORKDIR] [RUNS]}
work=${2:-build-fuzz-audio}
runs=${3:-${FUZZ_RUNS:-}}
runs_arg=()
if [ -n "$runs" ]; then
  [[ $runs =~ ^[0-9]+$ ]] || { echo "fuzz_audio.sh: RUNS must be a number" >&2; exit 2; }
  runs_arg=(-runs="$runs")
fi
mkdir -p "$work/corpus"
core=(core/evx_labels.c core/evx_resample.c core/evx_rs_design.c core/evx_features.c
      core/evx_feat_frame.c core/evx_feat_offline.c core/evx_feat_tables.c core/evx_crc32.c
      core/evx_nn_model.c core/evx_nn_input.c core/evx_nn_kernels.c core/evx_nn_net.c
      core/evx_nn_zoo.c core/evx_bundle_read.c core/evx_bundle_write.c core/evx_engine.c
      core/evx_adapt.c core/evx_nn_ensemble.c core/evx_speech.c core/evx_prosody.c
      core/evx_rs_dot.c)
libs=(-lsndfile -lfftw3f -lfftw3 -lfftw3_threads -lfftw3f_threads -lm -lpthread)
flags=(-std=gnu11 -D_GNU_SOURCE -O2 -g -Icore -Itrainer -fno-omit-frame-pointer)
clang "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "${core[@]}" trainer/audio.c trainer/cli.c trainer/cmd_analyze.c trainer/channel_pick.c bench/fuzz_audio.c "${libs[@]}" \
  -o "$work/fuzz_audio"
clang "${flags[@]}" "${core[@]}" plugin/make_placeholder.c "${libs[@]}" -o "$work/make_placeholder"
"$work/make_placeholder" "$work/model.emvx"
cp -n tests/hardening/fuzz-audio-corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
# -close_fd_mask=3: analyze's tables and messages are not shown (libFuzzer
# and sanitizer reports still are).
EMOVOX_MODEL="$PWD/model.emvx" nice -n 19 ./fuzz_audio -max_total_time="$dur" "${runs_arg[@]}" \
  -max_len=32768 -timeout=20 -rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1 \
  -artifact_prefix=./ corpus 2>&1 | tee fuzz.log |
  grep -E '^(#[0-9]+.*(pulse|DONE)|==|stat::|SUMMARY|artifact)' || true
echo "executions: $(grep -o 'stat::number_of_executed_units: [0-9]*' fuzz.log | awk '{print $2}')"
echo "crashes: $(ls crash-* leak-* timeout-* oom-* 2>/dev/null | wc -l)"
