"""EPCIS 2.0 events as immutable values, with vocabulary already normalised to CBV bare words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class QuantityElement:
    """An amount of a class of objects (a lot, a product), e.g. 600 KGM of one LGTIN."""

    epc_class: str
    quantity: Decimal | None = None
    uom: str | None = None


@dataclass(frozen=True)
class BizTransaction:
    """A business document the event refers to; ``type`` is a CBV word (``po``, ``cert``) or a URI."""

    identifier: str
    type: str | None = None


@dataclass(frozen=True)
class SourceOrDestination:
    """A party or place goods come from or go to; ``type`` is ``owning_party``, ``possessing_party``,
    ``location`` or a URI."""

    identifier: str
    type: str


@dataclass(frozen=True, slots=True)
class TemperatureReading:
    """One temperature sensor report, in degrees Celsius whatever unit the sensor reported in.

    A report carries a single ``celsius`` value, or the ``min``/``max``/``mean`` of an interval
    between ``start_time`` and ``end_time`` (aggregate reports), or both.
    """

    time: datetime | None
    celsius: Decimal | None = None
    min_celsius: Decimal | None = None
    max_celsius: Decimal | None = None
    mean_celsius: Decimal | None = None
    device_id: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    exception: str | None = None

    @property
    def lowest_celsius(self) -> Decimal | None:
        values = self._values()
        return min(values) if values else None

    @property
    def highest_celsius(self) -> Decimal | None:
        values = self._values()
        return max(values) if values else None

    def _values(self) -> list[Decimal]:
        candidates = (self.celsius, self.min_celsius, self.max_celsius, self.mean_celsius)
        return [value for value in candidates if value is not None]


@dataclass(frozen=True, kw_only=True)
class EpcisEvent:
    """A validated EPCIS 2.0 event.

    ``raw`` is the event's JSON as received (a private copy), which the event hash is computed from;
    ``namespaces`` are the prefixes its document declared, which the hash needs to name extension
    fields. Neither takes part in ``hash()``.
    """

    type: str
    event_time: datetime
    event_time_zone_offset: str
    event_id: str | None = None
    action: str | None = None
    biz_step: str | None = None
    disposition: str | None = None
    read_point: str | None = None
    biz_location: str | None = None
    parent_id: str | None = None
    epc_list: tuple[str, ...] = ()
    quantity_list: tuple[QuantityElement, ...] = ()
    child_epcs: tuple[str, ...] = ()
    child_quantity_list: tuple[QuantityElement, ...] = ()
    input_epc_list: tuple[str, ...] = ()
    input_quantity_list: tuple[QuantityElement, ...] = ()
    output_epc_list: tuple[str, ...] = ()
    output_quantity_list: tuple[QuantityElement, ...] = ()
    transformation_id: str | None = None
    biz_transactions: tuple[BizTransaction, ...] = ()
    sources: tuple[SourceOrDestination, ...] = ()
    destinations: tuple[SourceOrDestination, ...] = ()
    temperature_readings: tuple[TemperatureReading, ...] = ()
    raw: Mapping[str, Any] = field(hash=False, repr=False)
    namespaces: Mapping[str, str] = field(hash=False, repr=False)
