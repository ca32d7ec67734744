#!/usr/bin/python3
"""Checks docs/workflow.schema.json against the example workflow files.

Every examples/*.yaml must conform to the schema, a few valid snippets (short and long forms)
must be accepted, and a few invalid ones (unknown keys, wrong enum values, malformed values)
must be rejected, so that editors using the schema neither flag correct files nor miss the
common mistakes.

Usage: /usr/bin/python3 tests/schema/check_examples.py [SOURCE_DIR]
Needs Debian's python3-yaml and python3-jsonschema.
"""
import glob
import json
import os
import re
import sys

import jsonschema
import yaml

# Snippets the schema must accept.
VALID = {
    "minimal task": """
tasks:
  t: {script: echo hi}
""",
    "short and long forms": """
project: my-project
domain: staging
tasks:
  t:
    inputs: {a: int, b: {type: "list[str]", default: [x], description: some}, c: "int?"}
    outputs: {o: str, p: {type: file, description: a file}}
    script: echo hi > "{{ outputs.o }}"
    shell: bash -eu
    env: {A: "1", B: 2}
    cache: {version: 2, serialize: true, ignore_inputs: a, ttl: 7d}
    secrets: [token, {name: key, env: API_KEY}, {name: cert, file: /etc/cert}]
    resources: {cpu: 500m, mem: 1Gi, gpu: 1, storage: 10G, limits: {cpu: 1, mem: 2Gi}}
    retry_backoff: {initial: 500ms, max: 1m, factor: 1.5}
    timeout: 1h30m
workflows:
  w:
    inputs: {n: int}
    outputs:
      o: "{{ a.o }}"
      lit: [1, 2]
      long: {value: "n={{ inputs.n }}", type: str, description: text}
    nodes:
      a: {task: t, inputs: {a: "{{ inputs.n }}"}, cache: false, retries: 1}
      b: {sleep: 5s, after: a}
      c: {approve: "{{ a.o }}", timeout: 1h}
      d: {signal: {type: float}}
      e:
        branch:
          - {if: "{{ inputs.n }} > 1", task: t, inputs: {a: 1}}
          - {if: "{{ d.value }} >= 0.5", fail: too big}
          - else: {fail: nope}
launch_plans:
  lp:
    workflow: w
    default_inputs: {n: 3}
    schedule: {every: 10m}
    notifications: [{on: FAILED, webhook: "https://example.com/hook"}, {on: [timed-out], webhook: "http://x"}]
    labels: {example.com/team: ml, tier: ""}
""",
}

# Snippets the schema must reject: (what is wrong, YAML text).
INVALID = [
    ("unknown top-level key", """
tasks: {t: {script: echo}}
workflow: {}
"""),
    ("unknown task key", """
tasks: {t: {scirpt: echo}}
"""),
    ("unknown node key", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t, input: {}}}}}
"""),
    ("unknown key in an input's long form", """
tasks: {t: {script: echo, inputs: {a: {type: int, defualt: 1}}}}
"""),
    ("wrong domain", """
domain: dev
tasks: {t: {script: echo}}
"""),
    ("wrong failure_policy", """
tasks: {t: {script: echo}}
workflows: {w: {failure_policy: fail_fast, nodes: {a: {task: t}}}}
"""),
    ("wrong catchup", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t}}}}
launch_plans: {lp: {workflow: w, catchup: some}}
"""),
    ("wrong overlap", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t}}}}
launch_plans: {lp: {workflow: w, overlap: queue}}
"""),
    ("wrong plugin", """
tasks: {t: {script: echo, plugin: mpi}}
"""),
    ("wrong notification phase", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t}}}}
launch_plans: {lp: {workflow: w, notifications: [{on: [broken], webhook: "http://x"}]}}
"""),
    ("task with command and script", """
tasks: {t: {script: echo, command: [echo]}}
"""),
    ("task with neither command nor script", """
tasks: {t: {description: nothing to run}}
"""),
    ("command as a string", """
tasks: {t: {command: echo hi}}
"""),
    ("duration without a unit", """
tasks: {t: {script: echo, timeout: 30}}
"""),
    ("node running two things", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t, sleep: 1s}}}}
"""),
    ("node id with capitals", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {Prepare: {task: t}}}}
"""),
    ("reserved node id", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {inputs: {task: t}}}}
"""),
    ("workflow without nodes", """
tasks: {t: {script: echo}}
workflows: {w: {inputs: {a: int}}}
"""),
    ("map setting on a task node", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t, concurrency: 2}}}}
"""),
    ("branch without if", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {branch: [{task: t}, {else: {fail: x}}]}}}}
"""),
    ("a failing case that also binds inputs (they would be ignored)", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {branch: [{if: "1 > 0", fail: x, inputs: {a: 1}}, {else: {task: t}}]}}}}
"""),
    ("signal without a type", """
workflows: {w: {nodes: {a: {signal: {name: lr}}}}}
"""),
    ("schedule with cron and every", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t}}}}
launch_plans: {lp: {workflow: w, schedule: {cron: "0 2 * * *", every: 1h}}}
"""),
    ("replicas on a non-replicated role", """
tasks: {t: {script: echo, plugin: dask, dask: {scheduler: {replicas: 2}}}}
"""),
    ("secret with env and file", """
tasks: {t: {script: echo, secrets: [{name: a, env: A, file: /a}]}}
"""),
    ("webhook that is not a URL", """
tasks: {t: {script: echo}}
workflows: {w: {nodes: {a: {task: t}}}}
launch_plans: {lp: {workflow: w, notifications: [{on: failed, webhook: hook}]}}
"""),
]


class CoreLoader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where `on`, `yes` and `off` are booleans, `1:30` is a number and
    `2026-01-01` a date. flyte and editors read YAML 1.2's core schema, so resolve plain
    scalars the same way here (merge keys `<<` stay supported, as in flyte)."""


CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                           "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+.0123456789"),
]:
    CoreLoader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def load(text):
    return yaml.load(text, Loader=CoreLoader)


def describe(error):
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(root, "docs", "workflow.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    failures = []

    examples = sorted(glob.glob(os.path.join(root, "examples", "*.yaml")))
    if not examples:
        failures.append("no examples/*.yaml found under " + root)
    for path in examples:
        with open(path, encoding="utf-8") as f:
            doc = load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        name = os.path.relpath(path, root)
        for e in errors:
            failures.append(f"{name}: {describe(e)}")
        print(f"{name}: {'ok' if not errors else f'{len(errors)} error(s)'}")

    for name, text in VALID.items():
        errors = list(validator.iter_errors(load(text)))
        for e in errors:
            failures.append(f"valid snippet '{name}' was rejected: {describe(e)}")
    print(f"{len(VALID)} valid snippets checked")

    for name, text in INVALID:
        if validator.is_valid(load(text)):
            failures.append(f"invalid snippet '{name}' was accepted by the schema")
    print(f"{len(INVALID)} invalid snippets checked")

    if failures:
        print("\n".join(["FAILED:"] + failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
