"""Request rates (issue #14): public requests per client address, agencies' requests per key, failed
authentication per address; over a rate, 429 problem+json with Retry-After. /healthz is never limited."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient
from support.api import assert_problem

from gzchain.api.app import create_app
from gzchain.bootstrap import Runtime
from gzchain.settings import Settings

UNLIMITED = "1000000/minute"


@pytest.fixture
def app_with(runtime: Runtime):
    """`app_with(rate_limit_public="2/minute")` → an app on the test chain with those settings."""

    def make(**settings):
        tuned: Settings = runtime.settings.model_copy(update=settings)
        return create_app(dataclasses.replace(runtime, settings=tuned))

    return make


def client_at(app, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def bearer(app, agency: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.api_keys.create(agency).token}"}


def assert_throttled(response, limit: str) -> dict:
    body = assert_problem(response, 429)
    assert body["limit"] == limit and body["max"]
    assert int(response.headers["Retry-After"]) >= 1
    return body


def test_public_requests_past_the_address_rate_get_429_with_retry_after(app_with):
    client = client_at(app_with(rate_limit_public="3/minute"), "10.0.0.1")
    assert [client.get("/consortium/members").status_code for _ in range(3)] == [200] * 3
    body = assert_throttled(client.get("/consortium/members"), "rate_limit_public")
    assert "10.0.0.1" in body["detail"]


def test_each_client_address_has_its_own_count(app_with):
    app = app_with(rate_limit_public="2/minute")
    first, second = client_at(app, "10.0.0.1"), client_at(app, "10.0.0.2")
    for _ in range(2):
        first.get("/consortium/members")
    assert first.get("/consortium/members").status_code == 429
    assert second.get("/consortium/members").status_code == 200


def test_a_throttled_body_is_refused_before_it_is_read(app_with):
    client = client_at(app_with(rate_limit_public="1/minute"), "10.0.0.1")
    client.post("/certificates/verify", json={})
    nested = b"[" * 100_000 + b"]" * 100_000  # would be a 422 if it were read
    as_json = {"content-type": "application/json"}
    response = client.post("/certificates/verify", content=nested, headers=as_json)
    assert_throttled(response, "rate_limit_public")


def test_health_is_never_limited(app_with):
    client = client_at(app_with(rate_limit_public="1/minute"), "10.0.0.1")
    assert {client.get("/healthz").status_code for _ in range(20)} == {200}
    assert client.get("/consortium/members").status_code == 200
    assert client.get("/consortium/members").status_code == 429
    assert client.get("/healthz").status_code == 200


def test_an_agency_s_requests_count_against_its_key_not_its_address(app_with):
    app = app_with(rate_limit_public="2/minute", rate_limit_writes="5/minute")
    client, governor = client_at(app, "10.0.0.1"), bearer(app, "gz-msa")
    # An invalid body is refused after authentication: cheap, and counted like any write.
    statuses = [client.post("/consortium/proposals", json={}, headers=governor).status_code for _ in range(5)]
    assert statuses == [422] * 5
    assert_throttled(client.post("/consortium/proposals", json={}, headers=governor), "rate_limit_writes")
    # Another key, from the same address, has its own count; public reads keep the address's.
    other = bearer(app, "gz-msa")
    assert client.post("/consortium/proposals", json={}, headers=other).status_code == 422
    assert client.get("/consortium/members").status_code == 200


def test_failed_authentication_counts_against_the_address(app_with):
    app = app_with(rate_limit_public="3/minute")
    client = client_at(app, "10.0.0.9")
    wrong = {"Authorization": "Bearer gzk_00000000000000ff.nope"}
    statuses = [client.post("/consortium/proposals", json={}, headers=wrong).status_code for _ in range(3)]
    assert statuses == [401] * 3
    assert_throttled(client.post("/consortium/proposals", json={}, headers=wrong), "rate_limit_public")
    # ...but not against an agency's key, which still works from another address.
    elsewhere = client_at(app, "10.0.0.10")
    assert elsewhere.post("/consortium/proposals", json={}, headers=bearer(app, "gz-msa")).status_code == 422


def test_a_missing_credential_counts_against_the_address(app_with):
    client = client_at(app_with(rate_limit_public="2/minute"), "10.0.0.3")
    assert [client.post("/consortium/proposals", json={}).status_code for _ in range(2)] == [401, 401]
    assert_throttled(client.post("/consortium/proposals", json={}), "rate_limit_public")


def test_a_key_id_failing_too_often_gets_429_and_its_agency_still_gets_in(app_with):
    app = app_with(auth_failure_limit="3 per 5 minutes")
    client, issued = client_at(app, "10.0.0.4"), app.state.api_keys.create("gz-msa")
    wrong = {"Authorization": f"Bearer {issued.token[:-4]}AAAA"}
    statuses = [client.post("/consortium/proposals", json={}, headers=wrong).status_code for _ in range(3)]
    assert statuses == [401] * 3
    assert_throttled(client.post("/consortium/proposals", json={}, headers=wrong), "auth_failure_limit")
    right = {"Authorization": f"Bearer {issued.token}"}
    assert client.post("/consortium/proposals", json={}, headers=right).status_code == 422


def test_a_rate_that_is_not_in_the_limits_notation_is_refused_at_startup():
    with pytest.raises(ValueError, match="rate_limit_public"):
        Settings(rate_limit_public="lots")
