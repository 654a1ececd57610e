"""Selective disclosure: from the fields a holder chooses to reveal, which fields of a document to hide.

What a verifier needs to check the document at all always stays visible: its issuers (status and identity),
its validity period (hiding an expiry date would hide that the document expired), its network and its
renderer template. Everything else not revealed is hidden as whole a subtree as possible, so no object is
emptied and no array element is removed (OA's two obfuscation pitfalls).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from gzchain.domain.certificates.templates import PLACEHOLDER
from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import JsonObject
from gzchain.domain.oa.flatten import PATH_SEPARATOR, flatten

ALWAYS_DISCLOSED: Final = ("issuers", "validFrom", "validUntil", "network", "$template")

Path = tuple[str, ...]


def fields_to_hide(data: JsonObject, reveal: Iterable[str]) -> list[str]:
    """Dotted paths to obfuscate so that only `reveal` (and ALWAYS_DISCLOSED) stay visible in `data`.

    Raises InvalidInput when a revealed path does not exist or points inside an array: array elements
    cannot be hidden one by one, so an array is revealed or hidden whole.
    """
    wanted = [_parse(path) for path in reveal]
    if not wanted:
        raise InvalidInput("choose at least one field to reveal", field="reveal")
    for path in wanted:
        _check_exists(data, path)
    keep = wanted + [(key,) for key in ALWAYS_DISCLOSED if key in data]
    hidden: list[str] = []
    _collect(data, (), keep, hidden)
    return hidden


def disclosable_fields(data: JsonObject) -> list[str]:
    """The paths a holder may choose to reveal: object members down to leaves, arrays as a whole, and
    nothing of what is always disclosed."""
    paths: list[str] = []

    def walk(node: Any, prefix: Path) -> None:
        for key, value in node.items():
            path = (*prefix, key)
            if not prefix and key in ALWAYS_DISCLOSED:
                continue
            if isinstance(value, dict) and value:
                walk(value, path)
            else:
                paths.append(PATH_SEPARATOR.join(path))

    walk(data, ())
    return paths


def _parse(text: str) -> Path:
    path = tuple(text.strip().split(PATH_SEPARATOR))
    if not all(path):
        raise InvalidInput("not a dotted field path such as recipient.name", field=f"reveal {text!r}")
    return path


def _check_exists(data: JsonObject, path: Path) -> None:
    if path[0] in ALWAYS_DISCLOSED and path[0] in data:
        return  # shown anyway
    node: Any = data
    for depth, key in enumerate(path):
        shown = PATH_SEPARATOR.join(path)
        if isinstance(node, list):
            whole = PATH_SEPARATOR.join(path[:depth])
            raise InvalidInput(
                f"array elements cannot be revealed one by one; reveal {whole!r} whole",
                field=f"reveal {shown}",
            )
        if not isinstance(node, dict) or key not in node:
            raise InvalidInput(
                f"no such field; choose from {', '.join(disclosable_fields(data))}", field=f"reveal {shown}"
            )
        node = node[key]


def _collect(node: dict[str, Any], prefix: Path, keep: list[Path], hidden: list[str]) -> None:
    for key, value in node.items():
        path = (*prefix, key)
        if any(path[: len(kept)] == kept for kept in keep):
            continue  # revealed itself, or inside something revealed
        if any(kept[: len(path)] == path for kept in keep):
            _collect(value, path, keep, hidden)  # something inside is revealed: hide the rest of it
        else:
            hidden.append(PATH_SEPARATOR.join(path))


def disclosed_values(data: JsonObject) -> list[tuple[str, Any]]:
    """Every field a document shows, by dotted path, with its (unsalted) value, in OA's field order."""
    return list(flatten(data).items())


def withheld_fields(data: JsonObject, template_document: JsonObject) -> list[str]:
    """The paths the template places a record's fields at that `data` does not show.

    A field left empty at issuance is absent too, and a salted hash cannot say which field it hid: call
    this only for a document that says it hides something (`privacy.obfuscatedData`).
    """
    shown = flatten(data)
    return [
        path
        for path, value in flatten(template_document).items()
        if isinstance(value, str) and PLACEHOLDER.fullmatch(value) and path not in shown
    ]
