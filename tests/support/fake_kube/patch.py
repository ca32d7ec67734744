"""PATCH bodies: JSON merge patch (RFC 7386), a strategic merge patch subset, JSON patch (RFC 6902)."""
import copy

from .errors import ApiError, bad_request


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


def _named_list(value):
    return isinstance(value, list) and value and all(isinstance(i, dict) and "name" in i for i in value)


def strategic_merge_patch(target, patch):
    """Merge patch, except that lists of objects with a `name` (containers, env, volumes, ports...) are
    merged by name as Kubernetes' patchMergeKey does; `$patch: delete` removes an item; other
    `$` directives (kubectl apply's `$setElementOrder/...`, `$retainKeys`) are ignored."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
        elif _named_list(v) and isinstance(out.get(k), list) and all(isinstance(i, dict) for i in out[k]):
            merged = list(out[k])
            for item in v:
                idx = next((i for i, cur in enumerate(merged) if cur.get("name") == item["name"]), None)
                if item.get("$patch") == "delete":
                    if idx is not None:
                        merged.pop(idx)
                elif idx is None:
                    merged.append(strategic_merge_patch({}, item))
                else:
                    merged[idx] = strategic_merge_patch(merged[idx], item)
            out[k] = merged
        else:
            out[k] = strategic_merge_patch(out.get(k), v)
    return out


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise bad_request(f"invalid JSON pointer: {path}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc, parts):
    cur = doc
    for p in parts:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    return cur


def json_patch(doc, ops):
    doc = copy.deepcopy(doc)
    if not isinstance(ops, list):
        raise bad_request("json patch must be a list of operations")
    for op in ops:
        parts = _pointer(op.get("path", ""))
        try:
            parent = _walk(doc, parts[:-1])
            last = parts[-1] if parts else None
            kind = op.get("op")
            if kind in ("add", "replace"):
                if isinstance(parent, list):
                    if last == "-":
                        parent.append(op["value"])
                    elif kind == "add":
                        parent.insert(int(last), op["value"])
                    else:
                        parent[int(last)] = op["value"]
                else:
                    if kind == "replace" and last not in parent:
                        raise KeyError(last)
                    parent[last] = op["value"]
            elif kind == "remove":
                del parent[int(last) if isinstance(parent, list) else last]
            elif kind == "test":
                if _walk(doc, parts) != op.get("value"):
                    raise ApiError(422, "Invalid", "the server rejected our request due to an error in our request")
            else:
                raise bad_request(f"unsupported json patch op: {kind}")
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, "Invalid", "the server rejected our request due to an error in our request")
    return doc
