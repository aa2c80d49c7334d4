#!/usr/bin/env bash
# fuzz_bundle.sh DURATION_S [WORKDIR] [RUNS]: builds the libFuzzer harness for the
# .emvx reader (clang, ASan + UBSan) and fuzzes it for DURATION_S seconds at
# low priority on one worker, seeded from tests/nn/fixtures and
# tests/nn/fuzz-corpus. Crashes land in WORKDIR (default build-fuzz/) as
# crash-*; copy the ones worth keeping into tests/nn/fuzz-corpus/.
# RUNS (or the env var FUZZ_RUNS) stops it after that many executions
# (libFuzzer -runs=N), whichever of DURATION_S and RUNS comes first;
# DURATION_S 0 means no time limit (e.g. `fuzz_bundle.sh 0 build-fuzz 10000000`).
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:?usage: fuzz_bundle.sh DURATION_S [WORKDIR] [RUNS]}
work=${2:-build-fuzz}
runs=${3:-${FUZZ_RUNS:-}}
runs_arg=()
if [ -n "$runs" ]; then
  [[ $runs =~ ^[0-9]+$ ]] || { echo "fuzz_bundle.sh: RUNS must be a number" >&2; exit 2; }
  runs_arg=(-runs="$runs")
fi
mkdir -p "$work/corpus"
src=(core/evx_crc32.c core/evx_labels.c core/evx_nn_model.c core/evx_nn_input.c
     core/evx_nn_kernels.c core/evx_nn_net.c core/evx_nn_zoo.c core/evx_nn_ensemble.c core/evx_bundle_read.c
     core/evx_bundle_write.c bench/fuzz_bundle.c)
clang -std=gnu11 -D_GNU_SOURCE -O2 -g -Icore -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "${src[@]}" -lm -o "$work/fuzz_bundle"
cp -n tests/nn/fixtures/*.emvx "$work/corpus/" 2>/dev/null || true
cp -n tests/nn/fuzz-corpus/* "$work/corpus/" 2>/dev/null || true
cd "$work"
nice -n 19 ./fuzz_bundle -max_total_time="$dur" "${runs_arg[@]}" -max_len=12288 -timeout=10 \
  -print_final_stats=1 -artifact_prefix=./ corpus 2>&1 | tee fuzz.log |
  grep -E '^(#[0-9]+.*(pulse|DONE)|==|stat::|SUMMARY|artifact)' || true
echo "executions: $(grep -o 'stat::number_of_executed_units: [0-9]*' fuzz.log | awk '{print $2}')"
echo "crashes: $(ls crash-* leak-* timeout-* oom-* 2>/dev/null | wc -l)"
