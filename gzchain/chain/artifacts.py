"""Read the compiled contract artifacts shipped as package data."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from gzchain.domain.errors import NotFound


@cache
def load_artifact(name: str) -> dict[str, Any]:
    try:
        text = resources.files("gzchain.artifacts").joinpath(f"{name}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no compiled artifact for contract {name}; run `gzchain compile`") from None
    return json.loads(text)


@cache
def artifact_names() -> tuple[str, ...]:
    files = resources.files("gzchain.artifacts").iterdir()
    return tuple(sorted(f.name.removesuffix(".json") for f in files if f.name.endswith(".json")))


def artifact_digest(name: str) -> str:
    """Identifies exactly which compiled code a deployment used."""
    artifact = load_artifact(name)
    return "0x" + hashlib.sha256((artifact["bytecode"] + json.dumps(artifact["abi"])).encode()).hexdigest()


def all_error_entries() -> list[dict[str, Any]]:
    """Every custom error declared in any artifact's ABI, for decoding reverts."""
    return [
        entry for name in artifact_names() for entry in load_artifact(name)["abi"] if entry["type"] == "error"
    ]
