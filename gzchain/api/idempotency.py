"""Idempotency-Key for POSTs: a retried request gets the first response and writes nothing twice.

A key is remembered for `idempotency_ttl_seconds` (24 h by default); after that the same key is a new request.
Expired rows are deleted as writes come in, a bounded batch at most once a minute per process, so the table
holds about one day of keys however many clients send.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import delete, select, tuple_
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Receive, Scope, Send

from gzchain.domain.errors import ChainUnavailable, Conflict, InvalidInput
from gzchain.store.api import IdempotencyRow
from gzchain.store.db import Store, StoreUnavailable

_PENDING = -1  # reserved before the write starts, so a crash mid-write is never silently repeated
_SEALED = b"sealed:"  # a stored reply sealed with the store's key; older rows hold plain JSON
# The method and path of the request being served (set by the limits middleware), so a key reused on another
# route is a different request, never a replay of the first route's response.
REQUEST_TARGET: ContextVar[tuple[str, str]] = ContextVar("request_target", default=("", ""))
# How long this request's keys are remembered (set per request by KeyWindow from the settings).
KEY_TTL: ContextVar[timedelta] = ContextVar("idempotency_ttl", default=timedelta(days=1))
SWEEP_EVERY = timedelta(minutes=1)
SWEEP_BATCH = 500  # expired rows deleted by one sweep: a write never waits on a large delete
# Retries of one key take turns; striped locks keep memory flat however many keys a server sees.
_locks = tuple(threading.Lock() for _ in range(64))
_sweep_lock = threading.Lock()
_last_sweep = datetime.min.replace(tzinfo=UTC)


class KeyWindow:
    """ASGI middleware giving each request the app's Idempotency-Key lifetime."""

    def __init__(self, app: ASGIApp, seconds: int) -> None:
        self.app = app
        self.ttl = timedelta(seconds=seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        KEY_TTL.set(self.ttl)
        await self.app(scope, receive, send)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back the naive UTC time it was given; PostgreSQL an aware one."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def request_fingerprints(store: Store, payload: Any) -> tuple[str, str]:
    """The digest to keep of a request, and the plain SHA-256 rows written before keyed digests kept.

    The payload may be a record with ID numbers: a plain hash of it kept in the store would let anyone
    reading the database confirm guesses of them (issue #15), even after an erasure; a keyed one does not.
    """
    method, path = REQUEST_TARGET.get()
    signed = {"method": method, "path": path, "payload": jsonable_encoder(payload)}
    data = json.dumps(signed, sort_keys=True).encode()
    plain = hashlib.sha256(data).hexdigest()
    return (store.cipher.fingerprint(data) if store.cipher else plain), plain


def _seal(store: Store, agency_id: str, key: str, body: Any) -> bytes:
    """A reply as the store keeps it: sealed, since it may hold personal data (issued certificates with
    their holders' names and ID numbers, a revocation's words)."""
    if store.cipher is None:
        return json.dumps(body).encode()
    return _SEALED + store.cipher.seal(body, _context(agency_id, key)).encode()


def _unseal(store: Store, agency_id: str, key: str, stored: bytes) -> Any:
    if not stored.startswith(_SEALED):
        return json.loads(stored)  # written before replies were sealed
    if store.cipher is None:
        raise Conflict(f"the reply kept for Idempotency-Key {key!r} is sealed and this store has no key")
    return store.cipher.open(stored[len(_SEALED) :].decode(), _context(agency_id, key))


def _context(agency_id: str, key: str) -> str:
    return f"idempotency:{agency_id}:{key}"


def _may_have_written(exc: Exception) -> bool:
    """Only a node that vanished after the transaction was sent leaves the write's outcome unknown; every
    other failure (a refusal, bad input, a bug before sending) changed nothing and must not block a retry."""
    return isinstance(exc, ChainUnavailable) and exc.tx_hash is not None


def run_once(
    store: Store,
    agency_id: str,
    key: str | None,
    payload: Any,
    write: Callable[[], Any],
    status_code: int = 201,
) -> JSONResponse:
    """Run `write` unless this agency already sent this Idempotency-Key; then replay the stored response."""
    if key is None:
        return JSONResponse(jsonable_encoder(write()), status_code=status_code)
    if not 1 <= len(key) <= 255:
        raise InvalidInput("must be 1 to 255 characters", field="Idempotency-Key")
    fingerprints = request_fingerprints(store, payload)
    with _lock_for(agency_id, key):
        replay = _reserve(store, agency_id, key, fingerprints)
        if replay is not None:
            return replay
        try:
            body = jsonable_encoder(write())
        except Exception as exc:
            if not _may_have_written(exc):
                _release(store, agency_id, key)
            raise
        encoded = _seal(store, agency_id, key, body)
        with store.session() as session:
            row = session.get(IdempotencyRow, (agency_id, key))
            assert row is not None
            row.status_code, row.body = status_code, encoded
        return JSONResponse(body, status_code=status_code)


def _lock_for(agency_id: str, key: str) -> threading.Lock:
    return _locks[hash((agency_id, key)) % len(_locks)]


def _reserve(store: Store, agency_id: str, key: str, fingerprints: tuple[str, str]) -> JSONResponse | None:
    now = _now()
    _sweep_now_and_then(store, now)
    reserved = _insert(store, agency_id, key, fingerprints, now)
    if reserved:
        return None
    with store.session() as session:
        row = session.get(IdempotencyRow, (agency_id, key))
        expired = row is not None and _aware(row.created_at) <= now - KEY_TTL.get()
        if expired:
            session.delete(row)  # past its lifetime the key names a new request
    if expired and _insert(store, agency_id, key, fingerprints, now):
        return None
    return _replay(store, agency_id, key, fingerprints)


def _insert(store: Store, agency_id: str, key: str, fingerprints: tuple[str, str], now: datetime) -> bool:
    """Whether the key was free and is now reserved for this request."""
    try:
        with store.session() as session:
            session.add(
                IdempotencyRow(
                    agency_id=agency_id,
                    key=key,
                    request_hash=fingerprints[0],
                    status_code=_PENDING,
                    body=b"",
                    media_type="application/json",
                    created_at=now,
                )
            )
        return True
    except StoreUnavailable as exc:
        if not isinstance(exc.__cause__, IntegrityError):
            raise
        return False


def _replay(store: Store, agency_id: str, key: str, fingerprints: tuple[str, str]) -> JSONResponse:
    with store.session() as session:
        row = session.get(IdempotencyRow, (agency_id, key))
        assert row is not None
        if row.request_hash not in fingerprints:
            raise Conflict("this Idempotency-Key was already used for a different request")
        if row.status_code == _PENDING:
            raise Conflict(
                "a request with this Idempotency-Key was interrupted before it finished; "
                "check the record's state before retrying with a new key"
            )
        return JSONResponse(_unseal(store, agency_id, key, row.body), status_code=row.status_code)


def _release(store: Store, agency_id: str, key: str) -> None:
    """A write that failed changed nothing, so the key may be used again."""
    with store.session() as session:
        row = session.get(IdempotencyRow, (agency_id, key))
        if row is not None and row.status_code == _PENDING:
            session.delete(row)


def _sweep_now_and_then(store: Store, now: datetime) -> None:
    global _last_sweep
    with _sweep_lock:
        if now - _last_sweep < SWEEP_EVERY:
            return
        _last_sweep = now
    sweep_expired(store, now - KEY_TTL.get())


def sweep_expired(store: Store, cutoff: datetime, batch: int | None = None) -> int:
    """Delete at most `batch` (SWEEP_BATCH) keys created before `cutoff`; how many were deleted."""
    with store.session() as session:
        expired = session.execute(
            select(IdempotencyRow.agency_id, IdempotencyRow.key)
            .where(IdempotencyRow.created_at < cutoff)
            .limit(batch or SWEEP_BATCH)
        ).all()
        if expired:
            pairs = [(agency_id, key) for agency_id, key in expired]
            session.execute(
                delete(IdempotencyRow).where(tuple_(IdempotencyRow.agency_id, IdempotencyRow.key).in_(pairs))
            )
    return len(expired)
