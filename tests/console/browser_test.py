"""The web console in a real headless Chromium against a real `flyte serve`: what a person
would see. Usage: browser_test.py FLYTE_BINARY CASE (graph, live, timeline, launch_form, history, layout, values).
Exits 77 (skipped) when no Chromium is installed."""
import sys
import urllib.parse

import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, find_chromium  # noqa: E402
from server import Server  # noqa: E402

# A retried task, a map over three items, a branch and a subworkflow; inputs of each form type.
SHAPES = r"""
project: flytesnacks
domain: development
tasks:
  flaky:
    inputs: {x: int}
    outputs: {y: int}
    retries: 1
    retry_backoff: {initial: 100ms, max: 1s, factor: 2}
    script: |
      [ "$FLYTE_ATTEMPT" -ge 1 ] || { echo "first attempt fails on purpose" >&2; exit 3; }
      echo $(( {{ inputs.x }} + 1 )) > "{{ outputs.y }}"
  square:
    inputs: {x: int}
    outputs: {y: int}
    script: echo $(( {{ inputs.x }} * {{ inputs.x }} )) > "{{ outputs.y }}"
  tiny:
    inputs: {v: int}
    script: "true"
  show:
    inputs: {v: int, label: str}
    outputs: {s: str}
    script: echo "{{ inputs.label }}={{ inputs.v }}" > "{{ outputs.s }}"
workflows:
  inner:
    inputs: {v: int}
    outputs: {s: "{{ a.s }}"}
    nodes:
      a: {task: show, inputs: {v: "{{ inputs.v }}", label: inner}}
  shapes:
    inputs:
      n: int
      label: {type: str, default: hi}
      ratio: {type: float, default: 0.5}
      loud: {type: bool, default: false}
      xs: {type: "list[int]", default: [1, 2, 3]}
      color: {type: "enum[red, green]", default: red}
    outputs: {y: "{{ first.y }}"}
    nodes:
      first: {task: flaky, inputs: {x: "{{ inputs.n }}"}}
      sq: {map: square, inputs: {x: "{{ inputs.xs }}"}}
      pick:
        branch:
          - if: "{{ first.y }} > 3"
            task: show
            inputs: {v: "{{ first.y }}", label: "{{ inputs.label }}"}
          - else: {task: tiny, inputs: {v: 0}}
      sub: {workflow: inner, inputs: {v: "{{ first.y }}"}}
  gated:
    nodes:
      wait: {signal: {name: go, type: int}, timeout: 1m}
      after: {task: tiny, inputs: {v: "{{ wait.value }}"}}
launch_plans:
  shapes_nightly:
    workflow: shapes
    fixed_inputs: {n: 3}
    schedule: {cron: "0 6 * * *", timezone: UTC}
"""


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def setup(server):
    server.register(server.home + "/shapes.yaml", SHAPES)
    name = server.launch(workflow={"name": "shapes"}, inputs={"n": 4}, name="s1")
    server.wait_for(name, "SUCCEEDED")
    return name


def page(server, browser, hash_=""):
    browser.open(server.url + "/console#" + hash_)


