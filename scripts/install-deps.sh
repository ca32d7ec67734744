#!/bin/sh
# Installs every Debian package flyte needs to build, test, fuzz (clang with libFuzzer) and benchmark.
# Idempotent: when everything is already installed it does nothing.
set -eu
PACKAGES="cmake ninja-build g++ pkg-config git
libsqlite3-dev libuv1-dev libcpp-httplib-dev nlohmann-json3-dev libyaml-cpp-dev
libcli11-dev libfmt-dev catch2 libssl-dev
python3 python3-yaml python3-jsonschema tzdata
clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
