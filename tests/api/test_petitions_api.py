"""Petitions endpoints: residents by credential signature, anonymous votes, agencies by role, public reads;
every refusal as problem+json. Runs on both chain lanes and on PostgreSQL."""

from __future__ import annotations

import pytest
from support.api import assert_problem
from support.petitions import Resident, set_rules

from gzchain.domain.petitions.blind import TokenPublicKey, blind, new_token, unblind
from gzchain.domain.petitions.fdh import nullifier
from gzchain.domain.petitions.rules import DAY
from gzchain.services.petitions.wallet import enrolment_proof

TITLE, TEXT = "Night buses to Baiyun airport", "Please run night buses from Tianhe to Baiyun airport."


@pytest.fixture
def petitions(runtime):
    return runtime.petitions()


def enrol(client, auth, resident: Resident | None = None) -> Resident:
    resident = resident or Resident()
    body = {
        "name": resident.name,
        "id_number": resident.number,
        "credential": resident.credential,
        "proof": enrolment_proof(resident.account),
    }
    response = client.post("/petitions/credentials", json=body, headers=auth("gz-gsdata"))
    assert response.status_code == 201, response.text
    return resident


def propose(client, petitions, resident: Resident, title: str = TITLE):
    signed = resident.signed("propose", {"title": title, "text": TEXT}, petitions.chain.now())
    return client.post("/petitions", json={"title": title, "text": TEXT, **signed})


def opened(client, auth, petitions, resident: Resident, title: str = TITLE) -> int:
    # Two proposals of the same words in the same second are one signed request, refused as a replay.
    petition_id = propose(client, petitions, resident, title).json()["id"]
    response = client.post(f"/petitions/{petition_id}/publication", headers=auth("gz-xfj"))
    assert response.status_code == 200 and response.json()["state"] == "open", response.text
    return petition_id


def token(client, petitions, resident: Resident, petition_id: int):
    """(response, vote) for a resident's token request through the API, unblinded when it succeeded."""
    published_key = client.get(f"/petitions/{petition_id}").json()["token_key"]
    key = TokenPublicKey(int(published_key["n"], 16), published_key["e"])
    request = blind(key, petition_id, new_token())
    fields = {"petition_id": petition_id, "blinded": "0x" + request.blinded.hex()}
    signed = resident.signed("token", fields, petitions.chain.now())
    response = client.post(f"/petitions/{petition_id}/tokens", json={"blinded": fields["blinded"], **signed})
    if response.status_code != 200:
        return response, None
    signature = unblind(key, request, bytes.fromhex(response.json()["blind_signature"][2:]))
    return response, {"token": "0x" + request.token.hex(), "signature": "0x" + signature.hex()}


# ---- enrolment ----


def test_the_identity_authority_enrols_and_re_enrols_a_resident(client, auth):
    resident = enrol(client, auth)
    assert client.get(f"/petitions/credentials/{resident.credential}").json()["status"] == "enrolled"
    old = resident.credential
    resident.new_key()
    body = {
        "name": resident.name,
        "id_number": resident.number,
        "credential": resident.credential,
        "proof": enrolment_proof(resident.account),
    }
    response = client.post("/petitions/credentials", json=body, headers=auth("gz-gsdata"))
    assert response.status_code == 201 and response.json()["replaced"] == old
    assert client.get(f"/petitions/credentials/{old}").json()["status"] == "revoked"


def test_enrolment_refusals_name_the_field_and_the_role(client, auth):
    resident = Resident(number="440106199001010010")
    body = {
        "name": "Li",
        "id_number": resident.number,
        "credential": resident.credential,
        "proof": enrolment_proof(resident.account),
    }
    assert_problem(
        client.post("/petitions/credentials", json=body, headers=auth("gz-gsdata")), 422, field="id_number"
    )
    other = Resident()
    body = {
        "name": "Li",
        "id_number": other.number,
        "credential": other.credential,
        "proof": enrolment_proof(Resident().account),
    }
    assert_problem(
        client.post("/petitions/credentials", json=body, headers=auth("gz-gsdata")), 422, field="proof"
    )
    assert_problem(client.post("/petitions/credentials", json=body, headers=auth("gz-xfj")), 403)
    assert_problem(client.post("/petitions/credentials", json=body), 401)
    assert_problem(
        client.post("/petitions/credentials", json={**body, "credential": "0x12"}, headers=auth("gz-gsdata")),
        422,
        field="credential",
    )


