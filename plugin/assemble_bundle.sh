#!/bin/sh
# assemble_bundle.sh DEST STAMP FILE...: copy the built bundle's files into
# DEST (<builddir>/emovox.lv2) so that LV2_PATH=<builddir> finds it
# uninstalled; touch STAMP. A name ending in .built loses that suffix
# (manifest.ttl.built -> manifest.ttl). Build time only.
set -e
dest=$1
stamp=$2
shift 2
mkdir -p "$dest"
for f in "$@"; do
  name=$(basename "$f" .built)
  cp -f "$f" "$dest/$name"
done
touch "$stamp"
