"""Flattening document data into `{dotted path: leaf}`, the unit OpenAttestation hashes and obfuscates."""

from __future__ import annotations

from typing import Any

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.js import js_key_order

PATH_SEPARATOR = "."


def flatten(data: Any) -> dict[str, Any]:
    """Every leaf of `data` by path: keys joined with ".", array indexes as segments.

    A container is descended into only when non-empty, so `{}` and `[]` are leaves of their own; keys
    come in JavaScript's property order so the result lists paths in the order OA's tools do.
    """
    if not isinstance(data, dict):
        raise InvalidInput("document data must be a JSON object", field="data")
    flat: dict[str, Any] = {}
    _flatten_into(flat, data, prefix="")
    return flat


def join_path(prefix: str, key: str) -> str:
    return f"{prefix}{PATH_SEPARATOR}{key}" if prefix else key


def children(container: dict[str, Any] | list[Any], prefix: str) -> list[tuple[str, Any]]:
    """The (key, value) pairs under `container` in JavaScript order, refusing keys OA cannot address."""
    if isinstance(container, list):
        return [(str(index), value) for index, value in enumerate(container)]
    for key in container:
        if not isinstance(key, str):
            raise InvalidInput("object keys must be strings", field=join_path(prefix, str(key)))
        if PATH_SEPARATOR in key:
            # A dotted key would collide with the path of a nested field, so OA forbids it outright.
            raise InvalidInput("key names must not contain '.'", field=join_path(prefix, key))
    return [(key, container[key]) for key in js_key_order(container)]


def _flatten_into(flat: dict[str, Any], container: dict[str, Any] | list[Any], prefix: str) -> None:
    for key, value in children(container, prefix):
        path = join_path(prefix, key)
        if isinstance(value, dict | list) and value:
            _flatten_into(flat, value, path)
        elif isinstance(value, dict | list | str | int | float) or value is None:
            flat[path] = value
        else:
            raise InvalidInput(f"{type(value).__name__} is not a JSON value", field=path)
