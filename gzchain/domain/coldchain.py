"""Cold-chain traceability as gzchain's Python side sees it: lots, certificates, windows, anchors, traces.

These mirror contracts/interfaces/IColdChainTrace.sol: the enums' values are the contract's, a batch id is
the Keccak-256 of the lot's GS1 Digital Link URI, an event anchor is what the contract stores of one EPCIS
event, and a reading leaf is what the Merkle root of an event's sensor readings is built from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Any, Final

from eth_abi import encode

from gzchain.domain import reasons
from gzchain.domain.epcis import (
    EpcisEvent,
    TemperatureRange,
    TemperatureReading,
    canonical_gs1_uri,
    ceil_tenths,
    floor_tenths,
)
from gzchain.domain.epcis.digital_link import check_digit
from gzchain.domain.epcis.vocabulary import MEASUREMENT_TYPES, TEMPERATURE
from gzchain.domain.errors import InvalidInput
from gzchain.domain.keccak import keccak
from gzchain.domain.merkle import merkle_root
from gzchain.domain.reasons import StatedReason
from gzchain.domain.roles import Role
from gzchain.domain.text import canonical_ascii

# The contract's BizStep enum after Unspecified (0): the CBV 2.0 business steps, alphabetically.
BIZ_STEP_WORDS: Final[tuple[str, ...]] = (
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "sampling",
    "sensor_reporting",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
)
# Steps with a meaning of their own on chain, which a split's TransformationEvent may not carry.
SPLIT_FORBIDDEN_STEPS: Final = frozenset(
    {"shipping", "receiving", "void_shipping", "retail_selling", "destroying"}
)
# What a recalled lot still accepts: destruction, a return (shipping back up the chain) and its completion.
AFTER_RECALL_STEPS: Final = frozenset({"destroying", "shipping", "receiving", "void_shipping"})

ALL_CERTIFICATES: Final = 0x1F
INT16_MIN: Final = -(2**15)
INT16_MAX: Final = 2**15 - 1
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
UINT128_MAX: Final = 2**128 - 1

_GS1_LOT: Final = re.compile(r"https://id\.gs1\.org/01/([0-9]{14})/10/([^/?#]+)")
# GS1 AI (10): up to 20 characters; we keep to letters, digits and - . _ so a lot reads the same everywhere,
# beginning and ending with a letter or digit so that no lot is named like a path (".", "..", "-").
_LOT_NUMBER: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,18}[A-Za-z0-9])?")
_UNIT: Final = re.compile(r"[A-Z0-9]{2,3}")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def biz_step_code(word: str | None) -> int:
    """The contract's BizStep value of a CBV 2.0 business step (``None`` is Unspecified, 0)."""
    if word is None:
        return 0
    try:
        return BIZ_STEP_WORDS.index(word) + 1
    except ValueError:
        raise InvalidInput(
            f"'{word}' is not a CBV 2.0 bizStep (expected e.g. shipping)", field="bizStep"
        ) from None


def biz_step_word(code: int) -> str | None:
    """The CBV 2.0 business step of a contract BizStep value (``None`` for Unspecified)."""
    if not 0 <= code <= len(BIZ_STEP_WORDS):
        raise InvalidInput(f"{code} is not a BizStep value", field="bizStep")
    return BIZ_STEP_WORDS[code - 1] if code else None


