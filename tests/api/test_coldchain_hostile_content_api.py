"""Cold-chain routes against hostile content: Digital Link lot URIs, paged traces, a banner's status."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import pytest

from gzchain.domain.coldchain import TemperatureWindow
from gzchain.services.coldchain import CHINA_STANDARD_TIME

IMPORTER = "nansha-importer"
LOT_URI = "https://id.gs1.org/01/07891234000019/10/DL-9"
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CHINA_STANDARD_TIME)


@pytest.fixture
def lot(runtime):
    service = runtime.coldchain()
    window = TemperatureWindow.from_celsius("-30.0", "-18.0")
    service.create(
        IMPORTER, gtin="07891234000019", lot="DL-9", quantity=10, unit="KGM", origin="BR", window=window
    )
    readings = [(T0 + timedelta(minutes=i), "-17.0" if i == 4 else "-20.0") for i in range(5)]
    service.record_event(
        IMPORTER,
        "DL-9",
        "transporting",
        location="urn:epc:id:sgln:6901234.00001.0",
        time=T0,
        readings=readings,
    )
    return LOT_URI


@pytest.mark.parametrize("spelt", [LOT_URI, quote(LOT_URI, safe="")], ids=["slashes", "encoded"])
def test_a_lot_named_by_its_digital_link_uri_is_traced(client, lot, spelt):
    answer = client.get(f"/coldchain/batches/{spelt}/trace")
    assert answer.status_code == 200, answer.text
    assert answer.json()["batch"]["lot"]["number"] == "DL-9"


def test_a_trace_serves_its_readings_page_by_page_and_lists_the_breaches(client, lot):
    page = client.get(f"/coldchain/batches/{lot}/trace", params={"readings_limit": 2}).json()
    assert page["temperature_count"] == 5 and len(page["temperatures"]) == 2 and page["readings_next"] == 2
    assert page["breach_count"] == 1 and page["breaches"][0]["within"] is False
    assert "sensorElementList" not in page["events"][0]["event"]
    last = client.get(f"/coldchain/batches/{lot}/trace", params={"readings_offset": 4}).json()
    assert len(last["temperatures"]) == 1 and last["readings_next"] is None


def test_a_trace_page_larger_than_the_limit_is_refused_naming_it(client, lot):
    answer = client.get(f"/coldchain/batches/{lot}/trace", params={"readings_limit": 10_001})
    assert answer.status_code == 413
    assert answer.json()["limit"] == "trace_readings_max_page" and answer.json()["field"] == "readings_limit"


def test_the_status_of_a_flagged_lot_is_a_small_answer_with_its_hold(client, lot):
    answer = client.get(f"/coldchain/batches/{lot}/status")
    assert answer.status_code == 200 and len(answer.content) < 2_000
    assert answer.json()["status"] == "flagged" and answer.json()["hold"] is not None
