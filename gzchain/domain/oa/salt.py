"""Salting every primitive of document data as `"<uuid4>:<typeof>:<String(v)>"`, and reading it back.

The random salt keeps a hidden field from being guessed by hashing candidate values; the type tag lets
the original value be recovered exactly.
"""

from __future__ import annotations

import math
import os
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from gzchain.domain.errors import InvalidInput
from gzchain.domain.oa.document import JsonObject, WrappedDocument
from gzchain.domain.oa.flatten import join_path
from gzchain.domain.oa.js import MAX_SAFE_INTEGER, js_string, js_typeof

SaltSource = Callable[[], str]

_UUID_V4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE)
_JS_NUMERAL = re.compile(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


class _Undefined:
    """JavaScript's `undefined`, which OA salts as `"…:undefined:undefined"` and JSON cannot carry."""


_UNDEFINED = _Undefined()


# The digit carrying a UUID's variant is one of 8, 9, a, b (RFC 4122); its two low bits stay random.
_VARIANT_DIGIT = {digit: "89ab"[int(digit, 16) % 4] for digit in "0123456789abcdef"}

# Where each of a UUID's 32 hex digits goes in its 36 characters, around the hyphens, for salts made in
# bulk; digit 12 is the version (always 4) and digit 16 the variant.
_UUID_TEXT = 36
_DIGIT_PLACES = [
    (digit, digit + (digit > 7) + (digit > 11) + (digit > 15) + (digit > 19)) for digit in range(32)
]
_RANDOM_DIGIT_PLACES = [(digit, place) for digit, place in _DIGIT_PLACES if digit not in (12, 16)]
_VARIANT_DIGITS = bytes.maketrans(b"0123456789abcdef", b"89ab89ab89ab89ab")


def random_salt() -> str:
    return str(uuid.uuid4())


def random_salts(per_draw: int = 32) -> Iterator[str]:
    """Endless random UUID v4 salts, drawn from the OS in bulk: uuid4() per value costs a system call and
    an object each, which is a tenth of the time of wrapping a certificate.

    Each draw is fresh OS randomness and the iterator keeps no state worth sharing, so a process or
    thread that makes its own iterator can never repeat another's salts.
    """
    while True:
        digits = os.urandom(16 * per_draw).hex()
        for start in range(0, len(digits), 32):
            h = digits[start : start + 32]
            yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:]}"


def random_salts_in_bulk(per_draw: int = 1024) -> Iterator[str]:
    """random_salts for an iterator that will give thousands (a batch's): each draw's hex digits are laid
    out as UUIDs by one strided copy per digit place for the whole draw, half the time per salt of
    formatting each one, though more for a draw of a few dozen."""
    while True:
        digits = os.urandom(16 * per_draw).hex().encode("ascii")
        text = bytearray(b"-" * (_UUID_TEXT * per_draw))
        for digit, place in _RANDOM_DIGIT_PLACES:
            text[place::_UUID_TEXT] = digits[digit::32]
        text[14::_UUID_TEXT] = b"4" * per_draw
        text[19::_UUID_TEXT] = digits[16::32].translate(_VARIANT_DIGITS)
        salts = text.decode("ascii")
        for start in range(0, len(salts), _UUID_TEXT):
            yield salts[start : start + _UUID_TEXT]


def salt_value(value: object, salt: str, *, field: str | None = None) -> str:
    """`"<salt>:<typeof value>:<String(value)>"` for one JSON primitive."""
    if not _UUID_V4.fullmatch(salt):
        raise InvalidInput(
            "a salt must be a UUID version 4, or the value could not be read back", field="salt"
        )
    kind = js_typeof(value, field=field)
    if kind == "number":
        _check_number(value, field)  # type: ignore[arg-type]
    return f"{salt}:{kind}:{js_string(value)}"


def salt_data(data: JsonObject, new_salt: SaltSource = random_salt) -> JsonObject:
    """A copy of `data` with every primitive salted; empty objects and arrays stay as they are."""
    if not isinstance(data, dict):
        raise InvalidInput("document data must be a JSON object", field="data")
    return _salt(data, "", new_salt)


def unsalt_value(value: Any, *, field: str | None = None) -> Any:
    """The original value of a salted string; anything that is not salted is returned unchanged."""
    if not isinstance(value, str):
        return value
    salt, separator, typed = value.partition(":")
    if not separator or not _UUID_V4.fullmatch(salt):
        return value
    # OA's own reader trims here and so loses trailing whitespace of strings; the exact text is kept.
    kind, _, text = typed.partition(":")
    if kind == "string":
        return text
    if kind == "number":
        return _read_number(text, field)
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "null" and text == "null":
        return None
    if kind == "undefined" and text == "undefined":
        return _UNDEFINED
    raise InvalidInput(f"cannot read salted value of type {kind!r}: {text!r}", field=field)


def unsalt_data(data: JsonObject) -> JsonObject:
    """The original data of salted `data`."""
    if not isinstance(data, dict):
        raise InvalidInput("document data must be a JSON object", field="data")
    return _unsalt(data, "")


def get_data(document: WrappedDocument) -> JsonObject:
    """The original (unsalted) data of a wrapped document, without any obfuscated fields."""
    if not isinstance(document, dict):
        raise InvalidInput("a wrapped document must be a JSON object")
    return unsalt_data(document.get("data"))  # type: ignore[arg-type]


def _salt(value: Any, path: str, new_salt: SaltSource) -> Any:
    if isinstance(value, dict):
        salted = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInput("object keys must be strings", field=join_path(path, str(key)))
            salted[key] = _salt(item, join_path(path, key), new_salt)
        return salted
    if isinstance(value, list):
        return [_salt(item, join_path(path, str(index)), new_salt) for index, item in enumerate(value)]
    return salt_value(value, new_salt(), field=path)


def _unsalt(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        read = {key: _unsalt(item, join_path(path, key)) for key, item in value.items()}
        # An undefined property vanishes from JSON, as JSON.stringify would drop it.
        return {key: item for key, item in read.items() if item is not _UNDEFINED}
    if isinstance(value, list):
        read_items = [_unsalt(item, join_path(path, str(index))) for index, item in enumerate(value)]
        # JSON.stringify writes an undefined array element as null.
        return [None if item is _UNDEFINED else item for item in read_items]
    return unsalt_value(value, field=path)


def _check_number(value: int | float, field: str | None) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput("numbers must be finite", field=field)
    if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
        # OA tools read numbers as doubles, so this integer would come back as a different number.
        raise InvalidInput(
            "integer is beyond JavaScript's safe range (2**53 - 1); pass it as a string", field=field
        )


def _read_number(text: str, field: str | None) -> int | float:
    if not _JS_NUMERAL.fullmatch(text):
        raise InvalidInput(f"salted number {text!r} is not a finite number", field=field)
    number = float(text)
    if not math.isfinite(number):
        raise InvalidInput(f"salted number {text!r} is not a finite number", field=field)
    # JavaScript has one number type; whole numbers read back as int so they survive as JSON integers.
    if number.is_integer() and abs(number) <= MAX_SAFE_INTEGER:
        return int(number)
    return number
