"""Certificate endpoints: issuing agencies issue, anchor and revoke; anyone lists templates and batches,
verifies (not valid is an answer, not an error) and withholds fields. Refusals are problem+json."""

from __future__ import annotations

import copy
import re

import pytest
from support.api import assert_problem
from support.certificates import graduate, graduation_data

from gzchain.api.schemas.certificates import MAX_RECORDS, WRAPPED_EXAMPLE
from gzchain.domain.oa import wrap_documents

ISSUER, OTHER_ISSUER = "gz-edu", "gz-hrss"
REVOCATION = {"reason_code": "superseded", "reason": "reissued with the corrected major"}


def issue_body(count: int = 3, template: str = "graduation-certificate") -> dict:
    return {"template": template, "records": [graduate(n) for n in range(count)]}


@pytest.fixture
def batch(client, auth) -> dict:
    response = client.post("/certificates/batches", json=issue_body(), headers=auth(ISSUER))
    assert response.status_code == 201, response.text
    return response.json()


def verified(client, document) -> dict:
    response = client.post("/certificates/verify", json=document)
    assert response.status_code == 200, response.text
    return response.json()


def test_anyone_lists_the_templates_with_their_fields(client):
    templates = {t["id"]: t for t in client.get("/certificates/templates").json()["templates"]}
    graduation = templates["graduation-certificate"]
    assert graduation["file_name_field"] == "certificate_number"
    fields = {f["name"]: f for f in graduation["fields"]}
    assert fields["student_name"]["required"] is True and fields["admission_date"]["required"] is False
    assert (
        fields["graduation_date"]["type"] == "date"
        and fields["graduation_date"]["not_before"] == "admission_date"
    )
    assert {"business-licence", "vocational-qualification"} <= set(templates)


def test_an_issuer_creates_its_document_store_once(client, auth):
    created = client.post("/certificates/stores", headers=auth(ISSUER))
    assert created.status_code == 201, created.text
    assert created.json()["address"].startswith("0x") and created.json()["proof"]["tx_hash"].startswith("0x")
    again = assert_problem(client.post("/certificates/stores", headers=auth(ISSUER)), 409)
    assert created.json()["address"] in again["detail"]


def test_an_issuer_issues_a_batch_that_anyone_verifies(client, batch):
    assert (
        batch["count"] == 3 and len(batch["documents"]) == 3 and batch["template"] == "graduation-certificate"
    )
    assert batch["store_created"] is not None  # the agency's first batch created its store
    assert re.fullmatch(r"0x[0-9a-f]{64}", batch["merkle_root"])
    report = verified(client, batch["documents"][1])
    assert report["valid"] is True and report["summary"].startswith("VALID")
    assert [(f["name"], f["status"]) for f in report["fragments"]] == [
        ("DOCUMENT_INTEGRITY", "VALID"),
        ("DOCUMENT_STATUS", "VALID"),
        ("ISSUER_IDENTITY", "VALID"),
        ("VALIDITY_PERIOD", "VALID"),
    ]
    assert report["revocation"] is None
    assert report["issuer"] == {
        "name": "Guangzhou Education Bureau",
        "domain": "jyj.gz.gov.cn",
        "documentStore": batch["document_store"],
    }
    assert "0x" + report["merkleRoot"] == batch["merkle_root"]
    assert report["targetHash"] == batch["documents"][1]["signature"]["targetHash"]
    disclosed = {d["path"]: d["value"] for d in report["disclosed"]}
    assert disclosed["recipient.name"] == graduate(1)["student_name"] and disclosed["id"] == "GZ-2026-000001"
    assert report["withheld"] == {"count": 0, "fields": []}


def test_anyone_lists_the_issued_batches(client, batch):
    [listed] = client.get("/certificates/batches").json()["batches"]
    assert listed["merkle_root"] == batch["merkle_root"] and listed["count"] == 3
    assert listed["tx_hash"] == batch["proof"]["tx_hash"]
    assert client.get("/certificates/batches", params={"agency": ISSUER}).json()["batches"] == [listed]
    assert client.get("/certificates/batches", params={"agency": OTHER_ISSUER}).json()["batches"] == []


