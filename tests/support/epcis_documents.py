"""EPCIS documents at and past the limits of issue #14: the largest one a custodian may send, and the
oversized ones, streamed as bytes from generators so that a test never holds what it sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from gzchain.domain.epcis.limits import DocumentLimits

PORT = "urn:epc:id:sgln:6901234.00001.0"
DEVICE = "urn:epc:id:giai:6901234.REEFER-7"
HEAD = b'{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument",'
HEAD += b'"schemaVersion":"2.0","creationDate":"2025-03-01T06:00:00.000+08:00","epcisBody":{"eventList":['


def reading(moment: datetime, celsius: float) -> dict[str, Any]:
    return {"type": "Temperature", "value": celsius, "uom": "CEL", "time": moment.isoformat()}


def sensor_event(
    lot_uri: str, moment: datetime, reports: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """A transporting ObjectEvent of the lot with one sensor element holding `reports`."""
    return {
        "type": "ObjectEvent",
        "eventTime": moment.isoformat(),
        "eventTimeZoneOffset": moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:],
        "action": "OBSERVE",
        "bizStep": "transporting",
        "disposition": "in_transit",
        "readPoint": {"id": PORT},
        "quantityList": [{"epcClass": lot_uri, "quantity": 8000, "uom": "KGM"}],
        "sensorElementList": [{"sensorMetadata": {"deviceID": DEVICE}, "sensorReport": reports}],
        **extra,
    }


def document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return json.loads(HEAD + b"]}}") | {"epcisBody": {"eventList": events}}


def largest_document(
    lot_uri: str, start: datetime, limits: DocumentLimits | None = None, breach_at: int = 54_321
) -> dict[str, Any]:
    """As many events and readings as the limits allow: the per-document total of readings spread over as
    few events as the per-event cap permits. Reading `breach_at` is -5 °C, a breach of a frozen window."""
    limits = limits or DocumentLimits()
    per_event = limits.epcis_max_readings_per_event
    events = min(limits.epcis_max_events, -(-limits.epcis_max_readings_per_document // per_event))
    built = []
    for e in range(events):
        moment = start + timedelta(hours=e + 1)
        first = e * per_event
        reports = [
            reading(moment - timedelta(seconds=per_event - i), -5.0 if first + i == breach_at else -21.5)
            for i in range(per_event)
        ]
        built.append(sensor_event(lot_uri, moment, reports))
    return document(built)


def streamed_document(event: bytes, count: int) -> Iterator[bytes]:
    """A document of `count` copies of the JSON `event`, generated a thousand events at a time."""
    yield HEAD
    block = b",".join([event] * 1000)
    whole, rest = divmod(count, 1000)
    for i in range(whole):
        yield (b"," if i else b"") + block
    if rest:
        yield (b"," if whole else b"") + b",".join([event] * rest)
    yield b"]}}"
