"""Real-name checks behind one interface, and the GB 11643-1999 ID-number check that stands in for one.

Production plugs in the city's real-name authentication service; development uses the checksum, which
proves only that a number is well formed, not that it belongs to whoever typed it.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import unicodedata
from hashlib import sha256
from typing import Final, Protocol

from gzchain.domain.errors import InvalidInput

_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK: Final = "10X98765432"
_SHAPE: Final = re.compile(r"[1-9]\d{16}[\dX]", re.ASCII)


def gb11643_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 over the first 17 digits, as GB 11643-1999 defines the 18th character."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def canonical_id_number(value: object, *, field: str = "id_number") -> str:
    """An 18-character resident identity number, NFKC-folded and upper-cased, with its birth date and check
    character verified; InvalidInput otherwise (which part is wrong, never the number itself)."""
    if not isinstance(value, str):
        raise InvalidInput("must be a string", field=field)
    number = unicodedata.normalize("NFKC", value).strip().upper()
    if not _SHAPE.fullmatch(number):
        raise InvalidInput("must be 17 digits and a check digit or X (GB 11643-1999)", field=field)
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput("holds no valid birth date (characters 7 to 14)", field=field) from None
    if born.year < 1900 or born > dt.date.today():
        raise InvalidInput("holds a birth date out of range (characters 7 to 14)", field=field)
    if gb11643_check_character(number[:17]) != number[17]:
        raise InvalidInput("check character does not match (GB 11643-1999)", field=field)
    return number


class RealNameCheck(Protocol):
    """Says whether a person with this name and ID number exists; returns the canonical ID number."""

    def verify(self, name: str, id_number: str) -> str: ...


class ChecksumRealNameCheck:
    """Development stand-in: accepts any well-formed GB 11643 number with any non-empty name."""

    def verify(self, name: str, id_number: str) -> str:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("must not be empty", field="name")
        return canonical_id_number(id_number)


def resident_key(pepper: bytes, id_number: str) -> bytes:
    """HMAC-SHA256(pepper, ID number): the authority's off-chain index of one credential per resident.
    Without the pepper the few million plausible ID numbers cannot be tried against it."""
    return hmac.new(pepper, id_number.encode(), sha256).digest()
