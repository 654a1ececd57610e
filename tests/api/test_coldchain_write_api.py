"""Cold-chain writes over HTTP: regulators entitle, recall and release; operators book lots, record events,
split and anchor EPCIS documents; inspectors and the warehouse attach the five certificates. Every refusal
is problem+json, and role refusals cost no transaction."""

from __future__ import annotations

import base64
import copy

import pytest
from support.api import assert_problem

from gzchain.api.schemas.coldchain import EPCIS_EXAMPLE, LOT_URI

IMPORTER, WAREHOUSE, CARRIER = "nansha-importer", "gz-cold-warehouse", "lingnan-logistics"
REGULATOR, CUSTOMS, CDC = "gz-msa", "gz-customs", "gz-cdc"
GTIN = "07891234000019"
PORT = "urn:epc:id:sgln:6901234.00001.0"
DEPOT = "urn:epc:id:sgln:6901234.00002.0"
BATCH = {
    "gtin": GTIN,
    "lot": "BR2405",
    "quantity": 8000,
    "unit": "KGM",
    "origin": "BR",
    "min_celsius": "-30.0",
    "max_celsius": "-18.0",
}
UNKNOWN_BATCH = "0x" + "ab" * 32
REASON = {"reason_code": "pathogen-detected", "reason": "nucleic-acid test positive on a sample"}
RELEASE = {"reason_code": "sensor-fault", "reason": "probe outside the carton; core stayed frozen"}


def pdf(text: str) -> str:
    return base64.b64encode(f"%PDF-1.7 {text}".encode()).decode()


def event(step: str, minute: int, **extra) -> dict:
    return {"biz_step": step, "location": PORT, "time": f"2025-03-01T06:{minute:02d}:00+08:00", **extra}


@pytest.fixture
def lot(client, auth) -> dict:
    response = client.post("/coldchain/batches", json=BATCH, headers=auth(IMPORTER))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def entitled(client, auth) -> None:
    regulator = auth(REGULATOR)
    for agency, kinds in (
        (CUSTOMS, ["customs-declaration", "inspection-quarantine"]),
        (CDC, ["nucleic-acid-test"]),
        (WAREHOUSE, ["disinfection", "warehouse-release"]),
    ):
        response = client.post(
            "/coldchain/entitlements", json={"agency": agency, "kinds": kinds}, headers=regulator
        )
        assert response.status_code == 201, response.text


def test_an_importer_books_a_batch_that_anyone_can_trace(client, lot):
    assert lot["lot"] == "BR2405" and lot["lot_uri"] == LOT_URI
    assert lot["window"] == {"min_celsius": "-30.0", "max_celsius": "-18.0", "label": "-30.0 °C to -18.0 °C"}
    assert lot["proof"]["tx_hash"].startswith("0x") and lot["proof"]["block_number"] > 0
    trace = client.get(f"/coldchain/batches/{lot['batch_id']}/trace").json()
    assert trace["batch"]["quantity"] == 8000 and trace["batch"]["custodian_name"].startswith("Nansha")
    assert trace["verified"] is True


def test_a_regulator_sets_entitlements_that_anyone_can_read(client, auth):
    body = {"agency": WAREHOUSE, "kinds": ["warehouse-release", "disinfection"]}
    response = client.post("/coldchain/entitlements", json=body, headers=auth(REGULATOR))
    assert response.status_code == 201, response.text
    assert response.json()["kinds"] == ["disinfection", "warehouse-release"]
    read = client.get(f"/coldchain/entitlements/{WAREHOUSE}").json()
    assert read["kinds"] == ["disinfection", "warehouse-release"]
    assert read["agency"] == response.json()["agency"]
    withdrawn = client.post(
        "/coldchain/entitlements", json={"agency": WAREHOUSE, "kinds": []}, headers=auth(REGULATOR)
    )
    assert (
        withdrawn.status_code == 201
        and client.get(f"/coldchain/entitlements/{WAREHOUSE}").json()["kinds"] == []
    )


