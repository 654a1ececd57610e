"""Findings 2, 4 and 10 of issue #14, and a flood past the rate limit, against live servers: a 128 MiB
header, wrong secrets for real key ids, slow and silent clients, and more connections and requests than
allowed. Each attack comes from a loopback address of its own, since the limits count per client address."""

from __future__ import annotations

import secrets
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx2 as httpx
import pytest
from support.wire import Answer, connect, read_answer, request_head, send

MIB = 1 << 20
# Failed authentication is an HMAC and a compare now; argon2 took 133 ms a try (issue #14, finding 4).
CHEAP_AUTH_MS = 50.0


def client(source: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=60)


def during(server, attack) -> list[float]:
    """Runs `attack` in a thread and samples /healthz (another client) until it ends."""
    samples: list[float] = []
    worker = threading.Thread(target=attack)
    worker.start()
    while worker.is_alive():
        samples.append(server.healthz_ms(tries=1))
        time.sleep(0.05)
    worker.join()
    return samples


# ---- finding 2: headers ----


def test_finding_2_a_128_mib_header_is_cut_off_early_and_others_are_served_meanwhile(hostile_server):
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "

    def header() -> Iterator[bytes]:
        for _ in range(128):
            yield b"a" * MIB

    answers: list[Answer] = []
    samples = during(
        hostile_server, lambda: answers.append(send(hostile_server.port, head, header(), source="127.0.2.1"))
    )
    [answer] = answers
    assert answer.status == 431, answer
    assert answer.problem()["limit"] == "max_header_bytes"
    assert answer.sent < 8 * MIB, f"the server read {answer.sent / MIB:.0f} MiB of header"
    assert statistics.median(samples) < 100, samples


def test_finding_2_more_header_fields_than_allowed_are_a_431(hostile_server):
    fields = {f"X-F{i}": "1" for i in range(150)}
    answer = send(hostile_server.port, request_head("GET", "/healthz", hostile_server.port, fields))
    assert answer.status == 431, answer
    assert answer.problem()["limit"] == "max_header_count"


# ---- finding 4: failed authentication ----


def _timed_401(http: httpx.Client, url: str, token: str) -> float:
    started = time.perf_counter()
    answer = http.get(url, headers={"Authorization": f"Bearer {token}"})
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code == 401, answer.text
    assert answer.json()["detail"] == "unknown or revoked API key", answer.text
    return elapsed


def test_finding_4_a_wrong_secret_for_a_real_key_id_is_as_cheap_as_an_unknown_id(strict_server):
    url = f"{strict_server.url}/epcis/capture"
    real = strict_server.key_ids["operator"]
    with client("127.0.4.1") as http:
        wrong = [_timed_401(http, url, f"gzk_{real}.{secrets.token_urlsafe(32)}") for _ in range(8)]
        unknown = [
            _timed_401(http, url, f"gzk_{secrets.token_hex(8)}.{secrets.token_urlsafe(32)}") for _ in range(8)
        ]
        # Past the failures a key id may have, the same claim is a 429 with Retry-After, not argon2 again.
        for _ in range(4):
            answer = http.get(url, headers={"Authorization": f"Bearer gzk_{real}.wrong"})
            if answer.status_code == 429:
                break
        assert answer.status_code == 429, answer.text
        assert answer.json()["limit"] == "auth_failure_limit" and int(answer.headers["Retry-After"]) > 0
        # The agency itself is not locked out: its right secret still works.
        assert http.get(url, headers=strict_server.headers("operator")).status_code == 200
    assert statistics.median(wrong) < CHEAP_AUTH_MS, wrong
    assert statistics.median(unknown) < CHEAP_AUTH_MS, unknown


def test_finding_4_two_hundred_wrong_secrets_at_once_leave_healthz_quick(strict_server):
    token = f"gzk_{strict_server.key_ids['issuer']}.{secrets.token_urlsafe(32)}"
    head = request_head("GET", "/epcis/capture", strict_server.port, {"Authorization": f"Bearer {token}"})
    statuses: list[int | None] = []

    def attack() -> None:
        # Bare sockets: an HTTP client per request would spend this process's own time (and GIL) on
        # building TLS contexts, and slow the /healthz samples taken here for reasons of its own.
        def one(_: int) -> int | None:
            return send(strict_server.port, head, source="127.0.4.2").status

        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses.extend(pool.map(one, range(200)))

    samples = during(strict_server, attack)
    assert len(statuses) == 200 and set(statuses) <= {401, 429}, set(statuses)
    assert statuses.count(429) >= 150, "past ten failures a key id is refused without a check"
    assert statistics.median(samples) < 100, samples


