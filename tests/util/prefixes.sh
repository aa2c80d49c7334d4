#!/usr/bin/env bash
# prefixes.sh REGEX LIB...: every global symbol the static libraries define
# matches REGEX, so a name says where it lives: evx_ for core (what ships in
# the plugin), tr_ for the trainer, tl_ for its training framework (learn/).
# Exit 77 (meson: skip) without nm. ASan builds add a global
# __odr_asan.NAME beside each global NAME: it is checked as NAME.
set -u
re=$1; shift
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm is not installed (apt-get install binutils)"; exit 77; }
bad=$(for lib in "$@"; do nm --defined-only -g "$lib" | awk 'NF == 3 { print $3 }'; done |
      sed 's/^__odr_asan\.//' | grep -vE "$re" | sort -u)
if [ -n "$bad" ]; then
  echo "FAIL: symbols outside $re in $*:"
  echo "$bad"
  exit 1
fi
echo "ok: every global symbol of $* matches $re"
