#!/bin/bash
# Load benchmark of `flyte serve` (docs/benchmarks.md, "Server"): per round, a fresh server
# (port 0, fresh --home) gets one workflow file with one tiny task registered, then 8 concurrent
# clients create 400 single-task executions over keep-alive connections while a 9th client GETs
# already-created executions; the round ends when the list shows all 400 SUCCEEDED. Every
# request must be answered 2xx, no execution may be lost or end in another phase, and the server
# must exit 0 on SIGTERM; anything else is an error (exit 1).
#
# Reported: end-to-end executions per second (target >= 100/s: ABSOLUTE, not a ratio), API
# p50/p99/max latency of create / get / list under that load, the server's idle RSS (target
# <= 30 MB) and peak RSS, and — the project's rule — the end-to-end time as a ratio against a
# reference measured in the same run, rounds interleaved: the same 400 task commands
# (`sh -eu -c 'echo ok > FILE' t`) run by a bare spawn loop with 2-way parallelism, twice:
# `xargs -P2`, and a Python `subprocess` pool of 2 threads (the faster of the two here).
#
# Usage: bench/run_server.sh [FLYTE_BINARY]          (default: build/flyte)
# Environment: ROUNDS (default 3), N (default 400 executions), CLIENTS (default 8),
# KEEP=1 keeps the temp dir, RESULTS=FILE saves the raw figures (KEY VALUE lines).
# Prints a markdown table. Exits non-zero only on errors, never because a target was missed.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
flyte="${1:-build/flyte}"
case "$flyte" in /*) ;; *) flyte="$root/$flyte" ;; esac
ROUNDS="${ROUNDS:-3}"
N="${N:-400}"
CLIENTS="${CLIENTS:-8}"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

die() { echo "run_server.sh: $*" >&2; exit 1; }
note() { echo "# $*" >&2; }

[ -x "$flyte" ] || die "no binary at $flyte; run scripts/build.sh build first"
command -v xargs >/dev/null || die "needs xargs"

# Homes live on the normal disk (TMPDIR, default /tmp): the server's store is the normal durable
# SQLite database. Deleted at the end, many folders at a time (see run_engine.sh: `rm -rf` is
# slow on ext4 with online discard).
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flyte-server-bench.XXXXXX")
cleanup() {
  find "$tmp" -mindepth 6 -maxdepth 6 -type d -print0 2>/dev/null \
    | xargs -0 -r -n 200 -P 32 rm -rf
  rm -rf "$tmp"
}
if [ "${KEEP:-0}" = 1 ]; then note "keeping $tmp"; else trap cleanup EXIT; fi
script_t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
res="$tmp/results"
: > "$res"
now_ns() { date +%s%N; }
rec() { echo "$1 $2" >> "$res"; }

# The reference: the same N task commands flyte runs (its default `shell` is `sh -eu`, $0 is the
# task name), each writing its output file into a fresh folder, two at a time.
reference() {
  d="$tmp/ref.$1"
  mkdir -p "$d"
  t0=$(now_ns)
  /usr/bin/env time -f '%U %S' -o "$tmp/ref.tm" sh -c \
    "seq 1 $N | xargs -P2 -I{} sh -eu -c 'echo ok > \"$d/o{}\"' t" 2>"$tmp/ref.err" \
    || { cat "$tmp/ref.err" >&2; die "reference loop failed"; }
  t1=$(now_ns)
  [ "$(find "$d" -name 'o*' | wc -l)" -eq "$N" ] || die "reference loop wrote $(find "$d" -name 'o*' | wc -l) of $N files"
  wall="$(( (t1 - t0) / 1000 ))e-6"
  rec ref.wall "$wall"
  rec ref.rate "$(awk -v n="$N" -v w="$wall" 'BEGIN { print n / w }')"
  # shellcheck disable=SC2046
  set -- $(tail -n 1 "$tmp/ref.tm")
  rec ref.cpu "$(awk -v u="$1" -v s="$2" 'BEGIN { print u + s }')"
}
if ! /usr/bin/env time -f '%U' -o /dev/null true 2>/dev/null; then
  die "needs GNU time (/usr/bin/time, Debian package time) for the reference's CPU time"
fi

# The second reference: the same commands from a bare Python spawner with 2 worker threads
# (on these VMs it spawns faster than xargs; see docs/benchmarks.md).
pyref() {
  "$PY" "$root/bench/server_load.py" spawnref "$tmp/pyref.$1" "$res" "$N" || die "spawn reference failed"
}

flyte_round() {
  "$PY" "$root/bench/server_load.py" round "$flyte" "$tmp/srv.$1" "$1" "$res" "$N" "$CLIENTS" \
    || die "round $1 of flyte serve failed (see above; KEEP=1 keeps $tmp/srv.$1/serve.err)"
}

note "flyte: $flyte; $(nproc) cores; $ROUNDS rounds of $N executions from $CLIENTS clients"
r=1
while [ "$r" -le "$ROUNDS" ]; do
  note "round $r/$ROUNDS"
  if [ $(( r % 2 )) -eq 1 ]; then flyte_round "$r"; reference "$r"; pyref "$r"
  else pyref "$r"; reference "$r"; flyte_round "$r"; fi
  r=$((r + 1))
done

elapsed=$(( $(date +%s) - script_t0 ))
machine="$(nproc) cores, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${RESULTS:-}" ]; then cp "$res" "$RESULTS"; fi
"$PY" "$root/bench/server_load.py" report "$res" "$elapsed" "$machine" "$N" "$CLIENTS"