def test_the_five_certificates_and_a_hand_over_clear_a_batch(client, auth, lot, entitled):
    batch = lot["batch_id"]

    def certify(agency: str, kind: str) -> dict:
        response = client.post(
            f"/coldchain/batches/{batch}/certificates",
            json={"kind": kind, "document": pdf(kind)},
            headers=auth(agency),
        )
        assert response.status_code == 201, response.text
        return response.json()

    first = certify(CUSTOMS, "customs-declaration")
    assert first["kind"] == "customs-declaration" and first["cleared"] is False
    assert len(first["document_sha256"]) == 66
    certify(CUSTOMS, "inspection-quarantine")
    certify(CDC, "nucleic-acid-test")
    shipped = client.post(
        f"/coldchain/batches/{batch}/events",
        json=event("shipping", 10, recipient=WAREHOUSE),
        headers=auth(IMPORTER),
    )
    assert shipped.status_code == 201, shipped.text
    assert shipped.json()["items"][0]["recipient"] is not None
    received = client.post(
        f"/coldchain/batches/{batch}/events",
        json=event("receiving", 20, location=DEPOT),
        headers=auth(WAREHOUSE),
    )
    assert received.status_code == 201, received.text
    certify(WAREHOUSE, "disinfection")
    assert certify(WAREHOUSE, "warehouse-release")["cleared"] is True
    trace = client.get(f"/coldchain/batches/{batch}/trace").json()
    assert trace["cleared"] is True and trace["batch"]["custodian_name"].startswith("Guangzhou Centralised")


def test_readings_outside_the_window_flag_the_lot_until_a_regulator_releases_it(client, auth, lot):
    readings = [
        {"time": "2025-03-01T06:00:00+08:00", "celsius": "-21.5"},
        {"time": "2025-03-01T06:10:00+08:00", "celsius": "-17.2"},
    ]
    body = event("transporting", 0, readings=readings, device="urn:epc:id:giai:6901234.TRUCK-01")
    anchored = client.post(f"/coldchain/batches/{lot['lot']}/events", json=body, headers=auth(IMPORTER))
    assert anchored.status_code == 201, anchored.text
    [item] = anchored.json()["items"]
    assert item["biz_step"] == "transporting" and item["path"] == "eventList[0]"
    assert anchored.json()["flagged"] == [{"lot": "BR2405", "min_celsius": "-21.5", "max_celsius": "-17.2"}]
    proof = client.get(f"/coldchain/batches/BR2405/events/{item['event_hash']}/readings/1/proof").json()
    assert proof["verified_on_chain"] is True
    assert client.get("/coldchain/batches/BR2405/trace").json()["hold"] is not None
    released = client.post(
        "/coldchain/batches/BR2405/release",
        json={"reasonCode": "sensor-fault", "reason": "probe fault, core stayed frozen"},
        headers=auth(REGULATOR),
    )
    assert released.status_code == 201, released.text
    assert released.json()["decision"] == "released" and released.json()["batch_id"] == lot["batch_id"]
    trace = client.get("/coldchain/batches/BR2405/trace").json()
    assert trace["hold"] is None
    [release] = [incident for incident in trace["incidents"] if incident["what"] == "released"]
    assert release["reason"] == "probe fault, core stayed frozen"
    assert (release["reason_detail"]["code"], release["reason_detail"]["verified"]) == ("sensor-fault", True)


def test_a_custodian_splits_a_batch_into_lots_that_add_up_to_it(client, auth, lot):
    body = {
        "children": [{"lot": "BR2405-A", "quantity": 5000}, {"lot": "BR2405-B", "quantity": 3000}],
        "location": DEPOT,
        "time": "2025-03-02T09:00:00+08:00",
    }
    response = client.post(f"/coldchain/batches/{lot['batch_id']}/splits", json=body, headers=auth(IMPORTER))
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["children"] == ["BR2405-A", "BR2405-B"]
    child = client.get("/coldchain/batches/BR2405-A/trace").json()
    assert child["batch"]["quantity"] == 5000 and [a["lot"]["number"] for a in child["ancestors"]] == [
        "BR2405"
    ]