class CertificateKind(IntEnum):
    """The five certificates (五证) an imported frozen-food batch needs; values are the contract's."""

    CUSTOMS_DECLARATION = 0
    INSPECTION_QUARANTINE = 1
    NUCLEIC_ACID_TEST = 2
    DISINFECTION = 3
    WAREHOUSE_RELEASE = 4

    @property
    def label(self) -> str:
        return _CERTIFICATE_LABELS[self][0]

    @property
    def label_zh(self) -> str:
        return _CERTIFICATE_LABELS[self][1]

    @property
    def slug(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def bit(self) -> int:
        return 1 << self.value

    @property
    def role(self) -> Role:
        """The role an agency must hold to be entitled to attach this kind."""
        return Role.INSPECTOR if self.value <= CertificateKind.NUCLEIC_ACID_TEST else Role.COLDCHAIN_OPERATOR

    @property
    def needs_custody(self) -> bool:
        """Attached by the supervised warehouse, for goods it holds."""
        return self.role is Role.COLDCHAIN_OPERATOR

    @classmethod
    def parse(cls, name: str) -> CertificateKind:
        try:
            return cls[name.strip().upper().replace("-", "_").replace(" ", "_")]
        except KeyError:
            known = ", ".join(kind.slug for kind in cls)
            raise InvalidInput(f"unknown certificate kind {name!r}; known: {known}", field="kind") from None

    @classmethod
    def mask(cls, kinds: Iterable[CertificateKind]) -> int:
        mask = 0
        for kind in kinds:
            mask |= kind.bit
        return mask

    @classmethod
    def from_mask(cls, mask: int) -> tuple[CertificateKind, ...]:
        return tuple(kind for kind in cls if mask & kind.bit)


_CERTIFICATE_LABELS: Final[Mapping[CertificateKind, tuple[str, str]]] = {
    CertificateKind.CUSTOMS_DECLARATION: ("customs import declaration", "海关进口货物报关单"),
    CertificateKind.INSPECTION_QUARANTINE: (
        "entry inspection & quarantine certificate",
        "入境货物检验检疫证明",
    ),
    CertificateKind.NUCLEIC_ACID_TEST: ("negative nucleic-acid test report", "核酸检测阴性报告"),
    CertificateKind.DISINFECTION: ("disinfection voucher", "消毒凭证"),
    CertificateKind.WAREHOUSE_RELEASE: ("supervised-warehouse release certificate", "集中监管仓出库证明"),
}


class BatchStatus(IntEnum):
    """The contract's BatchStatus: inherited recall and flag included."""

    NONE = 0
    AWAITING_CLEARANCE = 1
    CLEARED = 2
    FLAGGED = 3
    RECALLED = 4
    SPLIT = 5
    DESTROYED = 6

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS: Final[Mapping[BatchStatus, str]] = {
    BatchStatus.NONE: "unknown",
    BatchStatus.AWAITING_CLEARANCE: "awaiting clearance (not all five certificates on record)",
    BatchStatus.CLEARED: "cleared for sale",
    BatchStatus.FLAGGED: "on hold: a temperature reading broke the window",
    BatchStatus.RECALLED: "recalled",
    BatchStatus.SPLIT: "split into child lots",
    BatchStatus.DESTROYED: "destroyed",
}


# ---- identifiers ----


def validate_gtin(text: str) -> str:
    """A GTIN-8, -12, -13 or -14 with a right check digit, as the 14 digits the contract stores."""
    # NFKC first: a full-width GTIN is the same GTIN (and the same batch id); other scripts' digits are not
    # GS1 digits and are refused, since the chain stores the number and two spellings must not be two lots.
    digits = canonical_ascii(text, field="gtin", what="a GTIN") if isinstance(text, str) else ""
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (8, 12, 13, 14):
        raise InvalidInput("must be a GTIN: 8, 12, 13 or 14 digits", field="gtin")
    gtin = digits.zfill(14)
    expected = check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        raise InvalidInput(
            f"check digit is {gtin[-1]}, the GS1 check digit of {gtin[:-1]} is {expected}", field="gtin"
        )
    return gtin


def validate_lot_number(text: str, field: str = "lot") -> str:
    lot = canonical_ascii(text, field=field, what="a lot number") if isinstance(text, str) else ""
    if _LOT_NUMBER.fullmatch(lot) is None:
        raise InvalidInput(
            "must be a lot number of 1-20 letters, digits, '-', '.' or '_', beginning and ending with a "
            "letter or digit",
            field=field,
        )
    return lot


@dataclass(frozen=True)
class Lot:
    """A GS1 lot: a GTIN and a lot number, named by its constrained canonical Digital Link URI."""

    gtin: str
    number: str

    @property
    def uri(self) -> str:
        return f"https://id.gs1.org/01/{self.gtin}/10/{self.number}"

    @property
    def batch_id(self) -> bytes:
        """The contract's batch id: Keccak-256 of the URI."""
        return keccak(self.uri.encode("utf-8"))

    @classmethod
    def of(cls, gtin: str, number: str) -> Lot:
        return cls(validate_gtin(gtin), validate_lot_number(number))

    @classmethod
    def parse(cls, uri: str, field: str = "lot") -> Lot:
        """A lot from an LGTIN EPC class URI (``urn:epc:class:lgtin:…``) or a GS1 Digital Link URI."""
        text = canonical_ascii(uri, field=field, what="a lot URI") if isinstance(uri, str) else ""
        canonical = canonical_gs1_uri(text) if text else None
        found = _GS1_LOT.fullmatch(canonical or "")
        if found is None:
            raise InvalidInput(
                f"{uri!r} names no lot (expected e.g. https://id.gs1.org/01/07891234000019/10/BR2405 "
                "or urn:epc:class:lgtin:7891234.000001.BR2405)",
                field=field,
            )
        return cls(found.group(1), validate_lot_number(found.group(2), field))


def location_hash(uri: str | None) -> bytes:
    """What the contract records of an event's location: Keccak-256 of it as a canonical GS1 URI."""
    if uri is None:
        return b"\x00" * 32
    return keccak((canonical_gs1_uri(uri) or uri.strip()).encode("utf-8"))


def validate_unit(text: str) -> str:
    unit = text.strip() if isinstance(text, str) else ""
    if _UNIT.fullmatch(unit) is None:
        raise InvalidInput(
            "must be a UN/ECE Rec 20 unit code: 2-3 capitals or digits, e.g. KGM", field="unit"
        )
    return unit


def unit_bytes(unit: str) -> bytes:
    """A unit code as the contract's ``bytes3``: a two-character code ends in a zero byte."""
    return validate_unit(unit).encode("ascii").ljust(3, b"\x00")


def unit_text(raw: bytes) -> str:
    return raw.rstrip(b"\x00").decode("ascii")


def validate_country(text: str) -> str:
    country = text.strip().upper() if isinstance(text, str) else ""
    if _COUNTRY.fullmatch(country) is None:
        raise InvalidInput("must be an ISO 3166-1 alpha-2 country code, e.g. BR", field="origin")
    return country


def validate_quantity(value: object, field: str = "quantity") -> int:
    """A positive whole quantity: the chain adds quantities up exactly, so fractions need a smaller unit."""
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number != number.to_integral_value() or number <= 0 or number > UINT128_MAX:
        raise InvalidInput(
            f"{value!r} is not a positive whole quantity "
            "(use a smaller unit, e.g. GRM for fractions of a KGM)",
            field=field,
        )
    return int(number)


def validate_split(parent_quantity: int, quantities: Sequence[int], unit: str = "") -> None:
    """Child lots must take the whole batch, each something: the contract's rule, said in words."""
    if not quantities:
        raise InvalidInput("a split needs at least one child lot", field="children")
    for index, quantity in enumerate(quantities):
        validate_quantity(quantity, field=f"children[{index}].quantity")
    total = sum(quantities)
    if total != parent_quantity:
        raise InvalidInput(
            f"the child lots add up to {_amount(total, unit)}, "
            f"the batch holds {_amount(parent_quantity, unit)}",
            field="children",
        )


def _amount(quantity: int, unit: str) -> str:
    return f"{quantity} {unit}".strip()


def validate_reason(reason: str) -> str:
    """Why a regulator recalls or releases a batch: one line of plain text, kept off chain."""
    return reasons.validate_reason(reason, example="which readings broke the window")


# ---- temperatures ----


@dataclass(frozen=True)
class TemperatureWindow:
    """The temperatures a batch may be kept at, inclusive, in tenths of a degree Celsius."""

    min_tenths: int
    max_tenths: int

    def __post_init__(self) -> None:
        for name in ("min_tenths", "max_tenths"):
            value = getattr(self, name)
            if not INT16_MIN <= value <= INT16_MAX:
                raise InvalidInput(f"{value / 10} °C is outside what the chain can hold", field=name)
        if self.min_tenths > self.max_tenths:
            raise InvalidInput(
                f"the lowest temperature {celsius_text(self.min_tenths)} is above the highest "
                f"{celsius_text(self.max_tenths)}",
                field="window",
            )

    @classmethod
    def from_celsius(
        cls, minimum: Decimal | str | float, maximum: Decimal | str | float
    ) -> TemperatureWindow:
        return cls(_whole_tenths(minimum, "min_celsius"), _whole_tenths(maximum, "max_celsius"))

    def admits(self, observed: TemperatureRange) -> bool:
        """Whether every reading of a range lies in the window (the contract's breach test, negated)."""
        return self.min_tenths <= observed.min_tenths and observed.max_tenths <= self.max_tenths

    def admits_tenths(self, tenths: int) -> bool:
        return self.min_tenths <= tenths <= self.max_tenths

    @property
    def label(self) -> str:
        return f"{celsius_text(self.min_tenths)} to {celsius_text(self.max_tenths)}"


def _whole_tenths(value: Decimal | str | float, field: str) -> int:
    try:
        celsius = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not a temperature in °C", field=field) from None
    if not celsius.is_finite():
        raise InvalidInput(f"{value!r} is not a temperature in °C", field=field)
    if floor_tenths(celsius) != ceil_tenths(celsius):
        raise InvalidInput(f"{value} °C: window limits are whole tenths of a degree", field=field)
    return floor_tenths(celsius)


def celsius_text(tenths: int) -> str:
    """Tenths of a degree as people write it: ``-180`` is ``-18.0 °C``."""
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10} °C"


