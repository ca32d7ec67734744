#!/bin/sh
# Fails the build when the code's shape breaks one of three rules (docs/architecture.md):
#  1. Layers only point down: a file may include headers of its own layer and lower ones.
#  2. Folders that share a layer do not include each other (engine, kube and storage are
#     siblings; so are runner and store, and http and cron): what they share lives below them.
#     kube (the Kubernetes API client) and storage (the object-store client) speak protocols
#     and know nothing of tasks; the runners above them turn tasks into their requests.
#  3. Each third-party library is used only where its adapter lives (uv: the loop and the
#     runners; sqlite3: the store; httplib and nlohmann: http, kube and storage; yaml-cpp:
#     util/yaml.cc; CLI11: cli/app.cc and the two files that read its definition back for
#     --version, help, completion and man pages; expat: storage/xml.cc), so that everything
#     else sees our own types.
# A file's layer and group come from its folder under src/ or, for a public header, the table
# below; src/main.cc is the top. Both "quoted" and <angled> includes of our headers count.
set -eu
root="${1:-.}"
cd "$root"

# Prints "LAYER GROUP" of a path.
place_of() {
  case "$1" in
    include/flyte/status.h|include/flyte/source.h|include/flyte/diagnostic.h) echo "0 util" ;;
    src/util/*) echo "0 util" ;;
    include/flyte/types.h|include/flyte/value.h|include/flyte/phase.h|include/flyte/exec_error_code.h) echo "1 types" ;;
    src/types/*) echo "1 types" ;;
    include/flyte/spec.h|src/spec/*) echo "2 spec" ;;
    include/flyte/dag.h|include/flyte/compiler.h|src/compiler/*) echo "3 compiler" ;;
    include/flyte/engine.h|include/flyte/runner.h|include/flyte/clock.h|src/engine/*) echo "4 engine" ;;
    src/kube/*) echo "4 kube" ;;
    src/storage/*) echo "4 storage" ;;
    src/runner/*) echo "5 runner" ;;
    include/flyte/store.h|src/store/*) echo "5 store" ;;
    include/flyte/admin.h|src/admin/*) echo "6 admin" ;;
    src/http/*) echo "7 http" ;;
    src/cron/*) echo "7 cron" ;;
    src/cli/*) echo "8 cli" ;;
    src/main.cc) echo "9 main" ;;
    *) echo "" ;;
  esac
}

# Third-party headers and the folders (or files) allowed to include them.
allowed_for() {
  case "$1" in
    uv.h) echo "src/runner/ src/cli/" ;;
    sqlite3.h) echo "src/store/" ;;
    httplib.h) echo "src/http/ src/kube/ src/storage/" ;;
    nlohmann/*) echo "src/http/ src/kube/ src/storage/" ;;
    yaml-cpp/*) echo "src/util/yaml.cc" ;;
    CLI/*) echo "src/cli/app.cc src/cli/command_tree.cc src/cli/tool_commands.cc" ;;
    expat.h) echo "src/storage/xml.cc" ;;
    *) echo "*" ;;
  esac
}

# Known breaks being removed, each with its reason; none now (the admin no longer drives the
# loop: cli/assemble.cc hands it the loop's hooks). A new one needs a reason here.
exempt() {
  return 1
}

status=0
fail() {
  echo "check_layers: $1" >&2
  status=1
}

for f in $(find src include -name '*.h' -o -name '*.cc' | sort); do
  place=$(place_of "$f")
  if [ -z "$place" ]; then
    fail "$f is in no layer; add it to tools/check_layers.sh"
    continue
  fi
  mine=${place% *}
  group=${place#* }
  for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]\([^>"]*\)[>"].*/\1/p' "$f"); do
    allowed=$(allowed_for "$inc")
    if [ "$allowed" != "*" ]; then
      ok=0
      for a in $allowed; do
        case "$f" in "$a"*) ok=1 ;; esac
      done
      [ $ok -eq 1 ] || exempt "$f" "$inc" || fail "$f includes <$inc>, which only $allowed may use: go through its adapter"
      continue
    fi
    if [ -f "src/$inc" ]; then target="src/$inc"; elif [ -f "include/$inc" ]; then target="include/$inc"; else continue; fi
    theirs=$(place_of "$target")
    [ -n "$theirs" ] || continue
    their_layer=${theirs% *}
    their_group=${theirs#* }
    if [ "$their_layer" -gt "$mine" ]; then
      fail "$f (layer $mine) includes $inc (layer $their_layer): layers only point down"
    elif [ "$their_layer" -eq "$mine" ] && [ "$their_group" != "$group" ]; then
      fail "$f ($group) includes $inc ($their_group): folders of one layer do not use each other"
    fi
  done
done
exit $status
