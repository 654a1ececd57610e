"""Business endpoints: registrars write, notaries file, the public looks up and verifies."""

from __future__ import annotations

import hashlib

import pytest
from support.api import assert_problem
from support.records import ARTICLES, LEGAL_REP, SHAREHOLDER, USCC, a_record

from gzchain.domain.business import ChangeType, record_from_dict, record_hash

ARTICLES_HASH = hashlib.sha256(ARTICLES).hexdigest()
FILING = {"uscc": USCC, "document_type": "articles-of-association", "file_hash": ARTICLES_HASH}


@pytest.fixture
def registered(client, auth):
    response = client.post("/businesses", json=a_record(), headers=auth("gz-msa"))
    assert response.status_code == 201, response.text
    return response.json()


def test_a_registrar_registers_and_the_public_looks_it_up_with_ids_masked(client, registered):
    assert registered["version"] == 1 and registered["change"] == "registered"
    assert registered["proof"]["tx_hash"].startswith("0x")
    body = client.get(f"/businesses/{USCC}").json()
    assert body["status"] == "active" and body["verified"] is True
    record = body["versions"][0]["record"]
    assert record["legal_representative"]["name"] == LEGAL_REP[0]
    assert record["legal_representative"]["id_number"] != LEGAL_REP[1]
    assert LEGAL_REP[1] not in str(body)


def test_an_amendment_adds_a_version_naming_what_changed(client, auth, registered):
    amended = a_record(registered_capital={"amount": "3000000.00", "currency": "CNY"})
    response = client.post(f"/businesses/{USCC}/amendments", json=amended, headers=auth("gz-msa"))
    assert response.status_code == 201 and response.json()["change"] == "amended: capital"
    assert [v["number"] for v in client.get(f"/businesses/{USCC}").json()["versions"]] == [1, 2]


def test_suspension_reinstatement_and_deregistration(client, auth, registered):
    headers = auth("gz-msa")
    steps = (
        ("suspend", "unreachable-at-address", "suspended"),
        ("reinstate", "reachable-again", "active"),
        ("deregister", "voluntary-dissolution", "deregistered"),
    )
    for action, code, status in steps:
        body = {"action": action, "reason_code": code, "reason": f"why {action}"}
        response = client.post(f"/businesses/{USCC}/status", json=body, headers=headers)
        assert response.status_code == 201, response.text
        reason = response.json()["reason"]
        assert (reason["code"], reason["words"], reason["verified"]) == (code, f"why {action}", True)
        lookup = client.get(f"/businesses/{USCC}").json()
        assert lookup["status"] == status
        assert lookup["versions"][-1]["reason"] == {**reason, "state": "verified"}
    assert client.get(f"/businesses/{USCC}").json()["versions"][0]["reason"] is None
    amended = a_record(address="广州市黄埔区新地址2号")
    assert_problem(client.post(f"/businesses/{USCC}/amendments", json=amended, headers=headers), 409)


def test_a_notary_files_a_document_anyone_verifies_and_the_notary_revokes(client, auth, registered):
    notary = auth("gz-notary")
    filed = client.post("/filings", json=FILING, headers=notary)
    assert filed.status_code == 201, filed.text
    by_hash = client.get(f"/filings/{ARTICLES_HASH}").json()
    assert by_hash["valid"] is True and by_hash["filing"]["notary_name"] == "Guangzhou Nanyue Notary Office"
    by_bytes = client.post(
        "/filings/verify", content=ARTICLES, headers={"content-type": "application/octet-stream"}
    )
    assert by_bytes.json()["valid"] is True
    altered = client.post(
        "/filings/verify", content=ARTICLES[:-1] + b"!", headers={"content-type": "application/octet-stream"}
    )
    assert altered.json()["notarised"] is False
    revoked = client.post(
        f"/filings/{ARTICLES_HASH}/revocation",
        json={"reasonCode": "court-ruling", "reason": "court ruling"},
        headers=notary,
    )
    assert revoked.status_code == 201
    after = client.get(f"/filings/{ARTICLES_HASH}").json()
    reason = after["filing"]["revocation_reason"]
    assert after["valid"] is False
    assert (reason["code"], reason["words"], reason["verified"]) == ("court-ruling", "court ruling", True)


