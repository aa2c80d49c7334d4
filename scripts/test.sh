#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, and runs the
# whole suite twice: an optimised build, then under ASan + UBSan.
# Prints one closing line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh || { echo "tests: dependency installation failed" >&2; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
status=0
summary() { # build dir -> "passed failed skipped"
  /usr/bin/python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line).get("result", "")
        if r == "OK": p += 1
        elif r == "SKIP": s += 1
        else: f += 1
except OSError:
    f += 1
print(p, f, s)
PY
}

run_suite() { # build dir, meson options...
  local dir=$1; shift
  local re=()
  [[ -f $dir/build.ninja ]] && re=(--reconfigure)
  # quiet when it works, the whole log when it does not
  local log
  log=$(meson setup "${re[@]}" "$dir" "$@" 2>&1) || { echo "$log"; return 1; }
  meson compile -C "$dir" -j "$jobs" || return 1
  meson test -C "$dir" --num-processes "$jobs" --print-errorlogs --timeout-multiplier "${EVX_TIMEOUT_MULT:-1}"
}

total_p=0 total_f=0 total_s=0
# -Dwerror=true: a compiler warning fails the build, so none creeps back in
# (issue 19: no warnings in any build, tests included)
for cfg in "build -Dwerror=true" "build-san -Dsanitize=true -Dbench=false -Db_lundef=false -Dwerror=true"; do
  set -- $cfg
  dir=$1; shift
  echo "=== $dir $*"
  run_suite "$dir" "$@" || status=1
  read -r p f s < <(summary "$dir")
  total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
  EVX_TIMEOUT_MULT=3
done
[[ $total_f -eq 0 ]] || status=1
echo "tests: $total_p passed, $total_f failed, $total_s skipped"
exit $status
