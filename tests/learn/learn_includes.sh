#!/bin/sh
# learn_includes.sh ROOT: trainer/learn/ is a library on core alone: each
# "quoted" #include in it names a header of trainer/learn/ or core/. Prints
# the ones that do not and fails.
root=${1:?usage: learn_includes.sh SOURCE_ROOT}
bad=0
for f in "$root"/trainer/learn/*.c "$root"/trainer/learn/*.h; do
  for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
    if [ ! -f "$root/trainer/learn/$h" ] && [ ! -f "$root/core/$h" ]; then
      echo "$(basename "$f"): includes \"$h\", outside trainer/learn/ and core/"
      bad=1
    fi
  done
done
[ "$bad" = 0 ] && echo "trainer/learn/ includes only itself and core/"
exit "$bad"
