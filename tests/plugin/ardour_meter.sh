#!/usr/bin/env bash
# ardour_meter.sh LUA [sanitize|plain]: runs ardour_meter.lua with ardour7-lua
# (Debian package `ardour`), headless: dummy audio backend, no X display, HOME
# in a temp dir, LV2_PATH holding only the uninstalled <build root>/emovox.lv2.
# Exit 77 (meson: skip) when ardour7-lua is not installed or the build is a
# -Dsanitize one; nonzero on any failure.
set -u
lua=$1
if [[ "${2:-plain}" == sanitize ]]; then
  echo "SKIP: sanitizer build: Ardour cannot load an ASan-built plugin (the ASan runtime must come first in the process)"
  exit 77
fi
ardour_lua=$(command -v ardour7-lua 2>/dev/null) || {
  echo "SKIP: ardour7-lua not found (Debian package 'ardour', Ardour 7; scripts/deps.sh installs it)"
  exit 77
}
bundle="${EVX_BUILD_ROOT:?EVX_BUILD_ROOT not set}/emovox.lv2"
[[ -f "$bundle/manifest.ttl" ]] || { echo "FAIL: no bundle at $bundle"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/evx-ardour.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/lv2" "$tmp/xdg-run"
chmod 700 "$tmp/xdg-run"
ln -s "$bundle" "$tmp/lv2/emovox.lv2"

start=$(date +%s)
env -u DISPLAY -u WAYLAND_DISPLAY -u XDG_CONFIG_HOME -u XDG_CACHE_HOME -u XDG_DATA_HOME \
    -u JACK_DEFAULT_SERVER -u PULSE_SERVER \
    HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/xdg-run" LV2_PATH="$tmp/lv2" \
    EVX_ARDOUR_SESSION="$tmp/session" \
    timeout -k 10 120 "$ardour_lua" "$lua" >"$tmp/log" 2>&1 </dev/null
rc=$?
echo "ardour7-lua exited $rc after $(( $(date +%s) - start )) s; its output:"
cat "$tmp/log"
if [[ $rc -eq 124 || $rc -eq 137 ]]; then
  echo "FAIL: ardour7-lua timed out (120 s)"
  exit 1
fi
if [[ $rc -ne 0 ]]; then
  echo "FAIL: ardour7-lua exited $rc"
  exit 1
fi
if [[ "$(tail -n 5 "$tmp/log")" != *"EMOVOX-ARDOUR: PASS"* ]]; then
  echo "FAIL: the Lua script did not report PASS"
  exit 1
fi
echo "PASS"
