"""The HTTP protocol's own bounds (issue #14, findings 2 and 10), against a real uvicorn server set up as
`gzchain serve` sets it up: header size and count, header and body timeouts, the connection bound."""

from __future__ import annotations

import json

import pytest
from support.live_server import connect, echo_app, get, live_server, read_all, status_of

from gzchain.api.server import server_config
from gzchain.settings import Settings


def settings(**overrides) -> Settings:
    base = {
        "max_header_bytes": 4096,
        "max_header_count": 20,
        "header_timeout_seconds": 0.5,
        "body_idle_timeout_seconds": 0.5,
        "max_connections": 8,
    }
    return Settings(**{**base, **overrides})


@pytest.fixture
def server():
    with live_server(echo_app, settings()) as address:
        yield address


def problem_of(response: bytes) -> dict:
    head, _, body = response.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower(), head
    return json.loads(body)


def test_headers_over_the_byte_limit_get_431_naming_the_limit(server):
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n")
        response = read_all(sock)
    assert status_of(response) == 431
    problem = problem_of(response)
    assert problem["limit"] == "max_header_bytes" and problem["max"] == 4096


def test_a_huge_header_is_cut_off_early_and_others_are_served_meanwhile(server):
    sent = 0
    chunk = b"a" * 65536
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: ")
        with pytest.raises(OSError):  # reset or broken pipe: the server stopped reading and closed
            while sent < 128 << 20:
                sock.sendall(chunk)
                sent += len(chunk)
                if sent == 1 << 20:
                    assert status_of(get(server)) == 200
    # What socket buffers absorb before the close is felt, not 128 MiB.
    assert sent < 16 << 20
    assert status_of(get(server)) == 200


def test_too_many_header_fields_get_431_naming_the_count(server):
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(21))
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n")
        response = read_all(sock)
    assert status_of(response) == 431
    assert problem_of(response)["limit"] == "max_header_count"


def test_as_many_header_fields_as_allowed_are_served(server):
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(18))
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + fields + b"\r\n")
        assert status_of(read_all(sock)) == 200


def test_headers_that_never_finish_get_408_and_the_connection_closed(server):
    with connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
        response = read_all(sock)
    assert status_of(response) == 408
    assert problem_of(response)["limit"] == "header_timeout_seconds"


def test_headers_sent_a_byte_at_a_time_are_cut_off_by_the_header_timeout():
    with live_server(echo_app, settings(header_timeout_seconds=1.0)) as address, connect(address) as sock:
        sock.settimeout(0.05)
        response = b""
        for byte in b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X-Slow: " + b"a" * 2000:
            try:
                sock.send(bytes([byte]))
                response += sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if response:
                break
        sock.settimeout(5)
        response += read_all(sock)
    assert status_of(response) == 408


def test_a_connection_that_sends_nothing_is_closed():
    with live_server(echo_app, settings()) as address, connect(address) as sock:
        assert status_of(read_all(sock)) == 408


def test_a_body_announced_and_never_sent_is_dropped_after_the_idle_timeout(server):
    with connect(server) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n" + b"x" * 100)
        assert read_all(sock) == b""  # closed, nothing answered: the app saw a disconnect


def test_a_body_arriving_steadily_is_read_whole():
    with live_server(echo_app, settings(body_idle_timeout_seconds=5.0)) as address, connect(address) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 300000\r\n\r\n")
        for _ in range(30):
            sock.sendall(b"x" * 10000)
        response = read_all(sock)
    assert status_of(response) == 200 and response.endswith(b"300000")


def test_keep_alive_requests_on_one_connection_are_served(server):
    with connect(server) as sock:
        for _ in range(3):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            assert status_of(sock.recv(4096)) == 200
        # a later request on the same connection that stalls mid-headers is timed out too
        sock.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
        assert status_of(read_all(sock)) == 408


def test_connections_over_the_bound_get_503_at_once_and_a_freed_slot_serves_again():
    with live_server(echo_app, settings(max_connections=3, header_timeout_seconds=30)) as address:
        held = [connect(address) for _ in range(3)]
        try:
            with connect(address) as extra:
                response = read_all(extra)  # sent nothing: refused on connect
            assert status_of(response) == 503
            assert problem_of(response)["limit"] == "max_connections"
            held.pop().close()
            for _ in range(100):  # the server notices the close on its next loop turn
                if status_of(get(address)) == 200:
                    break
            else:
                pytest.fail("a freed connection slot was never reused")
        finally:
            for sock in held:
                sock.close()


def test_the_protocol_bounds_are_the_settings_of_gzchain_serve():
    config = server_config(echo_app, Settings(max_header_bytes=2048, listen_backlog=64), "127.0.0.1", 1)
    assert config.h11_max_incomplete_event_size == 2048 and config.backlog == 64
    assert config.proxy_headers is False  # X-Forwarded-For is not believed unless proxies are named
