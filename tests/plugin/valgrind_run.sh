#!/usr/bin/env bash
# valgrind_run.sh SUPP EXE [ARGS...]: runs EXE under valgrind memcheck; fails
# on any memory error or any definite/indirect leak. Exit 77 (meson: skip)
# when valgrind is not installed. Child processes (the `emovox analyze` the
# lilv host test spawns) are not traced.
set -u
supp=$1; shift
if ! command -v valgrind >/dev/null 2>&1; then
  echo "SKIP: valgrind is not installed (apt-get install valgrind, scripts/deps.sh)"
  exit 77
fi
exec valgrind --tool=memcheck --error-exitcode=1 --leak-check=full \
  --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
  --track-origins=yes --num-callers=30 --suppressions="$supp" "$@"