# ---- sensor readings ----


@dataclass(frozen=True, slots=True)
class ReadingRecord:
    """One temperature reading as its Merkle leaf commits to it.

    ``start_ms``/``end_ms`` are the reading's time (both the same for a point reading, 0 when the sensor
    gave none), ``low``/``high`` its coldest and warmest value in tenths rounded outwards (the same bounds
    the event's anchored min/max are built from), ``value`` the reported value in °C for display.
    """

    start_ms: int
    end_ms: int
    device: str
    low_tenths: int
    high_tenths: int
    value: str | None = field(default=None, compare=False)

    @property
    def leaf(self) -> bytes:
        return reading_leaf(self.start_ms, self.end_ms, self.device, self.low_tenths, self.high_tenths)

    @property
    def start(self) -> datetime | None:
        return from_millis(self.start_ms) if self.start_ms else None


def reading_leaf(start_ms: int, end_ms: int, device: str, low_tenths: int, high_tenths: int) -> bytes:
    """Keccak-256 of ``abi.encode(int64 startMs, int64 endMs, string device, int16 low, int16 high)``."""
    if not (
        INT64_MIN <= start_ms <= INT64_MAX
        and INT64_MIN <= end_ms <= INT64_MAX
        and INT16_MIN <= low_tenths <= INT16_MAX
        and INT16_MIN <= high_tenths <= INT16_MAX
    ):  # eth_abi refuses these with its own error; the packed form below would silently widen them
        return keccak(
            encode(
                ["int64", "int64", "string", "int16", "int16"],
                [start_ms, end_ms, device, low_tenths, high_tenths],
            )
        )
    return keccak(_reading_leaf_encoding(start_ms, end_ms, device.encode("utf-8"), low_tenths, high_tenths))


