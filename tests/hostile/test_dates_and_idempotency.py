"""Findings 7 and 8 of issue #14 against a live server: times the chain cannot hold are a 422 naming the
field in every date field, and leave no idempotency record behind; a key is bound to its route."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import httpx2 as httpx
import pytest
from support.api import assert_problem
from support.epcis_documents import PORT, document, reading, sensor_event
from support.records import a_record

CST = timezone(timedelta(hours=8))
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CST)
GTIN = "07891234000019"
LOT = "DATES-7"
LOT_URI = f"https://id.gs1.org/01/{GTIN}/10/{LOT}"
OUT_OF_RANGE = {
    "year 1, east of UTC": "0001-01-01T00:00:00+01:00",
    "year 9999, west of UTC": "9999-12-31T23:59:59-01:00",
    "before 1970": "1969-12-31T23:59:59Z",
}


@pytest.fixture(scope="module")
def lot(hostile_server) -> str:
    assert hostile_server.book_lot(GTIN, LOT, 100) == LOT_URI
    return LOT_URI


def event_body(moment: str, reading_time: str) -> dict:
    return {
        "biz_step": "transporting",
        "location": PORT,
        "time": moment,
        "readings": [{"time": reading_time, "celsius": "-21.0"}],
    }


def epcis(event_time: str, reading_time: str) -> dict:
    event = sensor_event(LOT_URI, T0, [reading(T0, -21.0) | {"time": reading_time}])
    return document([event | {"eventTime": event_time}])


def with_key(server, key: str) -> dict[str, str]:
    return server.headers("operator", **{"Idempotency-Key": key})


# Every date field a write takes: (route, a body with `bad` in that field, the field the 422 names).
def _fields(bad: str, good: str) -> list[tuple[str, dict, str]]:
    split = {"children": [{"lot": "DATES-7-A", "quantity": 100}], "location": PORT, "time": bad}
    return [
        (f"/coldchain/batches/{LOT_URI}/events", event_body(bad, good), "time"),
        (f"/coldchain/batches/{LOT_URI}/events", event_body(good, bad), "readings[0].time"),
        (f"/coldchain/batches/{LOT_URI}/splits", split, "time"),
        ("/coldchain/documents", epcis(bad, good), "eventList[0].eventTime"),
        ("/coldchain/documents", epcis(good, bad), "eventList[0].sensorElementList[0]"),
    ]


@pytest.mark.parametrize("bad", OUT_OF_RANGE.values(), ids=OUT_OF_RANGE.keys())
def test_finding_7_a_time_the_chain_cannot_hold_is_a_422_in_every_field_and_its_retry_is_too(
    hostile_server, lot, bad
):
    for path, body, field in _fields(bad, T0.isoformat()):
        key = str(uuid.uuid4())
        first = httpx.post(
            hostile_server.url + path, json=body, headers=with_key(hostile_server, key), timeout=60
        )
        problem = assert_problem(first, 422)
        assert field in problem["field"], (path, problem)
        # The retry is answered as the first was, not 409 "interrupted": the failure left no record.
        retry = httpx.post(
            hostile_server.url + path, json=body, headers=with_key(hostile_server, key), timeout=60
        )
        assert assert_problem(retry, 422)["field"] == problem["field"]


def test_finding_7_a_corrected_retry_under_the_same_key_is_written_once(hostile_server, lot):
    key = str(uuid.uuid4())
    path = f"{hostile_server.url}/coldchain/batches/{LOT_URI}/events"
    bad = event_body("1969-12-31T23:59:59Z", T0.isoformat())
    assert_problem(httpx.post(path, json=bad, headers=with_key(hostile_server, key), timeout=60), 422)
    good = event_body((T0 + timedelta(hours=1)).isoformat(), (T0 + timedelta(minutes=59)).isoformat())
    written = httpx.post(path, json=good, headers=with_key(hostile_server, key), timeout=60)
    assert written.status_code == 201, written.text
    replayed = httpx.post(path, json=good, headers=with_key(hostile_server, key), timeout=60)
    assert replayed.status_code == 201 and replayed.json() == written.json()


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1969-12-31"])
def test_finding_7_extreme_dates_in_a_business_record_are_never_a_server_error(hostile_server, date):
    answer = httpx.post(
        f"{hostile_server.url}/businesses",
        json=a_record(uscc="91440101MA59LU9AX1", establishment_date=date),
        headers=hostile_server.headers("governor"),
        timeout=60,
    )
    assert answer.status_code < 500, answer.text
    if answer.status_code == 422:
        assert_problem(answer, 422, field="establishment_date")


def test_finding_8_an_idempotency_key_reused_on_another_route_is_a_409_not_a_replay(hostile_server):
    key = str(uuid.uuid4())
    governor = hostile_server.headers("governor", **{"Idempotency-Key": key})
    entitled = httpx.post(
        f"{hostile_server.url}/coldchain/entitlements",
        json={"agency": "gz-cold-warehouse", "kinds": ["disinfection", "warehouse-release"]},
        headers=governor,
        timeout=60,
    )
    assert entitled.status_code == 201, entitled.text
    reused = httpx.post(f"{hostile_server.url}/businesses", json=a_record(), headers=governor, timeout=60)
    problem = assert_problem(reused, 409)
    assert "agency" not in reused.json() and "Idempotency-Key" in problem["detail"], problem
    replayed = httpx.post(
        f"{hostile_server.url}/coldchain/entitlements",
        json={"agency": "gz-cold-warehouse", "kinds": ["disinfection", "warehouse-release"]},
        headers=governor,
        timeout=60,
    )
    assert replayed.status_code == 201 and replayed.json() == entitled.json()
