#!/bin/sh
# Installs every Debian package flyte needs to build, test, fuzz (clang with libFuzzer) and benchmark,
# and to package and check its installation (dpkg-dev for the .deb, man and groff for the man
# pages, zsh and fish to check their completion scripts, valgrind to run flyte where there is no
# pidfd_open as on Linux before 5.3).
# Idempotent: when everything is already installed it does nothing.
set -eu
PACKAGES="cmake ninja-build g++ pkg-config git
libsqlite3-dev libuv1-dev libcpp-httplib-dev nlohmann-json3-dev libyaml-cpp-dev
libcli11-dev libfmt-dev catch2 libssl-dev
python3 python3-yaml python3-jsonschema tzdata
python3-kubernetes openssl clang clang-format libclang-rt-14-dev ccache
chromium python3-websocket
dpkg-dev file man-db groff-base zsh fish
libexpat1-dev nodejs python3-boto3 awscli curl valgrind"
# The S3 tests' server, s3rver, comes from npm into tests/support/s3 (npm ci, below). npm is
# Debian's package unless the installed nodejs (NodeSource's, for one) carries its own.
# Wanted, not required: kubectl (Debian-format package from the Google Cloud SDK apt source) for
# the fake Kubernetes server's conformance tests, which are skipped without it.
OPTIONAL="kubectl"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
for p in $PACKAGES; do
  installed "$p" || missing="$missing $p"
done
optional=""
for p in $OPTIONAL; do  # only if an apt source offers it, so a machine without one stays a no-op
  installed "$p" || ! apt-cache policy "$p" 2>/dev/null | grep -q "Candidate: [0-9]" ||
    optional="$optional $p"
done
# s3rver, pinned by tests/support/s3/package-lock.json; reinstalled only when the lock changed.
install_s3rver() {
  s3=$(cd "$(dirname "$0")/../tests/support/s3" && pwd)
  stamp="$s3/node_modules/.package-lock.json"
  [ -f "$stamp" ] && [ ! "$s3/package-lock.json" -nt "$stamp" ] && return 0
  if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends npm >/dev/null
  fi
  echo "install-deps: installing s3rver into $s3 (npm ci)" >&2
  (cd "$s3" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

if [ -z "$missing$optional" ]; then
  install_s3rver
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing" >&2
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
for p in $optional; do
  $SUDO apt-get install -y -q --no-install-recommends "$p" >/dev/null 2>&1 ||
    echo "install-deps: optional $p is not available from the apt sources; its tests will be skipped" >&2
done
install_s3rver
