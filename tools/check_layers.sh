#!/bin/sh
# Fails when a file includes a header from a higher layer. The order, lowest first, is in
# docs/architecture.md. A file's layer is its folder under src/ (or, for a public header,
# the table below); src/main.cc is the top.
set -eu
root="${1:-.}"
cd "$root"

layer_of() {
  case "$1" in
    src/util/*|include/flyte/status.h|include/flyte/source.h|include/flyte/diagnostic.h) echo 0 ;;
    src/types/*|include/flyte/types.h|include/flyte/value.h|include/flyte/phase.h) echo 1 ;;
    src/spec/*|include/flyte/spec.h) echo 2 ;;
    src/compiler/*|include/flyte/dag.h|include/flyte/compiler.h) echo 3 ;;
    src/engine/*|include/flyte/engine.h|include/flyte/runner.h|include/flyte/clock.h) echo 4 ;;
    src/runner/*|src/store/*|src/kube/*|include/flyte/store.h) echo 5 ;;
    src/admin/*|include/flyte/admin.h) echo 6 ;;
    src/http/*|src/cron/*) echo 7 ;;
    src/cli/*) echo 8 ;;
    src/main.cc) echo 9 ;;
    *) echo "" ;;
  esac
}

status=0
for f in $(find src include -name '*.h' -o -name '*.cc' | sort); do
  mine=$(layer_of "$f")
  if [ -z "$mine" ]; then
    echo "check_layers: $f is in no layer; add it to tools/check_layers.sh" >&2
    status=1
    continue
  fi
  for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
    if [ -f "src/$inc" ]; then target="src/$inc"; elif [ -f "include/$inc" ]; then target="include/$inc"; else continue; fi
    theirs=$(layer_of "$target")
    if [ -n "$theirs" ] && [ "$theirs" -gt "$mine" ]; then
      echo "check_layers: $f (layer $mine) includes $inc (layer $theirs): layers only point down" >&2
      status=1
    fi
  done
done
exit $status