def test_a_withheld_field_is_hidden_and_the_certificate_still_verifies(client, batch):
    body = {"document": batch["documents"][0], "fields": ["recipient.studentId", "major"]}
    response = client.post("/certificates/obfuscate", json=body)
    assert response.status_code == 200, response.text
    presentation = response.json()
    assert "studentId" not in presentation["data"]["recipient"] and "major" not in presentation["data"]
    report = verified(client, presentation)
    assert report["valid"] is True
    assert report["withheld"] == {"count": 2, "fields": ["recipient.studentId", "major"]}
    paths = {d["path"] for d in report["disclosed"]}
    assert "recipient.name" in paths and "recipient.studentId" not in paths


def test_a_revoked_certificate_is_not_valid_and_says_when_and_why(client, auth, batch):
    document = batch["documents"][0]
    revoked = client.post(
        "/certificates/revocations", json={"document": document, **REVOCATION}, headers=auth(ISSUER)
    )
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["scope"] == "certificate" and revoked.json()["reason_code"] == "superseded"
    assert revoked.json()["revoked_hash"] == "0x" + document["signature"]["targetHash"]
    report = verified(client, document)
    assert report["valid"] is False and report["summary"].startswith("NOT VALID")
    status = next(f for f in report["fragments"] if f["name"] == "DOCUMENT_STATUS")
    assert status["status"] == "INVALID"
    revocation = report["revocation"]
    assert revocation["reason"] == "superseded" and revocation["text"] == REVOCATION["reason"]
    assert revocation["hash"] == revoked.json()["revoked_hash"]
    assert revocation["block"] == revoked.json()["proof"]["block_number"]
    assert revocation["revokedAt"].endswith("+08:00")
    assert verified(client, batch["documents"][1])["valid"] is True  # only that one


def test_an_issuer_revokes_a_whole_batch_or_a_hash(client, auth, batch):
    issuer = auth(ISSUER)
    whole = {"document": batch["documents"][0], "whole_batch": True, **REVOCATION}
    response = client.post("/certificates/revocations", json=whole, headers=issuer)
    assert response.status_code == 201 and response.json()["scope"] == "batch"
    assert all(verified(client, d)["valid"] is False for d in batch["documents"])
    by_hash = {"target_hash": "0x" + "12" * 32, "reason_code": "fraud", "reason": "forged copies circulate"}
    response = client.post("/certificates/revocations", json=by_hash, headers=issuer)
    assert response.status_code == 201, response.text
    assert response.json()["scope"] == "certificate" and response.json()["reason_code"] == "fraud"


def test_documents_wrapped_elsewhere_are_anchored_on_the_issuers_store(client, auth, runtime):
    documents = wrap_documents(graduation_data(runtime, 2, agency=ISSUER))
    response = client.post("/certificates/anchors", json={"documents": documents}, headers=auth(ISSUER))
    assert response.status_code == 201, response.text
    assert response.json()["merkle_root"] == "0x" + documents[0]["signature"]["merkleRoot"]
    assert response.json()["count"] == 2
    assert verified(client, documents[1])["valid"] is True


def test_an_altered_or_foreign_certificate_is_an_answer_not_an_error(client, batch):
    altered = copy.deepcopy(batch["documents"][0])
    altered["data"]["degree"] = altered["data"]["degree"].replace("Engineering", "Medicine")
    report = verified(client, altered)
    assert report["valid"] is False
    assert report["fragments"][0] == {
        **report["fragments"][0],
        "name": "DOCUMENT_INTEGRITY",
        "status": "INVALID",
    }
    never_issued = verified(client, WRAPPED_EXAMPLE)  # intact, but anchored on no store of this chain
    assert never_issued["valid"] is False
    assert next(f for f in never_issued["fragments"] if f["name"] == "DOCUMENT_STATUS")["status"] == "INVALID"


@pytest.fixture
def chain_down(runtime, monkeypatch) -> list[str]:
    """The chain's provider refuses every request, as a node that went away does; the methods asked."""
    asked: list[str] = []

    def unreachable(method, params):
        asked.append(method)
        raise ConnectionError("the node at http://127.0.0.1:8545 does not answer")

    monkeypatch.setattr(runtime.gateway.w3.provider, "make_request", unreachable)
    return asked


