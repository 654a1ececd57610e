"""Taking one certificate out of a batch written as JSON Lines (one wrapped document a line, record order)."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa import WrappedDocument


def read_line(path: Path, number: int) -> WrappedDocument:
    """The certificate on line `number` (the first is 1) of a JSON Lines batch, read without the others."""
    if number < 1:
        raise InvalidInput("lines are numbered from 1", field="line")
    try:
        with path.open("rb") as handle:
            found = next(islice(handle, number - 1, None), None)
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", field=str(path)) from None
    if found is None:
        raise InvalidInput(f"{path.name} has fewer than {number} lines", field="line")
    try:
        document = json.loads(found)
    except UnicodeDecodeError:
        raise InvalidInput(f"line {number} is not UTF-8 text", field=str(path)) from None
    except ValueError as exc:
        raise InvalidInput(f"line {number} is not valid JSON: {exc}", field=str(path)) from None
    if not isinstance(document, dict):
        raise InvalidInput(f"line {number} is not a JSON object", field=str(path))
    return document
