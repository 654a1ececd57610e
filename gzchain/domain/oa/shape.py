"""Wrapping many documents of one shape: a batch issued from a template, whose documents differ only in the
values the template leaves open.

`compile_shape` takes document data with `Slot`s where the open values go and does once what
`wrap_document` does for every document: walk the data, check its keys and values, check the schema on the
fixed part. The `DocumentShape` it returns wraps a document from its open values alone, with text and hash
inputs prepared by the compile: per document only a fresh salt for every value, the Keccak-256 of every
field, and the JSON text are left. What it makes is what `wrap_document` makes of the filled-in data with
the same salts, byte for byte (tests hold it to that).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from json.encoder import encode_basestring
from typing import Any, Final

from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.oa.document import SCHEMA_V2, JsonObject
from gzchain.domain.oa.flatten import PATH_SEPARATOR, join_path
from gzchain.domain.oa.hashing import field_hash
from gzchain.domain.oa.js import json_quote
from gzchain.domain.oa.salt import SaltSource, random_salts_in_bulk, salt_value
from gzchain.domain.oa.schema import OPTIONAL_FIELDS, validate_data, validate_optional_fields
from gzchain.domain.oa.wrap import wrap_document

_MARK: Final = "00000000-0000-4000-8000-000000000000"  # a salt's place while the shape is compiled
_COMPACT: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Slot:
    """Where an open value goes: the `index`-th string each document gives."""

    index: int


class DocumentShape:
    """Wraps documents of one shape from their open values (see compile_shape)."""

    def __init__(
        self, compiled: _Compiled, data: JsonObject, schema_id: str | None, new_salt: SaltSource | None
    ):
        self._parts = compiled.parts
        self._openings = compiled.openings
        self._tails = compiled.tails
        self._slot_leaves = compiled.slot_leaves
        self._empty_digests = compiled.empty_digests
        self._checked_fields = compiled.checked_fields
        self._check = compiled.check
        self._data = data
        self._schema_id = schema_id
        self._new_salt = new_salt
        self._salts = random_salts_in_bulk() if new_salt is None else _checked_salts(new_salt)

    def wrap(self, values: Sequence[str]) -> tuple[str, bytes]:
        """The compact JSON of the document wrapped from `values`, without its signature, and its targetHash.

        The JSON is what `json.dumps(ensure_ascii=False, separators=(",", ":"))` writes of `wrap_document`'s
        document less its signature. Raises InvalidInput, naming the field, when a value breaks the schema.
        """
        if self._checked_fields:
            self._check({key: _filled(self._data[key], values) for key in self._checked_fields})
        tails = self._tails.copy()
        for leaf, index in self._slot_leaves:
            tails[leaf] = ":string:" + encode_basestring(values[index])[1:]
        pieces = [salt + tail for salt, tail in zip(islice(self._salts, len(tails)), tails, strict=True)]
        try:
            digests = [
                keccak((opening + piece + "}").encode())
                for opening, piece in zip(self._openings, pieces, strict=True)
            ]
        except UnicodeEncodeError:
            # A lone surrogate, which JSON.stringify escapes and the JSON text keeps: wrap_document knows.
            return self._wrap_slowly(values)
        parts = self._parts.copy()
        parts[1::2] = pieces
        return "".join(parts), _combine([*digests, *self._empty_digests])

    def _wrap_slowly(self, values: Sequence[str]) -> tuple[str, bytes]:
        document = wrap_document(
            _filled(self._data, values), schema_id=self._schema_id, new_salt=self._new_salt
        )
        signature = document.pop("signature")
        return _COMPACT.encode(document), bytes.fromhex(signature["targetHash"])


def compile_shape(
    data: JsonObject, *, schema_id: str | None = None, new_salt: SaltSource | None = None
) -> DocumentShape:
    """The shape of documents wrapped from `data` with each `Slot` replaced by a string.

    Raises InvalidInput, naming the field, for what `wrap_document` refuses in the fixed part of the data;
    open values are checked as each document is wrapped. `new_salt` as for wrap_document.
    """
    if not isinstance(data, dict):
        raise InvalidInput("document data must be a JSON object", field="data")
    compiler = _Compiler()
    compiler.text('{"version":' + encode_basestring(SCHEMA_V2) + ',"data":')
    compiler.walk_object(data, "")
    if schema_id is not None:
        compiler.text(',"schema":' + encode_basestring(schema_id))
    compiler.text("}")
    compiled = compiler.finish(data)
    if compiler.dotted_key is not None:
        # A dotted key would collide with the path of a nested field, so OA forbids it outright.
        raise InvalidInput("key names must not contain '.'", field=compiler.dotted_key)
    return DocumentShape(compiled, data, schema_id, new_salt)


@dataclass(frozen=True)
class _Compiled:
    parts: list[str | None]  # fixed text, then where a salted value goes, fixed text, ... fixed text
    openings: list[str]  # per salted value: '{"<path>":"', the start of its field's JSON before the salt
    tails: list[str | None]  # per salted value: what follows the salt in its JSON; None for an open value
    slot_leaves: list[tuple[int, int]]  # (salted value, index of the open value it holds)
    empty_digests: list[bytes]  # field hashes of the empty objects and arrays, which are not salted
    checked_fields: list[str]  # top-level fields the schema checks with open values in them
    check: Callable[[JsonObject], None]  # the schema check for those fields


class _Compiler:
    """One walk over slotted data in wrap_document's order, collecting what every document shares."""

    def __init__(self) -> None:
        self.parts: list[str | None] = [""]
        self.openings: list[str] = []
        self.tails: list[str | None] = []
        self.slot_leaves: list[tuple[int, int]] = []
        self.empty_digests: list[bytes] = []
        self.dotted_key: str | None = None  # the first one met, reported after the schema check

    def text(self, fixed: str) -> None:
        self.parts[-1] += fixed  # type: ignore[operator]

    def walk_object(self, value: dict[Any, Any], prefix: str) -> None:
        self.text("{")
        for number, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise InvalidInput("object keys must be strings", field=join_path(prefix, str(key)))
            path = f"{prefix}.{key}" if prefix else key
            if PATH_SEPARATOR in key and self.dotted_key is None:
                self.dotted_key = path
            self.text(("," if number else "") + encode_basestring(key) + ":")
            self.walk(item, path)
        self.text("}")

    def walk(self, value: Any, path: str) -> None:
        if isinstance(value, Slot):
            self.slot_leaves.append((len(self.tails), value.index))
            self.salted_leaf(path, None)
        elif isinstance(value, dict | list) and not value:
            # An empty container is not salted, and is a field of its own.
            self.empty_digests.append(bytes.fromhex(field_hash(path, value)))
            self.text("{}" if isinstance(value, dict) else "[]")
        elif isinstance(value, dict):
            self.walk_object(value, path)
        elif isinstance(value, list):
            self.text("[")
            for index, item in enumerate(value):
                self.text("," if index else "")
                self.walk(item, join_path(path, str(index)))
            self.text("]")
        else:
            salted = salt_value(value, _MARK, field=path)
            self.salted_leaf(path, encode_basestring(salted.removeprefix(_MARK))[1:])

    def salted_leaf(self, path: str, tail: str | None) -> None:
        self.text('"')
        self.parts += [None, ""]
        self.openings.append("{" + json_quote(path) + ':"')
        self.tails.append(tail)

    def finish(self, data: JsonObject) -> _Compiled:
        """What the walk collected, once the fixed part of the data passes the schema."""
        # The schema reads only the issuers and the OPTIONAL_FIELDS: those holding open values are checked
        # for each document, the rest here once.
        slotted = [key for key, value in data.items() if _has_slot(value)]
        fixed = {key: value for key, value in data.items() if key not in slotted}
        checked = [key for key in slotted if key in ("issuers", *OPTIONAL_FIELDS)]
        if "issuers" in slotted:
            validate_optional_fields(fixed)
            check: Callable[[JsonObject], None] = validate_data
        else:
            validate_data(fixed)
            check = validate_optional_fields
        return _Compiled(
            self.parts, self.openings, self.tails, self.slot_leaves, self.empty_digests, checked, check
        )


def _combine(digests: list[bytes]) -> bytes:
    """keccak256(JSON.stringify(sorted hex hashes)): bytes sort as their lowercase hex does."""
    digests.sort()
    listed = b"".join(digests).hex(",", 32).replace(",", '","')
    return keccak(('["' + listed + '"]' if digests else "[]").encode())


def _filled(node: Any, values: Sequence[str]) -> Any:
    if isinstance(node, Slot):
        return values[node.index]
    if isinstance(node, dict):
        return {key: _filled(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_filled(value, values) for value in node]
    return node


def _has_slot(node: Any) -> bool:
    if isinstance(node, Slot):
        return True
    if isinstance(node, dict):
        return any(_has_slot(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_slot(value) for value in node)
    return False


def _checked_salts(new_salt: SaltSource) -> Iterator[str]:
    while True:
        salt = new_salt()
        salt_value(None, salt)  # refuses anything but a UUID v4, as wrap_document does
        yield salt