def test_verifying_with_the_chain_unreachable_is_503(client, chain_down):
    assert_problem(client.post("/certificates/verify", json=WRAPPED_EXAMPLE), 503)
    assert chain_down == ["eth_getBlockByNumber"]  # the head is read once, and nothing more is tried


def test_an_unreadable_document_with_the_chain_unreachable_is_503_too(client, chain_down):
    unreadable = copy.deepcopy(WRAPPED_EXAMPLE)
    unreadable["data"]["issuers"] = "not a list"
    assert_problem(client.post("/certificates/verify", json=unreadable), 503)


def test_the_verify_route_reads_the_chain_head_once(client, runtime, batch, monkeypatch):
    verified(client, batch["documents"][0])  # the answers of this head are kept from here on
    asked: list[str] = []
    original = runtime.gateway.w3.provider.make_request

    def counting(method, params):
        asked.append(method)
        return original(method, params)

    monkeypatch.setattr(runtime.gateway.w3.provider, "make_request", counting)
    assert verified(client, batch["documents"][0])["valid"] is True
    assert asked.count("eth_getBlockByNumber") == 1


def test_writes_without_a_credential_are_401(client, batch):
    for path, body in (
        ("/certificates/stores", None),
        ("/certificates/batches", issue_body()),
        ("/certificates/anchors", {"documents": batch["documents"]}),
        ("/certificates/revocations", {"document": batch["documents"][0], **REVOCATION}),
    ):
        response = client.post(path, json=body)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def test_agencies_without_cert_issuer_are_403_before_any_transaction(client, auth, runtime, batch):
    height = runtime.gateway.block_number()
    for agency in ("gz-msa", "nansha-importer"):
        headers = auth(agency)
        assert_problem(client.post("/certificates/stores", headers=headers), 403)
        assert_problem(client.post("/certificates/batches", json=issue_body(), headers=headers), 403)
        assert_problem(
            client.post("/certificates/anchors", json={"documents": batch["documents"]}, headers=headers), 403
        )
        revocation = {"document": batch["documents"][0], **REVOCATION}
        assert_problem(client.post("/certificates/revocations", json=revocation, headers=headers), 403)
    assert runtime.gateway.block_number() == height


def test_another_issuer_may_not_revoke_a_certificate_it_did_not_issue(client, auth, runtime, batch):
    other = auth(OTHER_ISSUER)
    assert client.post("/certificates/stores", headers=other).status_code == 201
    height = runtime.gateway.block_number()
    revocation = {"document": batch["documents"][0], **REVOCATION}
    problem = assert_problem(client.post("/certificates/revocations", json=revocation, headers=other), 403)
    assert batch["document_store"] in problem["detail"]
    assert runtime.gateway.block_number() == height
    assert verified(client, batch["documents"][0])["valid"] is True


def test_another_issuer_may_not_anchor_on_a_store_not_its_own(client, auth, batch):
    documents = {"documents": batch["documents"]}
    assert_problem(
        client.post("/certificates/anchors", json=documents, headers=auth(OTHER_ISSUER)),
        422,
        field="documents.0.issuers.0.documentStore",
    )


def test_revoking_without_a_store_is_404(client, auth):
    by_hash = {"target_hash": "ab" * 32, **REVOCATION}
    assert_problem(client.post("/certificates/revocations", json=by_hash, headers=auth(OTHER_ISSUER)), 404)


def test_duplicates_are_409_naming_the_rule(client, auth, runtime, batch):
    issuer = auth(ISSUER)
    revocation = {"document": batch["documents"][0], **REVOCATION}
    assert client.post("/certificates/revocations", json=revocation, headers=issuer).status_code == 201
    assert_problem(
        client.post("/certificates/revocations", json=revocation, headers=issuer),
        409,
        error="DocumentStoreAlreadyRevoked",
    )
    by_hash = {"target_hash": batch["documents"][1]["signature"]["targetHash"], **REVOCATION}
    assert client.post("/certificates/revocations", json=by_hash, headers=issuer).status_code == 201
    assert_problem(
        client.post("/certificates/revocations", json=by_hash, headers=issuer),
        409,
        error="DocumentStoreAlreadyRevoked",
    )
    documents = wrap_documents(graduation_data(runtime, 2, agency=ISSUER))
    assert (
        client.post("/certificates/anchors", json={"documents": documents}, headers=issuer).status_code == 201
    )
    assert_problem(
        client.post("/certificates/anchors", json={"documents": documents}, headers=issuer),
        409,
        error="DocumentStoreAlreadyIssued",
    )


