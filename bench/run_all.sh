#!/usr/bin/env bash
# run_all.sh [--quick] [--fuzz SECONDS] [--soak SECONDS] [--build DIR] [--out FILE]
#
# Builds emovox for benchmarking in its own build directory (default
# build-bench/: buildtype=release, -Dbench=true -Dtests=false, compiled with
# -j1), runs every benchmark of bench/ (features, nn, train, plugin with the
# shipped model and with a tcn bundle, soak)
# at low priority, and writes bench/RESULTS.md: the machine, the date, each
# benchmark's key figures and its ratio against the peer measured in the
# same run, the targets, and the raw output.
#
#   --quick          shorter measurements: 60 s of soak audio per instance
#                    (instead of 600), 10 s of audio for features and 5 s per
#                    case for plugin (instead of 20 and 20)
#   --fuzz SECONDS   also run bench/fuzz_bundle.sh and bench/fuzz_audio.sh for
#                    SECONDS each (work dirs <build>/fuzz-bundle, fuzz-audio)
#   --soak SECONDS   soak audio per instance (overrides --quick's 60 / 600)
#   --build DIR      build directory (default build-bench)
#   --out FILE       report (default bench/RESULTS.md)
# env: BENCH_NICE (default 10): the niceness everything here runs at;
#      BENCH_JOBS (default 1): compile jobs.
# Exit status: 0 when the build and every benchmark ran (a missed target is
# reported, not an error), 1 when the build or a benchmark failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# Run everything at niceness BENCH_NICE (absolute, so calling this under
# `nice` does not stack).
want=${BENCH_NICE:-10}
if [ "$(nice)" -lt "$want" ]; then
  exec nice -n $((want - $(nice))) bash "$0" "$@"
fi

quick=0 fuzz=0 soak='' build="$root/build-bench" out="$root/bench/RESULTS.md"
usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --fuzz) fuzz=${2:?--fuzz SECONDS}; shift ;;
    --soak) soak=${2:?--soak SECONDS}; shift ;;
    --build) build=$(realpath -m "${2:?--build DIR}"); shift ;;
    --out) out=$(realpath -m "${2:?--out FILE}"); shift ;;
    -h|--help) usage 0 ;;
    *) echo "run_all.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
for v in "$fuzz" "${soak:-1}"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "run_all.sh: not a whole number of seconds: $v" >&2; exit 2; }
done
case $build in "$root/build"|"$root/build-san")
  echo "run_all.sh: refusing to use $build (the developers' build dirs)" >&2; exit 2 ;; esac

if [ -z "$soak" ]; then soak=$([ $quick = 1 ] && echo 60 || echo 600); fi
feat_s=$([ $quick = 1 ] && echo 10 || echo 20)
plug_s=$([ $quick = 1 ] && echo 5 || echo 20)
shared="$root/../shared"
python=${EVX_PYTHON:-/usr/bin/python3}
logs="$build/bench-logs"

echo "== build ($build, release, -j${BENCH_JOBS:-1})"
mkdir -p "$(dirname "$build")"
opts=(--buildtype=release -Dbench=true -Dtests=false)
if [ -f "$build/build.ninja" ]; then
  # --reconfigure: picks up a models/default.emvx added since (plugin/meson.build)
  meson setup --reconfigure "$build" "$root" "${opts[@]}" >/dev/null || exit 1
else
  meson setup "$build" "$root" "${opts[@]}" >/dev/null || exit 1
fi
mkdir -p "$logs"
rm -f "$logs"/*.log "$logs"/*.rc "$logs"/*.wall
cat /proc/loadavg >"$logs/loadavg.start" 2>/dev/null
if ! meson compile -C "$build" -j "${BENCH_JOBS:-1}" >"$logs/build.log" 2>&1; then
  tail -40 "$logs/build.log"
  echo "run_all.sh: build failed (log: $logs/build.log)" >&2
  exit 1
fi

export EVX_SHARED="$shared" EVX_PYTHON="$python" EVX_BUILD_ROOT="$build"
status=0
# bench NAME CMD...: runs one benchmark, output to the terminal and
# $logs/NAME.log, exit status to NAME.rc, wall seconds to NAME.wall.
bench() {
  local name=$1; shift
  echo "== $name: $*"
  local t0 rc
  t0=$(date +%s.%N)
  "$@" 2>&1 | tee "$logs/$name.log"
  rc=${PIPESTATUS[0]}
  echo "$rc" >"$logs/$name.rc"
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", b - a }' >"$logs/$name.wall"
  if [ "$rc" != 0 ]; then echo "== $name: exit status $rc"; status=1; fi
}
b="$build/bench"
bench features "$b/bench_features" "$feat_s"
bench nn "$b/bench_nn"
bench train "$b/bench_train" all
bench plugin "$b/bench_plugin" "$plug_s"
# plugin_model: the same table with a frame-matrix temporal network; one
# epoch of `emovox train --arch tcn` on SAVEE gives a bundle of its shape
if [ -d "$shared/data/savee" ]; then
  tcn="$logs/tcn.emvx"
  if "$build/trainer/emovox" train --data "$shared/data/savee" --arch tcn --adapt speaker \
      --window 3 --hop 0.5 --epochs 1 --val-frac 0.25 --test-frac 0.25 --seed 1 --threads 2 \
      --quiet --out "$tcn" >"$logs/tcn_train.txt" 2>&1; then
    bench plugin_model "$b/bench_plugin" "$plug_s" "$tcn"
  else
    echo "== plugin_model: could not train the tcn bundle ($logs/tcn_train.txt)"; status=1
  fi
else
  echo "== plugin_model: skipped, no $shared/data/savee"
fi
bench soak "$b/soak" "$soak" 1
if [ "$fuzz" -gt 0 ]; then
  bench fuzz_bundle bash "$root/bench/fuzz_bundle.sh" "$fuzz" "$build/fuzz-bundle"
  bench fuzz_audio bash "$root/bench/fuzz_audio.sh" "$fuzz" "$build/fuzz-audio"
fi

mode=$([ $quick = 1 ] && echo quick || echo full)
"$python" "$root/bench/results_md.py" --logs "$logs" --build "$build" --root "$root" \
  --shared "$shared" --python "$python" --mode "$mode" --soak "$soak" --features "$feat_s" \
  --plugin "$plug_s" --fuzz "$fuzz" --out "$out" || status=1
echo "== wrote $out"
exit $status
