"""A request that has no response within `request_timeout_seconds` is answered 503 problem+json, and one
sending its body a byte at a time cannot hold its connection past that time (issue #14, finding 10)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from support.api import assert_problem
from support.live_server import connect, echo_app, live_server, read_all, status_of

from gzchain.api.request_deadline import RequestDeadline
from gzchain.settings import Settings


def test_a_response_not_started_in_time_is_a_503_naming_the_limit():
    client = TestClient(RequestDeadline(echo_app, seconds=0.2))
    response = client.get("/slow")
    body = assert_problem(response, 503)
    assert body["limit"] == "request_timeout_seconds" and body["max"] == 0.2
    assert response.headers["Retry-After"] == "1" and "Idempotency-Key" in body["detail"]


def test_a_response_in_time_passes_untouched():
    response = TestClient(RequestDeadline(echo_app, seconds=5)).post("/", content=b"abc")
    assert response.status_code == 200 and response.text == "3"


def test_a_body_dripping_slower_than_the_deadline_is_cut_off():
    settings = Settings(body_idle_timeout_seconds=5.0)
    with live_server(RequestDeadline(echo_app, seconds=0.5), settings) as address, connect(address) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
        sock.settimeout(0.1)
        response = b""
        for _ in range(200):  # one byte per 0.1 s: never idle long enough for the idle timeout
            try:
                sock.send(b"x")
                response += sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if response:
                break
        sock.settimeout(5)
        response += read_all(sock)
    assert status_of(response) == 503
    assert json.loads(response.partition(b"\r\n\r\n")[2])["limit"] == "request_timeout_seconds"
