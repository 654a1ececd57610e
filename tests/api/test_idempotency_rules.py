"""Idempotency keys (issue #14, finding 8): a key names one request on one route, a failure frees it, and
it is forgotten after its lifetime; what is kept for a replay is sealed, and the request's digest keyed
(issue #15)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from support.certificates import graduate

from gzchain.api import idempotency
from gzchain.api.idempotency import KEY_TTL, REQUEST_TARGET, run_once
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


@pytest.fixture
def clock(monkeypatch):
    """The idempotency records' clock, moved by hand; sweeps run at once unless a test says otherwise."""
    moments = [datetime(2026, 1, 1, tzinfo=UTC)]
    monkeypatch.setattr(idempotency, "_now", lambda: moments[0])
    monkeypatch.setattr(idempotency, "_last_sweep", datetime.min.replace(tzinfo=UTC))
    REQUEST_TARGET.set(("POST", "/businesses"))
    KEY_TTL.set(timedelta(hours=24))
    return moments


def stored_keys(runtime) -> set[str]:
    with runtime.store.session() as session:
        return set(session.scalars(select(IdempotencyRow.key)))


def test_a_replay_within_the_lifetime_returns_the_first_response(runtime, clock):
    log: list[str] = []
    first = run_once(runtime.store, "gz-msa", "k-live", PAYLOAD, written(log, "once"))
    clock[0] += timedelta(hours=23, minutes=59)
    assert run_once(runtime.store, "gz-msa", "k-live", PAYLOAD, written(log, "twice")).body == first.body
    assert log == ["once"]


def test_a_key_past_its_lifetime_is_a_new_request(runtime, clock):
    log: list[str] = []
    run_once(runtime.store, "gz-msa", "k-old", PAYLOAD, written(log, "first"))
    clock[0] += timedelta(hours=24, seconds=1)
    again = run_once(runtime.store, "gz-msa", "k-old", PAYLOAD, written(log, "second"))
    assert again.status_code == 201 and log == ["first", "second"]
    # and it is remembered anew from then on
    run_once(runtime.store, "gz-msa", "k-old", PAYLOAD, written(log, "third"))
    assert log == ["first", "second"]


def test_an_expired_key_may_even_carry_a_different_request(runtime, clock):
    log: list[str] = []
    run_once(runtime.store, "gz-msa", "k-reuse", PAYLOAD, written(log, "first"))
    clock[0] += timedelta(days=2)
    run_once(runtime.store, "gz-msa", "k-reuse", {"other": "body"}, written(log, "other"))
    assert log == ["first", "other"]


def test_an_interrupted_key_stops_blocking_after_its_lifetime(runtime, clock):
    with runtime.store.session() as session:
        session.add(
            IdempotencyRow(
                agency_id="gz-msa",
                key="k-crash",
                request_hash=idempotency.request_fingerprints(runtime.store, PAYLOAD)[0],
                status_code=-1,
                body=b"",
                media_type="application/json",
                created_at=clock[0],
            )
        )
    log: list[str] = []
    with pytest.raises(Conflict, match="interrupted"):
        run_once(runtime.store, "gz-msa", "k-crash", PAYLOAD, written(log, "blocked"))
    clock[0] += timedelta(days=1, seconds=1)
    assert run_once(runtime.store, "gz-msa", "k-crash", PAYLOAD, written(log, "new")).status_code == 201


def test_expired_rows_are_swept_as_writes_come_in_a_bounded_batch_at_a_time(runtime, clock, monkeypatch):
    for n in range(7):
        run_once(runtime.store, "gz-msa", f"k-{n}", PAYLOAD, written([], "x"))
        monkeypatch.setattr(idempotency, "_last_sweep", datetime.min.replace(tzinfo=UTC))
    clock[0] += timedelta(days=1, minutes=1)
    monkeypatch.setattr(idempotency, "SWEEP_BATCH", 5)
    run_once(runtime.store, "gz-msa", "k-new", PAYLOAD, written([], "x"))
    assert len(stored_keys(runtime)) == 3  # 5 of the 7 old ones went; the new one stays
    # The next sweep waits a minute; then it takes the rest.
    run_once(runtime.store, "gz-msa", "k-newer", PAYLOAD, written([], "x"))
    assert len(stored_keys(runtime)) == 4
    clock[0] += idempotency.SWEEP_EVERY
    run_once(runtime.store, "gz-msa", "k-newest", PAYLOAD, written([], "x"))
    assert stored_keys(runtime) == {"k-new", "k-newer", "k-newest"}


def test_the_api_uses_the_lifetime_from_the_settings(runtime, auth, clock):
    import dataclasses

    from fastapi.testclient import TestClient

    from gzchain.api.app import create_app

    tuned = runtime.settings.model_copy(update={"idempotency_ttl_seconds": 60})
    client = TestClient(create_app(dataclasses.replace(runtime, settings=tuned)))
    headers = {**auth("gz-msa"), "Idempotency-Key": "api-ttl"}
    body = {"kind": "change_threshold", "threshold": 2}
    first = client.post("/consortium/proposals", json=body, headers=headers)
    assert client.post("/consortium/proposals", json=body, headers=headers).json() == first.json()
    clock[0] += timedelta(seconds=61)
    fresh = client.post("/consortium/proposals", json=body, headers=headers)
    assert fresh.status_code == 201 and fresh.json()["proposal"]["id"] != first.json()["proposal"]["id"]


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
