#!/usr/bin/env bash
# exports.sh LIB: the plugin library exports lv2_descriptor and nothing else
# (core and plugin are built with hidden visibility, so no evx_* symbol can
# clash with another plugin's or be called by a host). Lists the defined
# dynamic symbols with nm, else readelf; exit 77 (meson: skip) with neither.
set -u
lib=$1
if command -v nm >/dev/null 2>&1; then
  syms=$(nm -D --defined-only "$lib" | awk 'NF == 3 { print $3 }') || exit 1
elif command -v readelf >/dev/null 2>&1; then
  syms=$(readelf --dyn-syms -W "$lib" |
         awk '$5 ~ /GLOBAL|WEAK/ && $7 != "UND" { sub(/@.*/, "", $8); print $8 }') || exit 1
else
  echo "SKIP: neither nm nor readelf is installed (apt-get install binutils)"
  exit 77
fi
if [ "$syms" != "lv2_descriptor" ]; then
  echo "FAIL: $lib must export lv2_descriptor only; it exports:"
  echo "$syms"
  exit 1
fi
echo "ok: $lib exports lv2_descriptor only"
