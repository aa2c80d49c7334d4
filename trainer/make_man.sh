#!/usr/bin/env bash
# make_man.sh EMOVOX OUT: the emovox(1) man page, generated from the help
# text the program prints (`emovox --help`, `emovox --version` and
# `emovox help COMMAND` for every command), so the page never disagrees with
# the program. Uses help2man (Debian package help2man) when installed, else
# writes the same sections itself.
set -euo pipefail
exe=$1
out=$2
cmds=$("$exe" --help | awk '/^commands:/ {on = 1; next} on && !NF {exit} on {print $1}')
[ -n "$cmds" ] || { echo "make_man.sh: no commands in '$exe --help'" >&2; exit 1; }
# roff-safe: backslashes doubled, lines starting with . or ' protected
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
{
  echo "[COMMANDS]"
  for c in $cmds; do
    echo ".SS \"emovox $c\""
    echo ".nf"
    "$exe" help "$c" | esc
    echo ".fi"
  done
  echo "[EXIT STATUS]"
  echo "0 success; 1 failure (the reason is printed on standard error, one line per"
  echo "problem); 2 usage error (one line: emovox: COMMAND: what is wrong)."
  echo "[ENVIRONMENT]"
  echo ".TP"
  echo ".B EMOVOX_MODEL"
  echo "the weight bundle emovox analyze uses when no \\fB\\-\\-model\\fR is given."
  echo "[SEE ALSO]"
  echo "The README and docs/bundle-format.md of the emovox sources."
} > "$inc"
if command -v help2man >/dev/null 2>&1; then
  help2man --no-info --no-discard-stderr --section=1 \
    --name="real-time speech-emotion recognition: train, evaluate and analyse" \
    --include="$inc" --output="$out" "$exe"
else
  version=$("$exe" --version | head -1)
  {
    echo ".TH EMOVOX 1 \"\" \"$version\" \"User Commands\""
    echo ".SH NAME"
    echo "emovox \\- real-time speech-emotion recognition: train, evaluate and analyse"
    echo ".SH SYNOPSIS"
    echo ".nf"
    "$exe" --help | esc
    echo ".fi"
    awk '/^\[/ {gsub(/[][]/, ""); print ".SH " $0; next} {print}' "$inc"
  } > "$out"
fi
