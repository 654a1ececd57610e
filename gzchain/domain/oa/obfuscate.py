"""Selective disclosure: hiding chosen fields of a wrapped document while it still verifies.

Each hidden field's hash moves into `privacy.obfuscatedData`, so the targetHash is unchanged. OA's own
tool breaks a document in two cases, and those are refused here with the reason and a way out:
emptying an object (the `{}` left behind hashes as a new field) and removing an array element (the hole
becomes `null` once the document is written as JSON, and a null is a field too).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.document import WrappedDocument
from gzchain.domain.oa.flatten import PATH_SEPARATOR
from gzchain.domain.oa.hashing import field_hashes
from gzchain.domain.oa.js import is_array_index

Path = tuple[str, ...]


def obfuscate(document: WrappedDocument, fields: str | Sequence[str]) -> WrappedDocument:
    """A copy of `document` with every field at (or under) the given dotted paths hidden.

    Raises InvalidInput naming the path when it does not exist, ends at an array element, or would
    leave an object empty.
    """
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise InvalidInput("document data must be a JSON object", field="data")
    data = document["data"]
    paths = [_parse(field) for field in ([fields] if isinstance(fields, str) else fields)]
    for path in paths:
        _check_removable(data, path)
    hashes = field_hashes(_pick(data, paths))
    remaining = copy.deepcopy(data)
    for path in paths:
        _remove(remaining, path)
    for path in paths:
        _refuse_emptied_parent(remaining, path)
    result = copy.deepcopy(document)
    privacy = result.get("privacy") or {}
    already_hidden = privacy.get("obfuscatedData") or []
    return {**result, "data": remaining, "privacy": {**privacy, "obfuscatedData": [*already_hidden, *hashes]}}


def _parse(field: str) -> Path:
    path = tuple(field.split(PATH_SEPARATOR)) if isinstance(field, str) else ()
    if not path or not all(path):
        raise InvalidInput("not a dotted field path", field=str(field))
    return path


def _show(path: Path) -> str:
    return PATH_SEPARATOR.join(path)


def _child(container: Any, key: str) -> tuple[bool, Any]:
    if isinstance(container, dict) and key in container:
        return True, container[key]
    if isinstance(container, list) and is_array_index(key) and int(key) < len(container):
        return True, container[int(key)]
    return False, None


def _check_removable(data: dict[str, Any], path: Path) -> None:
    if not _child_at(data, path)[0]:
        raise InvalidInput("no such field in the document", field=_show(path))
    container = _child_at(data, path[:-1])[1]
    if isinstance(container, list):
        raise InvalidInput(
            "cannot obfuscate a single array element: the hole it leaves becomes null in JSON, which"
            f" hashes as a new field and breaks verification; obfuscate {_show(_whole_field(data, path))!r}"
            " whole instead",
            field=_show(path),
        )


def _pick(data: dict[str, Any], paths: list[Path]) -> dict[str, Any]:
    """The chosen fields alone, nested as in `data` and ordered as OA orders them (by first mention)."""
    picked: dict[str, Any] = {}
    for path in paths:
        node: Any = picked
        for key in path[:-1]:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        value = copy.deepcopy(_child_at(data, path)[1])
        if isinstance(node, list):
            node[int(path[-1])] = value
        else:
            node[path[-1]] = value
    return picked


def _child_at(data: dict[str, Any], path: Path) -> tuple[bool, Any]:
    node: Any = data
    for key in path:
        found, node = _child(node, key)
        if not found:
            return False, None
    return True, node


def _remove(data: dict[str, Any], path: Path) -> None:
    # An ancestor obfuscated earlier in the same call has already taken this field with it.
    found, parent = _child_at(data, path[:-1])
    if found and isinstance(parent, dict):
        parent.pop(path[-1], None)


def _refuse_emptied_parent(data: dict[str, Any], path: Path) -> None:
    parent_path = path[:-1]
    if not parent_path:
        # An empty top level has no fields at all, so it adds no hash; OA verifies it as it is.
        return
    found, parent = _child_at(data, parent_path)
    if found and parent == {}:
        raise InvalidInput(
            f"obfuscating every field of {_show(parent_path)!r} would leave an empty object, which OA"
            " hashes as a new field and so breaks verification; keep one of its fields visible or"
            f" obfuscate {_show(_whole_field(data, parent_path))!r} whole",
            field=_show(parent_path),
        )


def _whole_field(data: dict[str, Any], path: Path) -> Path:
    """The longest prefix of `path` naming an object member, which can be hidden without leaving a hole."""
    node: Any = data
    whole = path[:1]
    for depth, key in enumerate(path):
        if isinstance(node, dict):
            whole = path[: depth + 1]
        node = _child(node, key)[1]
    return whole