_DEVICE_OFFSET: Final = (5 * 32).to_bytes(32, "big")  # the string's data follows the five head words


def _reading_leaf_encoding(start_ms: int, end_ms: int, device: bytes, low: int, high: int) -> bytes:
    """The ABI encoding eth_abi gives for in-range values, written out directly: a leaf is built per
    reading, by the hundred thousand, and the generic encoder costs far more than the hash."""
    padding = -len(device) % 32
    return b"".join(
        (
            start_ms.to_bytes(32, "big", signed=True),
            end_ms.to_bytes(32, "big", signed=True),
            _DEVICE_OFFSET,
            low.to_bytes(32, "big", signed=True),
            high.to_bytes(32, "big", signed=True),
            len(device).to_bytes(32, "big"),
            device,
            b"\x00" * padding,
        )
    )


def reading_records(event: EpcisEvent, path: str = "eventList[0]") -> tuple[ReadingRecord, ...]:
    """The temperature readings of an event, in the order its sensor reports list them."""
    records = []
    # An event may hold a hundred thousand readings of a few dozen distinct temperatures: each distinct
    # temperature is rounded to tenths once.
    tenths: dict[tuple[Decimal, Decimal], tuple[int, int]] = {}
    for reading in event.temperature_readings:
        values = [
            value
            for value in (reading.celsius, reading.min_celsius, reading.max_celsius, reading.mean_celsius)
            if value is not None
        ]
        if not values:
            continue
        low, high = min(values), max(values)
        bounds = tenths.get((low, high))
        if bounds is None:
            bounds = tenths[(low, high)] = (floor_tenths(low), ceil_tenths(high))
        start = reading.time or reading.start_time
        end = reading.time or reading.end_time
        start_ms = millis(start) if start else 0
        record = ReadingRecord(
            start_ms=start_ms,
            end_ms=start_ms if end is start else millis(end) if end else 0,
            device=reading.device_id or "",
            low_tenths=bounds[0],
            high_tenths=bounds[1],
            value=_display_value(reading),
        )
        if record.low_tenths < INT16_MIN or record.high_tenths > INT16_MAX:
            raise InvalidInput(
                f"a reading of {low}..{high} °C is outside what the chain can hold",
                field=f"{path}.sensorElementList",
            )
        records.append(record)
    return tuple(records)


