#!/bin/sh
# Builds a release into OUT_DIR (default dist/): the static flyte (stripped, named
# flyte-VERSION-linux-ARCH), the .deb, and container/ (a Dockerfile and the static binary it
# copies) for running flyte serve in a cluster; builds the image too when docker can.
# Usage: scripts/release.sh [OUT_DIR]     BUILD_DIR=build-release by default
# (the project's usual -O2 build, so ccache serves it from an earlier build; both binaries
# are stripped)
set -eu
cd "$(dirname "$0")/.."
out="${1:-dist}"
build="${BUILD_DIR:-build-release}"
scripts/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLYTE_TESTS=OFF >/dev/null
fi
scripts/httplib-source.sh "$build/httplib-src"
cmake --build "$build" --target all flyte_static
version=$("$build/flyte" version | sed -n '1s/^flyte //p')
arch=$(dpkg --print-architecture)
rm -rf "$out"
mkdir -p "$out/container"

static="$out/flyte-$version-linux-$arch"
strip -o "$static" "$build/flyte-static"
(cd "$build" && cpack -G DEB -B "$PWD/cpack" >/dev/null)
mv "$build"/cpack/flyte_*.deb "$out/"
rm -rf "$build/cpack"
cp "$static" "$out/container/flyte"
cp packaging/container/Dockerfile "$out/container/"
(cd "$out" && sha256sum "flyte-$version-linux-$arch" flyte_*.deb >SHA256SUMS)

if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  docker build -t "flyte:$version" "$out/container"
else
  echo "release: no docker daemon here; build the image with: docker build -t flyte:$version $out/container"
fi
echo "release: $(cd "$out" && ls -1 | tr '\n' ' ')"
