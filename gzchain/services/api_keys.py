"""Agency API credentials: issued once, stored only as argon2 hashes, verified per request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cachetools import TTLCache
from sqlalchemy import select

from gzchain.domain.errors import InvalidInput, NotFound, PermissionDenied
from gzchain.store.api import ApiKeyRow
from gzchain.store.db import Store

TOKEN_PREFIX = "gzk_"
VERIFIED_TTL_SECONDS: Final = 300.0  # how long one argon2 verification of a token is trusted
MAX_VERIFIED: Final = 10_000  # tokens remembered at once; the least recently used go first
# argon2 (argon2-cffi's defaults) takes 64 MiB and a few tens of ms of CPU per verification: many clients
# starting at once would otherwise verify all at once, and the server's memory would jump by 64 MiB each.
ARGON2_AT_ONCE: Final = 2


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    agency_id: str
    token: str  # shown once; never stored


@dataclass(frozen=True)
class ApiKeyInfo:
    key_id: str
    agency_id: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyService:
    """Issues, lists, revokes and checks API keys.

    A token is checked against its stored argon2 hash once; for `verified_for` seconds after that, a request
    presenting the same token skips argon2. Such a request still reads its key's row, so a key revoked, or
    whose stored hash is replaced, by this process or by `gzchain api-keys` in another, fails from the next
    request on. Verified tokens are remembered by an HMAC under a key of this process, never as themselves.
    """

    def __init__(
        self,
        store: Store,
        known_agencies: set[str],
        verified_for: float = VERIFIED_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self.store = store
        self.known_agencies = known_agencies
        self._hasher = hasher or PasswordHasher()
        self._fingerprint_key = secrets.token_bytes(32)
        # token fingerprint -> the stored hash it was verified against
        self._verified: TTLCache[bytes, str] = TTLCache(maxsize=MAX_VERIFIED, ttl=verified_for, timer=clock)
        self._verified_lock = threading.Lock()  # TTLCache is not thread-safe
        self._argon2_slots = threading.BoundedSemaphore(ARGON2_AT_ONCE)

    def create(self, agency_id: str) -> IssuedKey:
        if agency_id not in self.known_agencies:
            raise InvalidInput(f"unknown agency {agency_id!r}", field="agency")
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        with self.store.session() as session:
            session.add(
                ApiKeyRow(
                    key_id=key_id,
                    agency_id=agency_id,
                    secret_hash=self._hasher.hash(secret),
                    created_at=datetime.now(UTC),
                )
            )
        return IssuedKey(key_id, agency_id, f"{TOKEN_PREFIX}{key_id}.{secret}")

    def list(self) -> list[ApiKeyInfo]:
        with self.store.session() as session:
            rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)).all()
            return [ApiKeyInfo(r.key_id, r.agency_id, r.created_at, r.revoked_at) for r in rows]

    def revoke(self, key_id: str) -> None:
        with self.store.session() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"no API key {key_id!r}")
            row.revoked_at = row.revoked_at or datetime.now(UTC)
            revoked_hash = row.secret_hash
        self._forget(revoked_hash)

    def authenticate(self, token: str) -> str:
        """The agency a bearer token acts as; PermissionDenied otherwise, saying no more than needed."""
        key_id, _, secret = token.removeprefix(TOKEN_PREFIX).partition(".")
        if not token.startswith(TOKEN_PREFIX) or not key_id or not secret:
            raise PermissionDenied("malformed API key")
        with self.store.session() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None or row.revoked_at is not None:
                raise PermissionDenied("unknown or revoked API key")
            agency_id, secret_hash = row.agency_id, row.secret_hash
        fingerprint = self._fingerprint(token)
        if self._was_verified(fingerprint, secret_hash):
            return agency_id
        with self._argon2_slots:
            # Many requests with one new token queue here; once the first is verified the rest need not be.
            if not self._was_verified(fingerprint, secret_hash):
                self._verify(secret_hash, secret)
                with self._verified_lock:
                    self._verified[fingerprint] = secret_hash
        return agency_id

    def _verify(self, secret_hash: str, secret: str) -> None:
        try:
            self._hasher.verify(secret_hash, secret)
        except (VerificationError, InvalidHashError):
            raise PermissionDenied("unknown or revoked API key") from None

    def _fingerprint(self, token: str) -> bytes:
        return hmac.digest(self._fingerprint_key, token.encode(), hashlib.sha256)

    def _was_verified(self, fingerprint: bytes, secret_hash: str) -> bool:
        """Whether `fingerprint`'s token was verified against the hash its key has now, not a replaced one."""
        with self._verified_lock:
            verified_against = self._verified.get(fingerprint)
        return verified_against is not None and hmac.compare_digest(verified_against, secret_hash)

    def _forget(self, secret_hash: str) -> None:
        with self._verified_lock:
            stale = [fingerprint for fingerprint, hashed in self._verified.items() if hashed == secret_hash]
            for fingerprint in stale:
                del self._verified[fingerprint]
