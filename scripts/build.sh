#!/bin/sh
# Configures (once) and builds flyte into build/ (or $1), Release with assertions.
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -eu
cd "$(dirname "$0")/.."
dir="${1:-build}"
[ $# -gt 0 ] && shift
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
fi
cmake --build "$dir"
