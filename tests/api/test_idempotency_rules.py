"""Idempotency keys (issue #14, finding 8): a key names one request on one route, and a failure frees it;
what is kept for a replay is sealed, and the request's digest keyed (issue #15)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from support.certificates import graduate

from gzchain.api.idempotency import REQUEST_TARGET, run_once
from gzchain.domain.errors import ChainUnavailable, Conflict, PermissionDenied
from gzchain.store.api import IdempotencyRow

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


# ---- what the store keeps for a replay (issue #15): sealed replies, keyed request digests ----


def kept(runtime, agency: str, key: str) -> IdempotencyRow:
    with runtime.store.session() as session:
        row = session.get(IdempotencyRow, (agency, key))
    assert row is not None
    return row


def test_issued_certificates_kept_for_a_replay_are_sealed_not_in_clear(client, auth, runtime):
    # The reply holds every wrapped certificate, its holder's name and student id among them.
    body = {"template": "graduation-certificate", "records": [graduate(0), graduate(1)]}
    headers = {**auth("gz-edu"), "Idempotency-Key": "issue-once"}
    first = client.post("/certificates/batches", json=body, headers=headers)
    assert first.status_code == 201, first.text
    row = kept(runtime, "gz-edu", "issue-once")
    assert row.body.startswith(b"sealed:")
    for secret in ("陈晓明0", "2022000001", "South China University"):
        assert secret.encode() not in row.body and secret.encode("unicode_escape") not in row.body
    again = client.post("/certificates/batches", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert len(client.get("/certificates/batches").json()["batches"]) == 1  # replayed, not issued twice


def test_the_kept_digest_of_a_request_is_keyed_so_its_contents_cannot_be_confirmed(runtime):
    REQUEST_TARGET.set(("POST", "/businesses"))
    run_once(runtime.store, "gz-msa", "k-digest", PAYLOAD, written([], "once"))
    plain = json.dumps({"method": "POST", "path": "/businesses", "payload": PAYLOAD}, sort_keys=True)
    stored = kept(runtime, "gz-msa", "k-digest").request_hash
    assert stored != hashlib.sha256(plain.encode()).hexdigest()
    assert stored == runtime.cipher.fingerprint(plain.encode())


def test_a_reply_kept_in_clear_before_sealing_still_replays_and_guards_its_key(runtime):
    REQUEST_TARGET.set(("POST", "/businesses"))
    plain = json.dumps({"method": "POST", "path": "/businesses", "payload": PAYLOAD}, sort_keys=True)
    with runtime.store.session() as session:
        session.add(
            IdempotencyRow(
                agency_id="gz-msa",
                key="k-legacy",
                request_hash=hashlib.sha256(plain.encode()).hexdigest(),
                status_code=201,
                body=b'{"wrote": "before"}',
                media_type="application/json",
                created_at=datetime.now(UTC),
            )
        )
    log: list[str] = []
    replay = run_once(runtime.store, "gz-msa", "k-legacy", PAYLOAD, written(log, "again"))
    assert json.loads(replay.body) == {"wrote": "before"} and log == []
    with pytest.raises(Conflict, match="different request"):
        run_once(runtime.store, "gz-msa", "k-legacy", {"other": "body"}, written(log, "other"))


def test_a_sealed_reply_cannot_be_moved_to_another_key(runtime):
    REQUEST_TARGET.set(("POST", "/businesses"))
    run_once(runtime.store, "gz-msa", "k-one", PAYLOAD, written([], "one"))
    with runtime.store.session() as session:
        session.get(IdempotencyRow, ("gz-msa", "k-one")).key = "k-two"  # as if copied to another key
    with pytest.raises(PermissionDenied, match="cannot be decrypted"):
        run_once(runtime.store, "gz-msa", "k-two", PAYLOAD, written([], "two"))
