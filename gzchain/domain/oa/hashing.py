"""Per-field hashes and the targetHash that binds a document's data, visible and obfuscated alike."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from gzchain.domain import keccak
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.document import JsonObject, WrappedDocument
from gzchain.domain.oa.flatten import flatten
from gzchain.domain.oa.js import json_quote, json_stringify

HEX_HASH = re.compile(r"[0-9a-f]{64}")


def keccak_hex(text: str) -> str:
    """Keccak-256 (Ethereum's, not NIST SHA3-256) of the UTF-8 of `text`, as lowercase hex."""
    return keccak.keccak_hex(text.encode("utf-8"))


def field_hash(path: str, leaf: Any) -> str:
    """The hash of one flattened field: keccak256(JSON.stringify({path: leaf}))."""
    if isinstance(leaf, str):
        # Nearly every leaf is a salted string: quote both parts directly rather than walk a dict.
        return keccak_hex("{" + json_quote(path) + ":" + json_quote(leaf) + "}")
    return keccak_hex(json_stringify({path: leaf}))


def field_hashes(data: JsonObject) -> list[str]:
    """The hash of every field of `data`, in flattening order."""
    return [field_hash(path, leaf) for path, leaf in flatten(data).items()]


def target_hash(data: JsonObject, obfuscated: Sequence[str] = ()) -> str:
    """keccak256 of the sorted list of every field hash: those of `data` plus the `obfuscated` ones."""
    for index, value in enumerate(obfuscated):
        if not isinstance(value, str) or not HEX_HASH.fullmatch(value):
            raise InvalidInput(
                "must be a lowercase hex Keccak-256 hash", field=f"privacy.obfuscatedData.{index}"
            )
    return combine_field_hashes([*obfuscated, *field_hashes(data)])


def combine_field_hashes(hashes: list[str]) -> str:
    """keccak256(JSON.stringify(sorted(hashes))) for lowercase hex hashes, which need no escaping."""
    return keccak_hex("[" + ",".join(f'"{value}"' for value in sorted(hashes)) + "]")


def digest_document(document: WrappedDocument) -> str:
    """The targetHash a wrapped document's content calls for, whatever its signature claims."""
    if not isinstance(document, dict):
        raise InvalidInput("a wrapped document must be a JSON object")
    privacy = document.get("privacy") or {}
    obfuscated = privacy.get("obfuscatedData", []) if isinstance(privacy, dict) else None
    if not isinstance(obfuscated, list):
        raise InvalidInput("must be a list of hashes", field="privacy.obfuscatedData")
    return target_hash(document.get("data"), obfuscated)  # type: ignore[arg-type]
