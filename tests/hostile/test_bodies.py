"""Findings 1 and 3 of issue #14 against a live server: nested brackets, and bodies far over their route's
limit (announced, unannounced, lied about, four at once), all refused while the bytes stream in."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from support.wire import Answer, chunked, request_head, send

MIB = 1 << 20
NESTED = b"[" * 100_000 + b"]" * 100_000
JSON = {"Content-Type": "application/json"}


def mebibytes(count: int, fill: bytes = b" ") -> Iterator[bytes]:
    """`count` MiB of `fill`, one MiB at a time: the test never holds the body it sends."""
    block = fill * MIB
    for _ in range(count):
        yield block


def assert_refused(answer: Answer, status: int, limit: str) -> dict:
    assert answer.status == status, answer
    problem = answer.problem()
    assert problem["status"] == status and problem["limit"] == limit, problem
    return problem


@pytest.mark.parametrize("path", ["/businesses", "/certificates/verify", "/coldchain/documents"])
def test_finding_1_a_hundred_thousand_nested_brackets_from_anyone_are_a_422(hostile_server, path):
    answer = httpx.post(hostile_server.url + path, content=NESTED, headers=JSON, timeout=30)
    assert answer.status_code == 422, answer.text
    assert answer.json()["limit"] == "max_json_depth" and answer.json()["max"] == 64


def test_finding_3_an_announced_100_mb_body_is_refused_before_it_is_sent(hostile_server):
    head = request_head(
        "POST", "/coldchain/documents", hostile_server.port, {**JSON, "Content-Length": str(100 * MIB)}
    )
    answer = send(hostile_server.port, head)
    assert_refused(answer, 413, "max_epcis_body_bytes")
    assert answer.sent == len(head), "answered on the header alone"


def test_finding_3_an_unannounced_100_mb_body_is_cut_off_at_the_limit(hostile_server):
    head = request_head(
        "POST", "/coldchain/documents", hostile_server.port, {**JSON, "Transfer-Encoding": "chunked"}
    )
    answer = send(hostile_server.port, head, chunked(mebibytes(100)))
    assert_refused(answer, 413, "max_epcis_body_bytes")
    assert answer.sent < 40 * MIB, f"the server took {answer.sent / MIB:.0f} MiB of a 16 MiB limit"


def test_finding_3_a_body_longer_than_its_content_length_is_dropped_not_kept(hostile_server):
    # 1 KiB announced, 100 MiB sent: the first KiB is the request; what follows is no request at all, so
    # the server answers 400 (or the first request's 401/422) and drops the connection, keeping nothing.
    head = request_head(
        "POST", "/coldchain/documents", hostile_server.port, {**JSON, "Content-Length": "1024"}
    )
    answer = send(hostile_server.port, head, mebibytes(100, b"{"))
    assert answer.status in (400, 401, 422), answer
    assert answer.headers.get("connection") == "close"
    assert answer.sent < 20 * MIB, f"the server took {answer.sent / MIB:.0f} MiB after a 1 KiB body"


def test_finding_3_an_authorised_json_write_over_1_mib_is_refused_at_1_mib(hostile_server):
    head = request_head(
        "POST",
        "/businesses",
        hostile_server.port,
        {**JSON, **hostile_server.headers("governor"), "Transfer-Encoding": "chunked"},
    )
    answer = send(hostile_server.port, head, chunked(mebibytes(100, b"[")))
    assert_refused(answer, 413, "max_json_body_bytes")


def test_finding_3_four_anonymous_100_mb_bodies_at_once_leave_healthz_quick(hostile_server):
    answers: list[Answer] = []
    during: list[float] = []

    def attack() -> None:
        head = request_head(
            "POST", "/coldchain/documents", hostile_server.port, {**JSON, "Transfer-Encoding": "chunked"}
        )
        answers.append(send(hostile_server.port, head, chunked(mebibytes(100, b"1"))))

    attackers = [threading.Thread(target=attack) for _ in range(4)]
    for thread in attackers:
        thread.start()
    while any(thread.is_alive() for thread in attackers):
        during.append(hostile_server.healthz_ms(tries=1))
        time.sleep(0.05)
    for thread in attackers:
        thread.join()
    assert len(answers) == 4
    for answer in answers:
        assert_refused(answer, 413, "max_epcis_body_bytes")
    assert statistics.median(during) < 100, f"/healthz during the attack: {during}"


def test_finding_3_a_file_over_its_limit_is_hashed_in_constant_memory_and_refused(hostile_server):
    # POST /filings/verify is public and takes up to 1 GiB; past it the stream is cut off. The autouse
    # check proves that the server's peak RSS stayed bounded while 1.1 GiB went through it.
    head = request_head("POST", "/filings/verify", hostile_server.port, {"Transfer-Encoding": "chunked"})
    answer = send(hostile_server.port, head, chunked(mebibytes(1100, b"f")))
    assert_refused(answer, 413, "max_file_bytes")
