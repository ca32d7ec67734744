#!/bin/bash
# Engine benchmarks for `flyte run`: every figure is a ratio against a reference measured in
# the same run (ninja, a bare spawn, snakemake, or flyte itself on another shape), with the
# repetitions of both sides interleaved so that noise from other work on the machine hits both.
#
# Cases (see docs/benchmarks.md):
#   a  chain of 300 `true` tasks, --max-parallelism 2, vs ninja -j2        target <= 1.10x
#   b  fan-out of 1,000 `true` tasks, parallelism 2, vs ninja -j2          target <= 1.10x
#   c  the 300-chain with `cache: true`, re-run fully cached vs cold run   target <= 0.10x
#   d  `flyte run examples/hello.yaml` (warm home) vs `sh -c 'echo hi'`    target <= 4x
#      (+ the first run on a fresh home, reported on its own)
#   e  10,000-task fan-out at parallelism 2: peak RSS (target <= 100 MB) and wall vs ninja
#      (target <= 1.10x), and per-task overhead flat: e's ratio over b's (target <= 1.05)
#   f  map node of 10,000 (and 1,000) items vs a plain fan-out of the same size, per item
#      target <= 1.20x
#   g  the 300-chain and the 1,000 fan-out under snakemake -j2 (information only)
#
# Usage: bench/run_engine.sh [FLYTE_BINARY]         (default: build/flyte)
# Environment: ROUNDS (default 5) for a-d, BIG_ROUNDS (default 1) for e-f, SNAKE_ROUNDS
# (default 1; 0 skips g), HELLO_N (default 50) runs per side for d, KEEP=1 keeps the temp dir,
# RESULTS=FILE saves the raw figures (KEY VALUE lines).
# Prints a markdown table. Exits non-zero only on errors (a failed run, a missing tool),
# never because a target was missed.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
flyte="${1:-build/flyte}"
case "$flyte" in /*) ;; *) flyte="$root/$flyte" ;; esac
ROUNDS="${ROUNDS:-5}"
BIG_ROUNDS="${BIG_ROUNDS:-1}"
SNAKE_ROUNDS="${SNAKE_ROUNDS:-1}"
HELLO_N="${HELLO_N:-50}"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

die() { echo "run_engine.sh: $*" >&2; exit 1; }
note() { echo "# $*" >&2; }

[ -x "$flyte" ] || die "no binary at $flyte; run scripts/build.sh build first"
command -v ninja >/dev/null || die "needs ninja (apt-get install ninja-build)"

apt_install() {
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1; }
  elif command -v sudo >/dev/null; then
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1
  else
    return 1
  fi
}
if [ ! -x /usr/bin/time ]; then
  note "installing /usr/bin/time (Debian package time)"
  apt_install time || true
fi
[ -x /usr/bin/time ] || die "needs /usr/bin/time for peak RSS: apt-get install time"
snake_ok=1
if [ "$SNAKE_ROUNDS" -gt 0 ] && ! command -v snakemake >/dev/null; then
  note "installing snakemake (Debian package snakemake); this can take a minute"
  apt_install snakemake || true
fi
if [ "$SNAKE_ROUNDS" -le 0 ]; then
  snake_ok=0; snake_why="skipped (SNAKE_ROUNDS=0)"
elif ! command -v snakemake >/dev/null; then
  snake_ok=0; snake_why="skipped: snakemake is not installed and could not be installed"
fi

# Everything lives on the normal disk (TMPDIR, default /tmp) so that flyte's home is a real
# durable store. Used homes are moved to $tmp/trash and deleted only at the end, many at a time:
# on ext4 mounted with online `discard` (as on these VMs) `rm -rf` of a 1,000-task home takes
# ~20 s serially, longer than the run itself.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flyte-bench.XXXXXX")
mkdir -p "$tmp/trash"
cleanup() {
  find "$tmp/trash" -mindepth 6 -maxdepth 6 -type d -print0 2>/dev/null \
    | xargs -0 -r -n 200 -P 32 rm -rf
  rm -rf "$tmp"
}
if [ "${KEEP:-0}" = 1 ]; then note "keeping $tmp"; else trap cleanup EXIT; fi
trash_n=0
discard() { [ -e "$1" ] || return 0; trash_n=$((trash_n + 1)); mv "$1" "$tmp/trash/$trash_n"; }
script_t0=$(date +%s)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
res="$tmp/results"   # lines: KEY VALUE (seconds, or KiB for rss)
: > "$res"

now_ns() { date +%s%N; }
# rec KEY VALUE
rec() { echo "$1 $2" >> "$res"; }

# ---------------------------------------------------------------- inputs
"$PY" - "$tmp" <<'EOF'
import os, sys
d = sys.argv[1]
def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

def chain_yaml(n, cached):
    out = ["tasks:", "  t:"]
    if cached:
        # An int input per node so that each node has its own cache key (otherwise node 2..n
        # would hit node 1's entry in the cold run).
        out += ["    inputs: {i: int}", '    command: ["true"]', "    cache: true"]
    else:
        out += ['    command: ["true"]']
    out += ["workflows:", "  chain:", "    nodes:"]
    for i in range(n):
        out += [f"      n{i}:", "        task: t"]
        if cached:
            out += [f"        inputs: {{i: {i}}}"]
        if i:
            out += [f"        after: [n{i-1}]"]
    return "\n".join(out) + "\n"

def fan_yaml(n):
    out = ["tasks:", "  t:", '    command: ["true"]', "workflows:", "  fan:", "    nodes:"]
    for i in range(n):
        out += [f"      n{i}:", "        task: t"]
    return "\n".join(out) + "\n"

def chain_ninja(n):
    out = ["rule t", "  command = true"]
    for i in range(n):
        out.append(f"build o{i}: t" + (f" | o{i-1}" if i else ""))
    out.append(f"default o{n-1}")
    return "\n".join(out) + "\n"

def fan_ninja(n):
    out = ["rule t", "  command = true"]
    for i in range(n):
        out.append(f"build o{i}: t")
    return "\n".join(out) + "\n"

MAP = """tasks:
  t:
    inputs: {x: int}
    command: ["true"]
workflows:
  m:
    inputs:
      xs: list[int]
    nodes:
      each:
        map: t
        inputs: {x: "{{ inputs.xs }}"}
        over: [x]
"""

SNAKE_CHAIN = """N = %d
wildcard_constraints:
    i = "[0-9]+"
rule all:
    input: f"o{N-1}"
rule step:
    output: touch("o{i}")
    input: lambda w: [] if int(w.i) == 0 else [f"o{int(w.i) - 1}"]
    shell: "true"
"""
SNAKE_FAN = """N = %d
wildcard_constraints:
    i = "[0-9]+"
rule all:
    input: expand("o{i}", i=range(N))
rule step:
    output: touch("o{i}")
    shell: "true"
"""

w(f"{d}/chain300.yaml", chain_yaml(300, False))
w(f"{d}/cchain300.yaml", chain_yaml(300, True))
w(f"{d}/fan1000.yaml", fan_yaml(1000))
w(f"{d}/fan10000.yaml", fan_yaml(10000))
w(f"{d}/map.yaml", MAP)
for n in (1000, 10000):
    w(f"{d}/xs{n}.yaml", "xs: [" + ",".join(str(i) for i in range(n)) + "]\n")
w(f"{d}/ninja/chain300/build.ninja", chain_ninja(300))
w(f"{d}/ninja/fan1000/build.ninja", fan_ninja(1000))
w(f"{d}/ninja/fan10000/build.ninja", fan_ninja(10000))
w(f"{d}/snake/chain300/Snakefile", SNAKE_CHAIN % 300)
w(f"{d}/snake/fan1000/Snakefile", SNAKE_FAN % 1000)
EOF

# ---------------------------------------------------------------- runners
# Each records under KEY its wall time (s), KEY.cpu its user+sys CPU time including the
# tasks it ran (s) and KEY.rss its peak RSS (KiB), all from one /usr/bin/time wrapper that
# both sides get; output goes to $tmp/out and $tmp/err. Dies on failure.
timed() {
  key=$1; shift
  t0=$(now_ns)
  /usr/bin/time -f '%M %U %S' -o "$tmp/tm" "$@" >"$tmp/out" 2>"$tmp/err" || {
    cat "$tmp/err" "$tmp/out" >&2; die "failed: $*"; }
  t1=$(now_ns)
  last="$(( (t1 - t0) / 1000 ))e-6"
  rec "$key" "$last"
  # shellcheck disable=SC2046  # split "RSS USER SYS" on purpose
  set -- $(tail -n 1 "$tmp/tm")
  rec "$key.rss" "$1"
  rec "$key.cpu" "$(awk -v u="$2" -v s="$3" 'BEGIN { print u + s }')"
}

# run_flyte KEY FILE [extra args...]: a fresh --home every time.
run_flyte() {
  key=$1 file=$2; shift 2
  home="$tmp/home.$$"
  timed "$key" "$flyte" run "$file" --max-parallelism 2 --home "$home" "$@"
  discard "$home"
}

# run_ninja KEY DIR: removes outputs and .ninja_log so that every edge runs again.
run_ninja() {
  (cd "$2" && rm -f .ninja_log .ninja_deps o*)
  timed "$1" ninja -C "$2" -j2
  if grep -q "no work to do" "$tmp/out"; then die "ninja in $2 did nothing"; fi
}

# run_snake KEY SNAKEFILE_DIR: a fresh working folder each time (outputs and .snakemake).
run_snake() {
  key=$1 src=$2
  sdir="$tmp/snake-run.$$"
  rm -rf "$sdir"; mkdir -p "$sdir"; cp "$src/Snakefile" "$sdir/"
  timed "$key" snakemake -d "$sdir" -s "$sdir/Snakefile" -j2 --quiet
  discard "$sdir"
}

# Every node of the JSON result in $tmp/out must be CACHE_HIT.
check_all_hit() {
  "$PY" - "$tmp/out" <<'EOF' || die "cached re-run: not every node was CACHE_HIT"
import json, sys
d = json.load(open(sys.argv[1]))
bad = [n["id"] for n in d["nodes"] if n.get("cache_status") != "CACHE_HIT"]
if bad or d["phase"] != "SUCCEEDED" or len(d["nodes"]) != 300:
    print(f"{len(bad)} of {len(d['nodes'])} nodes not CACHE_HIT, e.g. {bad[:5]}", file=sys.stderr)
    sys.exit(1)
EOF
}

# Alternate which side goes first from round to round.
first() { [ $(( $1 % 2 )) -eq 1 ]; }

# ---------------------------------------------------------------- a, b, c, f(1k): ROUNDS rounds
note "flyte: $flyte; $(nproc) cores; rounds: $ROUNDS (a-d), $BIG_ROUNDS (e, f), $SNAKE_ROUNDS (g)"
hello_home="$tmp/hello-home"
"$flyte" run "$root/examples/hello.yaml" --home "$hello_home" >/dev/null 2>&1 \
  || die "flyte run examples/hello.yaml failed"   # warm-up: creates the DB once

r=1
while [ "$r" -le "$ROUNDS" ]; do
  note "round $r/$ROUNDS: a (chain 300), b (fan-out 1,000), c (cached chain), d (hello), f (map 1,000)$( [ "$snake_ok" = 1 ] && [ "$r" -le "$SNAKE_ROUNDS" ] && echo ", g (snakemake)")"
  # g (snakemake) runs in the first SNAKE_ROUNDS rounds, next to a and b, and is paired with
  # that round's flyte figures.
  snake=0; { [ "$snake_ok" = 1 ] && [ "$r" -le "$SNAKE_ROUNDS" ]; } && snake=1
  # a (+ g)
  if first "$r"; then
    run_flyte a.flyte "$tmp/chain300.yaml"; fa=$last; run_ninja a.ninja "$tmp/ninja/chain300"
    if [ "$snake" = 1 ]; then run_snake g.snake.chain "$tmp/snake/chain300"; fi
  else
    if [ "$snake" = 1 ]; then run_snake g.snake.chain "$tmp/snake/chain300"; fi
    run_ninja a.ninja "$tmp/ninja/chain300"; run_flyte a.flyte "$tmp/chain300.yaml"; fa=$last
  fi
  if [ "$snake" = 1 ]; then rec g.flyte.chain "$fa"; fi
  # a again in the other order: the chain is cheap, and ten pairs steady its ratio.
  if first "$r"; then
    run_ninja a.ninja "$tmp/ninja/chain300"; run_flyte a.flyte "$tmp/chain300.yaml"
  else
    run_flyte a.flyte "$tmp/chain300.yaml"; run_ninja a.ninja "$tmp/ninja/chain300"
  fi
  # b (+ g, + the 1,000-item map for f)
  if first "$r"; then
    run_flyte b.flyte "$tmp/fan1000.yaml"; fb=$last; run_ninja b.ninja "$tmp/ninja/fan1000"
    run_flyte f1.map "$tmp/map.yaml" --inputs "$tmp/xs1000.yaml"
    if [ "$snake" = 1 ]; then run_snake g.snake.fan "$tmp/snake/fan1000"; fi
  else
    if [ "$snake" = 1 ]; then run_snake g.snake.fan "$tmp/snake/fan1000"; fi
    run_flyte f1.map "$tmp/map.yaml" --inputs "$tmp/xs1000.yaml"
    run_ninja b.ninja "$tmp/ninja/fan1000"; run_flyte b.flyte "$tmp/fan1000.yaml"; fb=$last
  fi
  if [ "$snake" = 1 ]; then rec g.flyte.fan "$fb"; fi
  # c: cold then cached, same fresh home
  chome="$tmp/cache-home"
  t0=$(now_ns)
  "$flyte" run "$tmp/cchain300.yaml" --max-parallelism 2 --home "$chome" -o json >"$tmp/out" 2>"$tmp/err" \
    || { cat "$tmp/err" >&2; die "cold cached chain failed"; }
  t1=$(now_ns)
  "$flyte" run "$tmp/cchain300.yaml" --max-parallelism 2 --home "$chome" -o json >"$tmp/out" 2>"$tmp/err" \
    || { cat "$tmp/err" >&2; die "cached re-run failed"; }
  t2=$(now_ns)
  check_all_hit
  rec c.cold "$(( (t1 - t0) / 1000 ))e-6"
  rec c.warm "$(( (t2 - t1) / 1000 ))e-6"
  discard "$chome"
  # d: HELLO_N / ROUNDS back-to-back runs per side per round (mean over all of them)
  per=$(( (HELLO_N + ROUNDS - 1) / ROUNDS ))
  d_sh() {
    t0=$(now_ns); k=0
    while [ "$k" -lt "$per" ]; do sh -c 'echo hi > /dev/null'; k=$((k + 1)); done
    t1=$(now_ns); rec d.sh "$(( (t1 - t0) / 1000 / per ))e-6"
  }
  d_flyte() {
    t0=$(now_ns); k=0
    while [ "$k" -lt "$per" ]; do
      "$flyte" run "$root/examples/hello.yaml" --home "$hello_home" >/dev/null 2>"$tmp/err" \
        || { cat "$tmp/err" >&2; die "flyte run examples/hello.yaml failed"; }
      k=$((k + 1))
    done
    t1=$(now_ns); rec d.flyte "$(( (t1 - t0) / 1000 / per ))e-6"
  }
  d_fresh() {
    t0=$(now_ns)
    "$flyte" run "$root/examples/hello.yaml" --home "$tmp/fresh-home" >/dev/null 2>"$tmp/err" \
      || { cat "$tmp/err" >&2; die "flyte run examples/hello.yaml (fresh home) failed"; }
    t1=$(now_ns); rec d.fresh "$(( (t1 - t0) / 1000 ))e-6"
    discard "$tmp/fresh-home"
  }
  if first "$r"; then d_flyte; d_sh; d_fresh; else d_fresh; d_sh; d_flyte; fi
  r=$((r + 1))
done

# ---------------------------------------------------------------- e, f(10k): BIG_ROUNDS rounds
r=1
while [ "$r" -le "$BIG_ROUNDS" ]; do
  note "round $r/$BIG_ROUNDS: e (fan-out 10,000 vs ninja), f (map 10,000)"
  if first "$r"; then
    run_flyte e.flyte "$tmp/fan10000.yaml"
    run_ninja e.ninja "$tmp/ninja/fan10000"
    run_flyte f10.map "$tmp/map.yaml" --inputs "$tmp/xs10000.yaml"
  else
    run_flyte f10.map "$tmp/map.yaml" --inputs "$tmp/xs10000.yaml"
    run_ninja e.ninja "$tmp/ninja/fan10000"
    run_flyte e.flyte "$tmp/fan10000.yaml"
  fi
  r=$((r + 1))
done

if [ "$snake_ok" = 1 ]; then
  snake_ver=$(snakemake --version 2>/dev/null || echo '?')
else
  snake_ver=""
  note "g: ${snake_why}"
fi
elapsed=$(( $(date +%s) - script_t0 ))
machine="$(nproc) cores, Linux $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC'); load average at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
if [ -n "${RESULTS:-}" ]; then cp "$res" "$RESULTS"; fi
"$PY" - "$res" "$ROUNDS" "$BIG_ROUNDS" "$SNAKE_ROUNDS" "$snake_ok" "${snake_ver}" "${snake_why:-}" "$elapsed" "$per" "$machine" <<'EOF'
import statistics as st, sys, collections
path, rounds, big, snr, snake_ok, snake_ver, snake_why, elapsed, per, machine = sys.argv[1:11]
v = collections.defaultdict(list)
for line in open(path):
    k, x = line.split()
    v[k].append(float(x))
med = lambda k: st.median(v[k])
best = lambda k: min(v[k])
mean = lambda k: st.mean(v[k])
# Runs of the two sides were recorded in pairs (same round, back to back): the i-th of one key
# pairs with the i-th of the other.
paired = lambda fk, rk: st.median(a / b for a, b in zip(v[fk], v[rk]))
def t(s):
    return f"{s*1000:.1f} ms" if s < 1 else f"{s:.2f} s"
def both(k):
    return t(med(k)) if len(v[k]) == 1 else f"{t(med(k))} (best {t(best(k))})"
def over(r, limit):
    return "pass" if r <= limit else f"MISS (+{(r/limit-1)*100:.0f}% over target)"
def cpu(fk, rk):
    if fk + ".cpu" not in v or rk + ".cpu" not in v:
        return "—"
    return f"{med(fk + '.cpu') / med(rk + '.cpu'):.2f}×"
rows = []
def row(case, fl, ref, ratio, cpu_ratio, target, ok):
    rows.append((case, fl, ref, ratio, cpu_ratio, target, ok))
def ratio_cell(fk, rk, digits=2):
    rp, rm, rb = paired(fk, rk), med(fk) / med(rk), best(fk) / best(rk)
    if len(v[fk]) == 1:
        return rp, f"**{rp:.{digits}f}×**"
    return rp, f"**{rp:.{digits}f}×** (medians {rm:.{digits}f}×, bests {rb:.{digits}f}×)"
def cmp(case, fk, rk, limit, refname):
    rp, cell = ratio_cell(fk, rk)
    row(f"{case} (n={len(v[fk])})", both(fk), f"{refname}: {both(rk)}", cell, cpu(fk, rk),
        f"≤ {limit}×", over(rp, limit))

cmp("a. chain of 300 `true`, -j2", "a.flyte", "a.ninja", 1.10, "ninja -j2")
cmp("b. fan-out of 1,000 `true`, -j2", "b.flyte", "b.ninja", 1.10, "ninja -j2")
rp, cell = ratio_cell("c.warm", "c.cold", 3)
row(f"c. chain of 300 re-run fully cached, all CACHE_HIT (n={len(v['c.warm'])})",
    both("c.warm"), f"its cold run: {both('c.cold')}", cell, "—", "≤ 0.10×", over(rp, 0.10))
rm = mean("d.flyte") / mean("d.sh")
row(f"d. `flyte run examples/hello.yaml`, warm home, mean per run (n={len(v['d.flyte'])}×{per})",
    t(mean("d.flyte")), f"`sh -c 'echo hi >/dev/null'`: {t(mean('d.sh'))}", f"**{rm:.1f}×**", "—",
    "≤ 4×", over(rm, 4))
rm = mean("d.fresh") / mean("d.sh")
row(f"d'. the same, first run on a fresh home (creates the DB) (n={len(v['d.fresh'])})",
    t(mean("d.fresh")), f"`sh -c …`: {t(mean('d.sh'))}", f"{rm:.1f}×", "—", "—", "info")
# BIG_ROUNDS=0 skips e and the 10,000-item map: no figures, a row that says so.
big_ran = bool(v.get("e.flyte"))
if big_ran:
    rss = max(v["e.flyte.rss"]) / 1024
    row(f"e. 10,000-task fan-out, -j2: flyte peak RSS (max of {big})", f"{rss:.1f} MiB",
        f"ninja: {max(v['e.ninja.rss'])/1024:.1f} MiB", "—", "—", "≤ 100 MB",
        "pass" if rss * 1.048576 <= 100 else "MISS")
    cmp("e. 10,000-task fan-out, -j2: wall", "e.flyte", "e.ninja", 1.10, "ninja -j2")
    # Flat per-task overhead: flyte/ninja at 10,000 tasks against the same ratio at 1,000.
    flat = paired("e.flyte", "e.ninja") / paired("b.flyte", "b.ninja")
    row("e/b. per-task overhead flat from 1,000 to 10,000: ratio e ÷ ratio b", "—", "—",
        f"**{flat:.2f}**", "—", "≤ 1.05", over(flat, 1.05))
else:
    row("e, f(10,000): 10,000-task fan-out and map", "BIG_ROUNDS=0", "—", "—", "—", "—", "skipped")
def per_item(case, mk, fk, n):
    rp, cell = ratio_cell(mk, fk)
    b = lambda k: "" if len(v[k]) == 1 else f" (best {best(k)/n*1e3:.2f})"
    row(f"{case} (n={len(v[mk])})", f"{med(mk)/n*1e3:.2f} ms/item{b(mk)}",
        f"fan-out: {med(fk)/n*1e3:.2f} ms/task{b(fk)}", cell, cpu(mk, fk), "≤ 1.20×", over(rp, 1.2))
per_item("f. map of 1,000 items vs fan-out of 1,000 (b)", "f1.map", "b.flyte", 1000)
if big_ran:
    per_item("f. map of 10,000 items vs fan-out of 10,000 (e)", "f10.map", "e.flyte", 10000)
    row(f"f. map of 10,000 items: flyte peak RSS (max of {big})", f"{max(v['f10.map.rss'])/1024:.1f} MiB",
        "—", "—", "—", "—", "info")
if snake_ok == "1":
    for case, fk, sk in (("chain of 300", "g.flyte.chain", "g.snake.chain"),
                         ("fan-out of 1,000", "g.flyte.fan", "g.snake.fan")):
        rp = paired(fk, sk)
        row(f"g. {case} vs snakemake {snake_ver} -j2 (n={len(v[sk])})", both(fk),
            f"snakemake: {both(sk)}", f"{rp:.2f}×", "—", "—", "info")
else:
    row("g. snakemake", snake_why, "—", "—", "—", "—", "skipped")

print("| case | flyte | reference | ratio flyte/ref (wall) | CPU ratio | target | result |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
print()
print(f"Machine: {machine}.")
print(f"Measured in {int(elapsed) // 60} min {int(elapsed) % 60} s (before cleanup). Wall ratio in bold: median"
      " of the per-pair ratios (both sides run back to back, alternating which goes first; d: ratio of"
      " means). CPU ratio: user+sys including the tasks, ratio of medians. Times: median (best).")
EOF