def test_writes_without_a_credential_are_401(client):
    assert_problem(client.post("/businesses", json=a_record()), 401)
    assert_problem(client.post(f"/businesses/{USCC}/amendments", json=a_record()), 401)
    assert_problem(
        client.post(
            f"/businesses/{USCC}/status", json={"action": "suspend", "reason_code": "other", "reason": "x"}
        ),
        401,
    )
    assert_problem(client.post("/filings", json=FILING), 401)
    assert_problem(
        client.post(f"/filings/{ARTICLES_HASH}/revocation", json={"reason_code": "other", "reason": "x"}), 401
    )


def test_agencies_without_the_role_are_403_before_any_transaction(client, auth, runtime, registered):
    height = runtime.gateway.block_number()
    assert_problem(
        client.post("/businesses", json=a_record(uscc="914403001922038216"), headers=auth("gz-notary")), 403
    )
    assert_problem(
        client.post(
            f"/businesses/{USCC}/status",
            json={"action": "suspend", "reason_code": "other", "reason": "x"},
            headers=auth("gz-edu"),
        ),
        403,
    )
    assert_problem(client.post("/filings", json=FILING, headers=auth("gz-customs")), 403)
    assert runtime.gateway.block_number() == height


def test_a_registrar_may_not_notarise_what_it_does_not_issue(client, auth, registered):
    response = client.post("/filings", json=FILING, headers=auth("gz-msa"))
    assert_problem(response, 403, error="BusinessRegistryDocumentTypeNotAllowed")


def test_unknown_businesses_and_filings_are_404_or_not_notarised(client, auth):
    assert_problem(client.get(f"/businesses/{USCC}"), 404)
    assert client.get(f"/filings/{'0' * 64}").json()["notarised"] is False
    assert_problem(
        client.post(
            f"/businesses/{USCC}/status",
            json={"action": "suspend", "reason_code": "other", "reason": "x"},
            headers=auth("gz-msa"),
        ),
        404,
    )


def test_duplicates_are_409(client, auth, registered):
    assert_problem(
        client.post("/businesses", json=a_record(), headers=auth("gz-msa")),
        409,
        error="BusinessRegistryAlreadyRegistered",
    )
    notary = auth("gz-notary")
    client.post("/filings", json=FILING, headers=notary)
    assert_problem(
        client.post("/filings", json=FILING, headers=notary), 409, error="BusinessRegistryAlreadyNotarised"
    )


def test_bad_input_is_422_naming_the_field(client, auth):
    headers = auth("gz-msa")
    body = assert_problem(
        client.post("/businesses", json=a_record(uscc="91440101MA59LU9AX2"), headers=headers),
        422,
        field="uscc",
    )
    assert "position 18" in body["detail"]
    assert_problem(
        client.post("/businesses", json=a_record(registered_capital={"amount": "-5"}), headers=headers), 422
    )
    assert_problem(
        client.post(
            f"/businesses/{USCC}/status",
            json={"action": "explode", "reason_code": "other", "reason": "x"},
            headers=headers,
        ),
        422,
        field="action",
    )
    assert_problem(
        client.post("/filings", json={**FILING, "file_hash": "xyz"}, headers=auth("gz-notary")),
        422,
        field="file_hash",
    )
    assert_problem(
        client.post("/filings", json={**FILING, "document_type": "poem"}, headers=auth("gz-notary")),
        422,
        field="document_type",
    )
    assert_problem(client.get("/businesses/NOT-A-USCC"), 422, field="uscc")


def test_the_lookup_gives_public_fields_with_salt_and_proof_and_private_ones_masked_without_salt(
    client, registered
):
    version = client.get(f"/businesses/{USCC}").json()["versions"][0]
    assert (version["commitment_scheme"], version["legacy"]) == ("salted-merkle-v1", False)
    fields = {field["path"]: field for field in version["fields"]}
    assert fields["legal_representative.name"]["value"] == LEGAL_REP[0]
    assert len(bytes.fromhex(fields["address"]["salt"][2:])) == 32 and fields["address"]["proof"]
    private = {field["path"]: field for field in version["private_fields"]}
    assert set(private) == {
        "legal_representative.id_number",
        "shareholders[0].name",
        "shareholders[0].identifier",
    }
    assert private["legal_representative.id_number"]["masked"] == "4401************3X"
    assert private["shareholders[0].name"]["masked"] == SHAREHOLDER[0][0] + "**"
    assert not set(private) & set(fields)
    assert version["record"]["shareholders"][0]["name"] == SHAREHOLDER[0][0] + "**"
    assert SHAREHOLDER[0] not in str(version) and SHAREHOLDER[1] not in str(version)


