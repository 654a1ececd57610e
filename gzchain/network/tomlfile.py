"""Writes the flat TOML files Besu reads (Python reads TOML with tomllib but cannot write it)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

TomlValue = str | int | bool | Sequence[str]


def _value(value: TomlValue) -> str:
    # bool before int: True is an int in Python, but true in TOML.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        # A JSON string of printable text is a valid TOML basic string.
        return json.dumps(value, ensure_ascii=True)
    return "[" + ",".join(json.dumps(item, ensure_ascii=True) for item in value) + "]"


def dumps(items: Mapping[str, TomlValue], header: str = "") -> str:
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines += [f"{key}={_value(value)}" for key, value in items.items()]
    return "\n".join(lines) + "\n"
