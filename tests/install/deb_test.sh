#!/bin/bash
# The .deb that CPack makes of BUILD_DIR says what it is and needs (dpkg-shlibdeps reads the
# binary's libraries), carries the files cmake --install does, installs with dpkg on this
# machine (its dependencies are satisfied by the packages that built it) and runs a workflow;
# then it is removed again. Needs root (dpkg -i): skipped otherwise.
# Usage: deb_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "skip: no $tool"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "skip: dpkg -i needs root"; exit 77; }
if dpkg-query -W -f='${Status}' flyte 2>/dev/null | grep -q "ok installed"; then
  echo "skip: a flyte package is installed on this machine already; not touching it"
  exit 77
fi
tmp=$(mktemp -d)
installed=0
cleanup() {
  [ "$installed" -eq 0 ] || dpkg -r flyte >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$tmp" && cpack -G DEB -B "$tmp/out" --config "$build/CPackConfig.cmake") >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(ls "$tmp"/out/flyte_*.deb)
dpkg-deb --info "$deb" >"$tmp/info"
for field in "Package: flyte" "Section: utils" "Maintainer: " "Description: Flyte's workflow model in one executable" \
  "Architecture: $(dpkg --print-architecture)"; do
  grep -q "^ $field" "$tmp/info" || fail "dpkg-deb --info has no '$field': $(cat "$tmp/info")"
done
depends=$(sed -n 's/^ Depends: //p' "$tmp/info")
# What flyte links directly (OpenSSL comes with libcpp-httplib, fmt is used header-only).
for lib in libc6 libstdc++6 libsqlite3-0 libuv1 libyaml-cpp0.7 libcpp-httplib0.11; do
  grep -qF ", $lib (" <<<", $depends" || fail "Depends lacks $lib: $depends"
done
dpkg-deb --contents "$deb" >"$tmp/contents"
for f in ./usr/bin/flyte ./usr/share/man/man1/flyte-run.1 ./usr/share/bash-completion/completions/flyte \
  ./usr/share/zsh/site-functions/_flyte ./usr/share/fish/vendor_completions.d/flyte.fish \
  ./usr/lib/systemd/system/flyte.service ./usr/share/doc/flyte/examples/server.yaml; do
  grep -q " $f$" "$tmp/contents" || fail "the package lacks $f"
done
file_type=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/bin/flyte | file -)
grep -q "stripped" <<<"$file_type" && ! grep -q "not stripped" <<<"$file_type" || fail "the packaged flyte is not stripped"

# Installed for real: dpkg refuses it when a dependency is missing.
for _ in $(seq 30); do  # another apt or dpkg may hold the lock for a while
  if dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then installed=1; break; fi
  grep -q "lock" "$tmp/dpkg.log" || break
  sleep 2
done
[ "$installed" -eq 1 ] || fail "dpkg -i: $(cat "$tmp/dpkg.log")"
grep -q "^ExecStart=/usr/bin/flyte serve " /usr/lib/systemd/system/flyte.service || fail "the unit does not start /usr/bin/flyte"
(cd "$tmp" && FLYTE_HOME="$tmp/home" /usr/bin/flyte run "$src/examples/hello.yaml" --input who=Ada) >"$tmp/run.out" 2>&1 ||
  fail "the packaged flyte run failed: $(cat "$tmp/run.out")"
grep -q "greeting: Hello, Ada!" "$tmp/run.out" || fail "the packaged flyte run printed: $(cat "$tmp/run.out")"
dpkg -r flyte >/dev/null
installed=0
[ ! -e /usr/bin/flyte ] || fail "dpkg -r left /usr/bin/flyte"
echo "deb tests passed"
