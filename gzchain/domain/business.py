"""The business registration record kept off chain, its one canonical hash, and its version history.

The chain stores, per USCC, only SHA-256 hashes of `canonical_bytes(record)` and a `ChangeType` per
version; the record itself lives in the off-chain store, with the personal data of natural persons
split out (`split_personal_data`) so it can be encrypted separately.

Every value object validates and normalises itself when constructed, so a `BusinessRecord` that exists
is valid and hashes the same however its input was spelled. Error messages never echo a value: it may
be personal data, and errors end up in logs and API responses.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import IntFlag, StrEnum
from types import MappingProxyType
from typing import Any, Final

from gzchain.domain.errors import InvalidInput
from gzchain.domain.uscc import validate_uscc

DEFAULT_CURRENCY: Final = "CNY"
MAX_COMPANY_NAME_LENGTH: Final = 200
MAX_PERSON_NAME_LENGTH: Final = 100
MAX_ADDRESS_LENGTH: Final = 500
MAX_BUSINESS_SCOPE_LENGTH: Final = 5000
MAX_ID_NUMBER_LENGTH: Final = 32

# [0-9], not \d: \d also matches other scripts' digits, which Decimal would happily parse.
_AMOUNT: Final = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,2})?")
_CURRENCY: Final = re.compile(r"[A-Z]{3}")
_ID_NUMBER: Final = re.compile(r"[0-9A-Z()\-]+")
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CENT: Final = Decimal("0.01")


class ShareholderKind(StrEnum):
    NATURAL_PERSON = "natural_person"
    LEGAL_PERSON = "legal_person"


class ChangeType(IntFlag):
    """Why a business record got a new version; a contract stores it as a uint16.

    One bit per kind of change, so an amendment touching several fields is the OR of their bits and
    needs no separate MULTIPLE value:

        bit 0  0x0001  REGISTERED
        bit 1  0x0002  AMENDED_NAME
        bit 2  0x0004  AMENDED_ADDRESS
        bit 3  0x0008  AMENDED_CAPITAL
        bit 4  0x0010  AMENDED_LEGAL_REPRESENTATIVE
        bit 5  0x0020  AMENDED_SCOPE
        bit 6  0x0040  AMENDED_SHAREHOLDERS
        bit 7  0x0080  SUSPENDED
        bit 8  0x0100  REINSTATED
        bit 9  0x0200  DEREGISTERED

    A valid version carries either exactly one lifecycle bit (REGISTERED, SUSPENDED, REINSTATED,
    DEREGISTERED) or a non-empty set of amendment bits (mask AMENDMENTS = 0x007E), never a mix.
    Bits 10-15 are unused and must be zero. These values are part of the on-chain format: never renumber.
    """

    REGISTERED = 1 << 0
    AMENDED_NAME = 1 << 1
    AMENDED_ADDRESS = 1 << 2
    AMENDED_CAPITAL = 1 << 3
    AMENDED_LEGAL_REPRESENTATIVE = 1 << 4
    AMENDED_SCOPE = 1 << 5
    AMENDED_SHAREHOLDERS = 1 << 6
    SUSPENDED = 1 << 7
    REINSTATED = 1 << 8
    DEREGISTERED = 1 << 9
    AMENDMENTS = (
        AMENDED_NAME
        | AMENDED_ADDRESS
        | AMENDED_CAPITAL
        | AMENDED_LEGAL_REPRESENTATIVE
        | AMENDED_SCOPE
        | AMENDED_SHAREHOLDERS
    )

    @classmethod
    def decode(cls, value: int) -> ChangeType:
        """The change type stored as `value`, or `InvalidInput` if no version can carry it."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput(f"must be an integer, got {type(value).__name__}", field="change_type")
        lifecycle = {cls.REGISTERED, cls.SUSPENDED, cls.REINSTATED, cls.DEREGISTERED}
        if value in lifecycle or (value != 0 and value & ~int(cls.AMENDMENTS) == 0):
            return cls(value)
        raise InvalidInput(
            f"{value:#06x} is neither a single lifecycle change nor a set of amendments",
            field="change_type",
        )

    @property
    def is_amendment(self) -> bool:
        return self != 0 and int(self) & ~int(ChangeType.AMENDMENTS) == 0