def test_revocation_by_the_authority_and_its_refusals(client, auth):
    resident = enrol(client, auth)
    path = f"/petitions/credentials/{resident.credential}/revocation"
    assert_problem(client.post(path, headers=auth("gz-msa")), 403)
    assert client.post(path, headers=auth("gz-gsdata")).json()["status"] == "revoked"
    assert_problem(client.post(path, headers=auth("gz-gsdata")), 409, error="PetitionCredentialNotEnrolled")


# ---- proposals and the office ----


def test_a_residents_proposal_is_proposed_with_its_words_verified_and_the_office_publishes_it(
    client, auth, petitions
):
    resident = enrol(client, auth)
    created = propose(client, petitions, resident)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["state"], body["title"], body["text_verified"], body["supporters"]) == (
        "proposed",
        TITLE,
        True,
        0,
    )
    assert body["token_key"]["e"] == 65537
    petition_id = body["id"]
    assert_problem(client.post(f"/petitions/{petition_id}/publication", headers=auth("gz-mayor")), 403)
    published = client.post(f"/petitions/{petition_id}/publication", headers=auth("gz-xfj")).json()
    assert published["state"] == "open" and published["threshold"] == 1000
    assert [p["id"] for p in client.get("/petitions", params={"state": "open"}).json()["items"]] == [
        petition_id
    ]
    assert_problem(
        client.post(f"/petitions/{petition_id}/publication", headers=auth("gz-xfj")),
        409,
        error="PetitionWrongStatus",
    )


def test_proposal_refusals(client, auth, petitions):
    assert_problem(propose(client, petitions, Resident()), 403)
    resident = enrol(client, auth)
    signed = resident.signed("propose", {"title": TITLE, "text": TEXT}, petitions.chain.now())
    assert client.post("/petitions", json={"title": TITLE, "text": TEXT, **signed}).status_code == 201
    assert_problem(client.post("/petitions", json={"title": TITLE, "text": TEXT, **signed}), 409)
    assert_problem(
        client.post("/petitions", json={"title": TITLE, "text": "changed", **signed}), 422, field="signature"
    )
    assert_problem(client.post("/petitions", json={"title": TITLE, "text": TEXT}), 422, field="credential")
    assert_problem(propose(client, petitions, resident, title="Bad\u202etitle"), 422, field="title")


def test_the_office_rejects_with_a_reason_and_the_words_verify(client, auth, petitions):
    petition_id = propose(client, petitions, enrol(client, auth)).json()["id"]
    body = {"reason_code": "not-city-competence", "reason": "A matter for the provincial government."}
    assert_problem(
        client.post(f"/petitions/{petition_id}/rejection", json=body, headers=auth("gz-gsdata")), 403
    )
    assert_problem(
        client.post(
            f"/petitions/{petition_id}/rejection",
            json={**body, "reason_code": "whim"},
            headers=auth("gz-xfj"),
        ),
        422,
        field="reason_code",
    )
    rejected = client.post(f"/petitions/{petition_id}/rejection", json=body, headers=auth("gz-xfj")).json()
    assert rejected["state"] == "rejected"
    assert rejected["rejection"] == {
        "code": 2,
        "reason_code": "not-city-competence",
        "text": body["reason"],
        "verified": True,
    }


def test_an_unknown_petition_is_404_everywhere(client, auth):
    assert_problem(client.get("/petitions/9"), 404)
    assert_problem(
        client.post("/petitions/9/publication", headers=auth("gz-xfj")), 404, error="PetitionUnknown"
    )
    assert_problem(
        client.post(
            "/petitions/9/votes",
            json={"votes": [{"token": "0x" + "01" * 32, "signature": "0x" + "02" * 256}]},
        ),
        404,
    )
    assert_problem(client.get("/petitions/9/votes/0x" + "00" * 32), 404)


# ---- tokens and votes ----


def test_a_resident_gets_one_token_votes_anonymously_and_checks_the_receipt(client, auth, petitions, runtime):
    proposer = enrol(client, auth)
    petition_id = opened(client, auth, petitions, proposer)
    voter = enrol(client, auth)
    response, vote = token(client, petitions, voter, petition_id)
    assert response.status_code == 200, response.text
    again, _ = token(client, petitions, voter, petition_id)
    assert_problem(again, 409)
    counted = client.post(f"/petitions/{petition_id}/votes", json={"votes": [vote, vote]})
    assert counted.status_code == 200, counted.text
    body = counted.json()
    spent = "0x" + nullifier(petition_id, bytes.fromhex(vote["token"][2:])).hex()
    assert body["results"] == [
        {"nullifier": spent, "counted": True, "refused": None},
        {"nullifier": spent, "counted": False, "refused": "PetitionAlreadySupported"},
    ]
    assert (body["supporters"], body["state"]) == (1, "open")
    assert client.get(f"/petitions/{petition_id}/votes/{spent}").json() == {
        "nullifier": spent,
        "counted": True,
    }
    # The relayed transaction is the office's; nothing in it names the voter.
    tx = runtime.gateway.w3.eth.get_block("latest", full_transactions=True)["transactions"][0]
    assert tx["from"] == runtime.keys.address("gz-xfj")
    calldata = bytes(tx["input"] if "input" in tx else tx["data"])  # eth-tester names it `data`
    assert len(calldata) > 4 and voter.credential[2:].lower() not in calldata.hex()


