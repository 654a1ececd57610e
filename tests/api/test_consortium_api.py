"""Consortium endpoints: public reads, governor writes, and every refusal as problem+json."""

from __future__ import annotations

from support.api import assert_problem

THRESHOLD = {"kind": "change_threshold", "threshold": 2}


def test_anyone_can_list_the_members_with_roles(client):
    body = client.get("/consortium/members").json()
    assert (body["threshold"], body["governors"]) == (2, 2)
    msa = next(m for m in body["members"] if m["agency_id"] == "gz-msa")
    assert msa["roles"] == ["GOVERNOR", "REGISTRAR", "REGULATOR"] and msa["status"] == "active"


def test_anyone_can_read_one_member(client):
    assert client.get("/consortium/members/gz-edu").json()["domain"] == "jyj.gz.gov.cn"


def test_an_unknown_member_is_404(client):
    assert_problem(client.get("/consortium/members/0x000000000000000000000000000000000000dEaD"), 404)


def test_a_governor_proposes_and_another_approves_with_proofs(client, auth):
    created = client.post("/consortium/proposals", json=THRESHOLD, headers=auth("gz-msa"))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["executed"] is False and body["proposal"]["approvals"] == 1
    assert body["proof"]["tx_hash"].startswith("0x") and body["proof"]["block_number"] > 0
    approved = client.post(
        f"/consortium/proposals/{body['proposal']['id']}/approvals", headers=auth("gz-gsdata")
    )
    assert approved.status_code == 201 and approved.json()["executed"] is True
    listed = client.get("/consortium/proposals").json()["proposals"]
    assert [p["state"] for p in listed] == ["executed"]
    assert client.get("/consortium/proposals", params={"pending": True}).json()["proposals"] == []
    assert client.get(f"/consortium/proposals/{body['proposal']['id']}").json()["approvals"] == 2


def test_writes_without_a_credential_are_401(client):
    response = client.post("/consortium/proposals", json=THRESHOLD)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert_problem(client.post("/consortium/proposals/1/approvals"), 401)


def test_a_wrong_or_revoked_credential_is_401(client, app):
    assert_problem(
        client.post("/consortium/proposals", json=THRESHOLD, headers={"Authorization": "Bearer x"}), 401
    )
    issued = app.state.api_keys.create("gz-msa")
    forged = issued.token[:-4] + "AAAA"
    assert_problem(
        client.post("/consortium/proposals", json=THRESHOLD, headers={"Authorization": f"Bearer {forged}"}),
        401,
    )
    app.state.api_keys.revoke(issued.key_id)
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert_problem(client.post("/consortium/proposals", json=THRESHOLD, headers=headers), 401)


def test_a_non_governor_is_403_before_any_transaction(client, auth, runtime):
    height = runtime.gateway.block_number()
    body = assert_problem(
        client.post("/consortium/proposals", json=THRESHOLD, headers=auth("gz-notary")), 403
    )
    assert "GOVERNOR" in body["detail"]
    assert_problem(client.post("/consortium/proposals/1/approvals", headers=auth("gz-edu")), 403)
    assert runtime.gateway.block_number() == height


def test_approving_an_unknown_proposal_is_404(client, auth):
    assert_problem(client.post("/consortium/proposals/42/approvals", headers=auth("gz-msa")), 404)
    assert_problem(client.get("/consortium/proposals/42"), 404)


def test_a_double_vote_is_409_naming_the_rule(client, auth):
    headers = auth("gz-msa")
    proposal_id = client.post("/consortium/proposals", json=THRESHOLD, headers=headers).json()["proposal"][
        "id"
    ]
    body = assert_problem(
        client.post(f"/consortium/proposals/{proposal_id}/approvals", headers=headers),
        409,
        error="ConsortiumAlreadyApproved",
    )
    assert body["title"] == "Refused by Consortium: already approved"


def test_adding_an_existing_member_is_409(client, auth):
    duplicate = {"kind": "add_member", "account": "gz-notary", "name": "Notary", "domain": "n.gov.cn"}
    body = assert_problem(client.post("/consortium/proposals", json=duplicate, headers=auth("gz-msa")), 409)
    assert body["error"] == "ConsortiumAlreadyAMember" and body["title"].endswith("already a member")


def test_bad_input_is_422_with_the_field_named(client, auth):
    headers = auth("gz-msa")
    assert_problem(
        client.post(
            "/consortium/proposals", json={"kind": "change_threshold", "threshold": 0}, headers=headers
        ),
        422,
        field="threshold",
    )
    assert_problem(
        client.post(
            "/consortium/proposals", json={"kind": "grant_role", "account": "gz-edu"}, headers=headers
        ),
        422,
        field="role",
    )
    assert_problem(
        client.post("/consortium/proposals", json={"kind": "add_member", "account": "x"}, headers=headers),
        422,
        field="name",
    )
    assert_problem(
        client.post("/consortium/proposals", json={"kind": "launch_rocket"}, headers=headers),
        422,
        field="kind",
    )
    assert_problem(
        client.post(
            "/consortium/proposals",
            json={"kind": "grant_role", "account": "gz-edu", "role": "WIZARD"},
            headers=headers,
        ),
        422,
        field="role",
    )


def test_a_threshold_out_of_range_is_refused_by_the_contract(client, auth):
    body = assert_problem(
        client.post(
            "/consortium/proposals", json={"kind": "change_threshold", "threshold": 3}, headers=auth("gz-msa")
        ),
        409,
    )
    assert body["arguments"] == {"threshold": 3, "minimum": 2, "maximum": 2}


def test_a_retried_post_with_the_same_idempotency_key_writes_once(client, auth, runtime):
    headers = {**auth("gz-msa"), "Idempotency-Key": "retry-1"}
    first = client.post("/consortium/proposals", json=THRESHOLD, headers=headers)
    height = runtime.gateway.block_number()
    second = client.post("/consortium/proposals", json=THRESHOLD, headers=headers)
    assert second.status_code == first.status_code == 201
    assert second.json() == first.json()
    assert runtime.gateway.block_number() == height
    assert len(client.get("/consortium/proposals").json()["proposals"]) == 1


def test_an_idempotency_key_reused_for_another_request_is_409(client, auth):
    headers = {**auth("gz-msa"), "Idempotency-Key": "retry-2"}
    client.post("/consortium/proposals", json=THRESHOLD, headers=headers)
    other = {"kind": "suspend_member", "account": "gz-notary"}
    assert_problem(client.post("/consortium/proposals", json=other, headers=headers), 409)


def test_a_refused_write_frees_its_idempotency_key(client, auth):
    headers = {**auth("gz-msa"), "Idempotency-Key": "retry-3"}
    refused = {"kind": "change_threshold", "threshold": 3}
    assert client.post("/consortium/proposals", json=refused, headers=headers).status_code == 409
    assert client.post("/consortium/proposals", json=refused, headers=headers).status_code == 409


def test_health_readiness_and_metrics(client, auth):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and ready["checks"]["contracts"]["ok"] is True
    client.post("/consortium/proposals", json=THRESHOLD, headers=auth("gz-msa"))
    metrics = client.get("/metrics").text
    assert (
        'gzchain_http_requests_total{method="POST",route="/consortium/proposals",status="201"} 1.0' in metrics
    )
    assert "gzchain_chain_height" in metrics and "gzchain_transactions_confirmed" in metrics


def test_the_openapi_document_describes_every_route_with_a_summary(client):
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
    assert "bearer" in str(spec["components"]["securitySchemes"]).lower()
