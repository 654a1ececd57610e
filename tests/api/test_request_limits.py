"""Request bodies are bounded per route class before anything parses or authenticates them (issue #14)."""

from __future__ import annotations

import hashlib

from support.api import assert_problem

NESTED = b"[" * 100_000 + b"]" * 100_000


def test_deeply_nested_json_to_a_write_is_refused_before_authentication(client):
    response = client.post("/businesses", content=NESTED, headers={"content-type": "application/json"})
    body = assert_problem(response, 422)
    assert body["limit"] == "max_json_depth" and body["max"] == 64


def test_deeply_nested_json_to_public_verification_is_refused(client):
    response = client.post(
        "/certificates/verify", content=NESTED, headers={"content-type": "application/json"}
    )
    assert assert_problem(response, 422)["limit"] == "max_json_depth"


def test_a_json_write_over_its_byte_limit_is_refused_with_413_naming_the_limit(client):
    big = b'{"x": "' + b"a" * (1 << 20) + b'"}'
    body = assert_problem(
        client.post("/businesses", content=big, headers={"content-type": "application/json"}), 413
    )
    assert body["limit"] == "max_json_body_bytes"


def test_a_body_without_content_length_is_counted_as_it_streams(client):
    def chunks():
        for _ in range(40):
            yield b"a" * (1 << 20)

    response = client.post(
        "/coldchain/documents", content=chunks(), headers={"content-type": "application/json"}
    )
    assert assert_problem(response, 413)["limit"] == "max_epcis_body_bytes"


def test_a_lying_content_length_does_not_stop_the_count(app):
    # Drives the ASGI app directly: an HTTP client would not send more than it announced.
    import asyncio

    sent: list[dict] = []
    messages = [{"type": "http.request", "body": b"[" * (1 << 19), "more_body": True}] * 4

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/businesses",
        "raw_path": b"/businesses",
        "query_string": b"",
        "headers": [(b"content-length", b"10"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
        "asgi": {"version": "3.0"},
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413


def test_file_verification_hashes_a_large_upload_without_holding_it(client):
    def chunks():
        for i in range(64):
            yield bytes([i]) * (1 << 20)

    response = client.post("/filings/verify", content=chunks())
    assert response.status_code == 200, response.text
    expected = hashlib.sha256(b"".join(bytes([i]) * (1 << 20) for i in range(64))).hexdigest()
    assert expected in response.text and response.json()["notarised"] is False


def test_an_empty_file_upload_is_invalid(client):
    assert_problem(client.post("/filings/verify", content=b""), 422, field="file")


def test_file_verification_past_its_limit_is_a_413_naming_it_not_a_500(app):
    from fastapi.testclient import TestClient

    from gzchain.api.limits import BodyLimits, BoundedBodies

    limits = BodyLimits(
        json_bytes=1 << 20, epcis_bytes=1 << 20, batch_bytes=1 << 20, file_bytes=1000, json_depth=64
    )
    # The app's own stack (its error handlers, its logging middleware) under a tighter outer bound.
    client = TestClient(BoundedBodies(app, limits), raise_server_exceptions=False)

    def chunks():
        for _ in range(10):
            yield b"x" * 500

    body = assert_problem(client.post("/filings/verify", content=chunks()), 413)
    assert body["limit"] == "max_file_bytes" and body["max"] == 1000