@dataclass(frozen=True)
class Money:
    """An amount in a currency's major unit (yuan for CNY), held as a decimal string with two places.

    A string, not a float or Decimal, because the amount is hashed: "1000000" and "1000000.00" must hash
    alike, and a float cannot even hold most amounts exactly.
    """

    amount: str
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        _set(self, "amount", _canonical_amount(self.amount))
        _set(self, "currency", _currency(self.currency))

    @property
    def value(self) -> Decimal:
        return Decimal(self.amount)


# repr=False: a natural person's data must not leak into logs through reprs and tracebacks.
@dataclass(frozen=True, repr=False)
class NaturalPerson:
    """A natural person's identity: personal data, never on chain and encrypted at rest."""

    name: str
    id_number: str

    def __post_init__(self) -> None:
        _set(self, "name", _text(self.name, "name", MAX_PERSON_NAME_LENGTH))
        _set(self, "id_number", _id_number(self.id_number, "id_number"))

    def __repr__(self) -> str:
        return "NaturalPerson(<personal data>)"


@dataclass(frozen=True, repr=False)
class Shareholder:
    """A shareholder (股东) and its subscribed contribution.

    `identifier` is the ID number of a natural person or the USCC of a legal person.
    """

    name: str
    kind: ShareholderKind
    identifier: str
    contribution: Money

    def __post_init__(self) -> None:
        kind = _shareholder_kind(self.kind)
        _set(self, "kind", kind)
        if kind is ShareholderKind.NATURAL_PERSON:
            _set(self, "name", _text(self.name, "name", MAX_PERSON_NAME_LENGTH))
            _set(self, "identifier", _id_number(self.identifier, "identifier"))
        else:
            _set(self, "name", _text(self.name, "name", MAX_COMPANY_NAME_LENGTH))
            try:
                _set(self, "identifier", validate_uscc(self.identifier))
            except InvalidInput as error:
                raise InvalidInput(error.reason, field="identifier") from None
        _require_type(self.contribution, Money, "contribution")

    def __repr__(self) -> str:
        if self.kind is ShareholderKind.NATURAL_PERSON:
            return f"Shareholder(<natural person>, contribution={self.contribution!r})"
        return (
            f"Shareholder(name={self.name!r}, kind={self.kind.value!r}, identifier={self.identifier!r}, "
            f"contribution={self.contribution!r})"
        )


@dataclass(frozen=True)
class BusinessRecord:
    """A business's registration record (营业执照 and register entries) as registered or last amended."""

    uscc: str
    name: str
    legal_representative: NaturalPerson
    registered_capital: Money
    address: str
    business_scope: str
    shareholders: tuple[Shareholder, ...]
    establishment_date: date

    def __post_init__(self) -> None:
        _set(self, "uscc", validate_uscc(self.uscc))
        _set(self, "name", _text(self.name, "name", MAX_COMPANY_NAME_LENGTH))
        _require_type(self.legal_representative, NaturalPerson, "legal_representative")
        _require_type(self.registered_capital, Money, "registered_capital")
        _set(self, "address", _text(self.address, "address", MAX_ADDRESS_LENGTH))
        _set(self, "business_scope", _text(self.business_scope, "business_scope", MAX_BUSINESS_SCOPE_LENGTH))
        _set(self, "shareholders", _shareholders(self.shareholders))
        if not isinstance(self.establishment_date, date) or isinstance(self.establishment_date, datetime):
            raise InvalidInput("must be a date", field="establishment_date")


AMENDABLE_FIELDS: Final[Mapping[str, ChangeType]] = MappingProxyType(
    {
        "name": ChangeType.AMENDED_NAME,
        "address": ChangeType.AMENDED_ADDRESS,
        "registered_capital": ChangeType.AMENDED_CAPITAL,
        "legal_representative": ChangeType.AMENDED_LEGAL_REPRESENTATIVE,
        "business_scope": ChangeType.AMENDED_SCOPE,
        "shareholders": ChangeType.AMENDED_SHAREHOLDERS,
    }
)