def raw_temperature_reports(event: EpcisEvent) -> list[dict[str, Any]]:
    """Each temperature report of the event as received, with its element's sensorMetadata: the raw readings
    in the same order as ``reading_records``."""
    reports = []
    for element in event.raw.get("sensorElementList", []):
        metadata = element.get("sensorMetadata", {})
        for report in element.get("sensorReport", []):
            if MEASUREMENT_TYPES.word(report.get("type", "")) == TEMPERATURE:
                reports.append({"sensorMetadata": dict(metadata), "sensorReport": dict(report)})
    return reports


def _display_value(reading: TemperatureReading) -> str:
    if reading.celsius is not None:
        return _plain(reading.celsius)
    if reading.mean_celsius is not None and reading.min_celsius is None:
        return _plain(reading.mean_celsius)
    return f"{_plain(reading.lowest_celsius)}..{_plain(reading.highest_celsius)}"


def _plain(value: Decimal | None) -> str:
    return format(value, "f") if value is not None else "?"


def millis(moment: datetime) -> int:
    """Unix milliseconds of an aware datetime, exactly (no float rounding), rounded down."""
    since = moment - _EPOCH  # a timedelta keeps days, seconds and microseconds apart, all whole
    return since.days * 86_400_000 + since.seconds * 1000 + since.microseconds // 1000


def from_millis(value: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=value)


# ---- event anchors ----


@dataclass(frozen=True)
class EventAnchor:
    """What the contract stores of one EPCIS event."""

    event_hash: bytes
    biz_step: int
    location: bytes
    event_time_ms: int
    min_tenths: int = 0
    max_tenths: int = 0
    reading_count: int = 0
    readings_root: bytes = b"\x00" * 32

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.event_hash,
            self.biz_step,
            self.location,
            self.event_time_ms,
            self.min_tenths,
            self.max_tenths,
            self.reading_count,
            self.readings_root,
        )

    @property
    def readings_range(self) -> TemperatureRange | None:
        if not self.reading_count:
            return None
        return TemperatureRange(self.min_tenths, self.max_tenths)


def event_hash_bytes(event_id: str) -> bytes:
    """The 32 bytes of a CBV 2.0 event hash ``ni:///sha-256;<hex>?ver=CBV2.0``."""
    found = re.fullmatch(r"ni:///sha-256;([0-9a-f]{64})\?ver=CBV2\.0", event_id)
    if found is None:
        raise InvalidInput(f"{event_id!r} is not a CBV 2.0 event hash", field="eventID")
    return bytes.fromhex(found.group(1))


def anchor_for(
    event: EpcisEvent,
    event_hash: str,
    path: str = "eventList[0]",
    readings: Sequence[ReadingRecord] | None = None,
) -> EventAnchor:
    """The anchor of ``event`` whose CBV 2.0 hash is ``event_hash``; ``readings`` are its
    ``reading_records`` when the caller has them already."""
    if readings is None:
        readings = reading_records(event, path)
    anchor = EventAnchor(
        event_hash=event_hash_bytes(event_hash),
        biz_step=biz_step_code(event.biz_step),
        location=location_hash(event.biz_location or event.read_point),
        event_time_ms=millis(event.event_time),
    )
    if not readings:
        return anchor
    # The same bounds temperature_range_tenths gives: rounding outwards commutes with min and max.
    return EventAnchor(
        event_hash=anchor.event_hash,
        biz_step=anchor.biz_step,
        location=anchor.location,
        event_time_ms=anchor.event_time_ms,
        min_tenths=min(reading.low_tenths for reading in readings),
        max_tenths=max(reading.high_tenths for reading in readings),
        reading_count=len(readings),
        readings_root=merkle_root([reading.leaf for reading in readings]),
    )


# ---- what a trace shows ----


