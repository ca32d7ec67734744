"""Label and field selectors with the apimachinery grammar (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`)."""
import re

from .errors import bad_request

_SET_TERM = re.compile(r"^\s*([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)\s*$")


def _split_terms(text):
    """Split on commas that are not inside `(...)`."""
    terms, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    terms.append(cur)
    return [t.strip() for t in terms if t.strip()]


def parse_label_selector(text):
    """Returns a predicate over a labels dict; raises 400 on a malformed selector."""
    if not text:
        return lambda labels: True
    checks = []
    for term in _split_terms(text):
        m = _SET_TERM.match(term)
        if m:
            key, op, values = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",") if v.strip()}
            if op == "in":
                checks.append(lambda l, k=key, vs=values: k in l and l[k] in vs)
            else:
                checks.append(lambda l, k=key, vs=values: k not in l or l[k] not in vs)
        elif "!=" in term:
            key, value = (s.strip() for s in term.split("!=", 1))
            checks.append(lambda l, k=key, v=value: l.get(k) != v)
        elif "=" in term:
            key, value = (s.strip() for s in re.split(r"==?", term, maxsplit=1))
            checks.append(lambda l, k=key, v=value: k in l and l[k] == v)
        elif term.startswith("!"):
            key = term[1:].strip()
            checks.append(lambda l, k=key: k not in l)
        elif re.fullmatch(r"[A-Za-z0-9_./-]+", term):
            checks.append(lambda l, k=term: k in l)
        else:
            raise bad_request(f"unable to parse requirement: found '{term}', expected: in, notin, =, ==, !=, gt, lt")
    return lambda labels: all(c(labels or {}) for c in checks)


def parse_field_selector(text, field_getter, supported):
    """field_getter(obj, field) -> str; supported: the field labels this kind allows."""
    if not text:
        return lambda obj: True
    checks = []
    for term in _split_terms(text):
        neg = "!=" in term
        if "=" not in term:
            raise bad_request(f'invalid selector: \'{text}\'; can\'t understand \'{term}\'')
        key, value = (s.strip() for s in re.split(r"!=|==|=", term, maxsplit=1))
        if key not in supported:
            raise bad_request(f'field label not supported: {key}')
        if neg:
            checks.append(lambda o, k=key, v=value: field_getter(o, k) != v)
        else:
            checks.append(lambda o, k=key, v=value: field_getter(o, k) == v)
    return lambda obj: all(c(obj) for c in checks)


def get_path(obj, dotted):
    """`status.phase` -> obj['status']['phase'] as a string ('' when missing), as field selectors compare."""
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)
