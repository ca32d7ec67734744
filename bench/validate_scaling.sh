#!/bin/sh
# How `flyte validate` scales with workflow size: generates 1k- and 10k-node workflows of the
# same shape (about two edges per node, bench/gen_wide_workflow.sh), times validate on each
# (best of 5), and reports the 10k/1k time ratio (target: at most 12, i.e. near linear) and
# the peak RSS of each, then a markdown row for docs/benchmarks.md.
# Usage: bench/validate_scaling.sh [FLYTE_BINARY]   (default: build/flyte)
# Needs /usr/bin/time (Debian package `time`) for peak RSS.
set -eu
cd "$(dirname "$0")/.."
flyte="${1:-build/flyte}"
runs=5
[ -x "$flyte" ] || { echo "no binary at $flyte; run scripts/build.sh build first" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

now_ns() { date +%s%N; }

# Prints "best_ms peak_rss_kib" for validating FILE.
measure() {
  best=""
  rss=0
  i=0
  while [ "$i" -lt "$runs" ]; do
    start=$(now_ns)
    /usr/bin/time -f %M -o "$dir/rss" "$flyte" validate --quiet "$1" >/dev/null 2>"$dir/err" || {
      echo "flyte validate failed on $1:" >&2
      cat "$dir/err" >&2
      exit 1
    }
    end=$(now_ns)
    us=$(( (end - start) / 1000 ))
    if [ -z "$best" ] || [ "$us" -lt "$best" ]; then best=$us; fi
    r=$(tail -n 1 "$dir/rss")
    if [ "$r" -gt "$rss" ]; then rss=$r; fi
    i=$((i + 1))
  done
  echo "$best $rss"
}

for n in 1000 10000; do
  bench/gen_wide_workflow.sh "$n" > "$dir/wide_$n.yaml"
done
# Edges: node references inside node bindings (no two of a node's point at the same node).
edges() { grep '^      n' "$1" | grep -o '{{ n[0-9]*\.y }}' | wc -l; }
edges_1k=$(edges "$dir/wide_1000.yaml")
edges_10k=$(edges "$dir/wide_10000.yaml")

set -- $(measure "$dir/wide_1000.yaml")
us_1k=$1 rss_1k=$2
set -- $(measure "$dir/wide_10000.yaml")
us_10k=$1 rss_10k=$2

ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
ratio=$(awk -v a="$us_10k" -v b="$us_1k" 'BEGIN { printf "%.1f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 12 ? "ok" : "TOO SLOW") }')

echo "flyte validate, best of $runs ($(basename "$flyte"))"
printf '  %6s nodes, %6s edges: %8s ms, peak RSS %7s KiB\n' 1000 "$edges_1k" "$(ms "$us_1k")" "$rss_1k"
printf '  %6s nodes, %6s edges: %8s ms, peak RSS %7s KiB\n' 10000 "$edges_10k" "$(ms "$us_10k")" "$rss_10k"
echo "  10k/1k time ratio: $ratio (target <= 12: $verdict)"
echo
echo "| validate 1k nodes | validate 10k nodes | 10k/1k | peak RSS 1k | peak RSS 10k |"
echo "|---|---|---|---|---|"
echo "| $(ms "$us_1k") ms | $(ms "$us_10k") ms | $ratio | $((rss_1k / 1024)) MiB | $((rss_10k / 1024)) MiB |"
