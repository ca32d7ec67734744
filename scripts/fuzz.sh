#!/bin/sh
# Coverage-guided fuzzing with libFuzzer (docs/fuzzing.md). Builds the targets of tests/fuzz
# with clang into build-fuzz/, then runs each for SECONDS (default 600) on a copy of its
# checked-in corpus, one at a time. A crash, hang or sanitizer report stops the run with exit
# 1; the input is saved under tests/fuzz/crashes/TARGET/ with the steps to make it a regression.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (targets: loader type codec filter cron kubejson)
# FUZZ_BUILD_DIR overrides build-fuzz; FUZZ_KEEP_CORPUS=1 keeps what the run discovered in
# build-fuzz/corpus/TARGET (merge it into the checked-in corpus with -merge=1, see the doc).
set -eu
cd "$(dirname "$0")/.."
seconds="${1:-600}"
[ $# -gt 0 ] && shift
targets="${*:-loader type codec filter cron kubejson}"
dir="${FUZZ_BUILD_DIR:-build-fuzz}"
root="$(pwd)"

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DFLYTE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$dir"

# Per target: the largest input worth trying (workflow files are bigger than filter strings).
max_len() {
  case "$1" in
    loader) echo 16384 ;;
    codec | kubejson) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

status=0
for t in $targets; do
  bin="$root/$dir/tests/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "fuzz: no target $t (expected $bin)" >&2; exit 2; }
  # libFuzzer adds what it finds to its first corpus folder: a scratch copy keeps the
  # checked-in one as it is.
  work="$root/$dir/corpus/$t"
  mkdir -p "$work" "$root/$dir/artifacts/$t"
  cp "$root/tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
  dict=""
  [ -f "$root/tests/fuzz/dict/$t.dict" ] && dict="-dict=$root/tests/fuzz/dict/$t.dict"
  # Read-only seeds besides the corpus: the regressions, and for the loader the example and
  # malformed workflow files (not copied into tests/fuzz/corpus, to keep it small).
  seeds=""
  [ -d "$root/tests/fuzz/regressions/$t" ] && seeds="$root/tests/fuzz/regressions/$t"
  [ "$t" = loader ] && seeds="$seeds $root/examples $root/tests/corpus/malformed"
  echo "fuzz: $t for ${seconds}s"
  log="$root/$dir/fuzz-$t.log"
  # shellcheck disable=SC2086
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=5 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$root/$dir/artifacts/$t/" $dict \
      "$work" $seeds >"$log" 2>&1; then
    grep -a -E '^stat::number_of_executed_units|^Done' "$log" | tr '\n' ' ' | sed "s/^/fuzz: $t: /"
    echo
  else
    status=1
    echo "fuzz: $t FAILED; its log is $log:" >&2
    grep -a -E 'ERROR|invariant broken|runtime error|SUMMARY' "$log" | head -5 >&2
    mkdir -p "$root/tests/fuzz/crashes/$t"
    for a in "$root/$dir/artifacts/$t"/*; do
      [ -f "$a" ] || continue
      cp "$a" "$root/tests/fuzz/crashes/$t/"
      name="$(basename "$a")"
      echo "fuzz: saved tests/fuzz/crashes/$t/$name. To turn it into a regression test:" >&2
      echo "  $bin -minimize_crash=1 -runs=10000 -exact_artifact_path=tests/fuzz/regressions/$t/NAME tests/fuzz/crashes/$t/$name" >&2
      echo "  then fix the bug, check '$bin tests/fuzz/regressions/$t/NAME' passes, and commit the file" >&2
      echo "  (tests/fuzz/replay_test.cc replays it in every build)." >&2
    done
    rm -f "$root/$dir/artifacts/$t"/*
  fi
  [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$work"
done
exit $status