def test_an_epcis_document_is_anchored_in_one_transaction(client, auth, lot):
    response = client.post("/coldchain/documents", json=EPCIS_EXAMPLE, headers=auth(IMPORTER))
    assert response.status_code == 201, response.text
    [item] = response.json()["items"]
    assert item["lot"] == "BR2405" and item["biz_step"] == "storing"
    [traced] = client.get("/coldchain/batches/BR2405/trace").json()["events"]
    assert traced["event_hash"] == item["event_hash"] and traced["problem"] is None


def test_a_recalled_batch_takes_no_more_ordinary_events(client, auth, lot):
    recalled = client.post(
        f"/coldchain/batches/{lot['batch_id']}/recall", json=REASON, headers=auth(REGULATOR)
    )
    assert recalled.status_code == 201, recalled.text
    reason = recalled.json()["reason"]
    assert recalled.json()["decision"] == "recalled"
    assert (reason["code"], reason["words"], reason["verified"]) == (
        "pathogen-detected",
        REASON["reason"],
        True,
    )
    for route in ("trace", "status"):
        recall = client.get(f"/coldchain/batches/BR2405/{route}").json()["recall"]
        assert recall["reason"] == REASON["reason"]
        assert recall["reason_detail"] == {**reason, "state": "verified"}
    assert_problem(
        client.post("/coldchain/batches/BR2405/events", json=event("storing", 30), headers=auth(IMPORTER)),
        409,
        error="ColdChainBatchRecalled",
    )


def test_writes_without_a_credential_are_401(client, lot):
    batch = lot["batch_id"]
    for path, body in (
        ("/coldchain/entitlements", {"agency": WAREHOUSE, "kinds": []}),
        ("/coldchain/batches", BATCH),
        (f"/coldchain/batches/{batch}/certificates", {"kind": "disinfection", "document": pdf("x")}),
        (f"/coldchain/batches/{batch}/events", event("storing", 0)),
        (
            f"/coldchain/batches/{batch}/splits",
            {"children": [{"lot": "A", "quantity": 8000}], "location": DEPOT},
        ),
        ("/coldchain/documents", EPCIS_EXAMPLE),
        (f"/coldchain/batches/{batch}/recall", REASON),
        (f"/coldchain/batches/{batch}/release", RELEASE),
    ):
        response = client.post(path, json=body)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def test_agencies_without_the_role_are_403_before_any_transaction(client, auth, runtime, lot):
    height = runtime.gateway.block_number()
    batch = lot["batch_id"]
    denied = [
        ("/coldchain/entitlements", {"agency": WAREHOUSE, "kinds": ["disinfection"]}, IMPORTER, "REGULATOR"),
        ("/coldchain/batches", {**BATCH, "lot": "BR2406"}, REGULATOR, "COLDCHAIN_OPERATOR"),
        (f"/coldchain/batches/{batch}/events", event("storing", 0), CUSTOMS, "COLDCHAIN_OPERATOR"),
        (
            f"/coldchain/batches/{batch}/splits",
            {"children": [{"lot": "A", "quantity": 8000}], "location": DEPOT},
            "gz-notary",
            "COLDCHAIN_OPERATOR",
        ),
        ("/coldchain/documents", EPCIS_EXAMPLE, "gz-edu", "COLDCHAIN_OPERATOR"),
        (f"/coldchain/batches/{batch}/recall", REASON, IMPORTER, "REGULATOR"),
        (f"/coldchain/batches/{batch}/release", RELEASE, "gz-notary", "REGULATOR"),
        # an inspector may not attach what only the supervised warehouse attaches, nor a registrar anything
        (
            f"/coldchain/batches/{batch}/certificates",
            {"kind": "disinfection", "document": pdf("x")},
            CUSTOMS,
            "COLDCHAIN_OPERATOR",
        ),
        (
            f"/coldchain/batches/{batch}/certificates",
            {"kind": "customs-declaration", "document": pdf("x")},
            WAREHOUSE,
            "INSPECTOR",
        ),
        (
            f"/coldchain/batches/{batch}/certificates",
            {"kind": "customs-declaration", "document": pdf("x")},
            "gz-notary",
            "INSPECTOR",
        ),
    ]
    for path, body, agency, role in denied:
        problem = assert_problem(client.post(path, json=body, headers=auth(agency)), 403)
        assert role in problem["detail"], (path, agency, problem)
    assert runtime.gateway.block_number() == height


