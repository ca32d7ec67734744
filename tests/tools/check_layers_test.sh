#!/bin/sh
# tools/check_layers.sh catches each kind of shape break in a small fabricated tree, and passes
# on the real one. Usage: check_layers_test.sh SOURCE_DIR
set -eu
src="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check="$src/tools/check_layers.sh"

# A tree with one file per rule; each case adds one bad include and expects its message.
expect_failure() {
  name="$1" file="$2" line="$3" message="$4"
  rm -rf "$tmp/t" && mkdir -p "$tmp/t/src/util" "$tmp/t/src/engine" "$tmp/t/src/runner" "$tmp/t/src/store" \
    "$tmp/t/src/http" "$tmp/t/src/cron" "$tmp/t/include/flyte"
  touch "$tmp/t/src/util/strings.h" "$tmp/t/src/engine/engine_impl.h" "$tmp/t/src/runner/local_runner.h" \
    "$tmp/t/src/store/sqlite.h" "$tmp/t/src/http/server.h" "$tmp/t/src/cron/scheduler.h" "$tmp/t/include/flyte/admin.h"
  mkdir -p "$(dirname "$tmp/t/$file")"
  printf "%s\n" "$line" > "$tmp/t/$file"
  if out=$("$check" "$tmp/t" 2>&1); then
    echo "FAIL: $name: check_layers passed" >&2
    exit 1
  fi
  case "$out" in
    *"$message"*) echo "ok: $name" ;;
    *) echo "FAIL: $name: expected '$message', got: $out" >&2; exit 1 ;;
  esac
}

expect_failure "quoted upward include" src/engine/a.cc '#include "http/server.h"' \
  "src/engine/a.cc (layer 4) includes http/server.h (layer 7): layers only point down"
expect_failure "angled upward include" src/engine/a.cc '#include <flyte/admin.h>' \
  "src/engine/a.cc (layer 4) includes flyte/admin.h (layer 6): layers only point down"
expect_failure "same-layer sibling (runner -> store)" src/runner/a.cc '#include "store/sqlite.h"' \
  "src/runner/a.cc (runner) includes store/sqlite.h (store): folders of one layer do not use each other"
expect_failure "same-layer sibling (http -> cron)" src/http/a.cc '#include "cron/scheduler.h"' \
  "src/http/a.cc (http) includes cron/scheduler.h (cron): folders of one layer do not use each other"
expect_failure "libuv in the engine" src/engine/a.cc '#include <uv.h>' \
  "src/engine/a.cc includes <uv.h>, which only src/runner/ src/cli/ may use"
expect_failure "SQLite outside the store" src/runner/a.cc '#include <sqlite3.h>' \
  "src/runner/a.cc includes <sqlite3.h>, which only src/store/ may use"
expect_failure "httplib in the admin" include/flyte/admin.h '#include <httplib.h>' \
  "include/flyte/admin.h includes <httplib.h>"
expect_failure "JSON library outside its adapters" src/engine/a.cc '#include <nlohmann/json.hpp>' \
  "src/engine/a.cc includes <nlohmann/json.hpp>"
expect_failure "yaml-cpp outside util/yaml.cc" src/util/other.cc '#include <yaml-cpp/yaml.h>' \
  "src/util/other.cc includes <yaml-cpp/yaml.h>, which only src/util/yaml.cc may use"
expect_failure "a file in no layer" src/mystery/a.cc '' "src/mystery/a.cc is in no layer"

"$check" "$src"
echo "ok: the real tree passes"
