#!/bin/sh
# Sets everything up, builds, and runs the whole test suite twice: once in the normal build
# and once under AddressSanitizer + UndefinedBehaviorSanitizer; then fuzzes each libFuzzer
# target briefly (scripts/fuzz.sh).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
scripts/build.sh build
ctest --test-dir build --output-on-failure -j "$jobs"
# -O0: the sanitized build exists to check behaviour, and compiles three times faster.
scripts/build.sh build-asan -DFLYTE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE no-asan
# Coverage-guided fuzzing (docs/fuzzing.md): each target for a short bound, in build-fuzz/;
# a crash, hang or sanitizer report fails the run. FLYTE_FUZZ_SECONDS=0 skips it.
if [ "${FLYTE_FUZZ_SECONDS:-20}" -gt 0 ]; then
  scripts/fuzz.sh "${FLYTE_FUZZ_SECONDS:-20}"
fi
echo "all tests passed (normal and ASan+UBSan builds, fuzzing)"