def case_graph(server, browser):
    setup(server)
    page(server, browser, "flytesnacks/development/s1")
    browser.wait("document.querySelectorAll('#graph g.node').length === 4", "the graph's four nodes")
    nodes = browser.js("[...document.querySelectorAll('#graph g.node')].map(g => "
                       "[g.dataset.node, g.getAttribute('class'), g.textContent])")
    check(sorted(n[0] for n in nodes) == ["first", "pick", "sq", "sub"], f"graph nodes: {nodes}")
    for node_id, cls, text in nodes:
        check("ph-SUCCEEDED" in cls.split(), f"{node_id} is drawn {cls}, not SUCCEEDED")
    text = {n[0]: n[2] for n in nodes}
    check("3/3" in text["sq"], f"the map node counts its items: {text['sq']}")
    check("first.y > 3" in text["pick"], f"the branch shows the case taken: {text['pick']}")
    check(browser.js("document.querySelectorAll('#graph path.edge').length") == 2, "first's two edges are drawn")
    # A subworkflow expands in place; its node is coloured by its own execution.
    browser.js("document.querySelector('#graph g.node[data-node=sub] text.tog').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
    browser.wait("document.querySelector('#graph g.node[data-node=\"sub/a\"]')", "the expanded subworkflow")
    cls = browser.js("document.querySelector('#graph g.node[data-node=\"sub/a\"]').getAttribute('class')")
    check("ph-SUCCEEDED" in cls.split(), f"sub/a is drawn {cls}")
    # Enter on a focused node opens its panel with the attempts and logs; Esc closes it.
    browser.js("const g = document.querySelector('#graph g.node[data-node=first]'); g.focus();"
               "g.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))")
    browser.wait("document.querySelector('#panel') && document.querySelector('#panel').textContent.includes('logs of attempt 1')",
                 "the node panel with the last attempt's logs")
    panel = browser.js("document.querySelector('#panel').textContent")
    check("RETRYABLE_FAILED" in panel or "FAILED" in panel, f"the panel lists the failed attempt: {panel[:400]}")
    check(browser.js("location.hash") == "#flytesnacks/development/s1/first", browser.js("location.hash"))
    browser.js("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))")
    browser.wait("!document.querySelector('#panel')", "Esc to close the panel")


def case_live(server, browser):
    """The graph follows the execution without a reload (the event stream)."""
    server.register(server.home + "/shapes.yaml", SHAPES)
    server.launch(workflow={"name": "gated"}, name="g1")
    page(server, browser, "flytesnacks/development/g1")
    browser.wait("document.querySelectorAll('#graph g.node').length === 2", "the gated graph")
    browser.wait("document.getElementById('live').textContent === 'live'", "the event stream")
    cls = browser.js("document.querySelector('#graph g.node[data-node=after]').getAttribute('class')")
    check("ph-SUCCEEDED" not in cls, f"after has not run yet: {cls}")
    server.call("POST", "/api/v1/signals", {"id": {"execution_id": {"project": "flytesnacks", "domain": "development",
                                                                     "name": "g1"}, "signal_id": "go"}, "value": 5})
    server.wait_for("g1", "SUCCEEDED")
    browser.wait("document.querySelector('#graph g.node[data-node=after]').getAttribute('class').includes('ph-SUCCEEDED')",
                 "the node to turn SUCCEEDED live", timeout=10)
    check(browser.js("document.querySelector('#graph g.node[data-node=wait]').getAttribute('class')").find("ph-SUCCEEDED") >= 0,
          "the gate turned SUCCEEDED too")


def case_timeline(server, browser):
    setup(server)
    page(server, browser, "flytesnacks/development/s1?view=timeline")
    browser.wait("document.querySelectorAll('#timeline rect.attempt').length > 0", "the timeline's bars")
    bars = browser.js("[...document.querySelectorAll('#timeline rect.attempt')].map(r => "
                      "[r.dataset.node, +r.dataset.attempt, r.getAttribute('class')])")
    expected = 0
    for node in server.call("GET", "/api/v1/node_executions/flytesnacks/development/s1")["node_executions"]:
        expected += node["closure"]["attempts"]
    check(len(bars) == expected, f"{len(bars)} bars for {expected} attempts: {bars}")
    first = sorted((a, c) for n, a, c in bars if n == "first")
    check([a for a, _ in first] == [0, 1], f"the retried node has a bar per attempt: {first}")
    check("ph-SUCCEEDED" not in first[0][1] and "ph-SUCCEEDED" in first[1][1], f"phases of the attempts: {first}")
    check(sum(1 for n, _, _ in bars if n.startswith("sq[")) == 3, f"one bar per map item: {bars}")


def case_launch_form(server, browser):
    server.register(server.home + "/shapes.yaml", SHAPES)
    page(server, browser, "flytesnacks/development/@launch/workflow/shapes")
    browser.wait("document.querySelector('#launchform input[name=n]')", "the launch form")
    fields = browser.js("[...document.querySelectorAll('#launchform [name]')].map(e => "
                        "[e.name, e.tagName, e.type || '', e.required, e.value])")
    by = {f[0]: f for f in fields}
    check(by["n"][1:4] == ["INPUT", "number", True], f"n is a required number: {by['n']}")
    check(by["label"][4] == "hi" and not by["label"][3], f"label is filled with its default: {by['label']}")
    check(by["loud"][1] == "SELECT" and by["loud"][4] == "false", f"loud is a bool select: {by['loud']}")
    check(by["color"][1] == "SELECT" and by["color"][4] == "red", f"color is an enum select: {by['color']}")
    check(by["xs"][1] == "TEXTAREA", f"xs is a JSON editor: {by['xs']}")
    check(browser.js("document.querySelector('label[for=in-n] abbr.req') !== null"), "n is marked required")
    before = len(server.call("GET", "/api/v1/executions/flytesnacks/development")["executions"])
    # Missing the required input: refused in the page, nothing sent.
    browser.js("document.querySelector('#launchform button[type=submit]').click()")
    browser.wait("document.querySelector('[data-error=n]').textContent === 'required'", "the required-input error")
    # Bad JSON in the list editor is refused too.
    browser.js("{const f = document.querySelector('#launchform'); f.n.value = '7'; f.xs.value = '[1, 2,';"
               "f.querySelector('button[type=submit]').click()}")
    browser.wait("document.querySelector('[data-error=xs]').textContent.startsWith('not JSON')", "the JSON error")
    check(len(server.call("GET", "/api/v1/executions/flytesnacks/development")["executions"]) == before,
          "a refused form starts nothing")
    browser.js("{const f = document.querySelector('#launchform'); f.xs.value = '[5, 6]'; f.ratio.value = '2.25';"
               "f.loud.value = 'true'; f.color.value = 'green'; f.label.value = 'typed';"
               "f.querySelector('button[type=submit]').click()}")
    name = browser.wait("(/^#flytesnacks\\/development\\/([a-z0-9-]+)$/.exec(location.hash) || [])[1]",
                        "the new execution's page")
    inputs = server.call("GET", f"/api/v1/data/executions/flytesnacks/development/{name}")["inputs"]
    check(inputs == {"n": 7, "label": "typed", "ratio": 2.25, "loud": True, "xs": [5, 6], "color": "green"},
          f"the execution's inputs are the typed values: {inputs}")
    # Relaunch with changes: the same form, filled with that execution's inputs.
    browser.wait("[...document.querySelectorAll('#detail button')].some(b => b.textContent === 'Relaunch with changes')",
                 "the execution page")
    browser.js("[...document.querySelectorAll('#detail button')].find(b => b.textContent === 'Relaunch with changes').click()")
    browser.wait("document.querySelector('#launchform input[name=n]') && document.querySelector('#launchform').n.value === '7'",
                 "the relaunch form filled with the execution's inputs")
    check(browser.js("document.querySelector('#launchform').xs.value.replace(/\\s/g, '')") == "[5,6]",
          "the list input is filled too")
    browser.js("{const f = document.querySelector('#launchform'); f.n.value = '8';"
               "f.querySelector('button[type=submit]').click()}")
    again = browser.wait(f"(/^#flytesnacks\\/development\\/([a-z0-9-]+)$/.exec(location.hash) || [])[1] !== '{name}' &&"
                         "(/^#flytesnacks\\/development\\/([a-z0-9-]+)$/.exec(location.hash) || [])[1]",
                         "the relaunched execution's page")
    inputs = server.call("GET", f"/api/v1/data/executions/flytesnacks/development/{again}")["inputs"]
    check(inputs == {"n": 8, "label": "typed", "ratio": 2.25, "loud": True, "xs": [5, 6], "color": "green"},
          f"the relaunch has the changed input and the others kept: {inputs}")


def case_history(server, browser):
    setup(server)
    page(server, browser, "")
    browser.wait("document.querySelector('#executions tr[data-exec=s1]')", "the executions list")
    browser.js("const r = document.querySelector('#executions tr[data-exec=s1]'); r.focus();"
               "r.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}))")
    browser.wait("document.querySelectorAll('#graph g.node').length === 4", "the execution page")
    check(browser.js("document.getElementById('list').hidden"), "the list is hidden on the execution page")
    browser.js("history.back()")
    browser.wait("!document.getElementById('list').hidden && document.querySelector('#executions tr[data-exec=s1]')",
                 "Back to return to the list")
    browser.js("history.forward()")
    browser.wait("document.querySelectorAll('#graph g.node').length === 4", "Forward to the execution again")
    # A link pasted into the open tab: the launch plans page.
    browser.js("location.hash = '#flytesnacks/development/@launch_plans'")
    browser.wait("document.querySelector('#plans tr[data-plan=shapes]')", "the launch plans page from a pasted link")
    # No request left the server the page came from.
    origin = urllib.parse.urlsplit(server.url)
    foreign = [u for u in browser.requests
               if not u.startswith(server.url + "/") and not u.startswith("data:") and u != "about:blank"]
    check(not foreign, f"requests outside {origin.netloc}: {foreign}")
    check(not browser.errors, f"script errors: {browser.errors}")


def case_layout(server, browser):
    """At 1400 px nothing is cut; at a phone's width the page does not scroll sideways."""
    setup(server)
    server.call("PUT", "/api/v1/launch_plans/flytesnacks/development/shapes_nightly", {"state": "ACTIVE"})
    page(server, browser, "")
    browser.wait("document.querySelector('#executions tr[data-exec=s1]')", "the executions list")
    cut = browser.js("[...document.querySelectorAll('#executions th, #executions tr[data-exec=s1] td')]"
                     ".filter(c => c.getBoundingClientRect().right > innerWidth || !c.offsetWidth).map(c => c.textContent)")
    check(cut == [], f"cells cut at 1400 px: {cut}")
    check(browser.js("document.querySelector('#executions tr[data-exec=s1]').textContent.includes('MANUAL')"),
          "the mode column shows")
    browser.js("location.hash = '#flytesnacks/development/@launch_plans'")
    browser.wait("document.querySelector('#plans tr[data-plan=shapes_nightly] td.next').textContent.includes(':')",
                 "the next fire time of the active plan")
    row = browser.js("(() => { const r = document.querySelector('#plans tr[data-plan=shapes_nightly]');"
                     "return [r.getBoundingClientRect().height, r.textContent,"
                     "Math.max(...[...r.querySelectorAll('button')].map(b => b.getBoundingClientRect().right))]; })()")
    check(row[0] < 48, f"a launch plan row is {row[0]} px tall")
    check("cron 0 6 * * *" in row[1] and "Deactivate" in row[1], f"the plan's row: {row[1]}")
    check(row[2] <= browser.js("innerWidth"), f"the plan's buttons end at {row[2]} px")
    browser.send("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=2, mobile=True)
    for hash_, what in (("flytesnacks/development", "the executions list"),
                        ("flytesnacks/development/s1/first", "an execution with its node panel"),
                        ("flytesnacks/development/@launch/workflow/shapes", "the launch form")):
        page(server, browser, hash_)
        browser.js("new Promise(r => setTimeout(r, 300))")
        browser.wait("document.querySelector('#rows tr, #graph, #launchform')", what)
        width = browser.js("document.documentElement.scrollWidth")
        check(width <= 390, f"{what} is {width} px wide on a 390 px phone")


FILES = r"""
project: flytesnacks
domain: development
tasks:
  make:
    inputs: {n: int}
    outputs: {report: file, shards: dir}
    script: |
      seq 1 {{ inputs.n }} > "{{ outputs.report }}"
      mkdir -p "{{ outputs.shards }}" && echo a > "{{ outputs.shards }}/a.txt"
workflows:
  files:
    inputs: {n: int}
    outputs: {report: "{{ make.report }}"}
    nodes:
      make: {task: make, inputs: {n: "{{ inputs.n }}"}}
"""


def case_values(server, browser):
    """A node's panel shows its typed inputs and outputs, with links that download the files."""
    import hashlib
    server.register(server.home + "/files.yaml", FILES)
    name = server.launch(workflow={"name": "files"}, inputs={"n": 5000}, name="v1")
    server.wait_for(name, "SUCCEEDED")
    page(server, browser, "flytesnacks/development/v1/make")
    browser.wait("document.querySelector('#panel a[data-blob=\"outputs.report\"]')", "the report's download link")
    panel = browser.js("document.querySelector('#panel').textContent")
    check("inputs" in panel and "5000" in panel, f"the panel shows the node's inputs: {panel[:400]}")
    check(browser.js("!!document.querySelector('#panel a[data-blob=\"outputs.shards\"]')"), "the folder's link")
    report = server.call("GET", "/api/v1/data/executions/flytesnacks/development/v1")["outputs"]["report"]
    want = hashlib.sha256(open(report, "rb").read()).hexdigest()
    # What the link serves, read by the page itself: the file's bytes.
    got = browser.js("(async () => { const a = document.querySelector('#panel a[data-blob=\"outputs.report\"]');"
                     " const b = await (await fetch(a.href)).arrayBuffer();"
                     " const d = await crypto.subtle.digest('SHA-256', b);"
                     " return [a.getAttribute('download'), [...new Uint8Array(d)].map(x => x.toString(16).padStart(2, '0')).join('')]; })()")
    check(got == ["report", want], f"the link downloads the report: {got} vs {want}")
    # The execution's outputs carry the same link.
    check(browser.js("!!document.querySelector('.io a[data-blob=\"outputs.report\"]')"), "the execution's link")


def main():
    flyte, case = sys.argv[1], sys.argv[2]
    if find_chromium() is None:
        print("chromium is not installed: skipped")
        return 77
    server = Server(flyte)
    browser = None
    try:
        browser = Browser()
        globals()["case_" + case](server, browser)
        check(not browser.errors, f"script errors: {browser.errors}")
    finally:
        if browser:
            browser.close()
        server.close()
    print(case, "ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