@dataclass(frozen=True)
class Amendment:
    """The change from a business's current record to an amended one.

    Every field that can differ between the two is amendable, so whenever the record hash changes the
    change type is non-empty. Shareholders are compared in order: reordering them changes the hash,
    so it counts as an amendment of the shareholders.
    """

    before: BusinessRecord
    after: BusinessRecord

    def __post_init__(self) -> None:
        if self.before.uscc != self.after.uscc:
            raise InvalidInput("a USCC is assigned for life and cannot be amended", field="uscc")
        if self.before.establishment_date != self.after.establishment_date:
            raise InvalidInput("the establishment date cannot be amended", field="establishment_date")
        if not self.changed_fields:
            raise InvalidInput("the amended record is identical to the current one; nothing to amend")

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """Names of the amendable fields that differ, in `AMENDABLE_FIELDS` order."""
        return tuple(
            name for name in AMENDABLE_FIELDS if getattr(self.before, name) != getattr(self.after, name)
        )

    @property
    def change_type(self) -> ChangeType:
        change = ChangeType(0)
        for name in self.changed_fields:
            change |= AMENDABLE_FIELDS[name]
        return change


def canonical_bytes(record: BusinessRecord) -> bytes:
    """THE serialisation of a record whose SHA-256 goes on chain.

    RFC 8785 (JSON Canonicalization Scheme) style: keys sorted, no insignificant whitespace, UTF-8 with
    non-ASCII characters kept rather than escaped. The record holds no numbers (money and dates are
    strings), so JCS's number rules never apply, and since every key is ASCII, Python's code-point key
    order equals JCS's UTF-16 order: `json.dumps` with these options yields exactly the JCS bytes,
    reproducible by any JCS library.
    """
    return json.dumps(
        record_to_dict(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def record_hash(record: BusinessRecord) -> bytes:
    """The 32-byte SHA-256 of `canonical_bytes(record)`: what the chain stores for a record version."""
    return hashlib.sha256(canonical_bytes(record)).digest()


def record_to_dict(record: BusinessRecord) -> dict[str, Any]:
    """The record as JSON-ready data (strings, lists and dicts only), in its normalised form."""
    return {
        "uscc": record.uscc,
        "name": record.name,
        "legal_representative": {
            "name": record.legal_representative.name,
            "id_number": record.legal_representative.id_number,
        },
        "registered_capital": _money_to_dict(record.registered_capital),
        "address": record.address,
        "business_scope": record.business_scope,
        "shareholders": [
            {
                "name": holder.name,
                "kind": holder.kind.value,
                "identifier": holder.identifier,
                "contribution": _money_to_dict(holder.contribution),
            }
            for holder in record.shareholders
        ],
        "establishment_date": record.establishment_date.isoformat(),
    }


def record_from_dict(data: Mapping[str, Any]) -> BusinessRecord:
    """Build a record from JSON-like data; `InvalidInput.field` is the path of the first bad value.

    Amounts may be strings, integers or Decimals (never floats); currencies default to CNY; the
    establishment date is a `date` or a ``YYYY-MM-DD`` string.
    """
    values = _fields(
        data,
        required=(
            "uscc",
            "name",
            "legal_representative",
            "registered_capital",
            "address",
            "business_scope",
            "shareholders",
            "establishment_date",
        ),
    )
    with _at("legal_representative"):
        person = _fields(values["legal_representative"], required=("name", "id_number"))
        legal_representative = NaturalPerson(name=person["name"], id_number=person["id_number"])
    with _at("registered_capital"):
        registered_capital = _money_from_dict(values["registered_capital"])
    with _at("shareholders"):
        items = _list(values["shareholders"])
    shareholders = []
    for index, item in enumerate(items):
        with _at(f"shareholders[{index}]"):
            shareholders.append(_shareholder_from_dict(item))
    with _at("establishment_date"):
        establishment_date = _date_from_json(values["establishment_date"])
    return BusinessRecord(
        uscc=values["uscc"],
        name=values["name"],
        legal_representative=legal_representative,
        registered_capital=registered_capital,
        address=values["address"],
        business_scope=values["business_scope"],
        shareholders=tuple(shareholders),
        establishment_date=establishment_date,
    )


def split_personal_data(record: BusinessRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a record into its public part and the personal data of its natural persons.

    The public part is `record_to_dict(record)` without ``legal_representative`` and without the
    ``name`` and ``identifier`` of natural-person shareholders. The personal part is
    ``{"legal_representative": {"name", "id_number"}, "shareholders": [{"index", "name", "identifier"}]}``
    where ``index`` is the shareholder's position in the public ``shareholders`` list.
    """
    public = record_to_dict(record)
    legal_representative = public.pop("legal_representative")
    personal_shareholders = []
    for index, holder in enumerate(public["shareholders"]):
        if holder["kind"] == ShareholderKind.NATURAL_PERSON:
            personal_shareholders.append(
                {"index": index, "name": holder.pop("name"), "identifier": holder.pop("identifier")}
            )
    return public, {"legal_representative": legal_representative, "shareholders": personal_shareholders}


def join_personal_data(public: Mapping[str, Any], personal: Mapping[str, Any]) -> BusinessRecord:
    """Rebuild the record that `split_personal_data` split into `public` and `personal`.

    Field paths in errors are those of the whole record, or start with ``personal_data`` when the
    personal part itself is malformed.
    """
    with _at("personal_data"):
        personal_values = _fields(personal, required=("legal_representative", "shareholders"))
        with _at("shareholders"):
            entries = _list(personal_values["shareholders"])
    if not isinstance(public, Mapping):
        raise InvalidInput(f"the public part must be an object, got {_json_type(public)}")
    if "legal_representative" in public:
        raise InvalidInput(
            "is personal data and must not be in the public part", field="legal_representative"
        )
    data = {**public, "legal_representative": personal_values["legal_representative"]}
    if "shareholders" in public:
        data["shareholders"] = _join_shareholders(public["shareholders"], entries)
    return record_from_dict(data)


def _join_shareholders(public_shareholders: object, entries: Sequence[Any]) -> list[Any]:
    with _at("shareholders"):
        holders = [
            dict(holder) if isinstance(holder, Mapping) else holder for holder in _list(public_shareholders)
        ]
    natural_indexes = [
        index
        for index, holder in enumerate(holders)
        if isinstance(holder, Mapping) and holder.get("kind") == ShareholderKind.NATURAL_PERSON
    ]
    for index in natural_indexes:
        for key in ("name", "identifier"):
            if key in holders[index]:
                raise InvalidInput(
                    "is personal data and must not be in the public part",
                    field=f"shareholders[{index}].{key}",
                )
    filled: set[int] = set()
    for position, entry in enumerate(entries):
        with _at(f"personal_data.shareholders[{position}]"):
            values = _fields(entry, required=("index", "name", "identifier"))
            index = values["index"]
            if isinstance(index, bool) or not isinstance(index, int) or index not in natural_indexes:
                raise InvalidInput("does not point at a natural-person shareholder", field="index")
            if index in filled:
                raise InvalidInput(
                    "points at a shareholder whose personal data is already given", field="index"
                )
        filled.add(index)
        holders[index] |= {"name": values["name"], "identifier": values["identifier"]}
    return holders


def _set(instance: object, name: str, value: object) -> None:
    # Frozen dataclasses normalise their own fields in __post_init__; this is the sanctioned way in.
    object.__setattr__(instance, name, value)


@contextmanager
def _at(path: str) -> Iterator[None]:
    """Prefix the field path of any `InvalidInput` raised inside with `path`."""
    try:
        yield
    except InvalidInput as error:
        field = path if error.field is None else f"{path}.{error.field}"
        raise InvalidInput(error.reason, field=field) from None


def _fields(data: object, *, required: Sequence[str], optional: Sequence[str] = ()) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise InvalidInput(f"must be an object, got {_json_type(data)}")
    for key in data:
        if key not in required and key not in optional:
            raise InvalidInput("is not a known field", field=str(key))
    for key in required:
        if key not in data:
            raise InvalidInput("is required", field=key)
    return data


def _list(value: object) -> Sequence[Any]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise InvalidInput(f"must be a list, got {_json_type(value)}")
    return value


def _json_type(value: object) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


def _require_type(value: object, expected: type, field: str) -> None:
    if not isinstance(value, expected):
        raise InvalidInput(f"must be a {expected.__name__}, got {type(value).__name__}", field=field)


def _text(value: object, field: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"must be a string, got {_json_type(value)}", field=field)
    text = value.strip()
    if not text:
        raise InvalidInput("must not be empty", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"has {len(text)} characters, at most {max_length} are allowed", field=field)
    for position, char in enumerate(text, start=1):
        # Control characters have no place in a register entry, lone surrogates cannot be UTF-8 encoded,
        # and format characters (right-to-left overrides, zero-width spaces) make a name read differently
        # from what it is: each would make the record unhashable or ambiguous to display.
        if unicodedata.category(char) in ("Cc", "Cs", "Cf"):
            kind = "an invisible formatting" if unicodedata.category(char) == "Cf" else "a control"
            raise InvalidInput(
                f"contains {kind} character (U+{ord(char):04X}) at position {position}", field=field
            )
    return text


def _id_number(value: object, field: str) -> str:
    # Resident ID cards, passports and Hong Kong/Macao/Taiwan permits all qualify, and the record does
    # not say which document it is, so only the common shape is checked, not a GB 11643 check digit.
    if not isinstance(value, str):
        raise InvalidInput(f"must be a string, got {_json_type(value)}", field=field)
    # NFKC first: a full-width ID number (typed on a Chinese input method) is the same number.
    number = unicodedata.normalize("NFKC", value).strip()
    number = number.upper() if number.isascii() else number
    if not number:
        raise InvalidInput("must not be empty", field=field)
    if len(number) > MAX_ID_NUMBER_LENGTH:
        raise InvalidInput(f"has more than {MAX_ID_NUMBER_LENGTH} characters", field=field)
    if not _ID_NUMBER.fullmatch(number):
        raise InvalidInput("may contain only digits, Latin letters, hyphens and parentheses", field=field)
    return number


def _canonical_amount(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput(
            f'must be a decimal string such as "1000000.00", got {_json_type(value)}', field="amount"
        )
    text = value.strip()
    if not _AMOUNT.fullmatch(text):
        raise InvalidInput(
            'must be a non-negative decimal with at most 2 decimal places, such as "1000000.00"',
            field="amount",
        )
    amount = Decimal(text)
    if amount == 0:
        raise InvalidInput("must be greater than zero", field="amount")
    return f"{amount.quantize(_CENT):f}"


def _currency(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"must be a string, got {_json_type(value)}", field="currency")
    currency = value.strip()
    currency = currency.upper() if currency.isascii() else currency
    if not _CURRENCY.fullmatch(currency):
        raise InvalidInput("must be a three-letter ISO 4217 code such as CNY", field="currency")
    return currency


def _shareholder_kind(value: object) -> ShareholderKind:
    try:
        return ShareholderKind(value)
    except ValueError:
        allowed = ", ".join(kind.value for kind in ShareholderKind)
        raise InvalidInput(f"must be one of {allowed}", field="kind") from None


def _shareholders(value: object) -> tuple[Shareholder, ...]:
    with _at("shareholders"):
        items = tuple(_list(value))
    seen: dict[tuple[ShareholderKind, str], int] = {}
    for index, holder in enumerate(items):
        _require_type(holder, Shareholder, f"shareholders[{index}]")
        key = (holder.kind, holder.identifier)
        if key in seen:
            raise InvalidInput(
                f"is the same shareholder as shareholders[{seen[key]}]; list each shareholder once",
                field=f"shareholders[{index}].identifier",
            )
        seen[key] = index
    return items


def _money_to_dict(money: Money) -> dict[str, str]:
    return {"amount": money.amount, "currency": money.currency}


def _money_from_dict(data: object) -> Money:
    values = _fields(data, required=("amount",), optional=("currency",))
    with _at("amount"):
        amount = _amount_from_json(values["amount"])
    return Money(amount=amount, currency=values.get("currency", DEFAULT_CURRENCY))


def _amount_from_json(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        raise InvalidInput('must be a string such as "1000000.00": a float cannot represent money exactly')
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return f"{value:f}"
    raise InvalidInput(f'must be a decimal string such as "1000000.00", got {_json_type(value)}')


def _shareholder_from_dict(data: object) -> Shareholder:
    values = _fields(data, required=("name", "kind", "identifier", "contribution"))
    with _at("contribution"):
        contribution = _money_from_dict(values["contribution"])
    return Shareholder(
        name=values["name"],
        kind=values["kind"],
        identifier=values["identifier"],
        contribution=contribution,
    )


def _date_from_json(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise InvalidInput("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput("is not a real calendar date") from None