def test_an_inspector_without_the_entitlement_is_refused_by_the_contract(client, auth, lot):
    body = {"kind": "nucleic-acid-test", "document": pdf("negative")}
    problem = assert_problem(
        client.post(f"/coldchain/batches/{lot['batch_id']}/certificates", json=body, headers=auth(CDC)),
        403,
        error="ColdChainNotEntitled",
    )
    assert problem["title"] == "Refused by ColdChain: not entitled"


def test_entitling_an_agency_without_the_role_the_kind_needs_is_a_conflict_not_a_refusal(client, auth):
    body = {"agency": "gz-edu", "kinds": ["disinfection"]}
    problem = assert_problem(
        client.post("/coldchain/entitlements", json=body, headers=auth(REGULATOR)),
        409,
        error="ConsortiumMissingRole",
    )
    assert problem["arguments"]["role"] == "COLDCHAIN_OPERATOR"


def test_only_the_custodian_records_events(client, auth, lot):
    assert_problem(
        client.post(
            f"/coldchain/batches/{lot['batch_id']}/events", json=event("storing", 0), headers=auth(CARRIER)
        ),
        403,
        error="ColdChainNotCustodian",
    )


def test_unknown_lots_and_agencies_are_404(client, auth, entitled):
    assert_problem(
        client.post("/coldchain/batches/NO-SUCH-LOT/recall", json=REASON, headers=auth(REGULATOR)), 404
    )
    assert_problem(
        client.post(f"/coldchain/batches/{UNKNOWN_BATCH}/release", json=RELEASE, headers=auth(REGULATOR)),
        404,
        error="ColdChainUnknownBatch",
    )
    assert_problem(
        client.post(
            f"/coldchain/batches/{UNKNOWN_BATCH}/certificates",
            json={"kind": "customs-declaration", "document": pdf("x")},
            headers=auth(CUSTOMS),
        ),
        404,
    )
    assert_problem(
        client.post(
            "/coldchain/batches/NO-SUCH-LOT/events", json=event("storing", 0), headers=auth(IMPORTER)
        ),
        404,
    )
    assert_problem(
        client.post(
            "/coldchain/batches/NO-SUCH-LOT/splits",
            json={"children": [{"lot": "A", "quantity": 1}], "location": DEPOT},
            headers=auth(IMPORTER),
        ),
        404,
    )
    assert_problem(client.get("/coldchain/entitlements/0x000000000000000000000000000000000000dEaD"), 404)


def test_duplicates_are_409_naming_the_rule(client, auth, lot, entitled):
    assert_problem(
        client.post("/coldchain/batches", json=BATCH, headers=auth(IMPORTER)),
        409,
        error="ColdChainBatchExists",
    )
    certificate = {"kind": "customs-declaration", "document": pdf("declaration")}
    path = f"/coldchain/batches/{lot['batch_id']}/certificates"
    assert client.post(path, json=certificate, headers=auth(CUSTOMS)).status_code == 201
    assert_problem(
        client.post(path, json=certificate, headers=auth(CUSTOMS)),
        409,
        error="ColdChainCertificateAlreadyAttached",
    )
    stored = event("storing", 40)
    assert (
        client.post("/coldchain/batches/BR2405/events", json=stored, headers=auth(IMPORTER)).status_code
        == 201
    )
    assert_problem(
        client.post("/coldchain/batches/BR2405/events", json=stored, headers=auth(IMPORTER)),
        409,
        error="ColdChainEventAlreadyAnchored",
    )
    assert_problem(
        client.post("/coldchain/batches/BR2405/release", json=RELEASE, headers=auth(REGULATOR)),
        409,
        error="ColdChainBatchNotFlagged",
    )


