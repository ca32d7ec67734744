#!/bin/sh
# Saves PNGs of the web console's main pages into docs/images/ (the README and docs/server.md
# show them): starts a `flyte serve` with a temporary home, registers and runs
# examples/control_flow.yaml and registers examples/scheduled.yaml, then has headless Chromium (--screenshot) load each page.
# Usage: scripts/screenshots.sh [FLYTE_BINARY]   (default build/flyte; needs chromium and curl)
set -eu
cd "$(dirname "$0")/.."
flyte="${1:-build/flyte}"
out=docs/images
home="$(mktemp -d)"
log="$home/serve.log"
"$flyte" serve --listen 127.0.0.1:0 --home "$home/home" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$home"' EXIT INT TERM
for _ in $(seq 100); do grep -q "http://" "$log" && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1)"
[ -n "$url" ] || { echo "screenshots: flyte serve did not start: $(cat "$log")" >&2; exit 1; }

api() {  # METHOD PATH [BODY]
  curl -sSf -X "$1" -H 'Content-Type: application/json' ${3:+--data-binary "$3"} "$url$2"
}
body="$(python3 -c 'import json,sys; print(json.dumps({"path": sys.argv[1], "content": open(sys.argv[1]).read()}))' \
  "$PWD/examples/control_flow.yaml")"
api POST /api/v1/register "$body" >/dev/null
body="$(python3 -c 'import json,sys; print(json.dumps({"path": sys.argv[1], "content": open(sys.argv[1]).read()}))' \
  "$PWD/examples/scheduled.yaml")"
api POST /api/v1/register "$body" >/dev/null
api PUT /api/v1/launch_plans/flytesnacks/development/daily_report_eu '{"state":"ACTIVE"}' >/dev/null
api POST /api/v1/executions '{"project":"flytesnacks","domain":"development","workflow":{"name":"control_flow"},
  "inputs":{"n":4},"signals":{"factor":"3","publish":"true"},"name":"cf-demo"}' >/dev/null
api POST /api/v1/executions '{"project":"flytesnacks","domain":"development","workflow":{"name":"control_flow"},
  "inputs":{"n":2},"signals":{"factor":"2","publish":"true"},"name":"cf-small"}' >/dev/null
for _ in $(seq 300); do
  done_count=0
  for name in cf-demo cf-small; do
    api GET "/api/v1/executions/flytesnacks/development/$name" | grep -q '"phase":"SUCCEEDED"' &&
      done_count=$((done_count + 1))
  done
  [ "$done_count" = 2 ] && break
  sleep 0.1
done

shoot() {  # FILE HASH [WIDTH]
  chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --window-size="${3:-1400},860" --virtual-time-budget=4000 --screenshot="$PWD/$out/$1" \
    "$url/console#$2" >/dev/null 2>&1
  echo "saved $out/$1"
}
shoot console-executions.png "flytesnacks/development"
shoot console-graph.png "flytesnacks/development/cf-demo"
shoot console-timeline.png "flytesnacks/development/cf-demo?view=timeline"
shoot console-launch.png "flytesnacks/development/@launch/launch_plan/daily_report_us"
shoot console-plans.png "flytesnacks/development/@launch_plans"
