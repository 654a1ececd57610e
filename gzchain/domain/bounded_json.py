"""JSON from untrusted hands, parsed only once its nesting depth is known to be small.

The standard `json` parser recurses on the C stack, one frame per nested array or object. py_ecc (imported
with py-evm) raises Python's recursion limit to 100,000, so a 200 KB document of nested brackets overflows
the C stack and kills the process (SIGSEGV) before Python's RecursionError can stop it. The recursion
limit is left as py_ecc sets it: lowering it would be a global change under a library that asked for it,
and it would still not bound a thread's smaller C stack. Instead every untrusted document goes through
`json_depth` first, a scan that does not recurse and costs one pass over the bytes, so no recursive code
(the parser, pydantic, our own walkers) ever sees a document deeper than `max_depth`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any, Final

from gzchain.domain.errors import InvalidInput

MAX_JSON_DEPTH: Final = 64  # the deepest document gzchain reads (OA documents nest about 8 deep)

# A JSON string, escapes included; an unterminated one runs to the end, so the scan stays linear on any input
# (a pattern that must find the closing quote would rescan the rest of the input from every later quote).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class JsonTooDeep(InvalidInput):
    """A JSON document nests deeper than the limit; `limit` and `depth` say how far."""

    def __init__(self, depth: int, limit: int, *, field: str) -> None:
        super().__init__(f"nests {depth} levels deep; the limit (max_json_depth) is {limit}", field=field)
        self.depth = depth
        self.limit = limit


def json_depth(data: bytes | str) -> int:
    """The deepest nesting of arrays and objects in `data`, brackets inside strings not counted.

    Invalid JSON gets a number too (the parser will refuse it afterwards); the point is only that nothing
    recursive runs on a document before this number is known.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(0, *accumulate(map(_STEP.__getitem__, brackets)))


def check_json_depth(data: bytes | str, max_depth: int = MAX_JSON_DEPTH, *, field: str = "body") -> None:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    # Fewer opening brackets than the limit cannot nest deeper than it: most documents stop here, unscanned.
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return
    depth = json_depth(raw)
    if depth > max_depth:
        raise JsonTooDeep(depth, max_depth, field=field)


def load_json_bounded(
    data: bytes | str,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    max_bytes: int | None = None,
    field: str = "body",
    parse_float: Callable[[str], Any] | None = None,
) -> Any:
    """`json.loads(data)` for untrusted input: refused (InvalidInput naming `field`) if larger than
    `max_bytes`, deeper than `max_depth`, or not JSON at all."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if max_bytes is not None and size > max_bytes:
        raise InvalidInput(f"is {size:,} bytes; the limit is {max_bytes:,}", field=field)
    check_json_depth(data, max_depth, field=field)
    try:
        return json.loads(data, parse_float=parse_float)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"not valid JSON: {exc}", field=field) from None