@dataclass(frozen=True)
class Proof:
    """Where on chain an item was recorded."""

    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class BatchFacts:
    """One batch or lot as the chain holds it, with its GS1 lot when the store knows it."""

    batch_id: bytes
    lot: Lot | None
    parent_id: bytes | None
    gtin: str
    quantity: int
    unit: str
    origin: str
    window: TemperatureWindow
    custodian: str
    custodian_name: str
    pending_custodian: str | None
    status: BatchStatus
    created_at: int
    created: Proof | None = None

    @property
    def label(self) -> str:
        return self.lot.number if self.lot else "0x" + self.batch_id.hex()[:12] + "…"


@dataclass(frozen=True)
class LotNode:
    """A lot split from the traced batch, with the lots split from it in turn."""

    batch: BatchFacts
    children: tuple[LotNode, ...]


@dataclass(frozen=True)
class CustodyStep:
    lot: str
    custodian: str
    custodian_name: str
    event_hash: bytes | None  # the receiving event, None for whoever created the batch or lot
    proof: Proof | None


@dataclass(frozen=True)
class CertificateEntry:
    kind: CertificateKind
    document_hash: bytes | None  # None: not on record
    certifier: str | None = None
    certifier_name: str | None = None
    attached_at: int | None = None
    attached_to: str | None = None  # the lot it was attached to: the traced one or an ancestor
    proof: Proof | None = None

    @property
    def present(self) -> bool:
        return self.document_hash is not None


@dataclass(frozen=True)
class TracedEvent:
    """An anchored event with the stored EPCIS event, checked against the chain."""

    lot: str
    batch_id: bytes
    event_hash: bytes
    biz_step: str | None
    event_time: datetime
    custodian: str
    custodian_name: str
    location: str | None
    readings: TemperatureRange | None
    reading_count: int
    proof: Proof | None
    event: Mapping[str, Any] | None  # None when the store has no copy that matches the chain
    problem: str | None = None


@dataclass(frozen=True)
class TemperaturePoint:
    lot: str
    batch_id: bytes
    event_hash: bytes
    index: int  # position among the event's readings: what a Merkle proof is asked for
    reading: ReadingRecord
    within: bool


@dataclass(frozen=True)
class Incident:
    """A flag, release, recall, split or destruction, as the chain recorded it."""

    what: str
    lot: str
    actor: str
    actor_name: str
    reason: str | None  # a recall's or release's words when the store holds them
    event_hash: bytes | None
    proof: Proof | None
    reason_detail: StatedReason | None = None  # a recall's or release's code, words and whether they verify


@dataclass(frozen=True)
class Trace:
    """A batch's whole story, each item with the transaction and block that recorded it, the store checked
    against the chain."""

    batch: BatchFacts
    ancestors: tuple[BatchFacts, ...]  # the batch it was split from first, root last
    descendants: tuple[LotNode, ...]
    custody: tuple[CustodyStep, ...]
    certificates: tuple[CertificateEntry, ...]
    events: tuple[TracedEvent, ...]
    temperatures: tuple[TemperaturePoint, ...]
    recall: Incident | None
    recalled_lot: str | None
    hold: Incident | None
    incidents: tuple[Incident, ...]
    store_problems: tuple[str, ...] = ()

    @property
    def window(self) -> TemperatureWindow:
        return self.batch.window

    @property
    def status(self) -> BatchStatus:
        return self.batch.status

    @property
    def cleared(self) -> bool:
        return all(entry.present for entry in self.certificates)

    @property
    def problems(self) -> tuple[str, ...]:
        found = [f"{e.lot} event 0x{e.event_hash.hex()[:12]}…: {e.problem}" for e in self.events if e.problem]
        return (*found, *self.store_problems)

    @property
    def verified(self) -> bool:
        """Every event the chain anchored has a stored copy that still matches it; nothing else is stored."""
        return not self.problems


@dataclass(frozen=True)
class ReadingProof:
    """A Merkle proof that one reading belongs to the readings anchored with an event."""

    lot: str
    batch_id: bytes
    event_hash: bytes
    index: int
    reading: ReadingRecord
    leaf: bytes
    siblings: tuple[bytes, ...]
    root: bytes
    # Here: the leaf is in the anchored root, and the stored reading, displayed value included, is one its
    # anchored event reports (the leaf holds the value's tenths only). On chain: the contract's verifyReading.
    verified_locally: bool
    verified_on_chain: bool
    proof: Proof | None
    problem: str | None = None  # why the stored reading is not the anchored event's, if it is not

    @property
    def verified(self) -> bool:
        return self.verified_locally and self.verified_on_chain