def test_bad_input_is_422_naming_the_field(client, auth, batch):
    issuer = auth(ISSUER)
    cases = [
        ("/certificates/batches", issue_body(template="diploma"), "template"),
        ("/certificates/batches", {"template": "graduation-certificate", "records": []}, "records"),
        (
            "/certificates/batches",
            {"template": "graduation-certificate", "records": [graduate(0), graduate(1, student_name="")]},
            "row 2, student_name",
        ),
        (
            "/certificates/batches",
            {"template": "graduation-certificate", "records": [{"shoe_size": "42"}]},
            "row 1, shoe_size",
        ),
        ("/certificates/revocations", REVOCATION, "target_hash"),
        ("/certificates/revocations", {"target_hash": "xyz", **REVOCATION}, "target_hash"),
        (
            "/certificates/revocations",
            {"target_hash": "ab" * 32, "whole_batch": True, **REVOCATION},
            "whole_batch",
        ),
        (
            "/certificates/revocations",
            {"target_hash": "ab" * 32, **REVOCATION, "reason_code": "boredom"},
            "reason_code",
        ),
        ("/certificates/revocations", {"target_hash": "ab" * 32, **REVOCATION, "reason": ""}, "reason"),
        ("/certificates/anchors", {"documents": []}, "documents"),
    ]
    for path, body, field in cases:
        assert_problem(client.post(path, json=body, headers=issuer), 422, field=field)
    altered = copy.deepcopy(batch["documents"][0])
    altered["data"]["major"] = altered["data"]["major"] + "!"
    assert_problem(
        client.post("/certificates/anchors", json={"documents": [altered]}, headers=issuer),
        422,
        field="documents.0",
    )


def test_a_batch_over_the_limit_is_refused_whole(client, auth, runtime):
    height = runtime.gateway.block_number()
    body = {"template": "graduation-certificate", "records": [graduate(n) for n in range(MAX_RECORDS + 1)]}
    problem = assert_problem(
        client.post("/certificates/batches", json=body, headers=auth(ISSUER)), 422, field="records"
    )
    assert str(MAX_RECORDS) in problem["detail"]
    assert runtime.gateway.block_number() == height


def test_what_is_not_a_wrapped_document_is_422_naming_the_field(client, batch):
    document = batch["documents"][0]
    for body, field in (
        ([document], "document"),
        ("a certificate", "document"),
        ({**document, "version": "https://schema.openattestation.com/3.0/schema.json"}, "version"),
        ({key: value for key, value in document.items() if key != "signature"}, "signature"),
        ({**document, "data": []}, "data"),
    ):
        assert_problem(client.post("/certificates/verify", json=body), 422, field=field)
    as_json = {"content-type": "application/json"}
    assert_problem(client.post("/certificates/verify", content=b"", headers=as_json), 422, field="document")
    problem = assert_problem(
        client.post("/certificates/verify", content=b'{"version": ', headers=as_json), 422, field="body"
    )
    assert problem["detail"] == "body: not valid JSON (at character 12)"
    for fields, field in ((["recipient.shoeSize"], "recipient.shoeSize"), ([], "fields")):
        assert_problem(
            client.post("/certificates/obfuscate", json={"document": document, "fields": fields}),
            422,
            field=field,
        )
    altered = {**document, "data": {**document["data"], "major": document["data"]["degree"]}}
    assert_problem(
        client.post("/certificates/obfuscate", json={"document": altered, "fields": ["degree"]}),
        422,
        field="document",
    )


def test_a_retried_issue_with_the_same_idempotency_key_writes_once(client, auth, runtime):
    headers = {**auth(ISSUER), "Idempotency-Key": "graduates-2026"}
    first = client.post("/certificates/batches", json=issue_body(2), headers=headers)
    height = runtime.gateway.block_number()
    second = client.post("/certificates/batches", json=issue_body(2), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert runtime.gateway.block_number() == height
    assert len(client.get("/certificates/batches").json()["batches"]) == 1