# ---- finding 10: slow and silent clients ----


def _open(server, count: int, source: str, first_bytes: bytes) -> list[socket.socket]:
    opened = []
    for _ in range(count):
        sock = connect(server.port, timeout=server.timeout_seconds * 5, source=source)
        sock.sendall(first_bytes)
        opened.append(sock)
    return opened


def _closed_by_the_server(sockets: list[socket.socket], drip: bytes, within: float) -> list[int | None]:
    """Drips `drip` into every open socket, a round every 0.2 s, until the server has ended them all (or
    `within` seconds pass); then what each was answered."""
    open_ = list(sockets)
    deadline = time.monotonic() + within
    while open_ and time.monotonic() < deadline:
        for sock in list(open_):
            try:
                sock.sendall(drip)
            except OSError:
                open_.remove(sock)
        time.sleep(0.2)
    assert not open_, f"{len(open_)} slow clients still connected after {within} s"
    statuses = [read_answer(sock).status for sock in sockets]
    for sock in sockets:
        sock.close()
    return statuses


def test_finding_10_two_hundred_sockets_sending_headers_slowly_are_dropped_at_the_header_timeout(
    strict_server,
):
    timeout = strict_server.timeout_seconds
    sockets = _open(strict_server, 200, "127.0.10.1", b"GET /consortium/members HTTP/1.1\r\nHost: x\r\n")
    assert strict_server.healthz_ms() < 100  # 200 slow clients hold no worker
    statuses = _closed_by_the_server(sockets, b"X", within=timeout * 4)
    assert set(statuses) <= {408, None}, set(statuses)
    assert statuses.count(408) >= 190, statuses


# An open finding, not run: left running, the 150 stalled connections would also fail every attack after it.
# strict: once the fix lands, remove the mark and let it run.
@pytest.mark.xfail(
    run=False,
    strict=True,
    reason="open finding: of 200 POST /filings/verify announcing 10 MiB and sending 16 bytes, only 50 are "
    "dropped at BODY_IDLE_TIMEOUT_SECONDS; the other 150 stay open and /healthz stops answering (one alone "
    "is dropped on time). It is the test for the fix.",
)
def test_finding_10_a_body_announced_and_never_sent_is_dropped_at_the_idle_timeout(strict_server):
    head = request_head(
        "POST",
        "/filings/verify",
        strict_server.port,
        {"Content-Length": str(10 * MIB), "Content-Type": "application/octet-stream"},
    )
    timeout = strict_server.timeout_seconds
    started = time.monotonic()
    sockets = _open(strict_server, 200, "127.0.10.2", head + b"first bytes only")
    assert strict_server.healthz_ms() < 100
    statuses = []
    for sock in sockets:
        sock.settimeout(max(0.1, started + timeout * 4 - time.monotonic()))
        try:
            statuses.append(read_answer(sock).status)  # returns once the server closes it
        except OSError:
            statuses.append("still open")
        sock.close()
    assert statuses.count(None) == 200, {status: statuses.count(status) for status in set(statuses)}


def test_past_the_connection_bound_a_new_connection_is_answered_503_at_once(strict_server):
    held = _open(strict_server, 256, "127.0.10.3", b"")
    try:
        extra = connect(strict_server.port, timeout=10, source="127.0.10.3")
        answer = read_answer(extra)
        extra.close()
    finally:
        for sock in held:
            sock.close()
    assert answer.status == 503, answer
    assert answer.problem()["limit"] == "max_connections"


# ---- the flood ----


def test_a_flood_past_the_public_rate_limit_is_answered_429_with_retry_after(strict_server):
    statuses: list[int] = []
    retry_after: set[str] = set()

    def flood() -> None:
        with client("127.0.12.1") as http:
            for _ in range(400):
                answer = http.get(f"{strict_server.url}/consortium/members")
                statuses.append(answer.status_code)
                if answer.status_code == 429:
                    assert answer.json()["limit"] == "rate_limit_public", answer.text
                    retry_after.add(answer.headers["Retry-After"])

    samples = during(strict_server, flood)
    assert statuses.count(200) == 300 and statuses.count(429) == 100, sorted(set(statuses))
    assert retry_after and all(int(value) > 0 for value in retry_after)
    assert statistics.median(samples) < 100, samples  # /healthz is exempt, and the flood held no worker
    with client("127.0.12.2") as other:
        assert other.get(f"{strict_server.url}/consortium/members").status_code == 200  # others unaffected
