#!/usr/bin/python3
"""First paint of the console's graph for an execution of N nodes (default 1,000) in headless
Chromium: from navigation start to the first animation frame after the graph's N node elements
are in the page (that frame is painted). Not a test: prints the figures for docs/benchmarks.md.
Usage: bench/console_paint.py [FLYTE_BINARY] [N] [ROUNDS]   (needs chromium, python3-websocket)"""
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "console"))
from cdp import Browser  # noqa: E402
from server import Server  # noqa: E402


def layered(n, width=20):
    """n tasks in layers of `width`; each reads two nodes of the layer before (seeded, so the
    same n gives the same file)."""
    rng = random.Random(n)
    lines = ["tasks:", "  add:", "    inputs: {a: int, b: {type: int, default: 0}}", "    outputs: {y: int}",
             '    script: echo $(( {{ inputs.a }} + {{ inputs.b }} )) > "{{ outputs.y }}"',
             "workflows:", "  big:", "    nodes:"]
    for i in range(n):
        layer = i // width
        if layer == 0:
            lines.append(f"      n{i}: {{task: add, inputs: {{a: {i}}}}}")
            continue
        prev = range((layer - 1) * width, layer * width)
        a, b = rng.sample(prev, 2)
        lines.append(f'      n{i}: {{task: add, inputs: {{a: "{{{{ n{a}.y }}}}", b: "{{{{ n{b}.y }}}}"}}}}')
    return "\n".join(lines) + "\n"


# Set before the page's own script runs: when the graph holds `want` nodes, wait one animation
# frame (the browser paints before running the next frame's callbacks) and record the time.
PROBE = """
window.__painted = null;
new MutationObserver((_, obs) => {
  const g = document.getElementById('graph');
  if (!g || g.querySelectorAll('g.node').length < %d) return;
  obs.disconnect();
  requestAnimationFrame(() => requestAnimationFrame(() => { window.__painted = performance.now(); }));
}).observe(document, {childList: true, subtree: true});
"""


def main():
    flyte = sys.argv[1] if len(sys.argv) > 1 else "build/flyte"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    server = Server(flyte)
    try:
        server.register(server.home + "/big.yaml", layered(n))
        t0 = time.time()
        name = server.launch(workflow={"name": "big"}, name="big1", max_parallelism=8)
        server.wait_for(name, "SUCCEEDED", timeout=600)
        print(f"ran {n} nodes in {time.time() - t0:.1f}s")
        figures = []
        for _ in range(rounds):
            browser = Browser()
            try:
                browser.send("Page.addScriptToEvaluateOnNewDocument", source=PROBE % n)
                browser.open(server.url + "/console#flytesnacks/development/" + name)
                ms = browser.wait("window.__painted", "the graph's first paint", timeout=60)
                figures.append(ms)
                count = browser.js("document.querySelectorAll('#graph g.node').length")
                assert count == n, f"{count} nodes drawn"
            finally:
                browser.close()
        print(f"first paint of a {n}-node graph: median {statistics.median(figures):.0f} ms, "
              f"min {min(figures):.0f} ms, max {max(figures):.0f} ms over {rounds} loads")
    finally:
        server.close()


if __name__ == "__main__":
    main()
