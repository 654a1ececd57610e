"""Idempotency keys (issue #14, finding 8): a key names one request on one route, and a failure frees it."""

from __future__ import annotations

import pytest

from gzchain.api.idempotency import REQUEST_TARGET, run_once
from gzchain.domain.errors import ChainUnavailable, Conflict

PAYLOAD = {"same": "body"}


def written(log: list[str], value: str):
    def write():
        log.append(value)
        return {"wrote": value}

    return write


def test_a_key_reused_on_another_route_is_a_conflict_not_a_replay(runtime):
    log: list[str] = []
    REQUEST_TARGET.set(("POST", "/coldchain/entitlements"))
    first = run_once(runtime.store, "gz-msa", "k-route", PAYLOAD, written(log, "entitlement"))
    assert first.status_code == 201
    REQUEST_TARGET.set(("POST", "/businesses"))
    with pytest.raises(Conflict, match="different request"):
        run_once(runtime.store, "gz-msa", "k-route", PAYLOAD, written(log, "business"))
    assert log == ["entitlement"]


def test_the_same_request_on_the_same_route_replays_without_writing_again(runtime):
    log: list[str] = []
    REQUEST_TARGET.set(("POST", "/businesses"))
    first = run_once(runtime.store, "gz-msa", "k-replay", PAYLOAD, written(log, "once"))
    again = run_once(runtime.store, "gz-msa", "k-replay", PAYLOAD, written(log, "twice"))
    assert again.body == first.body and log == ["once"]


def test_a_request_that_fails_unexpectedly_leaves_nothing_that_blocks_its_retry(runtime):
    REQUEST_TARGET.set(("POST", "/coldchain/batches/L1/events"))

    def overflowing():
        raise OverflowError("date value out of range")

    with pytest.raises(OverflowError):
        run_once(runtime.store, "nansha-importer", "k-fail", PAYLOAD, overflowing)
    log: list[str] = []
    retry = run_once(runtime.store, "nansha-importer", "k-fail", PAYLOAD, written(log, "retried"))
    assert retry.status_code == 201 and log == ["retried"]


def test_a_write_whose_transaction_was_sent_before_the_node_vanished_stays_reserved(runtime):
    REQUEST_TARGET.set(("POST", "/businesses"))

    def lost_after_send():
        raise ChainUnavailable("node went away", tx_hash="0x" + "ab" * 32)

    with pytest.raises(ChainUnavailable):
        run_once(runtime.store, "gz-msa", "k-sent", PAYLOAD, lost_after_send)
    with pytest.raises(Conflict, match="interrupted"):
        run_once(runtime.store, "gz-msa", "k-sent", PAYLOAD, written([], "doubled"))