def test_token_refusals_for_unenrolled_revoked_and_closed(client, auth, petitions, runtime):
    proposer = enrol(client, auth)
    proposed = propose(client, petitions, proposer).json()["id"]
    assert_problem(token(client, petitions, proposer, proposed)[0], 409)
    petition_id = opened(client, auth, petitions, proposer, "Night buses to Nansha")
    assert_problem(token(client, petitions, Resident(), petition_id)[0], 403)
    revoked = enrol(client, auth)
    client.post(f"/petitions/credentials/{revoked.credential}/revocation", headers=auth("gz-gsdata"))
    assert_problem(token(client, petitions, revoked, petition_id)[0], 403)
    runtime.gateway.advance_time(30 * DAY)
    assert_problem(token(client, petitions, proposer, petition_id)[0], 409)


def test_vote_refusals_by_the_contract_and_by_shape(client, auth, petitions, runtime):
    proposer = enrol(client, auth)
    petition_id = opened(client, auth, petitions, proposer)
    _, vote = token(client, petitions, proposer, petition_id)
    forged = {"token": "0x" + "05" * 32, "signature": vote["signature"]}
    body = client.post(f"/petitions/{petition_id}/votes", json={"votes": [forged]}).json()
    assert body["results"][0]["refused"] == "PetitionTokenNotSigned" and body["supporters"] == 0
    assert_problem(client.post(f"/petitions/{petition_id}/votes", json={"votes": []}), 422, field="votes")
    assert_problem(
        client.post(f"/petitions/{petition_id}/votes", json={"votes": [{**vote, "signature": "0x123"}]}),
        422,
        field="votes.0.signature",
    )
    runtime.gateway.advance_time(30 * DAY)
    assert_problem(
        client.post(f"/petitions/{petition_id}/votes", json={"votes": [vote]}),
        409,
        error="PetitionSupportNotOpen",
    )
    assert client.get(f"/petitions/{petition_id}").json()["state"] == "lapsed"


# ---- threshold, response, overdue ----


def test_the_mayor_answers_at_the_threshold_and_the_unanswered_one_is_overdue(
    client, auth, petitions, runtime
):
    set_rules(runtime, threshold=1)
    proposer = enrol(client, auth)
    answered = opened(client, auth, petitions, proposer)
    ignored = opened(client, auth, petitions, proposer, "Night buses to Nansha")
    for petition_id in (answered, ignored):
        _, vote = token(client, petitions, proposer, petition_id)
        assert (
            client.post(f"/petitions/{petition_id}/votes", json={"votes": [vote]}).json()["state"]
            == "awaiting-response"
        )
    reply = {"text": "Night buses start in March."}
    assert_problem(client.post(f"/petitions/{answered}/response", json=reply, headers=auth("gz-xfj")), 403)
    body = client.post(f"/petitions/{answered}/response", json=reply, headers=auth("gz-mayor")).json()
    assert body["state"] == "responded" and body["response"] == {
        "text": reply["text"],
        "verified": True,
        "late": False,
    }
    assert_problem(
        client.post(f"/petitions/{answered}/response", json=reply, headers=auth("gz-mayor")),
        409,
        error="PetitionWrongStatus",
    )
    assert client.get("/petitions/overdue").json()["items"] == []
    runtime.gateway.advance_time(30 * DAY + 1)
    assert [p["id"] for p in client.get("/petitions/overdue").json()["items"]] == [ignored]
    assert client.get("/petitions/rules").json()["threshold"] == 1


def test_a_response_below_the_threshold_is_refused_by_the_contract(client, auth, petitions):
    petition_id = opened(client, auth, petitions, enrol(client, auth))
    response = client.post(
        f"/petitions/{petition_id}/response", json={"text": "early"}, headers=auth("gz-mayor")
    )
    assert_problem(response, 409, error="PetitionWrongStatus")


def test_an_unknown_state_filter_is_422(client):
    assert_problem(client.get("/petitions", params={"state": "pending"}), 422, field="state")
