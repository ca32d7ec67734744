#!/bin/bash
# flyte-static runs anywhere: copied alone into an empty folder, stripped, started with an
# empty environment (no PATH, no HOME, no library path), it runs a workflow; `file` and `ldd`
# call it static. Builds the flyte_static target of BUILD_DIR (the same objects as flyte,
# linked statically). Usage: static_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

rc=0
"$src/scripts/httplib-source.sh" "$build/httplib-src" || rc=$?
if [ "$rc" -eq 77 ]; then echo "skip: the Debian source of cpp-httplib cannot be downloaded here"; exit 77; fi
[ "$rc" -eq 0 ] || fail "scripts/httplib-source.sh exited $rc"
cmake --build "$build" --target flyte_static >"$tmp/build.log" 2>&1 || { tail -30 "$tmp/build.log"; fail "building flyte_static"; }

mkdir "$tmp/bare"
cp "$build/flyte-static" "$tmp/bare/flyte"
strip "$tmp/bare/flyte"
echo "stripped size: $(stat -c %s "$tmp/bare/flyte") bytes"
file "$tmp/bare/flyte" | grep -q "statically linked" || fail "file: $(file "$tmp/bare/flyte")"
if ldd "$tmp/bare/flyte" >"$tmp/ldd" 2>&1; then fail "ldd lists libraries: $(cat "$tmp/ldd")"; fi
grep -q "not a dynamic executable" "$tmp/ldd" || fail "ldd: $(cat "$tmp/ldd")"

cp "$src/examples/hello.yaml" "$tmp/bare/"
# No HOME either: the home is ./.flyte, made absolute for the tasks.
(cd "$tmp/bare" && env -i ./flyte run hello.yaml --input who=Ada) >"$tmp/run.out" 2>&1 ||
  fail "env -i flyte run: $(cat "$tmp/run.out")"
grep -q "greeting: Hello, Ada!" "$tmp/run.out" || fail "env -i flyte run printed: $(cat "$tmp/run.out")"
env -i "$tmp/bare/flyte" version | grep -q "^static binary: *yes$" || fail "flyte version does not say static"
# A root file system with nothing but flyte and /dev/null (no /etc, /lib, /usr or /proc):
# a workflow whose task is flyte itself runs there. Needs root for chroot.
if [ "$(id -u)" -eq 0 ] && command -v chroot >/dev/null; then
  root="$tmp/root"
  mkdir -p "$root/dev"
  mknod -m 666 "$root/dev/null" c 1 3
  cp "$tmp/bare/flyte" "$root/flyte"
  printf 'tasks:\n  t:\n    command: ["/flyte", "version"]\nworkflows:\n  w:\n    nodes:\n      a: {task: t}\n' >"$root/wf.yaml"
  env -i "$(command -v chroot)" "$root" /flyte run /wf.yaml --home /home >"$tmp/chroot.out" 2>&1 ||
    fail "flyte run in an empty root: $(cat "$tmp/chroot.out")"
  grep -q "w SUCCEEDED" "$tmp/chroot.out" || fail "flyte run in an empty root printed: $(cat "$tmp/chroot.out")"
  echo "ok: runs in a root holding only itself"
fi
# TLS and name resolution work without any library of the system: a server answers by name.
env -i "$tmp/bare/flyte" serve --listen 127.0.0.1:0 --home "$tmp/bare/srv" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/serve.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || { kill "$pid"; fail "flyte serve did not start: $(cat "$tmp/serve.log")"; }
(cd "$tmp/bare" && env -i ./flyte register hello.yaml --endpoint "http://localhost:$port") >"$tmp/reg.out" 2>&1 ||
  { kill "$pid"; fail "register by host name: $(cat "$tmp/reg.out")"; }
kill "$pid"
wait "$pid" || true
echo "static tests passed"
