"""The flat TOML files Besu reads: tomli-w writes the values, this adds the comment header it cannot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import tomli_w

TomlValue = str | int | bool | Sequence[str]


def dumps(items: Mapping[str, TomlValue], header: str = "") -> str:
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comments + tomli_w.dumps(dict(items))