def test_bad_input_is_422_naming_the_field(client, auth, lot):
    importer = auth(IMPORTER)
    batch = lot["batch_id"]
    cases = [
        ("/coldchain/batches", {**BATCH, "gtin": "07891234000018"}, importer, "gtin"),
        ("/coldchain/batches", {**BATCH, "min_celsius": "-30.05"}, importer, "min_celsius"),
        ("/coldchain/batches", {**BATCH, "min_celsius": "-10.0"}, importer, "window"),
        ("/coldchain/batches", {**BATCH, "origin": "B1"}, importer, "origin"),
        ("/coldchain/batches", {**BATCH, "quantity": 0}, importer, "quantity"),
        (f"/coldchain/batches/{batch}/events", event("flying", 0), importer, "biz_step"),
        (
            f"/coldchain/batches/{batch}/events",
            event("storing", 0, time="2025-03-01T06:00:00"),
            importer,
            "time",
        ),
        (
            f"/coldchain/batches/{batch}/events",
            event("storing", 0, readings=[{"time": "2025-03-01T06:00:00", "celsius": "-20"}]),
            importer,
            "readings.0.time",
        ),
        (f"/coldchain/batches/{batch}/events", event("shipping", 0), importer, "recipient"),
        (
            f"/coldchain/batches/{batch}/events",
            event("storing", 0, recipient=WAREHOUSE),
            importer,
            "recipient",
        ),
        (
            f"/coldchain/batches/{batch}/splits",
            {"children": [{"lot": "BR2405-A", "quantity": 5000}], "location": DEPOT},
            importer,
            "eventList[0].outputQuantityList",  # the service names the split's EPCIS event
        ),
        (
            f"/coldchain/batches/{batch}/certificates",
            {"kind": "passport", "document": pdf("x")},
            auth(CUSTOMS),
            "kind",
        ),
        (
            f"/coldchain/batches/{batch}/certificates",
            {"kind": "customs-declaration", "document": "not base64!"},
            auth(CUSTOMS),
            "document",
        ),
        (
            "/coldchain/entitlements",
            {"agency": WAREHOUSE, "kinds": ["everything"]},
            auth(REGULATOR),
            "kinds.0",
        ),
        (f"/coldchain/batches/{batch}/recall", {**REASON, "reason": ""}, auth(REGULATOR), "reason"),
        (f"/coldchain/batches/{batch}/recall", {**REASON, "reason": "two\nlines"}, auth(REGULATOR), "reason"),
        (f"/coldchain/batches/{batch}/recall", {"reason": "x"}, auth(REGULATOR), "reason_code"),
        (
            f"/coldchain/batches/{batch}/recall",
            {**REASON, "reason_code": "sensor-fault"},
            auth(REGULATOR),
            "reason_code",
        ),
        (
            f"/coldchain/batches/{batch}/release",
            {**REASON, "reason_code": "pathogen-detected"},
            auth(REGULATOR),
            "reason_code",
        ),
    ]
    for path, body, headers, field in cases:
        assert_problem(client.post(path, json=body, headers=headers), 422, field=field)
    assert_problem(client.post("/coldchain/batches", json=[BATCH], headers=importer), 422, field="body")
    empty = copy.deepcopy(EPCIS_EXAMPLE)
    empty["epcisBody"]["eventList"] = []
    assert_problem(
        client.post("/coldchain/documents", json=empty, headers=importer), 422, field="epcisBody.eventList"
    )
    assert_problem(
        client.post(f"/coldchain/batches/0x{'zz' * 32}/recall", json=REASON, headers=auth(REGULATOR)),
        422,
        field="batch",
    )


def test_a_retried_booking_with_the_same_idempotency_key_writes_once(client, auth, runtime):
    headers = {**auth(IMPORTER), "Idempotency-Key": "book-BR2405"}
    first = client.post("/coldchain/batches", json=BATCH, headers=headers)
    height = runtime.gateway.block_number()
    second = client.post("/coldchain/batches", json=BATCH, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert runtime.gateway.block_number() == height
    other = {**BATCH, "lot": "BR2406"}
    assert_problem(client.post("/coldchain/batches", json=other, headers=headers), 409)
