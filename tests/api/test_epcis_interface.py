"""The EPCIS 2.0 standard interface: capture through the cold-chain pipeline, capture jobs, queries."""

from __future__ import annotations

import copy
from urllib.parse import quote

import pytest
from support.coldchain import BATCH

from gzchain.api.schemas.coldchain import EPCIS_EXAMPLE, LOT_URI
from gzchain.domain.epcis.schema import schema_problems

IMPORTER, CARRIER = "nansha-importer", "lingnan-logistics"
LGTIN_URN = "urn:epc:class:lgtin:7891234.000001.BR2405"


def document(*steps: tuple[str, int]) -> dict:
    doc = copy.deepcopy(EPCIS_EXAMPLE)
    template = doc["epcisBody"]["eventList"][0]
    doc["epcisBody"]["eventList"] = [
        {**copy.deepcopy(template), "bizStep": step, "eventTime": f"2025-03-01T06:{minute:02d}:00.000+08:00"}
        for step, minute in steps
    ]
    return doc


@pytest.fixture
def lot(client, auth) -> dict:
    response = client.post("/coldchain/batches", json=BATCH, headers=auth(IMPORTER))
    assert response.status_code == 201, response.text
    return response.json()


def capture(client, headers, doc) -> dict:
    response = client.post("/epcis/capture", json=doc, headers=headers)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/epcis/capture/{response.json()['captureID']}"
    assert response.headers["gs1-epcis-version"] == "2.0.0"
    assert response.headers["gs1-epcis-capture-limit"] == "100"
    return response.json()


def assert_epcis_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == f"epcisException:{kind}" and body["status"] == status and body["detail"]
    return body


def test_an_operator_captures_a_document_and_the_job_says_success(client, auth, lot):
    headers = auth(IMPORTER)
    job = capture(client, headers, document(("storing", 0), ("inspecting", 5)))
    assert job["running"] is False and job["success"] is True and job["errors"] == []
    assert len(job["eventIDs"]) == 2
    again = client.get(f"/epcis/capture/{job['captureID']}", headers=headers)
    assert again.status_code == 200 and again.json()["success"] is True
    listed = client.get("/epcis/capture", headers=headers).json()
    assert [j["captureID"] for j in listed] == [job["captureID"]]
    # the capture went through the cold-chain ingest: the lot's trace shows both events
    assert len(client.get("/coldchain/batches/BR2405/trace").json()["events"]) == 2


def test_a_capture_the_contract_refuses_is_a_finished_job_with_its_error(client, auth, lot):
    job = capture(client, auth(CARRIER), document(("storing", 0)))
    assert job["success"] is False and job["eventIDs"] == []
    [error] = job["errors"]
    assert error["error"] == "ColdChainNotCustodian" and error["type"] == "epcisException:SecurityException"
    assert client.get("/epcis/events").json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []


def test_capture_without_a_key_is_401_and_without_the_role_403(client, auth, runtime, lot):
    height = runtime.gateway.block_number()
    assert_epcis_problem(
        client.post("/epcis/capture", json=document(("storing", 0))), 401, "SecurityException"
    )
    body = assert_epcis_problem(
        client.post("/epcis/capture", json=document(("storing", 0)), headers=auth("gz-edu")),
        403,
        "SecurityException",
    )
    assert "COLDCHAIN_OPERATOR" in body["detail"]
    assert runtime.gateway.block_number() == height


def test_a_document_breaking_the_json_schema_is_400_naming_the_field(client, auth, runtime, lot):
    doc = document(("storing", 0))
    doc["epcisBody"]["eventList"][0]["eventTimeZoneOffset"] = "+8"
    height = runtime.gateway.block_number()
    body = assert_epcis_problem(
        client.post("/epcis/capture", json=doc, headers=auth(IMPORTER)), 400, "ValidationException"
    )
    assert body["field"] == "epcisBody.eventList[0].eventTimeZoneOffset" and "JSON Schema" in body["detail"]
    assert runtime.gateway.block_number() == height
    assert client.get("/epcis/capture", headers=auth(IMPORTER)).json() == []


