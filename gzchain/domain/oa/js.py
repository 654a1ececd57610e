"""JavaScript value semantics OpenAttestation hashes depend on: `String(v)`, `typeof`, `JSON.stringify`.

OA is written in JavaScript, so every digest it computes embeds JavaScript's rendering of values. Python
renders some of them differently (`1.0` vs `1`, `1e+21` vs `1e21`, lone surrogates), and any difference
would change a hash, so the renderings are reimplemented here from the ECMAScript rules.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from gzchain.domain.errors import InvalidInput

MAX_SAFE_INTEGER = 2**53 - 1

# Python keeps a lone surrogate as a raw code point, which UTF-8 cannot encode; JSON.stringify escapes it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def js_typeof(value: object, *, field: str | None = None) -> str:
    """`typeof value` for a JSON primitive (`null` reported as "null", as OA's salt needs it)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    raise InvalidInput(f"{type(value).__name__} is not a JSON value", field=field)


def js_string(value: object, *, field: str | None = None) -> str:
    """`String(value)` for a JSON primitive."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number(value)
    if isinstance(value, str):
        return value
    raise InvalidInput(f"{type(value).__name__} is not a JSON value", field=field)


def js_number(value: int | float) -> str:
    """ECMAScript Number::toString(10) of `value` taken as an IEEE-754 double."""
    number = to_double(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    if number < 0:
        return "-" + js_number(-number)
    # repr() gives the shortest digit string that round-trips, the same digits ECMAScript chooses.
    shortest = Decimal(repr(number)).normalize().as_tuple()
    digits = "".join(map(str, shortest.digits))
    k = len(digits)
    n = int(shortest.exponent) + k
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    sign_of_exponent = "+" if n - 1 >= 0 else "-"
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{sign_of_exponent}{abs(n - 1)}"


def json_stringify(value: Any) -> str:
    """`JSON.stringify(value)` (compact) for values that came from parsing JSON."""
    if isinstance(value, str):
        return json_quote(value)
    if value is None or isinstance(value, bool):
        return js_string(value)
    if isinstance(value, int | float):
        # JSON.parse would have read the number into a double; non-finite doubles serialise as null.
        return js_number(value) if math.isfinite(to_double(value)) else "null"
    if isinstance(value, list):
        return "[" + ",".join(json_stringify(item) for item in value) + "]"
    if isinstance(value, dict):
        members = (f"{json_quote(key)}:{json_stringify(value[key])}" for key in js_key_order(value))
        return "{" + ",".join(members) + "}"
    raise InvalidInput(f"{type(value).__name__} is not a JSON value")


def to_double(value: int | float) -> float:
    """The IEEE-754 double JavaScript would hold for `value` (integers too large overflow to infinity)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def is_array_index(key: object) -> bool:
    """True for the keys JavaScript treats as array indexes ("0", "7", never "07" or "-1")."""
    return (
        isinstance(key, str)
        and key.isascii()
        and key.isdigit()
        and (key == "0" or key[0] != "0")
        and int(key) < 2**32 - 1
    )


def js_key_order(mapping: dict[str, Any]) -> list[str]:
    """Keys in JavaScript's own-property order: array-index keys ascending, then the rest as inserted."""
    indexes = sorted((key for key in mapping if is_array_index(key)), key=int)
    return indexes + [key for key in mapping if not is_array_index(key)]


def json_quote(text: str) -> str:
    """`JSON.stringify(text)`: the C encoder json.dumps itself uses, called directly because OA hashes do
    this millions of times; it escapes as JavaScript does except lone surrogates, escaped here."""
    return _LONE_SURROGATE.sub(_escape_surrogate, encode_basestring(text))


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