def test_the_erasure_route_is_for_registrars_only(client, auth):
    assert client.post("/businesses", json=a_record(), headers=auth("gz-msa")).status_code == 201
    status = {"action": "deregister", "reason_code": "voluntary-dissolution", "reason": "dissolved"}
    assert client.post(f"/businesses/{USCC}/status", json=status, headers=auth("gz-msa")).status_code == 201
    assert_problem(client.post(f"/businesses/{USCC}/erasure"), 401)
    assert_problem(client.post(f"/businesses/{USCC}/erasure", headers=auth("gz-notary")), 403)
    response = client.post(f"/businesses/{USCC}/erasure", headers=auth("gz-msa"))
    assert response.status_code == 201, response.text
    assert response.json()["versions"] == [1, 2]
    body = client.get(f"/businesses/{USCC}").json()
    assert body["verified"] is True and body["versions"][-1]["erased_by"]
    assert LEGAL_REP[1] not in str(body) and LEGAL_REP[0] not in str(body)


def test_an_erased_legacy_record_is_returned_apart_as_unverified_never_as_the_record(client, auth, runtime):
    # Registered the old way (the record's plain SHA-256 on chain, no commitment), then erased.
    service = runtime.business()
    record = record_from_dict(a_record())
    fn = service.contract.functions.register(USCC.encode(), record_hash(record))
    service._record_version(
        fn, service.keys.signer("gz-msa"), record, None, 1, ChangeType.REGISTERED, reason=None
    )
    status = {"action": "deregister", "reason_code": "other", "reason": "dissolved"}
    assert client.post(f"/businesses/{USCC}/status", json=status, headers=auth("gz-msa")).status_code == 201
    assert client.post(f"/businesses/{USCC}/erasure", headers=auth("gz-msa")).status_code == 201
    body = client.get(f"/businesses/{USCC}").json()
    assert body["verified"] is True  # erased, not tampered
    for version in body["versions"]:
        assert version["legacy"] is True and version["erased_at"]
        assert version["record"] is None and version["fields"] == []
        assert version["unverified_record"]["name"] == a_record()["name"]
        assert version["unverified_record"]["legal_representative"] == {"name": None, "id_number": None}
    assert LEGAL_REP[0] not in str(body) and LEGAL_REP[1] not in str(body)


def test_a_salted_erased_record_is_the_verified_record_and_nothing_is_unverified(client, auth, registered):
    status = {"action": "deregister", "reason_code": "other", "reason": "dissolved"}
    assert client.post(f"/businesses/{USCC}/status", json=status, headers=auth("gz-msa")).status_code == 201
    assert client.post(f"/businesses/{USCC}/erasure", headers=auth("gz-msa")).status_code == 201
    for version in client.get(f"/businesses/{USCC}").json()["versions"]:
        assert version["record"]["name"] == a_record()["name"] and version["unverified_record"] is None


def test_a_status_change_or_revocation_without_a_known_reason_code_is_422_naming_it(
    client, auth, runtime, registered
):
    height = runtime.gateway.block_number()
    bodies = [
        ({"action": "suspend", "reason_code": "reachable-again", "reason": "x"}, "reason_code"),
        ({"action": "suspend", "reason": "x"}, "reason_code"),
        ({"action": "suspend", "reason_code": "other", "reason": ""}, "reason"),
    ]
    for body, field in bodies:
        response = client.post(f"/businesses/{USCC}/status", json=body, headers=auth("gz-msa"))
        assert_problem(response, 422, field=field)
    problem = client.post(
        f"/businesses/{USCC}/status",
        json={"action": "suspend", "reason_code": "reachable-again", "reason": "x"},
        headers=auth("gz-msa"),
    ).json()
    assert "unreachable-at-address" in problem["detail"], "the known codes are named"
    assert_problem(
        client.post(
            f"/filings/{ARTICLES_HASH}/revocation",
            json={"reason_code": "fraud", "reason": "x"},
            headers=auth("gz-notary"),
        ),
        422,
        field="reason_code",
    )
    assert runtime.gateway.block_number() == height
