"""Cold-chain public endpoints: a lot's trace and the proof of one reading, as a QR code opens them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.encoders import jsonable_encoder
from sqlalchemy import text
from support.api import assert_problem

from gzchain.api.routes import coldchain as coldchain_routes
from gzchain.domain.coldchain import TemperatureWindow
from gzchain.services.coldchain import CHINA_STANDARD_TIME

IMPORTER = "nansha-importer"
GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
T0 = datetime(2025, 3, 1, 6, 0, tzinfo=CHINA_STANDARD_TIME)
VALUES = ["-21.5", "-19.9", "-17.2"]  # the last one breaches the frozen window


@pytest.fixture
def lot(runtime):
    service = runtime.coldchain()
    window = TemperatureWindow.from_celsius("-30.0", "-18.0")
    service.create(IMPORTER, gtin=GTIN, lot="BR-7", quantity=1200, unit="KGM", origin="BR", window=window)
    readings = [(T0 + timedelta(minutes=10 * i), v) for i, v in enumerate(VALUES)]
    anchored = service.record_event(
        IMPORTER,
        "BR-7",
        "transporting",
        location=PORT,
        time=T0,
        readings=readings,
        device="urn:epc:id:giai:6901234.TRUCK-01",
    )
    return "BR-7", "0x" + anchored.items[0].event_hash.hex()


def test_anyone_can_trace_a_lot_with_proofs_and_the_breach(client, lot):
    body = client.get(f"/coldchain/batches/{lot[0]}/trace")
    assert body.status_code == 200, body.text
    trace = body.json()
    assert trace["verified"] is True and trace["cleared"] is False
    assert trace["batch"]["gtin"] == GTIN and trace["batch"]["origin"] == "BR"
    [event] = trace["events"]
    assert event["event_hash"] == lot[1] and event["proof"]["tx_hash"].startswith("0x")
    assert [p["within"] for p in trace["temperatures"]] == [True, True, False]
    assert trace["hold"] is not None  # the breach flagged the lot


def test_a_trace_is_rendered_as_fastapis_own_encoder_renders_it(runtime, lot):
    found = runtime.coldchain().trace(lot[0])  # a hold, certificate kinds (enums), ids (bytes), times
    assert coldchain_routes._public(found) == jsonable_encoder(
        found, custom_encoder=coldchain_routes._ENCODERS
    )
    proof = runtime.coldchain().reading_proof(lot[0], lot[1], 2)
    assert coldchain_routes._public(proof) == jsonable_encoder(
        proof, custom_encoder=coldchain_routes._ENCODERS
    )


def test_anyone_can_prove_a_single_reading_belongs_to_the_anchored_set(client, lot):
    proof = client.get(f"/coldchain/batches/{lot[0]}/events/{lot[1]}/readings/2/proof").json()
    assert proof["verified_locally"] is True and proof["verified_on_chain"] is True
    assert proof["reading"]["value"] == "-17.2" and proof["problem"] is None


def test_a_reading_whose_stored_value_was_altered_is_not_proven_and_the_answer_says_why(client, runtime, lot):
    # Its leaf holds the tenths only: -17.20 and -17.2 share it, so the Merkle proof alone would hold.
    with runtime.store.engine.begin() as connection:
        connection.execute(text("UPDATE coldchain_readings SET value = '-17.20' WHERE position = 2"))
    proof = client.get(f"/coldchain/batches/{lot[0]}/events/{lot[1]}/readings/2/proof").json()
    assert proof["reading"]["value"] == "-17.20"
    assert proof["verified_locally"] is False and proof["verified_on_chain"] is True
    assert proof["problem"] == "the store's stored readings differ from the chain's"


def test_an_unknown_lot_or_reading_is_404(client, lot):
    assert_problem(client.get("/coldchain/batches/NO-SUCH-LOT/trace"), 404)
    assert_problem(client.get(f"/coldchain/batches/{lot[0]}/events/{lot[1]}/readings/9/proof"), 404)


def test_a_malformed_batch_id_is_422(client):
    assert_problem(client.get("/coldchain/batches/0x" + "zz" * 32 + "/trace"), 422, field="batch")
