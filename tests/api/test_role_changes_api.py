"""A role change made through the API is enforced by the very next request, however recently the agency's
key was verified: the role checks' answers are kept only until a block changes the Consortium."""

from __future__ import annotations

from support.api import assert_problem
from support.records import a_record

REVOKE_REGISTRAR = {"kind": "revoke_role", "account": "gz-msa", "role": "REGISTRAR"}


def msa_roles(client) -> list[str]:
    members = client.get("/consortium/members").json()["members"]
    return next(m for m in members if m["agency_id"] == "gz-msa")["roles"]


def test_a_registrar_whose_role_is_revoked_is_403_at_once(client, auth):
    msa = auth("gz-msa")
    assert "REGISTRAR" in msa_roles(client)
    registered = client.post("/businesses", json=a_record(uscc="914403001922038216"), headers=msa)
    assert registered.status_code == 201, registered.text

    created = client.post("/consortium/proposals", json=REVOKE_REGISTRAR, headers=msa)
    assert created.status_code == 201, created.text
    # Proposed, not yet approved: a new block, and the role still held.
    assert "REGISTRAR" in msa_roles(client)
    approved = client.post(
        f"/consortium/proposals/{created.json()['proposal']['id']}/approvals", headers=auth("gz-gsdata")
    )
    assert approved.status_code == 201 and approved.json()["executed"] is True, approved.text

    assert "REGISTRAR" not in msa_roles(client)
    body = assert_problem(
        client.post("/businesses", json=a_record(uscc="91440101000000772P"), headers=msa), 403
    )
    assert "REGISTRAR" in body["detail"]


def test_an_issuer_suspended_after_its_key_was_verified_is_403_at_once(client, auth):
    edu = auth("gz-edu")
    created = client.post("/certificates/stores", headers=edu)  # the key is verified, and remembered
    assert created.status_code == 201, created.text
    suspend = {"kind": "suspend_member", "account": "gz-edu"}
    proposed = client.post("/consortium/proposals", json=suspend, headers=auth("gz-msa"))
    assert proposed.status_code == 201, proposed.text
    approved = client.post(
        f"/consortium/proposals/{proposed.json()['proposal']['id']}/approvals", headers=auth("gz-gsdata")
    )
    assert approved.status_code == 201 and approved.json()["executed"] is True, approved.text
    body = assert_problem(client.post("/certificates/stores", headers=edu), 403)
    assert "CERT_ISSUER" in body["detail"]