def test_capture_refuses_other_media_types_versions_and_error_behaviours(client, auth, lot):
    headers = auth(IMPORTER)
    assert_epcis_problem(
        client.post(
            "/epcis/capture", content=b"<xml/>", headers={**headers, "content-type": "application/xml"}
        ),
        415,
        "UnsupportedMediaTypeException",
    )
    doc = document(("storing", 0))
    assert_epcis_problem(
        client.post("/epcis/capture", json=doc, headers={**headers, "GS1-EPCIS-Version": "1.2"}),
        406,
        "ImplementationException",
    )
    assert (
        client.post(
            "/epcis/capture", json=doc, headers={**headers, "GS1-Capture-Error-Behaviour": "proceed"}
        ).status_code
        == 406
    )


def test_queries_filter_by_step_time_and_epc_and_page_with_a_link(client, auth, lot):
    capture(client, auth(IMPORTER), document(("storing", 0), ("inspecting", 5), ("storing", 10)))
    events = client.get("/epcis/events").json()
    assert events["type"] == "EPCISQueryDocument" and schema_problems(events) == []
    found = events["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["bizStep"] for e in found] == ["storing", "inspecting", "storing"]
    assert all(e["eventID"].startswith("ni:///sha-256;") and e["recordTime"].endswith("Z") for e in found)

    def steps(**params) -> list[str]:
        response = client.get("/epcis/events", params=params)
        assert response.status_code == 200, response.text
        return [
            e["bizStep"] for e in response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        ]

    assert steps(EQ_bizStep="inspecting") == ["inspecting"]
    assert steps(EQ_bizStep="https://ref.gs1.org/cbv/BizStep-storing") == ["storing", "storing"]
    assert steps(GE_eventTime="2025-03-01T06:05:00+08:00", LT_eventTime="2025-03-01T06:10:00+08:00") == [
        "inspecting"
    ]
    assert steps(MATCH_epcClass=LGTIN_URN) == ["storing", "inspecting", "storing"]  # URN meets Digital Link
    assert steps(MATCH_epc=LOT_URI) == []  # a lot is a class, not an instance EPC
    assert steps(EQ_readPoint="urn:epc:id:sgln:6901234.00001.0", eventType="ObjectEvent") == [
        "storing",
        "inspecting",
        "storing",
    ]
    assert steps(EQ_disposition="recalled") == []

    first = client.get("/epcis/events", params={"perPage": 2})
    assert len(first.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2
    link = first.headers["link"]
    assert link.endswith('; rel="next"') and "nextPageToken=" in link
    rest = client.get(link[1 : link.index(">")])
    assert [e["bizStep"] for e in rest.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]] == [
        "storing"
    ]
    assert "link" not in rest.headers

    one = found[1]
    by_id = client.get(f"/epcis/events/{quote(one['eventID'], safe='')}").json()
    assert by_id["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["bizStep"] == "inspecting"
    per_epc = client.get(f"/epcis/epcs/{LGTIN_URN}/events").json()
    assert len(per_epc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 3


def test_bad_query_parameters_are_query_parameter_exceptions(client):
    for params, field in (
        ({"perPage": "0"}, "perPage"),
        ({"EQ_action": "JUMP"}, "EQ_action"),
        ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
        ({"nextPageToken": "not-ours"}, "nextPageToken"),
        ({"EQ_transformationID": "x"}, "EQ_transformationID"),
    ):
        body = assert_epcis_problem(
            client.get("/epcis/events", params=params), 400, "QueryParameterException"
        )
        assert body["field"] == field, body
    assert_epcis_problem(
        client.get("/epcis/events/" + quote("ni:///sha-256;00?ver=CBV2.0", safe="")),
        404,
        "NoSuchResourceException",
    )


def test_another_agencys_capture_job_is_not_found(client, auth, lot):
    job = capture(client, auth(IMPORTER), document(("storing", 0)))
    assert_epcis_problem(
        client.get(f"/epcis/capture/{job['captureID']}", headers=auth(CARRIER)),
        404,
        "NoSuchResourceException",
    )
