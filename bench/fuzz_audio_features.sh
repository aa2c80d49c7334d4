#!/usr/bin/env bash
# fuzz_audio_features.sh [RUNS] [JOBS] [WORKDIR]: builds the in-process
# libFuzzer harness of the audio input path (bench/fuzz_audio_features.c:
# libsndfile decode + resample + features, as analyze and train read
# audio; clang, ASan + UBSan) and runs it for RUNS executions in all
# (default 10000000) over JOBS workers (default 1) at low priority, seeded
# from tests/hardening/fuzz-audio-corpus. Prints the executions and the
# crashes (crash-/leak-/timeout-/oom- files in WORKDIR, default
# build-fuzz-features/). Once fixed, copy crashes into
# tests/hardening/fuzz-audio-corpus/ (the replay test feeds them to this
# harness and to bench/fuzz_audio.c's).
# FUZZ_MAX_TIME=S (environment) also stops each worker after S seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10000000}
jobs=${2:-1}
work=${3:-build-fuzz-features}
[[ $runs =~ ^[0-9]+$ && $jobs =~ ^[1-9][0-9]*$ ]] ||
  { echo "fuzz_audio_features.sh: RUNS and JOBS must be numbers" >&2; exit 2; }
command -v clang >/dev/null ||
  { echo "fuzz_audio_features.sh: needs clang and libclang-rt-14-dev (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
mkdir -p "$work/corpus"
core=(core/evx_resample.c core/evx_rs_design.c core/evx_rs_dot.c core/evx_features.c
      core/evx_feat_frame.c core/evx_feat_offline.c core/evx_feat_tables.c core/evx_prosody.c)
libs=(-lsndfile -lfftw3f -lfftw3 -lfftw3_threads -lfftw3f_threads -lm -lpthread)
flags=(-std=gnu11 -D_GNU_SOURCE -O2 -g -Icore -Itrainer -fno-omit-frame-pointer)
clang "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "${core[@]}" trainer/audio.c bench/fuzz_audio_features.c "${libs[@]}" -o "$work/fuzz_features"
cp -n tests/hardening/fuzz-audio-corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
rm -f fuzz-*.log crash-* leak-* timeout-* oom-*
per=$(( (runs + jobs - 1) / jobs ))
# each worker runs its share; -close_fd_mask=3 hides libsndfile's chatter
for j in $(seq 1 "$jobs"); do
  nice -n 19 ./fuzz_features -runs="$per" -max_total_time="${FUZZ_MAX_TIME:-0}" -seed="$j" -max_len=16384 -timeout=20 \
    -rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1 -artifact_prefix=./ corpus \
    > "fuzz-$j.log" 2>&1 &
done
wait
grep -hE '^(==|SUMMARY)' fuzz-*.log || true
execs=$(grep -ho 'stat::number_of_executed_units: [0-9]*' fuzz-*.log | awk '{s += $2} END {print s + 0}')
echo "executions: $execs"
echo "crashes: $(ls crash-* leak-* timeout-* oom-* 2>/dev/null | wc -l)"
