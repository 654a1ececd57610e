"""Findings 3 and 5 of issue #14 against a live server: EPCIS documents past their counts and lengths are
refused before their events are parsed; the largest allowed one is anchored, and its public trace stays
small enough for anyone, eight at once, while the hold stays visible."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import httpx2 as httpx
import pytest
from support.epcis_documents import (
    HEAD,
    PORT,
    document,
    largest_document,
    reading,
    sensor_event,
    streamed_document,
)
from support.wire import chunked, request_head, send

CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CST)
GTIN = "07891234000019"
LOT = "HOSTILE-EPCIS-1"
LOT_URI = f"https://id.gs1.org/01/{GTIN}/10/{LOT}"
JSON = {"Content-Type": "application/json"}
# The public trace of the document was 88.7 MB; a page of 1,000 readings and 100 breaches is ~0.3 MB.
TRACE_BYTES_BOUND = 2 << 20


@pytest.fixture(scope="module")
def lot(hostile_server) -> str:
    assert hostile_server.book_lot(GTIN, LOT, 8000) == LOT_URI
    return LOT_URI


def stream_document(server, chunks) -> object:
    head = request_head(
        "POST",
        "/coldchain/documents",
        server.port,
        {**JSON, **server.headers("operator"), "Transfer-Encoding": "chunked"},
    )
    return send(server.port, head, chunked(chunks))


def test_finding_3_a_300000_event_document_is_refused_by_its_count(hostile_server, lot):
    event = json.dumps({"type": "ObjectEvent", "action": "OBSERVE"}).encode()
    answer = stream_document(hostile_server, streamed_document(event, 300_000))
    assert answer.status == 413, answer
    problem = answer.problem()
    assert (problem["limit"], problem["maximum"]) == ("epcis_max_events", 100)
    assert problem["field"] == "epcisBody.eventList"


def test_finding_5_two_hundred_thousand_sensor_reports_in_one_event_are_refused(hostile_server, lot):
    # Reports without a time each (47 bytes): 200,000 of them fit in the 16 MiB a document may take.
    report = json.dumps({"type": "Temperature", "value": -21.5, "uom": "CEL"}).encode()
    event = json.dumps(sensor_event(lot, T0, [])).encode()
    # The event's empty sensorReport list, filled with 200,000 reports as they stream.
    before, after = event.split(b'"sensorReport": []')

    def chunks():
        yield HEAD + before + b'"sensorReport": ['
        block = b",".join([report] * 1000)
        for i in range(200):
            yield (b"," if i else b"") + block
        yield b"]" + after + b"]}}"

    answer = stream_document(hostile_server, chunks())
    assert answer.status == 413, answer
    problem = answer.problem()
    assert problem["limit"] == "epcis_max_readings_per_event" and problem["maximum"] == 10_000
    assert problem["field"] == "epcisBody.eventList[0].sensorElementList"


def test_finding_5_a_5_mb_read_point_id_is_refused_naming_its_path(hostile_server, lot):
    event = sensor_event(lot, T0, [reading(T0, -21.5)])
    event["readPoint"] = {"id": "urn:epc:id:sgln:" + "9" * (5 << 20)}
    answer = httpx.post(
        f"{hostile_server.url}/coldchain/documents",
        content=json.dumps(document([event])),
        headers={**JSON, **hostile_server.headers("operator")},
        timeout=60,
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["limit"] == "epcis_max_string_chars"
    assert answer.json()["field"] == "epcisBody.eventList[0].readPoint.id"


def test_finding_5_a_20_mb_extension_field_is_refused_at_the_body_limit(hostile_server, lot):
    event = json.dumps(sensor_event(lot, T0, [reading(T0, -21.5)], **{"gz:note": ""})).encode()
    before, after = event.split(b'"gz:note": ""')

    def chunks():
        yield HEAD + before + b'"gz:note": "'
        for _ in range(20):
            yield b"x" * (1 << 20)
        yield b'"' + after + b"]}}"

    answer = stream_document(hostile_server, chunks())
    assert answer.status == 413, answer
    assert answer.problem()["limit"] == "max_epcis_body_bytes"


def test_finding_5_extension_fields_within_the_string_limit_are_bounded_together(hostile_server, lot):
    notes = {f"gz:note{i}": "x" * 1_999 for i in range(20)}
    answer = httpx.post(
        f"{hostile_server.url}/coldchain/documents",
        json=document([sensor_event(lot, T0, [reading(T0, -21.5)], **notes)]),
        headers=hostile_server.headers("operator"),
        timeout=60,
    )
    assert answer.status_code == 413, answer.text
    assert answer.json()["limit"] == "epcis_max_extension_chars"


def test_finding_5_the_event_route_takes_no_more_readings_than_a_document_event(hostile_server, lot):
    readings = [{"time": T0.isoformat(), "celsius": "-21.5"}] * 10_001
    answer = httpx.post(
        f"{hostile_server.url}/coldchain/batches/{lot}/events",
        json={"biz_step": "transporting", "location": PORT, "readings": readings},
        headers=hostile_server.headers("operator"),
        timeout=60,
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "readings"


def test_finding_5_the_largest_allowed_document_is_anchored_and_its_trace_stays_small(hostile_server, lot):
    biggest = largest_document(lot, T0)
    anchored = httpx.post(
        f"{hostile_server.url}/coldchain/documents",
        json=biggest,
        headers=hostile_server.headers("operator"),
        timeout=300,
    )
    assert anchored.status_code == 201, anchored.text[:2000]

    traces: list[httpx.Response] = []

    def trace() -> None:
        traces.append(httpx.get(f"{hostile_server.url}/coldchain/batches/{lot}/trace", timeout=300))

    readers = [threading.Thread(target=trace) for _ in range(8)]
    for thread in readers:
        thread.start()
    for thread in readers:
        thread.join()
    for answer in traces:
        assert answer.status_code == 200, answer.text[:2000]
        assert len(answer.content) < TRACE_BYTES_BOUND, f"a trace of {len(answer.content):,} bytes"
        found = answer.json()
        assert found["temperature_count"] == 100_000 and len(found["temperatures"]) == 1_000
        assert found["breach_count"] == 1 and found["breaches"][0]["within"] is False
    status = httpx.get(f"{hostile_server.url}/coldchain/batches/{lot}/status", timeout=60).json()
    assert status["status"] == "flagged" and status["hold"] is not None
